#include "nanoscape/search/genetic_algorithm.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "nanoscape/core/error.hpp"
#include "nanoscape/geometry/alignment.hpp"
#include "nanoscape/search/state_json.hpp"

namespace nanoscape {

namespace {

constexpr const char* child_stream = "genetic_algorithm.child";
constexpr const char* start_stream = "genetic_algorithm.start";
constexpr const char* homotop_name = "homotop_crossover";

// Atoms of two homotops of one geometry lie within this many pair distances of each other.
constexpr double match_tolerance = 0.3;

const char* fitness_name(FitnessFunction f) {
    switch (f) {
    case FitnessFunction::exponential: return "exponential";
    case FitnessFunction::linear: return "linear";
    case FitnessFunction::tanh: return "tanh";
    }
    return "?";
}

}  // namespace

std::vector<double> population_fitness(std::span<const double> energies, FitnessFunction function, double alpha) {
    std::vector<double> out(energies.size(), 1.0);
    if (energies.empty()) return out;
    const auto [lo, hi] = std::minmax_element(energies.begin(), energies.end());
    const double range = *hi - *lo;
    for (std::size_t i = 0; i < energies.size(); ++i) {
        const double rho = range > 0 ? (energies[i] - *lo) / range : 0.0;
        switch (function) {
        case FitnessFunction::exponential: out[i] = std::exp(-alpha * rho); break;
        case FitnessFunction::linear: out[i] = 1.0 - 0.7 * rho; break;
        case FitnessFunction::tanh: out[i] = 0.5 * (1.0 - std::tanh(2.0 * rho - 1.0)); break;
        }
    }
    return out;
}

std::size_t select_roulette(std::span<const double> fitness, Rng& rng) { return draw_weighted(fitness, rng); }

std::size_t select_tournament(std::span<const double> fitness, int size, Rng& rng) {
    const std::size_t n = fitness.size();
    const std::size_t k = std::min<std::size_t>(n, static_cast<std::size_t>(std::max(1, size)));
    // A partial Fisher-Yates draw of k distinct members.
    std::vector<std::size_t> pool(n);
    std::iota(pool.begin(), pool.end(), std::size_t{0});
    std::size_t best = n;
    for (std::size_t t = 0; t < k; ++t) {
        std::swap(pool[t], pool[t + rng.below(n - t)]);
        if (best == n || fitness[pool[t]] > fitness[best]) best = pool[t];
    }
    return best;
}

GeneticAlgorithm::GeneticAlgorithm(GeneticAlgorithmSettings settings,
                                   std::vector<std::pair<std::unique_ptr<Crossover>, double>> crossovers,
                                   MoveSet mutations, std::vector<std::string> skipped)
    : settings_(settings), crossovers_(std::move(crossovers)), mutations_(std::move(mutations)),
      mutations_description_(mutations_.describe()), skipped_(std::move(skipped)),
      islands_(static_cast<std::size_t>(std::max(1, settings.islands))) {
    std::vector<std::string> parts;
    for (const auto& [c, w] : crossovers_) {
        parts.push_back(fmt::format("{:g} {}", w, c->describe()));
        crossover_weights_.push_back(w);
    }
    crossover_description_ = fmt::format("{}", fmt::join(parts, ", "));
}

std::string GeneticAlgorithm::describe() const {
    std::string text = fmt::format(
        "genetic_algorithm: population {}, {} children per round, mutation rate {}, {} selection, {} fitness{}", settings_.population,
        settings_.offspring, settings_.mutation_rate,
        settings_.tournament ? fmt::format("tournament (size {})", settings_.tournament_size) : std::string("roulette"),
        fitness_name(settings_.fitness),
        settings_.fitness == FitnessFunction::exponential ? fmt::format(" (alpha {})", settings_.fitness_alpha) : "");
    if (islands_.size() > 1)
        text += fmt::format(", {} islands (population and children each; a ring, the best {} sent on every {} generations)",
                            islands_.size(), settings_.migration_count, settings_.migration_interval);
    if (settings_.restart_after > 0)
        text += fmt::format(", new population after {} generations without improvement", settings_.restart_after);
    if (settings_.stall_generations > 0)
        text += fmt::format(", stop after {} generations without improvement", settings_.stall_generations);
    text += fmt::format("; crossover {} (homotop crossover for homotops of one geometry); mutations {}",
                        crossover_description_, mutations_description_);
    if (!skipped_.empty()) text += fmt::format(" (not applicable, skipped: {})", fmt::join(skipped_, ", "));
    return text;
}

nlohmann::json GeneticAlgorithm::identity() const {
    nlohmann::json j = {{"population", settings_.population},
                        {"offspring", settings_.offspring},
                        {"mutation_rate", settings_.mutation_rate},
                        {"restart_after", settings_.restart_after},
                        {"selection", settings_.tournament ? fmt::format("tournament {}", settings_.tournament_size) : "roulette"},
                        {"fitness", fmt::format("{} {}", fitness_name(settings_.fitness), settings_.fitness_alpha)},
                        {"crossover", crossover_description_},
                        {"moves", mutations_description_}};
    // Only when set, so checkpoints of runs without islands still resume.
    if (islands_.size() > 1)
        j["islands"] = {{"count", islands_.size()},
                        {"migration_interval", settings_.migration_interval},
                        {"migration_count", settings_.migration_count}};
    return j;
}

std::vector<std::string> GeneticAlgorithm::trace_columns() const {
    if (islands_.size() > 1) return {"generation", "diversity", "island"};
    return {"generation", "diversity"};
}

std::size_t GeneticAlgorithm::select(const Island& island, Rng& rng, std::size_t exclude) const {
    // The second parent is drawn from the others: the same parent twice would only copy it.
    std::vector<double> fitness = island.fitness;
    if (exclude < fitness.size()) fitness[exclude] = 0.0;
    return settings_.tournament ? select_tournament(fitness, settings_.tournament_size, rng)
                                : select_roulette(fitness, rng);
}

std::vector<Candidate> GeneticAlgorithm::propose(const SearchView& view, long max_steps) {
    std::vector<Candidate> out;
    round_island_.clear();
    long children = 0;  // steps proposed so far this round (starts are not steps)
    for (std::size_t k = 0; k < islands_.size(); ++k) {
        const auto before = out.size();
        propose_island(k, view, max_steps - children, out);
        for (auto i = before; i < out.size(); ++i) children += out[i].initial ? 0 : 1;
        round_island_.resize(out.size(), k);
    }
    return out;
}

void GeneticAlgorithm::propose_island(std::size_t k, const SearchView& view, long max_steps, std::vector<Candidate>& out) {
    Island& island = islands_[k];
    const SearchProblem& problem = view.problem;
    // Island 0 draws from the streams of a run without islands; island k from round k of them.
    const auto round = static_cast<std::uint64_t>(k);
    if (island.population.empty()) {
        // The first round, or every start so far failed: a whole population of starts (a start
        // file gives at most one of each frame: the others would be copies).
        const std::size_t frames = problem.start.structures.size();
        const int starts = frames > 0 ? static_cast<int>(std::min<std::size_t>(frames, static_cast<std::size_t>(settings_.population)))
                                      : settings_.population;
        for (int s = 0; s < starts; ++s) {
            const std::uint64_t index = island.starts++;
            Rng rng = problem.stream(start_stream, index, round);
            Candidate c;
            c.cluster = problem.initial_structure(index, rng);
            c.cluster.center();
            c.origin = static_cast<int>(index % static_cast<std::uint64_t>(std::numeric_limits<int>::max()));
            c.move = "start";
            c.initial = true;
            out.push_back(std::move(c));
        }
        return;
    }
    const auto n = std::min<long>(settings_.offspring, max_steps);
    const bool alloy = unique_species(problem.species).size() > 1;
    const MoveContext context{problem.potential, &problem};
    const double tolerance = match_tolerance * problem.bond_length();
    const auto& population = island.population;
    for (long i = 0; i < n; ++i) {
        const std::uint64_t index = island.children++;
        Rng rng = problem.stream(child_stream, index, round);
        Candidate c;
        c.origin = static_cast<int>(index % static_cast<std::uint64_t>(std::numeric_limits<int>::max()));
        const bool mutate = population.size() < 2 || rng.uniform() < settings_.mutation_rate;
        if (mutate) {
            const Member& parent = population[select(island, rng, population.size())];
            Move& move = mutations_.pick(parent.cluster, rng);
            c.cluster = parent.cluster;
            move.apply(c.cluster, rng, context);
            c.cluster.center();
            c.move = move.name();
        } else {
            const std::size_t a_index = select(island, rng, population.size());
            const std::size_t b_index = select(island, rng, a_index);
            const Cluster& a = population[a_index].cluster;
            const Cluster& b = population[b_index].cluster;
            const auto match = alloy ? match_geometry(a, b, tolerance) : std::nullopt;
            if (match) {
                c.cluster = homotop_crossover(a, b, *match, problem.species, rng);
                c.move = homotop_name;
            } else {
                const Crossover* chosen = crossovers_[draw_weighted(crossover_weights_, rng)].first.get();
                c.cluster = chosen->apply(a, b, problem.species, rng, context);
                c.move = chosen->name();
            }
        }
        out.push_back(std::move(c));
    }
}

bool GeneticAlgorithm::offer(Island& island, Member member, const ArchiveSettings& archive) const {
    auto& population = island.population;
    const double energy = member.energy;
    // A copy never enters: the population must not fill with copies.
    if (std::any_of(population.begin(), population.end(), [&](const Member& m) {
            return same_minimum(archive, energy, member.fingerprint, m.energy, m.fingerprint);
        }))
        return false;
    if (population.size() >= static_cast<std::size_t>(settings_.population)) {
        if (!(energy < population.back().energy)) return false;
        population.pop_back();
    }
    const auto at = std::upper_bound(population.begin(), population.end(), energy,
                                     [](double e, const Member& m) { return e < m.energy; });
    population.insert(at, std::move(member));
    return true;
}

void GeneticAlgorithm::refresh_diversity(Island& island) const {
    const auto& population = island.population;
    std::vector<double> energies;
    for (const auto& m : population) energies.push_back(m.energy);
    island.fitness = population_fitness(energies, settings_.fitness, settings_.fitness_alpha);
    double sum = 0.0;
    long pairs = 0;
    for (std::size_t i = 0; i < population.size(); ++i)
        for (std::size_t j = i + 1; j < population.size(); ++j, ++pairs)
            sum += fingerprint_distance(population[i].fingerprint, population[j].fingerprint);
    island.diversity = pairs > 0 ? sum / static_cast<double>(pairs) : 0.0;
}

std::vector<StepOutcome> GeneticAlgorithm::update(std::span<const Candidate> candidates,
                                                  std::span<const Evaluation> results, const SearchView& view) {
    const ArchiveSettings& archive = view.archive.settings();
    if (round_island_.size() != candidates.size())
        throw Error(fmt::format("genetic_algorithm: {} results for the {} candidates it proposed", candidates.size(),
                                round_island_.size()));
    std::vector<StepOutcome> outcomes(candidates.size());
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        const Candidate& c = candidates[i];
        const Evaluation& r = results[i];
        Island& island = islands_[round_island_[i]];
        const bool accepted = r.ok() && offer(island, {r.cluster, r.energy, structural_fingerprint(r.cluster)}, archive);
        outcomes[i].accepted = accepted;
        if (c.initial) {
            island.failed_starts = r.ok() ? 0 : island.failed_starts + 1;
            continue;
        }
        ++island.evaluated;
        if (Move* move = mutations_.find(c.move)) move->report(accepted);
        // A generation ends at its own child, judged on the population as that child left it.
        if (island.evaluated % settings_.population == 0) close_generation(island, archive.energy_tolerance);
    }
    // Frames of a start file relax the same way every time: one failed cycle is enough.
    const auto frames = view.problem.start.structures.size();
    const int limit = frames > 0 ? static_cast<int>(std::min<std::size_t>(frames, max_failed_starts)) : max_failed_starts;
    for (const auto& island : islands_)
        if (island.population.empty() && island.failed_starts >= limit)
            throw Error(fmt::format("none of {} starting structures relaxed to a connected minimum (last: {}); check the "
                                    "potential and the composition (is the cluster bound?)",
                                    island.failed_starts, to_string(results.back().status)));
    if (islands_.size() > 1) migrate(archive);
    for (auto& island : islands_) {
        if (island.restart_pending) {
            // The next proposal is a new population of starting structures.
            island.population.clear();
            island.restart_pending = false;
            ++island.restarts;
        }
        refresh_diversity(island);
    }
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
        const Island& island = islands_[round_island_[i]];
        outcomes[i].extra = {static_cast<double>(island.generation), island.diversity};
        if (islands_.size() > 1) outcomes[i].extra.push_back(static_cast<double>(round_island_[i]));
    }
    round_island_.clear();
    return outcomes;
}

