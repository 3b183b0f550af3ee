#include "nanoscape/io/replicas.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>

#include <fmt/format.h>

#include "nanoscape/core/error.hpp"
#include "nanoscape/core/mpi.hpp"
#include "nanoscape/io/merge.hpp"
#include "nanoscape/io/reference_calls.hpp"
#include "nanoscape/io/sweep.hpp"
#include "nanoscape/io/text_files.hpp"
#include "nanoscape/search/mpi_work.hpp"

namespace nanoscape {

namespace fs = std::filesystem;

nlohmann::json search_replica(const RunConfig& root, const nlohmann::json& task, int threads,
                              const std::atomic<bool>* interrupt) {
    RunConfig cfg = nested_run_config(root, task.at("directory").get<std::string>());
    make_replica(cfg, task.at("replica").get<int>());
    return run_nested_search(cfg, threads, interrupt, {}, 0,
                             fmt::format("replica {} of {}", cfg.problem.replica, root.replicas));
}

ReplicaRunner::ReplicaRunner(const RunConfig& config, RunDirectoryMode mode, int threads)
    : config_(config), mode_(mode), threads_(threads) {
    const fs::path dir(config.output_directory);
    const bool sliced = config.sliced();
    const char* parts = sliced ? "slices" : "replicas";
    const bool has_replicas = fs::is_directory(dir / parts);
    const bool has_run = has_replicas || fs::exists(dir / "summary.json") || fs::exists(checkpoint_path(dir.string()));
    if (mode == RunDirectoryMode::fresh && has_run)
        throw InputError(fmt::format("{} already holds a run: continue it with --resume, replace it with --overwrite, or "
                                     "choose another --output",
                                     dir.string()));
    if (mode == RunDirectoryMode::resume && !has_replicas)
        throw InputError(fmt::format("--resume: {} holds no {} ({}/{}0, ...) to continue", dir.string(), parts, parts,
                                     sliced ? "s" : "r"));
    std::error_code ec;
    if (mode == RunDirectoryMode::overwrite) {
        for (const char* name : {"summary.json", "best.xyz", "minima.xyz", "hull.csv", "hull.xyz", "run.log",
                                 "reference_calls.xyz"})
            fs::remove(dir / name, ec);
        fs::remove_all(dir / "replicas", ec);
        fs::remove_all(dir / "slices", ec);
        fs::remove_all(dir / "compositions", ec);
        fs::remove_all(dir / "checkpoint", ec);
    }
    fs::create_directories(dir / parts, ec);
    if (ec) throw InputError(fmt::format("cannot create the run directory {}: {}", dir.string(), ec.message()));
    {
        const fs::path probe = dir / ".write_test";
        std::ofstream out(probe);
        if (!out) throw InputError(fmt::format("cannot write in the run directory {}", dir.string()));
        out.close();
        fs::remove(probe, ec);
    }
    // One reference_calls.xyz for all parts, at the root.
    open_reference_log(config.reference_log, dir.string(), mode == RunDirectoryMode::resume);
    logger_ = make_run_logger((dir / "run.log").string(), mode == RunDirectoryMode::resume,
                              fmt::format("{} {}", parts, dir.string()));
}

std::string ReplicaRunner::run(const std::atomic<bool>* interrupt) {
    const auto start = std::chrono::steady_clock::now();
    const RunConfig& root = config_;
    const bool sliced = root.sliced();
    const int parts = root.parts();
    const char* part_name = sliced ? "slice" : "replica";
    logger_->info("{} {}s of {} into {} ... {}{}", parts, part_name, root.path,
                  part_directory(root, root.output_directory, 0),
                  fs::path(part_directory(root, root.output_directory, parts - 1)).filename().string(),
                  mpi::size() > 1 ? fmt::format(", over {} MPI ranks", mpi::size()) : std::string());
    std::mutex mutex;
    long done = 0;
    const auto report = [&](int k, const nlohmann::json& answer) {
        std::lock_guard lock(mutex);
        ++done;
        const auto& counts = answer.at("counts");
        logger_->info("replica {} ({} of {} done): {}, best {}, {} relaxations, {} evaluations, {:.1f} s", k, done,
                      parts, answer.at("stop_reason").get<std::string>(), answer.at("best").dump(),
                      counts.value("reference_relaxations", 0L), counts.value("reference_evaluations", 0L),
                      answer.value("wall_time", 0.0));
    };
    bool interrupted = false;
    if (root.sweep) {
        // A sweep spreads its own compositions over the ranks: its replicas (or slices) go one
        // after another.
        for (int k = 0; k < parts && !interrupted; ++k) {
            RunConfig cfg = nested_run_config(root, part_directory(root, root.output_directory, k));
            cfg.sweep = root.sweep;
            if (sliced) {
                make_slice(cfg, k);
                make_replica(cfg, 0);  // builds the driver
            } else {
                make_replica(cfg, k);
            }
            const bool started = fs::exists(fs::path(cfg.output_directory) / "checkpoint" / "sweep.json");
            SweepRunner sweep(cfg, started ? RunDirectoryMode::resume : RunDirectoryMode::overwrite, threads_);
            interrupted = sweep.run(interrupt) == "interrupted";
            logger_->info("{} {} of {}: sweep {}", part_name, k, parts, interrupted ? "interrupted" : "finished");
        }
    } else {
        std::vector<nlohmann::json> tasks;
        for (int k = 0; k < parts; ++k)
            tasks.push_back({{"kind", "replica"}, {"replica", k}, {"directory", replica_directory(root.output_directory, k)}});
        const auto answers = run_tasks_on_ranks(
            tasks,
            [&](const nlohmann::json& task) {
                auto answer = search_replica(root, task, threads_, interrupt);
                report(task.at("replica").get<int>(), answer);
                return answer;
            },
            root.mpi_timeout);
        for (const auto& a : answers) interrupted |= a.at("stop_reason").get<std::string>() == "interrupted";
    }
    // Merge whatever the parts hold (an interrupted run: the ones that started).
    std::vector<std::string> inputs;
    for (int k = 0; k < parts; ++k) {
        const std::string d = part_directory(root, root.output_directory, k);
        if (fs::exists(fs::path(d) / "summary.json")) inputs.push_back(d);
    }
    if (inputs.empty()) {
        logger_->warn("interrupted before any {} wrote results; continue with `nanoscape run {} -o {}{} --resume`",
                      part_name, root.path, root.output_directory, root.override_options);
        return "interrupted";
    }
    summary_ = merge_run_directories(inputs, root.output_directory, root.engine.archive,
                                     root.sweep ? root.sweep->hull_tolerance : 1e-6);
    if (interrupted || static_cast<int>(inputs.size()) < parts) summary_["status"] = "interrupted";
    summary_[sliced ? "slices" : "replicas"] = parts;
    summary_["wall_time_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    summary_["seed"] = root.problem.seed;
    summary_["threads"] = threads_;
    summary_["mpi_ranks"] = mpi::size();
    write_text_atomically(fs::path(root.output_directory) / "summary.json", format_json(summary_));
    if (interrupted)
        logger_->warn("interrupted: the {}s in progress are checkpointed; continue with `nanoscape run {} -o {}{} "
                      "--resume`",
                      part_name, root.path, root.output_directory, root.override_options);
    else
        logger_->info("finished: {} {}s merged{}", parts, part_name,
                      root.sweep ? std::string()
                                 : fmt::format(", best {}", summary_.value("best_energy", nlohmann::ordered_json()).dump()));
    return interrupted ? "interrupted" : "finished";
}

}  // namespace nanoscape
