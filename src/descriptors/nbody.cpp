#include "nanoscape/descriptors/nbody.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "environment.hpp"

namespace nanoscape {

using namespace descriptors_detail;

namespace {

// Points lo, lo + h, ..., up to the first at or beyond hi (so margins are never rounded away).
std::vector<double> make_axis(double lo, double hi, double h) {
    std::vector<double> axis;
    const auto n = static_cast<long>(std::ceil((hi - lo) / h - 1e-9)) + 1;
    for (long k = 0; k < n; ++k) axis.push_back(lo + static_cast<double>(k) * h);
    return axis;
}

constexpr std::size_t max_features = 1'000'000;

}  // namespace

NBody::NBody(NBodySettings settings, std::vector<Species> species)
    : settings_(settings), species_(canonical_species(std::move(species), "nbody")) {
    const auto& s = settings_;
    const auto fail = [](const std::string& what) { throw InputError(fmt::format("nbody: {}", what)); };
    if (!(s.cutoff > 0) || !std::isfinite(s.cutoff)) fail(fmt::format("cutoff must be positive (got {})", s.cutoff));
    if (s.order != 2 && s.order != 3) fail(fmt::format("order must be 2 or 3 (got {})", s.order));
    if (!(s.sigma > 0) || !std::isfinite(s.sigma)) fail(fmt::format("sigma must be positive (got {})", s.sigma));
    if (!(s.grid_spacing > 0 && s.grid_spacing <= s.sigma))
        fail(fmt::format("grid_spacing must be in (0, sigma = {}] (got {})", s.sigma, s.grid_spacing));
    if (!(s.r_min >= 0 && s.r_min < s.cutoff))
        fail(fmt::format("r_min must be in [0, cutoff) (got {})", s.r_min));
    if (!(s.weight_3body >= 0) || !std::isfinite(s.weight_3body))
        fail(fmt::format("weight_3body must be >= 0 (got {})", s.weight_3body));
    if (s.order == 3 && !(s.cutoff_3body > s.r_min && s.cutoff_3body <= s.cutoff))
        fail(fmt::format("cutoff_3body must be in (r_min, cutoff] (got {})", s.cutoff_3body));

    const double h = s.grid_spacing;
    const double pi_half = std::numbers::pi / 2.0;
    // The grid runs 2 s past the cutoff: the kernel's Gaussian products (standard deviation
    // s/2) of atoms just inside the cutoff reach that far, and f_c alone does not make them
    // negligible (f_c = 0.03 at 0.1 r_c from the cutoff).
    axis2_ = make_axis(s.r_min, s.cutoff + 2.0 * s.sigma, h);
    c2_ = std::sqrt(h / (std::sqrt(pi_half) * s.sigma));
    const std::size_t ns = species_.size();
    size_ = ns * axis2_.size();

    pair_index_.assign(ns * ns, 0);
    int pair = 0;
    for (std::size_t b = 0; b < ns; ++b)
        for (std::size_t c = b; c < ns; ++c) pair_index_[b * ns + c] = pair_index_[c * ns + b] = pair++;
    if (s.order < 3) return;

    // As for the 2-body grid, the r_ij and r_ik axes run 2 s past cutoff_3body. Along r_jk
    // the admissible triangles fill the cone |r_ij - r_ik| <= r_jk <= r_ij + r_ik; points
    // farther than 2 s (Euclidean) outside it are dropped. The faces' normals are at
    // 1/sqrt(3) to the r_jk axis, so that is sqrt(3) 2 s along r_jk. (Collinear triplets,
    // e.g. opposite neighbours in fcc, lie on the face r_jk = r_ij + r_ik.)
    axis3_ = make_axis(s.r_min, s.cutoff_3body + 2.0 * s.sigma, h);
    const double margin = std::sqrt(3.0) * 2.0 * s.sigma;
    axis_jk_ = make_axis(s.r_min, 2.0 * axis3_.back() + margin, h);
    // sqrt(weight_3body) makes the dot product k2 + weight_3body k3.
    const double c3 = std::sqrt(s.weight_3body * h * h * h / std::pow(pi_half * s.sigma * s.sigma, 1.5));
    rows_.resize(static_cast<std::size_t>(pair));
    for (std::size_t b = 0; b < ns; ++b)
        for (std::size_t c = b; c < ns; ++c) {
            auto& rows = rows_[static_cast<std::size_t>(pair_index_[b * ns + c])];
            const bool like = b == c;
            const int n3 = static_cast<int>(axis3_.size());
            for (int p = 0; p < n3; ++p)
                for (int q = like ? p : 0; q < n3; ++q) {
                    const double x = axis3_[static_cast<std::size_t>(p)], y = axis3_[static_cast<std::size_t>(q)];
                    const double lo = std::abs(x - y) - margin, hi = x + y + margin;
                    int begin = -1, end = -1;
                    for (int k = 0; k < static_cast<int>(axis_jk_.size()); ++k) {
                        const double z = axis_jk_[static_cast<std::size_t>(k)];
                        if (z < lo || z > hi) continue;
                        if (begin < 0) begin = k;
                        end = k + 1;
                    }
                    if (begin < 0) continue;
                    // Like pairs: the symmetric image is counted twice, so C3^2 / 2, and the
                    // p < q points stand for (p, q) and (q, p): sqrt(2) C3 / sqrt(2) = C3.
                    const double scale = like ? (p == q ? c3 / std::sqrt(2.0) : c3) : c3;
                    rows.push_back({p, q, begin, end, size_, scale});
                    size_ += static_cast<std::size_t>(end - begin);
                }
            if (size_ > max_features)
                fail(fmt::format("{} features or more: use a larger grid_spacing or sigma, or a smaller cutoff_3body",
                                 size_));
        }
}

std::string NBody::description() const {
    const std::string three = settings_.order == 3
                                  ? fmt::format("{} 3-body to {} A", size_ - two_body_size(), settings_.cutoff_3body)
                                  : std::string("no 3-body");
    return fmt::format("nbody {}: {} features ({} 2-body to {} A, {}), sigma {} A, grid {} A from {} A",
                       join_symbols(species_, "-"), size_, two_body_size(), settings_.cutoff, three, settings_.sigma,
                       settings_.grid_spacing, settings_.r_min);
}

ParameterTable NBody::settings() const {
    ParameterTable t("descriptor");
    t.set("type", ParameterValue::of(type()));
    t.set("cutoff", ParameterValue::of(settings_.cutoff));
    t.set("cutoff_3body", ParameterValue::of(settings_.cutoff_3body));
    t.set("order", ParameterValue::of(settings_.order));
    t.set("sigma", ParameterValue::of(settings_.sigma));
    t.set("grid_spacing", ParameterValue::of(settings_.grid_spacing));
    t.set("r_min", ParameterValue::of(settings_.r_min));
    t.set("weight_3body", ParameterValue::of(settings_.weight_3body));
    return t;
}

void NBody::compute(const Cluster& cluster, Eigen::MatrixXd& features, std::vector<DescriptorJacobian>* jacobians) const {
    const SpeciesIndex types(species_);
    types.check(cluster, type());
    const std::size_t n_atoms = cluster.size();
    features.setZero(static_cast<Eigen::Index>(size_), static_cast<Eigen::Index>(n_atoms));
    prepare_jacobians(jacobians, n_atoms);
    const auto env = build_environments(cluster, settings_.cutoff, types);

    const double inv_s2 = 1.0 / (settings_.sigma * settings_.sigma);
    const std::size_t n2 = axis2_.size(), n3 = axis3_.size(), njk = axis_jk_.size();
    const std::size_t ns = species_.size();
    const double rc3 = settings_.cutoff_3body;

    for_each_centre(n_atoms, [&](std::size_t i) {
        const auto& nb = env[i];
        const std::size_t m = nb.size();
        double* f = features.col(static_cast<Eigen::Index>(i)).data();
        DescriptorJacobian* jac = jacobians ? &(*jacobians)[i] : nullptr;
        if (jac) start_jacobian(*jac, i, nb, size_);
        const auto col = [&](std::size_t k, int alpha) {
            return jac->values.col(static_cast<Eigen::Index>(3 * (k + 1)) + alpha).data();
        };
        // Centre columns: minus the sum of the neighbour columns (see environment.hpp).
        double* ox = jac ? jac->values.col(0).data() : nullptr;
        double* oy = jac ? jac->values.col(1).data() : nullptr;
        double* oz = jac ? jac->values.col(2).data() : nullptr;

        // 2-body: f_b(x_p) += C2 f_c(r) G(x_p - r);  d/dr = C2 (f_c' G + f_c G'), G' = 2 (x_p - r)/s^2 G.
        for (std::size_t k = 0; k < m; ++k) {
            const auto& a = nb[k];
            const auto fc = cosine_cutoff(a.r, settings_.cutoff);
            double* out = f + static_cast<std::size_t>(a.type) * n2;
            const std::size_t off = static_cast<std::size_t>(a.type) * n2;
            double *cx = nullptr, *cy = nullptr, *cz = nullptr;
            if (jac) cx = col(k, 0) + off, cy = col(k, 1) + off, cz = col(k, 2) + off;
            for (std::size_t p = 0; p < n2; ++p) {
                const double dx = axis2_[p] - a.r;
                const double g = c2_ * std::exp(-dx * dx * inv_s2);
                out[p] += fc.f * g;
                if (jac) {
                    const double slope = g * (fc.df + fc.f * 2.0 * dx * inv_s2);
                    cx[p] += slope * a.u.x();
                    cy[p] += slope * a.u.y();
                    cz[p] += slope * a.u.z();
                    ox[off + p] -= slope * a.u.x();
                    oy[off + p] -= slope * a.u.y();
                    oz[off + p] -= slope * a.u.z();
                }
            }
        }

        if (settings_.order == 3) {
            // Neighbours inside the 3-body cutoff, with their 1-D Gaussians on the r_ij axis
            // (reused by every triplet they belong to) and their cutoff values.
            std::vector<std::size_t> inner;
            for (std::size_t k = 0; k < m; ++k)
                if (nb[k].r < rc3) inner.push_back(k);
            const std::size_t mi = inner.size();
            std::vector<double> gauss(mi * n3), dgauss(mi * n3);  // G(x_p - r_j), dG/dr_j
            std::vector<CutoffValue> fc3(mi);
            for (std::size_t a = 0; a < mi; ++a) {
                const double r = nb[inner[a]].r;
                fc3[a] = cosine_cutoff(r, rc3);
                for (std::size_t p = 0; p < n3; ++p) {
                    const double dx = axis3_[p] - r;
                    gauss[a * n3 + p] = std::exp(-dx * dx * inv_s2);
                    dgauss[a * n3 + p] = 2.0 * dx * inv_s2 * gauss[a * n3 + p];
                }
            }
            std::vector<double> gjk(njk), dgjk(njk);
            for (std::size_t a = 0; a < mi; ++a)
                for (std::size_t b = a + 1; b < mi; ++b) {
                    // j carries the smaller species index (for unlike pairs the first grid
                    // coordinate is the distance to the species-b neighbour).
                    std::size_t ja = a, kb = b;
                    if (nb[inner[a]].type > nb[inner[b]].type) std::swap(ja, kb);
                    const auto& nj = nb[inner[ja]];
                    const auto& nk = nb[inner[kb]];
                    const bool like = nj.type == nk.type;
                    const Eigen::Vector3d djk = nk.d - nj.d;
                    const double rjk = djk.norm();
                    const Eigen::Vector3d ujk = rjk > 0 ? Eigen::Vector3d(djk / rjk) : Eigen::Vector3d::Zero();
                    for (std::size_t c = 0; c < njk; ++c) {
                        const double dx = axis_jk_[c] - rjk;
                        gjk[c] = std::exp(-dx * dx * inv_s2);
                        dgjk[c] = 2.0 * dx * inv_s2 * gjk[c];
                    }
                    const double w = fc3[ja].f * fc3[kb].f;
                    const double dw_j = fc3[ja].df * fc3[kb].f, dw_k = fc3[ja].f * fc3[kb].df;
                    const double* gj = gauss.data() + ja * n3;
                    const double* gk = gauss.data() + kb * n3;
                    const double* dgj = dgauss.data() + ja * n3;
                    const double* dgk = dgauss.data() + kb * n3;
                    const auto& rows =
                        rows_[static_cast<std::size_t>(pair_index_[static_cast<std::size_t>(nj.type) * ns +
                                                                   static_cast<std::size_t>(nk.type)])];
                    double *jx = nullptr, *jy = nullptr, *jz = nullptr, *kx = nullptr, *ky = nullptr, *kz = nullptr;
                    if (jac) {
                        jx = col(inner[ja], 0), jy = col(inner[ja], 1), jz = col(inner[ja], 2);
                        kx = col(inner[kb], 0), ky = col(inner[kb], 1), kz = col(inner[kb], 2);
                    }
                    for (const Row& row : rows) {
                        const auto p = static_cast<std::size_t>(row.p), q = static_cast<std::size_t>(row.q);
                        // S = product of the r_ij, r_ik Gaussians (with its j <-> k image for
                        // like pairs); S_j, S_k its derivatives with respect to r_ij, r_ik.
                        double s = gj[p] * gk[q], s_j = dgj[p] * gk[q], s_k = gj[p] * dgk[q];
                        if (like) {
                            s += gk[p] * gj[q];
                            s_j += gk[p] * dgj[q];
                            s_k += dgk[p] * gj[q];
                        }
                        const double amp = row.scale * w * s;  // value = amp G(x_c - r_jk)
                        const double bj = row.scale * (dw_j * s + w * s_j);
                        const double bk = row.scale * (dw_k * s + w * s_k);
                        const auto c0 = static_cast<std::size_t>(row.c_begin), c1 = static_cast<std::size_t>(row.c_end);
                        double* out = f + row.offset - c0;
                        for (std::size_t c = c0; c < c1; ++c) out[c] += amp * gjk[c];
                        if (!jac) continue;
                        // d/dd_j = dV/dr_ij u_j - dV/dr_jk u_jk,  d/dd_k = dV/dr_ik u_k + dV/dr_jk u_jk.
                        const double bjx = bj * nj.u.x(), bjy = bj * nj.u.y(), bjz = bj * nj.u.z();
                        const double bkx = bk * nk.u.x(), bky = bk * nk.u.y(), bkz = bk * nk.u.z();
                        const double ax = amp * ujk.x(), ay = amp * ujk.y(), az = amp * ujk.z();
                        // Centre: -(d/dd_j + d/dd_k); the r_jk terms cancel.
                        const double bx = bjx + bkx, by = bjy + bky, bz = bjz + bkz;
                        const std::size_t shift = row.offset - c0;
                        for (std::size_t c = c0; c < c1; ++c) {
                            const std::size_t fi = shift + c;
                            const double g = gjk[c], dg = dgjk[c];
                            jx[fi] += bjx * g - ax * dg;
                            jy[fi] += bjy * g - ay * dg;
                            jz[fi] += bjz * g - az * dg;
                            kx[fi] += bkx * g + ax * dg;
                            ky[fi] += bky * g + ay * dg;
                            kz[fi] += bkz * g + az * dg;
                            ox[fi] -= bx * g;
                            oy[fi] -= by * g;
                            oz[fi] -= bz * g;
                        }
                    }
                }
        }
    });
}

std::unique_ptr<Descriptor> make_nbody(const ParameterTable& table, const std::vector<Species>& species) {
    table.allow_only({"type", "cutoff", "cutoff_3body", "order", "sigma", "grid_spacing", "r_min", "weight_3body"});
    NBodySettings s;
    s.cutoff = read_positive(table, "cutoff", 5.0);
    s.order = read_int_in(table, "order", 3, 2, 3);
    // 3.5 A: the first shell (2.5-2.9 A, f3 = 0.19-0.07), the bond angles; the 3-body grid
    // grows as cutoff_3body^3 (4 A: 1.6x the features), the 2-body part sees farther shells.
    s.cutoff_3body = read_positive(table, "cutoff_3body", std::min(3.5, s.cutoff));
    if (s.cutoff_3body > s.cutoff)
        throw table.error("cutoff_3body", fmt::format("must not exceed cutoff = {} (got {})", s.cutoff, s.cutoff_3body));
    // s = 0.6 A: about a fifth of a bond length, the scale of thermal and strain distortions
    // in metal clusters; it keeps the 3-body grid at a few thousand points for two species.
    s.sigma = read_positive(table, "sigma", 0.6);
    // h = 0.6 s: the grid sum is a trapezoid rule of Gaussian products of standard deviation
    // s/2, whose relative error is exp(-2 pi^2 (s/2)^2 / h^2) = 1e-6 per axis here (3e-9 at
    // h = s/2), at 0.58 times the 3-body features of h = s/2.
    s.grid_spacing = read_positive(table, "grid_spacing", 0.6 * s.sigma);
    if (s.grid_spacing > s.sigma)
        throw table.error("grid_spacing", fmt::format("must not exceed sigma = {} (got {}); sigma / 2 makes the "
                                                      "grid dot product the exact kernel",
                                                      s.sigma, s.grid_spacing));
    // 1.2 A: the Gaussians of distances above r_min + 2 s = 2.4 A (every metallic bond) lie
    // entirely on the grid.
    s.r_min = table.get_real("r_min", 1.2);
    if (!(s.r_min >= 0 && s.r_min < s.cutoff_3body))
        throw table.error("r_min", fmt::format("must be in [0, {}) (got {})", s.cutoff_3body, s.r_min));
    // 1: the plain sum k2 + k3 of eqs. 17-18. With the cosine cutoffs k3 is only 0.2-3 % of
    // k2 in metal clusters (self-kernels of 38-147 atom clusters: Ag 0.3 %, Pt-Au 1 %, Cu 3 %;
    // w = f3 f3 ~ 0.01 for first-shell triplets); a dot-product model that should weigh
    // angles about as much as distances needs ~30-300.
    s.weight_3body = table.get_real("weight_3body", 1.0);
    if (!(s.weight_3body >= 0))
        throw table.error("weight_3body", fmt::format("must be >= 0 (got {})", s.weight_3body));
    return std::make_unique<NBody>(s, species);
}

}  // namespace nanoscape
