#pragma once
/// @file Small writers shared by every results file: JSON scalars and atomic replacement.

#include <filesystem>
#include <string>

namespace nanoscape {

/// Shortest text that reads back to the same double; NaN and infinity as JSON null.
[[nodiscard]] std::string json_number(double x);
/// A JSON string literal with quotes, backslashes and line breaks escaped.
[[nodiscard]] std::string json_string(const std::string& s);
/// Writes `text` to `path` through a temporary file and a rename, so readers (and a kill at
/// any moment) see either the old or the new file, never half of one. Throws Error.
void write_text_atomically(const std::filesystem::path& path, const std::string& text);

}  // namespace nanoscape
