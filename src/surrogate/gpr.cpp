#include "nanoscape/surrogate/gpr.hpp"

#include <algorithm>
#include <cmath>
#include <istream>
#include <limits>
#include <numbers>
#include <ostream>
#include <utility>

#include <Eigen/Cholesky>
#include <Eigen/Dense>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nanoscape/core/error.hpp"
#include "nanoscape/surrogate/nelder_mead.hpp"
#include "nanoscape/surrogate/state_io.hpp"
#include "nanoscape/surrogate/training.hpp"

namespace nanoscape {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

enum class KernelKind { soap, squared_exponential, nbody };

const std::vector<std::string>& kernel_names() {
    static const std::vector<std::string> names{"soap", "squared_exponential", "nbody"};
    return names;
}

// The local kernel k(G, G') with unit signal variance, evaluated in transformed coordinates
// u = T(G): unit vectors for soap, standardised features for squared_exponential, the raw
// features for nbody. Working in u keeps every kernel a function of u.v (or |u - v|) so the
// Gram blocks are single GEMMs.
struct LocalKernel {
    KernelKind kind = KernelKind::soap;
    int zeta = 2;
    double length = 1.0;
    VectorXd scale;  // squared_exponential: per-feature standard deviation of the training set

    [[nodiscard]] MatrixXd transform(const MatrixXd& g, VectorXd& norms) const {
        MatrixXd u = g;
        norms = g.colwise().norm().transpose();
        switch (kind) {
        case KernelKind::soap:
            for (Index i = 0; i < u.cols(); ++i)
                u.col(i) = norms(i) > 1e-300 ? VectorXd(g.col(i) / norms(i)) : VectorXd::Zero(g.rows());
            break;
        case KernelKind::squared_exponential:
            u = g.array().colwise() / scale.array();
            break;
        case KernelKind::nbody:
            break;
        }
        return u;
    }

    [[nodiscard]] MatrixXd matrix(const MatrixXd& u, const MatrixXd& v) const {
        MatrixXd t = u.transpose() * v;
        switch (kind) {
        case KernelKind::soap:
            return t.unaryExpr([this](double x) { return std::pow(x, zeta); });
        case KernelKind::squared_exponential: {
            const VectorXd uu = u.colwise().squaredNorm().transpose();
            const Eigen::RowVectorXd vv = v.colwise().squaredNorm();
            const double inv = 1.0 / (2.0 * length * length);
            for (Index j = 0; j < t.cols(); ++j)
                for (Index i = 0; i < t.rows(); ++i)
                    t(i, j) = std::exp(-std::max(uu(i) + vv(j) - 2.0 * t(i, j), 0.0) * inv);
            return t;
        }
        case KernelKind::nbody:
            return t;
        }
        return t;
    }

    // dL/du_i for L = sum_{i,b} coeff(i, b) k(u_i, v_b): F x N_u.
    [[nodiscard]] MatrixXd gradient(const MatrixXd& u, const MatrixXd& v, const MatrixXd& coeff) const {
        switch (kind) {
        case KernelKind::soap: {
            const MatrixXd t = u.transpose() * v;
            const MatrixXd m = coeff.cwiseProduct(
                t.unaryExpr([this](double x) { return static_cast<double>(zeta) * std::pow(x, zeta - 1); }));
            return v * m.transpose();
        }
        case KernelKind::squared_exponential: {
            const MatrixXd m = coeff.cwiseProduct(matrix(u, v));
            MatrixXd g = v * m.transpose();
            const VectorXd rows = m.rowwise().sum();
            for (Index i = 0; i < g.cols(); ++i) g.col(i) -= rows(i) * u.col(i);
            return g / (length * length);
        }
        case KernelKind::nbody:
            return v * coeff.transpose();
        }
        return {};
    }

