#pragma once
/// @file Settings and complete state of a search: everything a checkpoint must hold so a
/// resumed run continues exactly as if it had never stopped.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nanoscape/core/rng.hpp"
#include "nanoscape/geometry/cluster.hpp"
#include "nanoscape/relax/relaxer.hpp"
#include "nanoscape/search/minima_archive.hpp"

namespace nanoscape {

/// When a search stops (the first criterion met ends it; 0 means "no limit").
struct StopCriteria {
    long max_steps = 1000;                ///< search steps, all walkers together
    long max_evaluations = 0;             ///< reference energy+force evaluations
    double max_wall_time = 0.0;           ///< seconds
    std::optional<double> target_energy;  ///< eV (reduced units for LJ)
    double target_tolerance = 1e-6;       ///< reached when best <= target + tolerance
};

/// Basin-hopping settings (Wales & Doye, J. Phys. Chem. A 101, 5111 (1997)).
struct BasinHoppingSettings {
    int walkers = 1;                 ///< independent walkers, advanced in parallel
    double temperature = 0.0;        ///< Metropolis kT, eV (reduced for LJ); 0: default of the potential
    double step_size = 0.0;          ///< initial displacement radius, Angstrom; 0: 0.35 x pair distance
    double target_acceptance = 0.5;  ///< step size is adapted toward this acceptance ratio
    int adapt_interval = 10;         ///< walker steps between step-size adjustments
    double adapt_factor = 0.9;       ///< step size multiplied or divided by this
    long reseed_after = 0;           ///< restart a walker after this many steps without improving its best; 0: never
    /// Move weights (normalised when drawn); moves not applicable to the cluster are skipped.
    std::vector<std::pair<std::string, double>> moves{{"displacement", 1.0}};
};

/// How starting structures are made.
struct StartSettings {
    std::string kind = "random";  ///< "random", "file" or a motif name (geometry/motifs.hpp)
    std::string file;             ///< for kind == "file": extended XYZ (frames used in turn by walkers)
    bool core_shell = false;      ///< motif starts: species fill the sites from the centre out
    std::vector<Species> element_order;  ///< order of the species for core_shell ([system] elements)
};

/// Everything the runner needs besides the potential and the relaxer.
struct SearchSettings {
    std::string driver = "basin_hopping";  ///< driver registry key
    std::vector<Species> species;          ///< composition as one species per atom (sorted by Z)
    std::uint64_t seed = 1;                ///< run seed; all random streams derive from it
    StartSettings start;                   ///< starting structures
    std::vector<Cluster> start_structures; ///< structures read for start.kind == "file"
    RelaxOptions relax;                    ///< local relaxation settings
    StopCriteria stop;                     ///< stop criteria
    BasinHoppingSettings basin_hopping;    ///< driver settings
    ArchiveSettings archive;               ///< uniqueness and capacity of the minima archive
    double checkpoint_interval = 60.0;     ///< seconds between checkpoints (0: after every round)
};

/// One basin-hopping walker.
struct Walker {
    Cluster current;             ///< current minimum
    double energy = 0.0;         ///< its energy
    double best_energy = 0.0;    ///< lowest energy this walker reached since its last (re)seed
    Rng rng;                     ///< its own random stream
    double step_size = 0.0;      ///< current displacement radius, Angstrom
    long steps = 0;              ///< steps taken
    long accepted = 0;           ///< steps accepted
    long window_steps = 0;       ///< steps since the last step-size adjustment
    long window_accepted = 0;    ///< of which accepted
    long since_improvement = 0;  ///< steps since best_energy last decreased
};

/// One search step as the trace records it.
struct StepRecord {
    long step = 0;              ///< 1-based over the whole run; 0 for starting structures
    int walker = 0;             ///< which walker
    std::string move;           ///< move name, "start" or "reseed"
    double energy = 0.0;        ///< energy of the new minimum (NaN if the relaxation failed)
    bool accepted = false;      ///< Metropolis decision
    RelaxStatus status = RelaxStatus::converged;  ///< how the relaxation ended
    long evaluations = 0;       ///< reference evaluations this step used
    int relaxations = 1;        ///< reference relaxations this step used
    std::optional<Cluster> minimum;  ///< the relaxed structure if it converged
};

/// Complete state of a run.
struct SearchState {
    long steps = 0;                    ///< search steps done
    long evaluations = 0;              ///< reference energy+force evaluations
    long relaxations = 0;              ///< reference relaxations
    double elapsed = 0.0;              ///< wall time spent, seconds (over all sessions of a resumed run)
    std::vector<Walker> walkers;       ///< driver population
    MinimaArchive archive;             ///< unique minima found
    bool target_reached = false;       ///< best reached the target energy
    long evaluations_to_target = 0;    ///< evaluations when the target was first reached
    long relaxations_to_target = 0;    ///< relaxations when the target was first reached
    long steps_to_target = 0;          ///< steps when the target was first reached
    long trace_rows = 0;               ///< trace rows the checkpoint accounts for (set on resume)
    std::string stop_reason;           ///< set when the run ends
};

}  // namespace nanoscape
