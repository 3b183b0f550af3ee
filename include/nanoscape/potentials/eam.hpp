#pragma once
/// @file Embedded-atom method (EAM) potential read from LAMMPS tables.
///
///   E = sum_i E_i,   E_i = F_a(rho_i) + 1/2 sum_{j!=i} phi_ab(r_ij),   rho_i = sum_{j!=i} f_ab(r_ij)
///
/// a, b are the species of atoms i, j; F_a (eV) is the embedding energy of an atom of species
/// a in the electron density rho_i; f_ab is the density an atom of species b contributes at an
/// atom of species a (f_ab = f_b for the setfl and funcfl formats, a full matrix for eam/fs);
/// phi_ab (eV) is the pair potential, counted once per pair (the 1/2 and i != j).
/// Daw & Baskes, Phys. Rev. B 29, 6443 (1984); Foiles, Baskes & Daw, Phys. Rev. B 33, 7983
/// (1986); Finnis & Sinclair, Phil. Mag. A 50, 45 (1984) for the species-pair densities.
///
/// Files (LAMMPS `pair_style eam`, `eam/alloy`, `eam/fs`; units metal: Angstrom, eV):
///   setfl  (*.eam.alloy, DYNAMO multi-element): 3 comment lines; "N El1 ... ElN";
///          "Nrho drho Nr dr cutoff"; per element: "Z mass a lattice", then Nrho values of
///          F(rho) and Nr values of f(r); then for i = 1..N, j = 1..i: Nr values of r*phi_ij(r)
///          (eV Angstrom).
///   eam/fs (*.eam.fs, Finnis-Sinclair setfl): as setfl, but each element block holds N density
///          arrays: block of element b, array a = density of a b-atom at an a-atom (f_ab).
///   funcfl (*.eam, DYNAMO single element): 1 comment line; "Z mass a lattice";
///          "Nrho drho Nr dr cutoff"; Nrho values of F(rho); Nr values of Z(r) (effective
///          charge, sqrt(Hartree Bohr)); Nr values of f(r). phi(r) = 27.2 * 0.529 Z(r)^2 / r.
///          Several funcfl files form an alloy as in LAMMPS `pair_style eam`: each file's
///          F and f are re-tabulated on a common grid (the largest dr and drho, the largest
///          r and rho range of the files) by 4-point Lagrange interpolation, and
///          phi_ab = 27.2 * 0.529 Z_a(r) Z_b(r) / r (geometric mixing of the charges); the
///          cutoff is the largest of the files'.
/// Grids: r_k = k dr, k = 0..Nr-1 and rho_k = k drho, k = 0..Nrho-1. Numbers are read across
/// line breaks; each block starts on a new line (as LAMMPS reads them).
///
/// Interpolation is that of LAMMPS pair_eam.cpp (interpolate(), compute()), so energies agree to
/// rounding: a cubic per interval whose knot derivatives are the 5-point central differences
/// ((y[m-2] - y[m+2]) + 8 (y[m+1] - y[m-1])) / 12 (one-sided at the ends); for a distance r,
/// p = r/dr + 1, m = min(int(p), Nr-1), p -= m, p = min(p, 1); for a density,
/// m = max(1, min(int(p), Nrho-1)) as well, and above rhomax = (Nrho-1) drho the embedding
/// energy continues linearly with the slope at rhomax (LAMMPS since 2020, including the
/// installed 29 Sep 2021 version), so a squeezed atom does not see a flat F.

#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "nanoscape/core/parameters.hpp"
#include "nanoscape/potentials/potential.hpp"

namespace nanoscape {

/// The three LAMMPS EAM file formats.
enum class EamFormat {
    setfl,            ///< *.eam.alloy, pair_style eam/alloy
    finnis_sinclair,  ///< *.eam.fs, pair_style eam/fs
    funcfl,           ///< *.eam, pair_style eam
};

/// Format of an EAM file by its name: *.eam.alloy / *.setfl -> setfl, *.eam.fs -> eam/fs,
/// *.eam -> funcfl. Throws InputError for any other name.
[[nodiscard]] EamFormat eam_format_from_name(const std::string& path);

/// True if `path` has an EAM file name (see eam_format_from_name).
[[nodiscard]] bool is_eam_file_name(const std::string& path);

/// One element as an EAM file describes it.
struct EamElement {
    Species species = 0;            ///< atomic number
    double mass = 0;                ///< amu (not used by nanoscape)
    double lattice_constant = 0;    ///< Angstrom; 0 if the file gives none
    std::string lattice;            ///< lattice type as written ("fcc", "FCC", "bcc", ...); may be empty
};

/// Tabulated EAM functions on one common grid: what LAMMPS pair_eam.cpp holds after
/// file2array() and before array2spline(). Element order is the file's.
struct EamTables {
    std::vector<EamElement> elements;   ///< one per species
    int nrho = 0;                       ///< number of density knots
    double drho = 0;                    ///< density spacing (the file's density unit)
    int nr = 0;                         ///< number of distance knots
    double dr = 0;                      ///< distance spacing, Angstrom
    double cutoff = 0;                  ///< interaction range, Angstrom
    double rhomax = 0;                  ///< density above which F is extrapolated linearly
    /// F_a(rho_k), eV; [a][k], nrho values per element.
    std::vector<std::vector<double>> embedding;
    /// f_ab(r_k): density at an atom of element a due to a neighbour of element b; [a * n + b][k].
    std::vector<std::vector<double>> density;
    /// r_k phi_ab(r_k), eV Angstrom; [a * n + b][k], symmetric in a, b.
    std::vector<std::vector<double>> r_phi;
    std::string name;                   ///< name of the set (from a [potential] table); may be empty
    std::string source;                 ///< file name(s), for descriptions and messages
    std::vector<std::string> comments;  ///< the header comment lines of the file(s)
};

/// Reads a setfl (*.eam.alloy, `finnis_sinclair` false) or eam/fs (*.eam.fs, true) file. Throws
/// InputError naming the file and line for a truncated file, a malformed number, an unknown
/// element, inconsistent counts or numbers left over after the last table.
[[nodiscard]] EamTables read_eam_setfl(const std::string& path, bool finnis_sinclair);

/// Reads one or several funcfl (*.eam) files and combines them as LAMMPS `pair_style eam`
/// does (see the file comment). Throws InputError as read_eam_setfl, and for two files of one
/// element.
[[nodiscard]] EamTables read_eam_funcfl(const std::vector<std::string>& paths);

/// Reads any EAM file by its format (read_eam_setfl or read_eam_funcfl).
[[nodiscard]] EamTables read_eam_file(const std::string& path, EamFormat format);

/// EAM potential with LAMMPS's cubic-spline interpolation.
class Eam final : public Potential {
public:
    /// Builds the splines. Throws InputError for fewer than 5 knots, a non-positive spacing or
    /// cutoff, an element given twice, or arrays of the wrong length.
    explicit Eam(EamTables tables);

