#pragma once
/// @file The run directory: summary.json, best.xyz, minima.xyz, trace.csv, run.log and the
/// checkpoint a resumed run continues from (see docs/output.md).

#include <atomic>
#include <chrono>
#include <functional>
#include <fstream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>
#include <spdlog/logger.h>

#include "nanoscape/io/run_config.hpp"
#include "nanoscape/search/engine.hpp"

namespace nanoscape {

/// How the run directory is opened.
enum class RunDirectoryMode {
    fresh,      ///< new run; refuses a directory that already holds one
    overwrite,  ///< new run; an existing run's files are replaced
    resume,     ///< continue the checkpointed run in the directory
};

/// Writes everything a run leaves behind, as the run goes (a RunObserver). Files are replaced
/// atomically (written under a temporary name, then renamed), so a killed run leaves the last
/// complete version of each; the checkpoint is one JSON file, so it is always consistent.
class RunDirectory final : public RunObserver {
public:
    /// Opens `config.output_directory` and the run's own logger (the console sinks of the
    /// default logger plus run.log). With RunDirectoryMode::resume the directory must hold a
    /// checkpoint (InputError otherwise); call resume() before running. With `console` false
    /// (a composition of a sweep) it logs to run.log only and prints no progress line.
    RunDirectory(const RunConfig& config, RunDirectoryMode mode, int threads, bool console = true);

    /// Restores `engine` from the checkpoint and cuts trace.csv back to the rows it accounts
    /// for. InputError if the checkpoint is damaged, of another format, or of another run.
    void resume(SearchEngine& engine);

    void on_row(const TraceRow& row, const SearchEngine& engine) override;
    void on_checkpoint(const SearchEngine& engine) override;
    void on_finish(const SearchEngine& engine) override;
    void on_error(const SearchEngine& engine, const std::string& what) override;

    /// The directory (as given).
    [[nodiscard]] const std::string& path() const { return dir_; }
    /// This run's logger: everything it logs goes to the console and to run.log.
    [[nodiscard]] const std::shared_ptr<spdlog::logger>& logger() const { return logger_; }

private:
    void write_results(const SearchEngine& engine, const std::string& status, const std::string& error = {});
    void resume_from_checkpoint(SearchEngine& engine);
    void report_progress(const SearchEngine& engine, const TraceRow& row);

    const RunConfig& config_;
    std::string dir_;
    int threads_;
    std::shared_ptr<spdlog::logger> logger_;
    std::ofstream trace_;
    std::ofstream screening_;  // screening.csv, when the run screens
    bool console_ = true;
    bool log_created_ = false;  // run.log did not exist before this run opened it
    bool interactive_ = false;
    std::chrono::steady_clock::time_point last_report_;
    double best_reported_;
};

/// A run's logger: the console sinks of the default logger (if `console`) and `log_file`, which
/// always receives info and above (also under --quiet) and is flushed at every message, so it
/// survives a kill. `append` continues an existing file.
[[nodiscard]] std::shared_ptr<spdlog::logger> make_run_logger(const std::string& log_file, bool append,
                                                              const std::string& name, bool console = true);

/// A run nested in `root` (a composition of a sweep, a replica): root's potential, relaxer,
/// settings and problem, `directory` as its run directory, no driver and no sweep (the caller
/// adjusts the problem, then builds the driver with create_driver or make_replica).
[[nodiscard]] RunConfig nested_run_config(const RunConfig& root, const std::string& directory);

/// Runs the search of the nested run `config` (driver built) in config.output_directory on
/// `threads` threads, resuming it if it holds a checkpoint; logs to its run.log only (`what`
/// names it there) and calls `progress` (may be empty) after every trace row. Returns its stop
/// reason, best energy ("best"), counts, steps, minima found, wall time and its `top` best
/// minima ("top", as cluster JSON) as JSON. With `distribute` (rank 0 of an MPI run only), its
/// batches are spread over the ranks (make_evaluator); otherwise they stay on this process.
/// A fresh search starts with `inherit` as its evaluator's training data
/// (Evaluator::inherit_training); with `share` > 0 the answer also holds the evaluator's last
/// `share` training points ("training", sample JSON) for the next search to inherit.
[[nodiscard]] nlohmann::json run_nested_search(const RunConfig& config, int threads, const std::atomic<bool>* interrupt,
                                               const std::function<void(const SearchEngine&)>& progress, int top,
                                               const std::string& what, bool distribute = false,
                                               std::vector<Sample> inherit = {}, std::size_t share = 0);

/// The checkpoint file of a run directory (checkpoint/state.json).
[[nodiscard]] std::string checkpoint_path(const std::string& run_directory);

}  // namespace nanoscape