    // Chain rule from dL/du to dL/dG.
    [[nodiscard]] MatrixXd chain(const MatrixXd& gu, const MatrixXd& u, const VectorXd& norms) const {
        switch (kind) {
        case KernelKind::soap: {
            // u = G/|G|: du/dG = (I - u u^T)/|G|.
            MatrixXd g(gu.rows(), gu.cols());
            for (Index i = 0; i < gu.cols(); ++i)
                g.col(i) = norms(i) > 1e-300 ? VectorXd((gu.col(i) - u.col(i).dot(gu.col(i)) * u.col(i)) / norms(i))
                                             : VectorXd::Zero(gu.rows());
            return g;
        }
        case KernelKind::squared_exponential:
            return gu.array().colwise() / scale.array();
        case KernelKind::nbody:
            return gu;
        }
        return gu;
    }
};

// The kernel the settings name (validated by make_gpr), before any fitted length or scale.
LocalKernel make_kernel(const GprSettings& settings) {
    LocalKernel kernel;
    kernel.kind = static_cast<KernelKind>(
        std::find(kernel_names().begin(), kernel_names().end(), settings.kernel) - kernel_names().begin());
    kernel.zeta = static_cast<int>(settings.zeta);
    return kernel;
}

// Cholesky of `a` with jitter relative to its mean diagonal, raised tenfold until it works.
Eigen::LLT<MatrixXd> robust_cholesky(const MatrixXd& a, double jitter, const char* what) {
    const double scale = a.rows() > 0 ? std::max(a.diagonal().mean(), 1e-300) : 1.0;
    for (double j = jitter; j <= 1e-2; j *= 10.0) {
        MatrixXd b = a;
        b.diagonal().array() += j * scale;
        Eigen::LLT<MatrixXd> llt(b);
        if (llt.info() == Eigen::Success && llt.matrixLLT().diagonal().allFinite()) return llt;
    }
    throw Error(fmt::format("gpr: the {} matrix is not positive definite even with 1e-2 relative jitter; "
                            "the training data are degenerate (duplicate structures with different energies, "
                            "or a descriptor that cannot tell the structures apart)",
                            what));
}

// Farthest-point sampling of `count` columns of u (Euclidean), starting from column 0:
// deterministic, and spreads the inducing environments over the data.
std::vector<Index> farthest_points(const MatrixXd& u, Index count) {
    const Index n = u.cols();
    std::vector<Index> picked;
    if (count >= n) {
        for (Index i = 0; i < n; ++i) picked.push_back(i);
        return picked;
    }
    VectorXd dist = VectorXd::Constant(n, std::numeric_limits<double>::infinity());
    Index next = 0;
    for (Index k = 0; k < count; ++k) {
        picked.push_back(next);
        const VectorXd d = (u.colwise() - u.col(next)).colwise().squaredNorm().transpose();
        dist = dist.cwiseMin(d);
        dist.maxCoeff(&next);
    }
    std::sort(picked.begin(), picked.end());
    return picked;
}

}  // namespace

struct GaussianProcess::Model {
    LocalKernel kernel;
    VectorXd element_energies;
    std::vector<MatrixXd> basis;  // per species index: F x B_s transformed basis environments
    std::vector<Index> offset;    // start of each species' block in w and C
    VectorXd w;
    MatrixXd c;
    double signal2 = 1.0;
    double noise2 = 1e-6;
};

GaussianProcess::GaussianProcess(GprSettings settings, std::unique_ptr<Descriptor> descriptor,
                                 std::vector<Species> species, ParameterTable common)
    : settings_(std::move(settings)), descriptor_(std::move(descriptor)), species_(std::move(species)),
      common_(std::move(common)) {}

GaussianProcess::~GaussianProcess() = default;

bool GaussianProcess::ready() const { return model_ != nullptr; }

std::string GaussianProcess::description() const {
    std::string basis = "untrained";
    if (model_) {
        Index b = 0;
        for (const auto& m : model_->basis) b += m.cols();
        basis = fmt::format("{} training structures, {} basis environments", training_.size(), b);
    }
    std::string kernel = settings_.kernel;
    if (settings_.kernel == "soap") kernel = fmt::format("soap, zeta = {}", settings_.zeta);
    if (settings_.kernel == "squared_exponential")
        kernel = fmt::format("squared exponential, l = {:.4g}", settings_.length_scale);
    return fmt::format("gpr ({}; sigma_f = {:.4g} eV, sigma_n = {:.4g} eV/sqrt(atom); {}) on {}", kernel,
                       settings_.signal, settings_.noise, basis, descriptor_->description());
}

