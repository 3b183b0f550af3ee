#include "nanoscape/io/potential_loader.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nanoscape/io/calculators.hpp"
#include "nanoscape/io/text_files.hpp"
#include "nanoscape/io/toml_reader.hpp"
#include "nanoscape/potentials/eam.hpp"
#include "nanoscape/potentials/registry.hpp"
#include "nanoscape_build_info.hpp"

namespace nanoscape {


namespace fs = std::filesystem;

std::string installed_data_path(const std::string& relative) {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec) return {};
    const fs::path bin = exe.parent_path();
    if (!bin.has_parent_path() || !bin.string().ends_with(NANOSCAPE_INSTALL_BINDIR)) return {};
    fs::path prefix = bin;
    for (const auto& part : fs::path(NANOSCAPE_INSTALL_BINDIR)) {
        (void)part;
        prefix = prefix.parent_path();
    }
    const fs::path path = prefix / NANOSCAPE_INSTALL_DATADIR / relative;
    return exists_quietly(path) ? path.string() : std::string();
}

std::vector<std::string> parameter_directories() {
    std::vector<std::string> dirs;
    if (const char* env = std::getenv("NANOSCAPE_DATA_DIR"); env && *env) dirs.emplace_back(env);
    // An installed program reads the data installed with it, never a source tree that may have
    // moved on; a program in its build tree reads the source tree it was built from.
    if (const std::string installed = installed_data_path("potentials"); !installed.empty())
        dirs.push_back(installed);
    else
        dirs.emplace_back(NANOSCAPE_SOURCE_DIR "/inputs/potentials");
    return dirs;
}

std::string find_parameter_file(const std::string& name, const std::string& base_dir, const SourceLocation& where) {
    std::vector<std::string> tried;
    const fs::path given(name);
    const fs::path first = path_against(name, base_dir);
    tried.push_back(first.string());
    if (is_file_quietly(first)) return first.string();
    if (!given.is_absolute())
        for (const auto& dir : parameter_directories()) {
            const fs::path candidate = fs::path(dir) / given;
            tried.push_back(candidate.string());
            if (is_file_quietly(candidate)) return candidate.string();
        }
    throw InputError(where, fmt::format("parameter file '{}' not found (looked for {})", name, fmt::join(tried, ", ")));
}

