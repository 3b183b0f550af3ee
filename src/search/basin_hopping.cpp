#include "nanoscape/search/basin_hopping.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>

#include <omp.h>

#include "nanoscape/search/moves.hpp"

namespace nanoscape {

namespace {

// Stream ids: walker w uses stream w of the run seed.
Rng walker_stream(std::uint64_t seed, int walker) { return make_stream(seed, static_cast<std::uint64_t>(walker)); }

// Relaxes `cluster` and fills the record; NaN energy if the relaxation is unusable.
void relax_into(Cluster& cluster, const SearchEnvironment& env, StepRecord& record) {
    const RelaxResult result = env.relaxer.relax(cluster, env.potential, env.settings.relax);
    record.status = result.status;
    record.evaluations = result.evaluations;
    if (result.ok()) {
        record.energy = result.energy;
        record.minimum = cluster;
    } else {
        record.energy = std::numeric_limits<double>::quiet_NaN();
    }
}

// A fresh start for walker w: relaxed starting structures until one converges (a random
// start can fall apart under a weakly bound potential; 20 tries is far more than needed).
void seed_walker(Walker& walker, int index, const SearchEnvironment& env, StepRecord& record) {
    long evaluations = 0;
    record.relaxations = 0;
    for (int attempt = 0; attempt < 20; ++attempt) {
        Cluster c = make_start_structure(env.settings, env.potential, index, walker.rng);
        relax_into(c, env, record);
        evaluations += record.evaluations;
        ++record.relaxations;
        if (record.minimum) {
            walker.current = c;
            walker.energy = record.energy;
            walker.best_energy = record.energy;
            walker.since_improvement = 0;
            break;
        }
    }
    record.evaluations = evaluations;
    if (!record.minimum)
        throw Error("could not relax any of 20 starting structures to a connected minimum: check the potential "
                    "and composition (is the cluster bound?)");
}

const Move& pick_move(const std::vector<std::pair<const Move*, double>>& moves, const Cluster& cluster, Rng& rng) {
    double total = 0.0;
    for (const auto& [move, weight] : moves)
        if (move->applicable(cluster)) total += weight;
    double x = rng.uniform() * total;
    const Move* chosen = nullptr;
    for (const auto& [move, weight] : moves) {
        if (!move->applicable(cluster) || weight <= 0) continue;
        chosen = move;
        if (x < weight) break;
        x -= weight;
    }
    return *chosen;
}

}  // namespace

void BasinHopping::initialize(SearchState& state, const SearchEnvironment& env, std::vector<StepRecord>& records) {
    const auto& s = env.settings.basin_hopping;
    const double d = largest_pair_distance(env.settings.species, env.potential);
    state.walkers.assign(static_cast<std::size_t>(s.walkers), Walker{});
    records.assign(static_cast<std::size_t>(s.walkers), StepRecord{});
    std::exception_ptr failure;
#pragma omp parallel for schedule(dynamic, 1) num_threads(env.threads > 0 ? env.threads : omp_get_max_threads())
    for (int w = 0; w < s.walkers; ++w) {
        try {
            Walker& walker = state.walkers[static_cast<std::size_t>(w)];
            walker.rng = walker_stream(env.settings.seed, w);
            walker.step_size = s.step_size > 0 ? s.step_size : 0.35 * d;
            StepRecord& record = records[static_cast<std::size_t>(w)];
            record.walker = w;
            record.move = "start";
            record.accepted = true;
            seed_walker(walker, w, env, record);
        } catch (...) {
#pragma omp critical(nanoscape_bh_failure)
            if (!failure) failure = std::current_exception();
        }
    }
    if (failure) std::rethrow_exception(failure);
}

void BasinHopping::advance(SearchState& state, const SearchEnvironment& env, long max_steps,
                           std::vector<StepRecord>& records) {
    const auto& s = env.settings.basin_hopping;
    const double kT = s.temperature > 0 ? s.temperature : default_temperature(env.potential);
    const double d = largest_pair_distance(env.settings.species, env.potential);
    std::vector<std::unique_ptr<Move>> owned;
    std::vector<std::pair<const Move*, double>> moves;
    for (const auto& [name, weight] : s.moves) {
        owned.push_back(create_move(name));
        moves.emplace_back(owned.back().get(), weight);
    }
    // One step for each of the first `active` walkers; the records come back in walker order.
    const int active = static_cast<int>(std::min<long>(max_steps, s.walkers));
    records.assign(static_cast<std::size_t>(active), StepRecord{});
    std::exception_ptr failure;
#pragma omp parallel for schedule(dynamic, 1) num_threads(env.threads > 0 ? env.threads : omp_get_max_threads())
    for (int w = 0; w < active; ++w) {
        try {
            Walker& walker = state.walkers[static_cast<std::size_t>(w)];
            StepRecord& record = records[static_cast<std::size_t>(w)];
            record.walker = w;
            if (s.reseed_after > 0 && walker.since_improvement >= s.reseed_after) {
                record.move = "reseed";
                record.accepted = true;
                seed_walker(walker, w, env, record);
            } else {
                const Move& move = pick_move(moves, walker.current, walker.rng);
                record.move = move.name();
                Cluster trial = walker.current;
                move.apply(trial, walker.rng, MoveContext{&env.potential, walker.step_size});
                trial.center();
                relax_into(trial, env, record);
                const double u = walker.rng.uniform();  // drawn every step: the stream stays aligned
                if (record.minimum) {
                    const double delta = record.energy - walker.energy;
                    record.accepted = delta <= 0 || u < std::exp(-delta / kT);
                }
                ++walker.window_steps;
                if (record.accepted) {
                    walker.current = *record.minimum;
                    walker.energy = record.energy;
                    ++walker.accepted;
                    ++walker.window_accepted;
                }
                if (record.minimum && record.energy < walker.best_energy - env.settings.archive.energy_tolerance) {
                    walker.best_energy = record.energy;
                    walker.since_improvement = 0;
                } else {
                    ++walker.since_improvement;
                }
                // Adapt the displacement radius toward the target acceptance ratio, within
                // [0.05, 2] pair distances.
                if (walker.window_steps >= s.adapt_interval) {
                    const double ratio = static_cast<double>(walker.window_accepted) / static_cast<double>(walker.window_steps);
                    walker.step_size *= ratio > s.target_acceptance ? 1.0 / s.adapt_factor : s.adapt_factor;
                    walker.step_size = std::clamp(walker.step_size, 0.05 * d, 2.0 * d);
                    walker.window_steps = walker.window_accepted = 0;
                }
            }
            ++walker.steps;
        } catch (...) {
#pragma omp critical(nanoscape_bh_failure)
            if (!failure) failure = std::current_exception();
        }
    }
    if (failure) std::rethrow_exception(failure);
}

}  // namespace nanoscape
