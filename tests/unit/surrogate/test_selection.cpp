// Training-set selection: every method returns `count` distinct indices deterministically, and
// each does what it promises on a toy set built so the right answer is known.

#include <gtest/gtest.h>

#include <Eigen/SVD>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <istream>
#include <limits>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "nanoscape/core/error.hpp"
#include "nanoscape/core/rng.hpp"
#include "nanoscape/geometry/builders.hpp"
#include "nanoscape/surrogate/selection.hpp"

namespace nanoscape {
namespace {

const Species pt = species_from_symbol("Pt");
const Species au = species_from_symbol("Au");

// A tiny descriptor for tests: the per-atom features are the atom's coordinates (Angstrom).
// Not invariant, which is the point: the structure features of a one-atom cluster are exactly
// the position we put it at.
class PositionDescriptor final : public Descriptor {
public:
    PositionDescriptor() : species_{pt, au} {}
    [[nodiscard]] std::string type() const override { return "test_positions"; }
    [[nodiscard]] std::string description() const override { return "atom coordinates (tests only)"; }
    [[nodiscard]] double cutoff() const override { return 5.0; }
    [[nodiscard]] const std::vector<Species>& species() const override { return species_; }
    [[nodiscard]] std::size_t size() const override { return 3; }
    [[nodiscard]] ParameterTable settings() const override { return ParameterTable("descriptor"); }
    void compute(const Cluster& cluster, Eigen::MatrixXd& features,
                 std::vector<DescriptorJacobian>* jacobians) const override {
        features = cluster.positions;
        if (jacobians != nullptr) jacobians->clear();
    }

private:
    std::vector<Species> species_;
};

// F nonlinear features per atom, f_j = sin(a_j . r + b_j) with fixed random a_j, b_j: enough
// columns to make the structure-feature matrix wider or taller than the CUR solver's cut-offs.
class WaveDescriptor final : public Descriptor {
public:
    explicit WaveDescriptor(Eigen::Index features) : species_{pt, au}, a_(features, 3), b_(features) {
        Rng rng(17);
        for (Eigen::Index i = 0; i < a_.size(); ++i) a_.data()[i] = rng.normal();
        for (Eigen::Index i = 0; i < b_.size(); ++i) b_(i) = rng.uniform(0.0, 6.0);
    }
    [[nodiscard]] std::string type() const override { return "test_waves"; }
    [[nodiscard]] std::string description() const override { return "sine features (tests only)"; }
    [[nodiscard]] double cutoff() const override { return 5.0; }
    [[nodiscard]] const std::vector<Species>& species() const override { return species_; }
    [[nodiscard]] std::size_t size() const override { return static_cast<std::size_t>(b_.size()); }
    [[nodiscard]] ParameterTable settings() const override { return ParameterTable("descriptor"); }
    void compute(const Cluster& cluster, Eigen::MatrixXd& features,
                 std::vector<DescriptorJacobian>* jacobians) const override {
        features = ((a_ * cluster.positions).colwise() + b_).array().sin().matrix();
        if (jacobians != nullptr) jacobians->clear();
    }

private:
    std::vector<Species> species_;
    Eigen::MatrixXd a_;
    Eigen::VectorXd b_;
};

// A mock surrogate whose variance behaves like a GP's: the squared distance (Angstrom^2) of
// atom 0 from the nearest training structure's atom 0, zero at training points.
class NearestPointSurrogate final : public Surrogate {
public:
    [[nodiscard]] std::string type() const override { return "nearest_point"; }
    [[nodiscard]] std::string description() const override { return "mock surrogate (tests only)"; }
    [[nodiscard]] const Descriptor& descriptor() const override { return descriptor_; }
    [[nodiscard]] bool ready() const override { return !training_.empty(); }
    [[nodiscard]] std::size_t training_size() const override { return training_.size(); }
    [[nodiscard]] Prediction predict(const Cluster& cluster, Eigen::Matrix3Xd*, Eigen::Matrix3Xd*) const override {
        if (!ready()) throw Error("mock surrogate: not fitted");
        Prediction p;
        p.variance = std::numeric_limits<double>::infinity();
        for (const auto& x : training_) p.variance = std::min(p.variance, (cluster.positions.col(0) - x).squaredNorm());
        return p;
    }
    void fit(std::span<const Sample> samples) override {
        ++fits_;
        training_.clear();
        for (const auto& s : samples) training_.push_back(s.cluster.positions.col(0));
    }
    void update(std::span<const Sample> samples) override {
        for (const auto& s : samples) training_.push_back(s.cluster.positions.col(0));
    }
    [[nodiscard]] ParameterTable settings() const override { return ParameterTable("surrogate"); }
    void save_state(std::ostream&) const override {}
    void load_state(std::istream&, const std::string&) override {}

