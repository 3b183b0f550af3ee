#include "nanoscape/surrogate/mapped.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <istream>
#include <limits>
#include <numbers>
#include <ostream>
#include <utility>

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "nanoscape/core/error.hpp"
#include "nanoscape/geometry/neighbour_list.hpp"
#include "nanoscape/surrogate/nelder_mead.hpp"
#include "nanoscape/surrogate/state_io.hpp"
#include "nanoscape/surrogate/training.hpp"

namespace nanoscape {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

// f_c: 1 below r_c - w, a half cosine down to 0 at r_c (C1, so forces stay continuous).
struct Switch {
    double rc = 5.0;
    double width = 1.0;

    [[nodiscard]] double value(double r, double& slope) const {
        const double start = rc - width;
        if (r <= start) {
            slope = 0.0;
            return 1.0;
        }
        if (r >= rc) {
            slope = 0.0;
            return 0.0;
        }
        const double x = std::numbers::pi * (r - start) / width;
        slope = -0.5 * std::numbers::pi / width * std::sin(x);
        return 0.5 * (1.0 + std::cos(x));
    }
};

// Indices of the unordered species pairs: t(a, b) for species indices a <= b.
struct PairTypes {
    std::size_t species = 0;
    [[nodiscard]] std::size_t count() const { return species * (species + 1) / 2; }
    [[nodiscard]] std::size_t index(std::size_t a, std::size_t b) const {
        if (a > b) std::swap(a, b);
        return a * species - (a * (a - 1)) / 2 + (b - a);
    }
};

std::size_t species_index(const std::vector<Species>& species, Species z) {
    return static_cast<std::size_t>(std::find(species.begin(), species.end(), z) - species.begin());
}

// The inducing basis: e_m(r) = f_c(r) exp(-(r - u_m)^2 / (2 l^2)) on the grid u_m, whitened.
struct Basis {
    double u0 = 0.0;
    double du = 0.1;
    Index m = 0;
    double length = 0.5;
    Switch sw;

    MatrixXd white;  // W (width x m), see whitening()

    [[nodiscard]] Index width() const { return white.rows(); }
    void set_length(double l) {
        length = l;
        white = whitening();
    }
    // The whitened basis c(r) = W f_c(r) e(r) (width values) and its r-derivative. Evaluated per
    // distance: whitening accumulated raw-space sums instead would cancel catastrophically.
    void eval(double r, double* beta, double* slope) const {
        double dfc = 0.0;
        const double fc = sw.value(r, dfc);
        const double inv = 1.0 / (length * length);
        VectorXd e(m), de(m);
        for (Index k = 0; k < m; ++k) {
            const double x = r - (u0 + static_cast<double>(k) * du);
            const double g = std::exp(-0.5 * x * x * inv);
            e(k) = fc * g;
            de(k) = dfc * g - fc * g * x * inv;
        }
        Eigen::Map<VectorXd>(beta, width()) = white * e;
        if (slope) Eigen::Map<VectorXd>(slope, width()) = white * de;
    }
    // The whitening of the inducing values: rows Lambda_k^-1/2 U_k^T of E_uu = U Lambda U^T over
    // the eigenvalues above 1e-10 of the largest, so c(r) = W e(r) has cov(c, c') = e^T E_uu^+ e'.
    // (A Cholesky inverse of the nearly singular E_uu has entries growing exponentially along
    // the grid; the truncated eigenbasis stays bounded by 1e5.)
    [[nodiscard]] MatrixXd whitening() const {
        MatrixXd e(m, m);
        for (Index i = 0; i < m; ++i)
            for (Index j = 0; j < m; ++j) {
                const double x = static_cast<double>(i - j) * du / length;
                e(i, j) = std::exp(-0.5 * x * x);
            }
        const Eigen::SelfAdjointEigenSolver<MatrixXd> eig(e);
        const double top = eig.eigenvalues().maxCoeff();
        std::vector<Index> kept;
        for (Index k = m - 1; k >= 0; --k)
            if (eig.eigenvalues()(k) > 1e-10 * top) kept.push_back(k);
        MatrixXd w(static_cast<Index>(kept.size()), m);
        for (std::size_t k = 0; k < kept.size(); ++k)
            w.row(static_cast<Index>(k)) =
                eig.eigenvectors().col(kept[k]).transpose() / std::sqrt(eig.eigenvalues()(kept[k]));
        return w;
    }
};

// Sufficient statistics of the observations for one length scale, in whitened coordinates.
struct Stats {
    MatrixXd a_e, a_f;  // Phi_E^T diag(1/N) Phi_E, Phi_F^T Phi_F
    VectorXd b_e, b_f;  // Phi_E^T diag(1/N) y_E, Phi_F^T y_F
    double c_e = 0.0, c_f = 0.0, log_atoms = 0.0;
    double n_e = 0.0, n_f = 0.0;
    Index counts = 0;  // trailing columns: the element counts n_Z of the energy rows
};

// Prior standard deviation of the per-element energy corrections fitted jointly with the pair
// functions, eV/atom: broad against their least-squares start, so the pairs cannot be
// double counted in e_Z (which a fixed prior fitted to the energies alone would do).
constexpr double element_prior_sd = 1.0;

// The count columns carry e_Z = kappa v_Z with kappa = element_prior_sd / sigma_f, so every
// weight has the prior N(0, sigma_f^2): D scales them.
VectorXd column_scale(const Stats& s, double signal) {
    VectorXd d = VectorXd::Ones(s.a_e.rows());
    d.tail(s.counts).setConstant(element_prior_sd / signal);
    return d;
}

struct Hyper {
    double signal = 1.0, noise = 5e-3, force_noise = 0.05, length = 0.5;
};

// Log marginal likelihood (Woodbury form, see the header); the Cholesky of
// M = I + sigma_f^2 Psi^T Psi is returned through `out`.
double log_likelihood(const Stats& s, const Hyper& h, Eigen::LLT<MatrixXd>* out) {
    const double sn2 = h.noise * h.noise, sf2 = h.signal * h.signal;
    const double sF2 = h.force_noise * h.force_noise;
    const VectorXd scale = column_scale(s, h.signal);
    MatrixXd m = s.a_e / sn2;
    VectorXd b = s.b_e / sn2;
    double yy = s.c_e / sn2;
    double logdet = s.log_atoms + s.n_e * std::log(sn2);
    if (s.n_f > 0) {
        m += s.a_f / sF2;
        b += s.b_f / sF2;
        yy += s.c_f / sF2;
        logdet += s.n_f * std::log(sF2);
    }
    m = sf2 * (scale.asDiagonal() * m * scale.asDiagonal());
    b = scale.asDiagonal() * b;
    m.diagonal().array() += 1.0;
    Eigen::LLT<MatrixXd> llt(m);
    if (llt.info() != Eigen::Success) return -std::numeric_limits<double>::infinity();
    const double quad = yy - sf2 * b.dot(llt.solve(b));
    logdet += 2.0 * llt.matrixLLT().diagonal().array().log().sum();
    const double value = -0.5 * quad - 0.5 * logdet - 0.5 * (s.n_e + s.n_f) * std::log(2.0 * std::numbers::pi);
    if (out) *out = std::move(llt);
    return std::isfinite(value) ? value : -std::numeric_limits<double>::infinity();
}

// One tabulated species pair: cubic Hermite coefficients of the mean (function 0) and of the
// variance modes (1..K) per interval, laid out [interval][function][4].
struct Table {
    double start = 0.0;
    double h = 0.01;
    Index intervals = 0;
    std::vector<double> coeff;
};

}  // namespace

