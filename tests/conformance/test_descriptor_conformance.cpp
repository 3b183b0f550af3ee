// Properties every registered descriptor must have, with its default settings, for the
// species {Pt, Au} and {Cu}: analytic Jacobians equal central finite differences (on a
// perturbed 38-atom truncated octahedron and a random 20-atom cluster), backpropagate() is the
// gradient of sum_i w_i . G_i, features are invariant under translation and rotation and
// permute with the atoms, far-away atoms change nothing, an isolated atom has finite
// features, foreign species and misspelt keys are InputErrors, settings() rebuilds an
// identical descriptor, and the thread count does not change a single bit. A new descriptor
// in descriptor_registry() is picked up without touching this file.

#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <ostream>

#include <Eigen/Geometry>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nanoscape/core/rng.hpp"
#include "nanoscape/descriptors/descriptor.hpp"
#include "nanoscape/geometry/motifs.hpp"

namespace nanoscape {
namespace {

struct DescriptorCase {
    std::string key;
    std::vector<std::string> elements;
};

void PrintTo(const DescriptorCase& c, std::ostream* os) { *os << c.key << "_" << fmt::format("{}", fmt::join(c.elements, "")); }

std::vector<DescriptorCase> all_cases() {
    std::vector<DescriptorCase> cases;
    for (const auto& e : descriptor_registry()) {
        cases.push_back({e.key, {"Pt", "Au"}});
        cases.push_back({e.key, {"Cu"}});
    }
    return cases;
}

std::vector<Species> to_species(const std::vector<std::string>& elements) {
    std::vector<Species> s;
    for (const auto& e : elements) s.push_back(species_from_symbol(e));
    std::sort(s.begin(), s.end());
    return s;
}

// A cluster of `n` atoms of the motif, species alternating over `species`, randomly ordered,
// every coordinate displaced by up to `jitter` Angstrom (so no symmetry hides an error).
Cluster make_cluster(Motif motif, int n, const std::vector<Species>& species, double jitter, std::uint64_t seed) {
    BuildRequest request;
    request.motif = motif;
    request.size = n;
    const int per = n / static_cast<int>(species.size());
    for (std::size_t k = 0; k < species.size(); ++k)
        request.composition.emplace_back(species[k], k + 1 == species.size() ? n - per * static_cast<int>(k) : per);
    Rng rng = make_stream(seed, 1);
    Cluster c = build_cluster(request, default_pair_distance, rng);
    for (Eigen::Index i = 0; i < c.positions.cols(); ++i)
        for (int a = 0; a < 3; ++a) c.positions(a, i) += jitter * (2.0 * rng.uniform() - 1.0);
    return c;
}

Eigen::Matrix3d random_rotation(Rng& rng) {
    Eigen::Quaterniond q(rng.normal(), rng.normal(), rng.normal(), rng.normal());
    q.normalize();
    return q.toRotationMatrix();
}

class DescriptorConformance : public ::testing::TestWithParam<DescriptorCase> {
protected:
    void SetUp() override {
        species_ = to_species(GetParam().elements);
        ParameterTable table("descriptor");
        descriptor_ = create_descriptor(table, species_, GetParam().key);
        octahedron_ = make_cluster(Motif::truncated_octahedron, 38, species_, 0.15, 11);
        random_ = make_cluster(Motif::random, 20, species_, 0.05, 12);
    }

    Eigen::MatrixXd features(const Cluster& c) const {
        Eigen::MatrixXd g;
        descriptor_->compute(c, g, nullptr);
        return g;
    }

