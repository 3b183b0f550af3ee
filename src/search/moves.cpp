#include "nanoscape/search/moves.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <Eigen/Geometry>

#include "nanoscape/core/error.hpp"
#include "nanoscape/geometry/alignment.hpp"
#include "nanoscape/geometry/neighbour_list.hpp"
#include "nanoscape/search/crossover.hpp"

namespace nanoscape {

std::vector<int> coordination_numbers(const Cluster& cluster, const Potential& potential, double factor) {
    std::vector<int> cn(cluster.size(), 0);
    const double cutoff = factor * largest_pair_distance(cluster.species, potential);
    CellGrid(cluster.positions, cutoff).for_each_pair([&](int i, int j, const Eigen::Vector3d&, double r) {
        if (r < factor * potential.pair_distance(cluster.species[i], cluster.species[j])) {
            ++cn[i];
            ++cn[j];
        }
    });
    return cn;
}

DisplacementMove::DisplacementMove(double step, StepAdaptation adaptation) : step_(step), adaptation_(adaptation) {}

void DisplacementMove::apply(Cluster& cluster, Rng& rng, const MoveContext&) const {
    for (Eigen::Index i = 0; i < cluster.positions.cols(); ++i) cluster.positions.col(i) += step_ * random_in_unit_ball(rng);
}

void DisplacementMove::report(bool accepted) {
    if (adaptation_.interval <= 0) return;
    ++window_steps_;
    if (accepted) ++window_accepted_;
    if (window_steps_ < adaptation_.interval) return;
    // Too many acceptances: the steps are too timid, so widen them; too few: narrow them.
    const double ratio = static_cast<double>(window_accepted_) / static_cast<double>(window_steps_);
    step_ *= ratio > adaptation_.target_acceptance ? 1.0 / adaptation_.factor : adaptation_.factor;
    if (adaptation_.min_step > 0) step_ = std::max(step_, adaptation_.min_step);
    if (adaptation_.max_step > 0) step_ = std::min(step_, adaptation_.max_step);
    window_steps_ = window_accepted_ = 0;
}

nlohmann::json DisplacementMove::save_state() const {
    return {{"step", step_}, {"window_steps", window_steps_}, {"window_accepted", window_accepted_}};
}

void DisplacementMove::load_state(const nlohmann::json& state) {
    step_ = state.at("step").get<double>();
    window_steps_ = state.at("window_steps").get<long>();
    window_accepted_ = state.at("window_accepted").get<long>();
}

std::string DisplacementMove::describe() const {
    if (adaptation_.interval <= 0) return fmt::format("displacement (step {:.4g})", step_);
    return fmt::format("displacement (step {:.4g} at first, adapted to acceptance {} every {} of its steps, factor {})",
                       step_, adaptation_.target_acceptance, adaptation_.interval, adaptation_.factor);
}

void SurfaceMove::apply(Cluster& cluster, Rng& rng, const MoveContext& context) const {
    const Potential& potential = *context.potential;
    const auto n = static_cast<int>(cluster.size());
    const int moved = 1 + static_cast<int>(rng.below(static_cast<std::uint64_t>(max_atoms_)));
    for (int m = 0; m < moved; ++m) {
        const auto cn = coordination_numbers(cluster, potential);
        // The least-coordinated atom (ties: a random one among them).
        const int lowest = *std::min_element(cn.begin(), cn.end());
        std::vector<int> candidates;
        for (int i = 0; i < n; ++i)
            if (cn[i] == lowest) candidates.push_back(i);
        const int atom = candidates[rng.below(candidates.size())];
        const Species z = cluster.species[atom];

        // Candidate sites: one bond length from a random surface atom (coordination below the
        // maximum), not closer than 0.85 bonds to anyone; keep the best-coordinated site.
        const int highest = *std::max_element(cn.begin(), cn.end());
        std::vector<int> surface;
        for (int i = 0; i < n; ++i)
            if (i != atom && cn[i] < highest) surface.push_back(i);
        if (surface.empty()) return;
        Eigen::Vector3d best_site = cluster.positions.col(atom);
        int best_neighbours = -1;
        for (int t = 0; t < trials_; ++t) {
            const int anchor = surface[rng.below(surface.size())];
            const double bond = potential.pair_distance(z, cluster.species[anchor]);
            const Eigen::Vector3d site = cluster.positions.col(anchor) + bond * random_direction(rng);
            int neighbours = 0;
            bool clash = false;
            for (int j = 0; j < n && !clash; ++j) {
                if (j == atom) continue;
                const double b = potential.pair_distance(z, cluster.species[j]);
                const double r = (cluster.positions.col(j) - site).norm();
                if (r < 0.85 * b) clash = true;
                else if (r < 1.25 * b) ++neighbours;
            }
            if (!clash && neighbours > best_neighbours) {
                best_neighbours = neighbours;
                best_site = site;
            }
        }
        if (best_neighbours > lowest) cluster.positions.col(atom) = best_site;
    }
}

nlohmann::json SurfaceMove::save_state() const { return nullptr; }

std::string SurfaceMove::describe() const {
    return fmt::format("surface (up to {} atoms, {} trial sites)", max_atoms_, trials_);
}

bool SwapMove::applicable(const Cluster& cluster) const { return cluster.unique_species().size() > 1; }

nlohmann::json SwapMove::save_state() const { return nullptr; }

void SwapMove::apply(Cluster& cluster, Rng& rng, const MoveContext&) const {
    const auto n = cluster.size();
    if (!applicable(cluster)) return;
    const std::size_t i = rng.below(n);
    std::vector<std::size_t> others;
    for (std::size_t j = 0; j < n; ++j)
        if (cluster.species[j] != cluster.species[i]) others.push_back(j);
    const std::size_t j = others[rng.below(others.size())];
    std::swap(cluster.species[i], cluster.species[j]);
}

void RattleMove::apply(Cluster& cluster, Rng& rng, const MoveContext&) const {
    const auto n = cluster.positions.cols();
    bool moved = false;
    for (Eigen::Index i = 0; i < n; ++i)
        if (rng.uniform() < fraction_) {
            cluster.positions.col(i) += amplitude_ * random_in_unit_ball(rng);
            moved = true;
        }
    // A rattle that moves nothing would cost a relaxation of the parent itself.
    if (!moved) cluster.positions.col(static_cast<Eigen::Index>(rng.below(static_cast<std::uint64_t>(n)))) +=
                amplitude_ * random_in_unit_ball(rng);
}

nlohmann::json RattleMove::save_state() const { return nullptr; }

std::string RattleMove::describe() const {
    return fmt::format("rattle (fraction {:.3g}, amplitude {:.4g})", fraction_, amplitude_);
}

void TwistMove::apply(Cluster& cluster, Rng& rng, const MoveContext&) const {
    const Eigen::Vector3d c = cluster.centroid();
    const Eigen::Vector3d axis = random_direction(rng);
    const double angle = std::numbers::pi * rng.uniform(1.0 / 6.0, 11.0 / 6.0);
    const Eigen::Matrix3d rotation = Eigen::AngleAxisd(angle, axis).toRotationMatrix();
    for (Eigen::Index i = 0; i < cluster.positions.cols(); ++i) {
        const Eigen::Vector3d r = cluster.positions.col(i) - c;
        if (r.dot(axis) > 0.0) cluster.positions.col(i) = c + rotation * r;
    }
}

nlohmann::json TwistMove::save_state() const { return nullptr; }

void MirrorMove::apply(Cluster& cluster, Rng& rng, const MoveContext& context) const {
    const auto n = static_cast<std::size_t>(cluster.size());
    const Eigen::Vector3d c = cluster.centroid();
    const Eigen::Vector3d normal = random_direction(rng);
    std::vector<double> s(n);
    for (std::size_t i = 0; i < n; ++i) s[i] = (cluster.positions.col(static_cast<Eigen::Index>(i)) - c).dot(normal);
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return s[i] > s[j]; });
    // Keep the upper ceil(N/2) atoms; the lower atoms become images of the farthest kept ones.
    const std::size_t kept = (n + 1) / 2;
    if (!context.potential) throw Error("the mirror move needs the potential (pair distances)");
    const double bond = largest_pair_distance(cluster.species, *context.potential);
    const double plane = s[order[kept - 1]] - 0.45 * bond;
    const std::vector<Species> target = cluster.species;
    Cluster out = cluster;
    std::vector<double> priority(n);
    for (std::size_t r = 0; r < kept; ++r) priority[order[r]] = s[order[r]] - plane;
    for (std::size_t r = kept; r < n; ++r) {
        const std::size_t source = order[r - kept];
        const std::size_t atom = order[r];
        out.positions.col(static_cast<Eigen::Index>(atom)) =
            cluster.positions.col(static_cast<Eigen::Index>(source)) - 2.0 * (s[source] - plane) * normal;
        out.species[atom] = cluster.species[source];
        priority[atom] = s[source] - plane;
    }
    repair_composition(out, target, priority);
    cluster = std::move(out);
}

