#pragma once
/// @file String-keyed registry of potentials.
///
/// Adding a potential: one header + one source with a `make_<name>(const ParameterTable&)`
/// factory, and one line in src/potentials/registry.cpp. The conformance tests run over every
/// entry, so a new potential is checked (forces, invariances, extensivity) without new tests.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nanoscape/core/parameters.hpp"
#include "nanoscape/core/registry.hpp"
#include "nanoscape/potentials/potential.hpp"

namespace nanoscape {

/// One registered potential.
struct PotentialEntry {
    std::string key;          ///< value of `type` in a [potential] table
    std::string summary;      ///< one line for --help and docs
    /// Builds the potential from a [potential] table (keys are validated by the factory).
    std::function<std::unique_ptr<Potential>(const ParameterTable&)> create;
    /// Parameter file (in inputs/potentials/) used when the table gives no parameters;
    /// empty if the factory has built-in defaults.
    std::string default_parameters;
    /// Species the conformance tests use with the default parameters.
    std::vector<std::string> test_elements;
};

/// All registered potentials, in registration order (`get(key, where)` finds one or names
/// the closest key).
[[nodiscard]] const Registry<PotentialEntry>& potential_registry();

/// Builds the potential described by `table` (its `type` key selects the entry). The table
/// must already hold the parameters (io/ merges parameter files into it).
[[nodiscard]] std::unique_ptr<Potential> create_potential(const ParameterTable& table);

}  // namespace nanoscape
