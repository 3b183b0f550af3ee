#pragma once
/// @file The search loop: drivers, stop criteria, bookkeeping, observers.

#include <memory>
#include <string>
#include <vector>

#include "nanoscape/potentials/potential.hpp"
#include "nanoscape/relax/relaxer.hpp"
#include "nanoscape/search/search_state.hpp"

namespace nanoscape {

/// What a driver works with.
struct SearchEnvironment {
    const SearchSettings& settings;  ///< run settings
    const Potential& potential;      ///< reference calculator
    const Relaxer& relaxer;          ///< local optimiser
    int threads = 0;                 ///< OpenMP threads (0: default); never changes results
};

/// A global-optimisation algorithm. Its random numbers come from per-walker streams and its
/// records come back in a fixed order, so results do not depend on the thread count.
class Driver {
public:
    virtual ~Driver() = default;
    /// Registry key ("basin_hopping").
    [[nodiscard]] virtual std::string name() const = 0;
    /// Creates and relaxes the starting population; one record per starting structure.
    virtual void initialize(SearchState& state, const SearchEnvironment& env, std::vector<StepRecord>& records) = 0;
    /// Advances the search by at most `max_steps` steps (at least one); one record per step,
    /// with step numbers continuing from state.steps.
    virtual void advance(SearchState& state, const SearchEnvironment& env, long max_steps,
                         std::vector<StepRecord>& records) = 0;
};

/// Driver names, in registry order.
[[nodiscard]] std::vector<std::string> driver_names();
/// The driver registered as `name`; InputError with the closest name otherwise.
[[nodiscard]] std::unique_ptr<Driver> create_driver(const std::string& name);

/// Receives progress; the CLI writes files and progress lines from these calls.
class RunObserver {
public:
    virtual ~RunObserver() = default;
    /// After each step's bookkeeping (state already updated).
    virtual void on_step(const StepRecord& record, const SearchState& state) = 0;
    /// A consistent point to save a checkpoint (between rounds).
    virtual void on_checkpoint(const SearchState& state) = 0;
    /// The run ended (state.stop_reason set).
    virtual void on_finish(const SearchState& state) = 0;
};

/// Runs a search to the end. With `resume` the state continues a checkpointed run (its
/// settings must be the same); otherwise a fresh state is initialised.
void run_search(const SearchEnvironment& env, RunObserver& observer, SearchState& state, bool resume);

/// Default Metropolis temperature for a potential: 0.8 in reduced Lennard-Jones units (the
/// LJ38 literature value), 0.1 eV (about 1160 K) for metal potentials.
[[nodiscard]] double default_temperature(const Potential& potential);

}  // namespace nanoscape

namespace nanoscape {

/// A starting structure for walker `index`: a frame of settings.start_structures (in turn),
/// or a random compact cluster of settings.species spaced by the potential's pair distances
/// (species placed in random order). Uses `rng` only.
[[nodiscard]] Cluster make_start_structure(const SearchSettings& settings, const Potential& potential, int index,
                                           Rng& rng);

}  // namespace nanoscape
