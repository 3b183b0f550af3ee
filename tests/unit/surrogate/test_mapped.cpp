// Mapped 2-body GP: the tables against the GP they come from, a pair potential recovered from
// its own energies and forces, the grid guard, persistence, the variance modes and input errors.

#include <cmath>
#include <sstream>

#include <gtest/gtest.h>

#include "nanoscape/core/error.hpp"
#include "nanoscape/core/rng.hpp"
#include "nanoscape/potentials/local_energy.hpp"
#include "nanoscape/potentials/registry.hpp"
#include "nanoscape/surrogate/lcb_potential.hpp"
#include "nanoscape/surrogate/mapped.hpp"
#include "support/surrogate_data.hpp"

namespace nanoscape {
namespace {

const std::vector<Species> pt_au{78, 79};

ParameterTable mapped_table() {
    ParameterTable t("surrogate");
    t.set("type", ParameterValue::of("mapped"));
    return t;
}

std::unique_ptr<MappedGp> trained(const std::vector<Sample>& data, ParameterTable t = mapped_table()) {
    auto model = create_surrogate(t, pt_au);
    model->fit(data);
    return std::unique_ptr<MappedGp>(dynamic_cast<MappedGp*>(model.release()));
}

TEST(MappedGp, TablesReproduceTheirGp) {
    const auto data = test::make_ptau_samples(40, 5, 38, 19);
    const auto model = trained(data);
    EXPECT_GT(model->components(), 0);
    for (const auto& s : test::make_ptau_samples(6, 77, 38, 12)) {
        Eigen::Matrix3Xd f_tab, f_gp, g_tab, g_gp;
        const Prediction tab = model->predict(s.cluster, &f_tab, &g_tab);
        const Prediction gp = model->predict_gp(s.cluster, &f_gp, &g_gp);
        EXPECT_LT(std::abs(tab.energy - gp.energy) / 38.0, 1e-5) << model->description();
        EXPECT_LT((f_tab - f_gp).cwiseAbs().maxCoeff(), 1e-3);  // the issue: 1 meV/A
        // The kept modes hold all but 1e-4 of the posterior function variance.
        EXPECT_NEAR(tab.sigma(), gp.sigma(), 0.02 * gp.sigma());
        EXPECT_LT((g_tab - g_gp).norm(), 0.05 * g_gp.norm() + 1e-9);
    }
}

// Homotop trials on the model's lower confidence bound as global pair sums: every trial's
// change and every committed energy equal full evaluations of the LCB potential (to 1e-9 eV),
// on a structure at the data's distances and on one squeezed below the tables and into the
// repulsive prior, so every channel is exercised.
TEST(MappedGp, LcbPairSumTrials_MatchFullEvaluations) {
    const auto data = test::make_ptau_samples(40, 5, 38, 19);
    const auto model = trained(data);
    ParameterTable emt_table("potential");
    emt_table.set("type", ParameterValue::of("emt"));
    const auto emt = create_potential(emt_table);
    const LcbPotential lcb(*model, 2.0, *emt);
    for (const double squeeze : {1.0, 0.85}) {
        Cluster c = test::make_ptau_samples(1, 91, 38, 19).front().cluster;
        c.positions *= squeeze;
        const std::size_t below = model->below_grid_pairs();
        auto local = make_local_energy(lcb, c, pt_au);
        ASSERT_TRUE(local->local()) << local->describe();
        if (squeeze < 1.0) EXPECT_GT(model->below_grid_pairs(), below);  // the guard still counts
        EXPECT_NEAR(local->energy(), lcb.energy(c), 1e-9);
        Rng rng = make_stream(3, 0);
        double e = lcb.energy(c);
        for (int t = 0; t < 60; ++t) {
            const auto i = static_cast<int>(rng.below(c.size())), j = static_cast<int>(rng.below(c.size()));
            const auto& z = local->cluster().species;
            if (z[static_cast<std::size_t>(i)] == z[static_cast<std::size_t>(j)]) continue;
            const double delta = local->trial_swap(i, j);
            Cluster after = local->cluster();
            std::swap(after.species[static_cast<std::size_t>(i)], after.species[static_cast<std::size_t>(j)]);
            const double e_after = lcb.energy(after);
            ASSERT_NEAR(delta, e_after - e, 1e-9) << "squeeze " << squeeze << " trial " << t;
            if (t % 2 == 0) {
                local->commit();
                e = e_after;
                ASSERT_NEAR(local->energy(), e, 1e-9);
            }
        }
        EXPECT_NEAR(local->resync(), e, 1e-9);
        EXPECT_EQ(local->full_evaluations(), 0);
    }
    // A trust limit depends on the first structure's sigma, not a sum: full evaluations.
    const LcbPotential trusted(*model, 2.0, *emt, LcbPotential::default_repulsion_fraction, 1.0);
    EXPECT_FALSE(make_local_energy(trusted, data.front().cluster, pt_au)->local());
}

TEST(MappedGp, RecoversAPairPotentialFromItsEnergiesAndForces) {
    // A Lennard-Jones pair potential (shifted at the model's cutoff) is exactly a sum of pair
    // functions: the learnt phi' must match -dV/dr where the data are.
    ParameterTable lj("potential");
    lj.set("type", ParameterValue::of("lj"));
    lj.set("epsilon", ParameterValue::of(0.1));
    lj.set("sigma", ParameterValue::of(2.3));
    lj.set("cutoff", ParameterValue::of(5.0));
    const auto reference = create_potential(lj);
    auto data = test::make_ptau_samples(30, 9, 13, 6, 0.25);
    for (auto& s : data) {
        Eigen::Matrix3Xd f;
        s.energy = reference->compute(s.cluster, &f, nullptr);
        s.forces = f;
    }
    const auto model = trained(data);
    double worst = 0.0, scale = 0.0;
    const double lo = model->table_start(78, 79) + 0.1;
    for (double r = lo; r < 3.9; r += 0.05) {
        double slope = 0.0;
        (void)model->pair_energy(78, 79, r, &slope);
        const double sr6 = std::pow(2.3 / r, 6);
        const double exact = -24.0 * 0.1 * (2.0 * sr6 * sr6 - sr6) / r;
        worst = std::max(worst, std::abs(slope - exact));
        scale = std::max(scale, std::abs(exact));
    }
    EXPECT_LT(worst, 0.02 * scale) << model->description();
    // And energies of new structures to well under a meV per atom.
    for (const auto& s : test::make_ptau_samples(5, 31, 13, 6, 0.2)) {
        const double e = reference->compute(s.cluster, nullptr, nullptr);
        EXPECT_NEAR(model->predict(s.cluster).energy, e, 13 * 1e-3);
    }
}

TEST(MappedGp, BelowTheTablesRepulsiveWarnedAndUncertain) {
    const auto data = test::make_ptau_samples(20, 5, 13, 6);
    const auto model = trained(data);
    const Cluster c = data.front().cluster;  // every distance of it is on the tables
    const Prediction at = model->predict(c);
    EXPECT_EQ(model->below_grid_pairs(), 0u);
    // The same structure moved (its distances rounded differently, by about 1e-15 A): still on
    // the tables, with the same prediction to that rounding.
    Cluster moved = c;
    moved.positions.colwise() += Eigen::Vector3d(0.1234567, -3.3, 7.77);
    EXPECT_NEAR(model->predict(moved).energy, at.energy, 1e-9);
    EXPECT_EQ(model->below_grid_pairs(), 0u);
    Cluster squeezed = c;
    squeezed.positions *= 0.7;
    const Prediction close = model->predict(squeezed);
    EXPECT_GT(model->below_grid_pairs(), 0u);
    EXPECT_GT(close.energy, at.energy + 1.0);
    EXPECT_GT(close.sigma(), 1.5 * at.sigma()) << model->description();
    // Continuous at the start of the table, repulsive below it.
    const double start = model->table_start(78, 78);
    double s_above = 0.0, s_below = 0.0;
    const double above = model->pair_energy(78, 78, start + 1e-9, &s_above);
    const double below = model->pair_energy(78, 78, start - 1e-9, &s_below);
    EXPECT_NEAR(above, below, 1e-7);
    EXPECT_NEAR(s_above, s_below, 1e-6);
    double slope = 0.0;
    (void)model->pair_energy(78, 78, start - 0.8, &slope);
    EXPECT_LT(slope, 0.0);
    EXPECT_EQ(model->pair_energy(78, 78, 5.0), 0.0);
}

TEST(MappedGp, UpdateKeepsHyperparametersAndStateRoundTripsWithForces) {
    const auto data = test::make_ptau_samples(20, 5, 13, 6);
    const auto model = trained(data);
    const auto before = model->description();
    const auto extra = test::make_ptau_samples(5, 6, 13, 6);
    model->update(extra);
    EXPECT_EQ(model->training_size(), 25u);
    std::stringstream state;
    model->save_state(state);
    auto loaded = create_surrogate(model->settings(), pt_au);
    loaded->load_state(state, "state");
    const Cluster c = test::make_ptau_samples(1, 40, 13, 6).front().cluster;
    EXPECT_EQ(loaded->predict(c).energy, model->predict(c).energy);
    EXPECT_EQ(loaded->predict(c).variance, model->predict(c).variance);
    // An update of the loaded model is the update of the original: forces were saved too.
    loaded->update(extra);
    model->update(extra);
    EXPECT_EQ(loaded->predict(c).energy, model->predict(c).energy);
}

TEST(MappedGp, ExactModeAndForcesOff) {
    const auto data = test::make_ptau_samples(20, 5, 13, 6);
    ParameterTable t = mapped_table();
    t.set("tabulate", ParameterValue::of(false));
    const auto exact = trained(data, t);
    const Cluster c = test::make_ptau_samples(1, 8, 13, 6).front().cluster;
    EXPECT_EQ(exact->predict(c).energy, exact->predict_gp(c, nullptr, nullptr).energy);
    t.set("use_forces", ParameterValue::of(false));
    const auto energies_only = trained(data, t);
    EXPECT_NE(energies_only->predict(c).energy, exact->predict(c).energy);
}

TEST(MappedGp, RejectsBadSettingsAndSpecies) {
    const auto bad = [](const char* key, ParameterValue v) {
        ParameterTable t = mapped_table();
        t.set(key, std::move(v));
        return t;
    };
    EXPECT_THROW((void)create_surrogate(bad("cutoff", ParameterValue::of(-1.0)), pt_au), InputError);
    EXPECT_THROW((void)create_surrogate(bad("cutoff_width", ParameterValue::of(6.0)), pt_au), InputError);
    EXPECT_THROW((void)create_surrogate(bad("grid_error", ParameterValue::of(0.0)), pt_au), InputError);
    EXPECT_THROW((void)create_surrogate(bad("length_scale", ParameterValue::of(0.01)), pt_au), InputError);
    EXPECT_THROW((void)create_surrogate(bad("max_components", ParameterValue::of(0)), pt_au), InputError);
    EXPECT_THROW((void)create_surrogate(bad("validation_fraction", ParameterValue::of(0.9)), pt_au), InputError);
    const auto model = trained(test::make_ptau_samples(10, 5, 13, 6));
    Cluster c = test::make_ptau_samples(1, 8, 13, 6).front().cluster;
    c.species[0] = 29;
    EXPECT_THROW((void)model->predict(c), InputError);
    // Atoms that never come within the cutoff: nothing to learn from.
    std::vector<Sample> apart(1);
    apart[0].cluster.positions = Eigen::Matrix3Xd::Zero(3, 2);
    apart[0].cluster.positions(0, 1) = 9.0;
    apart[0].cluster.species = {78, 79};
    apart[0].energy = -1.0;
    auto untrained = create_surrogate(mapped_table(), pt_au);
    EXPECT_THROW(untrained->fit(apart), InputError);
}

}  // namespace
}  // namespace nanoscape
