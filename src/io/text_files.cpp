#include "nanoscape/io/text_files.hpp"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
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
    // A failed write (a full disk, a file-size limit) removes its temporary file and leaves
    // `path` as it was.
    const std::filesystem::path tmp = path.string() + ".tmp";
    const auto fail = [&](int error) {
        std::error_code ignored;
        std::filesystem::remove(tmp, ignored);
        throw Error(fmt::format("cannot write {}: {}", path.string(), error != 0 ? std::strerror(error) : "write failed"));
    };
    {
        errno = 0;
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) fail(errno);
        out << text;
        out.flush();
        out.close();
        if (!out) fail(errno);
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) fail(ec.value());
}

bool exists_quietly(const std::filesystem::path& path) {
    std::error_code ec;
    return std::filesystem::exists(path, ec);
}

bool is_file_quietly(const std::filesystem::path& path) {
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec);
}

std::filesystem::path path_against(const std::string& path, const std::string& base_dir) {
    const std::filesystem::path p(path);
    return p.is_absolute() || base_dir.empty() ? p : std::filesystem::path(base_dir) / p;
}

bool is_directory_quietly(const std::filesystem::path& path) {
    std::error_code ec;
    return std::filesystem::is_directory(path, ec);
}

nlohmann::json read_json_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw InputError(fmt::format("cannot read {}", path.string()));
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {  // a syntax error, or a number out of range
        throw InputError(fmt::format("{}: damaged JSON ({})", path.string(), e.what()));
    }
}

nlohmann::ordered_json number_or_null(double x) {
    return std::isfinite(x) ? nlohmann::ordered_json(x) : nlohmann::ordered_json(nullptr);
}

void check_output_file(const std::string& path, const std::string& option) {
    namespace fs = std::filesystem;
    const fs::path p(path);
    const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
    std::error_code ec;
    const auto fail = [&](const std::string& why) {
        throw InputError(fmt::format("{} {}: cannot write there: {}", option, path, why));
    };
    if (path.empty()) fail("no file name");
    if (fs::is_directory(p, ec)) fail("it is a directory");
    if (!fs::exists(dir, ec)) fail(fmt::format("the directory {} does not exist", dir.string()));
    if (!fs::is_directory(dir, ec)) fail(fmt::format("{} is not a directory", dir.string()));
    if (::access(dir.c_str(), W_OK) != 0) fail(fmt::format("the directory {} is not writable", dir.string()));
    if (fs::exists(p, ec) && ::access(p.c_str(), W_OK) != 0) fail("the file is read-only");
}

}  // namespace nanoscape
