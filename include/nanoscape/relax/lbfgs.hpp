#pragma once
/// @file Limited-memory BFGS (Nocedal, Math. Comp. 35, 773 (1980); Liu & Nocedal, Math.
/// Prog. 45, 503 (1989)) with the step control of pele's LBFGS (Wales group).
///
/// With gradient g = -F and the last m pairs s_k = x_{k+1} - x_k, y_k = g_{k+1} - g_k,
/// rho_k = 1 / (y_k . s_k), the two-loop recursion gives d = -H g:
///   q = g;  for k = newest..oldest: a_k = rho_k s_k.q,  q -= a_k y_k
///   r = H0 q,  H0 = s.y / y.y of the newest pair (initial_inverse_hessian before any pair)
///   for k = oldest..newest: b = rho_k y_k.r,  r += (a_k - b) s_k;   d = -r
/// d is scaled so that no atom moves more than max_step. There is no Wolfe line search: a
/// step is accepted unless the energy rises by more than max_energy_rise; otherwise it is
/// halved up to max_backtracks times, and if none is accepted the memory is cleared and the
/// next iteration starts again from steepest descent. Pairs with y.s <= 0 (negative curvature)
/// are not stored, so H stays positive definite and d is a descent direction.

#include <memory>
#include <string>

#include "nanoscape/core/parameters.hpp"
#include "nanoscape/relax/relaxer.hpp"

namespace nanoscape {

/// L-BFGS settings (defaults after pele, with a longer memory).
struct LbfgsParameters {
    int memory = 10;                       ///< stored (s, y) pairs, >= 1
    double max_energy_rise = 1e-4;         ///< accepted energy increase per step, eV (>= 0)
    int max_backtracks = 10;               ///< step halvings before the memory is reset, >= 0
    double initial_inverse_hessian = 0.1;  ///< H0 before any curvature is known, Angstrom^2/eV
};

/// The L-BFGS relaxer (registry key "lbfgs").
class Lbfgs final : public Relaxer {
public:
    /// Throws InputError naming the first invalid parameter.
    explicit Lbfgs(const LbfgsParameters& parameters);

    /// "lbfgs".
    [[nodiscard]] std::string type() const override { return "lbfgs"; }
    /// One iteration = one step, with 1 to max_backtracks + 1 energy+force evaluations.
    /// The energy of the accepted points never rises by more than max_energy_rise per step.
    [[nodiscard]] RelaxResult relax(Cluster& cluster, const Potential& potential,
                                    const RelaxOptions& options) const override;

    /// The settings in use.
    [[nodiscard]] const LbfgsParameters& parameters() const { return p_; }

private:
    LbfgsParameters p_;
};

/// Registry factory. Keys: the shared [relax] keys (see read_relax_options) and memory,
/// max_energy_rise, max_backtracks, initial_inverse_hessian.
[[nodiscard]] std::unique_ptr<Relaxer> make_lbfgs(const ParameterTable& table);

}  // namespace nanoscape
