#pragma once
/// @file Mapped 2-body Gaussian-process force field: a GP on pair functions, trained on
/// energies and forces, tabulated to cubic splines so it predicts at the cost of a classical
/// pair potential, with the GP's predictive variance tabulated too.
///
/// Model (review section III.C.c; Glielmo, Zeni & De Vita, PRB 97, 184307 (2018); the
/// mapping of Zeni et al., J. Chem. Phys. 148, 241739 (2018)):
///   E(A) = sum_Z n_Z e_Z + sum_{i<j, r_ij < r_c} phi_{s_i s_j}(r_ij),
///   phi_t(r) = f_c(r) g_t(r),   g_t ~ GP(0, sigma_f^2 exp(-(r - r')^2 / (2 l^2))),
/// one independent GP per unordered species pair t; f_c is 1 below r_c - w and falls to 0 at
/// r_c as a half cosine (w = `cutoff_width`). The 2-body kernel of the review (eq. 17) between
/// two structures is then the double sum over their pairs; an energy is a linear functional of
/// the g_t and a force its derivative, so both are exact derivative observations of the same
/// GP (Rasmussen & Williams, section 9.4).
///
/// Sparse form (subset of regressors on a 1-D grid of inducing distances u_m, spacing
/// `inducing_spacing`, from the shortest training distance to r_c): g_t(r) = (W e(r))^T v_t
/// with e_m(r) = exp(-(r - u_m)^2 / (2 l^2)), W = Lambda^-1/2 U^T from E_uu = U Lambda U^T
/// (eigenvalues above 1e-10 of the largest), v_t ~ N(0, sigma_f^2 I) (whitened,
/// so the posterior precision is never worse conditioned than 1/sigma_f^2). With energies y_E
/// (prior sum_Z n_Z e_Z removed, noise sigma_n^2 N_A) and force components y_F (noise
/// sigma_F^2) and the design matrix Phi of the whitened basis:
///   Q = I / sigma_f^2 + Phi^T Lambda^-1 Phi,   v = Q^-1 Phi^T Lambda^-1 y,   Sigma_v = Q^-1;
/// the cost is linear in the number of observations and cubic only in the basis size P (one
/// block of inducing points per species pair). sigma_f, sigma_n, sigma_F and l maximise the log
/// marginal likelihood (Woodbury form, P x P); l on a log grid refined by golden section,
/// the noises by Nelder-Mead at each l.
///
/// Uncertainty at mapped speed: the latent variance of a structure is s^T Sigma_v s with
/// s = sum over its pairs of the basis vector, a quadratic form, not a pair sum. It is written
/// as sum_k (sum_pairs psi_{k,t}(r))^2 with psi_k the principal components (Karhunen-Loeve
/// modes) of the posterior over the pair functions: Sigma = R R^T, H = R^T G R with G the
/// L2 Gram matrix of the basis on [r_lo, r_c], H = W diag(lambda) W^T, psi_k = basis . R W_k.
/// Exact with every mode; the modes kept carry all but `variance_tolerance` of the posterior
/// function variance (at most `max_components`). Each psi_k is tabulated like the mean.
/// The predicted variance, sigma^2 = alpha^2 (latent + sigma_n^2 N), is calibrated by
/// alpha^2 = mean(err^2 / sigma^2) over held-out structures (every 1/`validation_fraction`-th
/// one; as the ANN committee does), the final model then trained on all of them.
///
/// Tables: cubic Hermite interpolation per species pair of the mean and of every psi_k on one
/// uniform grid from r_lo (the shortest training distance of that pair, or `r_min`) to r_c,
/// values and exact derivatives at the knots; the spacing is halved until the interpolation
/// error of every function at the interval midpoints is below `grid_error` (eV) and that of
/// its slope below 100 `grid_error` per Angstrom (down to a spacing of 1e-3 A). Energy and
/// forces come from the same interpolant, so they are consistent to rounding.
/// Grid guard: below r_lo the mean continues as phi(r_lo) + phi'(r_lo)(r - r_lo) + W (r_lo - r)^3
/// (W = `wall`, eV/A^3, always repulsive close in), the modes stay at their r_lo values and
/// each such pair adds sigma_f^2 (1 - exp(-(r_lo - r)^2 / (2 l^2))) to the latent variance
/// (the prior returns as the distance leaves the data); the first such pair of a model is
/// logged as a warning and every one is counted (below_grid_pairs()). A pair within 1e-9 A of
/// r_lo (the shortest training distance again, rounded in another frame) is on the table.

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "nanoscape/surrogate/surrogate.hpp"

