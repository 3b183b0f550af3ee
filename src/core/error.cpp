#include "nanoscape/core/error.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace nanoscape {

std::string SourceLocation::to_string() const {
    if (file.empty()) return line > 0 ? fmt::format("line {}", line) : std::string{};
    if (line <= 0) return file;
    if (column <= 0) return fmt::format("{}:{}", file, line);
    return fmt::format("{}:{}:{}", file, line, column);
}

InputError::InputError(const SourceLocation& where, const std::string& message)
    : Error(where.to_string().empty() ? message : where.to_string() + ": " + message) {}

namespace {
// Levenshtein distance, case-insensitive: misspellings differ by case as often as by letters.
std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> previous(b.size() + 1), current(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                              std::tolower(static_cast<unsigned char>(b[j - 1]));
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1,
                                   previous[j - 1] + (same ? 0 : 1)});
        }
        std::swap(previous, current);
    }
    return previous[b.size()];
}
}  // namespace

std::string closest_name(const std::string& name, const std::vector<std::string>& candidates) {
    std::string best;
    std::size_t best_distance = std::string::npos;
    for (const auto& candidate : candidates) {
        const std::size_t d = edit_distance(name, candidate);
        if (d < best_distance) {
            best_distance = d;
            best = candidate;
        }
    }
    // More than about a third of the letters changed is no longer a misspelling.
    const std::size_t limit = std::max<std::size_t>(2, (name.size() + 2) / 3);
    return best_distance <= limit ? best : std::string{};
}

std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates) {
    const std::string best = closest_name(name, candidates);
    return best.empty() ? std::string{} : fmt::format(" (did you mean '{}'?)", best);
}

}  // namespace nanoscape