void GeneticAlgorithm::migrate(const ArchiveSettings& archive) {
    // Every island due sends copies of its best members as they are now, before any arrive, so
    // the order of the islands does not matter; an island about to start again takes none.
    const std::size_t count = islands_.size();
    std::vector<std::vector<Member>> sent(count);
    for (std::size_t k = 0; k < count; ++k) {
        Island& island = islands_[k];
        if (island.generation < (island.migrations + 1) * settings_.migration_interval) continue;
        island.migrations = island.generation / settings_.migration_interval;
        const auto n = std::min<std::size_t>(island.population.size(), static_cast<std::size_t>(settings_.migration_count));
        sent[k].assign(island.population.begin(), island.population.begin() + static_cast<std::ptrdiff_t>(n));
    }
    for (std::size_t k = 0; k < count; ++k) {
        Island& target = islands_[(k + 1) % count];
        if (target.population.empty() || target.restart_pending) continue;
        for (const Member& m : sent[k])
            if (offer(target, m, archive)) ++migrants_accepted_;  // the member's own fingerprint
    }
}

void GeneticAlgorithm::close_generation(Island& island, double tolerance) const {
    ++island.generation;
    const double best =
        island.population.empty() ? std::numeric_limits<double>::infinity() : island.population.front().energy;
    if (!island.has_best || best < island.generation_best - tolerance) {
        island.generation_best = best;
        island.has_best = true;
        island.stall = 0;
    } else {
        ++island.stall;
    }
    if (!island.has_epoch_best || best < island.epoch_best - tolerance) {
        island.epoch_best = best;
        island.has_epoch_best = true;
        island.epoch_stall = 0;
    } else if (settings_.restart_after > 0 && ++island.epoch_stall >= settings_.restart_after) {
        // At the end of the round: the rest of this round's children still see this population.
        island.restart_pending = true;
        island.has_epoch_best = false;
        island.epoch_stall = 0;
    }
}

