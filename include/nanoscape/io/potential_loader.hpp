#pragma once
/// @file Building potentials from run files, parameter files and command-line SPECs.

#include <memory>
#include <string>
#include <vector>

#include "nanoscape/core/parameters.hpp"
#include "nanoscape/potentials/potential.hpp"

namespace nanoscape {

/// PREFIX/share/nanoscape/`relative` of an installed nanoscape (the running program is
/// PREFIX/bin/nanoscape) if it exists; empty for a program that is not installed (build/nanoscape).
[[nodiscard]] std::string installed_data_path(const std::string& relative);

/// Directories searched for parameter files after the file's own directory: $NANOSCAPE_DATA_DIR
/// (if set), then for an installed program PREFIX/share/nanoscape/potentials, otherwise
/// inputs/potentials of the source tree it was built from.
[[nodiscard]] std::vector<std::string> parameter_directories();

/// Finds a parameter file: `name` as given (relative names against `base_dir`), then in each
/// parameter_directories() entry. Throws InputError listing the places tried.
[[nodiscard]] std::string find_parameter_file(const std::string& name, const std::string& base_dir,
                                              const SourceLocation& where = {});

/// The complete [potential] table: `parameters = "file"` is read and the table's own keys
/// override the file's (so a run file can pick a `variant`); a type with a default
/// parameter file and no parameters gets that file. `base_dir` resolves relative paths.
[[nodiscard]] ParameterTable resolve_potential_table(const ParameterTable& table, const std::string& base_dir);

/// Builds the potential of a [potential] table (see resolve_potential_table).
[[nodiscard]] std::unique_ptr<Potential> load_potential(const ParameterTable& table, const std::string& base_dir);

/// Builds a potential from a command-line SPEC: a registry key with default parameters
/// ("lj", "gupta"); a potential file (*.toml with a top-level `type`); or a run file whose
/// [potential] table is used. `variant` (may be empty) selects a variant of the set.
[[nodiscard]] std::unique_ptr<Potential> load_potential_spec(const std::string& spec, const std::string& variant);

}  // namespace nanoscape
