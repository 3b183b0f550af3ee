// What crosses between MPI ranks: candidates and evaluations survive JSON and CBOR bit for bit
// (NaN, snapshots with forces, every field), and the task queue of one rank answers in task
// order. The 1- and 2-rank runs themselves are tests/mpi/test_mpi_ranks.sh.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "nanoscape/core/mpi.hpp"
#include "nanoscape/geometry/builders.hpp"
#include "nanoscape/io/potential_loader.hpp"
#include "nanoscape/relax/relaxer.hpp"
#include "nanoscape/search/batch_json.hpp"
#include "nanoscape/search/mpi_work.hpp"

namespace nanoscape {
namespace {

// Through CBOR, as MPI sends it.
nlohmann::json over_the_wire(const nlohmann::json& j) { return nlohmann::json::from_cbor(nlohmann::json::to_cbor(j)); }

TEST(BatchJson, CandidateKeepsEveryField) {
    Candidate c;
    Rng rng = make_stream(3, 0);
    c.cluster = make_random_cluster({29, 29, 47, 47, 47}, 1.0, 2.5, rng);
    c.action = CandidateAction::single_point;
    c.origin = 7;
    c.move = "twist";
    c.initial = true;
    c.archive = false;
    c.prior_evaluations = 11;
    c.local_updates = 13;
    c.snapshots = 4;
    c.max_relax_steps = 25;
    const Candidate back = candidate_from_json(over_the_wire(candidate_to_json(c)));
    EXPECT_EQ(back.cluster.species, c.cluster.species);
    EXPECT_EQ(back.cluster.positions, c.cluster.positions);  // exact, not near
    EXPECT_EQ(back.action, c.action);
    EXPECT_EQ(back.origin, 7);
    EXPECT_EQ(back.move, "twist");
    EXPECT_TRUE(back.initial);
    EXPECT_FALSE(back.archive);
    EXPECT_EQ(back.prior_evaluations, 11);
    EXPECT_EQ(back.local_updates, 13);
    EXPECT_EQ(back.snapshots, 4);
    EXPECT_EQ(back.max_relax_steps, 25);
}

TEST(BatchJson, EvaluationOfARealRelaxationIsExact) {
    const auto lj = load_potential_spec("lj", "");
    const auto relaxer = create_relaxer(ParameterTable("relax"));
    RelaxOptions options;
    options.fmax = 1e-4;
    const LocalEvaluator local(*lj, *relaxer, options, 1);
    std::vector<Candidate> batch(2);
    Rng rng = make_stream(5, 0);
    for (auto& c : batch) c.cluster = make_random_cluster(std::vector<Species>(13, 18), 0.95, 1.3, rng);
    batch[0].snapshots = 3;
    const auto results = local.evaluate_uncounted(batch);
    for (const auto& r : results) {
        const Evaluation back = evaluation_from_json(over_the_wire(evaluation_to_json(r)));
        EXPECT_EQ(back.energy, r.energy);
        EXPECT_EQ(back.cluster.positions, r.cluster.positions);
        EXPECT_EQ(back.status, r.status);
        EXPECT_EQ(back.evaluations, r.evaluations);
        EXPECT_EQ(back.relaxations, r.relaxations);
        EXPECT_EQ(std::isnan(back.start_energy), std::isnan(r.start_energy));
        ASSERT_EQ(back.snapshots.size(), r.snapshots.size());
        for (std::size_t k = 0; k < r.snapshots.size(); ++k) {
            EXPECT_EQ(back.snapshots[k].energy, r.snapshots[k].energy);
            ASSERT_TRUE(back.snapshots[k].forces.has_value());
            EXPECT_EQ(*back.snapshots[k].forces, *r.snapshots[k].forces);
        }
    }
    EXPECT_EQ(results[0].snapshots.size(), 3u);
    // An "evaluate" task answers what the evaluator returns, uncounted.
    nlohmann::json task = {{"kind", "evaluate"}, {"candidates", {candidate_to_json(batch[1])}}};
    const auto answer = over_the_wire(answer_evaluate_task(local, task));
    EXPECT_EQ(evaluation_from_json(answer.at("results").at(0)).energy, results[1].energy);
}

TEST(BatchJson, FailedEvaluationKeepsNanAndMessage) {
    Evaluation e;
    e.status = EvaluationStatus::failed;
    e.message = "calculator died";
    e.evaluations = 3;
    e.predicted_sigma = 0.25;
    const Evaluation back = evaluation_from_json(over_the_wire(evaluation_to_json(e)));
    EXPECT_TRUE(std::isnan(back.energy));
    EXPECT_TRUE(std::isnan(back.predicted_energy));
    EXPECT_EQ(back.predicted_sigma, 0.25);
    EXPECT_EQ(back.status, EvaluationStatus::failed);
    EXPECT_EQ(back.message, "calculator died");
    EXPECT_FALSE(back.ok());
    nlohmann::json bad = evaluation_to_json(e);
    bad["status"] = 99;
    EXPECT_THROW((void)evaluation_from_json(bad), InputError);
}

TEST(MpiWork, OneRankRunsTheTasksInOrder) {
    ASSERT_EQ(mpi::size(), 1);  // the unit tests are not started by mpirun
    std::vector<nlohmann::json> tasks;
    for (int i = 0; i < 5; ++i) tasks.push_back({{"x", i}});
    const auto answers = run_tasks_on_ranks(
        tasks, [](const nlohmann::json& t) { return nlohmann::json{{"y", t.at("x").get<int>() * 10}}; }, 1.0);
    ASSERT_EQ(answers.size(), 5u);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(answers[static_cast<std::size_t>(i)].at("y").get<int>(), i * 10);
}

}  // namespace
}  // namespace nanoscape
