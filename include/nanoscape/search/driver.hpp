#pragma once
/// @file The Driver interface: a global-optimisation algorithm as propose -> update.
///
/// The engine (search/engine.hpp) loops: the driver proposes a batch of candidates, the
/// evaluator evaluates them, the driver updates its own state from the results (in candidate
/// order), and the engine does the generic bookkeeping (counters, archive, trace, stop
/// criteria, checkpoints). A driver draws random numbers only from streams keyed on what they
/// are for (SearchProblem::stream), never from the thread that happens to run, so results do
/// not depend on the thread count. Adding a driver: one header, one source, one line in
/// src/search/registry.cpp (docs/developers.md, "Adding a driver").

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "nanoscape/core/parameters.hpp"
#include "nanoscape/core/registry.hpp"
#include "nanoscape/search/evaluator.hpp"
#include "nanoscape/search/minima_archive.hpp"
#include "nanoscape/search/problem.hpp"
#include "nanoscape/search/progress.hpp"

namespace nanoscape {

/// What a driver may read of the search besides its own state.
struct SearchView {
    const SearchProblem& problem;    ///< composition, seed, starts, reference potential
    const MinimaArchive& archive;    ///< the unique minima so far (duplicate tests, the best)
    const SearchProgress& progress;  ///< counters
    /// The evaluator's trial surface for this round (Evaluator::trial_surface): a driver that
    /// makes many cheap trials makes them there if it is set, and proposes design structures
    /// while the evaluator asks for them.
    TrialSurface surface{};
};

/// The driver's verdict on one evaluated candidate.
struct StepOutcome {
    bool accepted = false;      ///< accepted into the walker / population (trace column `accepted`)
    std::vector<double> extra;  ///< values of the driver's trace_columns(), in order (empty: none)
};

/// A global-optimisation algorithm.
class Driver {
public:
    virtual ~Driver() = default;
    /// Registry key ("basin_hopping").
    [[nodiscard]] virtual std::string name() const = 0;
    /// One line for the log header: the settings as they will be used.
    [[nodiscard]] virtual std::string describe() const = 0;
    /// Settings a resumed run must share with its checkpoint (e.g. the number of walkers), as
    /// a JSON object of name -> value; the checkpoint names every one that differs.
    [[nodiscard]] virtual nlohmann::json identity() const = 0;
    /// The next batch: at most `max_steps` (>= 1) candidates that are not `initial`, plus any
    /// number of initial ones (starting structures). Empty only if stop_reason() is set.
    [[nodiscard]] virtual std::vector<Candidate> propose(const SearchView& view, long max_steps) = 0;
    /// The evaluations of the last proposal, in candidate order; one outcome per candidate.
    [[nodiscard]] virtual std::vector<StepOutcome> update(std::span<const Candidate> candidates,
                                                          std::span<const Evaluation> results,
                                                          const SearchView& view) = 0;
    /// A reason of the driver's own to stop (e.g. converged), or "" to go on.
    [[nodiscard]] virtual std::string stop_reason() const = 0;
    /// Names of the driver's own trace.csv columns (e.g. a population's diversity); every
    /// StepOutcome then carries one value per column. Fixed for the whole run.
    [[nodiscard]] virtual std::vector<std::string> trace_columns() const = 0;
    /// Everything a checkpoint needs to continue exactly (walkers, streams, move states).
    [[nodiscard]] virtual nlohmann::json save_state() const = 0;
    /// False if the structures it proposes may have another composition than the problem's
    /// (a semi-grand-canonical walk): a checkpoint's archive is then checked for the atom count
    /// only. True by default.
    [[nodiscard]] virtual bool fixed_composition() const { return true; }
    /// True if the driver keeps the geometry of its structures fixed (homotop Monte Carlo with
    /// relax = false): structures made for it elsewhere (a sweep's neighbour polish) are then
    /// evaluated as they are, not relaxed. False by default.
    [[nodiscard]] virtual bool fixed_geometry() const { return false; }
    /// Candidates a round proposes once started (walkers x trials, children, a batch): how many
    /// evaluator calls of one search can run at once. A sweep under MPI reads it to choose
    /// between spreading its compositions and spreading each composition's batches over the
    /// ranks (docs/scale.md). 1 by default.
    [[nodiscard]] virtual int batch_width() const { return 1; }
    /// The driver's own figures for summary.json (written under the driver's name), or null.
    [[nodiscard]] virtual nlohmann::json report() const;
    /// Restores save_state(); `problem` is the run's (structures must have its composition).
    /// Throws (nlohmann::json exceptions or InputError) on a malformed state.
    virtual void load_state(const nlohmann::json& state, const SearchProblem& problem) = 0;
};

/// One registered driver.
struct DriverEntry {
    std::string key;                ///< value of [search] driver
    std::string summary;            ///< one line for docs and listings
    std::vector<std::string> keys;  ///< its own keys in [search] (besides the engine's)
    /// Builds the driver from the [search] table (reads and validates its own keys). The
    /// driver must not keep references to the table or the problem (both may move); the
    /// problem is handed to every propose() and update() through the SearchView.
    std::function<std::unique_ptr<Driver>(const ParameterTable& search, const SearchProblem& problem)> create;
    /// [search] keys (TOML) of a small run that evaluates several candidates per round: the
    /// driver conformance tests run every driver with them.
    std::string example;
    /// Its [search] key that sets how many candidates it proposes per round ("offspring" of
    /// the GA), which [screening] candidates sets; "" if it has none.
    std::string batch_key;
};

/// Registered drivers, in registration order; the first is the default.
[[nodiscard]] const Registry<DriverEntry>& driver_registry();

/// Keys of [search] the engine reads for every driver: `driver`, the stop criteria and the
/// archive settings. (`moves` is a key of the drivers that make trial moves.)
[[nodiscard]] const std::vector<std::string>& engine_search_keys();

/// Builds the driver named by [search] driver (default: the first registered). Every key of
/// the table must be an engine key or one of the driver's own; a key of another driver is
/// reported as such, any other with the closest valid name.
[[nodiscard]] std::unique_ptr<Driver> create_driver(const ParameterTable& search, const SearchProblem& problem);

}  // namespace nanoscape
