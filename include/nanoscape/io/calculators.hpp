#pragma once
/// @file Potentials built by io rather than by the potentials module: calculators outside
/// nanoscape (`external`, `ase`) and trained models (`surrogate`). They share the [potential]
/// table and the one Registry mechanism; load_potential() looks a `type` up in the potentials'
/// registry and then here, and an unknown type names the closest key of both.

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nanoscape/core/parameters.hpp"
#include "nanoscape/core/registry.hpp"
#include "nanoscape/potentials/potential.hpp"

namespace nanoscape {

/// One potential type built in io.
struct CalculatorEntry {
    std::string key;      ///< value of `type` in a [potential] table
    std::string summary;  ///< one line for `nanoscape list` and docs
    /// Builds the potential from its table; relative paths are against `base_dir`.
    std::function<std::unique_ptr<Potential>(const ParameterTable&, const std::string& base_dir)> create;
};

/// external, ase, surrogate.
[[nodiscard]] const Registry<CalculatorEntry>& calculator_registry();

/// Every `type` a [potential] table may have: the potentials' registry, then calculator_registry().
[[nodiscard]] std::vector<std::string> potential_type_keys();

/// Throws the InputError of an unknown potential type (closest key over potential_type_keys()).
[[noreturn]] void throw_unknown_potential_type(const std::string& type, const SourceLocation& where);

/// The element symbols of array `key` as species sorted by Z; InputError at the key for an
/// unknown symbol. Empty if the key is absent.
[[nodiscard]] std::vector<Species> read_species_list(const ParameterTable& table, const std::string& key);

/// `pair_distance` of a calculator table: a number for every pair of `species` (which must then
/// be given), or a table { "Au-Pt" = 2.8, ... } (Angstrom). Keys are pairs a <= b by Z.
[[nodiscard]] PairDistances read_pair_distances(const ParameterTable& table, const std::vector<Species>& species);

/// `[potential] type = "surrogate"`, `model = "MODEL_DIR"` (a directory written by `fit`, or its
/// model.toml), optional `pair_distance`.
[[nodiscard]] std::unique_ptr<Potential> make_surrogate_potential(const ParameterTable& table, const std::string& base_dir);

/// The number of calculations `potential` can run at once: an external calculator's `workers`
/// (seen through a LoggedPotential too), 0 for the compiled potentials.
[[nodiscard]] int calculator_workers(const Potential& potential);

/// True if `path` is a model directory written by `fit` (it holds model.toml with a [model]
/// table) or such a model.toml.
[[nodiscard]] bool is_model_path(const std::string& path);

}  // namespace nanoscape
