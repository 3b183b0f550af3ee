#pragma once
// Comma-separated option values ("2,2,1", "random,fps"), shared by the commands.

#include <string>
#include <vector>

namespace nanoscape::cli {

/// `text` without leading and trailing blanks and tabs.
std::string trim(const std::string& text);

/// Splits `text` at `separator`, trimming blanks around each item; empty items are kept so
/// callers can reject them.
std::vector<std::string> split_list(const std::string& text, char separator);
/// split_list at commas.
inline std::vector<std::string> split_commas(const std::string& text) { return split_list(text, ','); }

/// Parses comma-separated integers. Throws InputError "OPTION 'text': 'item' is not an
/// integer (HINT)" for an empty or non-integer item.
std::vector<long> parse_integer_list(const std::string& text, const std::string& option, const std::string& hint);

/// The --shape option of `build` and `sample`: comma-separated integers ("2,2,1").
std::vector<int> parse_shape_option(const std::string& text);

}  // namespace nanoscape::cli
