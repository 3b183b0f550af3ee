// nanoscape merge: run directories (replicas, Slurm array tasks, other seeds) into one.

#include <filesystem>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "validators.hpp"
#include "nanoscape/core/error.hpp"
#include "nanoscape/io/merge.hpp"

namespace nanoscape::cli {

namespace {

struct MergeOptions {
    std::vector<std::string> directories;
    std::string output;
    ArchiveSettings archive;  // the run file's defaults (keep_minima, energy and fingerprint tolerance)
    double tolerance = 1e-6;
};

int run_merge(const MergeOptions& o) {
    namespace fs = std::filesystem;
    const std::vector<std::string> inputs = expand_replica_directories(o.directories);
    // One directory with replicas merges into itself; anything else needs --output.
    std::string target = o.output;
    if (target.empty()) {
        if (o.directories.size() == 1 && inputs.size() >= 1 && inputs.front() != o.directories.front())
            target = o.directories.front();
        else
            throw InputError("give --output DIR: the directory the merged run is written to");
    }
    const auto j = merge_run_directories(inputs, target, o.archive, o.tolerance);
    fmt::print("merged {} run directories into {} ({})\n", inputs.size(), target, j.value("status", std::string()));
    if (j.value("kind", std::string()) == "sweep") {
        fmt::print("  compositions       {}\n", j.at("compositions_total").get<long>());
        std::vector<std::string> vertices;
        for (const auto& v : j.at("hull_vertices")) vertices.push_back(v.get<std::string>());
        fmt::print("  hull vertices      {}\n", vertices.empty() ? std::string("none (a pure end is missing)")
                                                                : fmt::format("{}", fmt::join(vertices, " ")));
        fmt::print("  hull               {}\n", (fs::path(target) / "hull.csv").string());
    } else {
        fmt::print("  best energy        {} (from {})\n", j.at("best_energy").dump(),
                   j.at("best_source").is_string() ? j.at("best_source").get<std::string>() : std::string("none"));
        fmt::print("  unique minima      {}\n", j.at("unique_minima").get<long>());
        if (j.contains("runs_reached_target"))
            fmt::print("  target             reached by {} of {} runs\n", j.at("runs_reached_target").get<long>(),
                       inputs.size());
    }
    fmt::print("  reference cost     {} relaxations, {} energy+force evaluations (all runs)\n",
               j.value("reference_relaxations", 0L), j.value("reference_evaluations", 0L));
    fmt::print("  summary            {}\n", (fs::path(target) / "summary.json").string());
    return 0;
}

}  // namespace

void register_merge(CLI::App& app, int& exit_code) {
    static MergeOptions options;
    auto* cmd = app.add_subcommand("merge", "merge run directories (replicas, Slurm array tasks, other seeds) into one");
    cmd->add_option("run_directories", options.directories,
                    "run or sweep directories; a directory with replicas/ stands for its replicas")
        ->required();
    cmd->add_option("--output,-o", options.output,
                    "the merged run directory (default: the one directory given, if it holds replicas)");
    cmd->add_option("--keep-minima", options.archive.capacity, "keep at most this many minima (per composition)")
        ->check(positive())
        ->capture_default_str();
    cmd->add_option("--energy-tolerance", options.archive.energy_tolerance,
                    "eV: minima this close in energy (and fingerprint) are one")
        ->check(non_negative())
        ->capture_default_str();
    cmd->add_option("--fingerprint-tolerance", options.archive.fingerprint_tolerance,
                    "Angstrom: minima this close in fingerprint (and energy) are one")
        ->check(non_negative())
        ->capture_default_str();
    cmd->add_option("--tolerance", options.tolerance, "eV: compositions this close to the hull are on it (sweeps)")
        ->check(non_negative())
        ->capture_default_str();
    cmd->callback([&exit_code] { exit_code = run_merge(options); });
}

}  // namespace nanoscape::cli