void GaussianProcess::fit(std::span<const Sample> samples) {
    check_samples(samples, descriptor_->species());
    training_.assign(samples.begin(), samples.end());
    train(settings_.optimize);
}

void GaussianProcess::update(std::span<const Sample> samples) {
    if (!model_) {
        fit(samples);
        return;
    }
    check_samples(samples, descriptor_->species());
    training_.insert(training_.end(), samples.begin(), samples.end());
    train(false);
}

void GaussianProcess::train(bool optimise) {
    const auto& species = descriptor_->species();
    const auto n_species = species.size();
    const auto n = static_cast<Index>(training_.size());
    const auto features = compute_features(*descriptor_, training_);
    const Index f = features.front().rows();

    auto model = std::make_unique<Model>();
    model->kernel = make_kernel(settings_);

    // Prior mean and the residual energies the GP models.
    if (settings_.prior == "per_element") {
        model->element_energies = fit_element_energies(training_, species);
    } else if (settings_.prior == "constant") {
        double total = 0.0;
        double atoms = 0.0;
        for (const auto& s : training_) {
            total += s.energy;
            atoms += static_cast<double>(s.cluster.size());
        }
        model->element_energies = VectorXd::Constant(static_cast<Index>(n_species), total / atoms);
    } else {
        model->element_energies = VectorXd::Zero(static_cast<Index>(n_species));
    }
    VectorXd y(n);
    VectorXd atoms(n);
    for (Index s = 0; s < n; ++s) {
        const auto& sample = training_[static_cast<std::size_t>(s)];
        y(s) = sample.energy - element_energy_sum(sample.cluster, species, model->element_energies);
        atoms(s) = static_cast<double>(sample.cluster.size());
    }

    // Environments grouped by centre species, with the structure each belongs to.
    std::vector<std::vector<std::pair<Index, Index>>> envs(n_species);  // (structure, atom)
    Index n_env = 0;
    for (Index s = 0; s < n; ++s) {
        const auto& cl = training_[static_cast<std::size_t>(s)].cluster;
        for (std::size_t a = 0; a < cl.size(); ++a) {
            const auto z = static_cast<std::size_t>(std::find(species.begin(), species.end(), cl.species[a]) -
                                                    species.begin());
            envs[z].emplace_back(s, static_cast<Index>(a));
            ++n_env;
        }
    }
    std::vector<MatrixXd> raw(n_species);
    for (std::size_t z = 0; z < n_species; ++z) {
        raw[z].resize(f, static_cast<Index>(envs[z].size()));
        for (std::size_t e = 0; e < envs[z].size(); ++e)
            raw[z].col(static_cast<Index>(e)) =
                features[static_cast<std::size_t>(envs[z][e].first)].col(envs[z][e].second);
    }
    if (model->kernel.kind == KernelKind::squared_exponential) {
        MatrixXd all(f, n_env);
        Index c = 0;
        for (const auto& r : raw) {
            all.middleCols(c, r.cols()) = r;
            c += r.cols();
        }
        const VectorXd mean = all.rowwise().mean();
        model->kernel.scale = ((all.colwise() - mean).rowwise().squaredNorm() / static_cast<double>(n_env))
                                  .cwiseSqrt()
                                  .unaryExpr([](double s) { return s > 1e-12 ? s : 1.0; });
    }

    // Basis environments: all (exact) or M by farthest-point sampling, split over species in
    // proportion to their environment counts.
    Index m_total = settings_.sparse_points;
    if (m_total < 0) m_total = n_env <= 2000 ? 0 : 1500;
    const bool exact = m_total == 0;
    m_total = std::min(m_total, n_env);
    std::vector<VectorXd> norms(n_species);
    std::vector<MatrixXd> u(n_species);
    std::vector<std::vector<Index>> chosen(n_species);
    model->offset.assign(n_species + 1, 0);
    for (std::size_t z = 0; z < n_species; ++z) {
        u[z] = model->kernel.transform(raw[z], norms[z]);
        const Index count = exact ? u[z].cols()
                                  : std::clamp<Index>(static_cast<Index>(std::llround(
                                                          static_cast<double>(m_total) * static_cast<double>(u[z].cols()) /
                                                          static_cast<double>(n_env))),
                                                      std::min<Index>(1, u[z].cols()), u[z].cols());
        chosen[z] = farthest_points(u[z], count);
        model->offset[z + 1] = model->offset[z] + static_cast<Index>(chosen[z].size());
    }
    const Index b_total = model->offset[n_species];
    model->basis.resize(n_species);
    for (std::size_t z = 0; z < n_species; ++z) {
        model->basis[z].resize(f, static_cast<Index>(chosen[z].size()));
        for (std::size_t k = 0; k < chosen[z].size(); ++k) model->basis[z].col(static_cast<Index>(k)) = u[z].col(chosen[z][k]);
    }

    // For a given kernel: R (n x B) and S0 = R K_bb R^T (unit signal).
    MatrixXd r_matrix;
    MatrixXd s0;
    const auto build = [&]() {
        MatrixXd k_nb = MatrixXd::Zero(n, b_total);
        MatrixXd k_bb = MatrixXd::Zero(b_total, b_total);
        for (std::size_t z = 0; z < n_species; ++z) {
            if (model->basis[z].cols() == 0) continue;
            const MatrixXd k_eb = model->kernel.matrix(u[z], model->basis[z]);
            for (std::size_t e = 0; e < envs[z].size(); ++e)
                k_nb.row(envs[z][e].first).segment(model->offset[z], model->basis[z].cols()) +=
                    k_eb.row(static_cast<Index>(e));
            k_bb.block(model->offset[z], model->offset[z], model->basis[z].cols(), model->basis[z].cols()) =
                model->kernel.matrix(model->basis[z], model->basis[z]);
        }
        if (exact) {
            // Basis = all environments in species order: R = L sums them into structures.
            r_matrix = MatrixXd::Zero(n, b_total);
            for (std::size_t z = 0; z < n_species; ++z)
                for (std::size_t e = 0; e < envs[z].size(); ++e)
                    r_matrix(envs[z][e].first, model->offset[z] + static_cast<Index>(e)) = 1.0;
            s0 = k_nb * r_matrix.transpose();
        } else {
            const auto llt = robust_cholesky(k_bb, settings_.jitter, "inducing-point kernel");
            r_matrix = llt.solve(k_nb.transpose()).transpose();
            s0 = r_matrix * k_nb.transpose();
        }
        s0 = 0.5 * (s0 + s0.transpose());
    };

    const auto log_likelihood = [&](double signal2, double noise2, Eigen::LLT<MatrixXd>* out) {
        MatrixXd k = signal2 * s0;
        k.diagonal() += noise2 * atoms;
        Eigen::LLT<MatrixXd> llt(k);
        if (llt.info() != Eigen::Success) return -std::numeric_limits<double>::infinity();
        const VectorXd alpha = llt.solve(y);
        const double value = -0.5 * y.dot(alpha) - llt.matrixLLT().diagonal().array().log().sum() -
                             0.5 * static_cast<double>(n) * std::log(2.0 * std::numbers::pi);
        if (out) *out = std::move(llt);
        return std::isfinite(value) ? value : -std::numeric_limits<double>::infinity();
    };

    const bool se = model->kernel.kind == KernelKind::squared_exponential;
    double length = settings_.length_scale > 0 ? settings_.length_scale : 3.0;
    model->kernel.length = length;
    build();
    double signal = settings_.signal;
    double noise = settings_.noise > 0 ? settings_.noise : 1e-3;
    if (signal <= 0) {
        const double mean_diag = std::max(s0.diagonal().mean(), 1e-300);
        signal = std::sqrt(std::max(y.squaredNorm() / static_cast<double>(n), 1e-12) / mean_diag);
    }
    if (optimise) {
        // Hyperparameters in log space, bounded so that a flat likelihood cannot run away.
        const auto clamp_log = [](double x, double lo, double hi) { return std::clamp(x, std::log(lo), std::log(hi)); };
        std::vector<double> x0{std::log(signal), std::log(noise)};
        if (se && settings_.length_scale <= 0) x0.push_back(std::log(length));
        double built_length = length;
        const auto objective = [&](const std::vector<double>& x) {
            const double sf = std::exp(clamp_log(x[0], 1e-8, 1e4));
            const double sn = std::exp(clamp_log(x[1], 1e-5, 10.0));
            if (x.size() > 2) {
                const double l = std::exp(clamp_log(x[2], 0.05, 1e3));
                if (l != built_length) {
                    model->kernel.length = l;
                    build();
                    built_length = l;
                }
            }
            const double v = log_likelihood(sf * sf, sn * sn, nullptr);
            return std::isfinite(v) ? -v : std::numeric_limits<double>::max();
        };
        const auto best = nelder_mead(objective, x0, 1.0, x0.size() > 2 ? 120 : 200, 1e-6);
        signal = std::exp(clamp_log(best[0], 1e-8, 1e4));
        noise = std::exp(clamp_log(best[1], 1e-5, 10.0));
        if (best.size() > 2) length = std::exp(clamp_log(best[2], 0.05, 1e3));
        if (length != built_length || model->kernel.length != length) {
            model->kernel.length = length;
            build();
        }
    }
    model->signal2 = signal * signal;
    model->noise2 = noise * noise;

    Eigen::LLT<MatrixXd> llt;
    double value = log_likelihood(model->signal2, model->noise2, &llt);
    if (!std::isfinite(value)) {
        MatrixXd k = model->signal2 * s0;
        k.diagonal() += model->noise2 * atoms;
        llt = robust_cholesky(k, settings_.jitter, "training covariance");
        value = std::numeric_limits<double>::quiet_NaN();
    }
    model->w = model->signal2 * r_matrix.transpose() * llt.solve(y);
    model->c = (model->signal2 * model->signal2) * r_matrix.transpose() * llt.solve(r_matrix);
    if (!model->w.allFinite() || !model->c.allFinite())
        throw Error("gpr: training produced non-finite weights; check the training energies");

    settings_.signal = signal;
    settings_.noise = noise;
    if (se) settings_.length_scale = length;
    log_likelihood_ = value;
    model_ = std::move(model);
}

