#pragma once
/// @file Run files (TOML) to a search set-up. Every table and key is checked; mistakes are
/// InputErrors naming file:line:column and the closest valid name. See docs/run-file.md.
///
/// io builds the objects (potential, relaxer, driver) from the file; the driver reads its own
/// [search] keys through its registry entry, so nothing here knows a driver's internals.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nanoscape/core/parameters.hpp"
#include "nanoscape/potentials/potential.hpp"
#include "nanoscape/relax/relaxer.hpp"
#include "nanoscape/search/driver.hpp"
#include "nanoscape/search/engine.hpp"
#include "nanoscape/search/problem.hpp"

namespace nanoscape {

/// Command-line values that override the run file.
struct RunOverrides {
    std::optional<std::uint64_t> seed;           ///< --seed
    std::optional<std::string> output;           ///< --output
    std::optional<long> max_steps;               ///< --max-steps (0: no limit)
    std::optional<long> max_evaluations;         ///< --max-evaluations (0: no limit)
    std::optional<double> max_wall_time;         ///< --max-wall-time, seconds (0: no limit)
    std::optional<double> target_energy;         ///< --target-energy, eV
};

/// A validated run: what is searched, with what, how, and where results go.
struct RunConfig {
    std::string path;                      ///< the run file
    std::unique_ptr<Potential> potential;  ///< reference calculator (problem.potential points to it)
    SearchProblem problem;                 ///< composition, seed, starting structures
    std::unique_ptr<Relaxer> relaxer;      ///< local optimiser
    RelaxOptions relax;                    ///< relaxation settings
    EngineSettings engine;                 ///< stop criteria, archive, checkpoint intervals
    std::unique_ptr<Driver> driver;        ///< the search algorithm, with its own settings
    std::string output_directory;          ///< run directory
    std::vector<std::string> warnings;     ///< things worth telling the user before the run
    /// The command-line overrides that shaped this run (" --seed 3 --max-steps 6000"), for the
    /// "continue with --resume" hints: a resume without them would run with the file's values.
    std::string override_options;
};

/// Reads and validates a run file; builds the potential, relaxer and driver. Nothing is written.
[[nodiscard]] RunConfig load_run_config(const std::string& path, const RunOverrides& overrides = {});

/// The evaluator of a run: the local evaluator (the reference potential and relaxer of
/// `config`, in parallel on `threads` threads); where screening or MPI are configured, the
/// evaluators that wrap it. `config` must outlive it.
[[nodiscard]] std::unique_ptr<Evaluator> make_evaluator(const RunConfig& config, int threads);

/// Tables a run file may have.
[[nodiscard]] std::vector<std::string> run_file_tables();

/// "1000 steps, 600 s, target energy -173.928427" (or "no limit").
[[nodiscard]] std::string describe_stop(const StopCriteria& stop);

}  // namespace nanoscape