nlohmann::json MirrorMove::save_state() const { return nullptr; }

void RandomMove::apply(Cluster& cluster, Rng& rng, const MoveContext& context) const {
    if (!context.problem) throw Error("the random move needs the search problem");
    cluster = context.problem->random_structure(rng);
}

nlohmann::json RandomMove::save_state() const { return nullptr; }

namespace {

int read_count(const ParameterTable& t, const std::string& key, int fallback, int lowest, int highest) {
    return static_cast<int>(t.get_integer_in(key, fallback, lowest, highest));
}

double read_real(const ParameterTable& t, const std::string& key, double fallback, double lowest, double highest,
                 bool open_low) {
    const double v = t.get_real(key, fallback);
    const bool ok = std::isfinite(v) && (open_low ? v > lowest : v >= lowest) && v < highest;
    if (!ok) throw t.error(key, fmt::format("must be in {}{}, {}), got {}", open_low ? "(" : "[", lowest, highest, v));
    return v;
}

std::unique_ptr<Move> make_displacement(const ParameterTable& t, const SearchProblem& problem) {
    // Bounds and default: 0.35 bond lengths, adapted within [0.05, 2] bond lengths.
    const double d = problem.bond_length();
    const double step = read_real(t, "step_size", 0.35 * d, 0.0, std::numeric_limits<double>::infinity(), true);
    StepAdaptation a;
    a.target_acceptance = read_real(t, "target_acceptance", 0.5, 0.0, 1.0, true);
    a.interval = read_count(t, "adapt_interval", 10, 0, 1000000);
    a.factor = read_real(t, "adapt_factor", 0.9, 0.0, 1.0, true);
    a.min_step = 0.05 * d;
    a.max_step = 2.0 * d;
    return std::make_unique<DisplacementMove>(step, a);
}

std::unique_ptr<Move> make_surface(const ParameterTable& t, const SearchProblem&) {
    return std::make_unique<SurfaceMove>(read_count(t, "max_atoms", 2, 1, 1000), read_count(t, "trials", 30, 1, 100000));
}

std::unique_ptr<Move> make_swap(const ParameterTable&, const SearchProblem&) { return std::make_unique<SwapMove>(); }

std::unique_ptr<Move> make_rattle(const ParameterTable& t, const SearchProblem& problem) {
    const double fraction = read_real(t, "fraction", 0.4, 0.0, 1.0 + 1e-12, true);
    const double amplitude =
        read_real(t, "amplitude", 0.25 * problem.bond_length(), 0.0, std::numeric_limits<double>::infinity(), true);
    return std::make_unique<RattleMove>(fraction, amplitude);
}

}  // namespace

