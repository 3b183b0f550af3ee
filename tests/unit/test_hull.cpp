// The exact lower convex hull against a brute-force lower envelope, collinear points and ties,
// and the excess energies of every composition of a 13-atom Pt-Pd icosahedron (all 2^13
// homotops enumerated).

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "nanoscape/core/error.hpp"
#include "nanoscape/core/rng.hpp"
#include "nanoscape/geometry/builders.hpp"
#include "nanoscape/hull/convex_hull.hpp"
#include "nanoscape/io/potential_loader.hpp"

namespace nanoscape {
namespace {

// The lower convex envelope at n: the lowest point of n, or the lowest chord between points
// on either side (a convex combination of two points is all a 1-D lower envelope needs).
double brute_force_envelope(const std::vector<CompositionEnergy>& pts, double n, double ea, double eb, int size) {
    const auto excess = [&](const CompositionEnergy& c) {
        const double x = static_cast<double>(c.n) / size;
        return c.energy - (1 - x) * ea - x * eb;
    };
    double best = std::numeric_limits<double>::infinity();
    for (const auto& a : pts) {
        if (a.n == n) best = std::min(best, excess(a));
        for (const auto& b : pts)
            if (a.n < n && n < b.n) {
                const double t = (n - a.n) / static_cast<double>(b.n - a.n);
                best = std::min(best, excess(a) + t * (excess(b) - excess(a)));
            }
    }
    return best;
}

void expect_matches_brute_force(const ConvexHull& hull, const std::vector<CompositionEnergy>& pts) {
    for (const auto& r : hull.rows) {
        const double envelope = brute_force_envelope(pts, r.n, hull.reference_a, hull.reference_b, hull.size);
        EXPECT_NEAR(hull.at(r.n), envelope, 1e-12) << "n = " << r.n;
        EXPECT_NEAR(r.distance_to_hull, std::max(0.0, r.excess_energy - envelope), 1e-12) << "n = " << r.n;
        EXPECT_EQ(r.on_hull, r.excess_energy - envelope <= 1e-9) << "n = " << r.n;
    }
}

TEST(ConvexHull, RandomPointsWithTies_MatchBruteForceEnvelope) {
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        Rng rng = make_stream(seed, 0);
        const int size = 5 + static_cast<int>(rng.below(30));
        std::vector<CompositionEnergy> pts{{0, -10.0 * size}, {size, -8.0 * size}};
        for (int k = 0; k < 2 * size; ++k)
            pts.push_back({static_cast<int>(rng.below(static_cast<std::uint64_t>(size) + 1)), -9.0 * size - 3.0 * rng.uniform()});
        const ConvexHull hull = convex_hull(size, pts);
        expect_matches_brute_force(hull, pts);
        // One row per distinct n, the lowest energy of each.
        for (const auto& r : hull.rows)
            for (const auto& p : pts)
                if (p.n == r.n) {
                    EXPECT_LE(r.energy, p.energy);
                }
        EXPECT_TRUE(hull.rows.front().vertex);
        EXPECT_TRUE(hull.rows.back().vertex);
        EXPECT_DOUBLE_EQ(hull.rows.front().excess_energy, 0.0);
        EXPECT_DOUBLE_EQ(hull.rows.back().excess_energy, 0.0);
    }
}

TEST(ConvexHull, CollinearPoints_AreOnTheHullButNotCorners) {
    // Excess energies exactly on the line from (0, 0) to (4, 0) and below it on a straight chord.
    const std::vector<CompositionEnergy> line{{0, 0.0}, {1, 0.0}, {2, 0.0}, {3, 0.0}, {4, 0.0}};
    const ConvexHull flat = convex_hull(4, line);
    for (const auto& r : flat.rows) {
        EXPECT_TRUE(r.on_hull);
        EXPECT_EQ(r.vertex, r.n == 0 || r.n == 4) << r.n;
        EXPECT_EQ(r.distance_to_hull, 0.0);
    }
    // V shape with collinear points on both arms (pure references at 0).
    const std::vector<CompositionEnergy> v{{0, 0.0}, {1, -1.0}, {2, -2.0}, {3, -1.0}, {4, 0.0}, {2, -1.5}};
    const ConvexHull vee = convex_hull(4, v);
    ASSERT_EQ(vee.rows.size(), 5u);
    EXPECT_EQ(vee.vertices().size(), 3u);
    EXPECT_TRUE(vee.rows[1].on_hull);
    EXPECT_FALSE(vee.rows[1].vertex);
    EXPECT_DOUBLE_EQ(vee.rows[2].energy, -2.0);  // the lower of the two n = 2 entries
}

TEST(ConvexHull, MissingPureEndOrBadComposition_IsInputError) {
    EXPECT_THROW((void)convex_hull(4, std::vector<CompositionEnergy>{{0, -1.0}, {2, -3.0}}), InputError);
    EXPECT_THROW((void)convex_hull(4, std::vector<CompositionEnergy>{{0, -1.0}, {4, -2.0}, {5, -3.0}}), InputError);
    EXPECT_THROW((void)convex_hull(0, std::vector<CompositionEnergy>{}), InputError);
}

// Every homotop of every composition of a fixed 13-atom icosahedron (Gupta Pt-Pd): the hull of
// the lowest energy per composition against the brute-force envelope, and the excess energy of
// the lowest homotop recomputed from its definition.
TEST(ConvexHull, ExhaustivePtPd13Icosahedron) {
    const auto gupta = load_potential_spec(std::string(NANOSCAPE_SOURCE_DIR) + "/inputs/potentials/gupta_ptpd_johnston.toml", "");
    const Species pt = species_from_symbol("Pt"), pd = species_from_symbol("Pd");
    Cluster ico = make_icosahedron(1, gupta->pair_distance(pt, pd), pt);
    std::vector<CompositionEnergy> all;
    std::vector<double> lowest(14, std::numeric_limits<double>::infinity());
    for (std::uint32_t mask = 0; mask < (1u << 13); ++mask) {
        int n = 0;
        for (std::size_t i = 0; i < 13; ++i) {
            const bool is_pd = (mask >> i) & 1u;
            ico.species[i] = is_pd ? pd : pt;
            n += is_pd;
        }
        const double e = gupta->energy(ico);
        all.push_back({n, e});
        lowest[static_cast<std::size_t>(n)] = std::min(lowest[static_cast<std::size_t>(n)], e);
    }
    const ConvexHull hull = convex_hull(13, all);
    ASSERT_EQ(hull.rows.size(), 14u);
    std::vector<CompositionEnergy> best;
    for (int n = 0; n <= 13; ++n) best.push_back({n, lowest[static_cast<std::size_t>(n)]});
    expect_matches_brute_force(hull, best);
    for (const auto& r : hull.rows) {
        EXPECT_DOUBLE_EQ(r.energy, lowest[static_cast<std::size_t>(r.n)]);
        EXPECT_NEAR(r.excess_energy, lowest[static_cast<std::size_t>(r.n)] - (13 - r.n) / 13.0 * lowest[0] - r.n / 13.0 * lowest[13], 1e-12);
    }
    // Pt-Pd mixes (negative excess energies inside): the hull dips below zero.
    EXPECT_LT(hull.at(6.0), 0.0);
}

}  // namespace
}  // namespace nanoscape