struct MappedGp::Model {
    std::vector<Species> species;
    PairTypes types;
    Basis basis;
    Hyper hyper;
    VectorXd element_energies;
    std::vector<double> start;  // table start per pair type
    VectorXd mean;              // whitened weights of the mean, P = types x width
    MatrixXd covariance;        // posterior covariance Sigma_v (P x P)
    MatrixXd modes;             // whitened weights of the kept variance modes (P x K)
    double retained = 1.0;
    double calibration = 1.0;
    double noise2 = 0.0;
    double wall = 20.0;
    std::vector<Table> tables;

    [[nodiscard]] Index functions() const { return 1 + modes.cols(); }
};

namespace {

// Raw-space sufficient statistics of `ids` for the basis in `model` (species, types, basis and
// element energies set). OpenMP over a fixed number of chunks summed in
// order, so the result does not depend on the thread count.
Stats accumulate(const MappedGp::Model& model, std::span<const Sample> samples, std::span<const std::size_t> ids,
                 bool use_forces) {
    const Index m = model.basis.width();
    const auto n_types = static_cast<Index>(model.types.count());
    const auto n_species = static_cast<Index>(model.species.size());
    const Index p = n_types * m + n_species;
    const auto n = static_cast<Index>(ids.size());
    const Index chunks = std::min<Index>(n, 32);
    std::vector<Stats> partial(static_cast<std::size_t>(std::max<Index>(chunks, 1)));
#pragma omp parallel for schedule(dynamic, 1)
    for (Index c = 0; c < chunks; ++c) {
        Stats& st = partial[static_cast<std::size_t>(c)];
        st.a_e = MatrixXd::Zero(p, p);
        st.a_f = MatrixXd::Zero(p, p);
        st.b_e = VectorXd::Zero(p);
        st.b_f = VectorXd::Zero(p);
        std::vector<double> beta(static_cast<std::size_t>(m)), slope(static_cast<std::size_t>(m));
        for (Index k = c * n / chunks; k < (c + 1) * n / chunks; ++k) {
            const Sample& s = samples[ids[static_cast<std::size_t>(k)]];
            const auto atoms = static_cast<Index>(s.cluster.size());
            const bool forces = use_forces && s.forces.has_value();
            VectorXd row = VectorXd::Zero(p);
            MatrixXd frows = forces ? MatrixXd::Zero(3 * atoms, p) : MatrixXd();
            std::vector<std::size_t> idx(s.cluster.size());
            for (std::size_t a = 0; a < idx.size(); ++a) idx[a] = species_index(model.species, s.cluster.species[a]);
            const CellGrid grid(s.cluster.positions, model.basis.sw.rc);
            grid.for_each_pair([&](int i, int j, const Eigen::Vector3d& d, double r) {
                const std::size_t t = model.types.index(idx[static_cast<std::size_t>(i)], idx[static_cast<std::size_t>(j)]);
                const double rr = std::max(r, model.start[t]);  // training distances are >= start by construction
                model.basis.eval(rr, beta.data(), slope.data());
                const Index off = static_cast<Index>(t) * m;
                row.segment(off, m) += Eigen::Map<const VectorXd>(beta.data(), m);
                if (!forces) return;
                // F_i = phi'(r) d / r, F_j = -F_i with d = x_j - x_i.
                const Eigen::Vector3d u = d / r;
                for (int dim = 0; dim < 3; ++dim) {
                    frows.row(3 * i + dim).segment(off, m) += u(dim) * Eigen::Map<const VectorXd>(slope.data(), m).transpose();
                    frows.row(3 * j + dim).segment(off, m) -= u(dim) * Eigen::Map<const VectorXd>(slope.data(), m).transpose();
                }
            });
            for (const std::size_t z : idx) row(n_types * m + static_cast<Index>(z)) += 1.0;
            const double y = s.energy - element_energy_sum(s.cluster, model.species, model.element_energies);
            const double inv_n = 1.0 / static_cast<double>(atoms);
            st.a_e.selfadjointView<Eigen::Lower>().rankUpdate(row, inv_n);
            st.b_e += inv_n * y * row;
            st.c_e += inv_n * y * y;
            st.log_atoms += std::log(static_cast<double>(atoms));
            st.n_e += 1.0;
            if (forces) {
                const Eigen::Map<const VectorXd> f(s.forces->data(), 3 * atoms);
                st.a_f.selfadjointView<Eigen::Lower>().rankUpdate(frows.transpose());
                st.b_f += frows.transpose() * f;
                st.c_f += f.squaredNorm();
                st.n_f += static_cast<double>(3 * atoms);
            }
        }
    }
    Stats total = partial.front();
    for (std::size_t c = 1; c < partial.size(); ++c) {
        total.a_e += partial[c].a_e;
        total.a_f += partial[c].a_f;
        total.b_e += partial[c].b_e;
        total.b_f += partial[c].b_f;
        total.c_e += partial[c].c_e;
        total.c_f += partial[c].c_f;
        total.log_atoms += partial[c].log_atoms;
        total.n_e += partial[c].n_e;
        total.n_f += partial[c].n_f;
    }
    total.counts = n_species;
    total.a_e = total.a_e.selfadjointView<Eigen::Lower>();
    total.a_f = total.a_f.selfadjointView<Eigen::Lower>();
    return total;
}

// Hyperparameters maximising the marginal likelihood: the free noises by Nelder-Mead in log
// space for a given length scale; the length scale (if free) on a log grid, then refined by
// golden section around the best grid point.
Hyper optimise_hyper(const MappedSettings& settings, Hyper h, bool with_forces,
                     const std::function<Stats(double)>& stats_for) {
    const auto clamp_log = [](double x, double lo, double hi) { return std::clamp(x, std::log(lo), std::log(hi)); };
    const auto fit_noises = [&](const Stats& st, Hyper start) {
        std::vector<int> free;
        if (settings.signal <= 0) free.push_back(0);
        if (settings.noise <= 0) free.push_back(1);
        if (with_forces && settings.force_noise <= 0) free.push_back(2);
        const auto unpack = [&](const std::vector<double>& x) {
            Hyper out = start;
            for (std::size_t k = 0; k < free.size(); ++k) {
                if (free[k] == 0) out.signal = std::exp(clamp_log(x[k], 1e-4, 1e2));
                if (free[k] == 1) out.noise = std::exp(clamp_log(x[k], 1e-5, 1.0));
                if (free[k] == 2) out.force_noise = std::exp(clamp_log(x[k], 1e-4, 10.0));
            }
            return out;
        };
        std::vector<double> x0;
        for (const int k : free) x0.push_back(std::log(k == 0 ? start.signal : k == 1 ? start.noise : start.force_noise));
        if (x0.empty()) return std::pair{start, log_likelihood(st, start, nullptr)};
        const auto best = nelder_mead(
            [&](const std::vector<double>& x) {
                const double v = log_likelihood(st, unpack(x), nullptr);
                return std::isfinite(v) ? -v : std::numeric_limits<double>::max();
            },
            x0, 1.0, 300, 1e-7);
        const Hyper out = unpack(best);
        return std::pair{out, log_likelihood(st, out, nullptr)};
    };
    if (settings.length_scale > 0) {
        h.length = settings.length_scale;
        return fit_noises(stats_for(h.length), h).first;
    }
    const double lo = std::log(std::max(2.0 * settings.inducing_spacing, 0.15));
    const double hi = std::log(3.0);
    std::vector<double> grid;
    for (double x = lo; x <= hi + 1e-12; x += (hi - lo) / 6.0) grid.push_back(x);
    std::vector<std::pair<Hyper, double>> results;
    for (const double x : grid) {
        Hyper start = results.empty() ? h : results.back().first;
        start.length = std::exp(x);
        results.push_back(fit_noises(stats_for(start.length), start));
    }
    std::size_t best = 0;
    for (std::size_t k = 1; k < results.size(); ++k)
        if (results[k].second > results[best].second) best = k;
    double a = grid[best > 0 ? best - 1 : best], b = grid[std::min(best + 1, grid.size() - 1)];
    std::pair<Hyper, double> top = results[best];
    const double g = 0.5 * (std::sqrt(5.0) - 1.0);
    const auto probe = [&](double x) {
        Hyper start = top.first;
        start.length = std::exp(x);
        auto r = fit_noises(stats_for(start.length), start);
        if (r.second > top.second) top = r;
        return r.second;
    };
    double c = b - g * (b - a), d = a + g * (b - a);
    double fc = probe(c), fd = probe(d);
    for (int it = 0; it < 5; ++it) {
        if (fc > fd) {
            b = d;
            d = c;
            fd = fc;
            c = b - g * (b - a);
            fc = probe(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + g * (b - a);
            fd = probe(d);
        }
    }
    return top.first;
}

// Posterior of the weights for the statistics and hyperparameters: mean and
// covariance, and the Karhunen-Loeve modes of the pair-function posterior (header).
void posterior(MappedGp::Model& model, const Stats& st, const MappedSettings& settings) {
    const Index m = model.basis.width();
    const auto n_types = static_cast<Index>(model.types.count());
    const Index p = n_types * m;
    const Index all = p + st.counts;
    Eigen::LLT<MatrixXd> llt;
    if (!std::isfinite(log_likelihood(st, model.hyper, &llt)))
        throw Error("mapped: the training system is singular (NaN energies or forces, or no pairs within the cutoff)");
    const double sf2 = model.hyper.signal * model.hyper.signal;
    const double sn2 = model.hyper.noise * model.hyper.noise, sF2 = model.hyper.force_noise * model.hyper.force_noise;
    VectorXd b = st.b_e / sn2;
    if (st.n_f > 0) b += st.b_f / sF2;
    // v = sigma_f^2 M^-1 D b; Sigma_v = sigma_f^2 M^-1. The pair block of Sigma_v is the
    // posterior covariance of the pair functions (the e_Z, fitted from every energy, are
    // taken as known); R_v R_v^T = that block.
    const VectorXd scale = column_scale(st, model.hyper.signal);
    b = scale.asDiagonal() * b;
    const VectorXd v = sf2 * llt.solve(b);
    const MatrixXd l_inv = llt.matrixL().solve(MatrixXd::Identity(all, all));
    const MatrixXd sigma = sf2 * (l_inv.transpose() * l_inv);
    model.mean = v.head(p);
    for (Index z = 0; z < st.counts; ++z) model.element_energies(z) += scale(p + z) * v(p + z);
    model.covariance = 0.5 * (sigma.topLeftCorner(p, p) + sigma.topLeftCorner(p, p).transpose());
    const Eigen::SelfAdjointEigenSolver<MatrixXd> block(model.covariance);
    const MatrixXd r_v = block.eigenvectors() * block.eigenvalues().cwiseMax(0.0).cwiseSqrt().asDiagonal();
    model.noise2 = sn2;
    if (!model.mean.allFinite() || !model.covariance.allFinite())
        throw Error("mapped: training produced non-finite weights; check the training energies and forces");

    // L2 Gram matrix of the whitened basis over each pair's table range (Simpson's rule).
    MatrixXd gram = MatrixXd::Zero(p, p);
    std::vector<double> beta(static_cast<std::size_t>(m));
    for (Index t = 0; t < n_types; ++t) {
        const double a = model.start[static_cast<std::size_t>(t)], c = model.basis.sw.rc;
        const int steps = 400;
        const double dx = (c - a) / steps;
        MatrixXd g = MatrixXd::Zero(m, m);
        for (int k = 0; k <= steps; ++k) {
            model.basis.eval(a + k * dx, beta.data(), nullptr);
            const double wgt = (k == 0 || k == steps ? 1.0 : (k % 2 ? 4.0 : 2.0)) * dx / 3.0;
            const Eigen::Map<const VectorXd> e(beta.data(), m);
            g.selfadjointView<Eigen::Lower>().rankUpdate(e, wgt);
        }
        gram.block(t * m, t * m, m, m) = g.selfadjointView<Eigen::Lower>();
    }
    const MatrixXd h = r_v.transpose() * gram * r_v;
    const Eigen::SelfAdjointEigenSolver<MatrixXd> eig(0.5 * (h + h.transpose()));
    const VectorXd lambda = eig.eigenvalues().reverse().cwiseMax(0.0);
    const double total = lambda.sum();
    Index keep = 0;
    double kept = 0.0;
    while (keep < lambda.size() && keep < settings.max_components &&
           (total <= 0 || kept < (1.0 - settings.variance_tolerance) * total)) {
        kept += lambda(keep);
        ++keep;
    }
    model.retained = total > 0 ? kept / total : 1.0;
    model.modes = r_v * eig.eigenvectors().rowwise().reverse().leftCols(keep);
}

// Exact values and slopes of every function (mean, modes) of pair type t at r.
void exact_functions(const MappedGp::Model& model, std::size_t t, double r, double* value, double* slope,
                     std::vector<double>& beta, std::vector<double>& dbeta) {
    const Index m = model.basis.width();
    model.basis.eval(r, beta.data(), dbeta.data());
    const Eigen::Map<const VectorXd> b(beta.data(), m), db(dbeta.data(), m);
    const Index off = static_cast<Index>(t) * m;
    value[0] = b.dot(model.mean.segment(off, m));
    slope[0] = db.dot(model.mean.segment(off, m));
    for (Index k = 0; k < model.modes.cols(); ++k) {
        value[1 + k] = b.dot(model.modes.col(k).segment(off, m));
        slope[1 + k] = db.dot(model.modes.col(k).segment(off, m));
    }
}

// Cubic Hermite tables of the mean and modes; the spacing is halved until every function's
// error at the interval midpoints is below `tolerance` (eV) and its slope error below
// 100 tolerance per Angstrom (or the spacing reaches 1e-3 A).
double tabulate(MappedGp::Model& model, double tolerance) {
    const Index nf = model.functions();
    std::vector<double> beta(static_cast<std::size_t>(model.basis.width())), dbeta(beta.size());
    std::vector<double> v0(static_cast<std::size_t>(nf)), s0(v0.size()), v1(v0.size()), s1(v0.size()),
        vm(v0.size()), sm(v0.size());
    double target = std::min(0.05, model.basis.length / 4.0);
    for (;;) {
        double worst = 0.0;
        model.tables.assign(model.types.count(), {});
        for (std::size_t t = 0; t < model.types.count(); ++t) {
            Table& tab = model.tables[t];
            tab.start = model.start[t];
            const double span = model.basis.sw.rc - tab.start;
            tab.intervals = std::max<Index>(1, static_cast<Index>(std::ceil(span / target)));
            tab.h = span / static_cast<double>(tab.intervals);
            tab.coeff.assign(static_cast<std::size_t>(tab.intervals * nf * 4), 0.0);
            exact_functions(model, t, tab.start, v0.data(), s0.data(), beta, dbeta);
            for (Index k = 0; k < tab.intervals; ++k) {
                const double r1 = tab.start + static_cast<double>(k + 1) * tab.h;
                exact_functions(model, t, r1, v1.data(), s1.data(), beta, dbeta);
                exact_functions(model, t, r1 - 0.5 * tab.h, vm.data(), sm.data(), beta, dbeta);
                for (Index f = 0; f < nf; ++f) {
                    const auto u = static_cast<std::size_t>(f);
                    double* c = &tab.coeff[static_cast<std::size_t>((k * nf + f) * 4)];
                    const double d0 = tab.h * s0[u], d1 = tab.h * s1[u];
                    c[0] = v0[u];
                    c[1] = d0;
                    c[2] = 3.0 * (v1[u] - v0[u]) - 2.0 * d0 - d1;
                    c[3] = 2.0 * (v0[u] - v1[u]) + d0 + d1;
                    const double mid = c[0] + 0.5 * (c[1] + 0.5 * (c[2] + 0.5 * c[3]));
                    const double mid_slope = (c[1] + 0.5 * (2.0 * c[2] + 1.5 * c[3])) / tab.h;
                    worst = std::max({worst, std::abs(mid - vm[u]), 0.01 * std::abs(mid_slope - sm[u])});
                }
                v0.swap(v1);
                s0.swap(s1);
            }
        }
        if (worst <= tolerance || target < 1e-3) return worst;
        target *= 0.5;
    }
}

// The tables as a pair-function evaluator for predict_pairs: features are the K modes.
struct TableFeatures {
    const MappedGp::Model& model;
    [[nodiscard]] Index dim() const { return model.modes.cols(); }
    [[nodiscard]] Index offset(std::size_t) const { return 0; }
    [[nodiscard]] Index width() const { return model.modes.cols(); }
    void eval(std::size_t t, double r, double& mean, double& mean_slope, double* feat, double* feat_slope) const {
        const Table& tab = model.tables[t];
        const double pos = (r - tab.start) / tab.h;
        const Index k = std::min<Index>(static_cast<Index>(pos), tab.intervals - 1);
        const double x = pos - static_cast<double>(k);
        const Index nf = model.functions();
        const double* c = &tab.coeff[static_cast<std::size_t>(k * nf * 4)];
        const double inv_h = 1.0 / tab.h;
        mean = c[0] + x * (c[1] + x * (c[2] + x * c[3]));
        mean_slope = (c[1] + x * (2.0 * c[2] + 3.0 * x * c[3])) * inv_h;
        for (Index f = 1; f < nf; ++f) {
            const double* q = c + 4 * f;
            feat[f - 1] = q[0] + x * (q[1] + x * (q[2] + x * q[3]));
            if (feat_slope) feat_slope[f - 1] = (q[1] + x * (2.0 * q[2] + 3.0 * x * q[3])) * inv_h;
        }
    }
    // latent = |s|^2, so d latent / d s = 2 s.
    [[nodiscard]] VectorXd latent_gradient(const VectorXd& s) const { return s; }
    [[nodiscard]] double latent(const VectorXd& s) const { return s.squaredNorm(); }
};

// The GP itself: features are the whitened basis functions of the pair's block, latent s^T Sigma s.
struct ExactFeatures {
    const MappedGp::Model& model;
    mutable std::vector<double> beta, dbeta;
    [[nodiscard]] Index dim() const { return model.mean.size(); }
    [[nodiscard]] Index offset(std::size_t t) const { return static_cast<Index>(t) * model.basis.width(); }
    [[nodiscard]] Index width() const { return model.basis.width(); }
    void eval(std::size_t t, double r, double& mean, double& mean_slope, double* feat, double* feat_slope) const {
        const Index m = model.basis.width();
        beta.resize(static_cast<std::size_t>(m));
        dbeta.resize(beta.size());
        model.basis.eval(r, feat, feat_slope ? feat_slope : dbeta.data());
        const Eigen::Map<const VectorXd> b(feat, m), db(feat_slope ? feat_slope : dbeta.data(), m);
        mean = b.dot(model.mean.segment(offset(t), m));
        mean_slope = db.dot(model.mean.segment(offset(t), m));
    }
    [[nodiscard]] VectorXd latent_gradient(const VectorXd& s) const { return model.covariance * s; }
    [[nodiscard]] double latent(const VectorXd& s) const { return s.dot(model.covariance * s); }
};

}  // namespace

MappedGp::MappedGp(MappedSettings settings, std::unique_ptr<Descriptor> descriptor, std::vector<Species> species,
                   ParameterTable common)
    : settings_(std::move(settings)), descriptor_(std::move(descriptor)), species_(std::move(species)),
      common_(std::move(common)) {}

MappedGp::~MappedGp() = default;

bool MappedGp::ready() const { return model_ != nullptr; }

std::string MappedGp::description() const {
    const auto& s = settings_;
    if (!model_)
        return fmt::format("mapped 2-body GP (untrained; cutoff {:g} A, switch {:g} A)", s.cutoff, s.cutoff_width);
    return fmt::format("mapped 2-body GP (l = {:.4g} A, sigma_f = {:.4g} eV, sigma_n = {:.4g} eV/sqrt(atom), "
                       "sigma_F = {:.4g} eV/A; {} training structures, {} inducing distances per pair; tables every "
                       "{:.4g} A from {:.4g} A to {:g} A, {} variance modes ({:.4f} of the variance), calibration {:.3g})",
                       model_->hyper.length, model_->hyper.signal, model_->hyper.noise, model_->hyper.force_noise,
                       training_.size(), model_->basis.m, table_spacing(),
                       *std::min_element(model_->start.begin(), model_->start.end()), s.cutoff, components(),
                       model_->retained, model_->calibration);
}

int MappedGp::components() const { return model_ ? static_cast<int>(model_->modes.cols()) : 0; }
double MappedGp::retained_variance() const { return model_ ? model_->retained : 0.0; }
double MappedGp::calibration() const { return model_ ? model_->calibration : 1.0; }
double MappedGp::table_spacing() const { return model_ && !model_->tables.empty() ? model_->tables.front().h : 0.0; }

std::vector<double> MappedGp::element_energies() const {
    if (!model_) return {};
    return {model_->element_energies.data(), model_->element_energies.data() + model_->element_energies.size()};
}

void MappedGp::fit(std::span<const Sample> samples) {
    check_samples(samples, species_);
    training_.assign(samples.begin(), samples.end());
    train(settings_.optimize);
}

void MappedGp::update(std::span<const Sample> samples) {
    if (!model_) {
        fit(samples);
        return;
    }
    check_samples(samples, species_);
    training_.insert(training_.end(), samples.begin(), samples.end());
    train(false);
}

void MappedGp::note_below_grid(double r, double start) const {
    // The shortest training distance met again in another frame (a fixed geometry moved or
    // re-centred) differs from it by rounding only: that is on the table, not below it (the
    // extension is continuous at the start, so its value is the table's to that rounding).
    constexpr double rounding = 1e-9;  // Angstrom
    if (r > start - rounding) return;
    if (below_grid_.fetch_add(1) == 0)
        spdlog::warn("mapped surrogate: a pair at {:.3f} A is closer than its table starts ({:.3f} A, the shortest "
                     "training distance); using the repulsive extension and prior variance there (counted, not "
                     "repeated)",
                     r, start);
}

void MappedGp::train(bool optimise) {
    auto model = std::make_unique<Model>();
    model->species = species_;
    model->types.species = species_.size();
    model->basis.sw = Switch{settings_.cutoff, settings_.cutoff_width};
    model->wall = settings_.wall;

    // Table starts: each pair's shortest training distance (or r_min for all).
    const double rc = settings_.cutoff;
    model->start.assign(model->types.count(), std::numeric_limits<double>::infinity());
    for (const auto& s : training_) {
        std::vector<std::size_t> idx(s.cluster.size());
        for (std::size_t a = 0; a < idx.size(); ++a) idx[a] = species_index(species_, s.cluster.species[a]);
        CellGrid(s.cluster.positions, rc).for_each_pair([&](int i, int j, const Eigen::Vector3d&, double r) {
            auto& lo = model->start[model->types.index(idx[static_cast<std::size_t>(i)], idx[static_cast<std::size_t>(j)])];
            lo = std::min(lo, r);
        });
    }
    const double seen = *std::min_element(model->start.begin(), model->start.end());
    if (!std::isfinite(seen))
        throw InputError(fmt::format("mapped surrogate: no two atoms of the {} training structures are within the "
                                     "cutoff ({:g} A); raise `cutoff`",
                                     training_.size(), rc));
    for (auto& lo : model->start) {
        if (settings_.r_min > 0) lo = settings_.r_min;
        if (!std::isfinite(lo)) lo = seen;  // a pair never seen: its function stays the prior (zero)
        lo = std::min(lo, rc - 0.5 * settings_.inducing_spacing);
    }
    const double u0 = settings_.r_min > 0 ? settings_.r_min : seen;
    model->basis.u0 = u0;
    model->basis.m = std::max<Index>(2, static_cast<Index>(std::ceil((rc - u0) / settings_.inducing_spacing)) + 1);
    model->basis.du = (rc - u0) / static_cast<double>(model->basis.m - 1);

    // Hyperparameters: the given ones, the previous fit's (update), or starting values.
    Hyper hyper;
    if (model_) hyper = model_->hyper;
    if (settings_.signal > 0) hyper.signal = settings_.signal;
    if (settings_.noise > 0) hyper.noise = settings_.noise;
    if (settings_.force_noise > 0) hyper.force_noise = settings_.force_noise;
    if (settings_.length_scale > 0) hyper.length = settings_.length_scale;
    const bool with_forces = settings_.use_forces && std::any_of(training_.begin(), training_.end(),
                                                                 [](const Sample& s) { return s.forces.has_value(); });

    // Held-out structures for the calibration: every k-th one, k = round(1 / fraction).
    std::vector<std::size_t> fit_ids, held_ids, all_ids;
    const std::size_t stride =
        settings_.validation_fraction > 0 ? static_cast<std::size_t>(std::llround(1.0 / settings_.validation_fraction)) : 0;
    for (std::size_t k = 0; k < training_.size(); ++k) {
        all_ids.push_back(k);
        (stride > 1 && k % stride == stride - 1 ? held_ids : fit_ids).push_back(k);
    }
    if (held_ids.size() < 5) {
        held_ids.clear();
        fit_ids = all_ids;
    }
    const auto prior = [&](const std::vector<std::size_t>& ids) {
        std::vector<Sample> subset;
        for (const auto k : ids) subset.push_back(training_[k]);
        return fit_element_energies(subset, species_);
    };
    const auto stats_for = [&](const std::vector<std::size_t>& ids) {
        return [&, ids](double length) {
            model->basis.set_length(length);
            return accumulate(*model, training_, ids, settings_.use_forces);
        };
    };

    model->element_energies = prior(fit_ids);
    if (optimise) hyper = optimise_hyper(settings_, hyper, with_forces, stats_for(fit_ids));
    model->hyper = hyper;
    model->basis.set_length(hyper.length);
    model->calibration = model_ && !optimise ? model_->calibration : 1.0;
    if (!held_ids.empty() && (optimise || !model_)) {
        // alpha^2 = mean(err^2 / sigma^2) over the held-out structures, from the GP fitted without them.
        posterior(*model, accumulate(*model, training_, fit_ids, settings_.use_forces), settings_);
        double ratio = 0.0;
        const ExactFeatures features{*model, {}, {}};
        for (const auto k : held_ids) {
            const Sample& s = training_[k];
            double mean = element_energy_sum(s.cluster, species_, model->element_energies);
            VectorXd feat = VectorXd::Zero(features.dim());
            std::vector<std::size_t> idx(s.cluster.size());
            for (std::size_t a = 0; a < idx.size(); ++a) idx[a] = species_index(species_, s.cluster.species[a]);
            std::vector<double> f(static_cast<std::size_t>(features.width()));
            CellGrid(s.cluster.positions, rc).for_each_pair([&](int i, int j, const Eigen::Vector3d&, double r) {
                const std::size_t t = model->types.index(idx[static_cast<std::size_t>(i)], idx[static_cast<std::size_t>(j)]);
                double v = 0.0, dv = 0.0;
                features.eval(t, std::max(r, model->start[t]), v, dv, f.data(), nullptr);
                mean += v;
                feat.segment(features.offset(t), features.width()) += Eigen::Map<const VectorXd>(f.data(), features.width());
            });
            const double variance = features.latent(feat) + model->noise2 * static_cast<double>(s.cluster.size());
            const double err = mean - s.energy;
            ratio += err * err / variance;
        }
        model->calibration = ratio / static_cast<double>(held_ids.size());
        if (!(model->calibration > 0) || !std::isfinite(model->calibration)) model->calibration = 1.0;
    }
    model->element_energies = prior(all_ids);
    posterior(*model, accumulate(*model, training_, all_ids, settings_.use_forces), settings_);
    tabulate(*model, settings_.grid_error);

    model_ = std::move(model);
    below_grid_ = 0;
}

namespace {

// One loop for both evaluators: the pair sum of the mean, its forces, the latent variance from
// the per-pair features and the sigma gradient from a second pass over the same pairs.
// One pair of type t at distance r: the mean pair function v, its slope dv and the features
// `feat` (for the tables: the K modes) at r, or, below the table's start lo, at lo with the
// repulsive extension of the mean, v + (-dv delta + W delta^3) and dv - 3 W delta^2 (delta =
// lo - r; the features stay at their values at lo). Returns the prior variance such a pair adds,
// sigma_f^2 (1 - exp(-delta^2 / (2 l^2))), and 0 on the table; `below`, if given, hears of it.
template <class Features>
double eval_pair(const MappedGp::Model& m, const Features& features, std::size_t t, double r, double& v, double& dv,
                 double* feat, const std::function<void(double, double)>* below) {
    const double lo = m.start[t];
    if (r >= lo) {
        features.eval(t, r, v, dv, feat, nullptr);
        return 0.0;
    }
    if (below) (*below)(r, lo);
    features.eval(t, lo, v, dv, feat, nullptr);
    const double delta = lo - r;
    v += -dv * delta + m.wall * delta * delta * delta;
    dv -= 3.0 * m.wall * delta * delta;
    const double sf2 = m.hyper.signal * m.hyper.signal, inv_l2 = 1.0 / (m.hyper.length * m.hyper.length);
    return sf2 * (1.0 - std::exp(-0.5 * delta * delta * inv_l2));
}

template <class Features>
Prediction predict_pairs(const MappedGp::Model& m, const Features& features, const Cluster& cluster,
                         Eigen::Matrix3Xd* mean_forces, Eigen::Matrix3Xd* sigma_gradient,
                         const std::function<void(double, double)>& below) {
    const auto n = static_cast<Index>(cluster.size());
    std::vector<std::size_t> idx(cluster.size());
    for (std::size_t a = 0; a < idx.size(); ++a) {
        idx[a] = species_index(m.species, cluster.species[a]);
        if (idx[a] >= m.species.size())
            throw InputError(fmt::format("mapped surrogate: species {} is not one the model was trained for",
                                         symbol(cluster.species[a])));
    }
    Prediction p;
    p.energy = element_energy_sum(cluster, m.species, m.element_energies);
    if (mean_forces) *mean_forces = Eigen::Matrix3Xd::Zero(3, n);
    const Index w = features.width();
    VectorXd s = VectorXd::Zero(features.dim());
    std::vector<double> f(static_cast<std::size_t>(w)), df(f.size());
    double extra = 0.0;  // prior variance of pairs below their table
    const double sf2 = m.hyper.signal * m.hyper.signal, inv_l2 = 1.0 / (m.hyper.length * m.hyper.length);
    struct PairRecord {
        int i, j;
        std::size_t t;
        double r;
        Eigen::Vector3d u;
    };
    std::vector<PairRecord> pairs;
    const CellGrid grid(cluster.positions, m.basis.sw.rc);
    grid.for_each_pair([&](int i, int j, const Eigen::Vector3d& d, double r) {
        const std::size_t t = m.types.index(idx[static_cast<std::size_t>(i)], idx[static_cast<std::size_t>(j)]);
        double v = 0.0, dv = 0.0;
        extra += eval_pair(m, features, t, r, v, dv, f.data(), &below);
        p.energy += v;
        s.segment(features.offset(t), w) += Eigen::Map<const VectorXd>(f.data(), w);
        const Eigen::Vector3d u = d / r;
        if (mean_forces) {
            mean_forces->col(i) += dv * u;
            mean_forces->col(j) -= dv * u;
        }
        if (sigma_gradient) pairs.push_back({i, j, t, r, u});
    });
    const double latent = std::max(features.latent(s), 0.0) + extra;
    p.variance = m.calibration * (latent + m.noise2 * static_cast<double>(n));
    if (sigma_gradient) {
        *sigma_gradient = Eigen::Matrix3Xd::Zero(3, n);
        const VectorXd g = features.latent_gradient(s);
        // d sigma / d r = alpha^2 / (2 sigma) d latent / d r.
        const double scale = m.calibration / (2.0 * p.sigma());
        for (const auto& pr : pairs) {
            const double lo = m.start[pr.t];
            double dlat = 0.0;
            if (pr.r >= lo) {
                double v = 0.0, dv = 0.0;
                features.eval(pr.t, pr.r, v, dv, f.data(), df.data());
                dlat = 2.0 * g.segment(features.offset(pr.t), w).dot(Eigen::Map<const VectorXd>(df.data(), w));
            } else {
                const double delta = lo - pr.r;
                dlat = -sf2 * std::exp(-0.5 * delta * delta * inv_l2) * delta * inv_l2;
            }
            const Eigen::Vector3d step = scale * dlat * pr.u;
            sigma_gradient->col(pr.j) += step;
            sigma_gradient->col(pr.i) -= step;
        }
    }
    return p;
}

}  // namespace

namespace {

// The tabulated model as global sums (PairSumModel): T^0 the mean (element energies as one-body
// terms, the mean pair functions), T^k for k = 1..K the variance modes, T^(K+1) the prior
// variance of pairs below their table, T^(K+2) the atom count; the variance is then
// alpha^2 (max(sum_k (T^k)^2, 0) + T^(K+1) + sigma_n^2 T^(K+2)), term for term what
// predict_pairs computes.
class MappedSums final : public PairSumModel {
public:
    MappedSums(const MappedGp::Model& model, const std::vector<Species>& species, std::function<void(double, double)> below)
        : model_(model), species_(species), k_(model.modes.cols()), calibration_(model.calibration), noise2_(model.noise2),
          cutoff_(model.basis.sw.rc), below_(std::move(below)) {
        for (Species z : species_) {
            const std::size_t i = species_index(model.species, z);
            if (i >= model.species.size())
                throw InputError(fmt::format("mapped surrogate: species {} is not one the model was trained for", symbol(z)));
            index_.push_back(i);
        }
    }
    [[nodiscard]] const std::vector<Species>& species() const override { return species_; }
    [[nodiscard]] int channels() const override { return static_cast<int>(k_) + 3; }
    [[nodiscard]] double range() const override { return cutoff_; }
    void pair_terms(int a, int b, double r, double* out) const override {
        std::fill(out, out + channels(), 0.0);
        if (!(r < cutoff_)) return;
        const std::size_t t = model_.types.index(index_[static_cast<std::size_t>(a)], index_[static_cast<std::size_t>(b)]);
        double v = 0.0, dv = 0.0;
        out[k_ + 1] = eval_pair(model_, TableFeatures{model_}, t, r, v, dv, out + 1, &below_);
        out[0] = v;
    }
    void atom_terms(int a, double* out) const override {
        std::fill(out, out + channels(), 0.0);
        out[0] = model_.element_energies[static_cast<Index>(index_[static_cast<std::size_t>(a)])];
        out[k_ + 2] = 1.0;
    }
    [[nodiscard]] Prediction prediction(const double* sums) const override {
        double modes = 0.0;
        for (Index k = 1; k <= k_; ++k) modes += sums[k] * sums[k];
        Prediction p;
        p.energy = sums[0];
        p.variance = calibration_ * (std::max(modes, 0.0) + sums[k_ + 1] + noise2_ * sums[k_ + 2]);
        return p;
    }

private:
    const MappedGp::Model& model_;  // read by pair_terms() only (tabulation)
    std::vector<Species> species_;
    std::vector<std::size_t> index_;  // the model's species index of each form type
    Index k_;
    double calibration_, noise2_, cutoff_;
    std::function<void(double, double)> below_;
};

}  // namespace

std::unique_ptr<PairSumModel> MappedGp::pair_sum_model(const std::vector<Species>& species) const {
    // Without tables the prediction is the GP's own quadratic form, not a sum of squares.
    if (!model_ || !settings_.tabulate) return nullptr;
    return std::make_unique<MappedSums>(*model_, species, [this](double r, double lo) { note_below_grid(r, lo); });
}

Prediction MappedGp::predict(const Cluster& cluster, Eigen::Matrix3Xd* mean_forces,
                             Eigen::Matrix3Xd* sigma_gradient) const {
    if (!settings_.tabulate) return predict_gp(cluster, mean_forces, sigma_gradient);
    if (!model_) throw Error("mapped: the model is not trained yet (fit it before predicting)");
    return predict_pairs(*model_, TableFeatures{*model_}, cluster, mean_forces, sigma_gradient,
                         [this](double r, double lo) { note_below_grid(r, lo); });
}

Prediction MappedGp::predict_gp(const Cluster& cluster, Eigen::Matrix3Xd* mean_forces,
                                Eigen::Matrix3Xd* sigma_gradient) const {
    if (!model_) throw Error("mapped: the model is not trained yet (fit it before predicting)");
    return predict_pairs(*model_, ExactFeatures{*model_, {}, {}}, cluster, mean_forces, sigma_gradient,
                         [this](double r, double lo) { note_below_grid(r, lo); });
}

double MappedGp::pair_energy(Species a, Species b, double r, double* slope) const {
    if (!model_) throw Error("mapped: the model is not trained yet (fit it before predicting)");
    const auto ia = species_index(species_, a), ib = species_index(species_, b);
    if (ia >= species_.size() || ib >= species_.size())
        throw InputError(fmt::format("mapped surrogate: no table for the pair {}-{}", symbol(a), symbol(b)));
    const std::size_t t = model_->types.index(ia, ib);
    double v = 0.0, dv = 0.0;
    if (r >= settings_.cutoff) {
        if (slope) *slope = 0.0;
        return 0.0;
    }
    const TableFeatures features{*model_};
    std::vector<double> f(static_cast<std::size_t>(features.width()));
    (void)eval_pair(*model_, features, t, r, v, dv, f.data(), nullptr);
    if (slope) *slope = dv;
    return v;
}

double MappedGp::table_start(Species a, Species b) const {
    if (!model_) throw Error("mapped: the model is not trained yet");
    return model_->start[model_->types.index(species_index(species_, a), species_index(species_, b))];
}

ParameterTable MappedGp::settings() const {
    ParameterTable t = common_;
    t.set("type", ParameterValue::of("mapped"));
    t.set("descriptor", descriptor_->settings().value());
    const auto& s = settings_;
    t.set("cutoff", ParameterValue::of(s.cutoff));
    t.set("cutoff_width", ParameterValue::of(s.cutoff_width));
    t.set("r_min", ParameterValue::of(s.r_min));
    t.set("inducing_spacing", ParameterValue::of(s.inducing_spacing));
    t.set("signal", ParameterValue::of(s.signal));
    t.set("noise", ParameterValue::of(s.noise));
    t.set("force_noise", ParameterValue::of(s.force_noise));
    t.set("length_scale", ParameterValue::of(s.length_scale));
    t.set("optimize", ParameterValue::of(s.optimize));
    t.set("use_forces", ParameterValue::of(s.use_forces));
    t.set("grid_error", ParameterValue::of(s.grid_error));
    t.set("variance_tolerance", ParameterValue::of(s.variance_tolerance));
    t.set("max_components", ParameterValue::of(s.max_components));
    t.set("validation_fraction", ParameterValue::of(s.validation_fraction));
    t.set("wall", ParameterValue::of(s.wall));
    t.set("tabulate", ParameterValue::of(s.tabulate));
    return t;
}

void MappedGp::save_state(std::ostream& out) const {
    if (!model_) throw Error("mapped: cannot save an untrained model");
    const auto& m = *model_;
    write_state_scalar(out, "training_size", static_cast<double>(training_.size()));
    write_state_matrix(out, "hyperparameters",
                       (Eigen::Vector4d() << m.hyper.signal, m.hyper.noise, m.hyper.force_noise, m.hyper.length).finished());
    write_state_matrix(out, "basis", (Eigen::Vector3d() << m.basis.u0, m.basis.du, static_cast<double>(m.basis.m)).finished());
    write_state_scalar(out, "calibration", m.calibration);
    write_state_scalar(out, "retained", m.retained);
    write_state_matrix(out, "element_energies", m.element_energies);
    write_state_matrix(out, "table_starts", Eigen::Map<const VectorXd>(m.start.data(), static_cast<Index>(m.start.size())));
    write_state_matrix(out, "mean", m.mean);
    write_state_matrix(out, "covariance", m.covariance);
    write_state_matrix(out, "modes", m.modes);
    // The training structures, forces included, so update() can continue.
    write_state_samples(out, training_);
}

void MappedGp::load_state(std::istream& in, const std::string& name) {
    auto model = std::make_unique<Model>();
    model->species = species_;
    model->types.species = species_.size();
    model->basis.sw = Switch{settings_.cutoff, settings_.cutoff_width};
    model->wall = settings_.wall;
    const auto n_types = static_cast<Index>(model->types.count());
    const double n_train = read_state_scalar(in, name, "training_size");
    const MatrixXd hyper = read_state_matrix(in, name, "hyperparameters", 4, 1);
    model->hyper = {hyper(0), hyper(1), hyper(2), hyper(3)};
    const MatrixXd basis = read_state_matrix(in, name, "basis", 3, 1);
    model->basis.u0 = basis(0);
    model->basis.du = basis(1);
    model->basis.m = static_cast<Index>(basis(2));
    if (model->basis.m < 2 || model->basis.m > 100000 || !(model->basis.du > 0) || !(hyper.minCoeff() > 0))
        throw InputError(fmt::format("{}: mapped model state: the basis or hyperparameters are out of range (damaged file?)", name));
    model->basis.set_length(hyper(3));
    model->calibration = read_state_scalar(in, name, "calibration");
    model->retained = read_state_scalar(in, name, "retained");
    model->element_energies = read_state_matrix(in, name, "element_energies", static_cast<Index>(species_.size()), 1);
    const MatrixXd starts = read_state_matrix(in, name, "table_starts", n_types, 1);
    model->start.assign(starts.data(), starts.data() + starts.size());
    const Index p = n_types * model->basis.width();
    model->mean = read_state_matrix(in, name, "mean", p, 1);
    model->covariance = read_state_matrix(in, name, "covariance", p, p);
    model->modes = read_state_matrix(in, name, "modes", p);
    model->noise2 = model->hyper.noise * model->hyper.noise;
    std::vector<Sample> training = read_state_samples(in, name, static_cast<std::size_t>(n_train));
    check_samples(training, species_);
    // The tables are a pure function of the weights and grid: rebuilt, bit-identical to the saved model's.
    tabulate(*model, settings_.grid_error);
    training_ = std::move(training);
    model_ = std::move(model);
}

std::string lammps_pair_table(const MappedGp& model, int points, double r_inner, const std::string& source) {
    if (!model.ready()) throw Error("mapped: the model is not trained yet");
    const auto& species = model.species();
    const double rc = model.mapped_settings().cutoff;
    if (!(r_inner > 0 && r_inner < rc) || points < 2)
        throw InputError(fmt::format("pair table: the inner distance must be in (0, {:g}) A and points >= 2", rc));
    std::string text = fmt::format("# nanoscape mapped 2-body model {}: pair energies (eV) and forces -dphi/dr (eV/A)\n"
                                   "# {}\n# element energies e_Z (add sum_Z n_Z e_Z to LAMMPS' pair energy):",
                                   source, model.description());
    const auto e = model.element_energies();
    for (std::size_t z = 0; z < species.size(); ++z) text += fmt::format(" {} {:.17g}", symbol(species[z]), e[z]);
    text += "\n";
    for (std::size_t a = 0; a < species.size(); ++a)
        for (std::size_t b = a; b < species.size(); ++b) {
            text += fmt::format("\n{}_{}\nN {} R {:.17g} {:.17g}\n\n", symbol(species[a]), symbol(species[b]), points,
                                r_inner, rc);
            for (int k = 0; k < points; ++k) {
                const double r = r_inner + (rc - r_inner) * k / (points - 1);
                double slope = 0.0;
                const double phi = model.pair_energy(species[a], species[b], r, &slope);
                text += fmt::format("{} {:.17g} {:.17g} {:.17g}\n", k + 1, r, phi, -slope);
            }
        }
    return text;
}

std::unique_ptr<Surrogate> make_mapped(const ParameterTable& table, const std::vector<Species>& species) {
    ParameterTable common = check_surrogate_keys(
        table, {"cutoff", "cutoff_width", "r_min", "inducing_spacing", "signal", "noise", "force_noise", "length_scale",
                "optimize", "use_forces", "grid_error", "variance_tolerance", "max_components", "validation_fraction",
                "wall", "tabulate"});
    MappedSettings s;
    s.cutoff = table.get_real("cutoff", s.cutoff);
    if (!(s.cutoff > 0.5 && s.cutoff <= 20)) throw table.error("cutoff", "must be in (0.5, 20] Angstrom");
    s.cutoff_width = table.get_real("cutoff_width", s.cutoff_width);
    if (!(s.cutoff_width > 0 && s.cutoff_width < s.cutoff))
        throw table.error("cutoff_width", fmt::format("must be in (0, cutoff = {:g}) Angstrom", s.cutoff));
    s.r_min = table.get_real("r_min", s.r_min);
    if (!(s.r_min >= 0 && s.r_min < s.cutoff - 0.2))
        throw table.error("r_min", "must be 0 (the shortest training distance) or a distance below cutoff - 0.2 A");
    s.inducing_spacing = table.get_real("inducing_spacing", s.inducing_spacing);
    if (!(s.inducing_spacing >= 0.01 && s.inducing_spacing <= 1.0))
        throw table.error("inducing_spacing", "must be in [0.01, 1] Angstrom");
    for (const char* k : {"signal", "noise", "force_noise", "length_scale"})
        if (!(table.get_real(k, 0.0) >= 0)) throw table.error(k, "must be >= 0 (0: fitted from the data)");
    s.signal = table.get_real("signal", s.signal);
    s.noise = table.get_real("noise", s.noise);
    s.force_noise = table.get_real("force_noise", s.force_noise);
    s.length_scale = table.get_real("length_scale", s.length_scale);
    if (s.length_scale > 0 && s.length_scale < s.inducing_spacing)
        throw table.error("length_scale", fmt::format("must be at least inducing_spacing ({:g} A), or the sparse "
                                                      "basis cannot represent the functions",
                                                      s.inducing_spacing));
    s.optimize = table.get_bool("optimize", s.optimize);
    s.use_forces = table.get_bool("use_forces", s.use_forces);
    s.grid_error = table.get_real("grid_error", s.grid_error);
    if (!(s.grid_error >= 1e-12 && s.grid_error <= 1e-2)) throw table.error("grid_error", "must be in [1e-12, 1e-2] eV");
    s.variance_tolerance = table.get_real("variance_tolerance", s.variance_tolerance);
    if (!(s.variance_tolerance >= 0 && s.variance_tolerance < 1)) throw table.error("variance_tolerance", "must be in [0, 1)");
    s.max_components = table.get_integer_in("max_components", s.max_components, 1, 4096);
    s.validation_fraction = table.get_real("validation_fraction", s.validation_fraction);
    if (!(s.validation_fraction >= 0 && s.validation_fraction <= 0.5))
        throw table.error("validation_fraction", "must be in [0, 0.5] (0: no calibration)");
    s.wall = table.get_real("wall", s.wall);
    if (!(s.wall >= 0)) throw table.error("wall", "must be >= 0 eV/A^3");
    s.tabulate = table.get_bool("tabulate", s.tabulate);
    ParameterTable descriptor = table.get_table("descriptor");
    auto desc = create_descriptor(descriptor, species, "nbody");
    return std::make_unique<MappedGp>(std::move(s), std::move(desc), species, std::move(common));
}

}  // namespace nanoscape