Prediction GaussianProcess::predict(const Cluster& cluster, Eigen::Matrix3Xd* mean_forces,
                                    Eigen::Matrix3Xd* sigma_gradient) const {
    if (!model_) throw Error("gpr: the model is not trained yet (fit it before predicting)");
    const auto& m = *model_;
    const auto& species = descriptor_->species();
    const bool gradients = mean_forces != nullptr || sigma_gradient != nullptr;
    MatrixXd g;
    std::vector<DescriptorJacobian> jacobians;
    descriptor_->compute(cluster, g, gradients ? &jacobians : nullptr);
    const auto n_atoms = static_cast<Index>(cluster.size());

    Prediction p;
    p.energy = element_energy_sum(cluster, species, m.element_energies);
    VectorXd kb = VectorXd::Zero(m.w.size());
    double kss = 0.0;
    struct Block {
        std::vector<Index> atoms;
        MatrixXd u;
        VectorXd norms;
    };
    std::vector<Block> blocks(species.size());
    for (std::size_t z = 0; z < species.size(); ++z) {
        auto& blk = blocks[z];
        for (Index i = 0; i < n_atoms; ++i)
            if (cluster.species[static_cast<std::size_t>(i)] == species[z]) blk.atoms.push_back(i);
        if (blk.atoms.empty()) continue;
        MatrixXd gz(g.rows(), static_cast<Index>(blk.atoms.size()));
        for (std::size_t k = 0; k < blk.atoms.size(); ++k) gz.col(static_cast<Index>(k)) = g.col(blk.atoms[k]);
        blk.u = m.kernel.transform(gz, blk.norms);
        if (m.basis[z].cols() > 0)
            kb.segment(m.offset[z], m.basis[z].cols()) = m.kernel.matrix(blk.u, m.basis[z]).colwise().sum().transpose();
        kss += m.kernel.matrix(blk.u, blk.u).sum();
    }
    p.energy += kb.dot(m.w);
    const VectorXd ckb = m.c * kb;
    const double latent = std::max(m.signal2 * kss - kb.dot(ckb), 0.0);
    p.variance = latent + m.noise2 * static_cast<double>(n_atoms);

    if (gradients) {
        MatrixXd d_mean = MatrixXd::Zero(g.rows(), n_atoms);
        MatrixXd d_var = MatrixXd::Zero(g.rows(), n_atoms);
        for (std::size_t z = 0; z < species.size(); ++z) {
            const auto& blk = blocks[z];
            if (blk.atoms.empty()) continue;
            const auto na = static_cast<Index>(blk.atoms.size());
            const Index nb = m.basis[z].cols();
            MatrixXd gm = MatrixXd::Zero(g.rows(), na);
            MatrixXd gv = MatrixXd::Zero(g.rows(), na);
            if (nb > 0) {
                const MatrixXd cm = m.w.segment(m.offset[z], nb).transpose().replicate(na, 1);
                gm = m.kernel.gradient(blk.u, m.basis[z], cm);
                const MatrixXd cv = (-2.0 * ckb.segment(m.offset[z], nb)).transpose().replicate(na, 1);
                gv = m.kernel.gradient(blk.u, m.basis[z], cv);
            }
            // d/dG_i sum_ab k(G_a, G_b) = 2 sum_b dk(G_i, G_b)/dG_i for a symmetric kernel.
            gv += m.kernel.gradient(blk.u, blk.u, MatrixXd::Constant(na, na, 2.0 * m.signal2));
            const MatrixXd cgm = m.kernel.chain(gm, blk.u, blk.norms);
            const MatrixXd cgv = m.kernel.chain(gv, blk.u, blk.norms);
            for (Index k = 0; k < na; ++k) {
                d_mean.col(blk.atoms[static_cast<std::size_t>(k)]) = cgm.col(k);
                d_var.col(blk.atoms[static_cast<std::size_t>(k)]) = cgv.col(k);
            }
        }
        if (mean_forces) {
            Eigen::Matrix3Xd grad = Eigen::Matrix3Xd::Zero(3, n_atoms);
            backpropagate(jacobians, d_mean, grad);
            *mean_forces = -grad;
        }
        if (sigma_gradient) {
            Eigen::Matrix3Xd grad = Eigen::Matrix3Xd::Zero(3, n_atoms);
            if (latent > 0.0) backpropagate(jacobians, d_var, grad);
            *sigma_gradient = grad / (2.0 * p.sigma());
        }
    }
    return p;
}

