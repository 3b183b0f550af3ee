#include "nanoscape/surrogate/ridge.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include <Eigen/Dense>
#include <fmt/format.h>

#include "nanoscape/core/error.hpp"
#include "nanoscape/surrogate/nelder_mead.hpp"
#include "nanoscape/surrogate/state_io.hpp"
#include "nanoscape/surrogate/training.hpp"

namespace nanoscape {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

RidgeRegression::RidgeRegression(std::unique_ptr<Descriptor> descriptor, double alpha, ParameterTable common)
    : descriptor_(std::move(descriptor)), alpha_(alpha), common_(std::move(common)) {}

RidgeRegression::~RidgeRegression() = default;

std::string RidgeRegression::description() const {
    return fmt::format("ridge (sigma_w = {:.4g}, sigma_n = {:.4g} eV/sqrt(atom); {} training structures) on {}",
                       signal_, noise_, training_.size(), descriptor_->description());
}

VectorXd RidgeRegression::summed_features(const Cluster& cluster, const MatrixXd& g) const {
    const auto& species = descriptor_->species();
    const Index f = g.rows();
    VectorXd phi = VectorXd::Zero(f * static_cast<Index>(species.size()));
    for (std::size_t i = 0; i < cluster.size(); ++i) {
        const auto z = std::find(species.begin(), species.end(), cluster.species[i]) - species.begin();
        phi.segment(z * f, f) += g.col(static_cast<Index>(i));
    }
    return phi;
}

void RidgeRegression::fit(std::span<const Sample> samples) {
    check_samples(samples, descriptor_->species());
    training_.assign(samples.begin(), samples.end());
    train();
}

void RidgeRegression::update(std::span<const Sample> samples) {
    check_samples(samples, descriptor_->species());
    training_.insert(training_.end(), samples.begin(), samples.end());
    train();
}

void RidgeRegression::train() {
    const auto& species = descriptor_->species();
    const auto features = compute_features(*descriptor_, training_);
    const auto n = static_cast<Index>(training_.size());
    element_energies_ = fit_element_energies(training_, species);
    const Index d = features.front().rows() * static_cast<Index>(species.size());
    MatrixXd phi(n, d);
    VectorXd y(n);
    VectorXd atoms(n);
    for (Index s = 0; s < n; ++s) {
        const auto& sample = training_[static_cast<std::size_t>(s)];
        phi.row(s) = summed_features(sample.cluster, features[static_cast<std::size_t>(s)]).transpose();
        y(s) = sample.energy - element_energy_sum(sample.cluster, species, element_energies_);
        atoms(s) = static_cast<double>(sample.cluster.size());
    }
    const VectorXd mean = phi.colwise().mean().transpose();
    scale_ = ((phi.rowwise() - mean.transpose()).colwise().squaredNorm().transpose() / static_cast<double>(n))
                 .cwiseSqrt()
                 .unaryExpr([](double v) { return v > 1e-12 ? v : 1.0; });
    phi = phi.array().rowwise() / scale_.transpose().array();

    // Whitened problem y~ = Phi~ w + eps, eps ~ N(0, sigma_n^2 I): rows divided by sqrt(N).
    const VectorXd root = atoms.cwiseSqrt();
    const MatrixXd pw = phi.array().colwise() / root.array();
    const VectorXd yw = y.array() / root.array();
    const Eigen::BDCSVD<MatrixXd> svd(pw, Eigen::ComputeThinU);
    const VectorXd s2 = svd.singularValues().array().square();
    const VectorXd uy = svd.matrixU().transpose() * yw;
    const double rest = std::max(yw.squaredNorm() - uy.squaredNorm(), 0.0);
    const auto rank_rest = static_cast<double>(n - s2.size());
    const double log_det_atoms = root.array().log().sum();
    const auto log_evidence = [&](double sw2, double sn2) {
        const VectorXd ev = (sw2 * s2).array() + sn2;
        return -0.5 * ((uy.array().square() / ev.array()).sum() + rest / sn2) -
               0.5 * (ev.array().log().sum() + rank_rest * std::log(sn2)) - log_det_atoms -
               0.5 * static_cast<double>(n) * std::log(2 * std::numbers::pi);
    };
    const double y_scale = std::sqrt(std::max(yw.squaredNorm() / static_cast<double>(n), 1e-12));
    const auto bounded = [](double x) { return std::exp(std::clamp(x, std::log(1e-6), std::log(1e4))); };
    std::vector<double> x0{std::log(y_scale * 1e-2)};
    if (alpha_ <= 0) x0.insert(x0.begin(), std::log(y_scale));
    const auto best = nelder_mead(
        [&](const std::vector<double>& x) {
            const double sn = bounded(x.back());
            const double sw = alpha_ > 0 ? sn / std::sqrt(alpha_) : bounded(x[0]);
            const double v = log_evidence(sw * sw, sn * sn);
            return std::isfinite(v) ? -v : std::numeric_limits<double>::max();
        },
        x0, 1.0, 300, 1e-7);
    noise_ = bounded(best.back());
    signal_ = alpha_ > 0 ? noise_ / std::sqrt(alpha_) : bounded(best[0]);

    // Posterior from the SVD Phi~ = U S V^T, stable however small the noise:
    //   Sigma_w = sigma_w^2 I - V diag(sigma_w^2 - 1/(s^2/sigma_n^2 + 1/sigma_w^2)) V^T,
    //   w = V diag(s / (s^2 + sigma_n^2/sigma_w^2)) U^T y~.
    const Eigen::BDCSVD<MatrixXd> full(pw, Eigen::ComputeThinU | Eigen::ComputeThinV);
    const VectorXd sv = full.singularValues();
    const double sw2 = signal_ * signal_, sn2 = noise_ * noise_;
    const VectorXd shrink = sv.unaryExpr([&](double x) { return sw2 - 1.0 / (x * x / sn2 + 1.0 / sw2); });
    const MatrixXd& v = full.matrixV();
    covariance_ = sw2 * MatrixXd::Identity(d, d) - v * shrink.asDiagonal() * v.transpose();
    const VectorXd gain = sv.unaryExpr([&](double x) { return x / (x * x + sn2 / sw2); });
    weights_ = v * (gain.cwiseProduct(full.matrixU().transpose() * yw));
    if (!weights_.allFinite()) throw Error("ridge: training produced non-finite weights");
    ready_ = true;
}

Prediction RidgeRegression::predict(const Cluster& cluster, Eigen::Matrix3Xd* mean_forces,
                                    Eigen::Matrix3Xd* sigma_gradient) const {
    if (!ready_) throw Error("ridge: the model is not trained yet (fit it before predicting)");
    const auto& species = descriptor_->species();
    const bool gradients = mean_forces != nullptr || sigma_gradient != nullptr;
    MatrixXd g;
    std::vector<DescriptorJacobian> jacobians;
    descriptor_->compute(cluster, g, gradients ? &jacobians : nullptr);
    const VectorXd phi = summed_features(cluster, g).cwiseQuotient(scale_);
    const VectorXd sphi = covariance_ * phi;
    Prediction p;
    p.energy = element_energy_sum(cluster, species, element_energies_) + weights_.dot(phi);
    p.variance = std::max(phi.dot(sphi), 0.0) + noise_ * noise_ * static_cast<double>(cluster.size());
    if (gradients) {
        // dE/dG_i = w_Z / s, dvar/dG_i = 2 (Sigma_w phi)_Z / s for the block Z of atom i.
        const Index f = g.rows();
        const auto n = static_cast<Index>(cluster.size());
        MatrixXd d_mean(f, n);
        MatrixXd d_var(f, n);
        for (Index i = 0; i < n; ++i) {
            const auto z = std::find(species.begin(), species.end(), cluster.species[static_cast<std::size_t>(i)]) -
                           species.begin();
            d_mean.col(i) = weights_.segment(z * f, f).cwiseQuotient(scale_.segment(z * f, f));
            d_var.col(i) = 2.0 * sphi.segment(z * f, f).cwiseQuotient(scale_.segment(z * f, f));
        }
        if (mean_forces) {
            Eigen::Matrix3Xd grad = Eigen::Matrix3Xd::Zero(3, n);
            backpropagate(jacobians, d_mean, grad);
            *mean_forces = -grad;
        }
        if (sigma_gradient) {
            Eigen::Matrix3Xd grad = Eigen::Matrix3Xd::Zero(3, n);
            backpropagate(jacobians, d_var, grad);
            *sigma_gradient = grad / (2.0 * p.sigma());
        }
    }
    return p;
}

ParameterTable RidgeRegression::settings() const {
    ParameterTable t = common_;
    t.set("type", ParameterValue::of("ridge"));
    t.set("descriptor", descriptor_->settings().value());
    t.set("alpha", ParameterValue::of(alpha_));
    return t;
}

void RidgeRegression::save_state(std::ostream& out) const {
    if (!ready_) throw Error("ridge: cannot save an untrained model");
    write_state_scalar(out, "signal", signal_);
    write_state_scalar(out, "noise", noise_);
    write_state_matrix(out, "element_energies", element_energies_);
    write_state_matrix(out, "scale", scale_);
    write_state_matrix(out, "weights", weights_);
    write_state_matrix(out, "covariance", covariance_);
}

void RidgeRegression::load_state(std::istream& in, const std::string& name) {
    const auto d = static_cast<Index>(descriptor_->size() * descriptor_->species().size());
    signal_ = read_state_scalar(in, name, "signal");
    noise_ = read_state_scalar(in, name, "noise");
    element_energies_ =
        read_state_matrix(in, name, "element_energies", static_cast<Index>(descriptor_->species().size()), 1);
    scale_ = read_state_matrix(in, name, "scale", d, 1);
    weights_ = read_state_matrix(in, name, "weights", d, 1);
    covariance_ = read_state_matrix(in, name, "covariance", d, d);
    training_.clear();
    ready_ = true;
}

std::unique_ptr<Surrogate> make_ridge(const ParameterTable& table, const std::vector<Species>& species) {
    ParameterTable common = check_surrogate_keys(table, {"alpha"});
    const double alpha = table.get_real("alpha", 0.0);
    if (alpha < 0) throw table.error("alpha", "must be >= 0 (0: fitted by maximising the evidence)");
    auto descriptor = create_descriptor(table.get_table("descriptor"), species, "symmetry_functions");
    return std::make_unique<RidgeRegression>(std::move(descriptor), alpha, std::move(common));
}

}  // namespace nanoscape
