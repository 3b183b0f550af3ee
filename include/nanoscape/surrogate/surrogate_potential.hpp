#pragma once
/// @file A trained surrogate used as a potential: `--potential MODEL_DIR` and
/// `[potential] type = "surrogate"`. The energy is the model's predictive mean (eV), the
/// forces are -d mean/dx (eV/Angstrom); predict() gives the standard deviation beside it.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nanoscape/potentials/potential.hpp"
#include "nanoscape/surrogate/surrogate.hpp"

namespace nanoscape {

/// The mean of a ready() surrogate as a Potential.
class SurrogatePotential final : public Potential {
public:
    /// @param model a trained model (shared: the potential keeps it alive)
    /// @param source where it was loaded from, for description()
    /// @param pair_distances nearest-neighbour distances (Angstrom) by pair (a <= b by Z); a
    ///        pair not given uses the sum of covalent radii
    SurrogatePotential(std::shared_ptr<const Surrogate> model, std::string source, PairDistances pair_distances = {});

    [[nodiscard]] std::string type() const override { return "surrogate"; }
    [[nodiscard]] std::string description() const override;
    [[nodiscard]] double cutoff() const override { return model_->descriptor().cutoff(); }
    [[nodiscard]] std::vector<Species> supported_species() const override { return model_->descriptor().species(); }
    [[nodiscard]] double pair_distance(Species a, Species b) const override;
    /// The predicted mean energy (eV) and its forces; per-atom energies, if asked for, split it
    /// equally (the models do not expose their local energies).
    double compute(const Cluster& cluster, Eigen::Matrix3Xd* forces, Eigen::VectorXd* atom_energies) const override;

    /// Mean and variance at `cluster` (the model's predict()).
    [[nodiscard]] Prediction predict(const Cluster& cluster) const { return model_->predict(cluster); }
    /// The model.
    [[nodiscard]] const Surrogate& model() const { return *model_; }

private:
    std::shared_ptr<const Surrogate> model_;
    std::string source_;
    PairDistances pair_distances_;
};

}  // namespace nanoscape
