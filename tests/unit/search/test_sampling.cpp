// Labelled data sets: labels equal the potential's, counts and compositions as requested,
// perturbations within their amplitude, and the same result for any thread count.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "nanoscape/core/error.hpp"
#include "nanoscape/io/potential_loader.hpp"
#include "nanoscape/search/sampling.hpp"

namespace nanoscape {
namespace {

const Species pt = species_from_symbol("Pt");
const Species au = species_from_symbol("Au");

// The 38-atom truncated octahedron as Pt19Au19.
BuildRequest to38() {
    BuildRequest r;
    r.motif = Motif::truncated_octahedron;
    r.shells = 1;
    r.composition = {{pt, 19}, {au, 19}};
    return r;
}

SamplingOptions small_options() {
    SamplingOptions o;
    o.counts.homotop = 4;
    o.counts.perturbed = 6;
    o.counts.relaxation = 7;  // 3 + 3 + 1 snapshots
    o.counts.random = 3;
    o.snapshots = 3;
    o.perturbation = 0.15;
    o.seed = 42;
    o.threads = 1;
    return o;
}

const Potential& emt() {
    static const auto potential = load_potential_spec("emt", "");
    return *potential;
}

std::vector<SampledStructure> sample(const SamplingOptions& options, std::vector<BuildRequest> requests = {to38()}) {
    return generate_samples(requests, emt(), options);
}

// Distance from each atom to the nearest site of `sites` (Angstrom), largest over the atoms.
double largest_site_offset(const Cluster& cluster, const Eigen::Matrix3Xd& sites) {
    double largest = 0.0;
    for (Eigen::Index i = 0; i < cluster.positions.cols(); ++i)
        largest = std::max(largest, (sites.colwise() - cluster.positions.col(i)).colwise().norm().minCoeff());
    return largest;
}

Eigen::Matrix3Xd ideal_sites() {
    Rng rng(0);
    const PairDistance d = [](Species a, Species b) { return emt().pair_distance(a, b); };
    return build_cluster(to38(), d, rng).positions;
}

TEST(Sampling, LabelsAreThePotentialsEnergyAndForces) {
    const auto samples = sample(small_options());
    ASSERT_EQ(samples.size(), 20u);
    for (const auto& s : samples) {
        Eigen::Matrix3Xd forces;
        const double e = emt().compute(s.sample.cluster, &forces, nullptr);
        EXPECT_EQ(s.sample.energy, e) << "structure " << s.index;
        ASSERT_TRUE(s.sample.forces.has_value());
        EXPECT_EQ(*s.sample.forces, forces) << "structure " << s.index;
    }
}

TEST(Sampling, CountsPerKindOrderAndComposition) {
    const auto samples = sample(small_options());
    std::vector<std::size_t> counts(4, 0);
    for (std::size_t i = 0; i < samples.size(); ++i) {
        const auto& s = samples[i];
        EXPECT_EQ(s.index, i);
        ++counts[static_cast<std::size_t>(s.kind)];
        if (i > 0) {
            EXPECT_GE(static_cast<int>(s.kind), static_cast<int>(samples[i - 1].kind));
        }
        EXPECT_EQ(s.sample.cluster.size(), 38u);
        EXPECT_EQ(s.sample.cluster.count(pt), 19u);
        EXPECT_EQ(s.sample.cluster.count(au), 19u);
    }
    EXPECT_EQ(counts, (std::vector<std::size_t>{4, 6, 7, 3}));
}

TEST(Sampling, HomotopsAreDifferentOrderingsOfTheIdealSites) {
    const auto samples = sample(small_options());
    const Eigen::Matrix3Xd sites = ideal_sites();
    std::vector<std::vector<Species>> orderings;
    for (const auto& s : samples)
        if (s.kind == SampleKind::homotop) {
            EXPECT_LT(largest_site_offset(s.sample.cluster, sites), 1e-9);
            // The species of the atom nearest each ideal site: the chemical ordering.
            std::vector<Species> ordering;
            for (Eigen::Index k = 0; k < sites.cols(); ++k) {
                Eigen::Index nearest = 0;
                (s.sample.cluster.positions.colwise() - sites.col(k)).colwise().norm().minCoeff(&nearest);
                ordering.push_back(s.sample.cluster.species[static_cast<std::size_t>(nearest)]);
            }
            orderings.push_back(ordering);
        }
    ASSERT_EQ(orderings.size(), 4u);
    for (std::size_t a = 0; a < orderings.size(); ++a)
        for (std::size_t b = a + 1; b < orderings.size(); ++b) EXPECT_NE(orderings[a], orderings[b]);
}

TEST(Sampling, PerturbationAmplitudeIsRespected) {
    SamplingOptions o;
    o.counts.perturbed = 40;
    o.perturbation = 0.2;
    o.seed = 7;
    const auto samples = sample(o);
    const Eigen::Matrix3Xd sites = ideal_sites();
    double sum_ratio2 = 0.0;
    std::size_t components = 0;
    double largest_amplitude = 0.0;
    for (const auto& s : samples) {
        ASSERT_EQ(s.kind, SampleKind::perturbed);
        EXPECT_GE(s.amplitude, 0.0);
        EXPECT_LE(s.amplitude, o.perturbation);
        largest_amplitude = std::max(largest_amplitude, s.amplitude);
        // Hard bound: the displacement is truncated at 3 amplitudes (and the nearest site is
        // no farther than the site the atom came from; 3 x 0.2 A is far below half a bond, so
        // the nearest site is the one it came from).
        EXPECT_LE(largest_site_offset(s.sample.cluster, sites), 3.0 * s.amplitude + 1e-9);
        if (s.amplitude <= 0.0) continue;
        for (Eigen::Index i = 0; i < s.sample.cluster.positions.cols(); ++i) {
            const Eigen::Index k = [&] {
                Eigen::Index nearest = 0;
                (sites.colwise() - s.sample.cluster.positions.col(i)).colwise().norm().minCoeff(&nearest);
                return nearest;
            }();
            const Eigen::Vector3d delta = s.sample.cluster.positions.col(i) - sites.col(k);
            sum_ratio2 += (delta / s.amplitude).squaredNorm();
            components += 3;
        }
    }
    // Amplitudes are spread over [0, perturbation].
    EXPECT_GT(largest_amplitude, 0.5 * o.perturbation);
    // Per component the displacement has standard deviation = amplitude (the 3-sigma
    // truncation of the 3-vector lowers it by ~2%).
    const double sd = std::sqrt(sum_ratio2 / static_cast<double>(components));
    EXPECT_NEAR(sd, 0.98, 0.08);
}

TEST(Sampling, RelaxationSnapshotsGoDownhillFromThePerturbedStart) {
    const auto samples = sample(small_options());
    std::vector<const SampledStructure*> trajectory;
    for (const auto& s : samples)
        if (s.kind == SampleKind::relaxation && s.stream == samples[10].stream) trajectory.push_back(&s);
    ASSERT_EQ(samples[10].kind, SampleKind::relaxation);
    ASSERT_EQ(trajectory.size(), 3u);
    EXPECT_EQ(trajectory.front()->relax_evaluations, 0);
    EXPECT_EQ(trajectory.front()->amplitude, 0.15);
    for (std::size_t k = 1; k < trajectory.size(); ++k)
        EXPECT_GT(trajectory[k]->relax_evaluations, trajectory[k - 1]->relax_evaluations);
    EXPECT_LT(trajectory.back()->sample.energy, trajectory.front()->sample.energy - 1.0);
    // The last snapshot is the lowest point of a relaxation run to fmax = 0.01 eV/A.
    EXPECT_LT(trajectory.back()->sample.forces->colwise().norm().maxCoeff(), 0.05);
    // The start is a perturbed homotop: within 3 amplitudes of the ideal sites.
    EXPECT_LE(largest_site_offset(trajectory.front()->sample.cluster, ideal_sites()), 3.0 * 0.15 + 1e-9);
}

TEST(Sampling, RandomClustersArePartlyRelaxedAndCompact) {
    const auto samples = sample(small_options());
    for (const auto& s : samples)
        if (s.kind == SampleKind::random) {
            EXPECT_GE(s.relax_evaluations, 1);
            EXPECT_LE(s.relax_evaluations, 20);
            EXPECT_EQ(s.sample.cluster.count(pt), 19u);
            EXPECT_GT(closest_pair(s.sample.cluster).distance, 1.5);
        }
}

TEST(Sampling, SameResultForAnyThreadCountAndSeedMatters) {
    SamplingOptions o = small_options();
    const auto one = sample(o);
    o.threads = 2;
    const auto two = sample(o);
    o.threads = 3;
    const auto three = sample(o);
    ASSERT_EQ(one.size(), two.size());
    ASSERT_EQ(one.size(), three.size());
    for (std::size_t i = 0; i < one.size(); ++i) {
        EXPECT_EQ(one[i].sample.cluster.positions, two[i].sample.cluster.positions);
        EXPECT_EQ(one[i].sample.cluster.species, two[i].sample.cluster.species);
        EXPECT_EQ(one[i].sample.energy, two[i].sample.energy);
        EXPECT_EQ(one[i].sample.energy, three[i].sample.energy);
        EXPECT_EQ(one[i].amplitude, three[i].amplitude);
    }
    o.seed = 43;
    const auto other = sample(o);
    EXPECT_NE(one[0].sample.cluster.species, other[0].sample.cluster.species);
}

TEST(Sampling, StructureKUsesStreamK) {
    // Structure g of a larger set is the same structure as in a smaller one: streams follow
    // the structure number, not the work schedule.
    SamplingOptions small;
    small.counts.homotop = 3;
    small.seed = 5;
    SamplingOptions large = small;
    large.counts.homotop = 10;
    const auto a = sample(small);
    const auto b = sample(large);
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].stream, i);
        EXPECT_EQ(a[i].sample.cluster.species, b[i].sample.cluster.species);
    }
}

