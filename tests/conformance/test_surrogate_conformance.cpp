// Every registered surrogate, with its default settings: gradients against finite differences,
// invariances, extensivity, a variance that is non-negative and smaller at the data than far
// from it, deterministic training, and a save/load round trip. A new model gets these checks
// by its registry line alone.

#include <cmath>
#include <sstream>

#include <Eigen/Geometry>
#include <gtest/gtest.h>

#include "nanoscape/surrogate/surrogate.hpp"
#include "support/surrogate_data.hpp"

namespace nanoscape {
namespace {

const std::vector<Species> pt_au{78, 79};

std::vector<std::string> keys() { return surrogate_registry().keys(); }

class SurrogateConformance : public ::testing::TestWithParam<std::string> {
protected:
    static std::unique_ptr<Surrogate> trained(const std::string& key, std::uint64_t seed = 21) {
        ParameterTable t("surrogate");
        t.set("type", ParameterValue::of(key));
        auto model = create_surrogate(t, pt_au);
        model->fit(test::make_ptau_samples(24, seed, 13, 6));
        return model;
    }
    static Cluster probe() { return test::make_ptau_samples(1, 99, 13, 6).front().cluster; }
};

TEST_P(SurrogateConformance, GradientsMatchFiniteDifferences) {
    const auto model = trained(GetParam());
    const Cluster c = probe();
    Eigen::Matrix3Xd forces, sigma_grad;
    const Prediction p = model->predict(c, &forces, &sigma_grad);
    ASSERT_EQ(forces.cols(), 13);
    ASSERT_EQ(sigma_grad.cols(), 13);
    EXPECT_GT(p.variance, 0.0);
    const double h = 1e-5;
    for (Eigen::Index i = 0; i < 13; i += 4)
        for (int d = 0; d < 3; ++d) {
            Cluster plus = c, minus = c;
            plus.positions(d, i) += h;
            minus.positions(d, i) -= h;
            const Prediction pp = model->predict(plus), pm = model->predict(minus);
            EXPECT_NEAR(forces(d, i), -(pp.energy - pm.energy) / (2 * h), 1e-5 + 1e-4 * std::abs(forces(d, i)))
                << "atom " << i << " direction " << d;
            EXPECT_NEAR(sigma_grad(d, i), (pp.sigma() - pm.sigma()) / (2 * h),
                        1e-5 + 1e-3 * std::abs(sigma_grad(d, i)))
                << "atom " << i << " direction " << d;
        }
    // Forces of a translation-invariant energy sum to zero.
    EXPECT_LT(forces.rowwise().sum().norm(), 1e-8 * (1 + forces.norm()));
}

TEST_P(SurrogateConformance, InvariantUnderTranslationRotationAndPermutation) {
    const auto model = trained(GetParam());
    const Cluster c = probe();
    const Prediction p = model->predict(c);
    Cluster moved = c;
    const Eigen::Matrix3d rot = Eigen::AngleAxisd(0.7, Eigen::Vector3d(1, 2, -0.5).normalized()).toRotationMatrix();
    moved.positions = (rot * c.positions).colwise() + Eigen::Vector3d(3.0, -1.0, 2.5);
    Cluster permuted = c;
    for (std::size_t i = 0; i < c.size(); ++i) {
        const std::size_t j = c.size() - 1 - i;
        permuted.positions.col(static_cast<Eigen::Index>(i)) = c.positions.col(static_cast<Eigen::Index>(j));
        permuted.species[i] = c.species[j];
    }
    for (const Cluster* other : {&moved, &permuted}) {
        const Prediction q = model->predict(*other);
        EXPECT_NEAR(q.energy, p.energy, 1e-9 * std::abs(p.energy) + 1e-9);
        EXPECT_NEAR(q.variance, p.variance, 1e-7 * p.variance + 1e-12);
    }
}

TEST_P(SurrogateConformance, EnergyIsExtensive) {
    const auto model = trained(GetParam());
    const Cluster a = probe();
    const Cluster b = test::make_ptau_samples(1, 98, 13, 6).front().cluster;
    Cluster both;
    both.positions.resize(3, 26);
    both.positions << a.positions, (b.positions.colwise() + Eigen::Vector3d(40, 0, 0));
    both.species = a.species;
    both.species.insert(both.species.end(), b.species.begin(), b.species.end());
    const double sum = model->predict(a).energy + model->predict(b).energy;
    EXPECT_NEAR(model->predict(both).energy, sum, 1e-8 * std::abs(sum));
}

TEST_P(SurrogateConformance, VarianceIsSmallerAtTheDataThanFarFromIt) {
    const auto model = trained(GetParam());
    const auto data = test::make_ptau_samples(24, 21, 13, 6);
    double at_data = 0.0, far = 0.0;
    for (const auto& s : data) {
        const Prediction p = model->predict(s.cluster);
        EXPECT_GE(p.variance, 0.0);
        at_data += p.variance;
        Cluster squeezed = s.cluster;
        squeezed.positions *= 0.8;
        far += model->predict(squeezed).variance;
    }
    EXPECT_LT(at_data, far);
}

TEST_P(SurrogateConformance, TrainingIsDeterministicAndStateRoundTrips) {
    const auto a = trained(GetParam());
    const auto b = trained(GetParam());
    const Cluster c = probe();
    EXPECT_EQ(a->predict(c).energy, b->predict(c).energy);
    EXPECT_EQ(a->predict(c).variance, b->predict(c).variance);
    std::stringstream state;
    a->save_state(state);
    auto loaded = create_surrogate(a->settings(), pt_au);
    loaded->load_state(state, "state");
    EXPECT_EQ(loaded->predict(c).energy, a->predict(c).energy);
    EXPECT_EQ(loaded->predict(c).variance, a->predict(c).variance);
}

TEST_P(SurrogateConformance, RejectsUnknownKeysAndUntrainedUse) {
    ParameterTable t("surrogate");
    t.set("type", ParameterValue::of(GetParam()));
    t.set("no_such_key", ParameterValue::of(1));
    EXPECT_THROW((void)create_surrogate(t, pt_au), InputError);
    t.erase("no_such_key");
    auto model = create_surrogate(t, pt_au);
    EXPECT_FALSE(model->ready());
    EXPECT_THROW((void)model->predict(probe()), Error);
}

INSTANTIATE_TEST_SUITE_P(Registry, SurrogateConformance, ::testing::ValuesIn(keys()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace nanoscape
