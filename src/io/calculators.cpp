#include "nanoscape/io/calculators.hpp"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nanoscape/core/elements.hpp"
#include "nanoscape/io/external_potential.hpp"
#include "nanoscape/io/model_store.hpp"
#include "nanoscape/io/reference_calls.hpp"
#include "nanoscape/io/text_files.hpp"
#include "nanoscape/io/toml_reader.hpp"
#include "nanoscape/potentials/registry.hpp"
#include "nanoscape/surrogate/surrogate_potential.hpp"

namespace nanoscape {

namespace fs = std::filesystem;

const Registry<CalculatorEntry>& calculator_registry() {
    // One line per type: key, summary, factory.
    static const Registry<CalculatorEntry> registry("potential type", "valid types", {
        {"external", "any program speaking the extended-XYZ calculator protocol (docs/potentials.md)",
         make_external_potential},
        {"ase", "any ASE calculator, served by tools/ase_calculator.py", make_ase_potential},
        {"surrogate", "a model trained by `nanoscape fit` (its mean energy and forces)", make_surrogate_potential},
    });
    return registry;
}

std::vector<std::string> potential_type_keys() {
    std::vector<std::string> keys = potential_registry().keys();
    for (const auto& k : calculator_registry().keys()) keys.push_back(k);
    return keys;
}

void throw_unknown_potential_type(const std::string& type, const SourceLocation& where) {
    const auto keys = potential_type_keys();
    throw InputError(where, fmt::format("unknown potential type '{}'{}; valid types: {}", type, did_you_mean(type, keys),
                                        fmt::join(keys, ", ")));
}

namespace {

Species species_at(const std::string& symbol, const ParameterTable& table, const std::string& key) {
    try {
        return species_from_symbol(symbol);
    } catch (const InputError& e) {
        throw table.error(key, e.what());
    }
}

}  // namespace

std::vector<Species> read_species_list(const ParameterTable& table, const std::string& key) {
    std::vector<Species> out;
    for (const auto& name : table.get_string_array(key)) out.push_back(species_at(name, table, key));
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

PairDistances read_pair_distances(const ParameterTable& table, const std::vector<Species>& species) {
    PairDistances out;
    const ParameterValue* v = table.find("pair_distance");
    if (!v) return out;
    if (v->kind == ParameterValue::Kind::real || v->kind == ParameterValue::Kind::integer) {
        const double d = table.require_real("pair_distance");
        if (!(d > 0)) throw table.error("pair_distance", "must be positive (Angstrom)");
        if (species.empty())
            throw table.error("pair_distance", "a single distance needs `elements` (the pairs it applies to)");
        for (Species a : species)
            for (Species b : species)
                if (a <= b) out[{a, b}] = d;
        return out;
    }
    const ParameterTable pairs = table.get_table("pair_distance");
    for (const auto& key : pairs.keys()) {
        const auto dash = key.find('-');
        if (dash == std::string::npos) throw pairs.error(key, "is not a pair: write \"Au-Pt\" = 2.8 (Angstrom)");
        Species a = species_at(key.substr(0, dash), pairs, key);
        Species b = species_at(key.substr(dash + 1), pairs, key);
        if (a > b) std::swap(a, b);
        const double d = pairs.require_real(key);
        if (!(d > 0)) throw pairs.error(key, "must be positive (Angstrom)");
        out[{a, b}] = d;
    }
    return out;
}

int calculator_workers(const Potential& potential) {
    const Potential* p = &potential;
    if (const auto* logged = dynamic_cast<const LoggedPotential*>(p)) p = &logged->inner();
    const auto* external = dynamic_cast<const ExternalPotential*>(p);
    return external ? external->settings().workers : 0;
}

bool is_model_path(const std::string& path) {
    const fs::path p(path);
    const fs::path toml = is_directory_quietly(p) ? p / "model.toml" : p;
    if (toml.filename() != "model.toml" || !is_file_quietly(toml)) return false;
    try {
        return read_toml_file(toml.string()).has("model");
    } catch (const Error&) {
        return false;
    }
}

std::unique_ptr<Potential> make_surrogate_potential(const ParameterTable& table, const std::string& base_dir) {
    table.allow_only({"type", "model", "pair_distance", "description"});
    const std::string given = table.require_string("model");
    fs::path dir = path_against(given, base_dir);
    if (dir.filename() == "model.toml") dir = dir.parent_path();
    if (!is_directory_quietly(dir))
        throw table.error("model", fmt::format("no model directory {} (what `nanoscape fit -o DIR` writes)", dir.string()));
    std::shared_ptr<const Surrogate> model = load_model(dir);
    const auto& species = model->descriptor().species();
    return std::make_unique<SurrogatePotential>(model, table.get_string("description", given),
                                                read_pair_distances(table, species));
}

}  // namespace nanoscape
