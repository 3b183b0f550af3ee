#include "nanoscape/io/potential_loader.hpp"

#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nanoscape/io/toml_reader.hpp"
#include "nanoscape/potentials/registry.hpp"
#include "nanoscape_build_info.hpp"

namespace nanoscape {

namespace fs = std::filesystem;

std::vector<std::string> parameter_directories() {
    std::vector<std::string> dirs;
    if (const char* env = std::getenv("NANOSCAPE_DATA_DIR"); env && *env) dirs.emplace_back(env);
    dirs.emplace_back(NANOSCAPE_SOURCE_DIR "/inputs/potentials");
    return dirs;
}

std::string find_parameter_file(const std::string& name, const std::string& base_dir, const SourceLocation& where) {
    std::vector<std::string> tried;
    const fs::path given(name);
    const fs::path first = given.is_absolute() || base_dir.empty() ? given : fs::path(base_dir) / given;
    tried.push_back(first.string());
    if (fs::is_regular_file(first)) return first.string();
    if (!given.is_absolute())
        for (const auto& dir : parameter_directories()) {
            const fs::path candidate = fs::path(dir) / given;
            tried.push_back(candidate.string());
            if (fs::is_regular_file(candidate)) return candidate.string();
        }
    throw InputError(where, fmt::format("parameter file '{}' not found (looked for {})", name, fmt::join(tried, ", ")));
}

ParameterTable resolve_potential_table(const ParameterTable& table, const std::string& base_dir) {
    if (!table.has("type") && !table.has("parameters"))
        throw table.error("type", fmt::format("is required (one of: {})", fmt::join(potential_keys(), ", ")));
    std::string file;
    if (table.has("parameters")) {
        file = find_parameter_file(table.require_string("parameters"), base_dir, table.where("parameters"));
    } else {
        const auto& entry = find_potential(table.require_string("type"), table.where("type"));
        // Only the type (and perhaps a variant) given: use the entry's default parameter set.
        const auto keys = table.keys();
        const bool only_selection = std::all_of(keys.begin(), keys.end(), [](const std::string& k) {
            return k == "type" || k == "variant";
        });
        if (!entry.default_parameters.empty() && only_selection)
            file = find_parameter_file(entry.default_parameters, base_dir, table.where("type"));
    }
    if (file.empty()) return table;

    ParameterTable base = read_toml_file(file);
    if (base.has("potential")) base = base.get_table("potential");  // a run file used as parameters
    ParameterTable merged(base.value(), table.name());
    ParameterTable overlay = table;
    overlay.erase("parameters");
    if (base.has("type") && overlay.has("type") && base.require_string("type") != overlay.require_string("type"))
        throw table.error("type", fmt::format("is \"{}\" but the parameter file {} is for \"{}\"",
                                              overlay.require_string("type"), file, base.require_string("type")));
    merged.merge(overlay);
    return merged;
}

std::unique_ptr<Potential> load_potential(const ParameterTable& table, const std::string& base_dir) {
    return create_potential(resolve_potential_table(table, base_dir));
}

std::unique_ptr<Potential> load_potential_spec(const std::string& spec, const std::string& variant) {
    ParameterTable table("potential");
    std::string base_dir;
    const bool is_file = spec.find('/') != std::string::npos || spec.ends_with(".toml") || fs::exists(spec);
    if (is_file) {
        if (!fs::exists(spec))
            throw InputError(fmt::format("--potential: no file '{}' (a SPEC is a registry key such as {}, or a file)",
                                         spec, fmt::join(potential_keys(), ", ")));
        ParameterTable file = read_toml_file(spec);
        table = file.has("potential") ? file.get_table("potential") : ParameterTable(file.value(), "potential");
        base_dir = fs::path(spec).parent_path().string();
    } else {
        (void)find_potential(spec);  // unknown key: InputError with the closest one
        table.set("type", ParameterValue::of(spec));
    }
    if (!variant.empty()) table.set("variant", ParameterValue::of(variant));
    return load_potential(table, base_dir);
}

}  // namespace nanoscape