    // Central differences of every feature of every centre against the Jacobians.
    void check_jacobians(const Cluster& cluster) const {
        Eigen::MatrixXd g;
        std::vector<DescriptorJacobian> jac;
        descriptor_->compute(cluster, g, &jac);
        const auto n = static_cast<Eigen::Index>(cluster.size());
        ASSERT_EQ(jac.size(), cluster.size());
        ASSERT_EQ(g.rows(), static_cast<Eigen::Index>(descriptor_->size()));
        for (Eigen::Index i = 0; i < n; ++i) {
            const auto& J = jac[static_cast<std::size_t>(i)];
            ASSERT_FALSE(J.atoms.empty());
            ASSERT_EQ(J.atoms[0], static_cast<std::size_t>(i));
            ASSERT_EQ(J.values.rows(), g.rows());
            ASSERT_EQ(J.values.cols(), static_cast<Eigen::Index>(3 * J.atoms.size()));
        }
        const double h = 1e-5;  // Angstrom: error ~ h^2 G''' + eps G / h, both below 1e-8 here
        double worst = 0.0;
        for (Eigen::Index a = 0; a < n; ++a)
            for (int alpha = 0; alpha < 3; ++alpha) {
                Cluster plus = cluster, minus = cluster;
                plus.positions(alpha, a) += h;
                minus.positions(alpha, a) -= h;
                const Eigen::MatrixXd numeric = (features(plus) - features(minus)) / (2 * h);
                for (Eigen::Index i = 0; i < n; ++i) {
                    const auto& J = jac[static_cast<std::size_t>(i)];
                    const auto it = std::find(J.atoms.begin(), J.atoms.end(), static_cast<std::size_t>(a));
                    Eigen::VectorXd analytic = Eigen::VectorXd::Zero(g.rows());
                    if (it != J.atoms.end())
                        analytic = J.values.col(3 * static_cast<Eigen::Index>(it - J.atoms.begin()) + alpha);
                    for (Eigen::Index f = 0; f < g.rows(); ++f) {
                        const double err = std::abs(numeric(f, i) - analytic(f));
                        const double tol = 1e-6 * std::max(1.0, std::abs(analytic(f)));
                        worst = std::max(worst, err / tol);
                        if (err > tol)
                            FAIL() << GetParam().key << ": dG_" << i << "[" << f << "]/dx_" << a << "," << alpha
                                   << " analytic " << analytic(f) << " numeric " << numeric(f, i)
                                   << (it == J.atoms.end() ? " (atom not in the Jacobian)" : "");
                    }
                }
            }
        RecordProperty("worst_error_over_tolerance", fmt::format("{:.3g}", worst));
    }

