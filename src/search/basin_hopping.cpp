#include "nanoscape/search/basin_hopping.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "nanoscape/search/state_json.hpp"

namespace nanoscape {

namespace {

constexpr const char* walker_stream = "basin_hopping.walker";

}  // namespace

double default_temperature(const Potential& potential) { return potential.type() == "lj" ? 0.8 : 0.1; }

BasinHopping::BasinHopping(BasinHoppingSettings settings, const MoveSet& moves, std::vector<std::string> skipped,
                           const SearchProblem& problem)
    : settings_(settings), acceptance_(settings.temperature), moves_description_(moves.describe()),
      skipped_(std::move(skipped)) {
    walkers_.resize(static_cast<std::size_t>(settings_.walkers));
    for (std::size_t w = 0; w < walkers_.size(); ++w) {
        walkers_[w].rng = problem.stream(walker_stream, w);
        walkers_[w].moves = moves.clone();
    }
}

std::string BasinHopping::describe() const {
    std::string text = fmt::format("basin_hopping with {} walker(s), kT {}", settings_.walkers, settings_.temperature);
    if (settings_.trials > 1) text += fmt::format(", {} trials per step", settings_.trials);
    if (settings_.reseed_after > 0) text += fmt::format(", reseed after {} steps without improvement", settings_.reseed_after);
    text += fmt::format("; moves {}", moves_description_);
    if (!skipped_.empty()) text += fmt::format(" (not applicable, skipped: {})", fmt::join(skipped_, ", "));
    return text;
}

nlohmann::json BasinHopping::identity() const {
    nlohmann::json id = {{"walkers", settings_.walkers},
                         {"temperature", settings_.temperature},
                         {"reseed_after", settings_.reseed_after},
                         {"moves", moves_description_}};
    if (settings_.trials > 1) id["trials"] = settings_.trials;  // checkpoints of one-trial runs have none
    return id;
}

std::vector<Candidate> BasinHopping::propose(const SearchView& view, long max_steps) {
    std::vector<Candidate> out;
    long steps = 0;
    for (std::size_t w = 0; w < walkers_.size(); ++w) {
        Walker& walker = walkers_[w];
        walker.start_proposed = false;
        Candidate c;
        c.origin = static_cast<int>(w);
        if (!walker.current) {
            // Not started yet (or every start so far failed): a starting structure, step 0.
            c.cluster = view.problem.initial_structure(w, walker.rng);
            c.move = "start";
            c.initial = true;
            walker.start_proposed = true;
            out.push_back(std::move(c));
            continue;
        }
        // One step (of up to `trials` candidates) for each started walker while steps are left.
        if (steps >= max_steps) continue;
        if (walker.reseed_pending || (settings_.reseed_after > 0 && walker.since_improvement >= settings_.reseed_after)) {
            ++steps;
            c.cluster = view.problem.start_structure(w, walker.rng);
            c.move = "reseed";
            walker.start_proposed = true;
            out.push_back(std::move(c));
            continue;
        }
        for (int t = 0; t < settings_.trials && steps < max_steps; ++t) {
            ++steps;
            Candidate trial = c;
            Move& move = walker.moves.pick(*walker.current, walker.rng);
            trial.cluster = *walker.current;
            move.apply(trial.cluster, walker.rng, MoveContext{view.problem.potential, &view.problem});
            trial.cluster.center();
            trial.move = move.name();
            out.push_back(std::move(trial));
        }
    }
    return out;
}

std::vector<StepOutcome> BasinHopping::update(std::span<const Candidate> candidates, std::span<const Evaluation> results,
                                              const SearchView& view) {
    const double tolerance = view.archive.settings().energy_tolerance;
    std::vector<StepOutcome> outcomes(candidates.size());
    // A walker's candidates are consecutive: a start, a reseed, or its trials.
    for (std::size_t begin = 0; begin < candidates.size();) {
        const Candidate& c = candidates[begin];
        Walker& walker = walkers_[static_cast<std::size_t>(c.origin)];
        std::size_t end = begin + 1;
        while (end < candidates.size() && candidates[end].origin == c.origin) ++end;
        for (std::size_t i = begin; i < end; ++i)
            if (!candidates[i].initial) ++walker.steps;
        if (walker.start_proposed) {
            const Evaluation& r = results[begin];
            if (r.ok()) {
                walker.current = r.cluster;
                walker.energy = walker.best_energy = r.energy;
                walker.since_improvement = 0;
                walker.failed_starts = 0;
                walker.reseed_pending = false;
                outcomes[begin].accepted = true;
            } else {
                // A random start can fall apart under a weakly bound potential: try another.
                walker.reseed_pending = walker.current.has_value();
                if (++walker.failed_starts >= max_failed_starts)
                    throw Error(fmt::format("walker {}: none of {} starting structures relaxed to a connected minimum "
                                            "(last: {}); check the potential and the composition (is the cluster bound?)",
                                            c.origin + 1, max_failed_starts, to_string(r.status)));
            }
            begin = end;
            continue;
        }
        // The lowest usable trial is the step's candidate (the first if none is usable).
        std::size_t pick = begin;
        for (std::size_t i = begin; i < end; ++i)
            if (results[i].ok() && (!results[pick].ok() || results[i].energy < results[pick].energy)) pick = i;
        const Evaluation& r = results[pick];
        const bool accepted = acceptance_.accept(r.ok() ? r.energy : std::nan(""), walker.energy, walker.rng);
        if (Move* move = walker.moves.find(candidates[pick].move)) move->report(accepted);
        outcomes[pick].accepted = accepted;
        if (accepted) {
            walker.current = r.cluster;
            walker.energy = r.energy;
            ++walker.accepted;
        }
        if (r.ok() && r.energy < walker.best_energy - tolerance) {
            walker.best_energy = r.energy;
            walker.since_improvement = 0;
        } else {
            ++walker.since_improvement;
        }
        begin = end;
    }
    return outcomes;
}

nlohmann::json BasinHopping::save_state() const {
    nlohmann::json walkers = nlohmann::json::array();
    for (const auto& w : walkers_)
        walkers.push_back({{"current", w.current ? cluster_to_json(*w.current) : nlohmann::json(nullptr)},
                           {"energy", real_to_json(w.energy)},
                           {"best_energy", real_to_json(w.best_energy)},
                           {"rng", rng_to_json(w.rng)},
                           {"moves", w.moves.save_state()},
                           {"steps", w.steps},
                           {"accepted", w.accepted},
                           {"since_improvement", w.since_improvement},
                           {"failed_starts", w.failed_starts},
                           {"reseed_pending", w.reseed_pending}});
    return {{"walkers", std::move(walkers)}};
}

void BasinHopping::load_state(const nlohmann::json& state, const SearchProblem& problem) {
    const auto& walkers = state.at("walkers");
    if (walkers.size() != walkers_.size())
        throw InputError(fmt::format("the checkpoint has {} walkers, the run {}", walkers.size(), walkers_.size()));
    for (std::size_t k = 0; k < walkers_.size(); ++k) {
        const auto& j = walkers[k];
        Walker& w = walkers_[k];
        w.current.reset();
        if (!j.at("current").is_null()) {
            w.current = cluster_from_json(j.at("current"));
            check_composition(*w.current, problem.species);
        }
        w.energy = real_from_json(j.at("energy"));
        w.best_energy = real_from_json(j.at("best_energy"));
        w.rng = rng_from_json(j.at("rng"));
        w.moves.load_state(j.at("moves"));
        w.steps = j.at("steps").get<long>();
        w.accepted = j.at("accepted").get<long>();
        w.since_improvement = j.at("since_improvement").get<long>();
        w.failed_starts = j.at("failed_starts").get<int>();
        w.reseed_pending = j.at("reseed_pending").get<bool>();
    }
}

std::vector<std::string> basin_hopping_keys() {
    return {"walkers", "temperature", "reseed_after", "trials", "moves", "step_size", "target_acceptance", "adapt_interval",
            "adapt_factor"};
}

std::unique_ptr<Driver> make_basin_hopping(const ParameterTable& search, const SearchProblem& problem) {
    BasinHoppingSettings s;
    s.walkers = static_cast<int>(search.get_integer_in("walkers", 1, 1, 4096));
    s.temperature = search.get_real("temperature", default_temperature(*problem.potential));
    if (!(s.temperature > 0) || !std::isfinite(s.temperature))
        throw search.error("temperature", fmt::format("must be > 0, got {}", s.temperature));
    const std::int64_t reseed = search.get_integer("reseed_after", 0);
    if (reseed < 0) throw search.error("reseed_after", fmt::format("must be >= 0, got {}", reseed));
    s.reseed_after = static_cast<long>(reseed);
    s.trials = static_cast<int>(search.get_integer_in("trials", 1, 1, 100'000));

    // The displacement move's parameters keep their historical place in [search].
    ParameterTable displacement(search.name());
    for (const char* key : {"step_size", "target_acceptance", "adapt_interval", "adapt_factor"})
        if (const auto* v = search.find(key)) displacement.set(key, *v);
    const bool alloy = unique_species(problem.species).size() > 1;
    const std::vector<std::pair<std::string, double>> default_moves =
        alloy ? std::vector<std::pair<std::string, double>>{{"displacement", 0.6}, {"surface", 0.1}, {"swap", 0.3}}
              : std::vector<std::pair<std::string, double>>{{"displacement", 0.9}, {"surface", 0.1}};
    std::vector<std::string> skipped;
    const MoveSet moves = read_move_set(search, problem, default_moves, {{"displacement", displacement}}, &skipped);
    return std::make_unique<BasinHopping>(s, moves, std::move(skipped), problem);
}

}  // namespace nanoscape