const Registry<MoveEntry>& move_registry() {
    // One line per move: key, summary, parameter keys, factory.
    static const Registry<MoveEntry> registry("move", "moves", {
        {"displacement", "every atom displaced at random within an adaptive radius",
         {"step_size", "target_acceptance", "adapt_interval", "adapt_factor"}, make_displacement},
        {"surface", "least-coordinated atoms moved to the best-coordinated vacant surface sites", {"max_atoms", "trials"},
         make_surface},
        {"swap", "the species of two unlike atoms exchanged (homotop move)", {}, make_swap},
        {"rattle", "some atoms (each with probability fraction) displaced within a small radius", {"fraction", "amplitude"},
         make_rattle},
        {"twist", "one half of the cluster rotated against the other about a random axis", {},
         [](const ParameterTable&, const SearchProblem&) { return std::make_unique<TwistMove>(); }},
        {"mirror", "one half kept and mirrored onto the other (composition repaired)", {},
         [](const ParameterTable&, const SearchProblem&) { return std::make_unique<MirrorMove>(); }},
        {"random", "the cluster replaced by a new random compact cluster of its composition", {},
         [](const ParameterTable&, const SearchProblem&) { return std::make_unique<RandomMove>(); }},
    });
    return registry;
}

void MoveSet::add(std::unique_ptr<Move> move, double weight) { moves_.emplace_back(std::move(move), weight); }

Move& MoveSet::pick(const Cluster& cluster, Rng& rng) {
    // Moves that cannot change this cluster take part with weight 0.
    std::vector<double> weights;
    bool any = false;
    for (const auto& [move, weight] : moves_) {
        weights.push_back(weight > 0 && move->applicable(cluster) ? weight : 0.0);
        any = any || weights.back() > 0;
    }
    if (!any) throw Error(fmt::format("no move applies to {}", cluster.formula()));
    return *moves_[draw_weighted(weights, rng)].first;
}

MoveSet MoveSet::clone() const {
    MoveSet copy;
    for (const auto& [move, weight] : moves_) copy.add(move->clone(), weight);
    return copy;
}

nlohmann::json MoveSet::save_state() const {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [move, weight] : moves_)
        if (auto state = move->save_state(); !state.is_null()) out[move->name()] = std::move(state);
    return out;
}

void MoveSet::load_state(const nlohmann::json& state) {
    for (const auto& [name, value] : state.items())
        if (!find(name)) throw InputError(fmt::format("the state of move '{}', which this run does not use", name));
    for (auto& [move, weight] : moves_) {
        const nlohmann::json own = move->save_state();
        if (own.is_null()) continue;
        if (!state.contains(move->name()))
            throw InputError(fmt::format("no state for move '{}'", move->name()));
        move->load_state(state.at(move->name()));
    }
}

