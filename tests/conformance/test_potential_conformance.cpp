// Properties every potential must have, checked for every registered potential and every
// shipped parameter set: forces are the exact negative gradient (central finite differences),
// energy is invariant under translation, rotation and permutation of atoms, forces transform
// accordingly, per-atom energies sum to the total, and energy is extensive.

#include <gtest/gtest.h>

#include <Eigen/Geometry>

#include "support/potential_cases.hpp"

namespace nanoscape {
namespace {

using testing::PotentialCase;

class PotentialConformance : public ::testing::TestWithParam<PotentialCase> {
protected:
    void SetUp() override {
        potential_ = load_potential_spec(GetParam().spec, GetParam().variant);
        species_ = testing::test_species(*potential_);
        cluster_ = testing::random_cluster_for(*potential_, species_, 24, 7);
    }
    std::unique_ptr<Potential> potential_;
    std::vector<Species> species_;
    Cluster cluster_;
};

TEST_P(PotentialConformance, Forces_MatchFiniteDifferences) {
    Eigen::Matrix3Xd forces;
    (void)potential_->energy_and_forces(cluster_, forces);
    const double h = 1e-5;  // Angstrom; central differences: error ~ h^2 E''' + eps E / h
    for (Eigen::Index i = 0; i < cluster_.positions.cols(); ++i)
        for (int k = 0; k < 3; ++k) {
            Cluster plus = cluster_, minus = cluster_;
            plus.positions(k, i) += h;
            minus.positions(k, i) -= h;
            const double numeric = -(potential_->energy(plus) - potential_->energy(minus)) / (2 * h);
            EXPECT_NEAR(forces(k, i), numeric, 1e-6) << "atom " << i << " component " << k;
        }
}

TEST_P(PotentialConformance, Forces_SumToZero) {
    Eigen::Matrix3Xd forces;
    (void)potential_->energy_and_forces(cluster_, forces);
    EXPECT_LT(forces.rowwise().sum().norm(), 1e-9);
}

TEST_P(PotentialConformance, AtomEnergies_SumToTotal) {
    Eigen::VectorXd atom_energies;
    const double e = potential_->compute(cluster_, nullptr, &atom_energies);
    ASSERT_EQ(atom_energies.size(), static_cast<Eigen::Index>(cluster_.size()));
    EXPECT_NEAR(atom_energies.sum(), e, 1e-10 * std::max(1.0, std::abs(e)));
}

TEST_P(PotentialConformance, EnergyAndForces_InvariantUnderTranslation) {
    Eigen::Matrix3Xd f0, f1;
    const double e0 = potential_->energy_and_forces(cluster_, f0);
    Cluster moved = cluster_;
    moved.positions.colwise() += Eigen::Vector3d(13.7, -4.2, 101.3);
    const double e1 = potential_->energy_and_forces(moved, f1);
    EXPECT_NEAR(e1, e0, 1e-10 * std::max(1.0, std::abs(e0)));
    EXPECT_LT((f1 - f0).cwiseAbs().maxCoeff(), 1e-8);
}

TEST_P(PotentialConformance, EnergyAndForces_CovariantUnderRotation) {
    Eigen::Matrix3Xd f0, f1;
    const double e0 = potential_->energy_and_forces(cluster_, f0);
    const Eigen::Matrix3d rotation =
        Eigen::AngleAxisd(0.7, Eigen::Vector3d(1.0, -2.0, 0.5).normalized()).toRotationMatrix();
    Cluster rotated = cluster_;
    rotated.positions = rotation * cluster_.positions;
    const double e1 = potential_->energy_and_forces(rotated, f1);
    EXPECT_NEAR(e1, e0, 1e-10 * std::max(1.0, std::abs(e0)));
    EXPECT_LT((f1 - rotation * f0).cwiseAbs().maxCoeff(), 1e-8);
}

TEST_P(PotentialConformance, EnergyAndForces_CovariantUnderPermutation) {
    Eigen::Matrix3Xd f0, f1;
    const double e0 = potential_->energy_and_forces(cluster_, f0);
    const auto n = static_cast<Eigen::Index>(cluster_.size());
    std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = (i * 7 + 3) % n;  // 7 coprime to 24
    Cluster permuted = cluster_;
    for (Eigen::Index i = 0; i < n; ++i) {
        permuted.positions.col(i) = cluster_.positions.col(order[i]);
        permuted.species[i] = cluster_.species[order[i]];
    }
    const double e1 = potential_->energy_and_forces(permuted, f1);
    EXPECT_NEAR(e1, e0, 1e-10 * std::max(1.0, std::abs(e0)));
    for (Eigen::Index i = 0; i < n; ++i) EXPECT_LT((f1.col(i) - f0.col(order[i])).norm(), 1e-8);
}

TEST_P(PotentialConformance, Energy_ExtensiveForFarApartClusters) {
    const Cluster other = testing::random_cluster_for(*potential_, species_, 17, 11);
    Cluster both;
    both.positions.resize(3, static_cast<Eigen::Index>(cluster_.size() + other.size()));
    // Far beyond any cutoff, and for cutoff-free potentials far enough that the tails vanish.
    const double gap = std::isfinite(potential_->cutoff()) ? potential_->cutoff() + 50.0 : 1000.0;
    both.positions << cluster_.positions, (other.positions.colwise() + Eigen::Vector3d(gap, 0, 0));
    both.species = cluster_.species;
    both.species.insert(both.species.end(), other.species.begin(), other.species.end());
    const double e_a = potential_->energy(cluster_), e_b = potential_->energy(other);
    EXPECT_NEAR(potential_->energy(both), e_a + e_b, 1e-9 * (std::abs(e_a) + std::abs(e_b)));
}

TEST_P(PotentialConformance, Energy_NegativeForABoundCluster) {
    // Every shipped potential binds a compact cluster of its own species (EMT-style potentials
    // with energies relative to the bulk are the exception and override this in their tests).
    if (potential_->type() == "emt") GTEST_SKIP() << "EMT energies are relative to the bulk metal";
    EXPECT_LT(potential_->energy(cluster_), 0.0);
}

INSTANTIATE_TEST_SUITE_P(AllPotentials, PotentialConformance, ::testing::ValuesIn(testing::all_potential_cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace nanoscape
