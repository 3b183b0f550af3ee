#pragma once
/// @file Explicit 2- and 3-body features whose dot product is the n-body kernel of Glielmo,
/// Zeni, De Vita, Phys. Rev. B 97, 184307 (2018) (review eqs. 17-18), element resolved.
///
/// Kernels (s = sigma; centre i of environment n, i' of m; j, k, j', k' neighbours):
///   k2(n, m) = sum_b sum_{j in b} sum_{j' in b} f_c(r_ij) f_c(r_i'j') exp(-(r_ij - r_i'j')^2 / (2 s^2))
///   k3(n, m) = sum_{b <= c} sum_{{j,k}} sum_{{j',k'}} w_jk w_j'k' sum_{P} exp(-|t_jk - P t_j'k'|^2 / (2 s^2))
/// with t_jk = (r_ij, r_ik, r_jk), w_jk = f3(r_ij) f3(r_ik), {j,k} the unordered pairs of neighbours
/// within cutoff_3body of species {b, c}, f_c / f3 cosine cutoffs at cutoff / cutoff_3body.
/// For b != c, j is the neighbour of species b; P runs over the permutations that keep the
/// centre in place and respect the species: {identity, j <-> k} for b = c, the identity for
/// b != c. (Eq. 18 sums over all 6 permutations of the triangle, which also exchanges the
/// centre with a neighbour: that makes the triangle energy fully symmetric, which a local
/// energy per centre species of an alloy cannot assume.) The cutoff factors make the kernels
/// smooth where atoms cross a cutoff; eq. 17-18 as printed have hard sums.
///
/// Features: each environment as Gaussian-smeared distributions sampled on grids of spacing h:
///   2-body, per neighbour species b, x_p = r_min + p h up to cutoff + 2 s:
///     f_b(x_p) = C2 sum_{j in b} f_c(r_ij) exp(-(x_p - r_ij)^2 / s^2)
///   3-body, per unordered species pair (b <= c), points (x_p, x_q, x_c) of a cubic grid:
///     f_bc(x) = C3 sum_{{j,k}} w_jk [exp(-|x - t_jk|^2 / s^2) (+ exp(-|x - P_jk t_jk|^2 / s^2) if b = c)]
/// A Gaussian of variance s^2/2 convolved with another is the Gaussian of variance s^2 in the
/// kernel: int exp(-(x-r)^2/s^2) exp(-(x-r')^2/s^2) dx = sqrt(pi/2) s exp(-(r-r')^2/(2 s^2)).
/// So with C2 = (h / (sqrt(pi/2) s))^(1/2) and C3 = (h^3 / ((pi/2)^(3/2) s^3))^(1/2) (halved in
/// square for b = c, whose two images double count), sum_grid f^n f^m = k2 + k3 exactly in the
/// continuum limit; k2 + w3 k3 with the 3-body features scaled by sqrt(w3) (key weight_3body:
/// with the cosine cutoffs k3 is only 0.2-3 % of k2 in metal clusters, docs/descriptors.md).
/// On the grid the sum is a trapezoid rule of a Gaussian product of standard deviation s/2,
/// relative error exp(-2 pi^2 (s/2)^2 / h^2): 3e-9 for h = s/2, 1e-6 per axis for the
/// default h = 0.6 s (chosen to keep the 3-body grid at a few thousand points).
/// Grid extents: every axis starts at r_min, so distances below about r_min + 2 s are
/// represented by clipped Gaussians (the features stay smooth and their Jacobians exact; only
/// the kernel identity loses accuracy there). The r, r_ij, r_ik axes run 2 s past their
/// cutoff: f_c alone does not make the Gaussians of atoms just inside it negligible. 3-body
/// points farther than 2 s (Euclidean) outside the cone the triangle inequality allows
/// (|r_ij - r_ik| <= r_jk <= r_ij + r_ik) are dropped. With the defaults the dot product
/// matches k2 + k3 to ~1e-5 for neighbours at 2.4 A or more (tests/unit/descriptors).
/// The b = c distribution is symmetric in (x_p, x_q) and stored for p <= q only, the p < q
/// values scaled by sqrt(2) (so the dot product equals the full-grid sum).
///
/// Feature ordering: 2-body first, species b (by Z) then p; then (order = 3) the 3-body
/// blocks, species pairs (b <= c) in the order (0,0), (0,1), ..., (1,1), ..., each block its
/// kept points in lexicographic (p, q, c) order (p <= q for b = c). F = S P2 + sum over pairs
/// of the block sizes (description() and docs/descriptors.md give the numbers).

