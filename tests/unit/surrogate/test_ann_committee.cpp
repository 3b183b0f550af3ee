// Committee of Behler-Parrinello networks: the network's double backpropagation against finite
// differences, forces and d sigma/dx against finite differences of the predictions, invariances,
// determinism for any thread count, persistence, learning, update(), the force loss and input
// errors. Small models (radial symmetry functions, 10-neuron layers) keep the suite fast; the
// accuracy target with the default settings is in tests/slow/test_ann_accuracy.cpp.

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include <Eigen/Geometry>
#include <gtest/gtest.h>
#include <omp.h>

#include "../../../src/surrogate/ann_network.hpp"
#include "nanoscape/core/error.hpp"
#include "nanoscape/surrogate/ann_committee.hpp"
#include "support/surrogate_data.hpp"

namespace nanoscape {
namespace {

const std::vector<Species> pt_au{78, 79};

ParameterValue integers(const std::vector<int>& values) {
    ParameterValue v;
    v.kind = ParameterValue::Kind::array;
    for (int x : values) v.array.push_back(ParameterValue::of(x));
    return v;
}

// A small, fast committee: six radial symmetry functions per species, two layers of 10.
ParameterTable small_table(int members = 4, int epochs = 80, std::uint64_t seed = 5, int min_steps = 2500) {
    ParameterTable descriptor("surrogate.descriptor");
    descriptor.set("type", ParameterValue::of("symmetry_functions"));
    descriptor.set("cutoff", ParameterValue::of(5.5));
    descriptor.set("radial_eta", ParameterValue::of(std::vector<double>{0.01, 0.03, 0.1, 0.2, 0.4, 0.8}));
    descriptor.set("angular_eta", ParameterValue::of(std::vector<double>{}));
    ParameterTable t("surrogate");
    t.set("type", ParameterValue::of("ann_committee"));
    t.set("descriptor", descriptor.value());
    t.set("hidden", integers({10, 10}));
    t.set("members", ParameterValue::of(members));
    t.set("epochs", ParameterValue::of(epochs));
    t.set("update_epochs", ParameterValue::of(epochs / 2));
    t.set("min_steps", ParameterValue::of(min_steps));
    t.set("batch_size", ParameterValue::of(8));
    t.set("learning_rate", ParameterValue::of(5e-3));
    t.set("validation_fraction", ParameterValue::of(0.2));
    t.set("seed", ParameterValue::of(static_cast<std::int64_t>(seed)));
    return t;
}

std::unique_ptr<Surrogate> make_model(const ParameterTable& table) { return create_surrogate(table, pt_au); }

// Pt19Au19 truncated octahedra (38 atoms), perturbed by up to 0.15 A, EMT labels.
const std::vector<Sample>& training_data() {
    static const auto data = test::make_ptau_samples(100, 11);
    return data;
}
const std::vector<Sample>& test_data() {
    static const auto data = test::make_ptau_samples(30, 12);
    return data;
}

// One trained committee shared by the read-only tests.
const Surrogate& trained() {
    static const auto model = [] {
        auto m = make_model(small_table());
        m->fit(training_data());
        return m;
    }();
    return *model;
}

double mae_per_atom(const Surrogate& model, const std::vector<Sample>& samples) {
    double sum = 0.0;
    for (const auto& s : samples)
        sum += std::abs(model.predict(s.cluster).energy - s.energy) / static_cast<double>(s.cluster.size());
    return sum / static_cast<double>(samples.size());
}

double std_per_atom(const std::vector<Sample>& samples) {
    double mean = 0.0, sq = 0.0;
    for (const auto& s : samples) mean += s.energy / static_cast<double>(s.cluster.size());
    mean /= static_cast<double>(samples.size());
    for (const auto& s : samples) sq += std::pow(s.energy / static_cast<double>(s.cluster.size()) - mean, 2);
    return std::sqrt(sq / static_cast<double>(samples.size()));
}

std::string input_error_message(const ParameterTable& table) {
    try {
        (void)make_model(table);
    } catch (const InputError& e) {
        return e.what();
    }
    return "(no InputError)";
}

// --- the network ------------------------------------------------------------------------------

TEST(AnnNetwork, DoubleBackpropagationMatchesFiniteDifferences) {
    using namespace ann_detail;
    for (const auto activation : {Activation::tanh, Activation::shifted_softplus}) {
        const Mlp mlp({5, 7, 6, 1}, activation);
        Rng rng(3);
        Eigen::VectorXd p(mlp.parameter_count());
        mlp.initialise(p.data(), rng);
        for (Eigen::Index i = 0; i < p.size(); ++i) p(i) += 0.3 * rng.normal();
        const Eigen::MatrixXd x = Eigen::MatrixXd::Random(5, 4), v = Eigen::MatrixXd::Random(5, 4);
        const Eigen::RowVectorXd out_bar = Eigen::RowVectorXd::Random(4);
        // Q(p) = sum_j out_bar_j out_j + sum_j v_j . d out_j / d x_j: an energy plus a force term.
        const auto objective = [&](const Eigen::VectorXd& q) {
            Pass pass;
            mlp.forward(q.data(), x, pass, Derivatives::first);
            Eigen::MatrixXd g;
            mlp.input_gradient(q.data(), pass, g);
            return (out_bar.array() * pass.out.array()).sum() + (g.array() * v.array()).sum();
        };
        Pass pass;
        mlp.forward(p.data(), x, pass, Derivatives::second);
        mlp.tangent(p.data(), v, pass);
        Eigen::VectorXd gradient = Eigen::VectorXd::Zero(p.size());
        mlp.backward(p.data(), x, pass, out_bar, &v, gradient.data());
        for (Eigen::Index i = 0; i < p.size(); ++i) {
            Eigen::VectorXd plus = p, minus = p;
            plus(i) += 1e-6;
            minus(i) -= 1e-6;
            EXPECT_NEAR(gradient(i), (objective(plus) - objective(minus)) / 2e-6, 1e-7 * (1 + std::abs(gradient(i))))
                << to_string(activation) << " parameter " << i;
        }
        // Input gradient against finite differences of the outputs.
        Eigen::MatrixXd g;
        mlp.input_gradient(p.data(), pass, g);
        for (Eigen::Index r = 0; r < x.rows(); ++r)
            for (Eigen::Index c = 0; c < x.cols(); ++c) {
                Eigen::MatrixXd xp = x, xm = x;
                xp(r, c) += 1e-6;
                xm(r, c) -= 1e-6;
                Pass pp, pm;
                mlp.forward(p.data(), xp, pp, Derivatives::none);
                mlp.forward(p.data(), xm, pm, Derivatives::none);
                EXPECT_NEAR(g(r, c), (pp.out(c) - pm.out(c)) / 2e-6, 1e-7);
            }
    }
}

// --- predictions ------------------------------------------------------------------------------

TEST(AnnCommittee, ForcesAreMinusTheGradientOfThePredictedMean) {
    const Cluster& c = test_data()[0].cluster;
    Eigen::Matrix3Xd forces, sigma_gradient;
    (void)trained().predict(c, &forces, &sigma_gradient);
    ASSERT_EQ(forces.cols(), 38);
    const double h = 1e-5;
    for (Eigen::Index i = 0; i < 38; i += 5)
        for (int d = 0; d < 3; ++d) {
            Cluster plus = c, minus = c;
            plus.positions(d, i) += h;
            minus.positions(d, i) -= h;
            const double fd = -(trained().predict(plus).energy - trained().predict(minus).energy) / (2 * h);
            EXPECT_NEAR(forces(d, i), fd, 1e-6 + 1e-5 * std::abs(fd)) << "atom " << i << " direction " << d;
        }
    EXPECT_LT(forces.rowwise().sum().norm(), 1e-10 * (1 + forces.norm()));
}

TEST(AnnCommittee, SigmaGradientMatchesFiniteDifferences) {
    const Cluster& c = test_data()[1].cluster;
    Eigen::Matrix3Xd sigma_gradient;
    const Prediction p = trained().predict(c, nullptr, &sigma_gradient);
    ASSERT_GT(p.variance, 0.0);
    ASSERT_EQ(sigma_gradient.cols(), 38);
    const double h = 1e-5;
    for (Eigen::Index i = 1; i < 38; i += 5)
        for (int d = 0; d < 3; ++d) {
            Cluster plus = c, minus = c;
            plus.positions(d, i) += h;
            minus.positions(d, i) -= h;
            const double fd = (trained().predict(plus).sigma() - trained().predict(minus).sigma()) / (2 * h);
            EXPECT_NEAR(sigma_gradient(d, i), fd, 1e-6 + 1e-4 * std::abs(fd)) << "atom " << i << " direction " << d;
        }
}

TEST(AnnCommittee, VarianceIsPositiveAndLargerFarFromTheData) {
    double at_data = 0.0, far = 0.0;
    for (const auto& s : test_data()) {
        const Prediction p = trained().predict(s.cluster);
        EXPECT_GT(p.variance, 0.0);
        EXPECT_TRUE(std::isfinite(p.variance));
        at_data += p.variance;
        Cluster squeezed = s.cluster;
        squeezed.positions *= 0.85;
        far += trained().predict(squeezed).variance;
    }
    EXPECT_GT(far, 10 * at_data);
}

TEST(AnnCommittee, PredictionsAreInvariantAndForcesCovariant) {
    const Cluster& c = test_data()[2].cluster;
    Eigen::Matrix3Xd forces, sigma_gradient;
    const Prediction p = trained().predict(c, &forces, &sigma_gradient);

    const Eigen::Matrix3d rot = Eigen::AngleAxisd(1.1, Eigen::Vector3d(0.3, -1, 2).normalized()).toRotationMatrix();
    Cluster moved = c;
    moved.positions = (rot * c.positions).colwise() + Eigen::Vector3d(-2, 5, 1);
    Eigen::Matrix3Xd f_moved, g_moved;
    const Prediction q = trained().predict(moved, &f_moved, &g_moved);
    EXPECT_NEAR(q.energy, p.energy, 1e-10 * std::abs(p.energy));
    EXPECT_NEAR(q.variance, p.variance, 1e-8 * p.variance);
    EXPECT_LT((f_moved - rot * forces).norm(), 1e-9 * (1 + forces.norm()));
    EXPECT_LT((g_moved - rot * sigma_gradient).norm(), 1e-8 * (1 + sigma_gradient.norm()));

    // Reversed atom order.
    const auto n = static_cast<Eigen::Index>(c.size());
    Cluster permuted = c;
    for (Eigen::Index i = 0; i < n; ++i) {
        permuted.positions.col(i) = c.positions.col(n - 1 - i);
        permuted.species[static_cast<std::size_t>(i)] = c.species[static_cast<std::size_t>(n - 1 - i)];
    }
    Eigen::Matrix3Xd f_perm;
    const Prediction r = trained().predict(permuted, &f_perm, nullptr);
    EXPECT_NEAR(r.energy, p.energy, 1e-10 * std::abs(p.energy));
    EXPECT_NEAR(r.variance, p.variance, 1e-8 * p.variance);
    EXPECT_LT((f_perm - forces.rowwise().reverse()).norm(), 1e-9 * (1 + forces.norm()));
}

TEST(AnnCommittee, MeanAndVarianceComeFromTheMembers) {
    const auto& model = dynamic_cast<const AnnCommittee&>(trained());
    const Cluster& c = test_data()[3].cluster;
    const auto energies = model.member_energies(c);
    ASSERT_EQ(energies.size(), 4u);
    double mean = 0.0, var = 0.0;
    for (double e : energies) mean += e / 4;
    for (double e : energies) var += (e - mean) * (e - mean) / 3;
    const Prediction p = model.predict(c);
    EXPECT_NEAR(p.energy, mean, 1e-10 * std::abs(mean));
    EXPECT_NEAR(p.variance, model.calibration() * var, 1e-9 * p.variance);
    EXPECT_GT(model.calibration(), 0.0);
    EXPECT_EQ(model.validation_rmse().size(), 4u);
    EXPECT_EQ(model.validation_size(), 20u);  // 20 % of 100
}

// --- determinism and persistence ----------------------------------------------------------------

TEST(AnnCommittee, SameSeedGivesIdenticalModelsForAnyThreadCount) {
    const int saved = omp_get_max_threads();
    const auto data = test::make_ptau_samples(24, 31, 13, 6);
    std::vector<std::unique_ptr<Surrogate>> models;
    for (int threads : {1, 2, 2}) {
        omp_set_num_threads(threads);
        models.push_back(make_model(small_table(3, 20, 5, 100)));
        models.back()->fit(data);
        (void)models.back()->predict(data[0].cluster);
        EXPECT_EQ(omp_get_max_threads(), threads);  // the serial-Eigen guard leaves the caller's setting alone
    }
    omp_set_num_threads(saved);
    auto other_seed = make_model(small_table(3, 20, 6, 100));
    other_seed->fit(data);
    for (const auto& s : test::make_ptau_samples(3, 32, 13, 6)) {
        const Prediction a = models[0]->predict(s.cluster);
        for (std::size_t k = 1; k < models.size(); ++k) {
            EXPECT_EQ(models[k]->predict(s.cluster).energy, a.energy);
            EXPECT_EQ(models[k]->predict(s.cluster).variance, a.variance);
        }
        EXPECT_NE(other_seed->predict(s.cluster).energy, a.energy);
    }
}

TEST(AnnCommittee, ConcurrentPredictionsEqualSerialOnes) {
    const auto& data = test_data();
    const auto n = static_cast<long>(data.size());
    std::vector<double> serial(data.size()), parallel(data.size());
    std::vector<Eigen::Matrix3Xd> f_serial(data.size()), f_parallel(data.size());
    for (long k = 0; k < n; ++k)
        serial[static_cast<std::size_t>(k)] =
            trained()
                .predict(data[static_cast<std::size_t>(k)].cluster, &f_serial[static_cast<std::size_t>(k)], nullptr)
                .energy;
#pragma omp parallel for schedule(dynamic, 1) num_threads(2)
    for (long k = 0; k < n; ++k)
        parallel[static_cast<std::size_t>(k)] =
            trained()
                .predict(data[static_cast<std::size_t>(k)].cluster, &f_parallel[static_cast<std::size_t>(k)], nullptr)
                .energy;
    for (std::size_t k = 0; k < data.size(); ++k) {
        EXPECT_EQ(serial[k], parallel[k]);
        EXPECT_EQ((f_serial[k] - f_parallel[k]).norm(), 0.0);
    }
}

// 40 far-apart clusters (1520 atoms): products of the size where Eigen would start its own
// OpenMP threads, which the model keeps off (ann_network.hpp, run_serial_eigen) so that the
// arithmetic does not depend on the calling context.
TEST(AnnCommittee, LargeClusterPredictionDoesNotDependOnTheCallingThread) {
    Cluster big;
    big.positions.resize(3, 40 * 38);
    for (int copy = 0; copy < 40; ++copy) {
        const Cluster& c = test_data()[static_cast<std::size_t>(copy % 30)].cluster;
        big.positions.middleCols(38 * copy, 38) =
            c.positions.colwise() + Eigen::Vector3d(20.0 * (copy % 9), 20.0 * (copy / 9), 0);
        big.species.insert(big.species.end(), c.species.begin(), c.species.end());
    }
    Eigen::Matrix3Xd f_main, g_main;
    const Prediction main_thread = trained().predict(big, &f_main, &g_main);
    std::vector<Prediction> worker(2);
    std::vector<Eigen::Matrix3Xd> f_worker(2), g_worker(2);
#pragma omp parallel for num_threads(2)
    for (int k = 0; k < 2; ++k)
        worker[static_cast<std::size_t>(k)] =
            trained().predict(big, &f_worker[static_cast<std::size_t>(k)], &g_worker[static_cast<std::size_t>(k)]);
    for (int k = 0; k < 2; ++k) {
        EXPECT_EQ(worker[static_cast<std::size_t>(k)].energy, main_thread.energy);
        EXPECT_EQ(worker[static_cast<std::size_t>(k)].variance, main_thread.variance);
        EXPECT_EQ((f_worker[static_cast<std::size_t>(k)] - f_main).norm(), 0.0);
        EXPECT_EQ((g_worker[static_cast<std::size_t>(k)] - g_main).norm(), 0.0);
    }
}

TEST(AnnCommittee, SavedStateRestoresTheModelBitForBit) {
    std::stringstream state;
    trained().save_state(state);
    const std::string text = state.str();
    auto loaded = create_surrogate(trained().settings(), pt_au);
    EXPECT_FALSE(loaded->ready());
    loaded->load_state(state, "model.state");
    ASSERT_TRUE(loaded->ready());
    EXPECT_EQ(loaded->training_size(), trained().training_size());
    EXPECT_EQ(loaded->description(), trained().description());
    for (const auto& s : test_data()) {
        Eigen::Matrix3Xd fa, ga, fb, gb;
        const Prediction a = trained().predict(s.cluster, &fa, &ga);
        const Prediction b = loaded->predict(s.cluster, &fb, &gb);
        EXPECT_EQ(a.energy, b.energy);
        EXPECT_EQ(a.variance, b.variance);
        EXPECT_EQ((fa - fb).norm(), 0.0);
        EXPECT_EQ((ga - gb).norm(), 0.0);
    }
    std::stringstream again;
    loaded->save_state(again);
    EXPECT_EQ(again.str(), text);
}

TEST(AnnCommittee, SettingsHoldEveryResolvedKey) {
    const ParameterTable s = trained().settings();
    for (const char* key : {"type", "descriptor", "seed", "hidden", "activation", "members", "epochs", "update_epochs",
                            "learning_rate", "learning_rate_decay", "min_steps", "batch_size", "validation_fraction",
                            "patience", "force_weight", "bootstrap"})
        EXPECT_TRUE(s.has(key)) << key;
    EXPECT_EQ(s.require_string("type"), "ann_committee");
    EXPECT_EQ(s.get_table("descriptor").require_string("type"), "symmetry_functions");
    EXPECT_EQ(s.get_integer("members", 0), 4);
    // Defaults are filled in.
    ParameterTable minimal("surrogate");
    minimal.set("type", ParameterValue::of("ann_committee"));
    const ParameterTable d = make_model(minimal)->settings();
    EXPECT_EQ(d.get_integer("members", 0), AnnSettings{}.members);
    EXPECT_EQ(d.get_string("activation", ""), AnnSettings{}.activation);
    EXPECT_EQ(d.get_table("descriptor").require_string("type"), "symmetry_functions");
}

TEST(AnnCommittee, LoadStateRejectsAStateOfAnotherArchitecture) {
    std::stringstream state;
    trained().save_state(state);
    ParameterTable wider = small_table();
    wider.set("hidden", integers({12, 10}));
    auto model = make_model(wider);
    try {
        model->load_state(state, "model.state");
        FAIL() << "no InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("model.state"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(model->ready());
    std::stringstream truncated(state.str().substr(0, 200));
    auto same = make_model(small_table());
    EXPECT_THROW(same->load_state(truncated, "cut.state"), InputError);
}

// --- learning -----------------------------------------------------------------------------------

TEST(AnnCommittee, LearnsEmtEnergiesFarBelowTheirSpread) {
    const double mae = mae_per_atom(trained(), test_data());
    const double spread = std_per_atom(test_data());
    EXPECT_LT(mae, 0.2 * spread) << trained().description();
}

TEST(AnnCommittee, PerElementReferenceEnergiesHandleSeveralCompositions) {
    std::vector<Sample> train, test;
    for (int n_pt : {4, 13, 22, 31, 34}) {
        for (auto& s : test::make_ptau_samples(24, 40 + static_cast<std::uint64_t>(n_pt), 38, n_pt)) train.push_back(s);
        for (auto& s : test::make_ptau_samples(4, 80 + static_cast<std::uint64_t>(n_pt), 38, n_pt)) test.push_back(s);
    }
    auto model = make_model(small_table(3, 60));
    model->fit(train);
    // The spread is mostly the composition, which the per-element energies absorb.
    EXPECT_LT(mae_per_atom(*model, test), 0.2 * std_per_atom(test)) << model->description();
}

TEST(AnnCommittee, UpdateWarmStartsOnTheEnlargedSet) {
    const auto& data = training_data();
    const std::vector<Sample> first(data.begin(), data.begin() + 20), second(data.begin() + 20, data.begin() + 60);
    auto model = make_model(small_table(3, 80));
    model->update(first);  // not ready: update() fits
    ASSERT_TRUE(model->ready());
    EXPECT_EQ(model->training_size(), 20u);
    const double before = mae_per_atom(*model, test_data());
    model->update(second);
    EXPECT_EQ(model->training_size(), 60u);
    EXPECT_EQ(dynamic_cast<const AnnCommittee&>(*model).validation_size(), 12u);
    const double after = mae_per_atom(*model, test_data());
    EXPECT_LT(after, before);

    // After a save/load round trip update() continues identically.
    auto copy = create_surrogate(model->settings(), pt_au);
    std::stringstream state;
    model->save_state(state);
    copy->load_state(state, "state");
    const auto more = test::make_ptau_samples(10, 13);
    model->update(more);
    copy->update(more);
    EXPECT_EQ(model->predict(test_data()[0].cluster).energy, copy->predict(test_data()[0].cluster).energy);
}

TEST(AnnCommittee, ForceLossImprovesPredictedForces) {
    const auto train = test::make_ptau_samples(20, 51, 13, 6);
    const auto test = test::make_ptau_samples(10, 52, 13, 6);
    const auto force_rmse = [&](double weight) {
        ParameterTable t = small_table(2, 60, 5, 1000);
        t.set("force_weight", ParameterValue::of(weight));
        auto model = make_model(t);
        model->fit(train);
        double sq = 0.0, count = 0.0;
        for (const auto& s : test) {
            Eigen::Matrix3Xd f;
            (void)model->predict(s.cluster, &f, nullptr);
            sq += (f - *s.forces).squaredNorm();
            count += static_cast<double>(f.size());
        }
        return std::sqrt(sq / count);
    };
    const double energies_only = force_rmse(0.0), with_forces = force_rmse(0.1);
    EXPECT_LT(with_forces, 0.5 * energies_only) << energies_only << " eV/A without forces";
}

TEST(AnnCommittee, OneMemberHasZeroVariance) {
    auto model = make_model(small_table(1, 10, 5, 100));
    model->fit(test::make_ptau_samples(12, 61, 13, 6));
    Eigen::Matrix3Xd g;
    const Prediction p = model->predict(test_data()[0].cluster, nullptr, &g);
    EXPECT_EQ(p.variance, 0.0);
    EXPECT_EQ(g.norm(), 0.0);
}

// --- errors -------------------------------------------------------------------------------------

TEST(AnnCommittee, MisspeltKeyNamesTheClosestKey) {
    ParameterTable t = small_table();
    t.set("learning_rat", ParameterValue::of(0.01));
    const std::string message = input_error_message(t);
    EXPECT_NE(message.find("learning_rat"), std::string::npos) << message;
    EXPECT_NE(message.find("learning_rate"), std::string::npos) << message;
}

TEST(AnnCommittee, InvalidValuesAreInputErrors) {
    const auto check = [](const std::string& key, const ParameterValue& value, const std::string& expected) {
        ParameterTable t = small_table();
        t.set(key, value);
        const std::string message = input_error_message(t);
        EXPECT_NE(message.find(key), std::string::npos) << message;
        EXPECT_NE(message.find(expected), std::string::npos) << message;
    };
    check("activation", ParameterValue::of("shifted_softplis"), "shifted_softplus");
    check("hidden", integers({10, 0}), "1..4096");
    check("hidden", ParameterValue::of("wide"), "layer widths");
    check("members", ParameterValue::of(0), "1..1024");
    check("validation_fraction", ParameterValue::of(1.0), "[0, 1)");
    check("learning_rate", ParameterValue::of(-1.0), "(0, 1)");
    check("force_weight", ParameterValue::of(-0.5), ">= 0");
    ParameterTable t = small_table();
    ParameterTable descriptor("surrogate.descriptor");
    descriptor.set("type", ParameterValue::of("symetry_functions"));
    t.set("descriptor", descriptor.value());
    EXPECT_NE(input_error_message(t).find("symmetry_functions"), std::string::npos);
}

TEST(AnnCommittee, UntrainedUseIsAnError) {
    auto model = make_model(small_table());
    EXPECT_FALSE(model->ready());
    EXPECT_THROW((void)model->predict(test_data()[0].cluster), Error);
    std::stringstream out;
    EXPECT_THROW(model->save_state(out), Error);
    EXPECT_NE(model->description().find("untrained"), std::string::npos);
}

TEST(AnnCommittee, ForeignSpeciesAreInputErrors) {
    auto model = make_model(small_table(2, 5, 5, 0));
    auto samples = test::make_ptau_samples(6, 71, 13, 6);
    samples[3].cluster.species[0] = 29;  // Cu
    EXPECT_THROW(model->fit(samples), InputError);
    Cluster copper = test_data()[0].cluster;
    copper.species[5] = 29;
    EXPECT_THROW((void)trained().predict(copper), InputError);
}

}  // namespace
}  // namespace nanoscape
