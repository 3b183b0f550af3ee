// Screening: the LCB surface against finite differences, and the screening evaluator's
// contract: plain until the initial design, only `verify` reference relaxations per batch,
// honest counts, starting structures never screened, exact checkpoints, thread independence.

#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "nanoscape/relax/relaxer.hpp"
#include "nanoscape/search/screening.hpp"
#include "nanoscape/search/state_json.hpp"
#include "nanoscape/surrogate/lcb_potential.hpp"
#include "support/surrogate_data.hpp"

namespace nanoscape {
namespace {

const std::vector<Species> pt_au{78, 79};

// A cheap, density-sensitive model: squared-exponential kernel on symmetry functions.
ParameterTable model_table() {
    ParameterTable t("surrogate");
    t.set("type", ParameterValue::of("gpr"));
    t.set("kernel", ParameterValue::of("squared_exponential"));
    ParameterValue descriptor;
    descriptor.kind = ParameterValue::Kind::table;
    descriptor.table.emplace_back("type", ParameterValue::of("symmetry_functions"));
    t.set("descriptor", descriptor);
    return t;
}

std::unique_ptr<Relaxer> lbfgs() { return create_relaxer(ParameterTable("relax")); }

TEST(LcbPotential, IsMeanMinusKappaSigma_WithForcesFromFiniteDifferences) {
    const auto emt = test::make_emt();
    auto model = create_surrogate(model_table(), pt_au);
    model->fit(test::make_ptau_samples(30, 1, 13, 6));
    const Cluster probe = test::make_ptau_samples(1, 9, 13, 6, 0.3).front().cluster;
    const double kappa = 1.5;
    const LcbPotential lcb(*model, kappa, *emt);
    const Prediction p = model->predict(probe);
    EXPECT_NEAR(lcb.energy(probe), p.energy - kappa * p.sigma(), 1e-10);

    Eigen::Matrix3Xd forces;
    (void)lcb.energy_and_forces(probe, forces);
    const double h = 1e-5;
    for (Eigen::Index i = 0; i < 4; ++i)
        for (int k = 0; k < 3; ++k) {
            Cluster plus = probe, minus = probe;
            plus.positions(k, i) += h;
            minus.positions(k, i) -= h;
            const double fd = -(lcb.energy(plus) - lcb.energy(minus)) / (2 * h);
            EXPECT_NEAR(forces(k, i), fd, 1e-5 * std::max(1.0, std::abs(fd))) << "atom " << i << " axis " << k;
        }
}

TEST(LcbPotential, RepulsivePriorActsOnlyOnOverlappingAtoms_WithConsistentForces) {
    const auto emt = test::make_emt();
    auto model = create_surrogate(model_table(), pt_au);
    model->fit(test::make_ptau_samples(30, 1, 13, 6));
    Cluster probe = test::make_ptau_samples(1, 9, 13, 6, 0.05).front().cluster;
    const LcbPotential with(*model, 0.0, *emt), without(*model, 0.0, *emt, 0.0);
    EXPECT_DOUBLE_EQ(with.energy(probe), without.energy(probe));  // sensible bonds: no prior
    // Push atom 1 to 0.5 bond lengths from atom 0.
    const double bond = emt->pair_distance(probe.species[0], probe.species[1]);
    const Eigen::Vector3d d = (probe.positions.col(1) - probe.positions.col(0)).normalized();
    probe.positions.col(1) = probe.positions.col(0) + 0.5 * bond * d;
    EXPECT_GT(with.energy(probe) - without.energy(probe), 1.0);
    Eigen::Matrix3Xd forces;
    (void)with.energy_and_forces(probe, forces);
    const double h = 1e-6;
    for (int k = 0; k < 3; ++k) {
        Cluster plus = probe, minus = probe;
        plus.positions(k, 1) += h;
        minus.positions(k, 1) -= h;
        const double fd = -(with.energy(plus) - with.energy(minus)) / (2 * h);
        EXPECT_NEAR(forces(k, 1), fd, 1e-4 * std::max(1.0, std::abs(fd)));
    }
}

struct Rig {
    std::unique_ptr<Potential> emt = test::make_emt();
    std::unique_ptr<Relaxer> relaxer = lbfgs();
    RelaxOptions options;
    std::unique_ptr<ScreeningEvaluator> screening;