    [[nodiscard]] int fits() const { return fits_; }

private:
    PositionDescriptor descriptor_;
    std::vector<Eigen::Vector3d> training_;
    int fits_ = 0;
};

Sample atom_at(double x, double y = 0.0, double z = 0.0, Species s = pt) {
    Sample sample;
    sample.cluster = Cluster(Eigen::Vector3d(x, y, z), {s});
    return sample;
}

Sample dimer(double r, Species a = pt, Species b = pt) {
    Sample sample;
    Eigen::Matrix3Xd x = Eigen::Matrix3Xd::Zero(3, 2);
    x(0, 1) = r;
    sample.cluster = Cluster(x, {a, b});
    return sample;
}

// Three-atom clusters at random positions with random species.
std::vector<Sample> random_pool(std::size_t n) {
    Rng rng(1);
    std::vector<Sample> pool;
    for (std::size_t i = 0; i < n; ++i) {
        Sample s;
        Eigen::Matrix3Xd x(3, 3);
        for (Eigen::Index k = 0; k < x.size(); ++k) x.data()[k] = rng.uniform(-3.0, 3.0);
        s.cluster = Cluster(x, {pt, rng.below(2) == 0 ? pt : au, au});
        pool.push_back(s);
    }
    return pool;
}

std::vector<std::size_t> select(const std::vector<Sample>& pool, const SelectionOptions& o,
                                const Descriptor* descriptor = nullptr, Surrogate* model = nullptr) {
    return select_training_set(pool, o, descriptor, model);
}

TEST(Selection, EveryMethodReturnsCountDistinctIndicesDeterministically) {
    const auto pool = random_pool(40);
    const PositionDescriptor descriptor;
    for (const auto& method : selection_registry().keys()) {
        SelectionOptions o;
        o.method = method;
        o.count = 9;
        o.seed = 3;
        o.batch = 4;
        o.threads = 1;
        NearestPointSurrogate m1, m2, m3;
        const auto a = select(pool, o, &descriptor, &m1);
        const auto b = select(pool, o, &descriptor, &m2);
        o.threads = 2;
        const auto c = select(pool, o, &descriptor, &m3);
        ASSERT_EQ(a.size(), 9u) << method;
        EXPECT_EQ(std::set<std::size_t>(a.begin(), a.end()).size(), 9u) << method;
        for (const auto i : a) EXPECT_LT(i, pool.size()) << method;
        EXPECT_EQ(a, b) << method;
        EXPECT_EQ(a, c) << method;
        o.count = 0;
        EXPECT_TRUE(select(pool, o, &descriptor, &m3).empty()) << method;
        o.count = pool.size();
        NearestPointSurrogate m4;
        const auto all = select(pool, o, &descriptor, &m4);
        EXPECT_EQ(std::set<std::size_t>(all.begin(), all.end()).size(), pool.size()) << method;
    }
}

TEST(Selection, RandomDependsOnTheSeed) {
    const auto pool = random_pool(40);
    SelectionOptions o;
    o.count = 10;
    const auto a = select(pool, o);
    o.seed = 1;
    EXPECT_NE(a, select(pool, o));
}

TEST(Selection, FpsAddsTheFarthestPointEachStep) {
    // 1-D toy set: standardising one column is an affine map, so distances keep their order.
    const std::vector<double> xs{0.0, 0.13, 0.27, 0.41, 5.03, 5.17, 2.39, -1.07, 9.11, 3.31};
    std::vector<Sample> pool;
    for (const double x : xs) pool.push_back(atom_at(x));
    const PositionDescriptor descriptor;
    std::set<std::size_t> starts;
    for (std::uint64_t seed = 0; seed < 12; ++seed) {
        SelectionOptions o;
        o.method = "fps";
        o.count = 6;
        o.seed = seed;
        const auto picked = select(pool, o, &descriptor);
        ASSERT_EQ(picked.size(), 6u);
        starts.insert(picked[0]);
        for (std::size_t t = 1; t < picked.size(); ++t) {
            std::size_t expected = xs.size();
            double farthest = -1.0;
            for (std::size_t i = 0; i < xs.size(); ++i) {
                if (std::find(picked.begin(), picked.begin() + static_cast<std::ptrdiff_t>(t), i) !=
                    picked.begin() + static_cast<std::ptrdiff_t>(t))
                    continue;
                double nearest = 1e300;
                for (std::size_t s = 0; s < t; ++s) nearest = std::min(nearest, std::abs(xs[i] - xs[picked[s]]));
                if (nearest > farthest) {
                    farthest = nearest;
                    expected = i;
                }
            }
            EXPECT_EQ(picked[t], expected) << "seed " << seed << " step " << t;
        }
    }
    EXPECT_GT(starts.size(), 3u);  // the first point is drawn with the seed
    // From the cluster near 0, the farthest point is 9.11 A (index 8).
    SelectionOptions o;
    o.method = "fps";
    o.count = 2;
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
        o.seed = seed;
        const auto picked = select(pool, o, &descriptor);
        if (xs[picked[0]] < 1.0) {
            EXPECT_EQ(picked[1], 8u);
        }
    }
}

// Points along d = (1, 1, 0)/sqrt(2) at t in [-1, 1], small noise across it, and one point far
// out at t = 4 (index 5): the dominant direction of the matrix, and the row that spans it most.
std::vector<Sample> dominant_direction_pool(bool duplicate) {
    Rng rng(11);
    std::vector<Sample> pool;
    for (int i = 0; i < 21; ++i) {
        const double t = i == 5 ? 4.0 : -1.0 + 0.1 * i;
        const double across = 0.05 * rng.normal();
        pool.push_back(atom_at((t + across) / std::sqrt(2.0), (t - across) / std::sqrt(2.0), 0.05 * rng.normal()));
    }
    if (duplicate) pool[9] = pool[5];
    return pool;
}

TEST(Selection, CurPicksTheRowAlongTheDominantDirection) {
    const PositionDescriptor descriptor;
    SelectionOptions o;
    o.method = "cur";
    o.count = 1;
    EXPECT_EQ(select(dominant_direction_pool(false), o, &descriptor), std::vector<std::size_t>{5});
    o.singular_vectors = 2;
    EXPECT_EQ(select(dominant_direction_pool(false), o, &descriptor), std::vector<std::size_t>{5});
}

TEST(Selection, CurDoesNotPickADuplicateAfterOrthogonalising) {
    const PositionDescriptor descriptor;
    SelectionOptions o;
    o.method = "cur";
    o.count = 3;
    const auto picked = select(dominant_direction_pool(true), o, &descriptor);
    ASSERT_EQ(picked.size(), 3u);
    EXPECT_EQ(picked[0], 5u);  // the tie between the two copies goes to the lower index
    EXPECT_EQ(std::count(picked.begin(), picked.end(), 9u), 0);
}

// The textbook algorithm: a full SVD of the deflated feature matrix before every pick.
std::vector<std::size_t> reference_cur(Eigen::MatrixXd x, std::size_t count, Eigen::Index k) {
    std::vector<std::size_t> selected;
    std::vector<bool> taken(static_cast<std::size_t>(x.rows()), false);
    while (selected.size() < count) {
        const Eigen::BDCSVD<Eigen::MatrixXd> svd(x, Eigen::ComputeThinU);
        const Eigen::VectorXd pi = svd.matrixU().leftCols(k).rowwise().squaredNorm();
        std::size_t best = taken.size();
        for (std::size_t i = 0; i < taken.size(); ++i)
            if (!taken[i] && (best == taken.size() || pi(static_cast<Eigen::Index>(i)) >
                                                          pi(static_cast<Eigen::Index>(best))))
                best = i;
        selected.push_back(best);
        taken[best] = true;
        const Eigen::VectorXd c = x.row(static_cast<Eigen::Index>(best)).transpose().normalized();
        x -= (x * c) * c.transpose();
    }
    return selected;
}

TEST(Selection, CurMatchesAFullSvdAtEachPick) {
    // Wide (D = 264 >= N = 260: the N x N Gram path) and tall (N = 320 > D = 264: the D x D
    // path), both large enough for the warm-started subspace iteration (m > 256).
    const WaveDescriptor descriptor(132);
    // The reference SVD on one thread: Eigen's OpenMP GEMM inside it is slower than serial on
    // a machine busy with other jobs, and the test checks results, not speed.
    const int eigen_threads = Eigen::nbThreads();
    Eigen::setNbThreads(1);
    for (const std::size_t n : {std::size_t{260}, std::size_t{320}}) {
        const auto pool = random_pool(n);
        Eigen::MatrixXd x = structure_features(pool, descriptor);
        standardise_columns(x);
        for (const std::size_t k : {std::size_t{1}, std::size_t{3}}) {
            SelectionOptions o;
            o.method = "cur";
            o.count = 8;
            o.singular_vectors = k;
            EXPECT_EQ(select(pool, o, &descriptor), reference_cur(x, 8, static_cast<Eigen::Index>(k)))
                << "N = " << n << ", k = " << k;
        }
    }
    Eigen::setNbThreads(eigen_threads);
}

TEST(Selection, DescriptorSpaceAcceptsNewBinsAndRejectsDuplicates) {
    // 2.50 and 2.51 A share the bin [2.50, 2.55); 2.57 A is a new bin; Pt-Au is a new pair.
    const std::vector<Sample> pool{dimer(2.50), dimer(2.51), dimer(2.57), dimer(2.50, pt, au)};
    SelectionOptions o;
    o.method = "descriptor_space";
    o.r_max = 5.0;
    o.count = 3;
    for (std::uint64_t seed = 0; seed < 10; ++seed) {
        o.seed = seed;
        const auto picked = select(pool, o);
        const std::set<std::size_t> set(picked.begin(), picked.end());
        ASSERT_EQ(set.size(), 3u);
        EXPECT_TRUE(set.count(2) && set.count(3)) << "seed " << seed;
        EXPECT_EQ(set.count(0) + set.count(1), 1u) << "seed " << seed;  // one of the duplicates only
    }
    // Asked for more than there are novel structures: filled up at random.
    o.count = 4;
    EXPECT_EQ(select(pool, o).size(), 4u);
}

TEST(Selection, DescriptorSpaceIgnoresDistancesOutsideTheRange) {
    // 1.0 A is below r_min = 1.5 A and 6 A beyond r_max = 5 A: those dimers occupy no bin.
    const std::vector<Sample> pool{dimer(1.0), dimer(6.0), dimer(2.8)};
    SelectionOptions o;
    o.method = "descriptor_space";
    o.r_max = 5.0;
    o.count = 1;
    for (std::uint64_t seed = 0; seed < 8; ++seed) {
        o.seed = seed;
        EXPECT_EQ(select(pool, o), std::vector<std::size_t>{2});
    }
    // The descriptor's cutoff is the default r_max.
    const PositionDescriptor descriptor;
    o.r_max = 0.0;
    EXPECT_EQ(select(pool, o, &descriptor), std::vector<std::size_t>{2});
    EXPECT_THROW((void)select(pool, o), InputError);
}

TEST(Selection, MaxVariancePicksTheHighestVarianceStructure) {
    const std::vector<double> xs{0.0, 1.0, 2.0, 3.0, 10.0, 4.0, 5.0, -2.0};
    std::vector<Sample> pool;
    for (const double x : xs) pool.push_back(atom_at(x));
    for (std::uint64_t seed = 0; seed < 8; ++seed) {
        SelectionOptions o;
        o.method = "max_variance";
        o.count = 2;
        o.initial = 1;
        o.batch = 1;
        o.seed = seed;
        NearestPointSurrogate model;
        const auto picked = select(pool, o, nullptr, &model);
        ASSERT_EQ(picked.size(), 2u);
        std::size_t expected = 0;
        for (std::size_t i = 0; i < xs.size(); ++i)
            if (std::abs(xs[i] - xs[picked[0]]) > std::abs(xs[expected] - xs[picked[0]])) expected = i;
        EXPECT_EQ(picked[1], expected) << "seed " << seed;
        EXPECT_EQ(model.fits(), 1);
    }
    // A batch of two after a start at 10 A: the two points farthest from it, -2 and 0 A.
    SelectionOptions o;
    o.method = "max_variance";
    o.count = 3;
    o.initial = 1;
    o.batch = 2;
    for (std::uint64_t seed = 0; seed < 40; ++seed) {
        o.seed = seed;
        NearestPointSurrogate model;
        const auto picked = select(pool, o, nullptr, &model);
        if (picked[0] != 4) continue;
        EXPECT_EQ(picked, (std::vector<std::size_t>{4, 7, 0}));
        return;
    }
    FAIL() << "no seed in 0..39 starts at index 4";
}

TEST(Selection, UnknownMethodNamesTheClosest) {
    const auto pool = random_pool(5);
    SelectionOptions o;
    o.count = 2;
    for (const auto& [name, closest] : std::vector<std::pair<std::string, std::string>>{
             {"fsp", "fps"}, {"max-variance", "max_variance"}, {"descriptor-space", "descriptor_space"}}) {
        o.method = name;
        try {
            (void)select(pool, o);
            FAIL() << name << ": no exception";
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find(fmt::format("did you mean '{}'", closest)), std::string::npos)
                << e.what();
        }
    }
}

