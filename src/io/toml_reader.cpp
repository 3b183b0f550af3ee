#include "nanoscape/io/toml_reader.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

namespace nanoscape {

namespace {

SourceLocation location_of(const toml::node& node, const std::string& file) {
    const auto& begin = node.source().begin;
    return {file, static_cast<int>(begin.line), static_cast<int>(begin.column)};
}

ParameterValue convert(const toml::node& node, const std::string& file) {
    ParameterValue v;
    v.where = location_of(node, file);
    if (const auto* t = node.as_table()) {
        v.kind = ParameterValue::Kind::table;
        for (const auto& [key, child] : *t) v.table.emplace_back(std::string(key.str()), convert(child, file));
    } else if (const auto* a = node.as_array()) {
        v.kind = ParameterValue::Kind::array;
        for (const auto& child : *a) v.array.push_back(convert(child, file));
    } else if (const auto* s = node.as_string()) {
        v.kind = ParameterValue::Kind::string;
        v.string = s->get();
    } else if (const auto* i = node.as_integer()) {
        v.kind = ParameterValue::Kind::integer;
        v.integer = i->get();
    } else if (const auto* f = node.as_floating_point()) {
        v.kind = ParameterValue::Kind::real;
        v.real = f->get();
    } else if (const auto* b = node.as_boolean()) {
        v.kind = ParameterValue::Kind::boolean;
        v.boolean = b->get();
    } else {
        throw InputError(v.where, "dates and times are not accepted here");
    }
    return v;
}

}  // namespace

ParameterTable parse_toml(std::string_view text, const std::string& name) {
    try {
        const toml::table root = toml::parse(text, name);
        ParameterValue value = convert(root, name);
        value.where = {name, 0, 0};
        return ParameterTable(std::move(value), "");
    } catch (const toml::parse_error& e) {
        const auto& begin = e.source().begin;
        throw InputError({name, static_cast<int>(begin.line), static_cast<int>(begin.column)},
                         fmt::format("TOML syntax error: {}", e.description()));
    }
}

ParameterTable read_toml_file(const std::string& path) {
    if (std::filesystem::is_directory(path)) throw InputError(fmt::format("cannot read {}: it is a directory", path));
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
    std::ostringstream text;
    text << in.rdbuf();
    return parse_toml(text.str(), path);
}

}  // namespace nanoscape
