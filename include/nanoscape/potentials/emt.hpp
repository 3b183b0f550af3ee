#pragma once
/// @file Effective-medium theory (EMT) potential, as ASE 3.22's `ase.calculators.emt.EMT`.
///
/// Jacobsen, Stoltze, Norskov, Surf. Sci. 366, 394 (1996); parameters and conventions of
/// ASE 3.22 (`ase/calculators/emt.py`). Units: eV, Angstrom. The per-element parameters are
/// tabulated in bohr (Bohr = 0.5291772105638411 A, ASE 3.22 units): E0, V0 (eV), s0 (bohr),
/// eta2, kappa, lambda (1/bohr), n0 (1/bohr^3); beta = 1.809 (historical rounding of
/// (16 pi / 3)^(1/3) / sqrt 2).
///
/// Cutoff (logistic):  theta(r) = 1 / (1 + exp(a_cut (r - r_c)))
///   r_c   = beta s0_max (sqrt 3 + 2) / 2                 midway between the 3rd and 4th fcc shells
///   a_cut = ln(9999) / (2 beta s0_max - r_c)             theta = 1e-4 at the 4th shell
///   pairs count while r < r_list = r_c + 0.5 A           (theta ~ 7e-6 there; a tiny jump)
/// By default s0_max is the largest s0 of the WHOLE parameter table (Ag, 3.01 bohr) whatever the
/// cluster holds: r_c = 5.3768 A, r_list = 5.8768 A. With `asap_cutoff = true` (ASE's
/// EMT(asap_cutoff=True), the older ASAP convention) s0_max is the largest s0 among the species
/// present in the cluster and r_list = 1.045 r_c.
///
/// Reference-lattice normalisation of species a (fcc shells k = 1..3, n_k = 12, 6, 24 neighbours
/// at r_k = beta s0_a sqrt k, weighted by the cutoff):
///   gamma1_a = sum_k (n_k / 12) theta(r_k) exp(-eta2_a (r_k - beta s0_a))
///   gamma2_a = sum_k (n_k / 12) theta(r_k) exp(-(kappa_a / beta) (r_k - beta s0_a))
///
/// Energy of atom i (species a; j runs over neighbours of species b; chi_ab = n0_b / n0_a):
///   sigma1_i = sum_j (chi_ab / gamma1_a) theta(r_ij) exp(-eta2_b (r_ij - beta s0_b))
///   ds_i     = -ln(sigma1_i / 12) / (beta eta2_a)                 (s_i - s0_a, neutral-sphere radius)
///   E_i      = E0_a [(1 + lambda_a ds_i) exp(-lambda_a ds_i) - 1] + 6 V0_a exp(-kappa_a ds_i)
///              - 1/2 sum_j (y_ij + y_ji)
///   y_ij     = (V0_a / 2) (chi_ab / gamma2_a) theta(r_ij) exp(-kappa_b (r_ij / beta - s0_b))
/// The "-1" subtracts E0 (ASAP's convention): energies are relative to the bulk fcc metal
/// (about 0 per bulk atom), so clusters have positive energies; a free atom (sigma1 = 0) has
/// E_i = -E0_a, its cohesive energy.
/// The pair (atomic-sphere correction) term is split equally between the two atoms, as in ASE.
///
/// Species: Al Cu Ag Au Ni Pd Pt. ASE's extra H, C, N, O parameters ("NOT well described by
/// EMT ... not for any serious use") are rejected, though they enter the table-wide s0_max
/// (they do not change it: all are smaller than Ag's).

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "nanoscape/core/parameters.hpp"
#include "nanoscape/potentials/potential.hpp"

