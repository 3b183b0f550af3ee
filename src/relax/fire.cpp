#include "nanoscape/relax/fire.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "relax_guard.hpp"

namespace nanoscape {

namespace {

// The first invalid setting as (key, message), shared by the constructor and the factory so
// both report the same rule.
std::optional<std::pair<const char*, std::string>> find_problem(const FireParameters& p) {
    if (!(p.dt > 0)) return std::pair{"dt", fmt::format("must be positive, got {}", p.dt)};
    if (!(p.dt_max >= p.dt))
        return std::pair{"dt_max", fmt::format("must be at least dt = {}, got {}", p.dt, p.dt_max)};
    if (p.n_min < 0) return std::pair{"n_min", fmt::format("must be >= 0, got {}", p.n_min)};
    if (!(p.f_inc > 1)) return std::pair{"f_inc", fmt::format("must be > 1, got {}", p.f_inc)};
    if (!(p.f_dec > 0 && p.f_dec < 1))
        return std::pair{"f_dec", fmt::format("must be in (0, 1), got {}", p.f_dec)};
    if (!(p.alpha_start > 0 && p.alpha_start < 1))
        return std::pair{"alpha_start", fmt::format("must be in (0, 1), got {}", p.alpha_start)};
    if (!(p.f_alpha > 0 && p.f_alpha <= 1))
        return std::pair{"f_alpha", fmt::format("must be in (0, 1], got {}", p.f_alpha)};
    return std::nullopt;
}

}  // namespace

Fire::Fire(const FireParameters& parameters) : p_(parameters) {
    if (const auto problem = find_problem(p_))
        throw InputError(fmt::format("fire: key '{}': {}", problem->first, problem->second));
}

RelaxResult Fire::relax(Cluster& cluster, const Potential& potential, const RelaxOptions& options) const {
    relax_detail::RelaxGuard guard(cluster, potential, options);
    if (!guard.evaluate()) return guard.finish(guard.failure(), 0);
    guard.accept();
    if (guard.converged()) return guard.finish(RelaxStatus::converged, 0);

    Eigen::Matrix3Xd velocity = Eigen::Matrix3Xd::Zero(3, cluster.positions.cols());
    Eigen::Matrix3Xd step;
    double dt = p_.dt;
    double alpha = p_.alpha_start;
    int downhill_in_a_row = 0;
    for (int iteration = 1; iteration <= options.max_steps; ++iteration) {
        const Eigen::Matrix3Xd& force = guard.forces();
        // The first step starts from rest: there is no power to judge yet (ASE does the same;
        // treating P = 0 as uphill would halve dt before the run has begun).
        if (iteration > 1) {
            const double power = force.cwiseProduct(velocity).sum();
            if (power > 0) {
                // Steer v towards F keeping |v|: the inertia that makes FIRE fast, minus the
                // sideways component that would carry it across valleys.
                velocity = (1.0 - alpha) * velocity + (alpha * velocity.norm() / force.norm()) * force;
                if (downhill_in_a_row > p_.n_min) {
                    dt = std::min(dt * p_.f_inc, p_.dt_max);
                    alpha *= p_.f_alpha;
                }
                ++downhill_in_a_row;
            } else {
                // Going uphill: stop dead and restart cautiously.
                velocity.setZero();
                dt *= p_.f_dec;
                alpha = p_.alpha_start;
                downhill_in_a_row = 0;
            }
        }
        velocity += dt * force;
        step = dt * velocity;
        relax_detail::limit_step(step, options.max_step);
        cluster.positions += step;

        if (!guard.evaluate()) return guard.finish(guard.failure(), iteration);
        guard.accept();
        if (guard.converged()) return guard.finish(RelaxStatus::converged, iteration);
    }
    return guard.finish(RelaxStatus::max_steps, options.max_steps);
}

std::unique_ptr<Relaxer> make_fire(const ParameterTable& table) {
    table.allow_only(relax_detail::allowed_relax_keys(
        {"dt", "dt_max", "n_min", "f_inc", "f_dec", "alpha_start", "f_alpha"}));
    FireParameters p;
    p.dt = table.get_real("dt", p.dt);
    p.dt_max = table.get_real("dt_max", p.dt_max);
    const std::int64_t n_min = table.get_integer("n_min", p.n_min);
    if (n_min < 0 || n_min > 1'000'000)
        throw table.error("n_min", fmt::format("must be in 0..1000000, got {}", n_min));
    p.n_min = static_cast<int>(n_min);
    p.f_inc = table.get_real("f_inc", p.f_inc);
    p.f_dec = table.get_real("f_dec", p.f_dec);
    p.alpha_start = table.get_real("alpha_start", p.alpha_start);
    p.f_alpha = table.get_real("f_alpha", p.f_alpha);
    if (const auto problem = find_problem(p)) throw table.error(problem->first, problem->second);
    return std::make_unique<Fire>(p);
}

}  // namespace nanoscape