ParameterTable GaussianProcess::settings() const {
    ParameterTable t = common_;
    t.set("type", ParameterValue::of("gpr"));
    t.set("descriptor", descriptor_->settings().value());
    t.set("kernel", ParameterValue::of(settings_.kernel));
    t.set("zeta", ParameterValue::of(settings_.zeta));
    t.set("signal", ParameterValue::of(settings_.signal));
    t.set("noise", ParameterValue::of(settings_.noise));
    t.set("length_scale", ParameterValue::of(settings_.length_scale));
    t.set("optimize", ParameterValue::of(settings_.optimize));
    t.set("prior", ParameterValue::of(settings_.prior));
    t.set("sparse_points", ParameterValue::of(settings_.sparse_points));
    t.set("jitter", ParameterValue::of(settings_.jitter));
    return t;
}

void GaussianProcess::save_state(std::ostream& out) const {
    if (!model_) throw Error("gpr: cannot save an untrained model");
    const auto& m = *model_;
    write_state_scalar(out, "training_size", static_cast<double>(training_.size()));
    write_state_scalar(out, "signal2", m.signal2);
    write_state_scalar(out, "noise2", m.noise2);
    write_state_scalar(out, "length", m.kernel.length);
    write_state_matrix(out, "element_energies", m.element_energies);
    write_state_matrix(out, "scale", m.kernel.scale);
    for (std::size_t z = 0; z < m.basis.size(); ++z)
        write_state_matrix(out, fmt::format("basis_{}", symbol(descriptor_->species()[z])), m.basis[z]);
    write_state_matrix(out, "weights", m.w);
    write_state_matrix(out, "variance_matrix", m.c);
    // The training structures so update() can continue.
    write_state_samples(out, training_);
}

