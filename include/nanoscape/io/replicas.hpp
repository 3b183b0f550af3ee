#pragma once
/// @file Independent replicas of one search: `replicas = R` in [search] runs R searches of the
/// same run file whose random streams are keyed on the replica (SearchProblem::replica), into
/// DIR/replicas/r0 ... r<R-1>, and merges their minima, best structure, counts (and, for a
/// sweep, hull) into DIR (io/merge.hpp). Replica 0 is the run without replicas, so R = 1 is
/// the plain run. Under MPI the replicas are spread over the ranks as they become free (a
/// sweep's replicas run one after another, each spreading its compositions); without MPI they
/// run one after another on all threads. `--replica-index K` (a Slurm array task) runs replica
/// K alone into the same directory DIR/replicas/rK; `nanoscape merge DIR` merges them. See
/// docs/scale.md.
///
/// A sweep with `slices = S` in [sweep] is run the same way in S parts: slice k, a sweep of the
/// k-th run of neighbouring compositions, into DIR/slices/sk (one after another, or one per
/// array task with --replica-index k), merged into DIR with the hull of all of them.

#include <atomic>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>
#include <spdlog/logger.h>

#include "nanoscape/io/run_config.hpp"
#include "nanoscape/io/run_directory.hpp"

namespace nanoscape {

/// Searches one replica of `root` (not a sweep) into its directory, resuming it if it has a
/// checkpoint: what ReplicaRunner does for each replica, on whichever MPI rank the task went
/// to. `task`: {"replica": k, "directory": its run directory}. Returns its stop reason, best
/// energy, counts, steps and wall time as JSON (run_nested_search).
[[nodiscard]] nlohmann::json search_replica(const RunConfig& root, const nlohmann::json& task, int threads,
                                            const std::atomic<bool>* interrupt);

/// Runs the parts of `config` (config.parts() > 1: its replicas, or its sweep's slices) and
/// merges them into config.output_directory.
class ReplicaRunner {
public:
    /// Opens the run directory (refusing a fresh start over an earlier run, as RunDirectory
    /// does; with `resume` it must hold a replica) and its logger.
    ReplicaRunner(const RunConfig& config, RunDirectoryMode mode, int threads);

    /// Runs (or continues) every part, then merges them; stops after the parts in progress
    /// when `interrupt` becomes true. Returns "finished" or "interrupted".
    std::string run(const std::atomic<bool>* interrupt);

    /// The run's logger (console and run.log).
    [[nodiscard]] const std::shared_ptr<spdlog::logger>& logger() const { return logger_; }
    /// summary.json as written by run(): the merged parts.
    [[nodiscard]] const nlohmann::ordered_json& summary() const { return summary_; }

private:
    const RunConfig& config_;
    RunDirectoryMode mode_;
    int threads_;
    std::shared_ptr<spdlog::logger> logger_;
    nlohmann::ordered_json summary_;
};

}  // namespace nanoscape
