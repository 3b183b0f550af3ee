#pragma once
/// @file Stop criteria and the generic progress of a search (counters every driver shares).

#include <optional>
#include <string>

#include "nanoscape/search/evaluator.hpp"

namespace nanoscape {

/// When a search stops: the first criterion met ends it; 0 means "no limit".
struct StopCriteria {
    long max_steps = 0;                   ///< search steps, all walkers together
    long max_evaluations = 0;             ///< reference energy+force evaluations
    double max_wall_time = 0.0;           ///< seconds, over all sessions of a resumed run
    std::optional<double> target_energy;  ///< eV (reduced units for LJ)
    double target_tolerance = 1e-6;       ///< reached when best <= target + tolerance

    /// True if any criterion is set.
    [[nodiscard]] bool any() const {
        return max_steps > 0 || max_evaluations > 0 || max_wall_time > 0 || target_energy.has_value();
    }
};

/// The step cap of a run that gives no stop criterion at all.
inline constexpr long default_max_steps = 1000;

/// Counters of a search, kept by the engine and saved in checkpoints.
struct SearchProgress {
    long steps = 0;             ///< search steps done (starting structures excluded)
    long rounds = 0;            ///< propose -> evaluate -> update rounds done
    long rows = 0;              ///< candidates evaluated (rows of trace.csv)
    EvaluationCounts counts;    ///< what the evaluator spent, as of the last round
    double elapsed = 0.0;       ///< wall time, seconds, over all sessions of a resumed run
    bool target_reached = false;       ///< the best reached the target energy
    long evaluations_to_target = 0;    ///< reference evaluations when the target was first reached
    long relaxations_to_target = 0;    ///< reference relaxations when the target was first reached
    long steps_to_target = 0;          ///< steps when the target was first reached
    std::string stop_reason;    ///< "" while running; "max_steps", "max_evaluations", "max_wall_time",
                                ///< "target_energy", "interrupted" or a driver's own reason
};

}  // namespace nanoscape