TEST(Selection, BadRequestsAreInputErrors) {
    const auto pool = random_pool(5);
    SelectionOptions o;
    o.count = 6;
    EXPECT_THROW((void)select(pool, o), InputError);  // more than the pool
    o.count = 2;
    o.method = "fps";
    EXPECT_THROW((void)select(pool, o), InputError);  // no descriptor
    o.method = "cur";
    EXPECT_THROW((void)select(pool, o), InputError);
    o.method = "max_variance";
    EXPECT_THROW((void)select(pool, o), InputError);  // no model
    o.method = "descriptor_space";
    o.r_max = 5.0;
    o.bin_width = 0.0;
    EXPECT_THROW((void)select(pool, o), InputError);
}

TEST(Selection, StructureFeaturesAreMeansPerCentreSpecies) {
    Sample s;
    Eigen::Matrix3Xd x = Eigen::Matrix3Xd::Zero(3, 3);
    x(0, 0) = 1.0;
    x(0, 1) = 3.0;
    x(1, 2) = 10.0;
    s.cluster = Cluster(x, {pt, pt, au});
    const std::vector<Sample> pool{s, atom_at(7.0)};
    const PositionDescriptor descriptor;
    const Eigen::MatrixXd f = structure_features(pool, descriptor);
    ASSERT_EQ(f.rows(), 2);
    ASSERT_EQ(f.cols(), 6);
    EXPECT_EQ(f.row(0), (Eigen::RowVectorXd(6) << 2.0, 0.0, 0.0, 0.0, 10.0, 0.0).finished());
    EXPECT_EQ(f.row(1), (Eigen::RowVectorXd(6) << 7.0, 0.0, 0.0, 0.0, 0.0, 0.0).finished());  // no Au: zeros

    Eigen::MatrixXd m(3, 2);
    m << 1.0, 5.0, 2.0, 5.0, 3.0, 5.0;
    standardise_columns(m);
    EXPECT_NEAR(m.col(0).mean(), 0.0, 1e-15);
    EXPECT_NEAR(m.col(0).squaredNorm() / 3.0, 1.0, 1e-14);
    EXPECT_EQ(m.col(1), Eigen::Vector3d::Zero());  // constant column: no information
}

TEST(Selection, FpsAndCurWorkWithEveryRegisteredDescriptor) {
    if (descriptor_registry().keys().empty()) GTEST_SKIP() << "no descriptor registered yet";
    // Perturbed Pt-Au 13-atom icosahedra with random orderings.
    Rng rng(5);
    std::vector<Sample> pool;
    for (int i = 0; i < 24; ++i) {
        Sample s;
        s.cluster = make_icosahedron(1, 2.75, pt);
        for (auto& z : s.cluster.species) z = rng.below(2) == 0 ? pt : au;
        for (Eigen::Index k = 0; k < s.cluster.positions.size(); ++k)
            s.cluster.positions.data()[k] += 0.1 * rng.normal();
        pool.push_back(s);
    }
    for (const auto& key : descriptor_registry().keys()) {
        const auto descriptor = create_descriptor(ParameterTable("descriptor"), {pt, au}, key);
        for (const char* method : {"fps", "cur"}) {
            SelectionOptions o;
            o.method = method;
            o.count = 8;
            const auto picked = select(pool, o, descriptor.get());
            EXPECT_EQ(std::set<std::size_t>(picked.begin(), picked.end()).size(), 8u) << key << " " << method;
        }
    }
}

}  // namespace
}  // namespace nanoscape
