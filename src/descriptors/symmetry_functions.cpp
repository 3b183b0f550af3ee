#include "nanoscape/descriptors/symmetry_functions.hpp"

#include <cmath>
#include <numbers>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "environment.hpp"

namespace nanoscape {

using namespace descriptors_detail;

namespace {
// x^n for n >= 0 by binary exponentiation.
double power_of(double x, int n) {
    double result = 1.0;
    while (n > 0) {
        if (n & 1) result *= x;
        x *= x;
        n >>= 1;
    }
    return result;
}
}  // namespace

SymmetryFunctions::SymmetryFunctions(SymmetryFunctionSettings settings, std::vector<Species> species)
    : settings_(std::move(settings)), species_(canonical_species(std::move(species), "symmetry_functions")) {
    const auto& s = settings_;
    const auto fail = [](const std::string& what) { throw InputError(fmt::format("symmetry_functions: {}", what)); };
    if (!(s.cutoff > 0) || !std::isfinite(s.cutoff)) fail(fmt::format("cutoff must be positive (got {})", s.cutoff));
    if (s.radial_eta.empty() && s.angular_eta.empty()) fail("needs at least one radial_eta or angular_eta");
    if (s.radial_shift.size() != s.radial_eta.size())
        fail(fmt::format("radial_shift has {} entries for {} radial_eta", s.radial_shift.size(), s.radial_eta.size()));
    for (double e : s.radial_eta)
        if (!(e >= 0) || !std::isfinite(e)) fail(fmt::format("radial_eta must be >= 0 (got {})", e));
    for (double r : s.radial_shift)
        if (!(r >= 0 && r < s.cutoff)) fail(fmt::format("radial_shift must be in [0, cutoff) (got {})", r));
    for (double e : s.angular_eta)
        if (!(e >= 0) || !std::isfinite(e)) fail(fmt::format("angular_eta must be >= 0 (got {})", e));
    for (double z : s.zeta)
        if (!(z >= 1) || !std::isfinite(z)) fail(fmt::format("zeta must be >= 1 (got {})", z));
    for (double l : s.lambda)
        if (l != 1.0 && l != -1.0) fail(fmt::format("lambda must be 1 or -1 (got {})", l));
    if (!s.angular_eta.empty() && (s.zeta.empty() || s.lambda.empty()))
        fail("angular functions need at least one zeta and one lambda");

    const std::size_t ns = species_.size();
    n_angular_ = s.angular_eta.size() * s.zeta.size() * s.lambda.size();
    n_radial_total_ = ns * s.radial_eta.size();
    n_angular_total_ = ns * (ns + 1) / 2 * n_angular_;
    pair_index_.assign(ns * ns, 0);
    int p = 0;
    for (std::size_t b = 0; b < ns; ++b)
        for (std::size_t c = b; c < ns; ++c) pair_index_[b * ns + c] = pair_index_[c * ns + b] = p++;
}

std::string SymmetryFunctions::description() const {
    return fmt::format("symmetry_functions {}: {} features, cutoff {} A ({}), {} radial per species, {} {} per "
                       "species pair",
                       join_symbols(species_, "-"), size(), settings_.cutoff,
                       settings_.polynomial_cutoff ? "polynomial" : "cosine", radial_per_species(), n_angular_,
                       settings_.g5 ? "G5" : "G4");
}

ParameterTable SymmetryFunctions::settings() const {
    ParameterTable t("descriptor");
    t.set("type", ParameterValue::of(type()));
    t.set("cutoff", ParameterValue::of(settings_.cutoff));
    t.set("cutoff_function", ParameterValue::of(settings_.polynomial_cutoff ? "polynomial" : "cosine"));
    t.set("radial_eta", ParameterValue::of(settings_.radial_eta));
    t.set("radial_shift", ParameterValue::of(settings_.radial_shift));
    t.set("angular", ParameterValue::of(settings_.g5 ? "g5" : "g4"));
    t.set("angular_eta", ParameterValue::of(settings_.angular_eta));
    t.set("zeta", ParameterValue::of(settings_.zeta));
    t.set("lambda", ParameterValue::of(settings_.lambda));
    return t;
}

void SymmetryFunctions::compute(const Cluster& cluster, Eigen::MatrixXd& features,
                                std::vector<DescriptorJacobian>* jacobians) const {
    const SpeciesIndex types(species_);
    types.check(cluster, type());
    const std::size_t n = cluster.size();
    const std::size_t nf = size();
    features.setZero(static_cast<Eigen::Index>(nf), static_cast<Eigen::Index>(n));
    prepare_jacobians(jacobians, n);
    const auto env = build_environments(cluster, settings_.cutoff, types);

    const auto& s = settings_;
    const double rc = s.cutoff;
    const std::size_t n_rad = s.radial_eta.size();
    const std::size_t n_eta = s.angular_eta.size(), n_zeta = s.zeta.size(), n_lambda = s.lambda.size();
    const std::size_t n_zl = n_zeta * n_lambda;
    const std::size_t ns = species_.size();
    // 2^(1-zeta) per zeta: constant, so hoisted out of the triplet loop.
    std::vector<double> norm(n_zeta);
    for (std::size_t z = 0; z < n_zeta; ++z) norm[z] = std::pow(2.0, 1.0 - s.zeta[z]);
    // Integer zeta (the usual 1, 2, 4, 16): powers by squaring, several times faster than
    // std::pow in the triplet loop; 0 marks a non-integer zeta.
    std::vector<int> integer_zeta(n_zeta, 0);
    for (std::size_t z = 0; z < n_zeta; ++z)
        if (s.zeta[z] == std::round(s.zeta[z]) && s.zeta[z] <= 1024) integer_zeta[z] = static_cast<int>(s.zeta[z]);
    const auto cutoff_function = [&](double r) {
        return s.polynomial_cutoff ? polynomial_cutoff(r, rc) : cosine_cutoff(r, rc);
    };

    for_each_centre(n, [&](std::size_t i) {
        const auto& nb = env[i];
        const std::size_t m = nb.size();
        double* g = features.col(static_cast<Eigen::Index>(i)).data();
        DescriptorJacobian* jac = jacobians ? &(*jacobians)[i] : nullptr;
        if (jac) start_jacobian(*jac, i, nb, nf);
        // Column of dG/dx (alpha = 0, 1, 2) of neighbour k (Jacobian block k + 1).
        const auto col = [&](std::size_t k, int alpha) {
            return jac->values.col(static_cast<Eigen::Index>(3 * (k + 1)) + alpha).data();
        };
        const auto centre = [&](int alpha) { return jac->values.col(alpha).data(); };

        // Per neighbour once: the cutoff value and slope (every function below reuses them).
        std::vector<CutoffValue> fc(m);
        for (std::size_t k = 0; k < m; ++k) fc[k] = cutoff_function(nb[k].r);

        // Radial G2: dG/dd_j = dG/dr_ij u_j.
        for (std::size_t k = 0; k < m; ++k) {
            const auto& a = nb[k];
            const std::size_t base = static_cast<std::size_t>(a.type) * n_rad;
            for (std::size_t q = 0; q < n_rad; ++q) {
                const double dr = a.r - s.radial_shift[q];
                const double e = std::exp(-s.radial_eta[q] * dr * dr);
                g[base + q] += e * fc[k].f;
                if (jac) {
                    const double slope = e * (fc[k].df - 2.0 * s.radial_eta[q] * dr * fc[k].f);
                    for (int alpha = 0; alpha < 3; ++alpha) {
                        col(k, alpha)[base + q] += slope * a.u[alpha];
                        centre(alpha)[base + q] -= slope * a.u[alpha];  // see environment.hpp
                    }
                }
            }
        }
        if (n_eta == 0) return;

        // Angular: every unordered pair {j, k} once. Per triplet: cos(theta) and its gradients,
        // the product of cutoffs and its gradients, and (1 + lambda cos)^zeta for every
        // (zeta, lambda); the eta loop then needs one exponential each.
        std::vector<double> power(n_zl), dpower(n_zl), radial_exp(n_eta);
        for (std::size_t j = 0; j < m; ++j) {
            const auto& a = nb[j];
            for (std::size_t k = j + 1; k < m; ++k) {
                const auto& b = nb[k];
                const Eigen::Vector3d djk = b.d - a.d;  // x_k - x_j
                const double rjk2 = djk.squaredNorm();
                const double rjk = std::sqrt(rjk2);
                CutoffValue fjk{1.0, 0.0};
                if (!s.g5) {
                    if (rjk >= rc) continue;  // f_c(r_jk) = 0: the triplet adds nothing to G4
                    // Without Jacobians the slope is not needed (it would cost a sine).
                    fjk = jac || s.polynomial_cutoff ? cutoff_function(rjk)
                                                     : CutoffValue{0.5 * (std::cos(std::numbers::pi * rjk / rc) + 1.0), 0.0};
                }
                const double cos_t = a.u.dot(b.u);
                const double fcut = fc[j].f * fc[k].f * fjk.f;
                // Order the pair so that j carries the smaller species index: for b != c the
                // feature is defined with j in b and k in c; the summand is symmetric in j, k.
                const std::size_t p = static_cast<std::size_t>(pair_index_[static_cast<std::size_t>(a.type) * ns +
                                                                           static_cast<std::size_t>(b.type)]);
                const std::size_t base = n_radial_total_ + p * n_angular_;
                const double r2sum = a.r * a.r + b.r * b.r + (s.g5 ? 0.0 : rjk2);
                for (std::size_t z = 0; z < n_zeta; ++z)
                    for (std::size_t l = 0; l < n_lambda; ++l) {
                        const double base_term = 1.0 + s.lambda[l] * cos_t;
                        // (1 + lambda cos) >= 0 always; pow of 0 with zeta >= 1 is fine.
                        const double pw = integer_zeta[z] > 0 ? power_of(base_term, integer_zeta[z] - 1)
                                                              : std::pow(base_term, s.zeta[z] - 1.0);
                        power[z * n_lambda + l] = norm[z] * pw * base_term;
                        dpower[z * n_lambda + l] = norm[z] * s.zeta[z] * s.lambda[l] * pw;
                    }
                for (std::size_t e = 0; e < n_eta; ++e) radial_exp[e] = std::exp(-s.angular_eta[e] * r2sum);
                for (std::size_t e = 0; e < n_eta; ++e) {
                    const double w = radial_exp[e] * fcut;
                    double* out = g + base + e * n_zl;
                    for (std::size_t q = 0; q < n_zl; ++q) out[q] += power[q] * w;
                }
                if (!jac) continue;

                // Gradients with respect to d_j = x_j - x_i and d_k = x_k - x_i
                // (the centre column follows from translation invariance).
                const Eigen::Vector3d dcos_j = (b.u - cos_t * a.u) / a.r;
                const Eigen::Vector3d dcos_k = (a.u - cos_t * b.u) / b.r;
                // Coincident j, k (only in broken input) have no direction; keep the Jacobian finite.
                const Eigen::Vector3d ujk = rjk > 0 ? Eigen::Vector3d(djk / rjk) : Eigen::Vector3d::Zero();
                // d(fc_j fc_k fc_jk)/dd: r_jk = |d_k - d_j| moves with both.
                const Eigen::Vector3d dfcut_j =
                    fc[j].df * fc[k].f * fjk.f * a.u - fc[j].f * fc[k].f * fjk.df * ujk;
                const Eigen::Vector3d dfcut_k =
                    fc[j].f * fc[k].df * fjk.f * b.u + fc[j].f * fc[k].f * fjk.df * ujk;
                // d(r2sum)/dd: 2 d_j - 2 d_jk and 2 d_k + 2 d_jk (G4), 2 d_j and 2 d_k (G5).
                const Eigen::Vector3d dr2_j = 2.0 * (s.g5 ? a.d : Eigen::Vector3d(a.d - djk));
                const Eigen::Vector3d dr2_k = 2.0 * (s.g5 ? b.d : Eigen::Vector3d(b.d + djk));
                for (std::size_t e = 0; e < n_eta; ++e) {
                    const double ex = radial_exp[e];
                    const double eta = s.angular_eta[e];
                    // term = P(cos) ex fcut: gradient = ex (P' fcut dcos + P (dfcut - eta fcut dr2)).
                    const Eigen::Vector3d rad_j = ex * (dfcut_j - eta * fcut * dr2_j);
                    const Eigen::Vector3d rad_k = ex * (dfcut_k - eta * fcut * dr2_k);
                    const Eigen::Vector3d ang_j = ex * fcut * dcos_j;
                    const Eigen::Vector3d ang_k = ex * fcut * dcos_k;
                    const std::size_t off = base + e * n_zl;
                    for (int alpha = 0; alpha < 3; ++alpha) {
                        double* cj = col(j, alpha) + off;
                        double* ck = col(k, alpha) + off;
                        double* ci = centre(alpha) + off;
                        for (std::size_t q = 0; q < n_zl; ++q) {
                            const double vj = dpower[q] * ang_j[alpha] + power[q] * rad_j[alpha];
                            const double vk = dpower[q] * ang_k[alpha] + power[q] * rad_k[alpha];
                            cj[q] += vj;
                            ck[q] += vk;
                            ci[q] -= vj + vk;
                        }
                    }
                }
            }
        }
    });
}

std::unique_ptr<Descriptor> make_symmetry_functions(const ParameterTable& table, const std::vector<Species>& species) {
    table.allow_only({"type", "cutoff", "cutoff_function", "radial_eta", "radial_shift", "angular", "angular_eta",
                      "zeta", "lambda", "distance_scale"});
    SymmetryFunctionSettings s;
    // The defaults below are for metal bonds of about 2.75 A; distance_scale stretches them to
    // another length unit (0.41 for Lennard-Jones in reduced units): lengths times the scale,
    // etas (1/length^2) divided by its square. Values given explicitly are taken as they are.
    const double scale = read_positive(table, "distance_scale", 1.0);
    const auto per_area = [scale](std::vector<double> v) {
        for (double& x : v) x /= scale * scale;
        return v;
    };
    s.cutoff = read_positive(table, "cutoff", 6.0 * scale);
    s.polynomial_cutoff = read_choice(table, "cutoff_function", "cosine", {"cosine", "polynomial"}) == "polynomial";
    // Widths from 1/(0.003 A^-2) = (18 A)^2 (an almost flat neighbour count) to 1/(0.8 A^-2) =
    // (1.1 A)^2, which still sees the nearest neighbours (exp(-0.8 * 2.75^2) = 2e-3): every
    // function varies over the 2.5-6 A range of metallic first and second shells.
    s.radial_eta = read_real_list(table, "radial_eta", per_area({0.003, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8}));
    const auto shift = read_real_list(table, "radial_shift", {0.0});
    if (shift.size() == 1)
        s.radial_shift.assign(s.radial_eta.size(), shift[0]);
    else if (shift.size() == s.radial_eta.size())
        s.radial_shift = shift;
    else
        throw table.error("radial_shift", fmt::format("needs one value or one per radial_eta ({}), got {}",
                                                      s.radial_eta.size(), shift.size()));
    s.g5 = read_choice(table, "angular", "g4", {"g4", "g5"}) == "g5";
    // exp(-eta (r_ij^2 + r_ik^2 + r_jk^2)) for a nearest-neighbour triangle (sum ~ 23 A^2):
    // 0.94, 0.63, 0.25 -- from all triplets in the cutoff to the first shell only.
    s.angular_eta = read_real_list(table, "angular_eta", per_area({0.003, 0.02, 0.06}));
    s.zeta = read_real_list(table, "zeta", {1.0, 2.0, 4.0, 16.0});
    s.lambda = read_real_list(table, "lambda", {-1.0, 1.0});
    const auto check = [&](std::string_view key, const std::vector<double>& v, auto ok, const char* what) {
        for (double x : v)
            if (!ok(x)) throw table.error(key, fmt::format("{} (got {})", what, x));
    };
    check("radial_eta", s.radial_eta, [](double x) { return x >= 0 && std::isfinite(x); }, "must be >= 0");
    check("radial_shift", s.radial_shift, [&](double x) { return x >= 0 && x < s.cutoff; },
          "must be in [0, cutoff)");
    check("angular_eta", s.angular_eta, [](double x) { return x >= 0 && std::isfinite(x); }, "must be >= 0");
    check("zeta", s.zeta, [](double x) { return x >= 1 && std::isfinite(x); }, "must be >= 1");
    check("lambda", s.lambda, [](double x) { return x == 1.0 || x == -1.0; }, "must be 1 or -1");
    if (s.radial_eta.empty() && s.angular_eta.empty())
        throw table.error("radial_eta", "radial_eta and angular_eta are both empty: no features");
    return std::make_unique<SymmetryFunctions>(std::move(s), species);
}

}  // namespace nanoscape
