// The engine's reusable parts, one property at a time: registry, parallel_for, random-stream
// keys, move set, displacement adaptation, Metropolis test, distinct-minima count, JSON state,
// local evaluator counts.

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "nanoscape/core/parallel.hpp"
#include "nanoscape/core/registry.hpp"
#include "nanoscape/geometry/builders.hpp"
#include "nanoscape/io/potential_loader.hpp"
#include "nanoscape/io/text_files.hpp"
#include "nanoscape/search/acceptance.hpp"
#include "nanoscape/search/evaluator.hpp"
#include "nanoscape/search/minima_archive.hpp"
#include "nanoscape/search/moves.hpp"
#include "nanoscape/search/state_json.hpp"
#include "support/search_harness.hpp"

namespace nanoscape {
namespace {

struct ToyEntry {
    std::string key;
    std::string summary;
};

TEST(Registry, UnknownKey_NamesClosestAndListsAll) {
    const Registry<ToyEntry> r("driver", "drivers", {{"basin_hopping", ""}, {"random_search", ""}});
    EXPECT_EQ(r.keys(), (std::vector<std::string>{"basin_hopping", "random_search"}));
    EXPECT_EQ(&r.get("random_search"), &r.entries()[1]);
    EXPECT_EQ(r.find("nope"), nullptr);
    try {
        (void)r.get("basin_hoping", SourceLocation{"run.toml", 3, 10});
        FAIL();
    } catch (const InputError& e) {
        EXPECT_STREQ(e.what(), "run.toml:3:10: unknown driver 'basin_hoping' (did you mean 'basin_hopping'?); drivers: "
                               "basin_hopping, random_search");
    }
}

TEST(ParallelFor, RethrowsTheLowestIndexWhateverTheThreads) {
    for (int threads : {1, 2, 4}) {
        std::vector<int> done(50, 0);
        try {
            parallel_for(50, ParallelOptions{threads, 1, 2}, [&](std::int64_t i) {
                done[static_cast<std::size_t>(i)] = 1;
                if (i == 7 || i == 31 || i == 49) throw std::runtime_error(std::to_string(i));
            });
            FAIL();
        } catch (const std::runtime_error& e) {
            EXPECT_STREQ(e.what(), "7") << threads << " threads";
        }
        // Every item runs even when some throw.
        EXPECT_EQ(std::count(done.begin(), done.end(), 1), 50);
    }
}

TEST(StreamKey, EveryFieldSeparatesStreams) {
    const auto first = [](const StreamKey& k) { return make_stream(42, k)(); };
    std::set<std::uint64_t> seen;
    for (const char* purpose : {"", "basin_hopping.walker", "random_search.candidate"})
        for (std::uint64_t composition : {0ULL, 1ULL, 77ULL})
            for (std::uint64_t index : {0ULL, 1ULL, 2ULL})
                for (std::uint64_t round : {0ULL, 1ULL}) seen.insert(first({purpose, composition, index, round}));
    EXPECT_EQ(seen.size(), 3u * 3u * 3u * 2u);
    // A key with only an index is the plain stream of that number.
    EXPECT_EQ(make_stream(42, StreamKey{{}, 0, 5, 0})(), make_stream(42, 5)());
}

TEST(SearchProblem, CompositionKeyDependsOnCountsNotOrder) {
    SearchProblem a, b, c;
    a.species = {29, 29, 47};
    b.species = {47, 29, 29};
    c.species = {29, 47, 47};
    EXPECT_EQ(a.composition_key(), b.composition_key());
    EXPECT_NE(a.composition_key(), c.composition_key());
    EXPECT_NE(a.stream("x", 0)(), c.stream("x", 0)());
}

TEST(SearchProblem, ReplicasHaveTheirOwnStreamsAndReplicaZeroIsThePlainRun) {
    SearchProblem plain;
    plain.species = {29, 29, 47};
    plain.seed = 9;
    // Replica 0 draws what a run without replicas draws (the key without the replica).
    SearchProblem zero = plain;
    zero.replica = 0;
    EXPECT_EQ(zero.stream("move", 3, 2)(), make_stream(9, StreamKey{"move", plain.composition_key(), 3, 2})());
    // Every other replica, every purpose and index: a stream of its own.
    std::set<std::uint64_t> seen;
    for (std::uint64_t r = 0; r < 50; ++r) {
        SearchProblem p = plain;
        p.replica = r;
        for (std::uint64_t index = 0; index < 4; ++index) seen.insert(p.stream("move", index)());
    }
    EXPECT_EQ(seen.size(), 50u * 4u);
}

class MoveSetTest : public ::testing::Test {
protected:
    void SetUp() override {
        potential_ = load_potential_spec("lj", "");
        problem_.species.assign(13, species_from_symbol("Ar"));
        problem_.potential = potential_.get();
        cluster_ = make_icosahedron(1, 1.12, species_from_symbol("Ar"));
    }
    std::unique_ptr<Potential> potential_;
    SearchProblem problem_;
    Cluster cluster_;
};

TEST_F(MoveSetTest, PickFollowsTheWeightsAndSkipsInapplicableMoves) {
    std::vector<std::string> skipped;
    MoveSet set = read_move_set(testing::search_table("moves = { displacement = 3, surface = 1, swap = 5 }"), problem_,
                                {}, {}, &skipped);
    EXPECT_EQ(skipped, (std::vector<std::string>{"swap (swap needs two elements)"}));
    Rng rng = make_stream(1, 0);
    std::map<std::string, int> counts;
    for (int k = 0; k < 20000; ++k) ++counts[set.pick(cluster_, rng).name()];
    EXPECT_EQ(counts.count("swap"), 0u);
    EXPECT_NEAR(counts["displacement"] / 20000.0, 0.75, 0.015);
    EXPECT_NEAR(counts["surface"] / 20000.0, 0.25, 0.015);
}

TEST_F(MoveSetTest, NoApplicableMove_IsAnInputErrorAtTheMovesKey) {
    try {
        (void)read_move_set(testing::search_table("moves = { swap = 1 }"), problem_, {}, {});
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("test.toml:2:"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("no move of positive weight applies to Ar13"), std::string::npos) << e.what();
    }
}

TEST_F(MoveSetTest, MoveParameters_ComeFromTheirTable) {
    MoveSet set = read_move_set(testing::search_table("[search.moves.displacement]\nweight = 1\nstep_size = 0.25\n"
                                                      "adapt_interval = 0\n"),
                                problem_, {}, {});
    const auto* d = dynamic_cast<const DisplacementMove*>(set.find("displacement"));
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->step(), 0.25);
    Cluster c = cluster_;
    Rng rng = make_stream(2, 0);
    set.pick(c, rng).apply(c, rng, MoveContext{potential_.get()});
    EXPECT_LE((c.positions - cluster_.positions).colwise().norm().maxCoeff(), 0.25 + 1e-12);
}

TEST(DisplacementMove, StepGrowsWhenMostStepsAreAcceptedAndShrinksOtherwise) {
    StepAdaptation a;
    a.target_acceptance = 0.5;
    a.interval = 10;
    a.factor = 0.9;
    a.min_step = 0.1;
    a.max_step = 1.0;
    DisplacementMove m(0.5, a);
    for (int k = 0; k < 9; ++k) m.report(true);
    EXPECT_EQ(m.step(), 0.5);  // not before the interval is full
    m.report(true);
    EXPECT_DOUBLE_EQ(m.step(), 0.5 / 0.9);
    for (int k = 0; k < 10; ++k) m.report(false);
    EXPECT_DOUBLE_EQ(m.step(), 0.5);
    for (int k = 0; k < 200; ++k) m.report(false);
    EXPECT_DOUBLE_EQ(m.step(), 0.1);  // bounded
    // The state round-trips (and a clone is independent).
    auto copy = m.clone();
    DisplacementMove restored(0.7, a);
    restored.load_state(m.save_state());
    EXPECT_EQ(restored.step(), m.step());
    for (int k = 0; k < 10; ++k) copy->report(true);
    EXPECT_DOUBLE_EQ(m.step(), 0.1);
}

TEST(Metropolis, AcceptanceRateIsTheBoltzmannFactorAndOneDrawPerCall) {
    const MetropolisAcceptance test(0.1);
    Rng rng = make_stream(3, 0);
    int accepted = 0;
    for (int k = 0; k < 40000; ++k) accepted += test.accept(-1.0 + 0.1, -1.0, rng) ? 1 : 0;
    EXPECT_NEAR(accepted / 40000.0, std::exp(-1.0), 0.01);
    Rng a = make_stream(4, 0), b = make_stream(4, 0);
    EXPECT_TRUE(test.accept(-2.0, -1.0, a));             // downhill: always
    EXPECT_FALSE(test.accept(std::nan(""), -1.0, a));    // a failed evaluation: never
    (void)b();
    (void)b();
    EXPECT_EQ(a(), b());  // both calls drew exactly one number
}

Minimum minimum_of(const Cluster& c, double e) {
    Minimum m;
    m.cluster = c;
    m.energy = e;
    return m;
}

TEST(MinimaArchive, FoundCountsDistinctMinimaBeyondTheCapacity) {
    ArchiveSettings settings;
    settings.capacity = 3;
    MinimaArchive archive(settings);
    const Cluster base = make_icosahedron(1, 1.1, species_from_symbol("Ar"));
    for (int k = 0; k < 10; ++k) {
        Cluster c = base;
        c.positions *= 1.0 + 0.02 * k;  // distinct radii
        archive.insert(minimum_of(c, -10.0 - k));
        archive.insert(minimum_of(c, -10.0 - k + 1e-7));  // the same minimum again
    }
    EXPECT_EQ(archive.minima().size(), 3u);
    EXPECT_EQ(archive.found(), 10u);
    EXPECT_EQ(archive.best_energy(), -19.0);
    // Degenerate energies, different structures: two minima.
    Cluster other = base;
    other.positions *= 3.0;
    archive.insert(minimum_of(other, -19.0));
    EXPECT_EQ(archive.found(), 11u);

    MinimaArchive restored(settings);
    restored.load_state(nlohmann::json::parse(archive.save_state().dump()));
    EXPECT_EQ(restored.found(), archive.found());
    EXPECT_EQ(restored.save_state(), archive.save_state());
    EXPECT_TRUE(restored.contains(other, -19.0));
}

TEST(StateJson, ClustersStreamsAndRealsRoundTripExactly) {
    Cluster c = make_icosahedron(2, 2.7, species_from_symbol("Ag"));
    c.species[0] = species_from_symbol("Cu");
    c.positions(0, 3) = 0.1 + 0.2;  // not a short decimal
    const Cluster back = cluster_from_json(nlohmann::json::parse(format_json(cluster_to_json(c))));
    EXPECT_EQ(back.species, c.species);
    EXPECT_EQ(back.positions, c.positions);
    Rng rng = make_stream(9, 9);
    (void)rng();
    Rng copy = rng_from_json(nlohmann::json::parse(rng_to_json(rng).dump()));
    EXPECT_EQ(copy(), rng());
    EXPECT_TRUE(std::isnan(real_from_json(real_to_json(std::nan("")))));
    EXPECT_EQ(real_from_json(real_to_json(-INFINITY)), -INFINITY);
    EXPECT_EQ(real_from_json(nlohmann::json::parse(real_to_json(1.0 / 3.0).dump())), 1.0 / 3.0);
}

TEST(LocalEvaluator, CountsEveryReferenceCallInOnePlace) {
    const auto lj = load_potential_spec("lj", "");
    const auto relaxer = create_relaxer(ParameterTable("relax"));
    RelaxOptions options;
    options.fmax = 1e-4;
    LocalEvaluator evaluator(*lj, *relaxer, options, 2);
    std::vector<Candidate> batch(3);
    Rng rng = make_stream(5, 0);
    for (auto& c : batch) c.cluster = make_random_cluster(std::vector<Species>(13, 18), 0.95, 1.3, rng);
    batch[2].action = CandidateAction::single_point;
    const auto results = evaluator.evaluate(batch);
    ASSERT_EQ(results.size(), 3u);
    EXPECT_EQ(results[0].status, EvaluationStatus::converged);
    EXPECT_EQ(results[2].status, EvaluationStatus::single_point);
    EXPECT_EQ(results[2].evaluations, 1);
    EXPECT_EQ(results[2].relaxations, 0);
    EXPECT_EQ(results[2].cluster.positions, batch[2].cluster.positions);
    EXPECT_NEAR(results[2].energy, lj->energy(batch[2].cluster), 1e-12);
    const auto counts = evaluator.counts();
    EXPECT_EQ(counts.reference_relaxations, 2);
    EXPECT_EQ(counts.reference_evaluations, results[0].evaluations + results[1].evaluations + 1);
    // The same batch on one thread: the same results.
    LocalEvaluator serial(*lj, *relaxer, options, 1);
    const auto again = serial.evaluate(batch);
    for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(again[i].energy, results[i].energy);
    LocalEvaluator restored(*lj, *relaxer, options, 1);
    restored.load_state(evaluator.save_state());
    EXPECT_EQ(restored.counts().reference_evaluations, counts.reference_evaluations);
}

}  // namespace
}  // namespace nanoscape
