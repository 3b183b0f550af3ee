#pragma once
/// @file Model files: the [surrogate] table of a model (or run) file, and saved models.
///
/// A saved model is a directory with
///   model.toml   [model] species, version, state file; [surrogate] every resolved key
///                (defaults filled in, fitted hyperparameters included), so it is itself a
///                model file `nanoscape fit` accepts;
///   model.state  the numeric state (surrogate/state_io.hpp records).

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "nanoscape/core/parameters.hpp"
#include "nanoscape/surrogate/selection.hpp"
#include "nanoscape/surrogate/surrogate.hpp"

namespace nanoscape {

/// A model file read for `nanoscape fit`: its [surrogate] table and the species it names
/// ([system] elements of a run file, [model] species of a saved model; empty if neither).
struct ModelFile {
    ParameterTable surrogate;      ///< the [surrogate] table
    std::vector<Species> species;  ///< sorted by Z; may be empty
};

/// Reads `path` (TOML). Throws InputError with file:line if it is unreadable, malformed or
/// has no [surrogate] table (run-file tables beside it are allowed and ignored).
[[nodiscard]] ModelFile read_model_file(const std::string& path);

/// The training-set selection a [surrogate] table asks for: `selection = "fps"` or a table
/// `{ method = "fps", bin_width = ..., ... }` (keys of SelectionOptions), for `count`
/// structures with `seed`. Throws InputError with file:line and the closest name for an
/// unknown method or key.
[[nodiscard]] SelectionOptions read_selection_options(const ParameterTable& surrogate, std::size_t count,
                                                      std::uint64_t seed);

/// Writes `dir`/model.toml and `dir`/model.state (creating `dir`); each file is replaced
/// atomically. Throws Error if the directory cannot be written.
void save_model(const std::filesystem::path& dir, const Surrogate& model);

/// Loads a directory written by save_model. Throws InputError naming the file for anything
/// missing or malformed.
[[nodiscard]] std::unique_ptr<Surrogate> load_model(const std::filesystem::path& dir);

}  // namespace nanoscape
