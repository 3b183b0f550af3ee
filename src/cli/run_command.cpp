// nanoscape run / check: a search from a run file.

#include <omp.h>

#include <cstdio>
#include <filesystem>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "nanoscape/io/run_config.hpp"
#include "nanoscape/io/run_directory.hpp"

namespace nanoscape::cli {

namespace {

struct RunOptions {
    std::string run_file;
    int threads = 0;
    std::int64_t seed = -1;
    std::string output;
    bool resume = false;
    bool overwrite = false;
};

std::string describe_stop(const StopCriteria& stop) {
    std::vector<std::string> parts;
    if (stop.max_steps > 0) parts.push_back(fmt::format("{} steps", stop.max_steps));
    if (stop.max_evaluations > 0) parts.push_back(fmt::format("{} evaluations", stop.max_evaluations));
    if (stop.max_wall_time > 0) parts.push_back(fmt::format("{} s", stop.max_wall_time));
    if (stop.target_energy) parts.push_back(fmt::format("target energy {}", *stop.target_energy));
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
    return out;
}

RunOverrides overrides_of(const RunOptions& o) {
    RunOverrides overrides;
    if (o.seed >= 0) overrides.seed = static_cast<std::uint64_t>(o.seed);
    if (!o.output.empty()) overrides.output = o.output;
    return overrides;
}

int run(const RunOptions& o) {
    if (o.resume && o.overwrite) throw InputError("--resume and --overwrite exclude each other");
    const RunConfig config = load_run_config(o.run_file, overrides_of(o));
    const int threads = o.threads > 0 ? o.threads : omp_get_max_threads();
    SearchState state;
    const auto mode = o.resume ? RunDirectoryMode::resume
                               : (o.overwrite ? RunDirectoryMode::overwrite : RunDirectoryMode::fresh);
    RunDirectory directory(config, mode, threads, state);
    const auto& s = config.settings;
    spdlog::info("nanoscape run {}: {} ({} atoms), seed {}", o.run_file, config.formula, s.species.size(), s.seed);
    spdlog::info("potential: {}", config.potential->description());
    spdlog::info("driver: {} with {} walker(s), kT {}, moves {}; relax: {} to fmax {}", s.driver,
                 s.basin_hopping.walkers, s.basin_hopping.temperature,
                 [&] {
                     std::string m;
                     for (const auto& [name, w] : s.basin_hopping.moves) m += fmt::format("{}{}={}", m.empty() ? "" : ",", name, w);
                     return m;
                 }(),
                 config.relaxer->type(), s.relax.fmax);
    spdlog::info("stop at: {}; results in {} ({} thread(s))", describe_stop(s.stop), directory.path(), threads);

    const SearchEnvironment env{config.settings, *config.potential, *config.relaxer, threads};
    run_search(env, directory, state, o.resume);

    const auto& minima = state.archive.minima();
    fmt::print("\n{} with {}\n", config.formula, config.potential->description());
    fmt::print("  best energy        {}\n", minima.empty() ? std::string("none") : fmt::format("{:.8f}", minima.front().energy));
    if (s.stop.target_energy)
        fmt::print("  target {:.6f}   {}\n", *s.stop.target_energy,
                   state.target_reached ? fmt::format("reached after {} relaxations ({} evaluations)",
                                                      state.relaxations_to_target, state.evaluations_to_target)
                                        : std::string("not reached"));
    fmt::print("  steps              {} (stopped by {})\n", state.steps, state.stop_reason);
    fmt::print("  reference cost     {} relaxations, {} energy+force evaluations\n", state.relaxations, state.evaluations);
    fmt::print("  unique minima      {}\n", minima.size());
    fmt::print("  wall time          {:.1f} s\n", state.elapsed);
    const auto dir = std::filesystem::path(directory.path());
    fmt::print("  best structure     {}\n  minima             {}\n  summary            {}\n", (dir / "best.xyz").string(),
               (dir / "minima.xyz").string(), (dir / "summary.json").string());
    std::fflush(stdout);
    return 0;
}

int check(const std::string& path) {
    const RunConfig config = load_run_config(path);
    const auto& s = config.settings;
    fmt::print("{}: ok\n  system     {} ({} atoms), seed {}, start {}\n  potential  {}\n  relax      {} to fmax {} eV/A\n"
               "  search     {} with {} walker(s); stop at {}\n  output     {}\n",
               path, config.formula, s.species.size(), s.seed, s.start.kind == "file" ? s.start.file : s.start.kind,
               config.potential->description(), config.relaxer->type(), s.relax.fmax, s.driver, s.basin_hopping.walkers,
               describe_stop(s.stop), config.output_directory);
    return 0;
}

}  // namespace

void register_run(CLI::App& app, int& exit_code) {
    static RunOptions options;
    auto* run_cmd = app.add_subcommand("run", "global optimisation from a run file (see docs/run-file.md)");
    run_cmd->add_option("run_file", options.run_file, "run file (TOML)")->required();
    run_cmd->add_option("--threads,-j", options.threads, "OpenMP threads (default: all cores); never changes results")
        ->check(CLI::NonNegativeNumber);
    run_cmd->add_option("--seed", options.seed, "override [system] seed")->check(CLI::NonNegativeNumber);
    run_cmd->add_option("--output,-o", options.output, "override [output] directory");
    run_cmd->add_flag("--resume", options.resume, "continue the checkpointed run in the output directory");
    run_cmd->add_flag("--overwrite", options.overwrite, "replace an earlier run in the output directory");
    run_cmd->callback([&exit_code] { exit_code = run(options); });

    static std::string check_file;
    auto* check_cmd = app.add_subcommand("check", "validate a run file, run nothing");
    check_cmd->add_option("run_file", check_file, "run file (TOML)")->required();
    check_cmd->callback([&exit_code] { exit_code = check(check_file); });
}

}  // namespace nanoscape::cli
