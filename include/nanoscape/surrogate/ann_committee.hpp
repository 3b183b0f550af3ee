#pragma once
/// @file A committee of Behler-Parrinello neural networks: the energy as a sum of atomic
/// energies, each from a feed-forward network of the centre's species, with the calibrated
/// spread of independently trained members as the uncertainty.
///
/// Model (J. Behler, M. Parrinello, Phys. Rev. Lett. 98, 146401 (2007)), member m:
///   E_m(A) = sum_Z n_Z e_Z + sum_{i in A} s NN_{m, Z_i}((G_i - mu_{Z_i}) / sd_{Z_i})
/// G_i the descriptor of atom i (default: symmetry_functions); mu_Z, sd_Z the mean and standard
/// deviation of each feature over the training environments of centre species Z (a feature that
/// does not vary keeps sd = 1); s (eV) the standard deviation of the training energies per atom
/// after the baseline, so the networks output O(1) numbers; e_Z (eV) per-element reference
/// energies fitted first by least squares on the composition counts (training.hpp), so the
/// networks learn only the configurational residual and data of several compositions share
/// one baseline. NN: hidden layers `hidden` with activation shifted softplus
/// ln(1 + e^z) - ln 2 (K. T. Schuett et al., J. Chem. Phys. 148, 241722 (2018); unbounded
/// above, so the steep repulsion of compressed structures extrapolates, where tanh saturates)
/// or tanh, and one linear output.
///
/// Committee (J. S. Smith et al., J. Chem. Phys. 148, 241733 (2018); C. Schran, K. Brezina,
/// O. Marsalek, J. Chem. Phys. 153, 104105 (2020)): M members differ in their random initial
/// weights and in a bootstrap resample of the training structures.
///   mean      E  = 1/M sum_m E_m                                          (eV)
///   variance  s2 = alpha^2 v,   v = 1/(M - 1) sum_m (E_m - E)^2           (eV^2; 0 for M = 1)
///   alpha^2   = mean over the validation structures k of (E_k - E_k^ref)^2 / v_k
/// the maximum-likelihood scale of a Gaussian error model (F. Musil et al., J. Chem. Theory
/// Comput. 15, 906 (2019)) on structures no member trained on or was selected with.
/// Forces -dE/dx and d sigma/dx = alpha^2 / ((M - 1) sigma) sum_m (E_m - E) dE_m/dx come from
/// the descriptor Jacobians (backpropagate()).
///
/// Training: Adam (D. P. Kingma, J. Ba, ICLR 2015; beta = 0.9, 0.999, eps = 1e-8) on
/// minibatches of `batch_size` structures with the loss (eV^2/atom^2)
///   L = 1/B sum_b [ ((E_b - E_b^ref) / N_b)^2 + w_F / (3 N_b) sum_{i in b} |F_i - F_i^ref|^2 ]
/// (the force term, w_F = `force_weight` in Angstrom^2, only for structures with reference
/// forces, by double backpropagation through the descriptor Jacobians). All environments of
/// one species in a batch go through the network as one matrix: every layer is one GEMM. The
/// learning rate decays exponentially from `learning_rate` to `learning_rate` x
/// `learning_rate_decay` over `epochs` passes; small training sets get more epochs (and
/// patience) so that every member takes at least `min_steps` steps. A fixed
/// `validation_fraction` of the structures is held out from every member. Each member stops
/// early once the loss on its out-of-bag structures (those its bootstrap resample missed; the
/// validation structures without bootstrap) has not improved for `patience` epochs and keeps
/// its best weights. update() appends structures (holding new ones out until the validation
/// fraction is restored), keeps the baseline, the feature scaling and the weights, and trains
/// every member on a new resample for `update_epochs`, starting at learning_rate x
/// sqrt(learning_rate_decay); then recalibrates.
///
/// Determinism: member m of training round r (fit: 0, then one per update) draws its initial
/// weights, resample and batch order from make_stream(seed, r 2^32 + m), the validation split
/// from stream r 2^32 + 2^32 - 1. Members train in parallel (OpenMP) and Eigen's own threading
/// is kept off, so a seed gives bit-identical models for any thread count.

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "nanoscape/surrogate/surrogate.hpp"

