#include "nanoscape/core/parameters.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace nanoscape {

ParameterValue::ParameterValue() = default;
ParameterValue::~ParameterValue() = default;
ParameterValue::ParameterValue(const ParameterValue&) = default;
ParameterValue::ParameterValue(ParameterValue&&) noexcept = default;
ParameterValue& ParameterValue::operator=(const ParameterValue&) = default;
ParameterValue& ParameterValue::operator=(ParameterValue&&) noexcept = default;

using Kind = ParameterValue::Kind;

const char* ParameterValue::kind_name(Kind kind) {
    switch (kind) {
        case Kind::boolean: return "a boolean";
        case Kind::integer: return "an integer";
        case Kind::real: return "a number";
        case Kind::string: return "a string";
        case Kind::array: return "an array";
        case Kind::table: return "a table";
    }
    return "a value";
}

ParameterValue ParameterValue::of(bool value) {
    ParameterValue v;
    v.kind = Kind::boolean;
    v.boolean = value;
    return v;
}
ParameterValue ParameterValue::of(std::int64_t value) {
    ParameterValue v;
    v.kind = Kind::integer;
    v.integer = value;
    return v;
}
ParameterValue ParameterValue::of(double value) {
    ParameterValue v;
    v.kind = Kind::real;
    v.real = value;
    return v;
}
ParameterValue ParameterValue::of(std::string value) {
    ParameterValue v;
    v.kind = Kind::string;
    v.string = std::move(value);
    return v;
}
ParameterValue ParameterValue::of(const std::vector<double>& values) {
    ParameterValue v;
    v.kind = Kind::array;
    for (double x : values) v.array.push_back(of(x));
    return v;
}
ParameterValue ParameterValue::of(const std::vector<std::string>& values) {
    ParameterValue v;
    v.kind = Kind::array;
    for (const auto& s : values) v.array.push_back(of(s));
    return v;
}

ParameterTable::ParameterTable(std::string name) : name_(std::move(name)) {}

ParameterTable::ParameterTable(ParameterValue value, std::string name)
    : value_(std::move(value)), name_(std::move(name)) {
    if (value_.kind != Kind::table)
        throw InputError(value_.where, fmt::format("[{}] must be a table", name_));
}

const ParameterValue* ParameterTable::find(std::string_view key) const {
    for (const auto& [k, v] : value_.table)
        if (k == key) return &v;
    return nullptr;
}

bool ParameterTable::has(std::string_view key) const { return find(key) != nullptr; }

std::vector<std::string> ParameterTable::keys() const {
    std::vector<std::string> out;
    for (const auto& entry : value_.table) out.push_back(entry.first);
    return out;
}

SourceLocation ParameterTable::where(std::string_view key) const {
    const ParameterValue* v = find(key);
    return v ? v->where : value_.where;
}

InputError ParameterTable::error(std::string_view key, const std::string& message) const {
    const std::string table = name_.empty() ? std::string{} : fmt::format("[{}] ", name_);
    return InputError(where(key), fmt::format("{}key '{}': {}", table, key, message));
}

const ParameterValue& ParameterTable::require(std::string_view key) const {
    const ParameterValue* v = find(key);
    if (!v) throw error(key, "is required but missing");
    return *v;
}

const ParameterValue& ParameterTable::require_kind(std::string_view key, Kind kind) const {
    const ParameterValue& v = require(key);
    const bool ok = v.kind == kind || (kind == Kind::real && v.kind == Kind::integer);
    if (!ok)
        throw error(key, fmt::format("expected {}, got {}", ParameterValue::kind_name(kind),
                                     ParameterValue::kind_name(v.kind)));
    return v;
}

double ParameterTable::require_real(std::string_view key) const {
    const ParameterValue& v = require_kind(key, Kind::real);
    const double x = v.kind == Kind::integer ? static_cast<double>(v.integer) : v.real;
    if (!std::isfinite(x)) throw error(key, "must be a finite number");
    return x;
}

double ParameterTable::get_real(std::string_view key, double fallback) const {
    return has(key) ? require_real(key) : fallback;
}

std::optional<double> ParameterTable::get_optional_real(std::string_view key) const {
    if (!has(key)) return std::nullopt;
    return require_real(key);
}