void GaussianProcess::load_state(std::istream& in, const std::string& name) {
    auto model = std::make_unique<Model>();
    const auto& species = descriptor_->species();
    model->kernel = make_kernel(settings_);
    const double n_train = read_state_scalar(in, name, "training_size");
    model->signal2 = read_state_scalar(in, name, "signal2");
    model->noise2 = read_state_scalar(in, name, "noise2");
    model->kernel.length = read_state_scalar(in, name, "length");
    model->element_energies = read_state_matrix(in, name, "element_energies", static_cast<Index>(species.size()), 1);
    model->kernel.scale = read_state_matrix(in, name, "scale");
    model->offset.assign(species.size() + 1, 0);
    model->basis.resize(species.size());
    const auto f = static_cast<Index>(descriptor_->size());
    for (std::size_t z = 0; z < species.size(); ++z) {
        model->basis[z] = read_state_matrix(in, name, fmt::format("basis_{}", symbol(species[z])), f);
        model->offset[z + 1] = model->offset[z] + model->basis[z].cols();
    }
    const Index b = model->offset.back();
    model->w = read_state_matrix(in, name, "weights", b, 1);
    model->c = read_state_matrix(in, name, "variance_matrix", b, b);
    std::vector<Sample> training = read_state_samples(in, name, static_cast<std::size_t>(n_train));
    check_samples(training, species);
    training_ = std::move(training);
    model_ = std::move(model);
}

