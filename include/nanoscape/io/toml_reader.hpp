#pragma once
/// @file TOML files to and from ParameterTable. The only place in nanoscape that sees TOML++.

#include <string>
#include <string_view>

#include "nanoscape/core/parameters.hpp"

namespace nanoscape {

/// Parses a TOML file into a table named "" whose every value knows its file, line and
/// column. A syntax error or unreadable file is an InputError with file:line:column.
/// TOML dates and times are rejected (nanoscape has no keys that take them).
[[nodiscard]] ParameterTable read_toml_file(const std::string& path);

/// Same from text; `name` stands for the file name in messages.
[[nodiscard]] ParameterTable parse_toml(std::string_view text, const std::string& name);

/// TOML text for `root` (a table): scalars and arrays first, then one [section] per sub-table
/// (tables nested deeper become inline tables). Reals use the shortest text that reads back
/// to the same double, so parse_toml(format_toml(t)) holds the same values.
[[nodiscard]] std::string format_toml(const ParameterValue& root);

}  // namespace nanoscape