    std::vector<Species> species_;
    std::unique_ptr<Descriptor> descriptor_;
    Cluster octahedron_;
    Cluster random_;
};

TEST_P(DescriptorConformance, Defaults_DescribeThemselves) {
    EXPECT_EQ(descriptor_->type(), GetParam().key);
    EXPECT_GT(descriptor_->size(), 0u);
    EXPECT_GT(descriptor_->cutoff(), 0.0);
    EXPECT_EQ(descriptor_->species(), species_);
    EXPECT_NE(descriptor_->description().find(GetParam().key), std::string::npos) << descriptor_->description();
    const Eigen::MatrixXd g = features(octahedron_);
    EXPECT_EQ(g.rows(), static_cast<Eigen::Index>(descriptor_->size()));
    EXPECT_EQ(g.cols(), 38);
    EXPECT_TRUE(g.allFinite());
    EXPECT_GT(g.cwiseAbs().maxCoeff(), 0.0);
}

TEST_P(DescriptorConformance, Jacobian_MatchesFiniteDifferences_Octahedron38) { check_jacobians(octahedron_); }

TEST_P(DescriptorConformance, Jacobian_MatchesFiniteDifferences_Random20) { check_jacobians(random_); }

TEST_P(DescriptorConformance, Backpropagate_IsGradientOfWeightedSum) {
    const Cluster& c = random_;
    Eigen::MatrixXd g;
    std::vector<DescriptorJacobian> jac;
    descriptor_->compute(c, g, &jac);
    Rng rng = make_stream(5, 0);
    Eigen::MatrixXd w(g.rows(), g.cols());
    for (Eigen::Index k = 0; k < w.size(); ++k) w(k) = rng.normal();
    Eigen::Matrix3Xd gradient;
    backpropagate(jac, w, gradient);
    ASSERT_EQ(gradient.cols(), static_cast<Eigen::Index>(c.size()));
    const double h = 1e-5;
    for (Eigen::Index a = 0; a < gradient.cols(); ++a)
        for (int alpha = 0; alpha < 3; ++alpha) {
            Cluster plus = c, minus = c;
            plus.positions(alpha, a) += h;
            minus.positions(alpha, a) -= h;
            const double numeric = ((w.array() * features(plus).array()).sum() -
                                    (w.array() * features(minus).array()).sum()) / (2 * h);
            EXPECT_NEAR(gradient(alpha, a), numeric, 1e-6 * std::max(1.0, std::abs(numeric)))
                << "atom " << a << " component " << alpha;
        }
}

TEST_P(DescriptorConformance, Features_InvariantUnderTranslationAndRotation) {
    const Eigen::MatrixXd g0 = features(octahedron_);
    const double scale = std::max(1.0, g0.cwiseAbs().maxCoeff());
    Cluster moved = octahedron_;
    moved.positions.colwise() += Eigen::Vector3d(13.7, -4.2, 101.3);
    EXPECT_LT((features(moved) - g0).cwiseAbs().maxCoeff(), 1e-10 * scale);
    Rng rng = make_stream(7, 0);
    for (int trial = 0; trial < 3; ++trial) {
        Cluster rotated = octahedron_;
        rotated.positions = random_rotation(rng) * octahedron_.positions;
        EXPECT_LT((features(rotated) - g0).cwiseAbs().maxCoeff(), 1e-10 * scale) << "rotation " << trial;
    }
}

TEST_P(DescriptorConformance, Features_PermuteWithTheAtoms) {
    const Cluster& c = octahedron_;
    const Eigen::MatrixXd g0 = features(c);
    std::vector<std::size_t> perm(c.size());
    std::iota(perm.begin(), perm.end(), 0);
    Rng rng = make_stream(8, 0);
    for (std::size_t k = perm.size() - 1; k > 0; --k) std::swap(perm[k], perm[rng.below(k + 1)]);
    Cluster p = c;
    for (std::size_t i = 0; i < c.size(); ++i) {  // old atom i becomes new atom perm[i]
        p.positions.col(static_cast<Eigen::Index>(perm[i])) = c.positions.col(static_cast<Eigen::Index>(i));
        p.species[perm[i]] = c.species[i];
    }
    const Eigen::MatrixXd g1 = features(p);
    const double scale = std::max(1.0, g0.cwiseAbs().maxCoeff());
    for (std::size_t i = 0; i < c.size(); ++i)
        EXPECT_LT((g1.col(static_cast<Eigen::Index>(perm[i])) - g0.col(static_cast<Eigen::Index>(i))).cwiseAbs().maxCoeff(),
                  1e-10 * scale)
            << "atom " << i;
}

TEST_P(DescriptorConformance, Features_AreLocal) {
    // A second cluster 100 A away: the first cluster's features and Jacobians do not change.
    Cluster both = octahedron_;
    const auto n1 = octahedron_.positions.cols(), n2 = random_.positions.cols();
    both.positions.conservativeResize(3, n1 + n2);
    both.positions.rightCols(n2) = random_.positions.colwise() + Eigen::Vector3d(100.0, 0.0, 0.0);
    both.species.insert(both.species.end(), random_.species.begin(), random_.species.end());
    Eigen::MatrixXd g0, g1;
    std::vector<DescriptorJacobian> j0, j1;
    descriptor_->compute(octahedron_, g0, &j0);
    descriptor_->compute(both, g1, &j1);
    EXPECT_EQ(g1.leftCols(n1), g0);
    for (std::size_t i = 0; i < static_cast<std::size_t>(n1); ++i) {
        EXPECT_EQ(j1[i].atoms, j0[i].atoms);
        EXPECT_EQ(j1[i].values, j0[i].values);
    }
}

TEST_P(DescriptorConformance, IsolatedAtom_HasFiniteFeatures) {
    Cluster c = random_;
    const auto n = c.positions.cols();
    c.positions.conservativeResize(3, n + 1);
    c.positions.col(n) = Eigen::Vector3d(40.0, 0.0, 0.0);
    c.species.push_back(species_.front());
    Eigen::MatrixXd g;
    std::vector<DescriptorJacobian> jac;
    descriptor_->compute(c, g, &jac);
    EXPECT_TRUE(g.allFinite());
    EXPECT_TRUE(g.col(n).allFinite());
    ASSERT_EQ(jac.back().atoms.size(), 1u);
    EXPECT_TRUE(jac.back().values.allFinite());
    // A lone atom: no neighbours at all.
    Cluster single(Eigen::Matrix3Xd::Zero(3, 1), {species_.back()});
    descriptor_->compute(single, g, &jac);
    EXPECT_TRUE(g.allFinite());
    EXPECT_TRUE(jac[0].values.allFinite());
}

TEST_P(DescriptorConformance, UnknownSpecies_IsInputErrorNamingTheElement) {
    Cluster c = random_;
    c.species[3] = species_from_symbol("Ag");
    Eigen::MatrixXd g;
    try {
        descriptor_->compute(c, g, nullptr);
        FAIL() << "no InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("Ag"), std::string::npos) << e.what();
    }
}

TEST_P(DescriptorConformance, MisspeltKey_IsInputErrorNamingTheClosestKey) {
    ParameterTable table("descriptor");
    table.set("cutof", ParameterValue::of(5.0));
    try {
        (void)create_descriptor(table, species_, GetParam().key);
        FAIL() << "no InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("did you mean 'cutoff'"), std::string::npos) << e.what();
    }
    ParameterTable negative("descriptor");
    negative.set("cutoff", ParameterValue::of(-1.0));
    EXPECT_THROW((void)create_descriptor(negative, species_, GetParam().key), InputError);
}

TEST_P(DescriptorConformance, Settings_RebuildAnIdenticalDescriptor) {
    const ParameterTable s = descriptor_->settings();
    EXPECT_EQ(s.get_string("type", ""), GetParam().key);
    const auto copy = create_descriptor(s, descriptor_->species(), "");
    EXPECT_EQ(copy->size(), descriptor_->size());
    EXPECT_EQ(copy->description(), descriptor_->description());
    EXPECT_EQ(copy->settings().keys(), s.keys());
    Eigen::MatrixXd g1;
    copy->compute(octahedron_, g1, nullptr);
    EXPECT_EQ(g1, features(octahedron_));
}

TEST_P(DescriptorConformance, Results_IndependentOfThreadCount) {
    const int saved = omp_get_max_threads();
    Eigen::MatrixXd g1, g2;
    std::vector<DescriptorJacobian> j1, j2;
    omp_set_num_threads(1);
    descriptor_->compute(octahedron_, g1, &j1);
    omp_set_num_threads(2);
    descriptor_->compute(octahedron_, g2, &j2);
    omp_set_num_threads(saved);
    EXPECT_EQ(g1, g2);
    ASSERT_EQ(j1.size(), j2.size());
    for (std::size_t i = 0; i < j1.size(); ++i) {
        EXPECT_EQ(j1[i].atoms, j2[i].atoms);
        EXPECT_EQ(j1[i].values, j2[i].values);
    }
}

INSTANTIATE_TEST_SUITE_P(Registry, DescriptorConformance, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<DescriptorCase>& info) {
                             return fmt::format("{}_{}", info.param.key, fmt::join(info.param.elements, ""));
                         });

}  // namespace
}  // namespace nanoscape
