#pragma once
/// @file The run directory: summary.json, best.xyz, minima.xyz, trace.csv, run.log and the
/// checkpoint a resumed run continues from (see docs/output.md).

#include <chrono>
#include <fstream>
#include <memory>
#include <string>

#include "nanoscape/io/run_config.hpp"
#include "nanoscape/search/runner.hpp"

namespace nanoscape {

/// How the run directory is opened.
enum class RunDirectoryMode {
    fresh,      ///< new run; refuses a directory that already holds one
    overwrite,  ///< new run; an existing run's files are replaced
    resume,     ///< continue the checkpointed run in the directory
};

/// Writes everything a run leaves behind, as the run goes (a RunObserver). Files are replaced
/// atomically (written under a temporary name, then renamed), so a killed run leaves the last
/// complete version of each.
class RunDirectory final : public RunObserver {
public:
    /// Opens `config.output_directory`. With RunDirectoryMode::resume, `state` receives the
    /// checkpointed state; InputError if there is none or it belongs to another run.
    RunDirectory(const RunConfig& config, RunDirectoryMode mode, int threads, SearchState& state);
    ~RunDirectory() override;

    void on_step(const StepRecord& record, const SearchState& state) override;
    void on_checkpoint(const SearchState& state) override;
    void on_finish(const SearchState& state) override;

    /// The directory (as given).
    [[nodiscard]] const std::string& path() const { return dir_; }

private:
    void write_results(const SearchState& state, bool finished);
    void save_checkpoint(const SearchState& state);
    void load_checkpoint(SearchState& state);
    void report_progress(const SearchState& state, bool force);

    const RunConfig& config_;
    std::string dir_;
    int threads_;
    std::ofstream trace_;
    long generation_ = 0;
    long trace_rows_ = 0;  // data rows in trace.csv
    bool interactive_ = false;
    std::chrono::steady_clock::time_point last_report_;
    double best_reported_;
};

}  // namespace nanoscape
