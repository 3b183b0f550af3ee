#pragma once
/// @file Small writers shared by every results file: readable JSON and atomic replacement.

#include <filesystem>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace nanoscape {

/// JSON text (nlohmann::json) laid out for people: one key per line in objects, and arrays of
/// numbers, strings or short arrays of them (positions, counters) on one line. Numbers are
/// written in the shortest form that reads back to the same double. Ends with a newline.
[[nodiscard]] std::string format_json(const nlohmann::json& value);
/// The same for a JSON document that keeps its keys in insertion order (summary.json).
[[nodiscard]] std::string format_json(const nlohmann::ordered_json& value);

/// The JSON document in `path`; InputError naming the file if it cannot be read or is not JSON.
[[nodiscard]] nlohmann::json read_json_file(const std::filesystem::path& path);
/// `x` as a JSON number, or null if it is not finite (JSON has no NaN or infinity).
[[nodiscard]] nlohmann::ordered_json number_or_null(double x);

/// Throws InputError (bad input, exit code 2) unless a file can be written at `path`: its
/// directory exists, is a directory and is writable, and `path` is not a directory or a
/// read-only file. Commands call it before any work, so a typo in -o costs nothing.
/// `option` names the option in the message ("-o").
void check_output_file(const std::string& path, const std::string& option = "-o");

/// `path` as given if absolute (or `base_dir` is empty), otherwise relative to `base_dir`: how a
/// file named in a run or parameter file is found from that file's directory.
[[nodiscard]] std::filesystem::path path_against(const std::string& path, const std::string& base_dir);

/// std::filesystem::exists and is_regular_file that answer false instead of throwing for a
/// name the OS cannot look up (too long, say): such a file is not there, which callers report
/// as bad input.
[[nodiscard]] bool exists_quietly(const std::filesystem::path& path);
[[nodiscard]] bool is_file_quietly(const std::filesystem::path& path);
[[nodiscard]] bool is_directory_quietly(const std::filesystem::path& path);

/// Writes `text` to `path` through a temporary file and a rename, so readers (and a kill at
/// any moment) see either the old or the new file, never half of one. Throws Error.
void write_text_atomically(const std::filesystem::path& path, const std::string& text);

}  // namespace nanoscape
