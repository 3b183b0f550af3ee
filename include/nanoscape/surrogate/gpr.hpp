#pragma once
/// @file Gaussian-process regression of the total energy as a sum of local energies.
///
/// Model (Bartok & Csanyi, Int. J. Quantum Chem. 115, 1051 (2015); review section III.C):
///   E(A) = sum_Z n_Z e_Z + sum_{i in A} eps(G_i),   eps ~ GP(0, sigma_f^2 k(G, G')),
/// with k non-zero only between centres of the same species. The covariance of two total
/// energies is the sum kernel K(A, B) = sigma_f^2 sum_{i in A} sum_{j in B} k(G_i, G_j); each
/// reference energy carries noise of variance sigma_n^2 N_A (independent per-atom misfit).
///
/// Local kernels k (on descriptor vectors, unit signal):
///   soap                 (G.G' / |G||G'|)^zeta         (review eq. 16; zeta = `zeta`)
///   squared_exponential  exp(-|u - u'|^2 / (2 l^2)),   u = G / s (s: per-feature std of the
///                                                      training environments; l = `length_scale`)
///   nbody                G.G'  (with the `nbody` descriptor this is the 2+3-body kernel of the
///                                                      review, eqs. 17-18)
///
/// Exact and sparse in one formulation. With basis environments b (all training environments
/// when exact; M inducing environments chosen by farthest-point sampling when sparse) and
/// R = L (exact, L sums environments into structures) or R = K_nb K_bb^-1 (sparse, the
/// deterministic-training-conditional approximation, Quinonero-Candela & Rasmussen, JMLR 6,
/// 1939 (2005)), the structure covariance is S = sigma_f^2 R K_bb R^T and for a new cluster
/// with k_b = sum_i k(G_i, x_b):
///   mean     = sum_Z n_Z e_Z + k_b^T w,           w = sigma_f^2 R^T (S + Lambda)^-1 (y - prior)
///   variance = sigma_f^2 k_** - k_b^T C k_b + sigma_n^2 N,   C = sigma_f^4 R^T (S + Lambda)^-1 R
/// (k_** = sum_ij k(G_i, G_j)); the variance is that of the reference energy, misfit included.
/// sigma_f, sigma_n (and l) maximise the log marginal likelihood
///   log p(y) = -1/2 y^T (S + Lambda)^-1 y - 1/2 log|S + Lambda| - n/2 log 2 pi
/// (Nelder-Mead in log space). Forces and d sigma/dx follow from dk/dG and the descriptor
/// Jacobians. Cholesky factorisations add jitter (relative to the kernel diagonal) and raise
/// it tenfold up to 1e-2 before failing with an Error that says the data are degenerate.

#include <memory>
#include <string>
#include <vector>

#include "nanoscape/surrogate/surrogate.hpp"

namespace nanoscape {

/// Settings of a `gpr` model (the [surrogate] keys; defaults in brackets).
struct GprSettings {
    std::string kernel = "soap";     ///< soap | squared_exponential | nbody ["soap"]
    double zeta = 2.0;               ///< soap kernel exponent [2]
    double signal = 0.0;             ///< sigma_f (eV); 0: start from the data and optimise [0]
    double noise = 0.0;              ///< sigma_n (eV per sqrt(atom)); 0: start at 1 meV and optimise [0]
    double length_scale = 0.0;       ///< squared-exponential l (dimensionless, standardised features); 0: optimise from 3 [0]
    bool optimize = true;            ///< maximise the marginal likelihood over sigma_f, sigma_n (and l) [true]
    std::string prior = "per_element";  ///< per_element | constant | zero: prior mean of E [per_element]
    std::int64_t sparse_points = -1;    ///< M inducing environments; 0: exact GP; -1: exact up to 2000 environments, else 1500 [-1]
    double jitter = 1e-8;            ///< relative diagonal added before Cholesky [1e-8]
};

/// Gaussian-process surrogate (see the file comment).
class GaussianProcess final : public Surrogate {
public:
    /// An untrained model on `descriptor` for `species` (sorted by Z).
    GaussianProcess(GprSettings settings, std::unique_ptr<Descriptor> descriptor, std::vector<Species> species,
                    ParameterTable common);
    ~GaussianProcess() override;

    [[nodiscard]] std::string type() const override { return "gpr"; }
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

    /// The resolved settings (fitted hyperparameters after fit()).
    [[nodiscard]] const GprSettings& gpr_settings() const { return settings_; }
    /// Log marginal likelihood of the last fit (nats).
    [[nodiscard]] double log_marginal_likelihood() const { return log_likelihood_; }

private:
    struct Model;
    void train(bool optimise);

    GprSettings settings_;
    std::unique_ptr<Descriptor> descriptor_;
    std::vector<Species> species_;
    ParameterTable common_;
    std::vector<Sample> training_;
    std::unique_ptr<Model> model_;
    double log_likelihood_ = 0.0;
};

/// Factory for the registry: reads a [surrogate] table with type = "gpr".
[[nodiscard]] std::unique_ptr<Surrogate> make_gpr(const ParameterTable& table, const std::vector<Species>& species);

}  // namespace nanoscape