namespace {

// Where LAMMPS's Debian package installs its potential files: the last place a data file
// (an EAM table) is looked for, so `Au_u3.eam` works by name.
constexpr const char* lammps_potentials_dir = "/usr/share/lammps/potentials";

// A data file named by a potential (`file`, `files`): like a parameter file (next to the file
// that names it, then the data directories), then in LAMMPS's potentials directory.
std::string find_data_file(const std::string& name, const std::string& base_dir, const SourceLocation& where) {
    std::vector<std::string> tried;
    const fs::path given(name);
    const fs::path first = path_against(name, base_dir);
    tried.push_back(first.string());
    if (is_file_quietly(first)) return first.string();
    if (!given.is_absolute()) {
        auto dirs = parameter_directories();
        dirs.emplace_back(lammps_potentials_dir);
        for (const auto& dir : dirs) {
            const fs::path candidate = fs::path(dir) / given;
            tried.push_back(candidate.string());
            if (is_file_quietly(candidate)) return candidate.string();
        }
    }
    throw InputError(where, fmt::format("data file '{}' not found (looked for {})", name, fmt::join(tried, ", ")));
}

// Replaces the data-file keys `file` (a path) and `files` (an array of paths) by the paths
// found, each resolved against the directory of the file it was written in (a value set in
// code, such as a command-line SPEC, against `base_dir`). Locations are kept for messages.
void resolve_data_files(ParameterTable& table, const std::string& base_dir) {
    const auto base_of = [&](const ParameterValue& v) {
        return v.where.file.empty() ? base_dir : fs::path(v.where.file).parent_path().string();
    };
    if (const ParameterValue* v = table.find("file"); v && v->kind == ParameterValue::Kind::string) {
        ParameterValue resolved = ParameterValue::of(find_data_file(v->string, base_of(*v), v->where));
        resolved.where = v->where;
        table.set("file", resolved);
    }
    if (const ParameterValue* v = table.find("files"); v && v->kind == ParameterValue::Kind::array) {
        ParameterValue resolved = *v;
        for (auto& item : resolved.array)
            if (item.kind == ParameterValue::Kind::string) {
                const SourceLocation where = item.where.file.empty() ? v->where : item.where;
                item.string = find_data_file(item.string, base_of(*v), where);
            }
        table.set("files", resolved);
    }
}

ParameterTable resolve_parameter_file(const ParameterTable& table, const std::string& base_dir) {
    if (!table.has("type") && !table.has("parameters"))
        throw table.error("type", fmt::format("is required (one of: {})", fmt::join(potential_type_keys(), ", ")));
    // Calculators outside nanoscape and trained models read their own keys (an ASE
    // calculator's `parameters` is a table of keyword arguments, not a parameter file).
    if (table.has("type") && calculator_registry().find(table.require_string("type"))) return table;
    if (table.has("type") && !potential_registry().find(table.require_string("type")))
        throw_unknown_potential_type(table.require_string("type"), table.where("type"));
    std::string file;
    if (table.has("parameters")) {
        file = find_parameter_file(table.require_string("parameters"), base_dir, table.where("parameters"));
    } else {
        const auto& entry = potential_registry().get(table.require_string("type"), table.where("type"));
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

}  // namespace

ParameterTable resolve_potential_table(const ParameterTable& table, const std::string& base_dir) {
    ParameterTable resolved = resolve_parameter_file(table, base_dir);
    resolve_data_files(resolved, base_dir);
    return resolved;
}

std::unique_ptr<Potential> load_potential(const ParameterTable& table, const std::string& base_dir) {
    const ParameterTable resolved = resolve_potential_table(table, base_dir);
    if (resolved.has("type"))
        if (const CalculatorEntry* entry = calculator_registry().find(resolved.require_string("type")))
            return entry->create(resolved, base_dir);
    return create_potential(resolved);
}

std::unique_ptr<Potential> load_potential_spec(const std::string& spec, const std::string& variant) {
    ParameterTable table("potential");
    std::string base_dir;
    // LAMMPS EAM tables as a SPEC: `X.eam.alloy`, `X.eam.fs`, `X.eam`, or funcfl files of an
    // alloy joined by commas (`Au_u3.eam,Pt_u3.eam`, as LAMMPS's pair_coeff lists them).
    std::vector<std::string> parts;
    for (std::size_t start = 0;;) {
        const auto comma = spec.find(',', start);
        parts.push_back(spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    const bool is_eam = std::all_of(parts.begin(), parts.end(), [](const std::string& p) { return is_eam_file_name(p); });
    if (is_eam) {
        table.set("type", ParameterValue::of("eam"));
        if (parts.size() == 1)
            table.set("file", ParameterValue::of(parts.front()));
        else
            table.set("files", ParameterValue::of(parts));
        if (!variant.empty()) table.set("variant", ParameterValue::of(variant));
        return load_potential(table, base_dir);
    }
    // A model written by `fit`: its directory or its model.toml.
    if (is_model_path(spec)) {
        table.set("type", ParameterValue::of("surrogate"));
        table.set("model", ParameterValue::of(spec));
        return load_potential(table, base_dir);
    }
    const bool is_file = spec.find('/') != std::string::npos || spec.ends_with(".toml") || exists_quietly(spec);
    if (is_file) {
        // A bare file name is also looked up where parameter files live (installed data, the
        // source tree's inputs/potentials), so `--potential gupta_agcu_ferrando.toml` works
        // from any directory.
        std::string path = spec;
        if (!exists_quietly(path) && spec.find('/') == std::string::npos)
            for (const auto& dir : parameter_directories())
                if (is_file_quietly(fs::path(dir) / spec)) {
                    path = (fs::path(dir) / spec).string();
                    break;
                }
        if (!exists_quietly(path))
            throw InputError(fmt::format("--potential: no file '{}' (a SPEC is a registry key such as {}, a potential "
                                         "or run file, or a model directory written by `fit`)",
                                         spec, fmt::join(potential_registry().keys(), ", ")));
        if (is_directory_quietly(path))
            throw InputError(fmt::format("--potential: {} is a directory without a model.toml, so not a model written "
                                         "by `fit -o DIR`",
                                         spec));
        ParameterTable file = read_toml_file(path);
        table = file.has("potential") ? file.get_table("potential") : ParameterTable(file.value(), "potential");
        base_dir = fs::path(path).parent_path().string();
    } else {
        if (!potential_registry().find(spec) && !calculator_registry().find(spec)) {
            // Not a type: most likely a path mistyped (a model directory, a file).
            const auto keys = potential_type_keys();
            if (closest_name(spec, keys).empty() && spec.find('.') != std::string::npos)
                throw InputError(fmt::format("--potential: no file or directory '{}' (a SPEC is a registry key such as "
                                             "{}, a potential or run file, or a model directory written by `fit`)",
                                             spec, fmt::join(potential_registry().keys(), ", ")));
            throw_unknown_potential_type(spec, {});
        }
        table.set("type", ParameterValue::of(spec));
    }
    if (!variant.empty()) table.set("variant", ParameterValue::of(variant));
    return load_potential(table, base_dir);
}

}  // namespace nanoscape
