#pragma once
/// @file Behler-Parrinello atom-centred symmetry functions, element resolved.
///
/// J. Behler, J. Chem. Phys. 134, 074106 (2011) (eqs. 4, 6, 8, 9); element resolution as in
/// N. Artrith, T. Morawietz, J. Behler, Phys. Rev. B 83, 153101 (2011); the evaluation order
/// (per centre: distances, unit vectors and cutoff values once per neighbour, then every radial
/// function, then every triplet with cos(theta) and its derivatives computed once for all
/// angular functions) follows n2p2 (Singraber et al., J. Chem. Theory Comput. 15, 1827 (2019)).
///
/// For centre i, neighbour species b, c (j in b, k in c, all r < r_c):
///   G2_b(eta, r_s)            = sum_{j in b} exp(-eta (r_ij - r_s)^2) f_c(r_ij)
///   G4_bc(eta, zeta, lambda)  = 2^(1-zeta) sum_{{j,k}} (1 + lambda cos theta_ijk)^zeta
///                               exp(-eta (r_ij^2 + r_ik^2 + r_jk^2)) f_c(r_ij) f_c(r_ik) f_c(r_jk)
///   G5_bc(eta, zeta, lambda)  = 2^(1-zeta) sum_{{j,k}} (1 + lambda cos theta_ijk)^zeta
///                               exp(-eta (r_ij^2 + r_ik^2)) f_c(r_ij) f_c(r_ik)
/// cos theta_ijk = (x_j - x_i).(x_k - x_i) / (r_ij r_ik). The angular sums run over UNORDERED
/// neighbour pairs {j, k} (j != k, each pair once, as n2p2; Behler's eq. 8 sums ordered pairs,
/// i.e. twice these values); for b != c, j is of species b and k of species c.
/// f_c(r) = (cos(pi r / r_c) + 1) / 2 (cutoff_function = "cosine", eq. 4), or the polynomial
/// 1 - 10 x^3 + 15 x^4 - 6 x^5, x = r / r_c ("polynomial", smooth to the second derivative).
///
/// Feature ordering (S species sorted by Z, R = len(radial_eta), A = len(angular_eta) *
/// len(zeta) * len(lambda)):
///   [0, S R)                 radial: index b R + k for neighbour species b, radial function k
///                            (k-th entry of radial_eta / radial_shift);
///   [S R, S R + P A)         angular: pair index p of (b <= c) in the order (0,0), (0,1), ...,
///                            (0,S-1), (1,1), ..., then (e len(zeta) + z) len(lambda) + l for the
///                            e-th angular_eta, z-th zeta, l-th lambda.
/// F = S R + S (S + 1) / 2 * A. Features are dimensionless (sums of dimensionless terms).

#include <memory>
#include <string>
#include <vector>

#include "nanoscape/descriptors/descriptor.hpp"

namespace nanoscape {

/// Settings of a SymmetryFunctions descriptor (see the file comment for the formulas).
struct SymmetryFunctionSettings {
    double cutoff = 6.0;                     ///< r_c, Angstrom
    bool polynomial_cutoff = false;          ///< f_c: false = cosine, true = polynomial
    std::vector<double> radial_eta;          ///< eta of each G2, 1/Angstrom^2
    std::vector<double> radial_shift;        ///< r_s of each G2 (same length as radial_eta), Angstrom
    bool g5 = false;                         ///< angular functions: false = G4, true = G5
    std::vector<double> angular_eta;         ///< eta of the angular functions, 1/Angstrom^2
    std::vector<double> zeta;                ///< angular resolution exponents, dimensionless, >= 1
    std::vector<double> lambda;              ///< +1 or -1 each, dimensionless
};

/// Element-resolved Behler-Parrinello G2 + G4 (or G5) symmetry functions.
class SymmetryFunctions final : public Descriptor {
public:
    /// Throws InputError for invalid settings (non-positive cutoff, zeta < 1, |lambda| != 1, ...).
    SymmetryFunctions(SymmetryFunctionSettings settings, std::vector<Species> species);

    [[nodiscard]] std::string type() const override { return "symmetry_functions"; }
    [[nodiscard]] std::string description() const override;
    /// r_c, Angstrom.
    [[nodiscard]] double cutoff() const override { return settings_.cutoff; }
    [[nodiscard]] const std::vector<Species>& species() const override { return species_; }
    /// S R + S (S + 1) / 2 A (see the file comment).
    [[nodiscard]] std::size_t size() const override { return n_radial_total_ + n_angular_total_; }
    [[nodiscard]] ParameterTable settings() const override;
    void compute(const Cluster& cluster, Eigen::MatrixXd& features,
                 std::vector<DescriptorJacobian>* jacobians) const override;

    /// Number of radial features per neighbour species, R.
    [[nodiscard]] std::size_t radial_per_species() const { return settings_.radial_eta.size(); }
    /// Number of angular features per neighbour-species pair, A.
    [[nodiscard]] std::size_t angular_per_pair() const { return n_angular_; }

private:
    SymmetryFunctionSettings settings_;
    std::vector<Species> species_;
    std::size_t n_angular_ = 0;        // A
    std::size_t n_radial_total_ = 0;   // S R
    std::size_t n_angular_total_ = 0;  // S (S + 1) / 2 A
    std::vector<int> pair_index_;      // S x S -> p (symmetric)
};

/// Registry factory. Keys (defaults suited to Pt, Au, Ag, Cu, Pd, Ni clusters):
/// type, cutoff (6.0 A), cutoff_function ("cosine" | "polynomial"), radial_eta (1/A^2,
/// [0.003, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8]), radial_shift (A; a number for all or a
/// list like radial_eta; 0), angular ("g4" | "g5"), angular_eta (1/A^2, [0.003, 0.02, 0.06]),
/// zeta ([1, 2, 4, 16]), lambda ([-1, 1]).
[[nodiscard]] std::unique_ptr<Descriptor> make_symmetry_functions(const ParameterTable& table,
                                                                  const std::vector<Species>& species);

}  // namespace nanoscape
