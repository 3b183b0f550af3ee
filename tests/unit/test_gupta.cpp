// Gupta / SMATB against published numbers and its own formulas.

#include <gtest/gtest.h>

#include <cmath>

#include "nanoscape/geometry/builders.hpp"
#include "nanoscape/io/potential_loader.hpp"
#include "nanoscape/potentials/gupta.hpp"

namespace nanoscape {
namespace {

std::string data(const std::string& name) { return std::string(NANOSCAPE_SOURCE_DIR) + "/inputs/potentials/" + name; }

// Per-atom energy of the atom at the origin of a large fcc sphere = bulk energy per atom.
double central_atom_energy(const Potential& potential, double a, Species z) {
    const Cluster c = make_fcc_sphere(a, 3.0 * a, z);
    Eigen::VectorXd atom_energies;
    (void)potential.compute(c, nullptr, &atom_energies);
    for (Eigen::Index i = 0; i < c.positions.cols(); ++i)
        if (c.positions.col(i).norm() < 1e-9) return atom_energies[i];
    ADD_FAILURE() << "no atom at the origin";
    return 0.0;
}

TEST(Gupta_FerrandoAu, BulkFcc_MatchesLammpsSmatbEnergy) {
    // LAMMPS examples/PACKAGES/smtbq/log.27Oct21.smatbBulkFCC.g++: 2048-atom fcc Au box relaxed
    // to a = 4.0642 A with the Ferrando Au set and the smatb tail: E = -7802.94759154185 eV,
    // i.e. -3.810033 eV/atom.
    const auto gupta = load_potential_spec(data("gupta_au_ferrando.toml"), "");
    EXPECT_NEAR(central_atom_energy(*gupta, 4.0642, species_from_symbol("Au")), -7802.94759154185 / 2048, 2e-6);
}

TEST(Gupta_FerrandoAu, CentralAtomOfFccCluster_HasNoNetForce) {
    const auto gupta = load_potential_spec(data("gupta_au_ferrando.toml"), "");
    const Cluster c = make_fcc_sphere(4.0642, 12.0, species_from_symbol("Au"));
    Eigen::Matrix3Xd forces;
    (void)gupta->energy_and_forces(c, forces);
    for (Eigen::Index i = 0; i < c.positions.cols(); ++i)
        if (c.positions.col(i).norm() < 1e-9) {
            EXPECT_LT(forces.col(i).norm(), 1e-10);
        }
}

TEST(Gupta_CleriRosato, FiveShellLatticeSums_MatchIndependentValues) {
    // Static fcc lattice at nearest-neighbour distance r0, central atom seeing exactly the first
    // five shells (12, 6, 24, 12, 24 neighbours at r0 sqrt(1..5)): values computed independently
    // in shared/reference/potentials.md (table 2.2, "E_coh check, 5 shells"), 3 decimals.
    const auto gupta = load_potential_spec("gupta", "");
    const std::vector<std::pair<std::string, double>> expected{
        {"Ni", -4.432}, {"Cu", -3.544}, {"Rh", -5.751}, {"Pd", -3.936}, {"Ag", -2.960},
        {"Ir", -6.928}, {"Pt", -5.853}, {"Au", -3.779}, {"Al", -3.339}, {"Pb", -2.032}};
    for (const auto& [sym, e_5_shells] : expected) {
        const Species z = species_from_symbol(sym);
        const double r0 = gupta->pair_distance(z, z);
        // Radius between the 5th (sqrt 5 r0) and 6th (sqrt 6 r0) shells.
        const Cluster c = make_fcc_sphere(r0 * std::sqrt(2.0), r0 * 2.3, z);
        ASSERT_EQ(c.size(), 79u) << sym;
        Eigen::VectorXd atom_energies;
        (void)gupta->compute(c, nullptr, &atom_energies);
        for (Eigen::Index i = 0; i < c.positions.cols(); ++i)
            if (c.positions.col(i).norm() < 1e-9) {
                EXPECT_NEAR(atom_energies[i], e_5_shells, 6e-4) << sym;
            }
    }
}

TEST(Gupta_Tail, JoinsExponentialSmoothlyAndVanishesAtCutoff) {
    const auto potential = load_potential_spec(data("gupta_agcu_ferrando.toml"), "");
    const auto& gupta = dynamic_cast<const Gupta&>(*potential);
    const Species ag = species_from_symbol("Ag"), cu = species_from_symbol("Cu");
    for (auto [a, b, r_sc, r_c] : {std::tuple{ag, ag, 4.08707719, 5.00562683}, std::tuple{ag, cu, 4.08707719, 4.43405007},
                                   std::tuple{cu, cu, 3.62038672, 4.43405007}}) {
        // Exponential branch just below r_sc, polynomial just above: slopes ~1 eV/A, so a gap
        // of 2e-10 A changes values by < 1e-9.
        const double e = 1e-10;
        const auto below = gupta.pair_values(a, b, r_sc - e), above = gupta.pair_values(a, b, r_sc + e);
        EXPECT_NEAR(below.phi, above.phi, 1e-9);
        EXPECT_NEAR(below.dphi, above.dphi, 1e-8);
        EXPECT_NEAR(below.rho, above.rho, 1e-9);
        EXPECT_NEAR(below.drho, above.drho, 1e-8);
        // Second derivatives from the analytic first derivatives, on each side.
        const double h = 1e-4;
        const double d2phi_below = (gupta.pair_values(a, b, r_sc - e).dphi - gupta.pair_values(a, b, r_sc - h).dphi) / (h - e);
        const double d2phi_above = (gupta.pair_values(a, b, r_sc + h).dphi - gupta.pair_values(a, b, r_sc + e).dphi) / (h - e);
        EXPECT_NEAR(d2phi_below, d2phi_above, 2e-3 * std::max(1.0, std::abs(d2phi_below)));
        const auto at_end = gupta.pair_values(a, b, r_c - 1e-9);
        EXPECT_NEAR(at_end.phi, 0.0, 1e-12);
        EXPECT_NEAR(at_end.rho, 0.0, 1e-12);
        EXPECT_NEAR(at_end.dphi, 0.0, 1e-12);
        const auto beyond = gupta.pair_values(a, b, r_c + 1e-6);
        EXPECT_EQ(beyond.phi, 0.0);
        EXPECT_EQ(beyond.rho, 0.0);
    }
}

TEST(Gupta_Formula, DimerEnergyMatchesClosedForm) {
    // Two atoms at r: E = 2 phi(r) - 2 sqrt(rho(r)) = 2 A e^{-p(r/r0-1)} - 2 xi e^{-q(r/r0-1)}.
    const auto gupta = load_potential_spec("gupta", "");
    const Species pt = species_from_symbol("Pt");
    Cluster dimer(Eigen::Matrix3Xd::Zero(3, 2), {pt, pt});
    const double r = 2.6;
    dimer.positions(2, 1) = r;
    const double x = r / 2.775 - 1.0;
    EXPECT_NEAR(gupta->energy(dimer), 2 * 0.2975 * std::exp(-10.612 * x) - 2 * 2.695 * std::exp(-4.004 * x), 1e-12);
}

TEST(Gupta_Variants, PittawayVariantsAreSelectableAndDiffer) {
    const std::string file = data("gupta_pdau_pittaway.toml");
    const Species pd = species_from_symbol("Pd"), au = species_from_symbol("Au");
    Cluster dimer(Eigen::Matrix3Xd::Zero(3, 2), {pd, au});
    dimer.positions(0, 1) = 2.8;
    const double average = load_potential_spec(file, "")->energy(dimer);
    EXPECT_DOUBLE_EQ(load_potential_spec(file, "average")->energy(dimer), average);
    const double exp_fit = load_potential_spec(file, "exp_fit")->energy(dimer);
    const double dft_fit = load_potential_spec(file, "dft_fit")->energy(dimer);
    // Closed form with the Pd-Au exp-fit row (A 0.2764, xi 2.0820, p 10.569, q 3.9130, r0 2.8160).
    const double x = 2.8 / 2.8160 - 1.0;
    EXPECT_NEAR(exp_fit, 2 * 0.2764 * std::exp(-10.569 * x) - 2 * 2.0820 * std::exp(-3.9130 * x), 1e-12);
    EXPECT_NE(average, exp_fit);
    EXPECT_NE(average, dft_fit);
}

TEST(Gupta_Variants, UnknownVariant_ErrorSuggestsClosest) {
    try {
        (void)load_potential_spec(data("gupta_pdau_pittaway.toml"), "dft-fit");
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("did you mean 'dft_fit'"), std::string::npos) << e.what();
    }
}

TEST(Gupta_Species, MissingCrossPair_IsAnInputError) {
    const auto gupta = load_potential_spec("gupta", "");  // Cleri-Rosato: pure metals only
    Cluster c(Eigen::Matrix3Xd::Zero(3, 2), {species_from_symbol("Ag"), species_from_symbol("Au")});
    c.positions(0, 1) = 2.9;
    try {
        (void)gupta->energy(c);
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("Ag-Au"), std::string::npos) << e.what();
    }
}

TEST(Gupta_Species, ElementWithoutParameters_IsAnInputError) {
    const auto gupta = load_potential_spec(data("gupta_agcu_ferrando.toml"), "");
    Cluster c(Eigen::Matrix3Xd::Zero(3, 1), {species_from_symbol("Fe")});
    EXPECT_THROW((void)gupta->energy(c), InputError);
}

TEST(Gupta_Scaling, LargeClusterUsesTheCutoff) {
    // With the tail, the central atom of a 5000-atom sphere sees only its 42 neighbours within
    // 3 shells: its energy equals that of a small sphere.
    const auto gupta = load_potential_spec(data("gupta_au_ferrando.toml"), "");
    const Species au = species_from_symbol("Au");
    EXPECT_NEAR(central_atom_energy(*gupta, 4.0642, au), -3.810033, 2e-6);
}

}  // namespace
}  // namespace nanoscape
