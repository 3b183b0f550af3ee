// Unit tests of the descriptors against independent formulas: hand-computed symmetry
// functions, the spherical-harmonic addition theorem and the SOAP power spectrum written as a
// Legendre double sum, the n-body features' dot product against the kernels of eqs. 17-18 of
// the review, default feature counts and settings errors. (Jacobians, invariances and the
// other properties every descriptor shares are in tests/conformance.)

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "nanoscape/core/rng.hpp"
#include "nanoscape/descriptors/nbody.hpp"
#include "nanoscape/descriptors/soap.hpp"
#include "nanoscape/descriptors/symmetry_functions.hpp"

namespace nanoscape {
namespace {

constexpr double pi = std::numbers::pi;
const Species pt = 78, au = 79, cu = 29;

double cosine_cutoff(double r, double rc) { return r < rc ? 0.5 * (std::cos(pi * r / rc) + 1.0) : 0.0; }

// Legendre polynomial by Bonnet's recurrence (l + 1) P_{l+1} = (2l + 1) x P_l - l P_{l-1}.
double legendre(int l, double x) {
    double p0 = 1.0, p1 = x;
    if (l == 0) return p0;
    for (int k = 1; k < l; ++k) {
        const double p2 = ((2.0 * k + 1.0) * x * p1 - k * p0) / (k + 1.0);
        p0 = p1;
        p1 = p2;
    }
    return p1;
}

Eigen::Vector3d random_unit(Rng& rng) {
    return three_draws<Eigen::Vector3d>([&] { return rng.normal(); }).normalized();
}

// Centre (atom 0, species `centre`) at the origin and `n` neighbours at distances uniform in
// [r_lo, r_hi] in random directions, every pair at least `min_distance` apart, species drawn
// from `species`.
Cluster random_environment(int n, double r_lo, double r_hi, double min_distance, const std::vector<Species>& species,
                           Species centre, Rng& rng) {
    Cluster c(Eigen::Matrix3Xd::Zero(3, 1), {centre});
    while (static_cast<int>(c.size()) < n + 1) {
        // The direction first: the order g++ evaluated the product's operands in (C++ leaves
        // it unspecified), so the environments are the same with every compiler.
        const Eigen::Vector3d direction = random_unit(rng);
        const Eigen::Vector3d x = rng.uniform(r_lo, r_hi) * direction;
        if (((c.positions.colwise() - x).colwise().norm().array() < min_distance).any()) continue;
        const auto k = c.positions.cols();
        c.positions.conservativeResize(3, k + 1);
        c.positions.col(k) = x;
        c.species.push_back(species[rng.below(species.size())]);
    }
    return c;
}

// Max |analytic - numeric| / max(1, |analytic|) over every Jacobian entry (central
// differences, h = 1e-5 A), including entries of atoms outside a Jacobian (which must be 0).
double jacobian_error(const Descriptor& d, const Cluster& c) {
    Eigen::MatrixXd g, gp, gm;
    std::vector<DescriptorJacobian> jac;
    d.compute(c, g, &jac);
    const double h = 1e-5;
    double worst = 0.0;
    for (Eigen::Index a = 0; a < c.positions.cols(); ++a)
        for (int alpha = 0; alpha < 3; ++alpha) {
            Cluster p = c, m = c;
            p.positions(alpha, a) += h;
            m.positions(alpha, a) -= h;
            d.compute(p, gp, nullptr);
            d.compute(m, gm, nullptr);
            const Eigen::MatrixXd numeric = (gp - gm) / (2 * h);
            for (Eigen::Index i = 0; i < c.positions.cols(); ++i) {
                const auto& J = jac[static_cast<std::size_t>(i)];
                const auto it = std::find(J.atoms.begin(), J.atoms.end(), static_cast<std::size_t>(a));
                for (Eigen::Index f = 0; f < g.rows(); ++f) {
                    const double analytic =
                        it == J.atoms.end() ? 0.0 : J.values(f, 3 * static_cast<Eigen::Index>(it - J.atoms.begin()) + alpha);
                    worst = std::max(worst, std::abs(analytic - numeric(f, i)) / std::max(1.0, std::abs(analytic)));
                }
            }
        }
    return worst;
}

ParameterTable table_with(std::initializer_list<std::pair<const char*, ParameterValue>> items) {
    ParameterTable t("descriptor");
    for (const auto& [k, v] : items) t.set(k, v);
    return t;
}

// ----------------------------------------------------------------------------------------
// Symmetry functions
// ----------------------------------------------------------------------------------------

// Three Pt atoms: the centre at the origin, j at 2.5 A on x, k at 3 A at 60 degrees, so
// cos theta = 1/2 and r_jk = sqrt(7.75) A. Reference numbers written out with Python from
//   G2 = sum_j exp(-eta r_j^2) f_c(r_j)
//   G4 = 2^(1-zeta) (1 + lambda cos)^zeta exp(-eta (r_j^2 + r_k^2 + r_jk^2)) f_c f_c f_c
//   G5 = the same without r_jk in the exponent and without f_c(r_jk).
Cluster three_atoms() {
    Eigen::Matrix3Xd x(3, 3);
    x.col(0) = Eigen::Vector3d::Zero();
    x.col(1) = Eigen::Vector3d(2.5, 0.0, 0.0);
    x.col(2) = Eigen::Vector3d(1.5, 1.5 * std::sqrt(3.0), 0.0);
    return Cluster(x, {pt, pt, pt});
}

TEST(SymmetryFunctions, ThreeAtoms_G2AndG4_MatchHandComputedValues) {
    const auto sf = make_symmetry_functions(
        table_with({{"radial_eta", ParameterValue::of(std::vector<double>{0.5})},
                    {"angular_eta", ParameterValue::of(std::vector<double>{0.05})},
                    {"zeta", ParameterValue::of(std::vector<double>{1, 2, 4})},
                    {"lambda", ParameterValue::of(std::vector<double>{-1, 1})}}),
        {pt});
    ASSERT_EQ(sf->size(), 7u);
    Eigen::MatrixXd g;
    sf->compute(three_atoms(), g, nullptr);
    EXPECT_NEAR(g(0, 0), 0.033208822683396436, 1e-14);
    // (zeta, lambda) = (1,-1), (1,1), (2,-1), (2,1), (4,-1), (4,1).
    const double g4[] = {0.027724754541999855, 0.08317426362599957,   0.006931188635499964,
                         0.062380697719499674, 0.00043319928971874774, 0.035089142467218566};
    for (int k = 0; k < 6; ++k) EXPECT_NEAR(g(1 + k, 0), g4[k], 1e-14) << "angular " << k;
}

TEST(SymmetryFunctions, ThreeAtoms_G5_MatchesHandComputedValues) {
    const auto sf = make_symmetry_functions(
        table_with({{"radial_eta", ParameterValue::of(std::vector<double>{0.5})},
                    {"angular", ParameterValue::of("g5")},
                    {"angular_eta", ParameterValue::of(std::vector<double>{0.05})},
                    {"zeta", ParameterValue::of(std::vector<double>{1, 2, 4})}}),
        {pt});
    Eigen::MatrixXd g;
    sf->compute(three_atoms(), g, nullptr);
    const double g5[] = {0.07340468434261752,   0.22021405302785257, 0.01835117108565438,
                         0.1651605397708894,    0.0011469481928533987, 0.0929028036211253};
    for (int k = 0; k < 6; ++k) EXPECT_NEAR(g(1 + k, 0), g5[k], 1e-14) << "angular " << k;
}

TEST(SymmetryFunctions, ElementResolution_PutsEachSpeciesInItsOwnBlock) {
    // Centre Pt, j = Au, k = Pt: the Au radial block and the (Pt, Au) angular block only.
    Cluster c = three_atoms();
    c.species[1] = au;
    const auto sf = make_symmetry_functions(
        table_with({{"radial_eta", ParameterValue::of(std::vector<double>{0.5})},
                    {"angular_eta", ParameterValue::of(std::vector<double>{0.05})},
                    {"zeta", ParameterValue::of(std::vector<double>{1})},
                    {"lambda", ParameterValue::of(std::vector<double>{1})}}),
        {au, pt});  // sorted by Z: index 0 = Pt, 1 = Au
    ASSERT_EQ(sf->size(), 2u + 3u);
    Eigen::MatrixXd g;
    sf->compute(c, g, nullptr);
    EXPECT_NEAR(g(0, 0), std::exp(-0.5 * 9.0) * 0.5, 1e-15);                                // Pt at 3 A
    EXPECT_NEAR(g(1, 0), std::exp(-0.5 * 6.25) * cosine_cutoff(2.5, 6.0), 1e-15);          // Au at 2.5 A
    EXPECT_EQ(g(2, 0), 0.0);                                                                // Pt-Pt pair
    EXPECT_NEAR(g(3, 0), 0.08317426362599957, 1e-14);                                       // Pt-Au pair
    EXPECT_EQ(g(4, 0), 0.0);                                                                // Au-Au pair
}

// The conformance suite checks the default settings; these are the other code paths.
TEST(SymmetryFunctions, NonDefaultOptions_JacobiansMatchFiniteDifferences) {
    Rng rng = make_stream(10, 0);
    const Cluster c = random_environment(9, 2.3, 4.5, 2.3, {pt, au}, au, rng);
    const auto g5 = make_symmetry_functions(
        table_with({{"cutoff", ParameterValue::of(5.0)},
                    {"cutoff_function", ParameterValue::of("polynomial")},
                    {"radial_eta", ParameterValue::of(std::vector<double>{0.5, 1.0, 2.0})},
                    {"radial_shift", ParameterValue::of(std::vector<double>{2.5, 2.8, 3.5})},
                    {"angular", ParameterValue::of("g5")},
                    {"zeta", ParameterValue::of(std::vector<double>{1.5, 3, 32})}}),
        {pt, au});
    EXPECT_LT(jacobian_error(*g5, c), 1e-6);
    const auto g4 = make_symmetry_functions(
        table_with({{"cutoff", ParameterValue::of(4.0)}, {"cutoff_function", ParameterValue::of("polynomial")}}),
        {pt, au});
    EXPECT_LT(jacobian_error(*g4, c), 1e-6);
    const auto radial_only = make_symmetry_functions(
        table_with({{"radial_eta", ParameterValue::of(std::vector<double>{0.02, 0.1, 0.3, 0.8})},
                    {"angular_eta", ParameterValue::of(std::vector<double>{})}}),
        {pt, au});
    EXPECT_EQ(radial_only->size(), 8u);
    EXPECT_LT(jacobian_error(*radial_only, c), 1e-6);
}

TEST(SymmetryFunctions, DefaultFeatureCounts) {
    const auto two = make_symmetry_functions(ParameterTable("descriptor"), {pt, au});
    EXPECT_EQ(two->size(), 2u * 8u + 3u * 24u);
    const auto one = make_symmetry_functions(ParameterTable("descriptor"), {cu});
    EXPECT_EQ(one->size(), 8u + 24u);
}

// G2 and G4 depend on eta r^2 and r / r_c only, so defaults stretched by distance_scale on a
// cluster stretched alike give the same features: the scale is a change of length unit.
TEST(SymmetryFunctions, DistanceScale_IsAChangeOfLengthUnit) {
    const auto plain = make_symmetry_functions(ParameterTable("descriptor"), {pt, au});
    const auto scaled = make_symmetry_functions(table_with({{"distance_scale", ParameterValue::of(0.4)}}), {pt, au});
    Cluster c = three_atoms();
    c.species[1] = au;
    Cluster small = c;
    small.positions *= 0.4;
    Eigen::MatrixXd g, h;
    plain->compute(c, g, nullptr);
    scaled->compute(small, h, nullptr);
    ASSERT_EQ(g.rows(), h.rows());
    EXPECT_LT((g - h).cwiseAbs().maxCoeff(), 1e-12 * std::max(1.0, g.cwiseAbs().maxCoeff()));
    EXPECT_GT(g.cwiseAbs().maxCoeff(), 0.01);  // not trivially zero
}

TEST(SymmetryFunctions, MisspeltKey_NamesTheClosestKey) {
    try {
        (void)make_symmetry_functions(table_with({{"radial_etta", ParameterValue::of(std::vector<double>{1.0})}}), {pt});
        FAIL() << "no InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("did you mean 'radial_eta'"), std::string::npos) << e.what();
    }
}

TEST(SymmetryFunctions, InvalidValues_AreInputErrors) {
    const auto make = [](const char* key, ParameterValue v) {
        (void)make_symmetry_functions(table_with({{key, std::move(v)}}), {pt});
    };
    EXPECT_THROW(make("lambda", ParameterValue::of(std::vector<double>{0.5})), InputError);
    EXPECT_THROW(make("zeta", ParameterValue::of(std::vector<double>{0.5})), InputError);
    EXPECT_THROW(make("radial_shift", ParameterValue::of(std::vector<double>{1.0, 2.0})), InputError);
    EXPECT_THROW(make("angular", ParameterValue::of("g3")), InputError);
    EXPECT_THROW(make("cutoff_function", ParameterValue::of("cos")), InputError);
    // A number for radial_shift applies to every radial function.
    const auto sf = make_symmetry_functions(table_with({{"radial_shift", ParameterValue::of(2.5)}}), {pt});
    EXPECT_EQ(sf->settings().get_real_array("radial_shift"), std::vector<double>(8, 2.5));
}

// ----------------------------------------------------------------------------------------
// SOAP
// ----------------------------------------------------------------------------------------

TEST(RealSphericalHarmonics, LowDegrees_MatchClosedForms) {
    const RealSphericalHarmonics ylm(2);
    const Eigen::Vector3d d(0.3, -1.2, 0.7);
    const Eigen::Vector3d u = d.normalized();
    std::vector<double> y(ylm.size());
    ylm.evaluate(d, y.data(), nullptr);
    const double c1 = std::sqrt(3.0 / (4 * pi));
    EXPECT_NEAR(y[RealSphericalHarmonics::index(0, 0)], 0.5 / std::sqrt(pi), 1e-15);
    EXPECT_NEAR(y[RealSphericalHarmonics::index(1, -1)], c1 * u.y(), 1e-15);
    EXPECT_NEAR(y[RealSphericalHarmonics::index(1, 0)], c1 * u.z(), 1e-15);
    EXPECT_NEAR(y[RealSphericalHarmonics::index(1, 1)], c1 * u.x(), 1e-15);
    EXPECT_NEAR(y[RealSphericalHarmonics::index(2, 0)], std::sqrt(5.0 / (16 * pi)) * (3 * u.z() * u.z() - 1), 1e-15);
    EXPECT_NEAR(y[RealSphericalHarmonics::index(2, -2)], std::sqrt(15.0 / (4 * pi)) * u.x() * u.y(), 1e-15);
    EXPECT_NEAR(y[RealSphericalHarmonics::index(2, 2)], std::sqrt(15.0 / (16 * pi)) * (u.x() * u.x() - u.y() * u.y()),
                1e-15);
}

TEST(RealSphericalHarmonics, AdditionTheorem_HoldsForRandomDirections) {
    const int l_max = 12;
    const RealSphericalHarmonics ylm(l_max);
    Rng rng = make_stream(1, 0);
    std::vector<double> ya(ylm.size()), yb(ylm.size());
    std::vector<Eigen::Vector3d> dirs{Eigen::Vector3d::UnitZ(), -Eigen::Vector3d::UnitZ(), Eigen::Vector3d::UnitX()};
    for (int k = 0; k < 50; ++k) dirs.push_back(random_unit(rng));
    for (std::size_t p = 0; p < dirs.size(); ++p)
        for (std::size_t q = 0; q < dirs.size(); q += 7) {
            // Scaled vectors: Y depends on the direction only.
            ylm.evaluate(2.7 * dirs[p], ya.data(), nullptr);
            ylm.evaluate(0.4 * dirs[q], yb.data(), nullptr);
            const double cos_ab = std::clamp(dirs[p].dot(dirs[q]), -1.0, 1.0);
            for (int l = 0; l <= l_max; ++l) {
                double sum = 0.0;
                for (int m = -l; m <= l; ++m) sum += ya[RealSphericalHarmonics::index(l, m)] * yb[RealSphericalHarmonics::index(l, m)];
                EXPECT_NEAR(sum, (2 * l + 1) / (4 * pi) * legendre(l, cos_ab), 1e-12) << "l = " << l;
            }
        }
}

TEST(RealSphericalHarmonics, Gradients_MatchFiniteDifferences) {
    const RealSphericalHarmonics ylm(8);
    Rng rng = make_stream(2, 0);
    std::vector<double> y(ylm.size()), dy(3 * ylm.size()), yp(ylm.size()), ym(ylm.size());
    for (int trial = 0; trial < 20; ++trial) {
        const Eigen::Vector3d d = (1.0 + 3.0 * rng.uniform()) * random_unit(rng);
        ylm.evaluate(d, y.data(), dy.data());
        for (std::size_t k = 0; k < ylm.size(); ++k)  // tangent: Y has no radial dependence
            EXPECT_NEAR(dy[3 * k] * d.x() + dy[3 * k + 1] * d.y() + dy[3 * k + 2] * d.z(), 0.0, 1e-12);
        const double h = 1e-6;
        for (int a = 0; a < 3; ++a) {
            Eigen::Vector3d p = d, m = d;
            p[a] += h;
            m[a] -= h;
            ylm.evaluate(p, yp.data(), nullptr);
            ylm.evaluate(m, ym.data(), nullptr);
            for (std::size_t k = 0; k < ylm.size(); ++k)
                EXPECT_NEAR(dy[3 * k + static_cast<std::size_t>(a)], (yp[k] - ym[k]) / (2 * h), 1e-7);
        }
    }
}

// p_{(Z n)(Z' n') l} = (2l + 1) / (4 pi) sum_{j in Z} sum_{k in Z'} R_n(r_j) R_n'(r_k) P_l(cos theta_jk),
// R_n = g_n f_c: the whole power spectrum (radial basis, harmonics, coefficients, pairing and
// feature order) against a formula that needs no spherical harmonics at all.
TEST(Soap, PowerSpectrum_EqualsLegendreDoubleSum) {
    const std::vector<Species> species{pt, au};
    const auto descriptor = make_soap(ParameterTable("descriptor"), species);
    const auto& soap = dynamic_cast<const Soap&>(*descriptor);
    const ParameterTable s = soap.settings();
    const int n_max = static_cast<int>(s.get_integer("n_max", 0)), l_max = static_cast<int>(s.get_integer("l_max", 0));
    const double sigma = s.get_real("sigma", 0), rc = s.get_real("cutoff", 0);
    Rng rng = make_stream(3, 0);
    for (int trial = 0; trial < 3; ++trial) {
        const Cluster env = random_environment(14, 2.2, rc + 0.5, 2.2, {au, pt}, pt, rng);
        Eigen::MatrixXd g;
        soap.compute(env, g, nullptr);
        const auto radial = [&](int n, double r) {
            const double dr = r - soap.radial_centre(n);
            return std::exp(-dr * dr / (2 * sigma * sigma)) * cosine_cutoff(r, rc);
        };
        const int channels = 2 * n_max;
        for (int a = 0; a < channels; ++a)
            for (int b = a; b < channels; ++b)
                for (int l = 0; l <= l_max; ++l) {
                    const Species za = species[static_cast<std::size_t>(a / n_max)];
                    const Species zb = species[static_cast<std::size_t>(b / n_max)];
                    double direct = 0.0;
                    for (Eigen::Index j = 1; j < env.positions.cols(); ++j)
                        for (Eigen::Index k = 1; k < env.positions.cols(); ++k) {
                            if (env.species[static_cast<std::size_t>(j)] != za ||
                                env.species[static_cast<std::size_t>(k)] != zb)
                                continue;
                            const Eigen::Vector3d dj = env.positions.col(j), dk = env.positions.col(k);
                            const double rj = dj.norm(), rk = dk.norm();
                            if (rj >= rc || rk >= rc) continue;
                            direct += radial(a % n_max, rj) * radial(b % n_max, rk) *
                                      legendre(l, std::clamp(dj.dot(dk) / (rj * rk), -1.0, 1.0));
                        }
                    direct *= (2 * l + 1) / (4 * pi);
                    const std::size_t f = soap.feature_index(static_cast<std::size_t>(a), static_cast<std::size_t>(b), l);
                    EXPECT_NEAR(g(static_cast<Eigen::Index>(f), 0), direct, 1e-12 * std::max(1.0, std::abs(direct)))
                        << "a " << a << " b " << b << " l " << l;
                }
    }
}

TEST(Soap, ThreeSpeciesHighDegree_JacobiansMatchFiniteDifferences) {
    Rng rng = make_stream(11, 0);
    const Cluster c = random_environment(10, 2.3, 5.0, 2.3, {cu, Species{47}, au}, cu, rng);
    const auto soap = make_soap(table_with({{"n_max", ParameterValue::of(3)},
                                            {"l_max", ParameterValue::of(10)},
                                            {"cutoff", ParameterValue::of(4.5)}}),
                                {cu, 47, au});
    EXPECT_EQ(soap->size(), 45u * 11u);
    EXPECT_LT(jacobian_error(*soap, c), 1e-6);
}

TEST(Soap, DefaultFeatureCounts) {
    EXPECT_EQ(make_soap(ParameterTable("descriptor"), {pt, au})->size(), 78u * 7u);
    EXPECT_EQ(make_soap(ParameterTable("descriptor"), {cu})->size(), 21u * 7u);
}

TEST(Soap, InvalidValues_AreInputErrors) {
    EXPECT_THROW((void)make_soap(table_with({{"l_max", ParameterValue::of(40)}}), {pt}), InputError);
    EXPECT_THROW((void)make_soap(table_with({{"n_max", ParameterValue::of(0)}}), {pt}), InputError);
    EXPECT_THROW((void)make_soap(table_with({{"n_max", ParameterValue::of(6.5)}}), {pt}), InputError);
    EXPECT_THROW((void)make_soap(table_with({{"r_min", ParameterValue::of(6.0)}}), {pt}), InputError);
    try {
        (void)make_soap(table_with({{"lmax", ParameterValue::of(4)}}), {pt});
        FAIL() << "no InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("did you mean 'l_max'"), std::string::npos) << e.what();
    }
}

// ----------------------------------------------------------------------------------------
// n-body
// ----------------------------------------------------------------------------------------

// The kernels of the nbody.hpp file comment (review eqs. 17-18 with cutoff weights, element
// resolved, permutations that keep the centre), computed directly from the distances.
struct DirectKernels {
    double k2 = 0, k3 = 0;
};

DirectKernels direct_kernels(const Cluster& n, const Cluster& m, const NBodySettings& s) {
    struct Pair { Species b, c; Eigen::Vector3d t; double w; };
    const auto neighbours = [&](const Cluster& env) {
        std::vector<Eigen::Index> out;
        for (Eigen::Index j = 1; j < env.positions.cols(); ++j)
            if (env.positions.col(j).norm() < s.cutoff) out.push_back(j);
        return out;
    };
    const auto triplets = [&](const Cluster& env) {
        std::vector<Pair> out;
        const auto nb = neighbours(env);
        for (std::size_t a = 0; a < nb.size(); ++a)
            for (std::size_t b = a + 1; b < nb.size(); ++b) {
                Eigen::Index j = nb[a], k = nb[b];
                Species zj = env.species[static_cast<std::size_t>(j)], zk = env.species[static_cast<std::size_t>(k)];
                if (zj > zk) std::swap(j, k), std::swap(zj, zk);
                const double rj = env.positions.col(j).norm(), rk = env.positions.col(k).norm();
                if (rj >= s.cutoff_3body || rk >= s.cutoff_3body) continue;
                const double rjk = (env.positions.col(k) - env.positions.col(j)).norm();
                out.push_back({zj, zk, Eigen::Vector3d(rj, rk, rjk),
                               cosine_cutoff(rj, s.cutoff_3body) * cosine_cutoff(rk, s.cutoff_3body)});
            }
        return out;
    };
    const double two_s2 = 2 * s.sigma * s.sigma;
    DirectKernels k;
    for (Eigen::Index j : neighbours(n))
        for (Eigen::Index jj : neighbours(m)) {
            if (n.species[static_cast<std::size_t>(j)] != m.species[static_cast<std::size_t>(jj)]) continue;
            const double r = n.positions.col(j).norm(), rr = m.positions.col(jj).norm();
            k.k2 += cosine_cutoff(r, s.cutoff) * cosine_cutoff(rr, s.cutoff) * std::exp(-(r - rr) * (r - rr) / two_s2);
        }
    if (s.order < 3) return k;
    for (const auto& p : triplets(n))
        for (const auto& q : triplets(m)) {
            if (p.b != q.b || p.c != q.c) continue;
            double sum = std::exp(-(p.t - q.t).squaredNorm() / two_s2);
            if (p.b == p.c) sum += std::exp(-(p.t - Eigen::Vector3d(q.t[1], q.t[0], q.t[2])).squaredNorm() / two_s2);
            k.k3 += p.w * q.w * sum;
        }
    return k;
}

TEST(NBody, FeatureDotProduct_EqualsTheTwoAndThreeBodyKernels) {
    const std::vector<Species> species{pt, au};
    Rng rng = make_stream(4, 0);
    const auto descriptor = make_nbody(ParameterTable("descriptor"), species);
    const auto& nbody = dynamic_cast<const NBody&>(*descriptor);
    const NBodySettings& s = nbody.parameters();
    const auto n2 = static_cast<Eigen::Index>(nbody.two_body_size());
    // Distances from r_min + 2 sigma = 2.4 A up (the Gaussians lie on the grid); neighbours
    // out to the 2-body cutoff, or packed inside the 3-body cutoff so k3 is not negligible.
    for (const double radius : {s.cutoff + 0.3, s.cutoff_3body + 0.3}) {
        std::vector<Eigen::VectorXd> features;
        std::vector<Cluster> envs;
        for (int e = 0; e < 4; ++e) {
            envs.push_back(random_environment(radius > 4.5 ? 14 + 2 * e : 8 + e, 2.4, radius, 2.4, species,
                                              e % 2 ? au : pt, rng));
            Eigen::MatrixXd g;
            nbody.compute(envs.back(), g, nullptr);
            features.emplace_back(g.col(0));
        }
        for (std::size_t a = 0; a < envs.size(); ++a)
            for (std::size_t b = a; b < envs.size(); ++b) {
                const DirectKernels k = direct_kernels(envs[a], envs[b], s);
                const double dot2 = features[a].head(n2).dot(features[b].head(n2));
                const double dot3 = features[a].tail(features[a].size() - n2).dot(features[b].tail(features[b].size() - n2));
                EXPECT_NEAR(dot2, k.k2, 1e-5 * k.k2) << "radius " << radius << " environments " << a << ", " << b;
                EXPECT_NEAR(dot3, k.k3, 1e-4 * k.k3) << "radius " << radius << " environments " << a << ", " << b;
                if (radius < s.cutoff && a == b) {
                    EXPECT_GT(k.k3, 1e-4 * k.k2);  // the 3-body comparison is not vacuous
                }
            }
    }
}

TEST(NBody, Weight3Body_ScalesTheThreeBodyKernel) {
    const auto plain = make_nbody(ParameterTable("descriptor"), {cu});
    const auto weighted = make_nbody(table_with({{"weight_3body", ParameterValue::of(250.0)}}), {cu});
    const auto n2 = static_cast<Eigen::Index>(dynamic_cast<const NBody&>(*plain).two_body_size());
    Rng rng = make_stream(9, 0);
    const Cluster env = random_environment(10, 2.3, 4.0, 2.3, {cu}, cu, rng);
    Eigen::MatrixXd g1, g2;
    plain->compute(env, g1, nullptr);
    weighted->compute(env, g2, nullptr);
    EXPECT_EQ(g2.topRows(n2), g1.topRows(n2));
    const double k3 = g1.col(0).tail(g1.rows() - n2).squaredNorm();
    ASSERT_GT(k3, 0.0);
    EXPECT_NEAR(g2.col(0).tail(g2.rows() - n2).squaredNorm(), 250.0 * k3, 1e-12 * 250.0 * k3);
    EXPECT_THROW((void)make_nbody(table_with({{"weight_3body", ParameterValue::of(-1.0)}}), {cu}), InputError);
}

TEST(NBody, TwoBodyPart_AloneEqualsEq17) {
    // The first S P2 features of the order-3 descriptor are the order-2 descriptor.
    const auto both = make_nbody(ParameterTable("descriptor"), {cu});
    const auto two = make_nbody(table_with({{"order", ParameterValue::of(2)}}), {cu});
    Rng rng = make_stream(6, 0);
    const Cluster env = random_environment(10, 2.3, 5.0, 2.3, {cu}, cu, rng);
    Eigen::MatrixXd g3, g2;
    both->compute(env, g3, nullptr);
    two->compute(env, g2, nullptr);
    ASSERT_EQ(g2.rows(), static_cast<Eigen::Index>(dynamic_cast<const NBody&>(*both).two_body_size()));
    EXPECT_EQ(g3.topRows(g2.rows()), g2);
}

TEST(NBody, NonDefaultOptions_JacobiansMatchFiniteDifferences) {
    Rng rng = make_stream(12, 0);
    const Cluster c = random_environment(8, 2.3, 4.5, 2.3, {pt, au}, pt, rng);
    const auto two = make_nbody(table_with({{"order", ParameterValue::of(2)}}), {pt, au});
    EXPECT_LT(jacobian_error(*two, c), 1e-6);
    const auto fine = make_nbody(table_with({{"sigma", ParameterValue::of(0.5)},
                                             {"grid_spacing", ParameterValue::of(0.25)},
                                             {"cutoff_3body", ParameterValue::of(3.0)},
                                             {"weight_3body", ParameterValue::of(50.0)}}),
                                 {pt, au});
    EXPECT_LT(jacobian_error(*fine, c), 1e-6);
}

TEST(NBody, DefaultFeatureCounts_StayAtAFewThousand) {
    const auto two = make_nbody(ParameterTable("descriptor"), {pt, au});
    const auto one = make_nbody(ParameterTable("descriptor"), {cu});
    EXPECT_EQ(dynamic_cast<const NBody&>(*two).two_body_size(), 2u * 15u);  // 1.2, 1.56, ..., 6.24 A
    EXPECT_LT(two->size(), 6000u) << two->description();
    EXPECT_LT(one->size(), 1500u) << one->description();
    // A like pair stores half the (p, q) plane of an unlike one (plus the diagonal).
    const std::size_t like = one->size() - 15u;
    const std::size_t unlike = two->size() - 30u - 2 * like;
    EXPECT_GT(unlike, like);
    EXPECT_LT(unlike, 2 * like);
}

TEST(NBody, InvalidValues_AreInputErrors) {
    EXPECT_THROW((void)make_nbody(table_with({{"order", ParameterValue::of(4)}}), {pt}), InputError);
    EXPECT_THROW((void)make_nbody(table_with({{"grid_spacing", ParameterValue::of(1.0)}}), {pt}), InputError);
    EXPECT_THROW((void)make_nbody(table_with({{"cutoff_3body", ParameterValue::of(6.0)}}), {pt}), InputError);
    EXPECT_THROW((void)make_nbody(table_with({{"sigma", ParameterValue::of(0.0)}}), {pt}), InputError);
    EXPECT_THROW((void)make_nbody(table_with({{"sigma", ParameterValue::of(0.02)}}), {pt}), InputError);  // too many
    try {
        (void)make_nbody(table_with({{"grid_spaceing", ParameterValue::of(0.2)}}), {pt});
        FAIL() << "no InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("did you mean 'grid_spacing'"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace nanoscape
