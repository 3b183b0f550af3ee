#pragma once
/// @file The lower-confidence-bound surface of a surrogate as a Potential, so any Relaxer can
/// relax candidates on it (GOFEE, Bisbo & Hammer, PRL 124, 086102 (2020), eq. 2):
///
///     E_LCB(x) = mu(x) - kappa sigma(x),    F_LCB = -dmu/dx + kappa dsigma/dx   (eV, eV/Angstrom)
///
/// plus a short-range repulsive prior on every pair closer than r_c = repulsion_fraction x the
/// reference bond length (GOFEE's prior mean plays the same part: a model trained on sensible
/// clusters knows nothing of collapsed ones and may predict them low):
///
///     E_rep = sum_{i<j, r_ij < r_c} eps [(r_c / r_ij)^12 - 2 (r_c / r_ij)^6 + 1],  eps = 5 eV,
///
/// a Lennard-Jones well shifted so that it and its slope vanish at r_c: zero for every
/// structure whose bonds are all longer than r_c, steep for overlapping atoms.
/// With a trust limit sigma_max the surface is undefined (NaN) where sigma exceeds the larger of
/// sigma_max and the sigma of the first structure evaluated, so a relaxation on it stops at its
/// last point inside (the relaxers' guard restores it and reports non_finite): a model is not
/// followed where it knows the landscape less than where the relaxation began. With a trust
/// limit the potential remembers its first structure's sigma: use one per relaxation.
/// mu and sigma are the surrogate's predictive mean and standard deviation. kappa = 0 relaxes
/// on the mean; a larger kappa pulls candidates toward regions the model knows little about,
/// where a lower energy is still plausible. Bond lengths (pair_distance) and species come from
/// the reference potential the surrogate models, so relaxation guards (fragments, explosions)
/// judge a structure as they would on the reference.

#include <limits>
#include <string>
#include <vector>

#include "nanoscape/potentials/potential.hpp"
#include "nanoscape/surrogate/surrogate.hpp"

namespace nanoscape {

/// E - kappa * sigma of a trained surrogate (see the file comment).
class LcbPotential final : public Potential {
public:
    /// @param surrogate a ready() model (must outlive the potential)
    /// @param kappa exploration weight, >= 0 (dimensionless)
    /// @param reference the potential the surrogate models (bond lengths, species; must outlive it)
    /// @param repulsion_fraction r_c of the repulsive prior over the reference bond length; 0: none
    /// @param trust_sigma sigma_max (eV) beyond which the surface is NaN; infinity: none
    LcbPotential(const Surrogate& surrogate, double kappa, const Potential& reference,
                 double repulsion_fraction = default_repulsion_fraction,
                 double trust_sigma = std::numeric_limits<double>::infinity());

    /// Default r_c / bond length of the repulsive prior: metal bonds in minima are rarely
    /// shorter than 0.9 of the nominal length, so the prior leaves them alone.
    static constexpr double default_repulsion_fraction = 0.8;
    /// Depth eps of the repulsive prior, eV: a pair at 0.9 r_c costs about 4 eV.
    static constexpr double repulsion_energy = 5.0;

    [[nodiscard]] std::string type() const override { return "lcb"; }
    [[nodiscard]] std::string description() const override;
    [[nodiscard]] double cutoff() const override { return surrogate_.descriptor().cutoff(); }
    [[nodiscard]] std::vector<Species> supported_species() const override { return reference_.supported_species(); }
    [[nodiscard]] double pair_distance(Species a, Species b) const override { return reference_.pair_distance(a, b); }
    [[nodiscard]] std::string force_unit() const override { return reference_.force_unit(); }
    /// E_LCB (eV) and F_LCB (eV/Angstrom); atom_energies, if asked for, split E_LCB equally
    /// (a surrogate's total is not a partition the search uses).
    [[nodiscard]] double compute(const Cluster& cluster, Eigen::Matrix3Xd* forces,
                                 Eigen::VectorXd* atom_energies) const override;

    /// E_LCB as global pair sums (potentials/local_energy.hpp) if the surrogate offers a
    /// PairSumModel and there is no trust limit (whose first-structure sigma is not a sum):
    /// the model's sums plus the repulsive prior as one more channel; null otherwise.
    [[nodiscard]] std::unique_ptr<PairSumForm> pair_sum_form(const std::vector<Species>& species) const override;

    /// The exploration weight.
    [[nodiscard]] double kappa() const { return kappa_; }

private:
    const Surrogate& surrogate_;
    double kappa_;
    const Potential& reference_;
    double repulsion_fraction_;
    double trust_sigma_;
    mutable double start_sigma_ = -1.0;  // sigma of the first structure evaluated (< 0: none yet)
};

}  // namespace nanoscape
