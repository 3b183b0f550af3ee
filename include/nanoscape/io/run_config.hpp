#pragma once
/// @file Run files (TOML) to a search set-up. Every table and key is checked; mistakes are
/// InputErrors naming file:line:column and the closest valid name. See docs/run-file.md.
///
/// io builds the objects (potential, relaxer, driver) from the file; the driver reads its own
/// [search] keys through its registry entry, so nothing here knows a driver's internals.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nanoscape/core/parameters.hpp"
#include "nanoscape/potentials/potential.hpp"
#include "nanoscape/relax/relaxer.hpp"
#include "nanoscape/search/driver.hpp"
#include "nanoscape/search/engine.hpp"
#include "nanoscape/search/problem.hpp"
#include "nanoscape/search/screening.hpp"

namespace nanoscape {

class ReferenceCallLog;

/// Command-line values that override the run file.
struct RunOverrides {
    std::optional<std::uint64_t> seed;           ///< --seed
    std::optional<std::string> output;           ///< --output
    std::optional<long> max_steps;               ///< --max-steps (0: no limit)
    std::optional<long> max_evaluations;         ///< --max-evaluations (0: no limit)
    std::optional<double> max_wall_time;         ///< --max-wall-time, seconds (0: no limit)
    std::optional<double> target_energy;         ///< --target-energy, eV
    /// --potential SPEC: replaces the [potential] table (a registry key, a potential or run
    /// file, a model directory written by `fit`), as in eval and relax.
    std::optional<std::string> potential;
    /// --replica-index K (or SLURM_ARRAY_TASK_ID): run replica K of a run with [search]
    /// replicas alone, into DIR/replicas/rK (io/replicas.hpp).
    std::optional<long> replica_index;
    /// replica_index came from SLURM_ARRAY_TASK_ID, not the command line: a run without
    /// replicas ignores it (an array of runs that differ otherwise).
    bool replica_index_from_environment = false;
};

/// A composition sweep ([sweep]): every composition A_n B_(N-n) of one size N is searched in
/// turn with the run's driver (docs/sweeps.md).
struct SweepSettings {
    std::vector<Species> elements;  ///< [system] elements: A (the one counted by n) and B
    int size = 0;                   ///< N
    std::vector<int> counts;        ///< n (atoms of A) of each composition, ascending; 0 and N always
    int seeds = 2;                  ///< best minima of each searched neighbour offered as starts (0: none)
    long history_every = 0;         ///< reference evaluations between hull_history.csv snapshots (0: automatic)
    double hull_tolerance = 1e-6;   ///< eV: a composition this close to the hull is on it
    int polish_passes = 10;         ///< neighbour-polish passes after the search (0: none); stops early when none improves
    int polish_variants = 4;        ///< structures made from each neighbour minimum per pass (different atoms changed)
    /// With [screening]: the most training points a composition inherits from the one that
    /// seeds it (the last of that one's pool), so its model starts knowing the alloy; 0: none.
    long share_training = 0;
    /// [sweep] slices: the compositions split into this many runs of neighbouring compositions,
    /// each a sweep of its own (DIR/slices/s<k>), merged (io/replicas.hpp); 1: one sweep.
    int slices = 1;
    /// The counts of slice `k` (0 ... slices - 1) of `counts`: the k-th of `slices` runs of
    /// consecutive counts, as equal in length as they can be (the first holds 0, the last N).
    [[nodiscard]] std::vector<int> slice(int k) const;
    /// The composition with n atoms of A.
    [[nodiscard]] std::vector<Species> species(int n) const;
};

/// A validated run: what is searched, with what, how, and where results go.
struct RunConfig {
    std::string path;                      ///< the run file
    std::shared_ptr<Potential> potential;  ///< reference calculator (problem.potential points to it)
    /// reference_calls.xyz of the run ([output] reference_calls; on by default for external
    /// calculators): `potential` is then a LoggedPotential writing to it once the run
    /// directory opens it. Null if off.
    std::shared_ptr<ReferenceCallLog> reference_log;
    SearchProblem problem;                 ///< composition, seed, starting structures
    std::shared_ptr<Relaxer> relaxer;      ///< local optimiser
    RelaxOptions relax;                    ///< relaxation settings
    EngineSettings engine;                 ///< stop criteria, archive, checkpoint intervals
    std::unique_ptr<Driver> driver;        ///< the search algorithm, with its own settings
    ParameterTable search;                 ///< the [search] table (a sweep builds a driver per composition)
    std::optional<SweepSettings> sweep;    ///< set for a composition sweep (problem is then its middle composition)
    std::optional<ScreeningSettings> screening;  ///< surrogate pre-screening ([screening]), if configured
    ParameterTable surrogate;              ///< the [surrogate] table of the screening model
    std::vector<Species> surrogate_species;  ///< the species the model covers (the run's elements, sorted by Z)
    std::string output_directory;          ///< run directory
    std::vector<std::string> warnings;     ///< things worth telling the user before the run
    /// The command-line overrides that shaped this run (" --seed 3 --max-steps 6000"), for the
    /// "continue with --resume" hints: a resume without them would run with the file's values.
    std::string override_options;
    /// Seconds a busy MPI rank may stay silent before the run stops (--mpi-timeout; 0: no
    /// limit). Only runs under mpirun with more than one rank use it.
    double mpi_timeout = 60.0;
    /// [search] replicas: independent searches of this run file, merged (io/replicas.hpp).
    int replicas = 1;
    /// Set by --replica-index: this run is that replica alone (output_directory is its own).
    std::optional<int> replica_index;
    /// Set by --replica-index for a sweep with [sweep] slices: this run is that slice alone
    /// (sweep->counts are its compositions, output_directory its own).
    std::optional<int> slice_index;
    /// The independent parts the run is made of: its replicas, or a sliced sweep's slices (one
    /// task each of a Slurm array; 1: the run is one part).
    [[nodiscard]] int parts() const { return sliced() ? sweep->slices : replicas; }
    /// A sweep run in slices ([sweep] slices > 1): its parts are slices, not replicas.
    [[nodiscard]] bool sliced() const { return sweep && sweep->slices > 1; }
    /// This run is one part of a run of several (--replica-index).
    [[nodiscard]] bool is_part() const { return replica_index.has_value() || slice_index.has_value(); }
};

/// Reads and validates a run file; builds the potential, relaxer and driver. Nothing is written.
[[nodiscard]] RunConfig load_run_config(const std::string& path, const RunOverrides& overrides = {});

/// The evaluator of a run: the local evaluator (the reference potential and relaxer of
/// `config`, in parallel on `threads` threads; under mpirun with `distribute` and more than one
/// rank, the MPI evaluator spreading each batch over the ranks); where screening is
/// configured, the screening evaluator that wraps it. `config` must outlive it.
[[nodiscard]] std::unique_ptr<Evaluator> make_evaluator(const RunConfig& config, int threads, bool distribute = true);

/// The reference evaluator of make_evaluator, without screening: the local evaluator, or under
/// mpirun with `distribute` and more than one rank the MPI evaluator.
[[nodiscard]] std::unique_ptr<Evaluator> make_reference_evaluator(const RunConfig& config, int threads,
                                                                  bool distribute = true);

/// The run directory of replica `replica` of the run in `run_directory`: run_directory/replicas/r<replica>.
[[nodiscard]] std::string replica_directory(const std::string& run_directory, int replica);

/// Makes `config` replica `replica` of its run: the problem's streams keyed on it, the
/// screening model's seed drawn from it (replica 0 keeps both), the driver built again.
void make_replica(RunConfig& config, int replica);

/// The run directory of slice `slice` of the sweep in `run_directory`: run_directory/slices/s<slice>.
[[nodiscard]] std::string slice_directory(const std::string& run_directory, int slice);

/// The run directory of part `part` of the run `config` (a replica's or a slice's).
[[nodiscard]] std::string part_directory(const RunConfig& config, const std::string& run_directory, int part);

/// Makes `config` (a sweep with slices) slice `slice` of its sweep: its compositions are the slice's.
void make_slice(RunConfig& config, int slice);

/// Tables a run file may have.
[[nodiscard]] std::vector<std::string> run_file_tables();

/// "1000 steps, 600 s, target energy -173.928427" (or "no limit").
[[nodiscard]] std::string describe_stop(const StopCriteria& stop);

}  // namespace nanoscape