std::string GeneticAlgorithm::stop_reason() const {
    // Every island stalled: with migration, a new best anywhere reaches the others.
    if (settings_.stall_generations > 0 &&
        std::all_of(islands_.begin(), islands_.end(),
                    [&](const Island& i) { return i.stall >= settings_.stall_generations; }))
        return "stall_generations";
    return {};
}

nlohmann::json GeneticAlgorithm::island_state(const Island& island) const {
    nlohmann::json members = nlohmann::json::array();
    for (const auto& m : island.population)
        members.push_back({{"cluster", cluster_to_json(m.cluster)}, {"energy", real_to_json(m.energy)}});
    return {{"population", std::move(members)},
            {"children", island.children},
            {"starts", island.starts},
            {"evaluated", island.evaluated},
            {"generation", island.generation},
            {"generation_best", real_to_json(island.generation_best)},
            {"has_best", island.has_best},
            {"stall", island.stall},
            {"epoch_best", real_to_json(island.epoch_best)},
            {"has_epoch_best", island.has_epoch_best},
            {"epoch_stall", island.epoch_stall},
            {"restarts", island.restarts},
            {"failed_starts", island.failed_starts},
            {"migrations", island.migrations}};
}

GeneticAlgorithm::Island GeneticAlgorithm::island_from_state(const nlohmann::json& state, const SearchProblem& problem) const {
    Island island;
    for (const auto& j : state.at("population")) {
        Member m;
        m.cluster = cluster_from_json(j.at("cluster"));
        check_composition(m.cluster, problem.species);
        m.energy = real_from_json(j.at("energy"));
        m.fingerprint = structural_fingerprint(m.cluster);
        island.population.push_back(std::move(m));
    }
    if (island.population.size() > static_cast<std::size_t>(settings_.population))
        throw InputError(fmt::format("the checkpoint has {} members, the run's population is {}", island.population.size(),
                                     settings_.population));
    island.children = json_to_unsigned(state.at("children"), "children");
    island.starts = json_to_unsigned(state.at("starts"), "starts");
    island.evaluated = state.at("evaluated").get<long>();
    island.generation = state.at("generation").get<long>();
    island.generation_best = real_from_json(state.at("generation_best"));
    island.has_best = state.at("has_best").get<bool>();
    island.stall = state.at("stall").get<long>();
    island.epoch_best = real_from_json(state.at("epoch_best"));
    island.has_epoch_best = state.at("has_epoch_best").get<bool>();
    island.epoch_stall = state.at("epoch_stall").get<long>();
    island.restarts = state.at("restarts").get<long>();
    island.failed_starts = state.at("failed_starts").get<int>();
    island.migrations = state.value("migrations", 0L);
    refresh_diversity(island);
    return island;
}