std::unique_ptr<Surrogate> make_gpr(const ParameterTable& table, const std::vector<Species>& species) {
    ParameterTable common = check_surrogate_keys(
        table, {"kernel", "zeta", "signal", "noise", "length_scale", "optimize", "prior", "sparse_points", "jitter"});
    GprSettings s;
    s.kernel = table.get_string("kernel", s.kernel);
    if (std::find(kernel_names().begin(), kernel_names().end(), s.kernel) == kernel_names().end())
        throw table.error("kernel", fmt::format("unknown kernel '{}'{}; valid kernels: {}", s.kernel,
                                                did_you_mean(s.kernel, kernel_names()), fmt::join(kernel_names(), ", ")));
    s.zeta = table.get_real("zeta", s.zeta);
    if (s.zeta < 1 || s.zeta != std::floor(s.zeta) || s.zeta > 16)
        throw table.error("zeta", "must be an integer from 1 to 16 (power spectra can be negative, so "
                                  "non-integer powers are undefined)");
    s.signal = table.get_real("signal", s.signal);
    s.noise = table.get_real("noise", s.noise);
    s.length_scale = table.get_real("length_scale", s.length_scale);
    for (const char* k : {"signal", "noise", "length_scale"})
        if (table.get_real(k, 0.0) < 0) throw table.error(k, "must be >= 0 (0: fitted from the data)");
    s.optimize = table.get_bool("optimize", s.optimize);
    s.prior = table.get_string("prior", s.prior);
    const std::vector<std::string> priors{"per_element", "constant", "zero"};
    if (std::find(priors.begin(), priors.end(), s.prior) == priors.end())
        throw table.error("prior", fmt::format("unknown prior '{}'{}; valid: {}", s.prior,
                                               did_you_mean(s.prior, priors), fmt::join(priors, ", ")));
    s.sparse_points = table.get_integer("sparse_points", s.sparse_points);
    if (s.sparse_points < -1) throw table.error("sparse_points", "must be -1 (automatic), 0 (exact) or a count");
    s.jitter = table.get_real("jitter", s.jitter);
    if (!(s.jitter > 0 && s.jitter < 1e-2)) throw table.error("jitter", "must be in (0, 1e-2)");
    const std::string default_descriptor = s.kernel == "soap"                  ? "soap"
                                           : s.kernel == "squared_exponential" ? "symmetry_functions"
                                                                               : "nbody";
    auto descriptor = create_descriptor(table.get_table("descriptor"), species, default_descriptor);
    return std::make_unique<GaussianProcess>(std::move(s), std::move(descriptor), species, std::move(common));
}

}  // namespace nanoscape
