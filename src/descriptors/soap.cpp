#include "nanoscape/descriptors/soap.hpp"

#include <array>
#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "environment.hpp"

namespace nanoscape {

using namespace descriptors_detail;

// ---------------------------------------------------------------------------------------------
// Real spherical harmonics.
//
// On the unit sphere, sin^m(theta) cos(m phi) = Re (x + i y)^m and sin^m(theta) sin(m phi) =
// Im (x + i y)^m, and P_l^m(z) = (1 - z^2)^(m/2) Q_l^m(z) (no Condon-Shortley phase: it cancels
// in every product sum_m Y_lm Y_lm) with the polynomial Q obeying
//   Q_m^m = (2m - 1)!!,   Q_{m+1}^m = (2m + 1) z Q_m^m,
//   (l - m) Q_l^m = (2l - 1) z Q_{l-1}^m - (l + m - 1) Q_{l-2}^m.
// So Y_lm is a polynomial in (x, y, z): no angles, no division by sin(theta) at the poles, and
// its gradient follows from d(x + i y)^m = m (x + i y)^(m-1) (dx + i dy) and dQ/dz (the same
// recurrence differentiated). The gradient of Y(d / |d|) with respect to d is the polynomial's
// gradient projected on the tangent plane and divided by |d|.
// ---------------------------------------------------------------------------------------------

RealSphericalHarmonics::RealSphericalHarmonics(int l_max) : l_max_(l_max) {
    if (l_max < 0 || l_max > max_degree)
        throw InputError(fmt::format("spherical harmonics: l_max must be in 0..{} (got {})", max_degree, l_max));
    norm_.assign(size(), 0.0);
    double_fact_.assign(static_cast<std::size_t>(l_max + 1), 1.0);
    for (int m = 1; m <= l_max; ++m)
        double_fact_[static_cast<std::size_t>(m)] = double_fact_[static_cast<std::size_t>(m - 1)] * (2.0 * m - 1.0);
    for (int l = 0; l <= l_max; ++l) {
        const double base = (2.0 * l + 1.0) / (4.0 * std::numbers::pi);
        norm_[index(l, 0)] = std::sqrt(base);
        double ratio = 1.0;  // (l - m)! / (l + m)!, built one factor at a time (no overflow)
        for (int m = 1; m <= l; ++m) {
            ratio /= static_cast<double>((l + m) * (l - m + 1));
            norm_[index(l, m)] = norm_[index(l, -m)] = std::sqrt(2.0 * base * ratio);
        }
    }
}

void RealSphericalHarmonics::evaluate(const Eigen::Vector3d& d, double* values, double* gradients) const {
    constexpr int lm1 = max_degree + 1;
    const double r = d.norm();
    const double x = d.x() / r, y = d.y() / r, z = d.z() / r;
    const int L = l_max_;
    // Re / Im of (x + i y)^m.
    std::array<double, lm1> c{}, s{};
    c[0] = 1.0;
    s[0] = 0.0;
    for (int m = 1; m <= L; ++m) {
        c[static_cast<std::size_t>(m)] = x * c[static_cast<std::size_t>(m - 1)] - y * s[static_cast<std::size_t>(m - 1)];
        s[static_cast<std::size_t>(m)] = x * s[static_cast<std::size_t>(m - 1)] + y * c[static_cast<std::size_t>(m - 1)];
    }
    // Q_l^m and dQ_l^m/dz for l = m .. L, one m at a time (upward recurrence in l is stable).
    std::array<double, lm1> q{}, dq{};
    for (int m = 0; m <= L; ++m) {
        const auto um = static_cast<std::size_t>(m);
        for (int l = m; l <= L; ++l) {
            const auto ul = static_cast<std::size_t>(l);
            if (l == m) {
                q[ul] = double_fact_[um];
                dq[ul] = 0.0;
            } else if (l == m + 1) {
                q[ul] = (2.0 * m + 1.0) * z * q[ul - 1];
                dq[ul] = (2.0 * m + 1.0) * q[ul - 1];
            } else {
                const double a = (2.0 * l - 1.0) / (l - m), b = (l + m - 1.0) / (l - m);
                q[ul] = a * z * q[ul - 1] - b * q[ul - 2];
                dq[ul] = a * (q[ul - 1] + z * dq[ul - 1]) - b * dq[ul - 2];
            }
            // Gradient of the polynomial extension (gx, gy, gz), for +m (cos) and -m (sin).
            if (m == 0) {
                const std::size_t k = index(l, 0);
                const double nk = norm_[k];
                values[k] = nk * q[ul];
                if (gradients) {
                    gradients[3 * k] = 0.0;
                    gradients[3 * k + 1] = 0.0;
                    gradients[3 * k + 2] = nk * dq[ul];
                }
            } else {
                const std::size_t kp = index(l, m), kn = index(l, -m);
                const double nk = norm_[kp];
                values[kp] = nk * q[ul] * c[um];
                values[kn] = nk * q[ul] * s[um];
                if (gradients) {
                    const double mq = nk * m * q[ul];
                    gradients[3 * kp] = mq * c[um - 1];
                    gradients[3 * kp + 1] = -mq * s[um - 1];
                    gradients[3 * kp + 2] = nk * dq[ul] * c[um];
                    gradients[3 * kn] = mq * s[um - 1];
                    gradients[3 * kn + 1] = mq * c[um - 1];
                    gradients[3 * kn + 2] = nk * dq[ul] * s[um];
                }
            }
        }
    }
    if (!gradients) return;
    // d u / d d = (I - u u^T) / r.
    const std::size_t n = size();
    for (std::size_t k = 0; k < n; ++k) {
        double* g = gradients + 3 * k;
        const double radial = g[0] * x + g[1] * y + g[2] * z;
        g[0] = (g[0] - radial * x) / r;
        g[1] = (g[1] - radial * y) / r;
        g[2] = (g[2] - radial * z) / r;
    }
}

// ---------------------------------------------------------------------------------------------
// SOAP
// ---------------------------------------------------------------------------------------------

Soap::Soap(SoapSettings settings, std::vector<Species> species)
    : settings_(settings), species_(canonical_species(std::move(species), "soap")), harmonics_(settings.l_max) {
    const auto& s = settings_;
    if (!(s.cutoff > 0) || !std::isfinite(s.cutoff))
        throw InputError(fmt::format("soap: cutoff must be positive (got {})", s.cutoff));
    if (s.n_max < 1) throw InputError(fmt::format("soap: n_max must be >= 1 (got {})", s.n_max));
    if (!(s.sigma > 0) || !std::isfinite(s.sigma))
        throw InputError(fmt::format("soap: sigma must be positive (got {})", s.sigma));
    if (!(s.r_min >= 0 && s.r_min < s.cutoff))
        throw InputError(fmt::format("soap: r_min must be in [0, cutoff) (got {})", s.r_min));
}

std::size_t Soap::size() const {
    const std::size_t k = species_.size() * static_cast<std::size_t>(settings_.n_max);
    return k * (k + 1) / 2 * static_cast<std::size_t>(settings_.l_max + 1);
}

double Soap::radial_centre(int n) const {
    return settings_.r_min + n * (settings_.cutoff - settings_.r_min) / settings_.n_max;
}

std::size_t Soap::feature_index(std::size_t a, std::size_t b, int l) const {
    if (a > b) std::swap(a, b);
    const std::size_t k = species_.size() * static_cast<std::size_t>(settings_.n_max);
    // Rows 0 .. a-1 of the upper triangle hold K + (K-1) + ... + (K-a+1) pairs.
    const std::size_t pair = a * k - a * (a - 1) / 2 + (b - a);
    return pair * static_cast<std::size_t>(settings_.l_max + 1) + static_cast<std::size_t>(l);
}

std::string Soap::description() const {
    return fmt::format("soap {}: {} features, cutoff {} A, n_max {}, l_max {}, sigma {} A, r_min {} A",
                       join_symbols(species_, "-"), size(), settings_.cutoff, settings_.n_max, settings_.l_max,
                       settings_.sigma, settings_.r_min);
}

ParameterTable Soap::settings() const {
    ParameterTable t("descriptor");
    t.set("type", ParameterValue::of(type()));
    t.set("cutoff", ParameterValue::of(settings_.cutoff));
    t.set("n_max", ParameterValue::of(settings_.n_max));
    t.set("l_max", ParameterValue::of(settings_.l_max));
    t.set("sigma", ParameterValue::of(settings_.sigma));
    t.set("r_min", ParameterValue::of(settings_.r_min));
    return t;
}

void Soap::compute(const Cluster& cluster, Eigen::MatrixXd& features, std::vector<DescriptorJacobian>* jacobians) const {
    const SpeciesIndex types(species_);
    types.check(cluster, type());
    const std::size_t n_atoms = cluster.size();
    const std::size_t nf = size();
    features.setZero(static_cast<Eigen::Index>(nf), static_cast<Eigen::Index>(n_atoms));
    prepare_jacobians(jacobians, n_atoms);
    const auto env = build_environments(cluster, settings_.cutoff, types);

    const int n_max = settings_.n_max, l_max = settings_.l_max;
    const auto nm = static_cast<std::size_t>(n_max);
    const std::size_t n_lm = harmonics_.size();
    const std::size_t n_channels = species_.size() * nm;
    const double inv_s2 = 1.0 / (settings_.sigma * settings_.sigma);
    std::vector<double> centres(nm);
    for (int n = 0; n < n_max; ++n) centres[static_cast<std::size_t>(n)] = radial_centre(n);

    for_each_centre(n_atoms, [&](std::size_t i) {
        const auto& nb = env[i];
        const std::size_t m = nb.size();
        double* p = features.col(static_cast<Eigen::Index>(i)).data();
        DescriptorJacobian* jac = jacobians ? &(*jacobians)[i] : nullptr;
        if (jac) start_jacobian(*jac, i, nb, nf);

        // Per neighbour: R_n = g_n f_c, dR_n/dr, Y_lm and (Jacobian only) dY_lm/dd. Kept
        // for the Jacobian pass, which needs them again after every c is complete.
        std::vector<double> radial(m * nm), dradial(m * nm), y(m * n_lm), dy(jac ? 3 * m * n_lm : 0);
        std::vector<double> c(n_channels * n_lm, 0.0);  // c[a n_lm + lm], a = species * n_max + n
        for (std::size_t k = 0; k < m; ++k) {
            const auto& a = nb[k];
            const auto fc = cosine_cutoff(a.r, settings_.cutoff);
            for (std::size_t n = 0; n < nm; ++n) {
                const double dr = a.r - centres[n];
                const double g = std::exp(-0.5 * dr * dr * inv_s2);
                radial[k * nm + n] = g * fc.f;
                dradial[k * nm + n] = g * (fc.df - dr * inv_s2 * fc.f);
            }
            double* yk = y.data() + k * n_lm;
            harmonics_.evaluate(a.d, yk, jac ? dy.data() + 3 * k * n_lm : nullptr);
            const std::size_t first = static_cast<std::size_t>(a.type) * nm;
            for (std::size_t n = 0; n < nm; ++n) {
                double* cn = c.data() + (first + n) * n_lm;
                const double rn = radial[k * nm + n];
                for (std::size_t lm = 0; lm < n_lm; ++lm) cn[lm] += rn * yk[lm];
            }
        }

        // p_{a b l} = sum_m c_a,lm c_b,lm.
        for (std::size_t a = 0; a < n_channels; ++a)
            for (std::size_t b = a; b < n_channels; ++b) {
                const double* ca = c.data() + a * n_lm;
                const double* cb = c.data() + b * n_lm;
                for (int l = 0; l <= l_max; ++l) {
                    double sum = 0.0;
                    for (int mm = -l; mm <= l; ++mm) {
                        const std::size_t lm = RealSphericalHarmonics::index(l, mm);
                        sum += ca[lm] * cb[lm];
                    }
                    p[feature_index(a, b, l)] = sum;
                }
            }
        if (!jac) return;

        // dp_{abl}/dd_j = sum_m (dc_a,lm/dd_j c_b,lm + c_a,lm dc_b,lm/dd_j), where only the
        // channels a of j's species depend on d_j:
        //   dc_{a=(s,n),lm}/dd_j = R_n'(r_j) u_j Y_lm + R_n(r_j) dY_lm/dd_j.
        // The m-sums against c_b do not depend on n, so they are formed once per (j, b, l):
        //   S_jbl = sum_m Y_lm c_b,lm,   W_jbl = sum_m dY_lm/dd_j c_b,lm  (a 3-vector),
        // and dp_{abl}/dd_j gets R_n' S u_j + R_n W for every n (twice that when a = b).
        std::vector<double> s_sum(static_cast<std::size_t>(l_max + 1)), w_sum(3 * static_cast<std::size_t>(l_max + 1));
        // Centre columns: minus the sum of the neighbour columns (see environment.hpp).
        double* ox = jac->values.col(0).data();
        double* oy = jac->values.col(1).data();
        double* oz = jac->values.col(2).data();
        for (std::size_t k = 0; k < m; ++k) {
            const auto& a = nb[k];
            const double* yk = y.data() + k * n_lm;
            const double* dyk = dy.data() + 3 * k * n_lm;
            const std::size_t first = static_cast<std::size_t>(a.type) * nm;
            const auto column = static_cast<Eigen::Index>(3 * (k + 1));
            double* jx = jac->values.col(column).data();
            double* jy = jac->values.col(column + 1).data();
            double* jz = jac->values.col(column + 2).data();
            for (std::size_t b = 0; b < n_channels; ++b) {
                const double* cb = c.data() + b * n_lm;
                for (int l = 0; l <= l_max; ++l) {
                    double sv = 0.0, wx = 0.0, wy = 0.0, wz = 0.0;
                    for (int mm = -l; mm <= l; ++mm) {
                        const std::size_t lm = RealSphericalHarmonics::index(l, mm);
                        sv += yk[lm] * cb[lm];
                        wx += dyk[3 * lm] * cb[lm];
                        wy += dyk[3 * lm + 1] * cb[lm];
                        wz += dyk[3 * lm + 2] * cb[lm];
                    }
                    const auto ul = static_cast<std::size_t>(l);
                    s_sum[ul] = sv;
                    w_sum[3 * ul] = wx;
                    w_sum[3 * ul + 1] = wy;
                    w_sum[3 * ul + 2] = wz;
                }
                for (std::size_t n = 0; n < nm; ++n) {
                    const std::size_t ach = first + n;
                    const double factor = ach == b ? 2.0 : 1.0;
                    const double rn = factor * radial[k * nm + n], drn = factor * dradial[k * nm + n];
                    for (int l = 0; l <= l_max; ++l) {
                        const auto ul = static_cast<std::size_t>(l);
                        const std::size_t f = feature_index(ach, b, l);
                        const double radial_part = drn * s_sum[ul];
                        const double vx = radial_part * a.u.x() + rn * w_sum[3 * ul];
                        const double vy = radial_part * a.u.y() + rn * w_sum[3 * ul + 1];
                        const double vz = radial_part * a.u.z() + rn * w_sum[3 * ul + 2];
                        jx[f] += vx;
                        jy[f] += vy;
                        jz[f] += vz;
                        ox[f] -= vx;
                        oy[f] -= vy;
                        oz[f] -= vz;
                    }
                }
            }
        }
    });
}

std::unique_ptr<Descriptor> make_soap(const ParameterTable& table, const std::vector<Species>& species) {
    table.allow_only({"type", "cutoff", "n_max", "l_max", "sigma", "r_min"});
    SoapSettings s;
    s.cutoff = read_positive(table, "cutoff", 5.5);
    s.n_max = read_int_in(table, "n_max", 6, 1, 32);
    s.l_max = read_int_in(table, "l_max", 6, 0, RealSphericalHarmonics::max_degree);
    // r_min = 1 A: below any metallic bond (nearest neighbours 2.5-2.9 A) with one basis
    // function to spare for compressed bonds in strained or exploding candidates.
    s.r_min = table.get_real("r_min", 1.0);
    if (!(s.r_min >= 0 && s.r_min < s.cutoff))
        throw table.error("r_min", fmt::format("must be in [0, cutoff = {}) (got {})", s.cutoff, s.r_min));
    // sigma = centre spacing: neighbouring Gaussians overlap at exp(-1/2), so the basis covers
    // every distance without gaps and without becoming nearly linearly dependent.
    s.sigma = read_positive(table, "sigma", (s.cutoff - s.r_min) / s.n_max);
    return std::make_unique<Soap>(s, species);
}

}  // namespace nanoscape
