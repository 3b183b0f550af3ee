#pragma once
/// @file Error types. Every failure nanoscape reports derives from nanoscape::Error; bad user
/// input (run files, structure files, arguments) is an InputError and ends with exit code 2.

#include <stdexcept>
#include <string>
#include <vector>

namespace nanoscape {

/// Where in a user's file something was found (1-based line and column; 0 = unknown).
struct SourceLocation {
    std::string file;  ///< path as the user gave it
    int line = 0;      ///< 1-based line, 0 if unknown
    int column = 0;    ///< 1-based column, 0 if unknown

    /// "file:line:column" with the unknown parts left out; empty if nothing is known.
    [[nodiscard]] std::string to_string() const;
};

/// Base of every nanoscape exception.
class Error : public std::runtime_error {
public:
    /// @param message complete, user-facing text
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

/// Bad input from the user: a file, key, value or argument. The CLI maps it to exit code 2.
class InputError : public Error {
public:
    /// @param where file/line/column of the offending input (may be empty)
    /// @param message what is wrong, without the location prefix
    InputError(const SourceLocation& where, const std::string& message);
    /// An input error with no location (for example a command-line argument).
    explicit InputError(const std::string& message) : Error(message) {}
};

/// A reference calculation that did not give a result: an external calculator crashed, hung
/// past its timeout, or answered with garbage or NaN. Evaluators catch it per candidate (the
/// candidate ends as `failed` with this message); the run goes on.
class CalculatorError : public Error {
public:
    /// @param message what happened, with the calculator's stderr where it said something
    explicit CalculatorError(const std::string& message) : Error(message) {}
};

/// The name from `candidates` closest to `name` by edit distance, or "" if none is close
/// enough to be a plausible misspelling.
[[nodiscard]] std::string closest_name(const std::string& name,
                                       const std::vector<std::string>& candidates);

/// " (did you mean 'x'?)" for the closest candidate, or "" if there is none.
[[nodiscard]] std::string did_you_mean(const std::string& name,
                                       const std::vector<std::string>& candidates);

}  // namespace nanoscape
