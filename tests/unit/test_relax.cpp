// Tests of the relax module: both registered relaxers against Cambridge Cluster Database
// energies, the safety statuses, evaluation counting, batch determinism and the factory.

#include <atomic>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "nanoscape/core/rng.hpp"
#include "nanoscape/geometry/builders.hpp"
#include "nanoscape/potentials/gupta.hpp"
#include "nanoscape/potentials/lennard_jones.hpp"
#include "nanoscape/relax/fire.hpp"
#include "nanoscape/relax/lbfgs.hpp"
#include "nanoscape/relax/relaxer.hpp"

namespace nanoscape {
namespace {

// LJ nearest-neighbour distance 2^(1/6) sigma, rounded as in the brief.
constexpr double lj_nn = 1.1225;

// Counts every call of the wrapped potential (thread-safe), and optionally records energies.
class CountingPotential final : public Potential {
public:
    explicit CountingPotential(const Potential& inner) : inner_(inner) {}
    [[nodiscard]] std::string type() const override { return inner_.type(); }
    [[nodiscard]] std::string description() const override { return "counting " + inner_.description(); }
    [[nodiscard]] double cutoff() const override { return inner_.cutoff(); }
    [[nodiscard]] std::vector<Species> supported_species() const override { return inner_.supported_species(); }
    [[nodiscard]] double pair_distance(Species a, Species b) const override { return inner_.pair_distance(a, b); }
    [[nodiscard]] double compute(const Cluster& cluster, Eigen::Matrix3Xd* forces,
                                 Eigen::VectorXd* atom_energies) const override {
        ++calls_;
        return inner_.compute(cluster, forces, atom_energies);
    }
    [[nodiscard]] long calls() const { return calls_.load(); }

private:
    const Potential& inner_;
    mutable std::atomic<long> calls_{0};
};

// Lennard-Jones until `good_calls` calls have been made, NaN energy and forces afterwards.
class NanAfterPotential final : public Potential {
public:
    explicit NanAfterPotential(long good_calls) : good_calls_(good_calls), lj_(LennardJonesParameters{}) {}
    [[nodiscard]] std::string type() const override { return "nan_after"; }
    [[nodiscard]] std::string description() const override { return "LJ that turns NaN"; }
    [[nodiscard]] double cutoff() const override { return lj_.cutoff(); }
    [[nodiscard]] std::vector<Species> supported_species() const override { return {}; }
    [[nodiscard]] double pair_distance(Species a, Species b) const override { return lj_.pair_distance(a, b); }
    [[nodiscard]] double compute(const Cluster& cluster, Eigen::Matrix3Xd* forces,
                                 Eigen::VectorXd* atom_energies) const override {
        const double e = lj_.compute(cluster, forces, atom_energies);
        if (++calls_ <= good_calls_) return e;
        if (forces) forces->setConstant(std::numeric_limits<double>::quiet_NaN());
        return std::numeric_limits<double>::quiet_NaN();
    }
    [[nodiscard]] long calls() const { return calls_; }

private:
    long good_calls_;
    LennardJones lj_;
    mutable long calls_ = 0;  // single-threaded use only
};

// Purely repulsive pair potential E = sum_{i<j} 1/r: nothing holds the atoms together, and the
// force decays slowly enough that the run cannot converge before the atoms are far apart.
class RepulsivePotential final : public Potential {
public:
    [[nodiscard]] std::string type() const override { return "repulsive"; }
    [[nodiscard]] std::string description() const override { return "1/r repulsion"; }
    [[nodiscard]] double cutoff() const override { return std::numeric_limits<double>::infinity(); }
    [[nodiscard]] std::vector<Species> supported_species() const override { return {}; }
    [[nodiscard]] double pair_distance(Species, Species) const override { return 1.0; }
    [[nodiscard]] double compute(const Cluster& cluster, Eigen::Matrix3Xd* forces,
                                 Eigen::VectorXd* atom_energies) const override {
        const auto n = cluster.positions.cols();
        if (forces) forces->setZero(3, n);
        if (atom_energies) atom_energies->setZero(n);
        double energy = 0.0;
        for (Eigen::Index i = 0; i < n; ++i)
            for (Eigen::Index j = i + 1; j < n; ++j) {
                const Eigen::Vector3d d = cluster.positions.col(j) - cluster.positions.col(i);
                const double r = d.norm();
                energy += 1.0 / r;
                if (atom_energies) {
                    (*atom_energies)[i] += 0.5 / r;
                    (*atom_energies)[j] += 0.5 / r;
                }
                if (forces) {
                    const Eigen::Vector3d f = d / (r * r * r);  // on j, away from i
                    forces->col(j) += f;
                    forces->col(i) -= f;
                }
            }
        return energy;
    }
};

std::unique_ptr<Relaxer> make_relaxer(const std::string& key) {
    ParameterTable table("relax");
    table.set("type", ParameterValue::of(key));
    return create_relaxer(table);
}

// Every coordinate moved by a normal deviate of width `amplitude` (deterministic stream).
void perturb(Cluster& cluster, double amplitude, std::uint64_t stream) {
    Rng rng = make_stream(2024, stream);
    for (Eigen::Index i = 0; i < cluster.positions.size(); ++i)
        cluster.positions.data()[i] += amplitude * rng.normal();
}

Cluster perturbed_lj_icosahedron(int shells) {
    Cluster c = make_icosahedron(shells, lj_nn, species_from_symbol("Ar"));
    perturb(c, 0.02, static_cast<std::uint64_t>(shells));
    return c;
}

RelaxOptions tight_options() {
    RelaxOptions options;
    options.fmax = 1e-6;
    options.max_steps = 100000;
    return options;
}

class AnyRelaxer : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override { relaxer_ = make_relaxer(GetParam()); }
    std::unique_ptr<Relaxer> relaxer_;
    LennardJones lj_{LennardJonesParameters{}};
};

TEST_P(AnyRelaxer, Type_MatchesRegistryKey_Equal) { EXPECT_EQ(relaxer_->type(), GetParam()); }

TEST_P(AnyRelaxer, RelaxLj13_ReachesCambridgeEnergy) {
    Cluster c = perturbed_lj_icosahedron(1);
    const auto result = relaxer_->relax(c, lj_, tight_options());
    EXPECT_EQ(result.status, RelaxStatus::converged) << to_string(result.status);
    EXPECT_NEAR(result.energy, -44.326801, 2e-6);
    EXPECT_LE(result.fmax, 1e-6);
    EXPECT_NEAR(lj_.energy(c), result.energy, 1e-12);
}

TEST_P(AnyRelaxer, RelaxLj55_ReachesCambridgeEnergy) {
    Cluster c = perturbed_lj_icosahedron(2);
    const auto result = relaxer_->relax(c, lj_, tight_options());
    EXPECT_EQ(result.status, RelaxStatus::converged) << to_string(result.status);
    EXPECT_NEAR(result.energy, -279.248470, 2e-6);
    EXPECT_LE(result.fmax, 1e-6);
}

TEST_P(AnyRelaxer, RelaxLj147_ReachesCambridgeEnergy) {
    Cluster c = perturbed_lj_icosahedron(3);
    const auto result = relaxer_->relax(c, lj_, tight_options());
    EXPECT_EQ(result.status, RelaxStatus::converged) << to_string(result.status);
    EXPECT_NEAR(result.energy, -876.461207, 2e-6);
    EXPECT_LE(result.fmax, 1e-6);
    RecordProperty("evaluations", static_cast<int>(result.evaluations));
}

TEST_P(AnyRelaxer, RelaxPt13Gupta_ReachesReferenceEnergy) {
    // Cleri & Rosato, Phys. Rev. B 48, 22 (1993), Pt-Pt, no cutoff.
    const double inf = std::numeric_limits<double>::infinity();
    const Species pt = species_from_symbol("Pt");
    GuptaParameters p;
    p.pairs.push_back(GuptaPair{pt, pt, 0.2975, 2.695, 10.612, 4.004, 2.775, inf, inf});
    p.name = "Cleri-Rosato 1993";
    const Gupta gupta(p);
    Cluster c = make_icosahedron(1, 2.775, pt);
    perturb(c, 0.03, 78);
    const auto result = relaxer_->relax(c, gupta, tight_options());
    EXPECT_EQ(result.status, RelaxStatus::converged) << to_string(result.status);
    EXPECT_NEAR(result.energy, -64.91633912, 1e-6);
}

TEST_P(AnyRelaxer, Relax_CountsEveryPotentialCall_Equal) {
    const CountingPotential counting(lj_);
    Cluster c = perturbed_lj_icosahedron(1);
    const auto result = relaxer_->relax(c, counting, tight_options());
    EXPECT_EQ(result.status, RelaxStatus::converged);
    EXPECT_EQ(result.evaluations, counting.calls());
    EXPECT_GE(result.evaluations, result.steps);
}

TEST_P(AnyRelaxer, RelaxConvergedStart_TakesNoStep) {
    Cluster c = perturbed_lj_icosahedron(1);
    ASSERT_EQ(relaxer_->relax(c, lj_, tight_options()).status, RelaxStatus::converged);
    RelaxOptions loose;
    loose.fmax = 1e-3;
    const auto again = relaxer_->relax(c, lj_, loose);
    EXPECT_EQ(again.status, RelaxStatus::converged);
    EXPECT_EQ(again.steps, 0);
    EXPECT_EQ(again.evaluations, 1);
}

TEST_P(AnyRelaxer, RelaxNanAfterFiveCalls_ReportsNonFiniteWithFinitePositions) {
    const NanAfterPotential nan_after(5);
    Cluster c = perturbed_lj_icosahedron(1);
    const auto result = relaxer_->relax(c, nan_after, tight_options());
    EXPECT_EQ(result.status, RelaxStatus::non_finite);
    EXPECT_TRUE(c.positions.allFinite());
    EXPECT_TRUE(std::isfinite(result.energy));
    EXPECT_EQ(result.evaluations, 6);
    EXPECT_EQ(nan_after.calls(), 6);
    // The cluster holds a point the potential evaluated finitely.
    EXPECT_NEAR(lj_.energy(c), result.energy, 1e-12);
}

TEST_P(AnyRelaxer, RelaxNanAtStart_ReportsNonFiniteAndKeepsPositions) {
    const NanAfterPotential nan_after(0);
    Cluster c = perturbed_lj_icosahedron(1);
    const Eigen::Matrix3Xd start = c.positions;
    const auto result = relaxer_->relax(c, nan_after, tight_options());
    EXPECT_EQ(result.status, RelaxStatus::non_finite);
    EXPECT_EQ(c.positions, start);
    EXPECT_EQ(result.evaluations, 1);
}

TEST_P(AnyRelaxer, RelaxRepulsiveCluster_ReportsExploded) {
    const RepulsivePotential repulsive;
    Cluster c = make_icosahedron(1, 1.0, species_from_symbol("Ar"));
    RelaxOptions options;
    options.fmax = 1e-6;
    options.max_steps = 20000;
    const double start_radius = c.positions.colwise().norm().maxCoeff();  // centred at 0
    const auto result = relaxer_->relax(c, repulsive, options);
    EXPECT_EQ(result.status, RelaxStatus::exploded) << to_string(result.status);
    EXPECT_TRUE(c.positions.allFinite());
    // Restored to a point inside the explosion radius explode_factor R0 + 5 pair distances.
    EXPECT_LE(c.positions.colwise().norm().maxCoeff(), options.explode_factor * start_radius + 5.0);
    EXPECT_NEAR(repulsive.energy(c), result.energy, 1e-12);
}

TEST_P(AnyRelaxer, RelaxTwoDistantLj13_ReportsFragmented) {
    const Cluster one = perturbed_lj_icosahedron(1);
    Cluster two;
    two.positions.resize(3, 26);
    two.positions.leftCols(13) = one.positions;
    two.positions.rightCols(13) = one.positions.colwise() + Eigen::Vector3d(20.0, 0.0, 0.0);
    two.species.assign(26, species_from_symbol("Ar"));
    RelaxOptions options;
    options.fmax = 1e-3;
    const auto result = relaxer_->relax(two, lj_, options);
    EXPECT_EQ(result.status, RelaxStatus::fragmented) << to_string(result.status);
    EXPECT_FALSE(result.ok());

    Cluster unchecked = two;
    options.check_fragments = false;
    EXPECT_EQ(relaxer_->relax(unchecked, lj_, options).status, RelaxStatus::converged);
}

TEST_P(AnyRelaxer, RelaxThreeStepLimit_ReportsMaxSteps) {
    Cluster c = perturbed_lj_icosahedron(2);
    RelaxOptions options = tight_options();
    options.max_steps = 3;
    const double start_energy = lj_.energy(c);
    const auto result = relaxer_->relax(c, lj_, options);
    EXPECT_EQ(result.status, RelaxStatus::max_steps);
    EXPECT_EQ(result.steps, 3);
    EXPECT_LT(result.energy, start_energy);
    EXPECT_NEAR(lj_.energy(c), result.energy, 1e-12);
}

TEST_P(AnyRelaxer, RelaxBatch_OneAndTwoThreads_BitIdentical) {
    const Species ar = species_from_symbol("Ar");
    std::vector<Cluster> start;
    for (std::uint64_t k = 0; k < 8; ++k) {
        Rng rng = make_stream(38, k);
        start.push_back(make_random_cluster(std::vector<Species>(38, ar), 0.9, 1.4, rng));
        perturb(start.back(), 0.01, 100 + k);
    }
    RelaxOptions options;
    options.fmax = 1e-4;
    std::vector<Cluster> one = start;
    std::vector<Cluster> two = start;
    const auto r1 = relax_batch(one, lj_, *relaxer_, options, 1);
    const auto r2 = relax_batch(two, lj_, *relaxer_, options, 2);
    ASSERT_EQ(r1.size(), 8U);
    ASSERT_EQ(r2.size(), 8U);
    for (std::size_t i = 0; i < 8; ++i) {
        EXPECT_EQ(r1[i].energy, r2[i].energy) << i;
        EXPECT_EQ(r1[i].evaluations, r2[i].evaluations) << i;
        EXPECT_EQ(one[i].positions, two[i].positions) << i;
        EXPECT_LT(r1[i].energy, lj_.energy(start[i])) << i;
    }
}

INSTANTIATE_TEST_SUITE_P(Registered, AnyRelaxer, ::testing::ValuesIn(relaxer_registry().keys()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(Lbfgs, RelaxFarFromMinimum_NoAtomMovesMoreThanMaxStep) {
    // One step from a squeezed cluster: forces are huge, the step must still be capped.
    const LennardJones lj{LennardJonesParameters{}};
    const Lbfgs lbfgs{LbfgsParameters{}};
    Cluster c = make_icosahedron(1, 0.9, species_from_symbol("Ar"));
    const Eigen::Matrix3Xd start = c.positions;
    RelaxOptions options;
    options.max_steps = 1;
    options.max_step = 0.05;
    (void)lbfgs.relax(c, lj, options);
    EXPECT_LE((c.positions - start).colwise().norm().maxCoeff(), 0.05 + 1e-12);
}

TEST(Fire, RelaxFarFromMinimum_NoAtomMovesMoreThanMaxStep) {
    const LennardJones lj{LennardJonesParameters{}};
    const Fire fire{FireParameters{}};
    Cluster c = make_icosahedron(1, 0.9, species_from_symbol("Ar"));
    RelaxOptions options;
    options.max_step = 0.05;
    options.max_steps = 1;
    const Eigen::Matrix3Xd start = c.positions;
    (void)fire.relax(c, lj, options);
    EXPECT_LE((c.positions - start).colwise().norm().maxCoeff(), 0.05 + 1e-12);
}

TEST(RelaxStatus, ToString_GivesLogWords) {
    EXPECT_STREQ(to_string(RelaxStatus::converged), "converged");
    EXPECT_STREQ(to_string(RelaxStatus::max_steps), "max_steps");
    EXPECT_STREQ(to_string(RelaxStatus::non_finite), "non_finite");
    EXPECT_STREQ(to_string(RelaxStatus::exploded), "exploded");
    EXPECT_STREQ(to_string(RelaxStatus::fragmented), "fragmented");
}

TEST(CreateRelaxer, Keys_LbfgsFirst) {
    const auto keys = relaxer_registry().keys();
    ASSERT_EQ(keys.size(), 2U);
    EXPECT_EQ(keys[0], "lbfgs");
    EXPECT_EQ(keys[1], "fire");
}

TEST(CreateRelaxer, NoType_GivesLbfgs) {
    EXPECT_EQ(create_relaxer(ParameterTable("relax"))->type(), "lbfgs");
}

TEST(CreateRelaxer, MisspeltType_SuggestsLbfgs) {
    ParameterTable table("relax");
    table.set("type", ParameterValue::of("lbgfs"));
    try {
        (void)create_relaxer(table);
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("did you mean 'lbfgs'"), std::string::npos) << e.what();
    }
}

TEST(CreateRelaxer, UnknownKey_ThrowsInputError) {
    ParameterTable table("relax");
    table.set("type", ParameterValue::of("fire"));
    table.set("memory", ParameterValue::of(5));  // an L-BFGS key, not FIRE's
    EXPECT_THROW((void)create_relaxer(table), InputError);
}

TEST(CreateRelaxer, FireKeys_AreRead) {
    ParameterTable table("relax");
    table.set("type", ParameterValue::of("fire"));
    table.set("dt", ParameterValue::of(0.05));
    table.set("dt_max", ParameterValue::of(0.5));
    table.set("fmax", ParameterValue::of(0.001));
    const auto relaxer = create_relaxer(table);
    const auto* fire = dynamic_cast<const Fire*>(relaxer.get());
    ASSERT_NE(fire, nullptr);
    EXPECT_EQ(fire->parameters().dt, 0.05);
    EXPECT_EQ(fire->parameters().dt_max, 0.5);
}

TEST(CreateRelaxer, BadFireDt_ThrowsInputErrorNamingKey) {
    ParameterTable table("relax");
    table.set("type", ParameterValue::of("fire"));
    table.set("dt", ParameterValue::of(-0.1));
    try {
        (void)create_relaxer(table);
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("'dt'"), std::string::npos) << e.what();
    }
}

TEST(CreateRelaxer, LbfgsKeys_AreRead) {
    ParameterTable table("relax");
    table.set("memory", ParameterValue::of(4));
    table.set("max_energy_rise", ParameterValue::of(1e-3));
    const auto relaxer = create_relaxer(table);
    const auto* lbfgs = dynamic_cast<const Lbfgs*>(relaxer.get());
    ASSERT_NE(lbfgs, nullptr);
    EXPECT_EQ(lbfgs->parameters().memory, 4);
    EXPECT_EQ(lbfgs->parameters().max_energy_rise, 1e-3);
}

TEST(CreateRelaxer, ZeroMemory_ThrowsInputError) {
    ParameterTable table("relax");
    table.set("memory", ParameterValue::of(0));
    EXPECT_THROW((void)create_relaxer(table), InputError);
}

TEST(ReadRelaxOptions, NegativeFmax_ThrowsInputError) {
    ParameterTable table("relax");
    table.set("fmax", ParameterValue::of(-1.0));
    EXPECT_THROW((void)read_relax_options(table), InputError);
}

TEST(ReadRelaxOptions, ZeroMaxStepsOrStep_ThrowsInputError) {
    ParameterTable steps("relax");
    steps.set("max_steps", ParameterValue::of(0));
    EXPECT_THROW((void)read_relax_options(steps), InputError);
    ParameterTable step("relax");
    step.set("max_step", ParameterValue::of(0.0));
    EXPECT_THROW((void)read_relax_options(step), InputError);
}

TEST(ReadRelaxOptions, Keys_AreRead) {
    ParameterTable table("relax");
    table.set("fmax", ParameterValue::of(0.05));
    table.set("max_steps", ParameterValue::of(123));
    table.set("max_step", ParameterValue::of(0.1));
    table.set("check_fragments", ParameterValue::of(false));
    const RelaxOptions o = read_relax_options(table);
    EXPECT_EQ(o.fmax, 0.05);
    EXPECT_EQ(o.max_steps, 123);
    EXPECT_EQ(o.max_step, 0.1);
    EXPECT_FALSE(o.check_fragments);
    EXPECT_EQ(read_relax_options(ParameterTable("relax")).fmax, RelaxOptions{}.fmax);
}

TEST(RelaxBatch, ThrowingPotential_RethrowsAfterLoop) {
    // Unsupported species: Gupta Pt rejects an Ar cluster with InputError inside the region.
    const double inf = std::numeric_limits<double>::infinity();
    const Species pt = species_from_symbol("Pt");
    GuptaParameters p;
    p.pairs.push_back(GuptaPair{pt, pt, 0.2975, 2.695, 10.612, 4.004, 2.775, inf, inf});
    const Gupta gupta(p);
    std::vector<Cluster> clusters(4, make_icosahedron(1, 2.775, pt));
    clusters[2].species.assign(13, species_from_symbol("Ar"));
    const Lbfgs lbfgs{LbfgsParameters{}};
    EXPECT_THROW((void)relax_batch(clusters, gupta, lbfgs, RelaxOptions{}, 2), Error);
}

}  // namespace
}  // namespace nanoscape