#include <memory>
#include <string>
#include <vector>

#include "nanoscape/descriptors/descriptor.hpp"

namespace nanoscape {

/// Settings of an NBody descriptor (see the file comment).
struct NBodySettings {
    double cutoff = 5.0;         ///< 2-body cutoff and environment radius, Angstrom
    double cutoff_3body = 3.5;   ///< 3-body cutoff (<= cutoff), Angstrom
    int order = 3;               ///< 2: 2-body features only; 3: 2- and 3-body
    double sigma = 0.6;          ///< kernel length s, Angstrom
    double grid_spacing = 0.36;  ///< h, Angstrom (<= sigma; kernel error 1e-6 at 0.6 sigma, 3e-9 at sigma / 2)
    double r_min = 1.2;          ///< first grid point, Angstrom
    double weight_3body = 1.0;   ///< w3: the dot product is k2 + w3 k3 (3-body features scaled by sqrt(w3))
};

/// Element-resolved 2- and 3-body grid features (n-body kernels as dot products).
class NBody final : public Descriptor {
public:
    /// Throws InputError for invalid settings or more than 10^6 features.
    NBody(NBodySettings settings, std::vector<Species> species);

    [[nodiscard]] std::string type() const override { return "nbody"; }
    [[nodiscard]] std::string description() const override;
    /// The 2-body cutoff, Angstrom (the 3-body one is not larger).
    [[nodiscard]] double cutoff() const override { return settings_.cutoff; }
    [[nodiscard]] const std::vector<Species>& species() const override { return species_; }
    [[nodiscard]] std::size_t size() const override { return size_; }
    [[nodiscard]] ParameterTable settings() const override;
    void compute(const Cluster& cluster, Eigen::MatrixXd& features,
                 std::vector<DescriptorJacobian>* jacobians) const override;

    /// Number of 2-body features (S P2).
    [[nodiscard]] std::size_t two_body_size() const { return species_.size() * axis2_.size(); }
    /// The resolved settings.
    [[nodiscard]] const NBodySettings& parameters() const { return settings_; }

private:
    // One (p, q) line of a 3-body block: grid points c_begin .. c_end - 1 on the r_jk axis,
    // stored from feature `offset`, each value scaled by `scale`.
    struct Row {
        int p, q, c_begin, c_end;
        std::size_t offset;
        double scale;
    };

    NBodySettings settings_;
    std::vector<Species> species_;
    std::vector<double> axis2_;               // 2-body grid, Angstrom
    std::vector<double> axis3_;               // 3-body r_ij / r_ik grid, Angstrom
    std::vector<double> axis_jk_;             // 3-body r_jk grid, Angstrom
    std::vector<std::vector<Row>> rows_;      // per species pair index
    std::vector<int> pair_index_;             // S x S -> pair index (symmetric)
    double c2_ = 0;                           // 2-body normalisation C2
    std::size_t size_ = 0;
};

/// Registry factory. Keys: type, cutoff (5.0 A), cutoff_3body (3.5 A), order (3), sigma
/// (0.6 A), grid_spacing (0.6 sigma), r_min (1.2 A), weight_3body (1).
[[nodiscard]] std::unique_ptr<Descriptor> make_nbody(const ParameterTable& table, const std::vector<Species>& species);

}  // namespace nanoscape