    [[nodiscard]] std::string type() const override { return "eam"; }
    [[nodiscard]] std::string description() const override;
    [[nodiscard]] double cutoff() const override { return tables_.cutoff; }
    [[nodiscard]] std::vector<Species> supported_species() const override { return species_; }
    /// Nearest-neighbour distance of the elements' lattices from the file (fcc a/sqrt2, bcc
    /// a sqrt3/2, hcp and sc a, diamond a sqrt3/4; the mean of the two elements for a cross
    /// pair); without a known lattice, the minimum of the a-b dimer energy.
    [[nodiscard]] double pair_distance(Species a, Species b) const override;
    [[nodiscard]] double compute(const Cluster& cluster, Eigen::Matrix3Xd* forces,
                                 Eigen::VectorXd* atom_energies) const override;

    /// Site sums: S^0 = sum phi_ab / 2, S^1 = sum f_ab, G = F_a(S^1) + S^0.
    [[nodiscard]] std::unique_ptr<SiteSumForm> site_sum_form(const std::vector<Species>& species) const override;
    /// Interpolated value and derivative of a table function.
    struct Value {
        double value;       ///< F (eV), f (density) or phi (eV)
        double derivative;  ///< dF/drho (eV per density unit), df/dr (density/A) or dphi/dr (eV/A)
    };
    /// F_a(rho) with the linear continuation above rhomax.
    [[nodiscard]] Value embedding(Species a, double rho) const;
    /// f_ab(r): density at an atom of species a due to a neighbour of species b (0 beyond the cutoff).
    [[nodiscard]] Value density(Species a, Species b, double r) const;
    /// phi_ab(r) = (r phi)(r) / r, eV (0 beyond the cutoff).
    [[nodiscard]] Value pair(Species a, Species b, double r) const;
    /// The tables the potential was built from.
    [[nodiscard]] const EamTables& tables() const { return tables_; }

private:
    // Cubic on one interval in LAMMPS's form: value = ((c3 p + c4) p + c5) p + c6 with
    // p in [0, 1]; the derivative (3 c3 p + 2 c4) p + c5 is divided by the spacing.
    struct Cubic {
        double c3, c4, c5, c6;
    };
    // Everything one pair type needs at one distance knot, side by side so one pair costs one
    // contiguous read: density at i due to j, density at j due to i, r phi.
    struct PairKnot {
        Cubic rho_at_i, rho_at_j, r_phi;
    };
    // Knot m (1-based, as LAMMPS) and fraction p of distance r, exactly as LAMMPS computes them:
    // p = r/dr + 1, m = min(int(p), Nr - 1), p = min(p - m, 1).
    struct RadialKnot {
        int m;
        double p;
    };
    RadialKnot locate_r(double r) const {
        const double p = r * rdr_ + 1.0;
        // Compared as doubles first: a table with a tiny dr puts p beyond any int (the cast
        // would be undefined; found by fuzzing).
        const int m = p < tables_.nr - 1 ? static_cast<int>(p) : tables_.nr - 1;
        return {m, std::min(p - m, 1.0)};
    }
    static std::vector<Cubic> make_spline(const std::vector<double>& y);
    Value evaluate_embedding(int type, double rho) const;
    const PairKnot* pair_knots(int ti, int tj) const {
        return pair_knots_.data() + (static_cast<std::size_t>(ti) * n_types_ + static_cast<std::size_t>(tj)) *
                                        static_cast<std::size_t>(tables_.nr);
    }
    int type_index(Species z) const;

    EamTables tables_;
    std::vector<Species> species_;
    std::array<int, max_atomic_number + 1> type_of_{};  // species -> index in tables_.elements, or -1
    std::size_t n_types_ = 0;
    double rdr_ = 0, rdrho_ = 0;
    std::vector<std::vector<Cubic>> embedding_splines_;  // [type][knot], knots 0..nrho-1
    std::vector<PairKnot> pair_knots_;                  // [ti][tj][knot], knots 0..nr-1
    std::vector<double> pair_distance_;                  // [ti * n + tj], Angstrom
};

/// Registry factory. Table keys: type, name, reference, notes, `file` (a setfl, eam/fs or
/// funcfl file) or `files` (funcfl files combined into an alloy), optional `format`
/// ("setfl", "fs" or "funcfl"; default by file name). Paths are resolved by io/ before the
/// factory sees them. See docs/potentials.md.
[[nodiscard]] std::unique_ptr<Potential> make_eam(const ParameterTable& table);

}  // namespace nanoscape
