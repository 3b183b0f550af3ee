// Minima archive and basin-hopping moves, one property at a time.

#include <gtest/gtest.h>

#include <Eigen/Geometry>
#include <algorithm>

#include "nanoscape/geometry/builders.hpp"
#include "nanoscape/io/potential_loader.hpp"
#include "nanoscape/search/minima_archive.hpp"
#include "nanoscape/search/moves.hpp"

namespace nanoscape {
namespace {

Minimum minimum_of(const Cluster& c, double e) {
    Minimum m;
    m.cluster = c;
    m.energy = e;
    return m;
}

Cluster lj13() { return make_icosahedron(1, 1.1, species_from_symbol("Ar")); }

TEST(Fingerprint, InvariantUnderRotationTranslationAndPermutation) {
    const Cluster c = lj13();
    Cluster moved = c;
    const Eigen::Matrix3d rot = Eigen::AngleAxisd(1.1, Eigen::Vector3d(0.3, 1, -0.4).normalized()).toRotationMatrix();
    moved.positions = rot * c.positions;
    moved.positions.colwise() += Eigen::Vector3d(5, -2, 7);
    std::swap_ranges(moved.positions.col(0).data(), moved.positions.col(0).data() + 3, moved.positions.col(7).data());
    EXPECT_LT(fingerprint_distance(structural_fingerprint(c), structural_fingerprint(moved)), 1e-12);
}

TEST(Fingerprint, DistinguishesHomotops) {
    Cluster a = lj13(), b = lj13();
    a.species[0] = species_from_symbol("Cu");   // centre
    b.species[5] = species_from_symbol("Cu");   // surface
    EXPECT_GT(fingerprint_distance(structural_fingerprint(a), structural_fingerprint(b)), 0.05);
}

TEST(MinimaArchive, Duplicate_IsNotAddedTwice) {
    MinimaArchive archive;
    EXPECT_TRUE(archive.insert(minimum_of(lj13(), -44.326801)));
    Cluster shifted = lj13();
    shifted.positions.colwise() += Eigen::Vector3d(1, 2, 3);
    EXPECT_FALSE(archive.insert(minimum_of(shifted, -44.326801 + 1e-7)));
    EXPECT_EQ(archive.minima().size(), 1u);
}

TEST(MinimaArchive, SameEnergyDifferentStructure_IsKept) {
    MinimaArchive archive;
    Cluster other = lj13();
    other.positions(0, 3) += 0.3;
    EXPECT_TRUE(archive.insert(minimum_of(lj13(), -10.0)));
    EXPECT_TRUE(archive.insert(minimum_of(other, -10.0)));
    EXPECT_EQ(archive.minima().size(), 2u);
}

TEST(MinimaArchive, KeepsTheLowestInOrderUpToCapacity) {
    ArchiveSettings settings;
    settings.capacity = 3;
    MinimaArchive archive(settings);
    for (int k = 0; k < 6; ++k) {
        Cluster c = lj13();
        c.positions(0, 0) += 0.1 * k;  // distinct structures
        archive.insert(minimum_of(c, static_cast<double>((k * 5) % 6)));  // energies 0 5 4 3 2 1
    }
    ASSERT_EQ(archive.minima().size(), 3u);
    EXPECT_EQ(archive.minima()[0].energy, 0.0);
    EXPECT_EQ(archive.minima()[1].energy, 1.0);
    EXPECT_EQ(archive.minima()[2].energy, 2.0);
}

class MovesTest : public ::testing::Test {
protected:
    void SetUp() override {
        potential_ = load_potential_spec(std::string(NANOSCAPE_SOURCE_DIR) + "/inputs/potentials/gupta_agcu_ferrando.toml", "");
        cluster_ = make_icosahedron(2, 2.8, species_from_symbol("Ag"));
        for (int i = 0; i < 13; ++i) cluster_.species[static_cast<std::size_t>(i)] = species_from_symbol("Cu");
    }
    std::unique_ptr<Potential> potential_;
    Cluster cluster_;
};

TEST_F(MovesTest, Displacement_MovesEveryAtomAtMostTheStepSize) {
    Cluster c = cluster_;
    Rng rng = make_stream(1, 0);
    DisplacementMove(0.5, StepAdaptation{}).apply(c, rng, MoveContext{potential_.get()});
    const Eigen::VectorXd moved = (c.positions - cluster_.positions).colwise().norm();
    EXPECT_LE(moved.maxCoeff(), 0.5 + 1e-12);
    EXPECT_GT(moved.minCoeff(), 0.0);
    EXPECT_EQ(c.species, cluster_.species);
}

TEST_F(MovesTest, Swap_KeepsCompositionAndExchangesUnlikeAtoms) {
    Cluster c = cluster_;
    Rng rng = make_stream(2, 0);
    SwapMove().apply(c, rng, MoveContext{potential_.get()});
    EXPECT_EQ(c.count(species_from_symbol("Cu")), 13u);
    int changed = 0;
    for (std::size_t i = 0; i < c.size(); ++i) changed += c.species[i] != cluster_.species[i];
    EXPECT_EQ(changed, 2);
    EXPECT_EQ(c.positions, cluster_.positions);
    Cluster pure = make_icosahedron(1, 2.8, species_from_symbol("Ag"));
    EXPECT_FALSE(SwapMove().applicable(pure));
}

TEST_F(MovesTest, Surface_MovesLowCoordinatedAtomsToBetterSitesWithoutOverlaps) {
    // A 55-atom icosahedron with one atom pulled far out: the surface move must bring a
    // low-coordinated atom back to a site with more neighbours, without overlaps.
    Cluster c = cluster_;
    c.positions.col(54) *= 1.6;
    const auto before = coordination_numbers(c, *potential_);
    Rng rng = make_stream(3, 0);
    SurfaceMove(1, 50).apply(c, rng, MoveContext{potential_.get()});
    const auto after = coordination_numbers(c, *potential_);
    EXPECT_GT(after[54], before[54]);
    EXPECT_NO_THROW(check_no_overlap(c, *potential_, "after the surface move", 0.8));
}

TEST(Moves, UnknownName_SuggestsClosest) {
    try {
        (void)move_registry().get("swapp");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("did you mean 'swap'"), std::string::npos);
    }
}

}  // namespace
}  // namespace nanoscape
