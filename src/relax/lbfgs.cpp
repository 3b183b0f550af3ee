#include "nanoscape/relax/lbfgs.hpp"

#include <cstdint>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "relax_guard.hpp"

namespace nanoscape {

namespace {

// The first invalid setting as (key, message), shared by the constructor and the factory.
std::optional<std::pair<const char*, std::string>> find_problem(const LbfgsParameters& p) {
    if (p.memory < 1) return std::pair{"memory", fmt::format("must be >= 1, got {}", p.memory)};
    if (!(p.max_energy_rise >= 0))
        return std::pair{"max_energy_rise", fmt::format("must be >= 0, got {}", p.max_energy_rise)};
    if (p.max_backtracks < 0)
        return std::pair{"max_backtracks", fmt::format("must be >= 0, got {}", p.max_backtracks)};
    if (!(p.initial_inverse_hessian > 0))
        return std::pair{"initial_inverse_hessian",
                         fmt::format("must be positive, got {}", p.initial_inverse_hessian)};
    return std::nullopt;
}

// A 3 x N matrix seen as one 3N vector (Eigen stores it column-major, atom after atom).
Eigen::Map<Eigen::VectorXd> flat(Eigen::Matrix3Xd& m) { return {m.data(), m.size()}; }

// The last `capacity` curvature pairs (s_k, y_k) in a ring buffer of matrix columns, and the
// two-loop recursion over them (Nocedal & Wright, Numerical Optimization, Algorithm 7.4).
class CurvatureMemory {
public:
    CurvatureMemory(Eigen::Index length, int capacity)
        : s_(length, capacity), y_(length, capacity), rho_(capacity), a_(capacity) {}

    void clear() { size_ = 0; }

    // Stores the pair unless y.s is not clearly positive: with negative or vanishing curvature
    // the BFGS update would lose positive definiteness and d might point uphill.
    void push(const Eigen::Ref<const Eigen::VectorXd>& s, const Eigen::Ref<const Eigen::VectorXd>& y) {
        const double ys = y.dot(s);
        if (!(ys > 1e-10 * s.norm() * y.norm())) return;
        s_.col(head_) = s;
        y_.col(head_) = y;
        rho_[head_] = 1.0 / ys;
        newest_h0_ = ys / y.squaredNorm();
        head_ = (head_ + 1) % capacity();
        if (size_ < capacity()) ++size_;
    }

    // r = H g, with H0 = s.y / y.y of the newest pair (Nocedal & Wright eq. 7.20), or
    // `initial_h0` with an empty memory.
    void apply_inverse_hessian(const Eigen::Ref<const Eigen::VectorXd>& g, double initial_h0,
                               Eigen::Ref<Eigen::VectorXd> r) {
        r = g;
        for (int k = 0; k < size_; ++k) {  // newest to oldest
            const int i = slot(k);
            a_[i] = rho_[i] * s_.col(i).dot(r);
            r -= a_[i] * y_.col(i);
        }
        r *= size_ > 0 ? newest_h0_ : initial_h0;
        for (int k = size_ - 1; k >= 0; --k) {  // oldest to newest
            const int i = slot(k);
            const double b = rho_[i] * y_.col(i).dot(r);
            r += (a_[i] - b) * s_.col(i);
        }
    }

private:
    int capacity() const { return static_cast<int>(rho_.size()); }
    // Slot of the k-th newest pair (k = 0 is the newest).
    int slot(int k) const { return ((head_ - 1 - k) % capacity() + capacity()) % capacity(); }

    Eigen::MatrixXd s_, y_;  // 3N x capacity
    Eigen::VectorXd rho_, a_;
    double newest_h0_ = 1.0;
    int head_ = 0;  // slot the next pair goes into
    int size_ = 0;
};

}  // namespace

Lbfgs::Lbfgs(const LbfgsParameters& parameters) : p_(parameters) {
    if (const auto problem = find_problem(p_))
        throw InputError(fmt::format("lbfgs: key '{}': {}", problem->first, problem->second));
}

RelaxResult Lbfgs::relax(Cluster& cluster, const Potential& potential, const RelaxOptions& options) const {
    relax_detail::RelaxGuard guard(cluster, potential, options);
    if (!guard.evaluate()) return guard.finish(guard.failure(), 0);
    guard.accept();
    if (guard.converged()) return guard.finish(RelaxStatus::converged, 0);

    const Eigen::Index atoms = cluster.positions.cols();
    CurvatureMemory memory(3 * atoms, p_.memory);
    Eigen::Matrix3Xd gradient = -guard.forces();  // at the accepted point
    Eigen::Matrix3Xd new_gradient(3, atoms);
    Eigen::Matrix3Xd step(3, atoms);
    for (int iteration = 1; iteration <= options.max_steps; ++iteration) {
        auto step_vector = flat(step);
        memory.apply_inverse_hessian(flat(gradient), p_.initial_inverse_hessian, step_vector);
        step = -step;
        // Only rounding can make d uphill when every stored pair has y.s > 0; fall back to
        // steepest descent rather than trust it.
        if (!(flat(step).dot(flat(gradient)) < 0)) {
            memory.clear();
            step = -p_.initial_inverse_hessian * gradient;
        }
        relax_detail::limit_step(step, options.max_step);

        // Backtracking safeguard (pele): the quadratic model can overshoot far from a minimum,
        // so a step that raises the energy noticeably is shortened rather than taken.
        bool accepted = false;
        for (int halving = 0; halving <= p_.max_backtracks; ++halving) {
            cluster.positions = guard.accepted_positions() + step;
            if (!guard.evaluate()) return guard.finish(guard.failure(), iteration);
            if (guard.energy() - guard.accepted_energy() <= p_.max_energy_rise) {
                accepted = true;
                break;
            }
            step *= 0.5;
        }
        if (!accepted) {
            // The stored curvature describes somewhere else: forget it and restart from
            // steepest descent at the last good point.
            guard.restore_accepted();
            memory.clear();
            continue;
        }
        new_gradient = -guard.forces();
        memory.push(flat(step), flat(new_gradient) - flat(gradient));
        gradient.swap(new_gradient);
        guard.accept();
        if (guard.converged()) return guard.finish(RelaxStatus::converged, iteration);
    }
    return guard.finish(RelaxStatus::max_steps, options.max_steps);
}

std::unique_ptr<Relaxer> make_lbfgs(const ParameterTable& table) {
    table.allow_only(relax_detail::allowed_relax_keys(
        {"memory", "max_energy_rise", "max_backtracks", "initial_inverse_hessian"}));
    LbfgsParameters p;
    const auto read_count = [&](const char* key, int fallback, std::int64_t lowest) {
        const std::int64_t value = table.get_integer(key, fallback);
        if (value < lowest || value > 1'000'000)
            throw table.error(key, fmt::format("must be in {}..1000000, got {}", lowest, value));
        return static_cast<int>(value);
    };
    p.memory = read_count("memory", p.memory, 1);
    p.max_backtracks = read_count("max_backtracks", p.max_backtracks, 0);
    p.max_energy_rise = table.get_real("max_energy_rise", p.max_energy_rise);
    p.initial_inverse_hessian = table.get_real("initial_inverse_hessian", p.initial_inverse_hessian);
    if (const auto problem = find_problem(p)) throw table.error(problem->first, problem->second);
    return std::make_unique<Lbfgs>(p);
}

}  // namespace nanoscape
