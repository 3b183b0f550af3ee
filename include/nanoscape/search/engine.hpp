#pragma once
/// @file The search engine: the propose -> evaluate -> update loop every driver plugs into.
///
///     loop:  Driver::propose(view)       -> candidates (structure + relax | single point)
///            Evaluator::evaluate(batch)  -> results in candidate order (counts reference calls)
///            Driver::update(results)     -> acceptance, population, adaptation
///            engine: step numbers, counters, minima archive, target, trace rows,
///                    stop criteria, checkpoints (generic part + the driver's own state)
///
/// The engine knows no driver's internals and no file format: a RunObserver (io's
/// RunDirectory, or a test's) receives the rows and writes what it wants, and checkpoint()
/// hands it the whole state as one JSON document. A composition sweep runs one engine per
/// composition; screening and MPI are evaluators.

#include <atomic>
#include <chrono>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/logger.h>

#include "nanoscape/search/driver.hpp"
#include "nanoscape/search/evaluator.hpp"
#include "nanoscape/search/minima_archive.hpp"
#include "nanoscape/search/problem.hpp"
#include "nanoscape/search/progress.hpp"

namespace nanoscape {

/// Settings of the engine itself (not of a driver).
struct EngineSettings {
    StopCriteria stop;                  ///< when to stop
    ArchiveSettings archive;            ///< uniqueness and capacity of the minima archive
    double checkpoint_interval = 60.0;  ///< seconds between checkpoints (0: after every round)
    long checkpoint_steps = 0;          ///< also after every this many steps (0: no step interval)
};

/// One evaluated candidate as the trace records it.
struct TraceRow {
    long step = 0;        ///< 1-based over the run; 0 for starting structures
    long round = 0;       ///< 1-based round (propose -> evaluate -> update) it was evaluated in
    int walker = 0;       ///< Candidate::origin
    std::string move;     ///< Candidate::move
    double energy = 0.0;  ///< eV; NaN if the evaluation failed
    bool accepted = false;                              ///< the driver's verdict
    EvaluationStatus status = EvaluationStatus::failed;  ///< how the evaluation ended
    long reference_evaluations = 0;  ///< cumulative reference evaluations after this candidate
    long reference_relaxations = 0;  ///< cumulative reference relaxations after this candidate
    double wall_time = 0.0;          ///< run time when its round ended, seconds
    double best = 0.0;               ///< lowest archived energy after this candidate (NaN if none)
    std::vector<double> extra;       ///< the driver's own columns (Driver::trace_columns())
    /// Screening (NaN otherwise): the surrogate's mean and sigma (eV) at the structure the
    /// reference was given, and the reference energy there (Evaluation::start_energy).
    double predicted_energy = std::numeric_limits<double>::quiet_NaN();
    double predicted_sigma = std::numeric_limits<double>::quiet_NaN();  ///< see predicted_energy
    double start_energy = std::numeric_limits<double>::quiet_NaN();     ///< see predicted_energy
};

class SearchEngine;

/// Receives what a run produces; io's RunDirectory writes the run directory from it.
class RunObserver {
public:
    virtual ~RunObserver() = default;
    /// After each candidate's bookkeeping, in candidate order.
    virtual void on_row(const TraceRow& row, const SearchEngine& engine) = 0;
    /// A consistent point between rounds to save a checkpoint (engine.checkpoint()).
    virtual void on_checkpoint(const SearchEngine& engine) = 0;
    /// The run ended (engine.progress().stop_reason is set); after a last on_checkpoint.
    virtual void on_finish(const SearchEngine& engine) = 0;
    /// A round failed with an exception (`what`), which run() rethrows after this call. The
    /// counters and the archive are those of the last complete round; the driver's state may
    /// be half updated, so no checkpoint is offered (the last one stays valid for --resume).
    virtual void on_error(const SearchEngine& engine, const std::string& what) = 0;
};

/// Runs one search: one problem, one driver, one evaluator.
class SearchEngine {
public:
    /// The references must outlive the engine. `logger` may be null (nothing logged).
    SearchEngine(const SearchProblem& problem, const EngineSettings& settings, Driver& driver, Evaluator& evaluator,
                 std::shared_ptr<spdlog::logger> logger);

    /// Runs rounds until a stop criterion is met, the driver stops, or `interrupt` (may be
    /// null) is true at the end of a round: then stop_reason is "interrupted". A last
    /// checkpoint is offered to the observer in every case.
    void run(RunObserver& observer, const std::atomic<bool>* interrupt = nullptr);

    /// The whole state as one versioned JSON document: identity, progress, evaluator,
    /// archive and the driver's own state.
    [[nodiscard]] nlohmann::json checkpoint() const;
    /// Continues from checkpoint(). InputError (prefixed by `source`) if the format or version
    /// is unknown, the checkpoint belongs to another run (naming each field that differs), or
    /// it is damaged.
    void restore(const nlohmann::json& checkpoint, const std::string& source);
    /// Settings a checkpoint must share with this run: driver, composition, seed, potential,
    /// start, the archive's settings, the evaluator's identity() (under "relax") and the
    /// driver's identity().
    [[nodiscard]] nlohmann::json identity() const;

    /// Counters so far.
    [[nodiscard]] const SearchProgress& progress() const { return progress_; }
    /// The unique minima so far.
    [[nodiscard]] const MinimaArchive& archive() const { return archive_; }
    /// The problem.
    [[nodiscard]] const SearchProblem& problem() const { return problem_; }
    /// The settings.
    [[nodiscard]] const EngineSettings& settings() const { return settings_; }
    /// The driver.
    [[nodiscard]] const Driver& driver() const { return driver_; }
    /// The evaluator.
    [[nodiscard]] const Evaluator& evaluator() const { return evaluator_; }

    /// Checkpoint format written by this version.
    static constexpr int checkpoint_version = 2;

private:
    [[nodiscard]] std::string check_stop() const;
    void run_round(RunObserver& observer, long remaining, std::string& reason);
    void update_elapsed();
    // Bookkeeping of one candidate: step number, archive, target. The row arrives with the
    // cumulative counts after it.
    void account(const Candidate& candidate, const Evaluation& result, const StepOutcome& outcome, TraceRow& row);

    const SearchProblem& problem_;
    EngineSettings settings_;
    Driver& driver_;
    Evaluator& evaluator_;
    std::shared_ptr<spdlog::logger> logger_;
    MinimaArchive archive_;
    SearchProgress progress_;
    using Clock = std::chrono::steady_clock;
    Clock::time_point session_start_ = Clock::now();  // when this session's run() began
    double elapsed_before_ = 0.0;                     // wall time of the earlier sessions, s
};

}  // namespace nanoscape
