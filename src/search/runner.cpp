#include "nanoscape/search/runner.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nanoscape/geometry/builders.hpp"
#include "nanoscape/geometry/motifs.hpp"
#include "nanoscape/search/basin_hopping.hpp"

namespace nanoscape {

std::vector<std::string> driver_names() { return {"basin_hopping"}; }

std::unique_ptr<Driver> create_driver(const std::string& name) {
    if (name == "basin_hopping") return std::make_unique<BasinHopping>();
    throw InputError(fmt::format("unknown driver '{}'{}; drivers: {}", name, did_you_mean(name, driver_names()),
                                 fmt::join(driver_names(), ", ")));
}

double default_temperature(const Potential& potential) { return potential.type() == "lj" ? 0.8 : 0.1; }

Cluster make_start_structure(const SearchSettings& settings, const Potential& potential, int index, Rng& rng) {
    if (!settings.start_structures.empty()) {
        const auto& frames = settings.start_structures;
        return frames[static_cast<std::size_t>(index) % frames.size()];
    }
    if (settings.start.kind != "random") {
        // A motif cut to N atoms, spaced by the potential; random or core-shell ordering.
        BuildRequest request;
        request.motif = parse_motif(settings.start.kind);
        request.size = static_cast<int>(settings.species.size());
        for (Species z : settings.start.element_order) {
            const auto n = std::count(settings.species.begin(), settings.species.end(), z);
            if (n > 0) request.composition.emplace_back(z, static_cast<int>(n));
        }
        request.ordering = settings.start.core_shell ? Ordering::core_shell : Ordering::random;
        return build_cluster(request, [&](Species a, Species b) { return potential.pair_distance(a, b); }, rng);
    }
    // Random order of the composition (Fisher-Yates with our own stream), then a compact
    // random cluster spaced for the potential.
    std::vector<Species> species = settings.species;
    for (std::size_t i = species.size(); i > 1; --i) std::swap(species[i - 1], species[rng.below(i)]);
    const double d = largest_pair_distance(species, potential);
    return make_random_cluster(species, 0.85 * d, 1.25 * d, rng);
}

namespace {

using Clock = std::chrono::steady_clock;

// Bookkeeping of one record, in the fixed record order: counters, archive, target.
void account(SearchState& state, const SearchEnvironment& env, StepRecord& record, bool counts_as_step) {
    if (counts_as_step) record.step = ++state.steps;
    state.evaluations += record.evaluations;
    state.relaxations += record.relaxations;
    if (record.minimum) {
        Minimum m;
        m.cluster = *record.minimum;
        m.energy = record.energy;
        m.step = record.step;
        m.walker = record.walker;
        m.move = record.move;
        m.evaluations = state.evaluations;
        state.archive.insert(std::move(m));
    }
    const auto& stop = env.settings.stop;
    if (stop.target_energy && !state.target_reached && record.minimum &&
        record.energy <= *stop.target_energy + stop.target_tolerance) {
        state.target_reached = true;
        state.evaluations_to_target = state.evaluations;
        state.relaxations_to_target = state.relaxations;
        state.steps_to_target = state.steps;
    }
}

// The first stop criterion met, or "" to go on.
std::string stop_reason(const SearchState& state, const StopCriteria& stop) {
    if (state.target_reached) return "target_energy";
    if (stop.max_steps > 0 && state.steps >= stop.max_steps) return "max_steps";
    if (stop.max_evaluations > 0 && state.evaluations >= stop.max_evaluations) return "max_evaluations";
    if (stop.max_wall_time > 0 && state.elapsed >= stop.max_wall_time) return "max_wall_time";
    return "";
}

}  // namespace

void run_search(const SearchEnvironment& env, RunObserver& observer, SearchState& state, bool resume) {
    const auto driver = create_driver(env.settings.driver);
    const auto session_start = Clock::now();
    const double elapsed_before = state.elapsed;
    const auto update_elapsed = [&] {
        state.elapsed = elapsed_before + std::chrono::duration<double>(Clock::now() - session_start).count();
    };
    std::vector<StepRecord> records;
    if (!resume) {
        state = SearchState{};
        state.archive = MinimaArchive(env.settings.archive);
        driver->initialize(state, env, records);
        for (auto& r : records) {
            account(state, env, r, false);
            observer.on_step(r, state);
        }
        update_elapsed();
        observer.on_checkpoint(state);
    }
    auto last_checkpoint = Clock::now();
    for (;;) {
        update_elapsed();
        state.stop_reason = stop_reason(state, env.settings.stop);
        if (!state.stop_reason.empty()) break;
        const long remaining = env.settings.stop.max_steps > 0 ? env.settings.stop.max_steps - state.steps
                                                               : std::numeric_limits<long>::max();
        driver->advance(state, env, remaining, records);
        for (auto& r : records) {
            account(state, env, r, true);
            observer.on_step(r, state);
        }
        if (std::chrono::duration<double>(Clock::now() - last_checkpoint).count() >= env.settings.checkpoint_interval) {
            update_elapsed();
            observer.on_checkpoint(state);
            last_checkpoint = Clock::now();
        }
    }
    observer.on_checkpoint(state);
    observer.on_finish(state);
}

}  // namespace nanoscape