nlohmann::json GeneticAlgorithm::save_state() const {
    // Island 0 at the top level (the state of a run without islands), the others in "islands".
    nlohmann::json state = island_state(islands_.front());
    state["moves"] = mutations_.save_state();
    if (islands_.size() > 1) {
        nlohmann::json others = nlohmann::json::array();
        for (std::size_t k = 1; k < islands_.size(); ++k) others.push_back(island_state(islands_[k]));
        state["islands"] = std::move(others);
        state["migrants_accepted"] = migrants_accepted_;
    }
    return state;
}

void GeneticAlgorithm::load_state(const nlohmann::json& state, const SearchProblem& problem) {
    std::vector<Island> islands;
    islands.push_back(island_from_state(state, problem));
    const nlohmann::json others = state.value("islands", nlohmann::json::array());
    if (others.size() + 1 != islands_.size())
        throw InputError(fmt::format("the checkpoint has {} islands, the run has {}", others.size() + 1, islands_.size()));
    for (const auto& j : others) islands.push_back(island_from_state(j, problem));
    mutations_.load_state(state.at("moves"));
    islands_ = std::move(islands);
    migrants_accepted_ = state.value("migrants_accepted", 0L);
}

std::vector<std::string> genetic_algorithm_keys() {
    return {"population", "offspring",     "mutation_rate", "selection", "tournament_size", "fitness",
            "fitness_alpha", "stall_generations", "restart_after", "islands", "migration_interval", "migration_count",
            "crossover", "moves"};
}

