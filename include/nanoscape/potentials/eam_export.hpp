#pragma once
/// @file Gupta parameter sets written as LAMMPS EAM tables (setfl / eam/fs).
///
/// The Gupta energy E_i = sum_j phi_ab(r_ij) - sqrt( sum_j rho_ab(r_ij) ) (gupta.hpp) is an
/// EAM energy with
///   F(rho) = -sqrt(rho)                           embedding, eV (rho in eV^2), every species
///   f_ab(r) = rho_ab(r) = xi_ab^2 exp(-2 q_ab (r/r0_ab - 1))   density at an a-atom due to a b-atom
///   phi^EAM_ab(r) = 2 phi_ab(r)                   pair term: LAMMPS sums 1/2 sum_{i!=j} phi^EAM,
///                                                 Gupta counts phi in both E_i and E_j
/// (with the SMATB tail where the set has one). The density depends on both species (xi_ab,
/// q_ab, r0_ab), so an alloy is exactly an eam/fs (Finnis-Sinclair) table, whose density
/// functions are per species pair; a setfl (eam/alloy) table has one density per neighbour
/// species and is exact only for a single species. write_eam_table() therefore writes eam/fs
/// for alloys and refuses setfl for them. For one species both formats hold the same numbers.
///
/// Tabulation: r_k = k dr, k = 0..Nr-1 with dr = cutoff/(Nr-1) (the table ends at the cutoff);
/// rho_k = k drho up to rhomax (by default 1.25 x the density of an fcc crystal of each pair
/// compressed to 0.9 r0, summed over the neighbours within the cutoff); LAMMPS continues F
/// linearly above rhomax. Sets without a cutoff (tail = "none") are truncated at
/// gupta_export_cutoff(): where, for every pair, 2 phi_ab(r) and rho_ab(r) / (2 xi_ab) (what a
/// neighbour at r adds to the band energy of an atom with at least one bond, rho_i >= xi^2)
/// have fallen below `tolerance` (1e-6 eV by default), unless a cutoff is given.

#include <string>
#include <vector>

#include "nanoscape/potentials/eam.hpp"
#include "nanoscape/potentials/gupta.hpp"

namespace nanoscape {

/// How a Gupta set is tabulated.
struct EamExportOptions {
    int nr = 3000;                 ///< distance knots
    int nrho = 3000;               ///< density knots
    double cutoff = 0;             ///< Angstrom; 0: the set's cutoff, or gupta_export_cutoff() if it has none
    double rho_max = 0;            ///< largest tabulated density, eV^2; 0: automatic (see the file comment)
    double tolerance = 1e-6;       ///< eV, for the automatic cutoff of cutoff-free sets
    std::vector<Species> species;  ///< species to export, in this order; empty: all of the set
};

/// Distance (Angstrom) beyond which, for every pair of `species`, 2 phi_ab(r) and
/// rho_ab(r) / (2 xi_ab) are below `tolerance` (eV). The set's own cutoff if it has one.
[[nodiscard]] double gupta_export_cutoff(const Gupta& gupta, const std::vector<Species>& species, double tolerance);

/// Tabulates `gupta` as EAM tables (eam/fs layout: one density per species pair). Throws
/// InputError for a species the set lacks, a missing cross pair, fewer than 5 knots or a
/// non-positive cutoff.
[[nodiscard]] EamTables tabulate_gupta(const Gupta& gupta, const EamExportOptions& options);

/// Writes `tables` as a LAMMPS setfl (EamFormat::setfl) or eam/fs (EamFormat::finnis_sinclair)
/// file, numbers with 17 significant digits (read back exactly), five per line. Throws
/// InputError for setfl when the densities depend on the atom's own species (an alloy
/// from Gupta), and Error if the file cannot be written.
void write_eam_table(const std::string& path, const EamTables& tables, EamFormat format);

}  // namespace nanoscape
