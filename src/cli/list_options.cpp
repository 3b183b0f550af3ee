#include "list_options.hpp"

#include <fmt/format.h>

#include "nanoscape/core/error.hpp"

namespace nanoscape::cli {

std::string trim(const std::string& text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

std::vector<std::string> split_list(const std::string& text, char separator) {
    std::vector<std::string> items;
    std::size_t start = 0;
    while (true) {
        const std::size_t end = text.find(separator, start);
        items.push_back(trim(text.substr(start, end == std::string::npos ? std::string::npos : end - start)));
        if (end == std::string::npos) return items;
        start = end + 1;
    }
}

std::vector<long> parse_integer_list(const std::string& text, const std::string& option, const std::string& hint) {
    std::vector<long> values;
    for (const auto& item : split_commas(text)) {
        std::size_t used = 0;
        long value = 0;
        try {
            value = std::stol(item, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (item.empty() || used != item.size())
            throw InputError(fmt::format("{} '{}': '{}' is not an integer ({})", option, text, item, hint));
        values.push_back(value);
    }
    return values;
}

std::vector<int> parse_shape_option(const std::string& text) {
    std::vector<int> shape;
    for (const long v : parse_integer_list(text, "--shape", "give comma-separated integers, e.g. 2,2,1"))
        shape.push_back(static_cast<int>(v));
    return shape;
}

}  // namespace nanoscape::cli
