#include "nanoscape/io/model_store.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nanoscape/core/error.hpp"
#include "nanoscape/core/version.hpp"
#include "nanoscape/io/text_files.hpp"
#include "nanoscape/io/toml_reader.hpp"

namespace nanoscape {

namespace fs = std::filesystem;

namespace {

std::vector<Species> read_species(const ParameterTable& table, const char* key) {
    std::vector<Species> species;
    if (!table.has(key)) return species;
    for (const auto& symbol_text : table.get_string_array(key)) {
        try {
            species.push_back(species_from_symbol(symbol_text));
        } catch (const InputError& e) {
            throw table.error(key, e.what());
        }
    }
    return unique_species(species);
}

}  // namespace

ModelFile read_model_file(const std::string& path) {
    const ParameterTable root = read_toml_file(path);
    if (!root.has("surrogate"))
        throw InputError({path, 0, 0}, "no [surrogate] table: a model file needs one, e.g.\n  [surrogate]\n"
                                       "  type = \"gpr\"");
    ModelFile file;
    file.surrogate = root.get_table("surrogate");
    if (root.has("system")) file.species = read_species(root.get_table("system"), "elements");
    if (root.has("model")) {
        const auto from_model = read_species(root.get_table("model"), "species");
        file.species.insert(file.species.end(), from_model.begin(), from_model.end());
        file.species = unique_species(file.species);
    }
    return file;
}

SelectionOptions read_selection_options(const ParameterTable& surrogate, std::size_t count, std::uint64_t seed) {
    SelectionOptions s;
    s.count = count;
    s.seed = seed;
    if (const auto* v = surrogate.find("selection")) {
        if (v->kind == ParameterValue::Kind::string) {
            s.method = v->string;
        } else {
            const ParameterTable t = surrogate.get_table("selection");
            t.allow_only({"method", "bin_width", "r_min", "r_max", "singular_vectors", "initial", "batch"});
            s.method = t.get_string("method", s.method);
            s.bin_width = t.get_real("bin_width", s.bin_width);
            s.r_min = t.get_real("r_min", s.r_min);
            s.r_max = t.get_real("r_max", s.r_max);
            s.singular_vectors = static_cast<std::size_t>(t.get_integer("singular_vectors", static_cast<std::int64_t>(s.singular_vectors)));
            s.initial = static_cast<std::size_t>(t.get_integer("initial", static_cast<std::int64_t>(s.initial)));
            s.batch = static_cast<std::size_t>(t.get_integer("batch", static_cast<std::int64_t>(s.batch)));
        }
    }
    const auto methods = selection_registry().keys();
    if (std::find(methods.begin(), methods.end(), s.method) == methods.end())
        throw surrogate.error("selection", fmt::format("unknown selection method '{}'{}; valid: {}", s.method,
                                                       did_you_mean(s.method, methods), fmt::join(methods, ", ")));
    return s;
}


void save_model(const fs::path& dir, const Surrogate& model) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error(fmt::format("cannot create {}: {}", dir.string(), ec.message()));
    std::ostringstream state;
    model.save_state(state);
    write_text_atomically(dir / "model.state", state.str());

    ParameterValue root;
    ParameterTable header("model");
    std::vector<std::string> symbols;
    for (const Species z : model.descriptor().species()) symbols.push_back(symbol(z));
    header.set("species", ParameterValue::of(symbols));
    header.set("state", ParameterValue::of("model.state"));
    header.set("training_structures", ParameterValue::of(static_cast<std::int64_t>(model.training_size())));
    header.set("version", ParameterValue::of(version()));
    root.table.emplace_back("model", header.value());
    root.table.emplace_back("surrogate", model.settings().value());
    const std::string text =
        fmt::format("# {}\n# Written by nanoscape {}; load with nanoscape, or use as a model file for "
                    "`nanoscape fit`.\n",
                    model.description(), version()) +
        format_toml(root);
    write_text_atomically(dir / "model.toml", text);
}

std::unique_ptr<Surrogate> load_model(const fs::path& dir) {
    const fs::path toml_path = dir / "model.toml";
    if (!fs::exists(toml_path))
        throw InputError(fmt::format("{}: not a saved model (no model.toml; write one with nanoscape fit -o {})",
                                     dir.string(), dir.string()));
    const ModelFile file = read_model_file(toml_path.string());
    if (file.species.empty()) throw InputError({toml_path.string(), 0, 0}, "[model] species is missing");
    auto model = create_surrogate(file.surrogate, file.species);
    const fs::path state_path = dir / "model.state";
    std::ifstream in(state_path);
    if (!in) throw InputError(fmt::format("cannot read {}", state_path.string()));
    model->load_state(in, state_path.string());
    return model;
}

}  // namespace nanoscape