namespace nanoscape {

/// Settings of an `ann_committee` model (the [surrogate] keys; defaults in brackets).
struct AnnSettings {
    std::vector<int> hidden{24, 24};              ///< hidden-layer widths (neurons) [[24, 24]]
    std::string activation = "shifted_softplus";  ///< shifted_softplus | tanh ["shifted_softplus"]
    int members = 8;                              ///< committee size M [8]
    int epochs = 120;                             ///< most passes over the training set in fit() [120]
    int update_epochs = 40;                       ///< most passes in update() (warm start) [40]
    double learning_rate = 5e-3;                  ///< initial Adam step size (dimensionless) [5e-3]
    double learning_rate_decay = 0.05;            ///< final / initial learning rate [0.05]
    int min_steps = 2000;                         ///< least Adam steps per member (update: 1/4) [2000]
    int batch_size = 16;                          ///< structures per minibatch [16]
    double validation_fraction = 0.1;             ///< structures held out for the calibration [0.1]
    int patience = 40;                            ///< epochs without improvement before stopping [40]
    double force_weight = 0.0;                    ///< w_F, Angstrom^2 (0: energies only) [0]
    bool bootstrap = true;                        ///< each member trains on a bootstrap resample [true]
    std::uint64_t seed = 0;                       ///< random seed (weights, resamples, split) [0]
};

/// Committee of Behler-Parrinello networks (see the file comment).
class AnnCommittee final : public Surrogate {
public:
    /// An untrained committee on `descriptor` (its species are the model's). `common` holds the
    /// shared [surrogate] keys (`selection`, `training_size`) handed back by settings().
    /// Throws InputError for invalid settings.
    AnnCommittee(AnnSettings settings, std::unique_ptr<Descriptor> descriptor, ParameterTable common);
    ~AnnCommittee() override;

    [[nodiscard]] std::string type() const override { return "ann_committee"; }
    [[nodiscard]] std::string description() const override;
    [[nodiscard]] const Descriptor& descriptor() const override { return *descriptor_; }
    [[nodiscard]] bool ready() const override;
    [[nodiscard]] std::size_t training_size() const override { return training_.size(); }
    [[nodiscard]] Prediction predict(const Cluster& cluster, Eigen::Matrix3Xd* mean_forces,
                                     Eigen::Matrix3Xd* sigma_gradient) const override;
    using Surrogate::predict;
    void fit(std::span<const Sample> samples) override;
    void update(std::span<const Sample> samples) override;
    [[nodiscard]] ParameterTable settings() const override;
    void save_state(std::ostream& out) const override;
    void load_state(std::istream& in, const std::string& name) override;

    /// The resolved settings.
    [[nodiscard]] const AnnSettings& ann_settings() const { return settings_; }
    /// Variance calibration factor alpha^2 (dimensionless; 1 before training or without
    /// validation structures).
    [[nodiscard]] double calibration() const;
    /// Total energy predicted by each member (eV). Throws Error if not ready().
    [[nodiscard]] std::vector<double> member_energies(const Cluster& cluster) const;
    /// Energy RMSE (eV/atom) of each member's kept weights on the validation structures after the
    /// last training (empty without validation structures).
    [[nodiscard]] std::vector<double> validation_rmse() const;
    /// Number of training structures held out for validation.
    [[nodiscard]] std::size_t validation_size() const;

private:
    struct Model;
    struct FeatureCache;
    // Trains every member of `model` on `training` (warm: from its current weights, for
    // update_epochs) and recalibrates; `cache` holds the structures' features.
    void train(Model& model, const std::vector<Sample>& training, const std::vector<char>& validation,
               const FeatureCache& cache, bool warm_start) const;

    AnnSettings settings_;
    std::unique_ptr<Descriptor> descriptor_;
    ParameterTable common_;
    std::vector<Sample> training_;
    std::vector<char> validation_;  // per training structure: held out (1) or not (0)
    std::unique_ptr<Model> model_;
    std::unique_ptr<FeatureCache> cache_;
};

/// Factory for the registry: reads a [surrogate] table with type = "ann_committee" (keys of
/// AnnSettings, the common surrogate keys, `descriptor` defaulting to symmetry_functions).
[[nodiscard]] std::unique_ptr<Surrogate> make_ann_committee(const ParameterTable& table,
                                                            const std::vector<Species>& species);

}  // namespace nanoscape
