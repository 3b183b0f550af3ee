#pragma once
/// @file SOAP power spectrum (smooth overlap of atomic positions), element resolved.
///
/// A. P. Bartok, R. Kondor, G. Csanyi, Phys. Rev. B 87, 184115 (2013), eqs. 19-24; element
/// resolution as S. De, A. P. Bartok, G. Csanyi, M. Ceriotti, Phys. Chem. Chem. Phys. 18,
/// 13754 (2016).
///
/// Neighbour density of species Z around centre i, of point atoms weighted by the cutoff:
///   rho_i^Z(r) = sum_{j in Z, r_ij < r_c} delta(r - r_ij) f_c(r_ij),  f_c = (cos(pi r/r_c) + 1)/2.
/// Bartok's Gaussian smearing of each atom is left out: the radial basis below has width sigma,
/// so it already smooths the density radially, and the angular band limit l_max smooths it
/// on the sphere (the point density projected on a finite basis is a smooth function).
/// Expansion on radial Gaussians times real spherical harmonics:
///   g_n(r)    = exp(-(r - r_n)^2 / (2 sigma^2)),  r_n = r_min + n (r_c - r_min) / n_max,
///               n = 0 .. n_max - 1 (equispaced centres from r_min up to one spacing below r_c,
///               where f_c would silence a basis function),
///   c^Z_nlm   = sum_{j in Z} g_n(r_ij) f_c(r_ij) Y_lm(r_ij / |r_ij|),   l = 0 .. l_max,
///   p_{(Z n)(Z' n') l} = sum_{m=-l..l} c^Z_nlm c^Z'_n'lm   for (Z, n) <= (Z', n').
/// The raw power spectrum is returned: no normalisation to unit length (kernels normalise),
/// no l-dependent factor (e.g. sqrt(8 pi^2 / (2l + 1))), and the g_n are not orthogonalised:
/// an orthonormal radial basis would map c_lm -> W c_lm with a fixed invertible W, so p_l ->
/// W p_l W^T carries the same information; only the weighting inside a dot-product kernel
/// differs.
/// By the addition theorem sum_m Y_lm(a) Y_lm(b) = (2l + 1) / (4 pi) P_l(a.b), so
///   p_{(Z n)(Z' n') l} = (2l + 1) / (4 pi) sum_{j in Z} sum_{k in Z'} g_n f_c (r_ij) g_n' f_c (r_ik)
///                        P_l(cos theta_jik)
/// (tested directly). Y_lm are the orthonormal real harmonics (Y_l0 = sqrt((2l+1)/4pi) P_l,
/// Y_l,+-m = sqrt(2) N_lm P_l^m(cos theta) {cos, sin}(m phi)), evaluated without angles through
/// the reduced Legendre recurrence in z and (x + i y)^m of the unit vector.
///
/// Feature ordering: with K = S n_max channels a = s n_max + n (s = species index by Z), the
/// pairs a <= b in row-major order of the upper triangle ((0,0), (0,1), ..., (0,K-1), (1,1),
/// ...), each followed by l = 0 .. l_max: feature (pair index) (l_max + 1) + l.
/// F = K (K + 1) / 2 (l_max + 1). Features are dimensionless.

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "nanoscape/descriptors/descriptor.hpp"

namespace nanoscape {

/// Orthonormal real spherical harmonics Y_lm of a direction, l = 0 .. l_max, with gradients.
class RealSphericalHarmonics {
public:
    /// Largest supported degree (the normalisation products stay far from overflow below it).
    static constexpr int max_degree = 20;
    /// Throws InputError unless 0 <= l_max <= max_degree.
    explicit RealSphericalHarmonics(int l_max);

    /// Highest degree l_max.
    [[nodiscard]] int l_max() const { return l_max_; }
    /// Number of harmonics, (l_max + 1)^2.
    [[nodiscard]] std::size_t size() const { return static_cast<std::size_t>((l_max_ + 1) * (l_max_ + 1)); }
    /// Position of Y_lm in the output arrays: l^2 + l + m (m = -l .. l).
    [[nodiscard]] static constexpr std::size_t index(int l, int m) { return static_cast<std::size_t>(l * l + l + m); }

    /// values[index(l, m)] = Y_lm(d / |d|) (dimensionless). If `gradients` is not null,
    /// gradients[3 index(l, m) + alpha] = dY_lm / dd_alpha (1/Angstrom), which is tangent to the
    /// sphere (Y depends on the direction only). d must be non-zero.
    void evaluate(const Eigen::Vector3d& d, double* values, double* gradients) const;

private:
    int l_max_;
    std::vector<double> norm_;         // by index(l, m): sqrt((2l+1)/4pi) or sqrt(2 (2l+1)/4pi (l-m)!/(l+m)!)
    std::vector<double> double_fact_;  // (2m - 1)!!, m = 0 .. l_max
};

/// Settings of a Soap descriptor (see the file comment).
struct SoapSettings {
    double cutoff = 5.5;  ///< r_c, Angstrom
    int n_max = 6;        ///< number of radial basis functions
    int l_max = 6;        ///< highest angular degree
    double sigma = 0.75;  ///< width of the radial Gaussians, Angstrom
    double r_min = 1.0;   ///< centre of the first radial Gaussian, Angstrom
};

/// Element-resolved SOAP power spectrum with analytic Jacobians.
class Soap final : public Descriptor {
public:
    /// Throws InputError for invalid settings.
    Soap(SoapSettings settings, std::vector<Species> species);

    [[nodiscard]] std::string type() const override { return "soap"; }
    [[nodiscard]] std::string description() const override;
    /// r_c, Angstrom.
    [[nodiscard]] double cutoff() const override { return settings_.cutoff; }
    [[nodiscard]] const std::vector<Species>& species() const override { return species_; }
    /// K (K + 1) / 2 (l_max + 1), K = S n_max.
    [[nodiscard]] std::size_t size() const override;
    [[nodiscard]] ParameterTable settings() const override;
    void compute(const Cluster& cluster, Eigen::MatrixXd& features,
                 std::vector<DescriptorJacobian>* jacobians) const override;

    /// Centre r_n of radial basis function n (Angstrom).
    [[nodiscard]] double radial_centre(int n) const;
    /// Feature index of p_{a b l} for channels a, b (either order) and degree l.
    [[nodiscard]] std::size_t feature_index(std::size_t a, std::size_t b, int l) const;

private:
    SoapSettings settings_;
    std::vector<Species> species_;
    RealSphericalHarmonics harmonics_;
};

/// Registry factory. Keys: type, cutoff (5.5 A), n_max (6), l_max (6), r_min (1.0 A),
/// sigma (A; default the spacing of the centres, (cutoff - r_min) / n_max = 0.75 A).
[[nodiscard]] std::unique_ptr<Descriptor> make_soap(const ParameterTable& table, const std::vector<Species>& species);

}  // namespace nanoscape
