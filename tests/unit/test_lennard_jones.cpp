#include <gtest/gtest.h>

#include <cmath>

#include "nanoscape/io/potential_loader.hpp"
#include "nanoscape/potentials/lennard_jones.hpp"

namespace nanoscape {
namespace {

Cluster dimer(double r) {
    Cluster c(Eigen::Matrix3Xd::Zero(3, 2), {18, 18});
    c.positions(0, 1) = r;
    return c;
}

TEST(LennardJones_Dimer, MinimumIsMinusEpsilonAtTwoToTheSixth) {
    const LennardJones lj({});
    const double r_min = std::pow(2.0, 1.0 / 6.0);
    EXPECT_NEAR(lj.energy(dimer(r_min)), -1.0, 1e-14);
    Eigen::Matrix3Xd forces;
    (void)lj.energy_and_forces(dimer(r_min), forces);
    EXPECT_LT(forces.norm(), 1e-12);
    EXPECT_NEAR(lj.energy(dimer(1.0)), 0.0, 1e-14);
}

TEST(LennardJones_Parameters, EpsilonAndSigmaScaleEnergyAndLength) {
    const LennardJones lj({0.0104, 3.40, no_cutoff});  // argon-like, eV and Angstrom
    EXPECT_NEAR(lj.energy(dimer(3.40 * std::pow(2.0, 1.0 / 6.0))), -0.0104, 1e-15);
}

TEST(LennardJones_Cutoff, EnergyIsShiftedToZeroAtTheCutoff) {
    const LennardJones lj({1.0, 1.0, 2.5});
    EXPECT_NEAR(lj.energy(dimer(2.5 - 1e-9)), 0.0, 1e-9);
    EXPECT_EQ(lj.energy(dimer(2.6)), 0.0);
    const double shift = 4.0 * (std::pow(2.5, -12) - std::pow(2.5, -6));
    EXPECT_NEAR(lj.energy(dimer(1.5)), 4.0 * (std::pow(1.5, -12) - std::pow(1.5, -6)) - shift, 1e-14);
}

TEST(LennardJones_Config, NegativeSigma_ErrorNamesKey) {
    ParameterTable t("potential");
    t.set("type", ParameterValue::of("lj"));
    t.set("sigma", ParameterValue::of(-1.0));
    try {
        (void)make_lennard_jones(t);
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("sigma"), std::string::npos);
    }
}

TEST(LennardJones_Config, MisspeltKey_SuggestsClosest) {
    ParameterTable t("potential");
    t.set("type", ParameterValue::of("lj"));
    t.set("epsilom", ParameterValue::of(1.0));
    try {
        (void)make_lennard_jones(t);
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("did you mean 'epsilon'"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace nanoscape
