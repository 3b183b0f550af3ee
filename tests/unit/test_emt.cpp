// EMT against ASE 3.22's ase.calculators.emt.EMT (stored reference frames) and the bulk
// reference state its energies are measured from.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <fmt/format.h>

#include "nanoscape/geometry/builders.hpp"
#include "nanoscape/io/xyz.hpp"
#include "nanoscape/potentials/emt.hpp"
#include "nanoscape/potentials/registry.hpp"

namespace nanoscape {
namespace {

std::unique_ptr<Potential> make_emt_with(bool asap_cutoff) {
    ParameterTable table("potential");
    table.set("type", ParameterValue::of("emt"));
    table.set("asap_cutoff", ParameterValue::of(asap_cutoff));
    return create_potential(table);
}

// EMT fcc lattice constant a = beta s0 sqrt 2 (Angstrom).
double lattice_constant(const std::string& symbol) {
    for (const auto& row : Emt::parameter_table())
        if (symbol == row.symbol) return Emt::beta * row.s0 * Emt::bohr * std::sqrt(2.0);
    ADD_FAILURE() << "no EMT parameters for " << symbol;
    return 0.0;
}

// Per-atom energy and force of the atom at the origin of an fcc sphere that reaches well
// beyond the neighbour list (5.9 A): that atom and its neighbours see bulk surroundings.
std::pair<double, double> central_atom(const Potential& potential, const std::string& symbol) {
    const double a = lattice_constant(symbol);
    const Cluster c = make_fcc_sphere(a, 2.5 * a, species_from_symbol(symbol));
    Eigen::Matrix3Xd forces;
    Eigen::VectorXd atom_energies;
    (void)potential.compute(c, &forces, &atom_energies);
    for (Eigen::Index i = 0; i < c.positions.cols(); ++i)
        if (c.positions.col(i).norm() < 1e-9) return {atom_energies[i], forces.col(i).norm()};
    ADD_FAILURE() << "no atom at the origin";
    return {0.0, 0.0};
}

TEST(Emt_AseReference, EnergiesForcesAndAtomEnergies_MatchAse) {
    // tests/data/emt_reference.xyz (tools/make_emt_reference.py): 48 frames of Pt-Au, Cu-Ag and
    // Ni-Pd, 13-309 atoms, perturbed / BFGS-relaxed homotops of icosahedra and the truncated
    // octahedron, random compact clusters, a cluster with a free atom; some with asap_cutoff.
    // The file rounds ASE's forces and per-atom energies to 1e-10, so agreement to ~1e-10 is
    // what a correct implementation shows (observed: energy 3e-11 eV, forces 5e-11 eV/A).
    const auto frames = read_xyz(std::string(NANOSCAPE_SOURCE_DIR) + "/tests/data/emt_reference.xyz");
    ASSERT_EQ(frames.size(), 48u);
    const auto standard = make_emt_with(false), asap = make_emt_with(true);
    double worst_energy = 0.0, worst_force = 0.0, worst_atom_energy = 0.0;
    for (std::size_t f = 0; f < frames.size(); ++f) {
        const XyzFrame& frame = frames[f];
        ASSERT_TRUE(frame.energy && frame.forces && frame.atom_energies) << "frame " << f + 1;
        const Potential& emt = frame.find_info("asap_cutoff") == std::optional<std::string>("T") ? *asap : *standard;
        Eigen::Matrix3Xd forces;
        Eigen::VectorXd atom_energies;
        const double e = emt.compute(frame.cluster, &forces, &atom_energies);
        const std::string what = fmt::format("frame {} ({} {} {}, asap_cutoff {})", f + 1,
                                             frame.find_info("system").value_or("?"),
                                             frame.find_info("kind").value_or("?"), frame.cluster.size(),
                                             frame.find_info("asap_cutoff").value_or("?"));
        EXPECT_NEAR(e, *frame.energy, 1e-6) << what;
        const double df = (forces - *frame.forces).cwiseAbs().maxCoeff();
        const double dea = (atom_energies - *frame.atom_energies).cwiseAbs().maxCoeff();
        EXPECT_LT(df, 1e-6) << what;
        EXPECT_LT(dea, 1e-6) << what;
        worst_energy = std::max(worst_energy, std::abs(e - *frame.energy));
        worst_force = std::max(worst_force, df);
        worst_atom_energy = std::max(worst_atom_energy, dea);
    }
    std::printf("largest deviation from ASE: energy %.2e eV, force component %.2e eV/A, atom energy %.2e eV\n",
                worst_energy, worst_force, worst_atom_energy);
}

TEST(Emt_Bulk, CentralAtomOfFccCluster_HasTheBulkEnergyOfAse) {
    // EMT energies are relative to the bulk fcc metal at a = beta s0 sqrt 2. With
    // asap_cutoff r_c is set by the metal itself and the list (1.045 r_c = 1.95 d_nn) ends
    // before the 4th shell (2 d_nn), so the shells that interact are exactly those in gamma1,
    // gamma2: a bulk atom has ds = 0 and E = 0 to rounding (observed < 1e-12 eV). With ASE's
    // default cutoff (from Ag's s0 for every metal) the smaller metals' 4th and 5th shells
    // interact too, so their bulk energy is slightly negative: ASE 3.22 gives, per atom of a
    // periodic 108-atom fcc cell, Cu -4.99 meV and Ni -8.78 meV, the others below 0.06 meV.
    // The central atom of a cluster must reproduce those numbers (rounding only: 1e-9 eV).
    const std::vector<std::pair<std::string, double>> ase_bulk{
        {"Al", -1.8457626734350132e-06}, {"Cu", -0.004993809958281515}, {"Ag", -1.367677521523513e-07},
        {"Au", -1.570775316566213e-07},  {"Ni", -0.008784207383446204}, {"Pd", -5.430251656730118e-05},
        {"Pt", -1.3648187804607107e-05}};
    const auto standard = make_emt_with(false), asap = make_emt_with(true);
    for (const auto& [symbol, e_bulk] : ase_bulk) {
        const auto [e_default, f_default] = central_atom(*standard, symbol);
        EXPECT_NEAR(e_default, e_bulk, 1e-9) << symbol;
        EXPECT_LT(std::abs(e_default), 0.01) << symbol;
        EXPECT_LT(f_default, 1e-9) << symbol;
        const auto [e_asap, f_asap] = central_atom(*asap, symbol);
        EXPECT_NEAR(e_asap, 0.0, 1e-9) << symbol;
        EXPECT_LT(f_asap, 1e-9) << symbol;
    }
}

TEST(Emt_FreeAtom, Energy_IsMinusE0) {
    // No neighbour within the list: sigma1 = 0 and ASE returns E = -E0 (the cohesive energy).
    const auto emt = make_emt_with(false);
    for (const auto& row : Emt::parameter_table()) {
        if (!row.supported) continue;
        const Cluster atom(Eigen::Matrix3Xd::Zero(3, 1), {species_from_symbol(row.symbol)});
        Eigen::Matrix3Xd forces;
        EXPECT_DOUBLE_EQ(emt->energy_and_forces(atom, forces), -row.e0) << row.symbol;
        EXPECT_EQ(forces.norm(), 0.0);
    }
}

TEST(Emt_Constants, CutoffAndPairDistance_FollowAse) {
    // Default: s0_max = 3.01 bohr (Ag, the largest of the whole table), r_c = beta s0_max
    // (sqrt 3 + 2) / 2, list r_c + 0.5 A; asap_cutoff: at most 1.045 r_c.
    const double rc = 1.809 * 3.01 * 0.5291772105638411 * (std::sqrt(3.0) + 2.0) / 2.0;
    EXPECT_NEAR(make_emt_with(false)->cutoff(), rc + 0.5, 1e-12);
    EXPECT_NEAR(make_emt_with(true)->cutoff(), rc * 1.045, 1e-12);
    EXPECT_NEAR(rc, 5.37680, 1e-5);
    const auto emt = make_emt_with(false);
    const Species pt = species_from_symbol("Pt"), au = species_from_symbol("Au");
    EXPECT_NEAR(emt->pair_distance(pt, pt), 1.809 * 2.90 * 0.5291772105638411, 1e-12);
    EXPECT_NEAR(emt->pair_distance(pt, au), 1.809 * 2.95 * 0.5291772105638411, 1e-12);
    EXPECT_EQ(emt->supported_species().size(), 7u);
}

TEST(Emt_Errors, UnsupportedElement_IsNamed) {
    const auto emt = make_emt_with(false);
    Cluster c(Eigen::Matrix3Xd::Zero(3, 2), {species_from_symbol("Fe"), species_from_symbol("Pt")});
    c.positions(0, 1) = 2.5;
    try {
        (void)emt->energy(c);
        FAIL() << "no error for Fe";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("Fe"), std::string::npos) << e.what();
    }
    EXPECT_THROW((void)emt->pair_distance(species_from_symbol("Fe"), species_from_symbol("Pt")), InputError);
    // ASE's H, C, N, O rows are refused with the reason.
    c.species[0] = species_from_symbol("O");
    try {
        (void)emt->energy(c);
        FAIL() << "no error for O";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("not for any serious use"), std::string::npos) << e.what();
    }
}

TEST(Emt_Errors, MisspeltKey_IsRejected) {
    ParameterTable table("potential");
    table.set("type", ParameterValue::of("emt"));
    table.set("asap_cutof", ParameterValue::of(true));
    EXPECT_THROW((void)create_potential(table), InputError);
}

}  // namespace
}  // namespace nanoscape
