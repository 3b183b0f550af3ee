#include "ann_network.hpp"

#include <cmath>
#include <numbers>
#include <utility>

namespace nanoscape::ann_detail {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::RowVectorXd;

namespace {

using MapMatrix = Eigen::Map<MatrixXd>;
using ConstMapMatrix = Eigen::Map<const MatrixXd>;
using ConstMapVector = Eigen::Map<const Eigen::VectorXd>;

// z -> a = sigma(z) in place, with d = sigma'(z) if d is given and d2 = sigma''(z) if d2 is.
void activate(Activation activation, MatrixXd& z, MatrixXd* d, MatrixXd* d2) {
    auto a = z.array();
    switch (activation) {
    case Activation::tanh:
        // tanh z = 1 - 2 / (e^{2z} + 1): Eigen vectorises exp for doubles but not tanh, and
        // this form is exact to a few ulp of 1 (absolute), saturating cleanly for |z| large.
        a = 1.0 - 2.0 / ((2.0 * a).exp() + 1.0);
        if (d) d->array() = 1.0 - a.square();
        if (d2) d2->array() = -2.0 * a * d->array();
        break;
    case Activation::shifted_softplus: {
        // sigma = ln(1 + e^z) - ln 2 = z + ln(1 + u) - ln 2 with u = e^{-z}, sigma' = 1 / (1 + u),
        // sigma'' = sigma' (1 - sigma'). z is clamped at -40 below, where sigma and sigma' are
        // below 1e-17 (absolute error ~1e-16 everywhere); no branches, so Eigen vectorises it.
        a = a.max(-40.0);
        const Eigen::ArrayXXd u = (-a).exp();
        if (d) d->array() = 1.0 / (1.0 + u);
        a += (1.0 + u).log() - std::numbers::ln2;
        if (d2) d2->array() = d->array() * (1.0 - d->array());
        break;
    }
    }
}

}  // namespace

std::string to_string(Activation activation) {
    switch (activation) {
    case Activation::tanh:
        return "tanh";
    case Activation::shifted_softplus:
        return "shifted_softplus";
    }
    return "tanh";
}

Mlp::Mlp(std::vector<int> sizes, Activation activation) : sizes_(std::move(sizes)), activation_(activation) {
    offsets_.resize(sizes_.size() - 1);
    count_ = 0;
    for (int l = 0; l < layers(); ++l) {
        offsets_[static_cast<std::size_t>(l)] = count_;
        count_ += static_cast<Index>(rows(l)) * (cols(l) + 1);
    }
}

void Mlp::initialise(double* params, Rng& rng) const {
    for (int l = 0; l < layers(); ++l) {
        const double scale = 1.0 / std::sqrt(static_cast<double>(cols(l)));
        double* w = params + weight_offset(l);
        for (Index k = 0; k < static_cast<Index>(rows(l)) * cols(l); ++k) w[k] = scale * rng.normal();
        double* b = params + bias_offset(l);
        for (int k = 0; k < rows(l); ++k) b[k] = 0.0;
    }
}

void Mlp::forward(const double* params, const MatrixXd& x, Pass& pass, Derivatives derivatives) const {
    const int hidden = layers() - 1;
    const bool first = derivatives != Derivatives::none, second = derivatives == Derivatives::second;
    pass.a.resize(static_cast<std::size_t>(hidden));
    pass.d.resize(first ? static_cast<std::size_t>(hidden) : 0);
    pass.d2.resize(second ? static_cast<std::size_t>(hidden) : 0);
    pass.has_tangent = false;
    const MatrixXd* in = &x;
    for (int l = 0; l < hidden; ++l) {
        const auto h = static_cast<std::size_t>(l);
        const ConstMapMatrix w(params + weight_offset(l), rows(l), cols(l));
        const ConstMapVector b(params + bias_offset(l), rows(l));
        MatrixXd& z = pass.a[h];
        z.noalias() = w * *in;
        z.colwise() += b;
        if (first) pass.d[h].resize(z.rows(), z.cols());
        if (second) pass.d2[h].resize(z.rows(), z.cols());
        activate(activation_, z, first ? &pass.d[h] : nullptr, second ? &pass.d2[h] : nullptr);
        in = &z;
    }
    const int last = layers() - 1;
    const ConstMapMatrix w(params + weight_offset(last), 1, cols(last));
    pass.out.noalias() = w * *in;
    pass.out.array() += params[bias_offset(last)];
}

void Mlp::input_gradient(const double* params, const Pass& pass, MatrixXd& gradient) const {
    const int last = layers() - 1;
    const Index n = pass.out.cols();
    const ConstMapMatrix w_last(params + weight_offset(last), 1, cols(last));
    // Adjoint 1 on every output: the gradient flows back column by column.
    MatrixXd g = w_last.transpose().replicate(1, n);
    for (int l = last - 1; l >= 0; --l) {
        g.array() *= pass.d[static_cast<std::size_t>(l)].array();
        const ConstMapMatrix w(params + weight_offset(l), rows(l), cols(l));
        if (l == 0) {
            gradient.noalias() = w.transpose() * g;
            return;
        }
        MatrixXd next = w.transpose() * g;
        g = std::move(next);
    }
    gradient = std::move(g);  // no hidden layer: the gradient is w_last for every column
}

void Mlp::tangent(const double* params, const MatrixXd& v, Pass& pass) const {
    const int hidden = layers() - 1;
    pass.zdot.resize(static_cast<std::size_t>(hidden));
    pass.adot.resize(static_cast<std::size_t>(hidden));
    const MatrixXd* in = &v;
    for (int l = 0; l < hidden; ++l) {
        const auto h = static_cast<std::size_t>(l);
        const ConstMapMatrix w(params + weight_offset(l), rows(l), cols(l));
        pass.zdot[h].noalias() = w * *in;
        pass.adot[h] = pass.d[h].cwiseProduct(pass.zdot[h]);
        in = &pass.adot[h];
    }
    pass.has_tangent = true;
}

void Mlp::backward(const double* params, const MatrixXd& x, const Pass& pass, const RowVectorXd& out_bar,
                   const MatrixXd* v, double* gradient) const {
    // Reverse pass over the primal (z, a) and, with v, the tangent (zdot, adot) quantities:
    //   zdot_l = W_l adot_{l-1},  adot_l = sigma'(z_l) zdot_l,  outdot = w_L adot_{L-1}
    // so the tangent adjoints feed into z_l through sigma''(z_l) zdot_l.
    const bool tangent = v != nullptr;
    const int last = layers() - 1;
    const auto input = [&](int l) -> const MatrixXd& { return l == 0 ? x : pass.a[static_cast<std::size_t>(l) - 1]; };
    const auto input_dot = [&](int l) -> const MatrixXd& {
        return l == 0 ? *v : pass.adot[static_cast<std::size_t>(l) - 1];
    };
    const Index n = out_bar.cols();

    MapMatrix gw_last(gradient + weight_offset(last), 1, cols(last));
    gw_last.noalias() += out_bar * input(last).transpose();
    if (tangent) gw_last.noalias() += input_dot(last).rowwise().sum().transpose();
    gradient[bias_offset(last)] += out_bar.sum();
    if (last == 0) return;

    const ConstMapMatrix w_last(params + weight_offset(last), 1, cols(last));
    MatrixXd a_bar = w_last.transpose() * out_bar;
    MatrixXd adot_bar;
    if (tangent) adot_bar = w_last.transpose().replicate(1, n);
    MatrixXd z_bar, zdot_bar;
    for (int l = last - 1; l >= 0; --l) {
        const auto h = static_cast<std::size_t>(l);
        z_bar = pass.d[h].cwiseProduct(a_bar);
        if (tangent) {
            z_bar.array() += pass.d2[h].array() * pass.zdot[h].array() * adot_bar.array();
            zdot_bar = pass.d[h].cwiseProduct(adot_bar);
        }
        MapMatrix gw(gradient + weight_offset(l), rows(l), cols(l));
        gw.noalias() += z_bar * input(l).transpose();
        if (tangent) gw.noalias() += zdot_bar * input_dot(l).transpose();
        Eigen::Map<Eigen::VectorXd>(gradient + bias_offset(l), rows(l)) += z_bar.rowwise().sum();
        if (l == 0) break;
        const ConstMapMatrix w(params + weight_offset(l), rows(l), cols(l));
        a_bar.noalias() = w.transpose() * z_bar;
        if (tangent) adot_bar.noalias() = w.transpose() * zdot_bar;
    }
}

}  // namespace nanoscape::ann_detail