std::unique_ptr<Driver> make_genetic_algorithm(const ParameterTable& search, const SearchProblem& problem) {
    GeneticAlgorithmSettings s;
    s.population = static_cast<int>(search.get_integer_in("population", 20, 2, 1000));
    s.offspring = static_cast<int>(search.get_integer_in("offspring", 8, 1, 100000));
    s.mutation_rate = search.get_real("mutation_rate", 0.2);
    if (!(s.mutation_rate >= 0.0 && s.mutation_rate <= 1.0))
        throw search.error("mutation_rate", fmt::format("must be in [0, 1], got {}", s.mutation_rate));
    const std::string selection = search.get_string("selection", "tournament");
    if (selection != "roulette" && selection != "tournament")
        throw search.error("selection", fmt::format("must be \"roulette\" or \"tournament\", got \"{}\"", selection));
    s.tournament = selection == "tournament";
    s.tournament_size = static_cast<int>(search.get_integer_in("tournament_size", 3, 2, 100000));
    if (search.has("tournament_size") && !s.tournament)
        throw search.error("tournament_size", "applies to selection = \"tournament\" only");
    const std::string fitness = search.get_string("fitness", "exponential");
    if (fitness == "exponential") s.fitness = FitnessFunction::exponential;
    else if (fitness == "linear") s.fitness = FitnessFunction::linear;
    else if (fitness == "tanh") s.fitness = FitnessFunction::tanh;
    else throw search.error("fitness", fmt::format("must be \"exponential\", \"linear\" or \"tanh\", got \"{}\"", fitness));
    s.fitness_alpha = search.get_real("fitness_alpha", 3.0);
    if (!(s.fitness_alpha > 0) || !std::isfinite(s.fitness_alpha))
        throw search.error("fitness_alpha", fmt::format("must be > 0, got {}", s.fitness_alpha));
    if (search.has("fitness_alpha") && s.fitness != FitnessFunction::exponential)
        throw search.error("fitness_alpha", "applies to fitness = \"exponential\" only");
    s.stall_generations = static_cast<long>(search.get_integer_in("stall_generations", 0, 0, 1000000000));
    s.restart_after = static_cast<long>(search.get_integer_in("restart_after", 0, 0, 1000000000));
    s.islands = static_cast<int>(search.get_integer_in("islands", 1, 1, 10000));
    s.migration_interval = static_cast<long>(search.get_integer_in("migration_interval", 5, 1, 1000000000));
    s.migration_count = static_cast<int>(search.get_integer_in("migration_count", 2, 1, 1000));
    for (const char* key : {"migration_interval", "migration_count"})
        if (search.has(key) && s.islands == 1)
            throw search.error(key, "applies to islands > 1 only (islands = 1 is one population: nothing migrates)");
    if (s.islands > 1 && s.migration_count >= s.population)
        throw search.error("migration_count", fmt::format("must be below the population ({}), got {}", s.population,
                                                          s.migration_count));

    const auto& registry = crossover_registry();
    std::vector<std::pair<std::unique_ptr<Crossover>, double>> crossovers;
    double total = 0.0;
    for (auto& choice : read_weighted_choices(search, "crossover", registry.keys(),
                                              [&](const std::string& name) { return registry.get(name).keys; },
                                              {{"one_plane", 0.7}, {"two_plane", 0.3}})) {
        total += choice.weight;
        crossovers.emplace_back(registry.get(choice.name).create(choice.parameters, problem), choice.weight);
    }
    if (!(total > 0) && s.mutation_rate < 1.0)
        throw search.error("crossover", "every weight is 0: give one a positive weight, or set mutation_rate = 1");

    const bool alloy = unique_species(problem.species).size() > 1;
    const std::vector<std::pair<std::string, double>> default_moves =
        alloy ? std::vector<std::pair<std::string, double>>{{"rattle", 0.2}, {"twist", 0.2}, {"mirror", 0.1},
                                                            {"swap", 0.3}, {"surface", 0.1}, {"random", 0.1}}
              : std::vector<std::pair<std::string, double>>{{"rattle", 0.3}, {"twist", 0.3}, {"mirror", 0.1},
                                                            {"surface", 0.2}, {"random", 0.1}};
    std::vector<std::string> skipped;
    MoveSet moves = read_move_set(search, problem, default_moves, {}, &skipped);
    return std::make_unique<GeneticAlgorithm>(s, std::move(crossovers), std::move(moves), std::move(skipped));
}

}  // namespace nanoscape
