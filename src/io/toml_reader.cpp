#include "nanoscape/io/toml_reader.hpp"

#include <cctype>
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

bool is_bare_key(const std::string& key) {
    if (key.empty()) return false;
    for (char c : key)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
    return true;
}

std::string format_inline(const ParameterValue& v);

// Bare keys as they are; anything else as a quoted TOML string.
std::string toml_key(const std::string& key) {
    return is_bare_key(key) ? key : format_inline(ParameterValue::of(key));
}

std::string format_inline(const ParameterValue& v) {
    switch (v.kind) {
    case ParameterValue::Kind::boolean:
        return v.boolean ? "true" : "false";
    case ParameterValue::Kind::integer:
        return fmt::format("{}", v.integer);
    case ParameterValue::Kind::real: {
        // Shortest round-trip form, always with a decimal point or exponent so TOML reads a float.
        std::string text = fmt::format("{}", v.real);
        if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
        return text;
    }
    case ParameterValue::Kind::string: {
        std::ostringstream out;
        out << toml::value<std::string>(v.string);
        return out.str();
    }
    case ParameterValue::Kind::array: {
        std::string text = "[";
        for (std::size_t i = 0; i < v.array.size(); ++i) text += (i ? ", " : "") + format_inline(v.array[i]);
        return text + "]";
    }
    case ParameterValue::Kind::table: {
        std::string text = "{ ";
        for (std::size_t i = 0; i < v.table.size(); ++i)
            text += fmt::format("{}{} = {}", i ? ", " : "", toml_key(v.table[i].first), format_inline(v.table[i].second));
        return text + (v.table.empty() ? "}" : " }");
    }
    }
    return {};
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

std::string format_toml(const ParameterValue& root) {
    std::string text;
    for (const auto& [key, value] : root.table)
        if (value.kind != ParameterValue::Kind::table)
            text += fmt::format("{} = {}\n", toml_key(key), format_inline(value));
    for (const auto& [key, value] : root.table) {
        if (value.kind != ParameterValue::Kind::table) continue;
        text += fmt::format("\n[{}]\n", toml_key(key));
        for (const auto& [k, v] : value.table) text += fmt::format("{} = {}\n", toml_key(k), format_inline(v));
    }
    return text;
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