namespace nanoscape {

/// EMT parameters of one element, in ASE's table units.
struct EmtElement {
    const char* symbol;  ///< chemical symbol
    double e0;           ///< cohesive energy (negative), eV
    double s0;           ///< equilibrium neutral-sphere (Wigner-Seitz) radius, bohr
    double v0;           ///< atomic-sphere correction strength, eV
    double eta2;         ///< density decay, 1/bohr
    double kappa;        ///< pair-term decay, 1/bohr
    double lambda;       ///< cohesive-function decay, 1/bohr
    double n0;           ///< reference electron density, 1/bohr^3
    bool supported;      ///< false for H, C, N, O (in ASE's table, not for serious use)
};

/// Options of the EMT potential.
struct EmtOptions {
    /// false (ASE 3.22 default): cutoff from the largest s0 of the whole parameter table;
    /// true: from the largest s0 among the species present, neighbour list 1.045 r_c (ASAP).
    bool asap_cutoff = false;
};

/// EMT for the seven fcc metals of ASE's table, any mixture of them.
class Emt final : public Potential {
public:
    /// beta = (16 pi / 3)^(1/3) / sqrt 2, rounded as in ASE (dimensionless).
    static constexpr double beta = 1.809;
    /// Bohr radius in Angstrom, as in ASE 3.22 (ase.units.Bohr).
    static constexpr double bohr = 0.5291772105638411;

    /// @param options cutoff convention
    explicit Emt(const EmtOptions& options);

    [[nodiscard]] std::string type() const override { return "emt"; }
    [[nodiscard]] std::string description() const override;
    /// Neighbour-list radius r_list (Angstrom); with asap_cutoff the largest over all species.
    [[nodiscard]] double cutoff() const override;
    /// Al Ni Cu Pd Ag Pt Au (sorted by Z).
    [[nodiscard]] std::vector<Species> supported_species() const override { return species_; }
    /// fcc nearest-neighbour distance beta s0 (Angstrom), s0 the mean of the two species'.
    [[nodiscard]] double pair_distance(Species a, Species b) const override;
    /// Site sums: sigma1 and the atomic-sphere pair sum; nullptr with asap_cutoff for several
    /// species, whose cutoff depends on the species present.
    [[nodiscard]] std::unique_ptr<SiteSumForm> site_sum_form(const std::vector<Species>& species) const override;
    [[nodiscard]] double compute(const Cluster& cluster, Eigen::Matrix3Xd* forces,
                                 Eigen::VectorXd* atom_energies) const override;

    /// ASE's parameter table (all eleven rows, H C N O included), table units.
    [[nodiscard]] static const std::vector<EmtElement>& parameter_table();

private:
    // Per species, converted to Angstrom units.
    struct ElementParameters {
        double e0, v0;             // eV
        double s0;                 // Angstrom
        double eta2, kappa, lambda;  // 1/Angstrom
        double n0;                 // 1/Angstrom^3
        double kappa_over_beta;    // 1/Angstrom (decay of the pair term in r)
    };
    // Everything that depends on s0_max (one per cutoff convention / largest species).
    struct Model {
        double rc = 0, acut = 0, r_list = 0;  // Angstrom, 1/Angstrom, Angstrom
        std::vector<double> gamma1, gamma2;   // per type
        // Ordered pair (a, b) = (type of i, type of j), n_types x n_types:
        //   sigma1_i += sigma_scale[ab] exp(-eta2_b r) theta
        //   y_ij      = pair_scale[ab]  exp(-kappa_b r / beta) theta
        std::vector<double> sigma_scale, pair_scale;
    };
    [[nodiscard]] Model make_model(double s0_max_bohr, bool asap) const;
    [[nodiscard]] const Model& model_for(const Cluster& cluster) const;
    void check_cluster_species(const Cluster& cluster) const;

    EmtOptions options_;
    std::vector<Species> species_;                        // supported, sorted by Z
    // Cohesive and atomic-sphere terms of an atom with density sum sigma1 (eV), and
    // dE_i/dsigma1 into *de_dsigma.
    static double site_term(const ElementParameters& p, double sigma1, double* de_dsigma);

    std::vector<ElementParameters> params_;               // per type
    std::array<int, max_atomic_number + 1> type_of_{};    // species -> type, or -1
    std::vector<Model> models_;  // default: one model; asap: one per type (s0_max = that type's s0)
};

/// Registry factory. Keys: type, asap_cutoff (bool, default false), name, reference, notes.
[[nodiscard]] std::unique_ptr<Potential> make_emt(const ParameterTable& table);

}  // namespace nanoscape
