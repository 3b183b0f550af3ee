#pragma once
/// @file A small tree of configuration values with their source locations.
///
/// io/ turns TOML into this tree; every other module reads its settings from it, so nothing
/// below io/ sees TOML++. Reading a key through ParameterTable checks its type and reports
/// errors as "file:line:column: [table] key 'name': ..."; allow_only() rejects misspelt keys
/// and names the closest valid one.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nanoscape/core/error.hpp"

namespace nanoscape {

/// One configuration value: a scalar, an array or a table, with where it came from.
struct ParameterValue {
    enum class Kind { boolean, integer, real, string, array, table };

    Kind kind = Kind::table;                                    ///< which member holds the value
    bool boolean = false;                                       ///< Kind::boolean
    std::int64_t integer = 0;                                   ///< Kind::integer
    double real = 0.0;                                          ///< Kind::real
    std::string string;                                         ///< Kind::string
    std::vector<ParameterValue> array;                          ///< Kind::array
    std::vector<std::pair<std::string, ParameterValue>> table;  ///< Kind::table, in file order
    SourceLocation where;                                       ///< where the value was written

    // Defined where the type is complete (parameters.cpp): `table` holds ParameterValues, and
    // clang instantiates the members of std::vector<std::pair<..., ParameterValue>> eagerly.
    ParameterValue();
    ~ParameterValue();
    ParameterValue(const ParameterValue&);
    ParameterValue(ParameterValue&&) noexcept;
    ParameterValue& operator=(const ParameterValue&);
    ParameterValue& operator=(ParameterValue&&) noexcept;

    /// Human name of a kind for messages ("a number", "a string", ...).
    [[nodiscard]] static const char* kind_name(Kind kind);

    /// Constructors for values made in code (tests, command-line overrides).
    [[nodiscard]] static ParameterValue of(bool value);
    [[nodiscard]] static ParameterValue of(std::int64_t value);
    [[nodiscard]] static ParameterValue of(int value) { return of(static_cast<std::int64_t>(value)); }
    [[nodiscard]] static ParameterValue of(double value);
    [[nodiscard]] static ParameterValue of(std::string value);
    [[nodiscard]] static ParameterValue of(const char* value) { return of(std::string(value)); }
    /// An array of reals.
    [[nodiscard]] static ParameterValue of(const std::vector<double>& values);
    /// An array of strings.
    [[nodiscard]] static ParameterValue of(const std::vector<std::string>& values);
};

/// Read access to one table of a ParameterValue tree, with typed getters that report the
/// file, line, column, table and key of anything wrong.
class ParameterTable {
public:
    /// An empty table called `name` (messages say "[name]").
    explicit ParameterTable(std::string name = {});
    /// A view of `value` (must be a table) called `name`.
    ParameterTable(ParameterValue value, std::string name);

    /// Dotted name of this table as the user wrote it ("potential", "search.moves").
    [[nodiscard]] const std::string& name() const { return name_; }
    /// Where the table itself was written (file, and line if known).
    [[nodiscard]] const SourceLocation& where() const { return value_.where; }
    /// The underlying tree.
    [[nodiscard]] const ParameterValue& value() const { return value_; }

    /// True if the key is present.
    [[nodiscard]] bool has(std::string_view key) const;
    /// Keys present, in file order.
    [[nodiscard]] std::vector<std::string> keys() const;
    /// Where `key` was written; the table's location if absent.
    [[nodiscard]] SourceLocation where(std::string_view key) const;
    /// The raw value of `key`, or nullptr.
    [[nodiscard]] const ParameterValue* find(std::string_view key) const;

    /// Reals accept integers too. The `require_*` forms throw if the key is missing.
    [[nodiscard]] double get_real(std::string_view key, double fallback) const;
    [[nodiscard]] double require_real(std::string_view key) const;
    [[nodiscard]] std::optional<double> get_optional_real(std::string_view key) const;
    [[nodiscard]] std::int64_t get_integer(std::string_view key, std::int64_t fallback) const;
    /// get_integer() that also requires lowest <= value <= highest: "must be in 1..4096, got 0".
    [[nodiscard]] std::int64_t get_integer_in(std::string_view key, std::int64_t fallback, std::int64_t lowest,
                                              std::int64_t highest) const;
    [[nodiscard]] std::int64_t require_integer(std::string_view key) const;
    [[nodiscard]] bool get_bool(std::string_view key, bool fallback) const;
    [[nodiscard]] std::string get_string(std::string_view key, std::string_view fallback) const;
    [[nodiscard]] std::string require_string(std::string_view key) const;
    [[nodiscard]] std::vector<std::string> get_string_array(std::string_view key) const;
    [[nodiscard]] std::vector<double> get_real_array(std::string_view key) const;
    /// A sub-table; an empty one named "<this>.<key>" if absent.
    [[nodiscard]] ParameterTable get_table(std::string_view key) const;
    /// An array of tables (TOML [[key]]); empty if absent.
    [[nodiscard]] std::vector<ParameterTable> get_table_array(std::string_view key) const;

    /// Throws InputError for the first key not in `allowed`, naming the closest allowed key.
    void allow_only(std::initializer_list<std::string_view> allowed) const;
    /// Same with a runtime list.
    void allow_only(const std::vector<std::string>& allowed) const;

    /// Sets (or replaces) a key; used for defaults and command-line overrides.
    void set(const std::string& key, ParameterValue value);
    /// Copies every key of `overlay` into this table, replacing keys present in both.
    void merge(const ParameterTable& overlay);
    /// Removes a key if present.
    void erase(std::string_view key);

    /// An InputError located at `key` (or at the table if the key is absent):
    /// "file:line:col: [table] key 'key': message".
    [[nodiscard]] InputError error(std::string_view key, const std::string& message) const;

private:
    const ParameterValue& require(std::string_view key) const;
    const ParameterValue& require_kind(std::string_view key, ParameterValue::Kind kind) const;

    ParameterValue value_;
    std::string name_;
};

}  // namespace nanoscape
