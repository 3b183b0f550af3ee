#pragma once
// Option checks whose messages a user reads as written: "--fmax: must be > 0, got -1" (CLI11's
// own PositiveNumber prints the whole range of a double).

#include <cmath>
#include <string>

#include <CLI/CLI.hpp>

namespace nanoscape::cli {

namespace detail {

// The number in `text`, or NaN if it is not one (trailing characters included).
inline double parse_number(const std::string& text) {
    try {
        std::size_t used = 0;
        const double v = std::stod(text, &used);
        return used == text.size() ? v : std::nan("");
    } catch (const std::exception&) {
        return std::nan("");
    }
}

}  // namespace detail

/// A number > 0.
inline CLI::Validator positive() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            const double v = detail::parse_number(text);
            if (std::isnan(v)) return "must be a number, got " + text;
            return v > 0 ? std::string() : "must be > 0, got " + text;
        },
        "> 0");
}

/// A number >= 0.
inline CLI::Validator non_negative() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            const double v = detail::parse_number(text);
            if (std::isnan(v)) return "must be a number, got " + text;
            return v >= 0 ? std::string() : "must be >= 0, got " + text;
        },
        ">= 0");
}

/// A whole number >= `lowest`.
inline CLI::Validator whole_at_least(long lowest) {
    return CLI::Validator(
        [lowest](std::string& text) -> std::string {
            const double v = detail::parse_number(text);
            if (std::isnan(v) || v != std::floor(v)) return "must be a whole number, got " + text;
            return v >= static_cast<double>(lowest) ? std::string()
                                                    : "must be >= " + std::to_string(lowest) + ", got " + text;
        },
        ">= " + std::to_string(lowest));
}

}  // namespace nanoscape::cli