    Rig(const ScreeningSettings& settings, int threads) {
        options.fmax = 0.01;
        auto local = std::make_unique<LocalEvaluator>(*emt, *relaxer, options, threads);
        screening = std::make_unique<ScreeningEvaluator>(std::move(local), create_surrogate(model_table(), pt_au), pt_au,
                                                         *emt, *relaxer, options, settings, threads);
    }
};

std::vector<Candidate> batch_of(int count, std::uint64_t seed, bool initial = false) {
    std::vector<Candidate> out;
    for (auto& s : test::make_ptau_samples(count, seed, 13, 6, 0.25)) {
        Candidate c;
        c.cluster = s.cluster;
        c.move = "test";
        c.initial = initial;
        out.push_back(std::move(c));
    }
    return out;
}

ScreeningSettings small_design() {
    ScreeningSettings s;
    s.initial_design = 6;
    s.verify = 2;
    s.kappa = 0.5;
    return s;
}

long sum_evaluations(const std::vector<Evaluation>& results) {
    long n = 0;
    for (const auto& r : results) n += r.evaluations;
    return n;
}

TEST(ScreeningEvaluator, PlainUntilTheInitialDesign_ThenVerifiesOnlyTheBestFew) {
    Rig rig(small_design(), 2);
    const auto first = rig.screening->evaluate(batch_of(6, 1));
    for (const auto& r : first) EXPECT_NE(r.status, EvaluationStatus::screened);
    EXPECT_EQ(rig.screening->counts().reference_relaxations, 6);
    ASSERT_TRUE(rig.screening->surrogate().ready());

    const auto second = rig.screening->evaluate(batch_of(8, 2));
    int verified = 0, screened = 0;
    for (const auto& r : second) {
        if (r.status == EvaluationStatus::screened) {
            ++screened;
            EXPECT_TRUE(std::isnan(r.energy));
            EXPECT_EQ(r.evaluations, 0);
            EXPECT_FALSE(r.message.empty());
        } else {
            ++verified;
            EXPECT_EQ(r.relaxations, 1);
            EXPECT_TRUE(std::isfinite(r.predicted_energy));
            EXPECT_TRUE(std::isfinite(r.start_energy));
            // The reference started from the structure the surrogate ranked, not the proposal.
        }
    }
    EXPECT_EQ(verified, 2);
    EXPECT_EQ(screened, 6);
    const EvaluationCounts c = rig.screening->counts();
    EXPECT_EQ(c.reference_relaxations, 8);
    EXPECT_EQ(c.reference_evaluations, sum_evaluations(first) + sum_evaluations(second));
    EXPECT_EQ(c.screened, 6);
    EXPECT_GT(c.surrogate_predictions, 8);
    EXPECT_TRUE(std::isfinite(rig.screening->mean_absolute_error()));
}

TEST(ScreeningEvaluator, StartingStructuresAndSinglePointsAreNeverScreened) {
    Rig rig(small_design(), 1);
    (void)rig.screening->evaluate(batch_of(6, 1));
    auto batch = batch_of(3, 3, true);
    auto singles = batch_of(2, 4);
    for (auto& c : singles) c.action = CandidateAction::single_point;
    batch.insert(batch.end(), singles.begin(), singles.end());
    for (const auto& r : rig.screening->evaluate(batch)) EXPECT_NE(r.status, EvaluationStatus::screened);
}

TEST(ScreeningEvaluator, CheckpointContinuesBitIdentically_AndThreadsDoNotMatter) {
    const ScreeningSettings settings = small_design();
    Rig a(settings, 2);
    (void)a.screening->evaluate(batch_of(6, 1));
    (void)a.screening->evaluate(batch_of(8, 2));
    // Through text, as a checkpoint file would carry it.
    const nlohmann::json state = nlohmann::json::parse(a.screening->save_state().dump());
    Rig b(settings, 1);
    b.screening->load_state(state);
    const auto next = batch_of(8, 5);
    const auto ra = a.screening->evaluate(next);
    const auto rb = b.screening->evaluate(next);
    ASSERT_EQ(ra.size(), rb.size());
    for (std::size_t i = 0; i < ra.size(); ++i) {
        EXPECT_EQ(ra[i].status, rb[i].status) << i;
        if (ra[i].ok()) {
            EXPECT_EQ(ra[i].energy, rb[i].energy) << i;
        }
        EXPECT_EQ(std::isnan(ra[i].predicted_energy), std::isnan(rb[i].predicted_energy));
        if (!std::isnan(ra[i].predicted_energy)) {
            EXPECT_EQ(ra[i].predicted_energy, rb[i].predicted_energy) << i;
        }
        EXPECT_TRUE(ra[i].cluster.positions == rb[i].cluster.positions) << i;
    }
    EXPECT_EQ(a.screening->report().dump(), b.screening->report().dump());
}

TEST(ScreeningEvaluator, InheritedTrainingCountsTowardsTheDesign_AndIsShared) {
    const ScreeningSettings settings = small_design();  // initial_design 6, verify 2
    Rig a(settings, 2);
    (void)a.screening->evaluate(batch_of(6, 1));
    (void)a.screening->evaluate(batch_of(8, 2));
    const nlohmann::json pool = a.screening->save_state().at("pool");
    // shared_training: the last points of the pool, oldest first.
    const auto last = a.screening->shared_training(5);
    ASSERT_EQ(last.size(), 5u);
    for (std::size_t i = 0; i < last.size(); ++i)
        EXPECT_EQ(sample_to_json(last[i]), pool.at(pool.size() - 5 + i)) << i;
    EXPECT_EQ(a.screening->shared_training(100000).size(), pool.size());

    // A search that inherits a complete design screens its very first batch.
    Rig b(settings, 1);
    b.screening->inherit_training(a.screening->shared_training(100000));
    ASSERT_TRUE(b.screening->surrogate().ready());
    EXPECT_TRUE(b.screening->trial_surface().potential);
    const auto first = b.screening->evaluate(batch_of(8, 3));
    EXPECT_EQ(std::count_if(first.begin(), first.end(), [](const Evaluation& r) { return r.status == EvaluationStatus::screened; }),
              6);
    EXPECT_EQ(b.screening->counts().reference_relaxations, 2);
    EXPECT_EQ(b.screening->report().at("training_inherited").get<std::size_t>(), pool.size());
    // Once it has evaluated, a late inheritance changes nothing.
    const std::string before = b.screening->save_state().dump();
    b.screening->inherit_training(a.screening->shared_training(3));
    EXPECT_EQ(b.screening->save_state().dump(), before);
    // The checkpoint keeps what was inherited.
    Rig restored(settings, 1);
    restored.screening->load_state(nlohmann::json::parse(before));
    EXPECT_EQ(restored.screening->report().dump(), b.screening->report().dump());

    // Fewer points than the design: the rest of the design is still asked for, then it screens.
    Rig c(settings, 1);
    c.screening->inherit_training(a.screening->shared_training(4));
    EXPECT_FALSE(c.screening->surrogate().ready());
    EXPECT_EQ(c.screening->trial_surface().design, 2);
    const auto design = c.screening->evaluate(batch_of(2, 4));
    for (const auto& r : design) EXPECT_NE(r.status, EvaluationStatus::screened);
    EXPECT_TRUE(c.screening->surrogate().ready());
}

TEST(ScreeningSettings, KappaDecaysLinearlyToItsFinalValue) {
    ScreeningSettings s;
    s.kappa = 2.0;
    s.kappa_final = 0.5;
    s.kappa_decay = 10;
    EXPECT_DOUBLE_EQ(s.kappa_at(0), 2.0);
    EXPECT_DOUBLE_EQ(s.kappa_at(5), 1.25);
    EXPECT_DOUBLE_EQ(s.kappa_at(100), 0.5);
}

TEST(StateJson, ParameterValuesRoundTripWithTheirKinds) {
    ParameterTable t("surrogate");
    t.set("type", ParameterValue::of("gpr"));
    t.set("sparse_points", ParameterValue::of(300));
    t.set("signal", ParameterValue::of(0.1234567890123456789));
    t.set("optimize", ParameterValue::of(false));
    t.set("list", ParameterValue::of(std::vector<double>{1.5, 2.5}));
    const ParameterValue back = parameter_value_from_json(nlohmann::json::parse(parameter_value_to_json(t.value()).dump()));
    const ParameterTable r(back, "surrogate");
    EXPECT_EQ(r.get_string("type", ""), "gpr");
    EXPECT_EQ(r.find("sparse_points")->kind, ParameterValue::Kind::integer);
    EXPECT_EQ(r.get_integer("sparse_points", 0), 300);
    EXPECT_EQ(r.get_real("signal", 0), 0.1234567890123456789);
    EXPECT_FALSE(r.get_bool("optimize", true));
    EXPECT_EQ(r.get_real_array("list"), (std::vector<double>{1.5, 2.5}));
}

}  // namespace
}  // namespace nanoscape