namespace nanoscape {

/// Settings of a `mapped` model (the [surrogate] keys; defaults in brackets).
struct MappedSettings {
    double cutoff = 5.0;              ///< r_c, Angstrom [5]
    double cutoff_width = 1.0;        ///< w: the pair functions switch off over [r_c - w, r_c], Angstrom [1]
    double r_min = 0.0;               ///< start of the tables, Angstrom; 0: each pair's shortest training distance [0]
    double inducing_spacing = 0.1;    ///< spacing of the inducing distances, Angstrom [0.1]
    double signal = 0.0;              ///< sigma_f, eV; 0: optimised [0]
    double noise = 0.0;               ///< sigma_n, eV per sqrt(atom); 0: optimised [0]
    double force_noise = 0.0;         ///< sigma_F, eV/Angstrom; 0: optimised [0]
    double length_scale = 0.0;        ///< l, Angstrom; 0: optimised [0]
    bool optimize = true;             ///< maximise the marginal likelihood over the zero-valued ones [true]
    bool use_forces = true;           ///< train on the reference forces where the samples have them [true]
    double grid_error = 1e-6;         ///< largest interpolation error of a tabulated function, eV [1e-6]
    double variance_tolerance = 1e-4; ///< fraction of the posterior function variance the kept modes may drop [1e-4]
    std::int64_t max_components = 24; ///< most variance modes tabulated [24]
    double validation_fraction = 0.1; ///< held out to calibrate sigma (needs >= 5 structures) [0.1]
    double wall = 20.0;               ///< W of the repulsive extension below the tables, eV/Angstrom^3 [20]
    bool tabulate = true;             ///< false: predict from the GP itself (exact, slow; for checks) [true]
};

/// Mapped 2-body GP surrogate (see the file comment).
class MappedGp final : public Surrogate {
public:
    /// An untrained model for `species` (sorted by Z); `descriptor` serves training-set selection.
    MappedGp(MappedSettings settings, std::unique_ptr<Descriptor> descriptor, std::vector<Species> species,
             ParameterTable common);
    ~MappedGp() override;

    [[nodiscard]] std::string type() const override { return "mapped"; }
    [[nodiscard]] std::string description() const override;
    [[nodiscard]] const Descriptor& descriptor() const override { return *descriptor_; }
    [[nodiscard]] bool ready() const override;
    [[nodiscard]] std::size_t training_size() const override { return training_.size(); }
    /// From the tables (or from the GP with `tabulate = false`).
    [[nodiscard]] Prediction predict(const Cluster& cluster, Eigen::Matrix3Xd* mean_forces,
                                     Eigen::Matrix3Xd* sigma_gradient) const override;
    using Surrogate::predict;
    /// The tables as global sums (mean, variance modes, below-table variance, atom count), so
    /// homotop trials on the model cost O(neighbours); null untrained or with `tabulate = false`.
    [[nodiscard]] std::unique_ptr<PairSumModel> pair_sum_model(const std::vector<Species>& species) const override;
    void fit(std::span<const Sample> samples) override;
    void update(std::span<const Sample> samples) override;
    [[nodiscard]] ParameterTable settings() const override;
    void save_state(std::ostream& out) const override;
    void load_state(std::istream& in, const std::string& name) override;

    /// The same prediction from the GP itself: every basis function and the full posterior
    /// covariance, no tables (what the tables are checked against).
    [[nodiscard]] Prediction predict_gp(const Cluster& cluster, Eigen::Matrix3Xd* mean_forces,
                                        Eigen::Matrix3Xd* sigma_gradient) const;
    /// Tabulated mean pair energy phi_ab(r) (eV) and, if `slope` is given, d phi/dr (eV/A),
    /// the repulsive extension included below the table; 0 beyond the cutoff.
    [[nodiscard]] double pair_energy(Species a, Species b, double r, double* slope = nullptr) const;
    /// Start of the table of pair (a, b), Angstrom.
    [[nodiscard]] double table_start(Species a, Species b) const;
    /// Per-element energies e_Z of the prior (eV/atom), indexed like the species.
    [[nodiscard]] std::vector<double> element_energies() const;
    /// The resolved settings (fitted hyperparameters after fit()).
    [[nodiscard]] const MappedSettings& mapped_settings() const { return settings_; }
    /// Variance modes tabulated, and the fraction of the posterior function variance they hold.
    [[nodiscard]] int components() const;
    [[nodiscard]] double retained_variance() const;
    /// alpha^2 of the calibration (1 without held-out structures).
    [[nodiscard]] double calibration() const;
    /// Table spacing, Angstrom.
    [[nodiscard]] double table_spacing() const;
    /// Pairs met closer than their table's start since the model was built (all threads).
    [[nodiscard]] std::size_t below_grid_pairs() const { return below_grid_.load(); }
    /// The species the model was built for, sorted by Z.
    [[nodiscard]] const std::vector<Species>& species() const { return species_; }

    /// The trained state; defined in mapped.cpp only.
    struct Model;

private:
    void train(bool optimise);
    void note_below_grid(double r, double start) const;

    MappedSettings settings_;
    std::unique_ptr<Descriptor> descriptor_;
    std::vector<Species> species_;
    ParameterTable common_;
    std::vector<Sample> training_;
    std::unique_ptr<Model> model_;
    mutable std::atomic<std::size_t> below_grid_{0};
};

/// The mean pair functions of `model` as a LAMMPS `pair_style table` file: one section per
/// species pair (keyword "A_B", symbols in Z order), `points` distances evenly spaced from
/// `r_inner` (Angstrom; the repulsive extension covers what lies below each table) to the
/// cutoff, energy (eV) and force -d phi/dr (eV/A) from the tables. The header comments give the
/// per-element energies e_Z: LAMMPS' pair energy plus sum_Z n_Z e_Z is the model's energy.
[[nodiscard]] std::string lammps_pair_table(const MappedGp& model, int points, double r_inner,
                                            const std::string& source);

/// Factory for the registry: reads a [surrogate] table with type = "mapped".
[[nodiscard]] std::unique_ptr<Surrogate> make_mapped(const ParameterTable& table, const std::vector<Species>& species);

}  // namespace nanoscape
