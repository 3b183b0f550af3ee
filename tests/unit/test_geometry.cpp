#include <gtest/gtest.h>

#include <algorithm>

#include "nanoscape/geometry/bond_graph.hpp"
#include "nanoscape/geometry/builders.hpp"
#include "nanoscape/geometry/neighbour_list.hpp"

namespace nanoscape {
namespace {

TEST(Icosahedron, AtomCounts_FollowMackaySeries) {
    // 1 + sum_{k=1..K} (10 k^2 + 2): 13, 55, 147, 309, 561.
    const std::vector<std::size_t> expected{1, 13, 55, 147, 309, 561};
    for (int k = 0; k <= 5; ++k) EXPECT_EQ(make_icosahedron(k, 1.0, 18).size(), expected[static_cast<std::size_t>(k)]);
}

TEST(Icosahedron, NearestNeighbourDistances_AreRadialAndTangentialSpacings) {
    const Cluster c = make_icosahedron(3, 2.8, 79);
    const auto pairs = build_half_neighbour_list(c.positions, 3.2);
    double shortest = 1e9, longest = 0;
    for (const auto& p : pairs) shortest = std::min(shortest, p.r), longest = std::max(longest, p.r);
    // d_t = 2.8 / (1 + 0.951) * ... : radial 0.951 d_t, tangential d_t, mean 2.8.
    EXPECT_NEAR(0.5 * (shortest + longest), 2.8, 1e-6);
    EXPECT_NEAR(shortest / longest, 0.9510565162951535, 1e-9);
}

TEST(FccSphere, CentralAtomHasTwelveNeighboursAtANearestNeighbourDistance) {
    const double a = 4.08;
    const Cluster c = make_fcc_sphere(a, 10.0, 79);
    int neighbours = 0;
    for (Eigen::Index i = 0; i < c.positions.cols(); ++i) {
        const double r = c.positions.col(i).norm();
        if (r > 1e-9 && r < a / std::sqrt(2.0) + 1e-6) ++neighbours;
    }
    EXPECT_EQ(neighbours, 12);
}

TEST(NeighbourList, CellListsFindExactlyTheBruteForcePairs) {
    Rng rng = make_stream(3, 0);
    const Cluster c = make_random_cluster(std::vector<Species>(700, 29), 2.2, 2.9, rng);
    const double cutoff = 4.4;
    auto fast = build_half_neighbour_list(c.positions, cutoff);
    std::vector<std::pair<int, int>> expected;
    for (int i = 0; i < 700; ++i)
        for (int j = i + 1; j < 700; ++j)
            if ((c.positions.col(j) - c.positions.col(i)).norm() < cutoff) expected.emplace_back(i, j);
    std::vector<std::pair<int, int>> got;
    for (const auto& p : fast) {
        EXPECT_LT(p.i, p.j);
        EXPECT_NEAR((c.positions.col(p.j) - c.positions.col(p.i) - p.d).norm(), 0.0, 1e-12);
        got.emplace_back(p.i, p.j);
    }
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, expected);
}

TEST(NeighbourList, ExplodedClusterDoesNotAllocateAHugeGrid) {
    Rng rng = make_stream(5, 0);
    Cluster c = make_random_cluster(std::vector<Species>(200, 29), 2.2, 2.9, rng);
    c.positions(0, 0) = 1e9;  // one atom flung far away
    const auto pairs = build_half_neighbour_list(c.positions, 4.0);
    EXPECT_GT(pairs.size(), 0u);
}

TEST(BondGraph, TwoSeparatedClusters_AreTwoFragments) {
    Cluster a = make_icosahedron(1, 2.8, 79), b = a;
    b.positions.colwise() += Eigen::Vector3d(30, 0, 0);
    Cluster both;
    both.positions.resize(3, 26);
    both.positions << a.positions, b.positions;
    both.species.assign(26, 79);
    EXPECT_EQ(count_fragments(a, covalent_bond_cutoff), 1);
    EXPECT_EQ(count_fragments(both, covalent_bond_cutoff), 2);
}

TEST(RandomCluster, IsConnectedAndHasNoOverlaps) {
    Rng rng = make_stream(9, 1);
    const Cluster c = make_random_cluster(std::vector<Species>(80, 78), 2.4, 3.2, rng);
    EXPECT_EQ(count_fragments(c, [](Species, Species) { return 3.2 + 1e-9; }), 1);
    EXPECT_GE(closest_pair(c).distance, 2.4);
}

TEST(Rng, StreamsAreReproducibleAndDistinct) {
    Rng a = make_stream(42, 0), b = make_stream(42, 0), c = make_stream(42, 1);
    for (int i = 0; i < 100; ++i) {
        const auto x = a();
        EXPECT_EQ(x, b());
        EXPECT_NE(x, c());
    }
}

}  // namespace
}  // namespace nanoscape