std::string MoveSet::describe() const {
    std::vector<std::string> parts;
    for (const auto& [move, weight] : moves_) parts.push_back(fmt::format("{:g} {}", weight, move->describe()));
    return fmt::format("{}", fmt::join(parts, ", "));
}

Move* MoveSet::find(const std::string& name) {
    for (auto& [move, weight] : moves_)
        if (move->name() == name) return move.get();
    return nullptr;
}

std::vector<WeightedChoice> read_weighted_choices(const ParameterTable& search, const std::string& key,
                                                  const std::vector<std::string>& names,
                                                  const std::function<std::vector<std::string>(const std::string&)>& parameters,
                                                  const std::vector<std::pair<std::string, double>>& default_weights) {
    std::vector<WeightedChoice> chosen;
    const auto own_table = [&](const std::string& name) { return ParameterTable(fmt::format("{}.{}.{}", search.name(), key, name)); };
    if (!search.has(key)) {
        for (const auto& [name, w] : default_weights) chosen.push_back({name, w, own_table(name)});
        return chosen;
    }
    const ParameterTable table = search.get_table(key);
    table.allow_only(names);
    for (const auto& name : table.keys()) {
        const ParameterValue& v = *table.find(name);
        if (v.kind == ParameterValue::Kind::table) {
            const ParameterTable params = table.get_table(name);
            std::vector<std::string> allowed = parameters(name);
            allowed.emplace_back("weight");
            params.allow_only(allowed);
            if (!params.has("weight"))
                throw params.error("weight", fmt::format("is required: [{}.{}] lists the {} a search uses, each with its "
                                                         "weight", search.name(), key, key));
            const double w = params.get_real("weight", 0.0);
            if (!(w >= 0) || !std::isfinite(w)) throw params.error("weight", fmt::format("must be >= 0, got {}", w));
            ParameterTable own = params;
            own.erase("weight");
            chosen.push_back({name, w, own});
        } else {
            const double w = table.get_real(name, 0.0);
            if (!(w >= 0) || !std::isfinite(w)) throw table.error(name, fmt::format("must be >= 0, got {}", w));
            chosen.push_back({name, w, own_table(name)});
        }
    }
    return chosen;
}

MoveSet read_move_set(const ParameterTable& search, const SearchProblem& problem,
                      const std::vector<std::pair<std::string, double>>& default_weights,
                      const std::vector<std::pair<std::string, ParameterTable>>& parameter_defaults,
                      std::vector<std::string>* skipped) {
    const auto& registry = move_registry();
    // (name, weight, parameters as the user wrote them) in the order given.
    std::vector<WeightedChoice> chosen = read_weighted_choices(
        search, "moves", registry.keys(), [&](const std::string& name) { return registry.get(name).keys; },
        default_weights);

    // A driver key for a move that is not used would be ignored without a word.
    for (const auto& [move, defaults] : parameter_defaults) {
        const std::string& name = move;  // a structured binding cannot be captured before clang 16
        const bool used = std::any_of(chosen.begin(), chosen.end(), [&](const auto& c) { return c.name == name; });
        if (!used && !defaults.keys().empty())
            throw defaults.error(defaults.keys().front(),
                                 fmt::format("sets the {} move, which [{}.moves] does not list", move, search.name()));
    }
    const Cluster example = species_only(problem.species);
    MoveSet set;
    double applicable_weight = 0.0;
    std::vector<std::string> not_applicable;
    for (auto& [name, weight, params] : chosen) {
        // The driver's own keys (e.g. basin hopping's step_size in [search]) come first; the
        // same key in [search.moves.<name>] as well is ambiguous.
        ParameterTable merged = params;
        for (const auto& [move, defaults] : parameter_defaults) {
            if (move != name || defaults.keys().empty()) continue;
            // Only the driver's keys: messages name the table they were written in.
            if (params.keys().empty()) merged = defaults;
            for (const auto& key : defaults.keys()) {
                if (params.has(key))
                    throw params.error(key, fmt::format("is also given as [{}] {}; keep one", defaults.name(), key));
                merged.set(key, *defaults.find(key));
            }
        }
        auto move = registry.get(name).create(merged, problem);
        if (weight > 0 && move->applicable(example))
            applicable_weight += weight;
        else if (weight > 0)
            not_applicable.push_back(fmt::format("{} ({} {})", name, name, move->requirement()));
        set.add(std::move(move), weight);
    }
    if (!(applicable_weight > 0)) {
        const std::string why = not_applicable.empty() ? std::string("every weight is 0")
                                                       : fmt::format("{}", fmt::join(not_applicable, ", "));
        throw search.error("moves", fmt::format("no move of positive weight applies to {}: {}", problem.formula(), why));
    }
    if (skipped) *skipped = not_applicable;
    return set;
}

}  // namespace nanoscape
