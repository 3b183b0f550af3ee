#pragma once
// Private to ann_committee: a fully connected feed-forward network evaluated on a block of
// inputs stacked as columns (all environments of one centre species at once), so every layer
// is one GEMM. Besides the forward pass it provides the input gradient d out/d x (forces), a
// forward-mode tangent pass (directional derivatives of the output along given input
// directions) and one reverse pass that differentiates both the outputs and the tangents with
// respect to the parameters -- the "double backpropagation" a force loss needs.
//
// Parameters of one network live in a flat array (Adam and the committee treat them as one
// vector): for each weight layer l, W_l (sizes[l+1] x sizes[l], column-major) then b_l.
// Hidden layers a_l = sigma(W_l a_{l-1} + b_l); the last layer is linear with one output.

#include <cstddef>
#include <exception>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <omp.h>

#include "nanoscape/core/rng.hpp"

namespace nanoscape::ann_detail {

// Hidden-layer nonlinearity.
enum class Activation {
    tanh,             // tanh(z)
    shifted_softplus  // ln(1 + e^z) - ln 2 (Schuett et al., J. Chem. Phys. 148, 241722 (2018))
};

// Which activation derivatives a forward pass keeps.
enum class Derivatives {
    none,   // outputs only (energies)
    first,  // sigma': input gradient, parameter gradient of an energy loss
    second  // sigma' and sigma'': tangent pass and the force loss
};

// "tanh" / "shifted_softplus".
[[nodiscard]] std::string to_string(Activation activation);

// Buffers of one pass over n input columns; reused between calls to avoid allocations.
struct Pass {
    std::vector<Eigen::MatrixXd> a;     // hidden activations sigma(z_l), sizes[l+1] x n
    std::vector<Eigen::MatrixXd> d;     // sigma'(z_l) (Derivatives::first or second)
    std::vector<Eigen::MatrixXd> d2;    // sigma''(z_l) (Derivatives::second)
    std::vector<Eigen::MatrixXd> zdot;  // tangent of z_l
    std::vector<Eigen::MatrixXd> adot;  // tangent of a_l
    Eigen::RowVectorXd out;             // network outputs, 1 x n
    bool has_tangent = false;
};

class Mlp {
public:
    Mlp() = default;
    // sizes = {F, h_1, ..., h_k, 1}; at least {F, 1} (a linear model).
    Mlp(std::vector<int> sizes, Activation activation);

    [[nodiscard]] const std::vector<int>& sizes() const { return sizes_; }
    [[nodiscard]] Activation activation() const { return activation_; }
    // Number of weight layers (hidden layers + 1).
    [[nodiscard]] int layers() const { return static_cast<int>(sizes_.size()) - 1; }
    [[nodiscard]] Eigen::Index parameter_count() const { return count_; }
    [[nodiscard]] Eigen::Index weight_offset(int l) const { return offsets_[static_cast<std::size_t>(l)]; }
    [[nodiscard]] Eigen::Index bias_offset(int l) const {
        return offsets_[static_cast<std::size_t>(l)] + static_cast<Eigen::Index>(rows(l)) * cols(l);
    }
    [[nodiscard]] int rows(int l) const { return sizes_[static_cast<std::size_t>(l) + 1]; }
    [[nodiscard]] int cols(int l) const { return sizes_[static_cast<std::size_t>(l)]; }

    // Random initial parameters: W ~ N(0, 1/fan_in) (LeCun et al., "Efficient BackProp",
    // 1998), b = 0.
    void initialise(double* params, Rng& rng) const;

    // Forward pass over the columns of x (F x n): pass.out = outputs (1 x n). `derivatives`:
    // keep sigma' (what input_gradient() and backward() need) and sigma'' (for tangent()).
    void forward(const double* params, const Eigen::MatrixXd& x, Pass& pass, Derivatives derivatives) const;
    // After forward(..., first or second): gradient (F x n) with column j = d out_j / d x_j.
    void input_gradient(const double* params, const Pass& pass, Eigen::MatrixXd& gradient) const;
    // After forward(..., second): tangents along v (F x n), i.e. outdot_j = (d out_j/d x_j) . v_j.
    void tangent(const double* params, const Eigen::MatrixXd& v, Pass& pass) const;
    // After forward(..., first or second) (and tangent() if v is given): adds to `gradient` (parameter layout) the
    // derivative with respect to the parameters of
    //   sum_j out_bar_j out_j  +  sum_j outdot_j        (the second term only with v).
    void backward(const double* params, const Eigen::MatrixXd& x, const Pass& pass, const Eigen::RowVectorXd& out_bar,
                  const Eigen::MatrixXd* v, double* gradient) const;

private:
    std::vector<int> sizes_;
    Activation activation_ = Activation::tanh;
    std::vector<Eigen::Index> offsets_;
    Eigen::Index count_ = 0;
};

// Runs f() with Eigen's own OpenMP parallelisation of large products switched off for this
// thread, whatever the caller's context: inside a one-thread parallel region whose thread
// count ICV is 1, Eigen's GEMM always takes its serial path. The serial and the parallel GEMM
// choose different blocking (summation order), so without this a prediction could differ in
// the last bits between a call from the main thread and one from a worker thread.
template <class F>
void run_serial_eigen(F&& f) {
    std::exception_ptr failure;
#pragma omp parallel num_threads(1)
    {
        omp_set_num_threads(1);
        try {
            f();
        } catch (...) {
            failure = std::current_exception();
        }
    }
    if (failure) std::rethrow_exception(failure);
}

}  // namespace nanoscape::ann_detail
