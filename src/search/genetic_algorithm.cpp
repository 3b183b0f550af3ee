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
      mutations_description_(mutations_.describe()), skipped_(std::move(skipped)) {
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
    return {{"population", settings_.population},
            {"offspring", settings_.offspring},
            {"mutation_rate", settings_.mutation_rate},
            {"restart_after", settings_.restart_after},
            {"selection", settings_.tournament ? fmt::format("tournament {}", settings_.tournament_size) : "roulette"},
            {"fitness", fmt::format("{} {}", fitness_name(settings_.fitness), settings_.fitness_alpha)},
            {"crossover", crossover_description_},
            {"moves", mutations_description_}};
}

std::size_t GeneticAlgorithm::select(Rng& rng, std::size_t exclude) const {
    // The second parent is drawn from the others: the same parent twice would only copy it.
    std::vector<double> fitness = fitness_;
    if (exclude < fitness.size()) fitness[exclude] = 0.0;
    return settings_.tournament ? select_tournament(fitness, settings_.tournament_size, rng)
                                : select_roulette(fitness, rng);
}

std::vector<Candidate> GeneticAlgorithm::propose(const SearchView& view, long max_steps) {
    std::vector<Candidate> out;
    const SearchProblem& problem = view.problem;
    if (population_.empty()) {
        // The first round, or every start so far failed: a whole population of starts (a start
        // file gives at most one of each frame: the others would be copies).
        const std::size_t frames = problem.start.structures.size();
        const int starts = frames > 0 ? static_cast<int>(std::min<std::size_t>(frames, static_cast<std::size_t>(settings_.population)))
                                      : settings_.population;
        for (int k = 0; k < starts; ++k) {
            const std::uint64_t index = starts_++;
            Rng rng = problem.stream(start_stream, index);
            Candidate c;
            c.cluster = problem.initial_structure(index, rng);
            c.cluster.center();
            c.origin = static_cast<int>(index % static_cast<std::uint64_t>(std::numeric_limits<int>::max()));
            c.move = "start";
            c.initial = true;
            out.push_back(std::move(c));
        }
        return out;
    }
    const auto n = std::min<long>(settings_.offspring, max_steps);
    const bool alloy = unique_species(problem.species).size() > 1;
    const MoveContext context{problem.potential, &problem};
    const double tolerance = match_tolerance * problem.bond_length();
    for (long k = 0; k < n; ++k) {
        const std::uint64_t index = children_++;
        Rng rng = problem.stream(child_stream, index);
        Candidate c;
        c.origin = static_cast<int>(index % static_cast<std::uint64_t>(std::numeric_limits<int>::max()));
        const bool mutate = population_.size() < 2 || rng.uniform() < settings_.mutation_rate;
        if (mutate) {
            const Member& parent = population_[select(rng, population_.size())];
            Move& move = mutations_.pick(parent.cluster, rng);
            c.cluster = parent.cluster;
            move.apply(c.cluster, rng, context);
            c.cluster.center();
            c.move = move.name();
        } else {
            const std::size_t i = select(rng, population_.size());
            const std::size_t j = select(rng, i);
            const Cluster& a = population_[i].cluster;
            const Cluster& b = population_[j].cluster;
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
    return out;
}

bool GeneticAlgorithm::offer(const Cluster& cluster, double energy, const ArchiveSettings& archive) {
    std::vector<double> fingerprint = structural_fingerprint(cluster);
    // A copy never enters: the population must not fill with copies.
    if (std::any_of(population_.begin(), population_.end(), [&](const Member& m) {
            return same_minimum(archive, energy, fingerprint, m.energy, m.fingerprint);
        }))
        return false;
    if (population_.size() >= static_cast<std::size_t>(settings_.population)) {
        if (!(energy < population_.back().energy)) return false;
        population_.pop_back();
    }
    Member member{cluster, energy, std::move(fingerprint)};
    const auto at = std::upper_bound(population_.begin(), population_.end(), energy,
                                     [](double e, const Member& m) { return e < m.energy; });
    population_.insert(at, std::move(member));
    return true;
}

void GeneticAlgorithm::refresh_diversity() {
    std::vector<double> energies;
    for (const auto& m : population_) energies.push_back(m.energy);
    fitness_ = population_fitness(energies, settings_.fitness, settings_.fitness_alpha);
    double sum = 0.0;
    long pairs = 0;
    for (std::size_t i = 0; i < population_.size(); ++i)
        for (std::size_t j = i + 1; j < population_.size(); ++j, ++pairs)
            sum += fingerprint_distance(population_[i].fingerprint, population_[j].fingerprint);
    diversity_ = pairs > 0 ? sum / static_cast<double>(pairs) : 0.0;
}

std::vector<StepOutcome> GeneticAlgorithm::update(std::span<const Candidate> candidates,
                                                  std::span<const Evaluation> results, const SearchView& view) {
    const ArchiveSettings& archive = view.archive.settings();
    std::vector<StepOutcome> outcomes(candidates.size());
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        const Candidate& c = candidates[i];
        const Evaluation& r = results[i];
        const bool accepted = r.ok() && offer(r.cluster, r.energy, archive);
        outcomes[i].accepted = accepted;
        if (c.initial) {
            failed_starts_ = r.ok() ? 0 : failed_starts_ + 1;
            continue;
        }
        ++evaluated_;
        if (Move* move = mutations_.find(c.move)) move->report(accepted);
        // A generation ends at its own child, judged on the population as that child left it.
        if (evaluated_ % settings_.population == 0) close_generation(archive.energy_tolerance);
    }
    // Frames of a start file relax the same way every time: one failed cycle is enough.
    const auto frames = view.problem.start.structures.size();
    const int limit = frames > 0 ? static_cast<int>(std::min<std::size_t>(frames, max_failed_starts)) : max_failed_starts;
    if (population_.empty() && failed_starts_ >= limit)
        throw Error(fmt::format("none of {} starting structures relaxed to a connected minimum (last: {}); check the "
                                "potential and the composition (is the cluster bound?)",
                                failed_starts_, to_string(results.back().status)));
    if (restart_pending_) {
        // The next proposal is a new population of starting structures.
        population_.clear();
        restart_pending_ = false;
        ++restarts_;
    }
    refresh_diversity();
    for (auto& o : outcomes) o.extra = {static_cast<double>(generation_), diversity_};
    return outcomes;
}

void GeneticAlgorithm::close_generation(double tolerance) {
    ++generation_;
    const double best = population_.empty() ? std::numeric_limits<double>::infinity() : population_.front().energy;
    if (!has_best_ || best < generation_best_ - tolerance) {
        generation_best_ = best;
        has_best_ = true;
        stall_ = 0;
    } else {
        ++stall_;
    }
    if (!has_epoch_best_ || best < epoch_best_ - tolerance) {
        epoch_best_ = best;
        has_epoch_best_ = true;
        epoch_stall_ = 0;
    } else if (settings_.restart_after > 0 && ++epoch_stall_ >= settings_.restart_after) {
        // At the end of the round: the rest of this round's children still see this population.
        restart_pending_ = true;
        has_epoch_best_ = false;
        epoch_stall_ = 0;
    }
}

std::string GeneticAlgorithm::stop_reason() const {
    if (settings_.stall_generations > 0 && stall_ >= settings_.stall_generations) return "stall_generations";
    return {};
}

nlohmann::json GeneticAlgorithm::save_state() const {
    nlohmann::json members = nlohmann::json::array();
    for (const auto& m : population_)
        members.push_back({{"cluster", cluster_to_json(m.cluster)}, {"energy", real_to_json(m.energy)}});
    return {{"population", std::move(members)},
            {"moves", mutations_.save_state()},
            {"children", children_},
            {"starts", starts_},
            {"evaluated", evaluated_},
            {"generation", generation_},
            {"generation_best", real_to_json(generation_best_)},
            {"has_best", has_best_},
            {"stall", stall_},
            {"epoch_best", real_to_json(epoch_best_)},
            {"has_epoch_best", has_epoch_best_},
            {"epoch_stall", epoch_stall_},
            {"restarts", restarts_},
            {"failed_starts", failed_starts_}};
}

void GeneticAlgorithm::load_state(const nlohmann::json& state, const SearchProblem& problem) {
    std::vector<Member> members;
    for (const auto& j : state.at("population")) {
        Member m;
        m.cluster = cluster_from_json(j.at("cluster"));
        check_composition(m.cluster, problem.species);
        m.energy = real_from_json(j.at("energy"));
        m.fingerprint = structural_fingerprint(m.cluster);
        members.push_back(std::move(m));
    }
    if (members.size() > static_cast<std::size_t>(settings_.population))
        throw InputError(fmt::format("the checkpoint has {} members, the run's population is {}", members.size(),
                                     settings_.population));
    population_ = std::move(members);
    mutations_.load_state(state.at("moves"));
    children_ = json_to_unsigned(state.at("children"), "children");
    starts_ = json_to_unsigned(state.at("starts"), "starts");
    evaluated_ = state.at("evaluated").get<long>();
    generation_ = state.at("generation").get<long>();
    generation_best_ = real_from_json(state.at("generation_best"));
    has_best_ = state.at("has_best").get<bool>();
    stall_ = state.at("stall").get<long>();
    epoch_best_ = real_from_json(state.at("epoch_best"));
    has_epoch_best_ = state.at("has_epoch_best").get<bool>();
    epoch_stall_ = state.at("epoch_stall").get<long>();
    restarts_ = state.at("restarts").get<long>();
    failed_starts_ = state.at("failed_starts").get<int>();
    refresh_diversity();
}

std::vector<std::string> genetic_algorithm_keys() {
    return {"population", "offspring",     "mutation_rate", "selection", "tournament_size", "fitness",
            "fitness_alpha", "stall_generations", "restart_after", "crossover", "moves"};
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
