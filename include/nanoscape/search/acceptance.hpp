#pragma once
/// @file The Metropolis acceptance test (Metropolis et al., J. Chem. Phys. 21, 1087 (1953)),
/// shared by basin hopping and the Monte-Carlo drivers.

#include <cmath>

#include "nanoscape/core/rng.hpp"

namespace nanoscape {

/// Accepts a step from E_old to E_new with probability min(1, exp(-(E_new - E_old) / kT)).
class MetropolisAcceptance {
public:
    /// @param temperature kT, eV (reduced units for Lennard-Jones); > 0
    explicit MetropolisAcceptance(double temperature) : kt_(temperature) {}

    /// The decision. Draws exactly one uniform number from `rng` whatever the outcome (also
    /// for a downhill step or a failed evaluation, E_new = NaN, which is rejected), so a
    /// walker's stream stays aligned and a resumed run repeats the same decisions.
    [[nodiscard]] bool accept(double e_new, double e_old, Rng& rng) const {
        const double u = rng.uniform();
        if (!std::isfinite(e_new)) return false;
        const double delta = e_new - e_old;
        return delta <= 0 || u < std::exp(-delta / kt_);
    }

    /// kT, eV.
    [[nodiscard]] double temperature() const { return kt_; }

private:
    double kt_;
};

}  // namespace nanoscape
