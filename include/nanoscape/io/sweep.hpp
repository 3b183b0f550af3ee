#pragma once
/// @file Composition sweeps: every composition A_n B_(N-n) of one size searched with the run's
/// driver, excess energies, the convex hull and its history (docs/sweeps.md).
///
/// Order: the pure ends first (they are the hull's references), then inward from both ends, one
/// composition on each side at a time; a composition is seeded with the best minima of the
/// neighbour searched before it (atoms changed to its composition). The compositions of one
/// such wave are independent and run at once, the threads shared between them; with seeds = 0
/// every composition between the ends is one wave. Every composition is a run of its own in
/// compositions/<formula>/ (its checkpoint, trace and minima), so a sweep resumes where each of
/// them stopped, and the results do not depend on the thread count.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/logger.h>

#include "nanoscape/hull/convex_hull.hpp"
#include "nanoscape/io/run_config.hpp"
#include "nanoscape/io/run_directory.hpp"
#include "nanoscape/io/xyz.hpp"

namespace nanoscape {

/// The order compositions are searched in: waves of counts (atoms of A) that may run at once,
/// and the neighbour that seeds each. `counts` ascending with 0 and N.
struct SweepSchedule {
    std::vector<std::vector<int>> waves;  ///< counts, wave by wave
    std::vector<int> order;               ///< every count in search order (waves concatenated)
    /// The count whose best minima seed composition `n` (-1: none, the pure ends and seeds = 0).
    [[nodiscard]] int seed_source(int n) const;
    std::vector<std::pair<int, int>> sources;  ///< (n, its seed source), for seed_source()
};

/// The schedule of `counts`; with `seeded` false every composition between the ends is one wave.
[[nodiscard]] SweepSchedule sweep_schedule(const std::vector<int>& counts, bool seeded);

/// `cluster` with `count` randomly chosen atoms of `from` turned into `to` (drawn from `rng`).
/// InputError if it has fewer than `count` atoms of `from`.
[[nodiscard]] Cluster change_species(const Cluster& cluster, Species from, Species to, int count, Rng& rng);

/// The best structure of one composition as the hull files read it.
struct CompositionBest {
    XyzFrame frame;                  ///< best.xyz (energy set)
    long reference_evaluations = 0;  ///< what the composition's search cost
    std::string source;              ///< the file it came from
};

/// The compositions of a size found in run directories, ready for the hull.
struct HullInput {
    std::vector<Species> elements;       ///< A (counted) and B
    int size = 0;                        ///< N
    std::vector<CompositionBest> bests;  ///< the lowest of each composition found
};

/// Reads the best structures of run directories: a sweep's compositions/<formula>/best.xyz,
/// or a single run's best.xyz; keeps the lowest energy per composition. The elements are a
/// sweep's [system] order, else ascending by Z. InputError if a directory has no results, the
/// sizes differ, or the structures do not hold the same two elements.
[[nodiscard]] HullInput read_hull_input(const std::vector<std::string>& run_directories);

/// The hull of `input` (InputError naming the missing pure composition if an end is absent).
[[nodiscard]] ConvexHull hull_of(const HullInput& input, double tolerance = 1e-6);

/// Writes hull.csv and hull.xyz into `directory` (atomically).
void write_hull_files(const std::string& directory, const HullInput& input, const ConvexHull& hull);

/// The hull after every `every` reference evaluations (0: about 50 snapshots) of a sweep's
/// compositions, counted in search order `order` (formulas), from their trace.csv files;
/// written to `directory`/hull_history.csv. Returns the number of snapshots.
long write_hull_history(const std::string& directory, const HullInput& input, const std::vector<std::string>& order,
                        long every, double tolerance = 1e-6);

/// The hull table as the `hull` command prints it.
[[nodiscard]] std::string format_hull_table(const HullInput& input, const ConvexHull& hull);

/// Under MPI, whether a wave of `compositions` of the sweep `root` runs its compositions one
/// after another with each batch spread over the `ranks` (of `threads` threads), rather than a
/// composition per rank: only if the wave has fewer compositions than ranks and the driver's
/// batches (Driver::batch_width, screening's `verify`) gain more from the ranks than the wave.
[[nodiscard]] bool spread_batches(const RunConfig& root, int ranks, int threads, std::size_t compositions);

/// Searches one composition of the sweep `root` (config.sweep set) into its run directory,
/// resuming it if it has a checkpoint: what SweepRunner does for each composition, on whichever
/// thread or MPI rank the task went to. `task`: {"n": atoms of A, "directory": its run
/// directory, "seeds": [starting structures]}. Returns its stop reason, best energy, counts,
/// steps, minima found, wall time and best minima ("top", its neighbours' seeds) as JSON.
/// `progress` (may be empty) is called after every trace row. With `distribute` (rank 0 of an
/// MPI run), the composition's batches go over the ranks.
[[nodiscard]] nlohmann::json search_composition(const RunConfig& root, const nlohmann::json& task, int threads,
                                                const std::atomic<bool>* interrupt,
                                                const std::function<void(const SearchEngine&)>& progress,
                                                bool distribute = false);

/// Runs a composition sweep (config.sweep set) into config.output_directory.
class SweepRunner {
public:
    /// Opens the sweep's directory (refusing a fresh start over an earlier run, as RunDirectory
    /// does) and its logger.
    SweepRunner(const RunConfig& config, RunDirectoryMode mode, int threads);
    ~SweepRunner();
    SweepRunner(const SweepRunner&) = delete;
    SweepRunner& operator=(const SweepRunner&) = delete;

    /// Searches every composition not finished yet; stops after the compositions in progress
    /// when `interrupt` becomes true. Returns "finished" or "interrupted"; rethrows a
    /// composition's failure after writing what the sweep has.
    std::string run(const std::atomic<bool>* interrupt);

    /// The sweep's logger (console and run.log).
    [[nodiscard]] const std::shared_ptr<spdlog::logger>& logger() const { return logger_; }
    /// summary.json as last written.
    [[nodiscard]] const nlohmann::ordered_json& summary() const { return summary_; }

private:
    struct Composition;
    struct Impl;
    // The neighbour polish's results from the checkpoint (on a resume).
    void restore_polish();
    // One pass of the neighbour polish; the number of compositions it improved.
    std::size_t polish_pass(int pass);
    // summary.json, hull.csv, hull.xyz and hull_history.csv from what the compositions hold.
    void write_summary(const std::string& status, const std::string& error = {});
    std::unique_ptr<Impl> impl_;
    std::shared_ptr<spdlog::logger> logger_;
    nlohmann::ordered_json summary_;
};

}  // namespace nanoscape
