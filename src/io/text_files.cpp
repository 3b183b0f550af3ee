#include "nanoscape/io/text_files.hpp"

#include <cmath>
#include <fstream>

#include <fmt/format.h>

#include "nanoscape/core/error.hpp"

namespace nanoscape {

std::string json_number(double x) { return std::isfinite(x) ? fmt::format("{}", x) : "null"; }

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out + "\"";
}

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
