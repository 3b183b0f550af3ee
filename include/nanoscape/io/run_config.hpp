#pragma once
/// @file Run files (TOML) to a search set-up. Every table and key is checked; mistakes are
/// InputErrors naming file:line:column and the closest valid name. See docs/run-file.md.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "nanoscape/core/parameters.hpp"
#include "nanoscape/potentials/potential.hpp"
#include "nanoscape/relax/relaxer.hpp"
#include "nanoscape/search/search_state.hpp"

namespace nanoscape {

/// Command-line values that override the run file.
struct RunOverrides {
    std::optional<std::uint64_t> seed;      ///< --seed
    std::optional<std::string> output;      ///< --output
};

/// A validated run: settings, the objects it needs, where results go.
struct RunConfig {
    std::string path;                       ///< the run file
    SearchSettings settings;                ///< search settings (composition, seed, driver, stop, ...)
    std::unique_ptr<Potential> potential;   ///< reference calculator
    std::unique_ptr<Relaxer> relaxer;       ///< local optimiser
    std::string output_directory;           ///< run directory
    std::string formula;                    ///< e.g. "Ag27Cu7"
};

/// Reads and validates a run file; builds the potential and relaxer. Nothing is written.
[[nodiscard]] RunConfig load_run_config(const std::string& path, const RunOverrides& overrides = {});

/// Tables a run file may have.
[[nodiscard]] std::vector<std::string> run_file_tables();

}  // namespace nanoscape
