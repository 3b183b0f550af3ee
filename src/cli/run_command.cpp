// nanoscape run / check: a search from a run file.

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "validators.hpp"
#include "nanoscape/core/interrupt.hpp"
#include "nanoscape/core/mpi.hpp"
#include "nanoscape/core/parallel.hpp"
#include "nanoscape/io/calculators.hpp"
#include "nanoscape/io/reference_calls.hpp"
#include "nanoscape/io/replicas.hpp"
#include "nanoscape/io/run_config.hpp"
#include "nanoscape/io/run_directory.hpp"
#include "nanoscape/io/sweep.hpp"
#include "nanoscape/search/engine.hpp"
#include "nanoscape/search/mpi_work.hpp"

namespace nanoscape::cli {

namespace {

struct RunOptions {
    std::string run_file;
    int threads = 0;
    std::int64_t seed = -1;
    std::string output;
    bool resume = false;
    bool overwrite = false;
    std::optional<long> max_steps;
    std::optional<long> max_evaluations;
    std::optional<double> max_wall_time;
    std::optional<double> target_energy;
    std::optional<std::string> potential;
    double mpi_timeout = 60.0;
    std::optional<long> replica_index;
};

// SIGINT / SIGTERM: the first asks the engine to stop after the round in progress (checkpoint,
// outputs, exit code 130); a second one ends the process at once (the last checkpoint stays).
std::atomic<bool>& interrupt_requested = interrupt_flag();

extern "C" void on_interrupt(int signal_number) {
    if (interrupt_requested.exchange(true)) {
        kill_child_groups();  // no external calculator outlives nanoscape
        ::signal(signal_number, SIG_DFL);
        ::raise(signal_number);
        return;
    }
    static const char message[] =
        "\nnanoscape: stopping after the current round (checkpoint and results are written); "
        "interrupt again to stop at once\n";
    (void)!::write(STDERR_FILENO, message, sizeof message - 1);
}

void install_interrupt_handlers() {
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

RunOverrides overrides_of(const RunOptions& o) {
    RunOverrides overrides;
    if (o.seed >= 0) overrides.seed = static_cast<std::uint64_t>(o.seed);
    if (!o.output.empty()) overrides.output = o.output;
    overrides.max_steps = o.max_steps;
    overrides.max_evaluations = o.max_evaluations;
    overrides.max_wall_time = o.max_wall_time;
    overrides.target_energy = o.target_energy;
    overrides.potential = o.potential;
    overrides.replica_index = o.replica_index;
    // A Slurm array task runs its replica without being told (docs/scale.md).
    if (!o.replica_index)
        if (const char* task = std::getenv("SLURM_ARRAY_TASK_ID"); task && *task) {
            char* end = nullptr;
            const long k = std::strtol(task, &end, 10);
            if (*end != '\0')
                throw InputError(fmt::format("SLURM_ARRAY_TASK_ID='{}' is not a replica or slice number", task));
            overrides.replica_index = k;
            overrides.replica_index_from_environment = true;
        }
    return overrides;
}

// A composition sweep: every composition in turn, the hull as they finish.
int run_sweep(const RunOptions& o, const RunConfig& config, RunDirectoryMode mode, int threads) {
    SweepRunner sweep(config, mode, threads);
    const auto& log = sweep.logger();
    // What the library logs during the run (an external calculator's failures) goes to run.log too.
    spdlog::set_default_logger(log);
    const auto& s = *config.sweep;
    log->info("nanoscape run {}: composition sweep of {}-{} {} atoms over {} compositions, seed {}", o.run_file,
              symbol(s.elements[0]), symbol(s.elements[1]), s.size, s.counts.size(), config.problem.seed);
    log->info("potential: {}", config.potential->description());
    log->info("driver (per composition): {}", config.driver->describe());
    log->info("relax: {} to fmax {}", config.relaxer->type(), config.relax.fmax);
    log->info("stop each composition at: {}; results in {}", describe_stop(config.engine.stop), config.output_directory);
    for (const auto& w : config.warnings) log->warn("{}", w);
    install_interrupt_handlers();
    const std::string status = sweep.run(&interrupt_requested);
    const auto& j = sweep.summary();
    const auto dir = std::filesystem::path(config.output_directory);
    fmt::print("\n{}-{} {} atoms with {}\n", symbol(s.elements[0]), symbol(s.elements[1]), s.size,
               config.potential->description());
    fmt::print("  compositions       {} of {} finished{}\n", j.value("compositions_finished", 0),
               j.value("compositions_total", 0),
               status == "interrupted" ? " (interrupted, resumable with --resume)" : "");
    std::vector<std::string> vertices;
    for (const auto& v : j.at("hull_vertices")) vertices.push_back(v.get<std::string>());
    if (config.slice_index) {
        // A slice without both pure ends has no hull of its own: the merge makes it.
        const auto root = dir.parent_path().parent_path();
        fmt::print("  slice              {} of {} ({} compositions); the hull of all slices: nanoscape merge {}\n",
                   *config.slice_index, config.parts(), s.counts.size(), root.string());
    }
    fmt::print("  hull vertices      {}\n",
               !vertices.empty()    ? fmt::format("{}", fmt::join(vertices, " "))
               : config.slice_index ? std::string("none (the slice lacks a pure end)")
                                    : std::string("none yet"));
    fmt::print("  reference cost     {} relaxations, {} energy+force evaluations{}\n", j.value("reference_relaxations", 0L),
               j.value("reference_evaluations", 0L),
               j.value("reference_local_updates", 0L) > 0
                   ? fmt::format(", {} local trial updates", j.value("reference_local_updates", 0L))
                   : std::string());
    fmt::print("  wall time          {:.1f} s\n", j.value("wall_time_s", 0.0));
    if (std::filesystem::exists(dir / "hull.csv"))
        fmt::print("  hull table         {}\n  hull structures    {}\n  hull history       {}\n", (dir / "hull.csv").string(),
                   (dir / "hull.xyz").string(), (dir / "hull_history.csv").string());
    fmt::print("  per composition    {}\n  summary            {}\n", (dir / "compositions").string() + "/<formula>/",
               (dir / "summary.json").string());
    if (std::filesystem::exists(dir / "hull.csv")) fmt::print("  plots              tools/plot.py {}\n", dir.string());
    std::fflush(stdout);
    return status == "interrupted" ? 130 : 0;
}

// Independent replicas of one search ([search] replicas), or the slices of a sweep ([sweep]
// slices), merged.
int run_replicas(const RunOptions& o, const RunConfig& config, RunDirectoryMode mode, int threads) {
    ReplicaRunner runner(config, mode, threads);
    const auto& log = runner.logger();
    spdlog::set_default_logger(log);
    const bool sliced = config.sliced();
    const std::string parts = sliced ? "slices" : "replicas";
    if (sliced)
        log->info("nanoscape run {}: a composition sweep of {} compositions in {} slices of neighbouring compositions, "
                  "seed {}",
                  o.run_file, config.sweep->counts.size(), config.parts(), config.problem.seed);
    else
        log->info("nanoscape run {}: {} independent replicas of {}{}, seed {}", o.run_file, config.replicas,
                  config.sweep ? std::string("a composition sweep") : config.problem.formula(),
                  config.sweep ? std::string() : fmt::format(" ({} atoms)", config.problem.species.size()),
                  config.problem.seed);
    log->info("potential: {}", config.potential->description());
    log->info("driver (per {}): {}", sliced ? "composition" : "replica", config.driver->describe());
    log->info("stop each {} at: {}; results in {}", sliced ? "composition" : "replica", describe_stop(config.engine.stop),
              config.output_directory);
    for (const auto& w : config.warnings) log->warn("{}", w);
    install_interrupt_handlers();
    const std::string status = runner.run(&interrupt_requested);
    const auto& j = runner.summary();
    const auto dir = std::filesystem::path(config.output_directory);
    if (j.empty()) return 130;
    fmt::print("\n{} {} of {} with {}\n", config.parts(), parts, j.value("formula", std::string("the sweep")),
               config.potential->description());
    if (!config.sweep) {
        fmt::print("  best energy        {} (in {})\n", j.at("best_energy").dump(), j.at("best_source").is_string() ? j.at("best_source").get<std::string>() : std::string("none"));
        for (const auto& r : j.at("runs"))
            fmt::print("  {:<18} best {}, {} relaxations, {}\n", std::filesystem::path(r.at("directory").get<std::string>()).filename().string(),
                       r.value("best_energy", nlohmann::json()).dump(), r.value("reference_relaxations", 0L),
                       r.value("status", std::string()));
        if (j.contains("runs_reached_target"))
            fmt::print("  target             reached by {} of {} replicas\n", j.at("runs_reached_target").get<long>(),
                       config.replicas);
    } else {
        std::vector<std::string> vertices;
        for (const auto& v : j.at("hull_vertices")) vertices.push_back(v.get<std::string>());
        fmt::print("  compositions       {}\n", j.value("compositions_total", 0L));
        fmt::print("  hull vertices      {}\n", vertices.empty() ? std::string("none yet") : fmt::format("{}", fmt::join(vertices, " ")));
        if (std::filesystem::exists(dir / "hull.csv"))
            fmt::print("  hull table         {}\n  plots              tools/plot.py {}\n", (dir / "hull.csv").string(),
                       dir.string());
    }
    fmt::print("  reference cost     {} relaxations, {} energy+force evaluations{} (all {})\n",
               j.value("reference_relaxations", 0L), j.value("reference_evaluations", 0L),
               j.value("reference_local_updates", 0L) > 0
                   ? fmt::format(", {} local trial updates", j.value("reference_local_updates", 0L))
                   : std::string(),
               parts);
    fmt::print("  wall time          {:.1f} s\n", j.value("wall_time_s", 0.0));
    fmt::print("  merged results     {}\n  {:<18} {}\n", (dir / "summary.json").string(), parts,
               (dir / parts).string() + (sliced ? "/s<k>/" : "/r<k>/"));
    std::fflush(stdout);
    return status == "interrupted" ? 130 : 0;
}

// The default thread count of a rank: the node's cores shared by its ranks.
int default_threads(int requested) {
    if (requested > 0) return requested;
    return std::max(1, resolve_threads(0) / std::max(1, mpi::node_ranks()));
}

// A worker rank of `mpirun -np K nanoscape run`: builds the run's potential and relaxer from
// the same file and answers rank 0's tasks until it says stop (docs/scale.md).
int serve(const RunOptions& o) {
    install_interrupt_handlers();  // the first SIGINT/SIGTERM lets the task in progress finish
    const RunConfig config = load_run_config(o.run_file, overrides_of(o));
    share_reference_calls_over_ranks(config.reference_log, config.output_directory, o.resume);
    const int threads = default_threads(o.threads);
    omp_set_num_threads(threads);
    const LocalEvaluator local(*config.potential, *config.relaxer, config.relax, threads);
    serve_tasks([&](const nlohmann::json& task) -> nlohmann::json {
        const std::string kind = task.at("kind").get<std::string>();
        if (kind == "evaluate") return answer_evaluate_task(local, task);
        if (kind == "composition" && config.sweep) return search_composition(config, task, threads, &interrupt_requested, {});
        if (kind == "replica") return search_replica(config, task, threads, &interrupt_requested);
        throw Error(fmt::format("rank {}: unknown task '{}'", mpi::rank(), kind));
    });
    return 0;
}

// Rank 0 tells the workers to stop when a run returns normally (an exception ends every rank
// through mpi::abort in main).
struct WorkersGuard {
    ~WorkersGuard() {
        if (mpi::size() > 1 && std::uncaught_exceptions() == 0) stop_workers();
    }
};

int run(const RunOptions& o) {
    if (o.resume && o.overwrite) throw InputError("--resume and --overwrite exclude each other");
    if (mpi::rank() > 0) return serve(o);
    const WorkersGuard workers_guard;
    RunConfig config = load_run_config(o.run_file, overrides_of(o));
    config.mpi_timeout = o.mpi_timeout;
    share_reference_calls_over_ranks(config.reference_log, {}, false);  // the workers' calls join rank 0's file
    int threads = default_threads(o.threads);
    // An external calculator's workers each need a thread to wait on them (the threads only
    // wait, so more threads than cores cost nothing); results never depend on the count.
    const int workers = calculator_workers(*config.potential);
    if (workers > threads && o.threads <= 0) threads = workers;
    if (workers > threads)
        config.warnings.push_back(fmt::format("--threads {} runs only {} of the calculator's {} workers at once",
                                              threads, threads, workers));
    omp_set_num_threads(threads);  // the default team of every OpenMP loop (drivers' replicas too)
    const auto mode = o.resume ? RunDirectoryMode::resume
                               : (o.overwrite ? RunDirectoryMode::overwrite : RunDirectoryMode::fresh);
    if (config.parts() > 1 && !config.is_part()) return run_replicas(o, config, mode, threads);
    if (config.sweep) return run_sweep(o, config, mode, threads);
    RunDirectory directory(config, mode, threads);
    const auto& log = directory.logger();
    // What the library logs during the run (an external calculator's failures) goes to run.log too.
    spdlog::set_default_logger(log);
    const auto evaluator = make_evaluator(config, threads);
    SearchEngine engine(config.problem, config.engine, *config.driver, *evaluator, log);
    if (o.resume) directory.resume(engine);

    const auto& p = config.problem;
    log->info("nanoscape run {}: {} ({} atoms), seed {}", o.run_file, p.formula(), p.species.size(), p.seed);
    log->info("potential: {}", config.potential->description());
    log->info("driver: {}", config.driver->describe());
    log->info("{}: {}", config.screening ? "evaluate" : "relax", evaluator->describe());
    log->info("stop at: {}; results in {}", describe_stop(config.engine.stop), directory.path());
    for (const auto& w : config.warnings) log->warn("{}", w);

    install_interrupt_handlers();
    const long rounds_before = engine.progress().rounds;
    try {
        engine.run(directory, &interrupt_requested);
    } catch (const std::exception& e) {
        // A failed round was logged by the run directory; a failed write of the results (a full
        // disk) is told here. Either way the last checkpoint is complete.
        if (engine.progress().stop_reason != "failed")
            log->error("{}; the results and the checkpoint of the last complete checkpoint in {} are intact: free "
                       "space and continue with `nanoscape run {} -o {}{} --resume`",
                       e.what(), directory.path(), o.run_file, directory.path(), config.override_options);
        throw;
    }
    if (o.resume && engine.progress().rounds == rounds_before)
        log->info("the run had already stopped ({}); nothing to continue: give a larger budget (--max-steps, "
                  "--max-evaluations, --max-wall-time) to go on",
                  engine.progress().stop_reason);

    const auto& progress = engine.progress();
    const auto& archive = engine.archive();
    const auto& counts = progress.counts;
    const auto& stop = config.engine.stop;
    fmt::print("\n{} with {}\n", p.formula(), config.potential->description());
    fmt::print("  best energy        {}\n",
               archive.empty() ? std::string("none") : fmt::format("{:.8f}", archive.best_energy()));
    if (stop.target_energy)
        fmt::print("  target {:.6f}   {}\n", *stop.target_energy,
                   progress.target_reached ? fmt::format("reached after {} relaxations ({} evaluations)",
                                                         progress.relaxations_to_target, progress.evaluations_to_target)
                                           : std::string("not reached"));
    fmt::print("  steps              {} ({})\n", progress.steps,
               progress.stop_reason == "interrupted" ? std::string("interrupted, resumable with --resume")
                                                     : fmt::format("stopped by {}", progress.stop_reason));
    fmt::print("  reference cost     {} relaxations, {} energy+force evaluations{}\n", counts.reference_relaxations,
               counts.reference_evaluations,
               counts.local_updates > 0 ? fmt::format(", {} local trial updates", counts.local_updates) : std::string());
    if (const auto r = evaluator->report(); r.is_object() && r.contains("screened_candidates")) {
        const auto& mae = r.at("screening_error_mae");
        fmt::print("  screening          {} verified, {} screened out, {} surrogate predictions; model error at the "
                   "verified structures {}\n",
                   r.value("verified_candidates", 0L), r.value("screened_candidates", 0L), counts.surrogate_predictions,
                   mae.is_number() ? fmt::format("{:.4f} eV (mean absolute)", mae.get<double>()) : std::string("n/a"));
        fmt::print("  surrogate          trained on {} structures of {} collected, {} updates\n",
                   r.value("training_set_size", 0L), r.value("training_pool_size", 0L), r.value("retrain_count", 0L));
    }
    fmt::print("  minima             {} distinct found, {} kept\n", archive.found(), archive.minima().size());
    fmt::print("  wall time          {:.1f} s\n", progress.elapsed);
    const auto dir = std::filesystem::path(directory.path());
    fmt::print("  best structure     {}\n  minima             {}\n  summary            {}\n", (dir / "best.xyz").string(),
               (dir / "minima.xyz").string(), (dir / "summary.json").string());
    if (config.screening) fmt::print("  screening          {}\n", (dir / "screening.csv").string());
    std::fflush(stdout);
    return progress.stop_reason == "interrupted" ? 130 : 0;
}

int check(const std::string& path) {
    const RunConfig config = load_run_config(path);
    const auto& p = config.problem;
    const std::string start = p.start.kind == "file" ? p.start.file : p.start.kind;
    if (config.sweep) {
        const auto& s = *config.sweep;
        // Runs of consecutive counts as "a..b": "0..147", "0 3 6 9 10..13".
        std::vector<std::string> counts;
        for (std::size_t i = 0; i < s.counts.size();) {
            std::size_t j = i;
            while (j + 1 < s.counts.size() && s.counts[j + 1] == s.counts[j] + 1) ++j;
            counts.push_back(j >= i + 2 ? fmt::format("{}..{}", s.counts[i], s.counts[j]) : std::to_string(s.counts[i]));
            i = j >= i + 2 ? j + 1 : i + 1;
        }
        fmt::print("{}: ok\n  sweep      {}-{}, {} atoms, {} compositions (n_{} = {}), seeds {}, seed {}, start {}\n", path,
                   symbol(s.elements[0]), symbol(s.elements[1]), s.size, s.counts.size(), symbol(s.elements[0]),
                   fmt::join(counts, " "), s.seeds, p.seed, start);
    } else {
        fmt::print("{}: ok\n  system     {} ({} atoms), seed {}, start {}\n", path, p.formula(), p.species.size(), p.seed,
                   start);
    }
    fmt::print("  potential  {}\n  relax      {} to fmax {}\n  search     {}\n  stop at    {}{}\n  output     {}\n",
               config.potential->description(), config.relaxer->type(), config.relax.fmax, config.driver->describe(),
               describe_stop(config.engine.stop), config.sweep ? " (each composition)" : "", config.output_directory);
    if (config.parts() > 1) {
        // Where the parts go, so a Slurm array can be sized from this line.
        const int k = config.parts() - 1;
        std::string what;
        if (config.sliced()) {
            std::vector<std::size_t> sizes;
            for (int i = 0; i <= k; ++i) sizes.push_back(config.sweep->slice(i).size());
            what = fmt::format("{} slices of {} compositions in {}/slices/s0..s{}", config.parts(), fmt::join(sizes, ", "),
                               config.output_directory, k);
        } else {
            what = fmt::format("{} replicas in {}/replicas/r0..r{}", config.parts(), config.output_directory, k);
        }
        fmt::print("  parts      {}, merged into {}; --replica-index K (or SLURM_ARRAY_TASK_ID) runs part K alone\n",
                   what, config.output_directory);
    }
    if (config.screening) {
        // The evaluator as the run would build it, so the line names the resolved model.
        const auto evaluator = make_evaluator(config, 1);
        fmt::print("  screening  {}\n", evaluator->describe());
    }
    for (const auto& w : config.warnings) fmt::print("  note       {}\n", w);
    return 0;
}

}  // namespace

void register_run(CLI::App& app, int& exit_code) {
    static RunOptions options;
    auto* run_cmd = app.add_subcommand("run", "global optimisation from a run file (see docs/run-file.md)");
    run_cmd->add_option("run_file", options.run_file, "run file (TOML)")->required();
    run_cmd->add_option("--threads,-j", options.threads, "OpenMP threads (default: all cores); never changes results")
        ->check(non_negative());
    run_cmd->add_option("--seed", options.seed, "override [system] seed")->check(non_negative());
    run_cmd->add_option("--output,-o", options.output, "override [output] directory");
    run_cmd->add_option("--mpi-timeout", options.mpi_timeout,
                        "under mpirun: seconds a busy rank may stay silent before the run stops (0: no limit)")
        ->check(non_negative())
        ->capture_default_str();
    run_cmd->add_option("--replica-index", options.replica_index,
                        "run only this replica of [search] replicas, into DIR/replicas/rK, or this slice of "
                        "[sweep] slices, into DIR/slices/sK (default: SLURM_ARRAY_TASK_ID); join them with "
                        "`nanoscape merge DIR`")
        ->check(non_negative());
    run_cmd->add_flag("--resume", options.resume, "continue the checkpointed run in the output directory");
    run_cmd->add_flag("--overwrite", options.overwrite, "replace an earlier run in the output directory");
    run_cmd->add_option("--max-steps", options.max_steps, "override [search] max_steps (0: no limit)")
        ->check(non_negative());
    run_cmd->add_option("--max-evaluations", options.max_evaluations,
                        "override [search] max_evaluations: reference energy+force calls (0: no limit)")
        ->check(non_negative());
    run_cmd->add_option("--max-wall-time", options.max_wall_time, "override [search] max_wall_time, s (0: no limit)")
        ->check(non_negative());
    run_cmd->add_option("--target-energy", options.target_energy, "override [search] target_energy, eV");
    run_cmd->add_option("--potential,-p", options.potential,
                        "replace [potential]: a SPEC as in eval (a registry key, a potential or run file, a model "
                        "directory written by fit)");
    run_cmd->callback([&exit_code] { exit_code = run(options); });

    static std::string check_file;
    auto* check_cmd = app.add_subcommand("check", "validate a run file, run nothing");
    check_cmd->add_option("run_file", check_file, "run file (TOML)")->required();
    check_cmd->callback([&exit_code] { exit_code = check(check_file); });
}

}  // namespace nanoscape::cli
