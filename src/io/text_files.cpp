#include "nanoscape/io/text_files.hpp"

#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "nanoscape/core/error.hpp"

namespace nanoscape {

namespace {

// True for an array of scalars, or of arrays of scalars: written on one line.
template <class Json>
bool is_flat(const Json& j) {
    if (!j.is_array()) return !j.is_object();
    for (const auto& e : j) {
        if (e.is_object()) return false;
        if (e.is_array())
            for (const auto& x : e)
                if (x.is_structured()) return false;
    }
    return true;
}

template <class Json>
void format_into(const Json& j, int depth, std::string& out) {
    if (is_flat(j)) {
        out += j.dump();
        return;
    }
    const std::string indent(static_cast<std::size_t>(2 * (depth + 1)), ' ');
    const bool object = j.is_object();
    out += object ? "{" : "[";
    if (j.empty()) {
        out += object ? "}" : "]";
        return;
    }
    bool first = true;
    for (auto it = j.begin(); it != j.end(); ++it) {
        out += first ? "\n" : ",\n";
        first = false;
        out += indent;
        if (object) out += fmt::format("{}: ", Json(it.key()).dump());
        format_into(*it, depth + 1, out);
    }
    out += '\n';
    out.append(static_cast<std::size_t>(2 * depth), ' ');
    out += object ? '}' : ']';
}

template <class Json>
std::string format_document(const Json& value) {
    std::string out;
    format_into(value, 0, out);
    out += '\n';
    return out;
}

}  // namespace

std::string format_json(const nlohmann::json& value) { return format_document(value); }

std::string format_json(const nlohmann::ordered_json& value) { return format_document(value); }

void write_text_atomically(const std::filesystem::path& path, const std::string& text) {
    const std::filesystem::path tmp = path.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << text;
        out.flush();
        if (!out) throw Error(fmt::format("cannot write {}", tmp.string()));
    }
    std::filesystem::rename(tmp, path);
}

}  // namespace nanoscape