TEST(Sampling, SeveralCompositions) {
    BuildRequest other = to38();
    other.composition = {{pt, 30}, {au, 8}};
    SamplingOptions o;
    o.counts.homotop = 2;
    o.counts.random = 1;
    const auto samples = sample(o, {to38(), other});
    ASSERT_EQ(samples.size(), 6u);
    for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(samples[i].request, i / 3);
    EXPECT_EQ(samples[4].sample.cluster.count(pt), 30u);
    EXPECT_EQ(samples[5].kind, SampleKind::random);
    EXPECT_EQ(samples[5].sample.cluster.count(au), 8u);
}

TEST(Sampling, SplitCountAndKindNames) {
    const auto c = split_count(10, {SampleKind::homotop, SampleKind::perturbed, SampleKind::relaxation});
    EXPECT_EQ(c.homotop, 4u);
    EXPECT_EQ(c.perturbed, 3u);
    EXPECT_EQ(c.relaxation, 3u);
    EXPECT_EQ(c.random, 0u);
    EXPECT_EQ(c.total(), 10u);
    EXPECT_THROW((void)split_count(3, {SampleKind::random, SampleKind::random}), InputError);
    EXPECT_EQ(parse_sample_kind("Perturbed"), SampleKind::perturbed);
    try {
        (void)parse_sample_kind("homotops");
        FAIL() << "no exception";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("did you mean 'homotop'"), std::string::npos) << e.what();
    }
}

TEST(Sampling, BadInputIsAnInputError) {
    SamplingOptions o;
    o.counts.homotop = 1;
    BuildRequest wrong = to38();
    wrong.composition = {{pt, 19}, {au, 18}};
    EXPECT_THROW((void)sample(o, {wrong}), InputError);
    BuildRequest argon = to38();
    argon.composition = {{species_from_symbol("Ar"), 38}};
    EXPECT_THROW((void)sample(o, {argon}), InputError);
    o.perturbation = -0.1;
    EXPECT_THROW((void)sample(o), InputError);
    o.perturbation = 0.1;
    o.snapshots = 0;
    EXPECT_THROW((void)sample(o), InputError);
    o.snapshots = 2;
    o.relaxer = "bfgs";
    EXPECT_THROW((void)sample(o), InputError);
}

}  // namespace
}  // namespace nanoscape
