// nanoscape hull: the convex hull of excess energies from run directories.

#include <filesystem>
#include <fstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "validators.hpp"
#include "nanoscape/io/sweep.hpp"

namespace nanoscape::cli {

namespace {

struct HullOptions {
    std::vector<std::string> directories;
    std::string output;
    double tolerance = 1e-6;
};

int run_hull(const HullOptions& o) {
    namespace fs = std::filesystem;
    const HullInput input = read_hull_input(o.directories);
    const ConvexHull hull = hull_of(input, o.tolerance);
    fmt::print("{}", format_hull_table(input, hull));
    // One directory: its own hull files (and, for a sweep, its history). Several: merged into
    // --output, if given.
    std::string target = o.output;
    if (target.empty() && o.directories.size() == 1) target = o.directories.front();
    if (target.empty()) {
        fmt::print("(merged from {} directories; give --output DIR to write hull.csv and hull.xyz)\n", o.directories.size());
        return 0;
    }
    std::error_code ec;
    fs::create_directories(target, ec);
    if (ec || !fs::is_directory(target)) throw InputError(fmt::format("--output: cannot create the directory {}", target));
    write_hull_files(target, input, hull);
    fmt::print("wrote {} and {}", (fs::path(target) / "hull.csv").string(), (fs::path(target) / "hull.xyz").string());
    if (o.directories.size() == 1 && fs::path(target) == fs::path(o.directories.front()) &&
        fs::exists(fs::path(target) / "summary.json") && fs::is_directory(fs::path(target) / "compositions")) {
        std::vector<std::string> order;
        long every = 0;
        std::ifstream in(fs::path(target) / "summary.json");
        try {
            const auto j = nlohmann::json::parse(in);
            for (const auto& c : j.at("compositions")) order.push_back(c.at("formula").get<std::string>());
            every = j.value("history_every", 0L);
        } catch (const nlohmann::json::exception& e) {
            throw InputError(fmt::format("{}: damaged summary ({})", (fs::path(target) / "summary.json").string(), e.what()));
        }
        const long snapshots = write_hull_history(target, input, order, every, o.tolerance);
        fmt::print(" and {} ({} snapshots)", (fs::path(target) / "hull_history.csv").string(), snapshots);
    }
    fmt::print("\n");
    return 0;
}

}  // namespace

void register_hull(CLI::App& app, int& exit_code) {
    static HullOptions options;
    auto* cmd = app.add_subcommand("hull", "excess energies and their convex hull from run directories (merged if several)");
    cmd->add_option("run_directories", options.directories, "sweep or run directories")->required();
    cmd->add_option("--output,-o", options.output, "write hull.csv and hull.xyz here (default: the one directory given)");
    cmd->add_option("--tolerance", options.tolerance, "eV: compositions this close to the hull are on it")
        ->check(non_negative())
        ->capture_default_str();
    cmd->callback([&exit_code] { exit_code = run_hull(options); });
}

}  // namespace nanoscape::cli
