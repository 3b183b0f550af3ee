#pragma once
/// @file Bayesian ridge regression on summed descriptors: the cheap linear baseline.
///
/// Model (review section III.A, eq. 10-11): with phi(A) the per-species sums of the descriptor
/// vectors of structure A, phi_Z(A) = sum_{i in A, Z_i = Z} G_i, concatenated over species and
/// divided by the per-column standard deviation s over the training set,
///   E(A) = sum_Z n_Z e_Z + w^T phi(A),   w ~ N(0, sigma_w^2 I),   noise ~ N(0, sigma_n^2 N_A).
/// This is the GP with the linear kernel sum_ij G_i.G_j written in the primal, so it costs
/// O(S F) per prediction whatever the training-set size. sigma_w and sigma_n maximise the
/// evidence (MacKay, Neural Comput. 4, 415 (1992)); with the SVD of the noise-whitened design
/// matrix each evaluation is O(rank). Predictive variance of the reference energy:
///   var = phi^T Sigma_w phi + sigma_n^2 N,   Sigma_w = (Phi~^T Phi~ / sigma_n^2 + I / sigma_w^2)^-1.

#include <memory>
#include <string>
#include <vector>

#include "nanoscape/surrogate/surrogate.hpp"

namespace nanoscape {

/// Bayesian ridge surrogate (see the file comment).
class RidgeRegression final : public Surrogate {
public:
    /// An untrained model; `alpha` = 0 fits sigma_w and sigma_n, otherwise sigma_w^2 =
    /// sigma_n^2 / alpha with sigma_n fitted (classical ridge with penalty alpha).
    RidgeRegression(std::unique_ptr<Descriptor> descriptor, double alpha, ParameterTable common);
    ~RidgeRegression() override;

    [[nodiscard]] std::string type() const override { return "ridge"; }
    [[nodiscard]] std::string description() const override;
    [[nodiscard]] const Descriptor& descriptor() const override { return *descriptor_; }
    [[nodiscard]] bool ready() const override { return ready_; }
    [[nodiscard]] std::size_t training_size() const override { return training_.size(); }
    [[nodiscard]] Prediction predict(const Cluster& cluster, Eigen::Matrix3Xd* mean_forces,
                                     Eigen::Matrix3Xd* sigma_gradient) const override;
    using Surrogate::predict;
    void fit(std::span<const Sample> samples) override;
    void update(std::span<const Sample> samples) override;
    [[nodiscard]] ParameterTable settings() const override;
    void save_state(std::ostream& out) const override;
    void load_state(std::istream& in, const std::string& name) override;

private:
    void train();
    [[nodiscard]] Eigen::VectorXd summed_features(const Cluster& cluster, const Eigen::MatrixXd& g) const;

    std::unique_ptr<Descriptor> descriptor_;
    double alpha_;
    ParameterTable common_;
    std::vector<Sample> training_;
    bool ready_ = false;
    Eigen::VectorXd element_energies_;  // eV/atom, per descriptor species
    Eigen::VectorXd scale_;             // per column of phi
    Eigen::VectorXd weights_;           // w
    Eigen::MatrixXd covariance_;        // Sigma_w
    double signal_ = 0.0;               // sigma_w
    double noise_ = 0.0;                // sigma_n, eV per sqrt(atom)
};

/// Factory for the registry: reads a [surrogate] table with type = "ridge".
[[nodiscard]] std::unique_ptr<Surrogate> make_ridge(const ParameterTable& table, const std::vector<Species>& species);

}  // namespace nanoscape
