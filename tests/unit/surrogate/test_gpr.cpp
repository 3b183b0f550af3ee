// Gaussian-process surrogate: exact formulas against a brute-force GP, sparse against exact,
// gradients against finite differences, persistence and input errors.

#include <cmath>
#include <numbers>
#include <sstream>

#include <Eigen/Dense>
#include <gtest/gtest.h>

#include "nanoscape/core/error.hpp"
#include "nanoscape/surrogate/gpr.hpp"
#include "nanoscape/surrogate/training.hpp"
#include "support/surrogate_data.hpp"

namespace nanoscape {
namespace {

ParameterTable gpr_table(const std::string& kernel, bool optimize = true) {
    ParameterTable t("surrogate");
    t.set("type", ParameterValue::of("gpr"));
    t.set("kernel", ParameterValue::of(kernel));
    t.set("optimize", ParameterValue::of(optimize));
    if (!optimize) {
        t.set("signal", ParameterValue::of(0.05));
        t.set("noise", ParameterValue::of(0.002));
        if (kernel == "squared_exponential") t.set("length_scale", ParameterValue::of(4.0));
    }
    return t;
}

const std::vector<Species> pt_au{78, 79};

// Brute-force exact GP on structures: K(A,B) = s^2 sum_{i,j same species} k(G_i, G_j).
struct BruteForce {
    Eigen::MatrixXd k;
    Eigen::VectorXd y;
};

double soap_kernel(const Eigen::VectorXd& a, const Eigen::VectorXd& b, int zeta) {
    const double na = a.norm(), nb = b.norm();
    if (na == 0 || nb == 0) return 0.0;
    return std::pow(a.dot(b) / (na * nb), zeta);
}

double structure_kernel(const Eigen::MatrixXd& ga, const Cluster& a, const Eigen::MatrixXd& gb, const Cluster& b) {
    double sum = 0.0;
    for (Eigen::Index i = 0; i < ga.cols(); ++i)
        for (Eigen::Index j = 0; j < gb.cols(); ++j)
            if (a.species[static_cast<std::size_t>(i)] == b.species[static_cast<std::size_t>(j)])
                sum += soap_kernel(ga.col(i), gb.col(j), 2);
    return sum;
}

TEST(Gpr, ExactModelEqualsBruteForceGaussianProcess) {
    const auto train = test::make_ptau_samples(12, 1, 13, 6);
    const auto test_set = test::make_ptau_samples(3, 2, 13, 7);
    auto model = create_surrogate(gpr_table("soap", false), pt_au);
    model->fit(train);
    const auto& gp = dynamic_cast<const GaussianProcess&>(*model);

    const auto features = compute_features(model->descriptor(), train);
    const Eigen::VectorXd e = fit_element_energies(train, pt_au);
    const double s2 = 0.05 * 0.05, n2 = 0.002 * 0.002;
    const auto n = static_cast<Eigen::Index>(train.size());
    Eigen::MatrixXd k(n, n);
    Eigen::VectorXd y(n);
    for (Eigen::Index a = 0; a < n; ++a) {
        y(a) = train[a].energy - element_energy_sum(train[a].cluster, pt_au, e);
        for (Eigen::Index b = 0; b < n; ++b)
            k(a, b) = s2 * structure_kernel(features[a], train[a].cluster, features[b], train[b].cluster);
    }
    Eigen::MatrixXd kn = k;
    for (Eigen::Index a = 0; a < n; ++a) kn(a, a) += n2 * static_cast<double>(train[a].cluster.size());
    const Eigen::LLT<Eigen::MatrixXd> llt(kn);
    const Eigen::VectorXd alpha = llt.solve(y);
    const double lml = -0.5 * y.dot(alpha) - llt.matrixLLT().diagonal().array().log().sum() -
                       0.5 * static_cast<double>(n) * std::log(2 * std::numbers::pi);
    EXPECT_NEAR(gp.log_marginal_likelihood(), lml, 1e-6 * std::abs(lml));

    const auto test_features = compute_features(model->descriptor(), test_set);
    for (std::size_t t = 0; t < test_set.size(); ++t) {
        Eigen::VectorXd ks(n);
        for (Eigen::Index a = 0; a < n; ++a)
            ks(a) = s2 * structure_kernel(test_features[t], test_set[t].cluster, features[a], train[a].cluster);
        const double kss =
            s2 * structure_kernel(test_features[t], test_set[t].cluster, test_features[t], test_set[t].cluster);
        const double mean = element_energy_sum(test_set[t].cluster, pt_au, e) + ks.dot(alpha);
        const double var = kss - ks.dot(llt.solve(ks)) + n2 * static_cast<double>(test_set[t].cluster.size());
        const Prediction p = model->predict(test_set[t].cluster);
        EXPECT_NEAR(p.energy, mean, 1e-8 * std::abs(mean));
        EXPECT_NEAR(p.variance, var, 1e-6 * var);
    }
}

TEST(Gpr, SparseModelApproachesExactAsInducingPointsGrow) {
    const auto train = test::make_ptau_samples(10, 3, 13, 6);
    const auto test_set = test::make_ptau_samples(4, 4, 13, 6);
    auto exact = create_surrogate(gpr_table("soap", false), pt_au);
    exact->fit(train);
    double previous = std::numeric_limits<double>::infinity();
    for (int m : {10, 40, 130}) {
        auto table = gpr_table("soap", false);
        table.set("sparse_points", ParameterValue::of(m));
        auto sparse = create_surrogate(table, pt_au);
        sparse->fit(train);
        double err = 0.0;
        for (const auto& s : test_set) err += std::abs(sparse->predict(s.cluster).energy - exact->predict(s.cluster).energy);
        EXPECT_LE(err, previous + 1e-9) << m;
        previous = err;
    }
    EXPECT_LT(previous, 1e-6);  // all 130 environments as inducing points: the exact GP
}

class GprKernels : public ::testing::TestWithParam<std::string> {};

TEST_P(GprKernels, ForcesAndSigmaGradientMatchFiniteDifferences) {
    const auto train = test::make_ptau_samples(8, 5, 13, 6);
    auto model = create_surrogate(gpr_table(GetParam(), false), pt_au);
    model->fit(train);
    Cluster c = test::make_ptau_samples(1, 6, 13, 6).front().cluster;
    Eigen::Matrix3Xd forces, sigma_grad;
    const Prediction p = model->predict(c, &forces, &sigma_grad);
    ASSERT_GT(p.variance, 0.0);
    const double h = 1e-5;
    for (Eigen::Index i = 0; i < c.positions.cols(); i += 3)
        for (int d = 0; d < 3; ++d) {
            Cluster plus = c, minus = c;
            plus.positions(d, i) += h;
            minus.positions(d, i) -= h;
            const Prediction pp = model->predict(plus), pm = model->predict(minus);
            EXPECT_NEAR(forces(d, i), -(pp.energy - pm.energy) / (2 * h), 1e-6 + 1e-5 * std::abs(forces(d, i)));
            EXPECT_NEAR(sigma_grad(d, i), (pp.sigma() - pm.sigma()) / (2 * h),
                        1e-6 + 1e-4 * std::abs(sigma_grad(d, i)));
        }
}

TEST_P(GprKernels, VarianceIsSmallAtTrainingPointsAndLargerAway) {
    const auto train = test::make_ptau_samples(15, 7, 13, 6);
    // Fixed hyperparameters with little noise: the posterior must collapse at the data.
    auto model = create_surrogate(gpr_table(GetParam(), false), pt_au);
    model->fit(train);
    const double noise_var = std::pow(0.002, 2) * 13;
    for (const auto& s : train) {
        const Prediction p = model->predict(s.cluster);
        EXPECT_GE(p.variance, noise_var * (1 - 1e-9));
        EXPECT_LT(p.variance, 3 * noise_var + 1e-6);
    }
    // A squeezed cluster is far from anything seen.
    Cluster far = train.front().cluster;
    far.positions *= 0.85;
    EXPECT_GT(model->predict(far).variance, 5 * noise_var);
}

INSTANTIATE_TEST_SUITE_P(Kernels, GprKernels, ::testing::Values("soap", "squared_exponential", "nbody"));

// A smoke test of learning; the accuracy targets are in tests/regression/test_surrogate_accuracy.cpp.
TEST(Gpr, LearnsEmtEnergiesOfPtAuClusters) {
    const auto train = test::make_ptau_samples(60, 8, 38, 19);
    const auto test_set = test::make_ptau_samples(30, 9, 38, 19);
    auto model = create_surrogate(gpr_table("soap", true), pt_au);
    model->fit(train);
    double mae = 0.0, spread = 0.0, mean = 0.0;
    for (const auto& s : test_set) mean += s.energy / static_cast<double>(test_set.size());
    for (const auto& s : test_set) {
        mae += std::abs(model->predict(s.cluster).energy - s.energy) / 38.0 / static_cast<double>(test_set.size());
        spread += std::abs(s.energy - mean) / 38.0 / static_cast<double>(test_set.size());
    }
    EXPECT_LT(mae, 0.5 * spread) << "MAE " << mae << " eV/atom, spread " << spread;
}

TEST(Gpr, SaveAndLoadPredictIdentically) {
    const auto train = test::make_ptau_samples(10, 10, 13, 6);
    auto model = create_surrogate(gpr_table("soap", true), pt_au);
    model->fit(train);
    std::stringstream state;
    model->save_state(state);
    auto loaded = create_surrogate(model->settings(), pt_au);
    loaded->load_state(state, "state");
    EXPECT_EQ(loaded->training_size(), train.size());
    const Cluster c = test::make_ptau_samples(1, 11, 13, 6).front().cluster;
    const Prediction a = model->predict(c), b = loaded->predict(c);
    EXPECT_EQ(a.energy, b.energy);
    EXPECT_EQ(a.variance, b.variance);
    // update() after loading continues from the saved training set.
    loaded->update(test::make_ptau_samples(2, 12, 13, 6));
    EXPECT_EQ(loaded->training_size(), train.size() + 2);
}

TEST(Gpr, InputErrors) {
    auto t = gpr_table("soap");
    t.set("kernal", ParameterValue::of("soap"));
    try {
        (void)create_surrogate(t, pt_au);
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("kernel"), std::string::npos) << e.what();
    }
    auto u = gpr_table("sope");
    EXPECT_THROW((void)create_surrogate(u, pt_au), InputError);
    auto model = create_surrogate(gpr_table("soap"), pt_au);
    EXPECT_THROW((void)model->predict(test::make_ptau_samples(1, 1, 13, 6).front().cluster), Error);
    auto cu = test::make_ptau_samples(2, 1, 13, 6);
    cu[0].cluster.species[0] = 29;
    EXPECT_THROW(model->fit(cu), InputError);
}

}  // namespace
}  // namespace nanoscape