std::int64_t ParameterTable::require_integer(std::string_view key) const {
    return require_kind(key, Kind::integer).integer;
}

std::int64_t ParameterTable::get_integer(std::string_view key, std::int64_t fallback) const {
    return has(key) ? require_integer(key) : fallback;
}

std::int64_t ParameterTable::get_integer_in(std::string_view key, std::int64_t fallback, std::int64_t lowest,
                                            std::int64_t highest) const {
    const std::int64_t v = get_integer(key, fallback);
    if (v < lowest || v > highest) throw error(key, fmt::format("must be in {}..{}, got {}", lowest, highest, v));
    return v;
}

bool ParameterTable::get_bool(std::string_view key, bool fallback) const {
    return has(key) ? require_kind(key, Kind::boolean).boolean : fallback;
}

std::string ParameterTable::require_string(std::string_view key) const {
    return require_kind(key, Kind::string).string;
}

std::string ParameterTable::get_string(std::string_view key, std::string_view fallback) const {
    return has(key) ? require_string(key) : std::string(fallback);
}

std::vector<std::string> ParameterTable::get_string_array(std::string_view key) const {
    std::vector<std::string> out;
    if (!has(key)) return out;
    for (const auto& item : require_kind(key, Kind::array).array) {
        if (item.kind != Kind::string)
            throw error(key, fmt::format("expected an array of strings, found {}",
                                         ParameterValue::kind_name(item.kind)));
        out.push_back(item.string);
    }
    return out;
}

std::vector<double> ParameterTable::get_real_array(std::string_view key) const {
    std::vector<double> out;
    if (!has(key)) return out;
    for (const auto& item : require_kind(key, Kind::array).array) {
        if (item.kind == Kind::real)
            out.push_back(item.real);
        else if (item.kind == Kind::integer)
            out.push_back(static_cast<double>(item.integer));
        else
            throw error(key, fmt::format("expected an array of numbers, found {}",
                                         ParameterValue::kind_name(item.kind)));
    }
    return out;
}

ParameterTable ParameterTable::get_table(std::string_view key) const {
    const std::string child = name_.empty() ? std::string(key) : fmt::format("{}.{}", name_, key);
    if (!has(key)) {
        ParameterTable empty(child);
        empty.value_.where = value_.where;
        return empty;
    }
    return ParameterTable(require_kind(key, Kind::table), child);
}

std::vector<ParameterTable> ParameterTable::get_table_array(std::string_view key) const {
    std::vector<ParameterTable> out;
    if (!has(key)) return out;
    const auto& items = require_kind(key, Kind::array).array;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string child = fmt::format("{}{}{}[{}]", name_, name_.empty() ? "" : ".", key, i);
        if (items[i].kind != Kind::table)
            throw error(key, fmt::format("expected an array of tables, element {} is {}", i,
                                         ParameterValue::kind_name(items[i].kind)));
        out.emplace_back(items[i], child);
    }
    return out;
}

void ParameterTable::allow_only(std::initializer_list<std::string_view> allowed) const {
    allow_only(std::vector<std::string>(allowed.begin(), allowed.end()));
}

void ParameterTable::allow_only(const std::vector<std::string>& allowed) const {
    for (const auto& [key, v] : value_.table) {
        if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
        const std::string valid = fmt::format("{}", fmt::join(allowed, ", "));
        const std::string table = name_.empty() ? std::string{} : fmt::format("[{}] ", name_);
        throw InputError(v.where, fmt::format("{}unknown key '{}'{}; valid keys: {}", table, key,
                                              did_you_mean(key, allowed), valid));
    }
}

void ParameterTable::set(const std::string& key, ParameterValue value) {
    for (auto& [k, v] : value_.table)
        if (k == key) {
            v = std::move(value);
            return;
        }
    value_.table.emplace_back(key, std::move(value));
}

void ParameterTable::merge(const ParameterTable& overlay) {
    for (const auto& [k, v] : overlay.value_.table) set(k, v);
}

void ParameterTable::erase(std::string_view key) {
    std::erase_if(value_.table, [&](const auto& entry) { return entry.first == key; });
}

}  // namespace nanoscape
