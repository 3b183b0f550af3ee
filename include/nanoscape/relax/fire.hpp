#pragma once
/// @file FIRE, the fast inertial relaxation engine (Bitzek, Koskinen, Gaehler, Moseler,
/// Gumbsch, Phys. Rev. Lett. 97, 170201 (2006)).
///
/// Damped molecular dynamics with unit masses (semi-implicit Euler) whose velocity is mixed
/// towards the force direction, as in ASE's ase.optimize.FIRE:
///   P = F . v
///   P > 0:  v <- (1 - alpha) v + alpha |v| F / |F|;  after more than n_min such steps in a
///           row, dt <- min(f_inc dt, dt_max) and alpha <- f_alpha alpha
///   P <= 0: v <- 0, dt <- f_dec dt, alpha <- alpha_start
///   v <- v + dt F,  x <- x + dt v   (the step scaled so that no atom moves more than max_step)
/// Norms are over the whole 3N vector. With unit masses the time unit is Angstrom sqrt(amu/eV)
/// for 1 amu (sigma sqrt(m/epsilon) in reduced Lennard-Jones units).

#include <memory>
#include <string>

#include "nanoscape/core/parameters.hpp"
#include "nanoscape/relax/relaxer.hpp"

namespace nanoscape {

/// FIRE settings; the defaults are ASE's (and the paper's, apart from dt and dt_max).
struct FireParameters {
    double dt = 0.1;           ///< initial time step (unit masses), Angstrom sqrt(amu/eV)
    double dt_max = 1.0;       ///< largest time step, same unit as dt
    int n_min = 5;             ///< downhill steps in a row before dt may grow
    double f_inc = 1.1;        ///< dt growth factor (> 1)
    double f_dec = 0.5;        ///< dt shrink factor after an uphill step (0 < f_dec < 1)
    double alpha_start = 0.1;  ///< initial velocity-mixing weight (0 < alpha_start < 1)
    double f_alpha = 0.99;     ///< alpha decay factor per accelerated step (0 < f_alpha <= 1)
};

/// The FIRE relaxer (registry key "fire").
class Fire final : public Relaxer {
public:
    /// Throws InputError naming the first invalid parameter.
    explicit Fire(const FireParameters& parameters);

    /// "fire".
    [[nodiscard]] std::string type() const override { return "fire"; }
    /// One iteration = one energy+force evaluation.
    [[nodiscard]] RelaxResult relax(Cluster& cluster, const Potential& potential,
                                    const RelaxOptions& options) const override;

    /// The settings in use.
    [[nodiscard]] const FireParameters& parameters() const { return p_; }

private:
    FireParameters p_;
};

/// Registry factory. Keys: the shared [relax] keys (see read_relax_options) and dt, dt_max,
/// n_min, f_inc, f_dec, alpha_start, f_alpha.
[[nodiscard]] std::unique_ptr<Relaxer> make_fire(const ParameterTable& table);

}  // namespace nanoscape
