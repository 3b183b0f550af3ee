#pragma once
/// @file Gupta / RGL / SMATB (second-moment approximation to tight binding) potential.
///
///   E = sum_i E_i,   E_i = sum_{j!=i} phi_ab(r_ij) - sqrt( sum_{j!=i} rho_ab(r_ij) )
///   phi_ab(r) = A_ab exp(-p_ab (r/r0_ab - 1))            repulsive Born-Mayer term, eV
///   rho_ab(r) = xi_ab^2 exp(-2 q_ab (r/r0_ab - 1))       band (second-moment) term, eV^2
///
/// a, b are the species of atoms i, j; each pair appears in both E_i and E_j, so the
/// repulsion is 2 sum_{i<j} phi (Cleri & Rosato, Phys. Rev. B 48, 22 (1993); Gupta, Phys.
/// Rev. B 23, 6265 (1981); Rosato, Guillope, Legrand, Phil. Mag. A 59, 321 (1989)).
///
/// Optional SMATB tail (LAMMPS `pair_style smatb`, Ferrando's convention): for
/// r_sc <= r < r_c the exponentials A e^{...} and xi e^{...} are replaced by
/// a3 x^3 + a4 x^4 + a5 x^5 and x3 x^3 + x4 x^4 + x5 x^5 with x = r - r_c (the xi polynomial
/// is squared inside the root); value, first and second derivative are continuous at r_sc
/// and vanish at r_c. With es = r_c - r_sc, expp = A exp(p (1 - r_sc/r0)):
///   a5 = expp (12 ap + 6 bp + cp) / (2 es^2),  a4 = expp (15 ap + 7 bp + cp) / es,
///   a3 = expp (20 ap + 8 bp + cp) / 2,  ap = -1/es^3, bp = p/(r0 es^2), cp = -p^2/(es r0^2),
/// and the same with A -> xi, p -> q for x3, x4, x5.

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "nanoscape/core/parameters.hpp"
#include "nanoscape/potentials/potential.hpp"

namespace nanoscape {

/// Parameters of one unordered species pair.
struct GuptaPair {
    Species a = 0, b = 0;  ///< the two species (a <= b)
    double A = 0;          ///< repulsive prefactor, eV
    double xi = 0;         ///< hopping integral, eV
    double p = 0;          ///< repulsive decay, dimensionless
    double q = 0;          ///< band decay, dimensionless
    double r0 = 0;         ///< reference (nearest-neighbour) distance, Angstrom
    double r_sc = 0;       ///< start of the polynomial tail, Angstrom (infinity: no tail)
    double r_c = 0;        ///< end of the tail = cutoff, Angstrom (infinity: no cutoff)
};

/// A parameter set: one GuptaPair per species pair it covers.
struct GuptaParameters {
    std::vector<GuptaPair> pairs;  ///< every unordered pair of the species, each once
    std::string name;              ///< name of the set, e.g. "Cleri-Rosato 1993"
    std::string reference;         ///< literature source
};

/// Gupta potential for any number of species.
class Gupta final : public Potential {
public:
    /// Throws InputError for a pair given twice, a non-positive parameter or r_c <= r_sc.
    /// Cross pairs may be missing; compute() then rejects clusters that need them.
    explicit Gupta(GuptaParameters parameters);

    [[nodiscard]] std::string type() const override { return "gupta"; }
    [[nodiscard]] std::string description() const override;
    [[nodiscard]] double cutoff() const override { return cutoff_; }
    [[nodiscard]] std::vector<Species> supported_species() const override { return species_; }
    /// r0 of the pair.
    [[nodiscard]] double pair_distance(Species a, Species b) const override;
    [[nodiscard]] double compute(const Cluster& cluster, Eigen::Matrix3Xd* forces,
                                 Eigen::VectorXd* atom_energies) const override;

    /// Site sums: S^0 = sum phi_ab, S^1 = sum rho_ab, G = S^0 - sqrt(S^1); without a cutoff, pairs
    /// farther than r0 (1 + ln(1e15) / min(p, 2q)) are left out (each term < 1e-15 of its value at r0).
    [[nodiscard]] std::unique_ptr<SiteSumForm> site_sum_form(const std::vector<Species>& species) const override;
    /// Pair functions at distance r (Angstrom) for species a, b: phi (eV), dphi/dr (eV/A),
    /// rho (eV^2), drho/dr (eV^2/A). Exposed for the tail-continuity tests.
    struct PairValues { double phi, dphi, rho, drho; };
    [[nodiscard]] PairValues pair_values(Species a, Species b, double r) const;

private:
    // Per pair type, with the constants of the hot loop folded in.
    struct Table {
        double phi_scale, p_over_r0;       // phi = phi_scale * exp(-p_over_r0 r)
        double rho_scale, two_q_over_r0;   // rho = rho_scale * exp(-two_q_over_r0 r)
        double r_sc, r_c;
        double a3, a4, a5, x3, x4, x5;     // tail polynomials in x = r - r_c
    };
    PairValues evaluate(const Table& t, double r) const;
    const Table& table(Species a, Species b) const;
    void check_pairs(const Cluster& cluster) const;

    GuptaParameters parameters_;
    std::vector<Species> species_;
    std::array<int, max_atomic_number + 1> type_of_{};  // species -> 0..n_types-1, or -1
    std::vector<Table> tables_;                          // n_types x n_types
    std::vector<char> defined_;                          // n_types x n_types: pair has parameters
    double cutoff_ = 0;
};

/// Registry factory. Table keys: type, name, reference, notes, tail ("none" | "smatb"),
/// variant, default_variant, variants, parameters, and an array `pair` of tables with
/// elements = ["A", "B"], A, xi, p, q, r0, optional r_sc, r_c, variant. See docs/potentials.md.
[[nodiscard]] std::unique_ptr<Potential> make_gupta(const ParameterTable& table);

}  // namespace nanoscape
