#include "nanoscape/search/homotop_mc.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "nanoscape/core/error.hpp"
#include "nanoscape/core/parallel.hpp"
#include "nanoscape/geometry/chemical_order.hpp"
#include "nanoscape/search/state_json.hpp"

namespace nanoscape {

namespace {

constexpr const char* block_stream = "homotop_mc.block";
constexpr const char* start_stream = "homotop_mc.start";
constexpr const char* exchange_stream = "homotop_mc.exchange";
constexpr const char* design_stream = "homotop_mc.design";
constexpr const char* design_move = "design";

const char* relax_name(HomotopRelax r) {
    switch (r) {
    case HomotopRelax::none: return "false";
    case HomotopRelax::best: return "best";
    case HomotopRelax::accepted: return "accepted";
    }
    return "?";
}

const char* schedule_name(TemperatureSchedule s) {
    switch (s) {
    case TemperatureSchedule::constant: return "constant";
    case TemperatureSchedule::linear: return "linear";
    case TemperatureSchedule::geometric: return "geometric";
    }
    return "?";
}

// Metropolis test of an increase `cost` (eV) at inverse temperature beta (1/eV).
bool metropolis(double cost, double beta, Rng& rng) { return cost <= 0.0 || rng.uniform() < std::exp(-beta * cost); }

// Atoms of each element, with O(1) removal and insertion, for drawing unlike pairs.
class SpeciesLists {
public:
    SpeciesLists(const std::vector<Species>& species, const std::vector<Species>& elements) : elements_(elements) {
        lists_.resize(elements.size());
        where_.resize(species.size());
        for (std::size_t i = 0; i < species.size(); ++i) insert(static_cast<int>(i), element(species[i]));
    }
    std::size_t element(Species z) const {
        return static_cast<std::size_t>(std::find(elements_.begin(), elements_.end(), z) - elements_.begin());
    }
    // A uniformly drawn atom of another element than element e; -1 if there is none.
    int other_than(std::size_t e, Rng& rng) const {
        std::size_t total = 0;
        for (std::size_t k = 0; k < lists_.size(); ++k)
            if (k != e) total += lists_[k].size();
        if (total == 0) return -1;
        std::size_t u = static_cast<std::size_t>(rng.below(total));
        for (std::size_t k = 0; k < lists_.size(); ++k) {
            if (k == e) continue;
            if (u < lists_[k].size()) return lists_[k][u];
            u -= lists_[k].size();
        }
        return -1;
    }
    void move(int atom, std::size_t from, std::size_t to) {
        auto& list = lists_[from];
        const std::size_t at = where_[static_cast<std::size_t>(atom)];
        list[at] = list.back();
        where_[static_cast<std::size_t>(list[at])] = at;
        list.pop_back();
        insert(atom, to);
    }
    std::size_t count(std::size_t e) const { return lists_[e].size(); }

private:
    void insert(int atom, std::size_t e) {
        where_[static_cast<std::size_t>(atom)] = lists_[e].size();
        lists_[e].push_back(atom);
    }
    std::vector<Species> elements_;
    std::vector<std::vector<int>> lists_;
    std::vector<std::size_t> where_;
};

}  // namespace

double HomotopMcSettings::temperature(std::size_t r, long block) const {
    const double t0 = temperatures[std::min(r, temperatures.size() - 1)];
    if (schedule == TemperatureSchedule::constant || anneal_blocks <= 0) return t0;
    // Blocks 0 .. anneal_blocks - 1 span the anneal: the last one runs at final_temperature.
    const double f = anneal_blocks > 1 ? std::min(1.0, static_cast<double>(block) / static_cast<double>(anneal_blocks - 1)) : 1.0;
    const double ratio = final_temperature / temperatures.front();  // every replica scaled alike
    if (schedule == TemperatureSchedule::linear) return t0 * (1.0 + (ratio - 1.0) * f);
    return t0 * std::pow(ratio, f);
}

double HomotopMcSettings::chemical_potential(std::size_t r) const {
    return delta_mu.empty() ? 0.0 : delta_mu[std::min(r, delta_mu.size() - 1)];
}

HomotopMc::HomotopMc(HomotopMcSettings settings, const SearchProblem& problem) : settings_(std::move(settings)) {
    elements_ = problem.start.element_order.empty() ? unique_species(problem.species) : problem.start.element_order;
    replicas_.resize(settings_.replicas());
    exchanges_tried_.assign(replicas_.size() - 1, 0);
    exchanges_accepted_.assign(replicas_.size() - 1, 0);
}

std::string HomotopMc::describe() const {
    std::string text = fmt::format("homotop_mc: {} replica(s) at {} K", replicas_.size(), fmt::join(settings_.temperatures, ", "));
    if (settings_.grand_canonical())
        text += fmt::format(", semi-grand-canonical {} -> {} at delta_mu {} eV", symbol(elements_[0]), symbol(elements_[1]),
                            fmt::join(settings_.delta_mu, ", "));
    else
        text += ", canonical swaps";
    if (settings_.schedule != TemperatureSchedule::constant)
        text += fmt::format(", {} anneal to {} K over {} blocks", schedule_name(settings_.schedule), settings_.final_temperature,
                            settings_.anneal_blocks);
    text += fmt::format(", {} sweep(s) per block, relax = {}", settings_.sweeps_per_block, relax_name(settings_.relax));
    if (replicas_.size() > 1) text += fmt::format(", exchanges every {} round(s)", settings_.exchange_every);
    if (!local_description_.empty()) text += "; energy changes: " + local_description_;
    return text;
}

nlohmann::json HomotopMc::identity() const {
    // Every setting that changes the walk: a resume with other ones would not continue it.
    return {{"replicas", replicas_.size()},
            {"relax", relax_name(settings_.relax)},
            {"mode", settings_.grand_canonical() ? "semi_grand_canonical" : "canonical"},
            {"temperature", settings_.temperatures},
            {"delta_mu", settings_.delta_mu},
            {"schedule", schedule_name(settings_.schedule)},
            {"final_temperature", settings_.final_temperature},
            {"anneal_blocks", settings_.anneal_blocks},
            {"sweeps_per_block", settings_.sweeps_per_block},
            {"exchange_every", settings_.exchange_every},
            {"check_every", settings_.check_every},
            {"equilibration_blocks", settings_.equilibration_blocks}};
}

std::vector<std::string> HomotopMc::trace_columns() const {
    std::vector<std::string> cols{"temperature_K", "walker_energy", "acceptance"};
    if (settings_.grand_canonical()) {
        cols.push_back("delta_mu");
        cols.push_back(fmt::format("n_{}", symbol(elements_[1])));
    }
    ChemicalOrder names;
    names.elements = elements_;
    for (const auto& b : names.bond_names()) cols.push_back("bonds_" + b);
    // A three-level radial profile: surface, subsurface (shell 1) and inner shells (2 and deeper).
    for (const char* level : {"surface", "subsurface", "inner"})
        for (Species z : elements_) cols.push_back(fmt::format("{}_{}", level, symbol(z)));
    return cols;
}

std::vector<double> HomotopMc::order_columns(const Cluster& cluster, const SearchProblem& problem) const {
    const ChemicalOrder order = chemical_order(cluster, elements_, [&](Species a, Species b) {
        return problem.potential->pair_distance(a, b);
    });
    std::vector<double> out;
    for (long b : order.bonds) out.push_back(static_cast<double>(b));
    for (double f : order.surface_fraction) out.push_back(f);
    // Fractions of the subsurface and of all deeper shells together (NaN for a level without atoms).
    const std::size_t ne = elements_.size();
    for (std::size_t from : {std::size_t{1}, std::size_t{2}}) {
        const std::size_t to = from == 1 ? std::min<std::size_t>(2, order.shell_size.size()) : order.shell_size.size();
        double atoms = 0.0;
        std::vector<double> count(ne, 0.0);
        for (std::size_t sh = from; sh < to; ++sh) {
            atoms += order.shell_size[sh];
            for (std::size_t e = 0; e < ne; ++e) count[e] += order.shell_fraction[sh][e] * order.shell_size[sh];
        }
        for (std::size_t e = 0; e < ne; ++e) out.push_back(atoms > 0 ? count[e] / atoms : std::nan(""));
    }
    return out;
}

std::vector<Species> HomotopMc::walker_species(const Cluster& cluster) const {
    return settings_.grand_canonical() ? elements_ : unique_species(cluster.species);
}

void HomotopMc::take_pending(Replica& rep, Candidate& c) {
    c.prior_evaluations = rep.pending_evaluations;
    c.local_updates = rep.pending_updates;
    c.surrogate_predictions = rep.pending_predictions;
    rep.pending_evaluations = rep.pending_updates = rep.pending_predictions = 0;
}

void HomotopMc::build_local(Replica& replica, const Cluster& cluster, double known_energy, const SearchProblem& problem) {
    replica.local = make_local_energy(*problem.potential, cluster, walker_species(cluster), known_energy);
    replica.pending_evaluations += replica.local->full_evaluations();
    if (local_description_.empty()) local_description_ = replica.local->describe();
    if (std::isfinite(known_energy) && std::abs(replica.local->energy() - known_energy) > settings_.check_tolerance)
        throw Error(fmt::format("homotop_mc: the local energy of the walker ({:.12f} eV) differs from the evaluator's "
                                "({:.12f} eV) by {:.3g} eV: a bug in the potential's site-sum form; please report it",
                                replica.local->energy(), known_energy, replica.local->energy() - known_energy));
}

std::vector<Candidate> HomotopMc::propose(const SearchView& view, long max_steps) {
    const SearchProblem& problem = view.problem;
    if (!replicas_.front().local) {
        // Starting structures: motif or file geometries are kept as they are (evaluated as
        // single points with relax = false); a random start is relaxed to give a sensible lattice.
        std::vector<Candidate> out(replicas_.size());
        const bool relax_start = settings_.relax != HomotopRelax::none || problem.start.kind == "random";
        for (std::size_t r = 0; r < replicas_.size(); ++r) {
            Rng rng = problem.stream(start_stream, r);
            Candidate& c = out[r];
            c.cluster = problem.initial_structure(r, rng);
            c.cluster.center();
            c.action = relax_start ? CandidateAction::relax : CandidateAction::single_point;
            c.origin = static_cast<int>(r);
            c.move = "start";
            c.initial = true;
            replicas_[r].kind = Proposal::start;
        }
        return out;
    }
    if (!stop_reason().empty()) return {};
    // A trial surface is for the fixed-geometry walk: with relaxations the walker's energies
    // are the reference's, and screening judges the relaxations themselves.
    const bool fixed = settings_.relax == HomotopRelax::none;
    if (fixed && view.surface.design > 0) return propose_design(problem, std::min(view.surface.design, max_steps));
    const std::shared_ptr<const Potential> surface = fixed ? view.surface.potential : nullptr;
    const std::size_t n = std::min<std::size_t>(replicas_.size(), static_cast<std::size_t>(std::max<long>(max_steps, 1)));
    std::vector<Candidate> out(n);
    parallel_for(static_cast<std::int64_t>(n), ParallelOptions{}, [&](std::int64_t r) {
        out[static_cast<std::size_t>(r)] = run_block(static_cast<std::size_t>(r), problem, round_, surface);
    });
    for (std::size_t r = 0; r < n; ++r) take_pending(replicas_[r], out[r]);
    return out;
}

std::vector<Candidate> HomotopMc::propose_design(const SearchProblem& problem, long count) {
    // Random homotops of the walkers' geometry and composition, replica by replica in turn:
    // the model's first data spread over the orderings it will be asked about. The walkers
    // stay where they are.
    std::vector<Candidate> out(static_cast<std::size_t>(std::max<long>(count, 1)));
    for (std::size_t k = 0; k < out.size(); ++k) {
        const std::size_t r = k % replicas_.size();
        Rng rng = problem.stream(design_stream, designs_++);
        Candidate& c = out[k];
        c.cluster = replicas_[r].local->cluster();
        shuffle(std::span<Species>(c.cluster.species), rng);
        c.action = CandidateAction::single_point;
        c.origin = static_cast<int>(r);
        c.move = design_move;
        take_pending(replicas_[r], c);
    }
    return out;
}

std::string HomotopMc::stop_reason() const {
    // A pure composition of a sweep: the start is its only configuration (canonical swaps need
    // two species; the semi-grand-canonical walk changes species and goes on).
    const LocalEnergy* local = replicas_.front().local.get();
    if (local && !settings_.grand_canonical() && unique_species(local->cluster().species).size() < 2)
        return "single_element";
    return {};
}

Candidate HomotopMc::run_block(std::size_t r, const SearchProblem& problem, std::uint64_t round,
                               const std::shared_ptr<const Potential>& surface) {
    Replica& rep = replicas_[r];
    if (surface) {
        // The walker's configuration on this round's surface (the model may have changed since
        // the last block): one prediction, then one per trial.
        rep.local = make_local_energy(*surface, rep.local->cluster(), walker_species(rep.local->cluster()));
        if (surface_description_.empty()) surface_description_ = rep.local->describe();
        rep.surface = surface;
        rep.on_surface = true;
    } else if (rep.on_surface) {
        build_local(rep, rep.local->cluster(), std::nan(""), problem);
        rep.surface = nullptr;
        rep.on_surface = false;
    }
    LocalEnergy& local = *rep.local;
    Rng rng = problem.stream(block_stream, r, round);
    const double temperature = settings_.temperature(r, rep.blocks);
    const double beta = 1.0 / (boltzmann_ev_per_k * temperature);
    const double mu = settings_.chemical_potential(r);
    const std::size_t natoms = local.cluster().size();
    const long trials = std::max<long>(1, std::lround(settings_.sweeps_per_block * static_cast<double>(natoms)));
    const bool sgc = settings_.grand_canonical();
    const bool stop_at_accept = settings_.relax == HomotopRelax::accepted;
    const bool count_stats = sgc && rep.blocks >= settings_.equilibration_blocks;
    // A walker rebuilt on the surface counts its first prediction too.
    const long evaluations_before = surface ? 0 : local.full_evaluations(), updates_before = local.local_updates();

    SpeciesLists lists(local.cluster().species, elements_);
    // The block's lowest configuration: the start plus the first `best_at` accepted changes.
    const std::vector<Species> start = local.cluster().species;
    std::vector<std::pair<int, Species>> changes;
    std::size_t best_at = 0;
    // "Lowest" by the walker's own objective, the grand potential E - delta_mu n_B (E when canonical).
    double energy = local.energy(), nb = sgc ? static_cast<double>(lists.count(1)) : 0.0;
    double best_omega = energy - mu * nb, best = energy;
    rep.block_trials = rep.block_accepted = 0;
    rep.before.clear();
    for (long t = 0; t < trials; ++t) {
        ++rep.block_trials;
        const int i = static_cast<int>(rng.below(natoms));
        const Species zi = local.cluster().species[static_cast<std::size_t>(i)];
        const std::size_t ei = lists.element(zi);
        double delta = 0.0, cost = 0.0;
        int j = -1;
        Species to = zi;
        if (sgc) {
            to = elements_[1 - ei];
            delta = local.trial_change(i, to);
            const double dn_b = ei == 0 ? 1.0 : -1.0;  // A -> B adds a B atom
            cost = delta - mu * dn_b;
        } else {
            j = lists.other_than(ei, rng);
            if (j < 0) continue;  // a pure cluster has no homotops
            delta = local.trial_swap(i, j);
            cost = delta;
        }
        if (metropolis(cost, beta, rng)) {
            if (stop_at_accept) rep.before = local.cluster().species;
            const Species zj = j >= 0 ? local.cluster().species[static_cast<std::size_t>(j)] : zi;
            local.commit();
            ++rep.block_accepted;
            energy += delta;
            if (sgc) nb += ei == 0 ? 1.0 : -1.0;
            const Species now_i = local.cluster().species[static_cast<std::size_t>(i)];  // zj, or `to` in SGC
            lists.move(i, ei, lists.element(now_i));
            changes.emplace_back(i, now_i);
            if (j >= 0) {
                lists.move(j, lists.element(zj), ei);
                changes.emplace_back(j, zi);
            }
            if (energy - mu * nb < best_omega) {
                best_omega = energy - mu * nb;
                best = energy;
                best_at = changes.size();
            }
        }
        if (count_stats) {
            ++rep.samples;
            rep.sum_nb += nb;
            rep.sum_nb2 += nb * nb;
        }
        if (settings_.check_every > 0 && !rep.on_surface && (rep.trials + rep.block_trials) % settings_.check_every == 0) {
            // The debug check: tracked energy against a full evaluation of the same configuration.
            const double full = problem.potential->energy(local.cluster());
            ++rep.pending_evaluations;
            if (!(std::abs(full - local.energy()) <= settings_.check_tolerance))
                throw Error(fmt::format("homotop_mc: after {} trials of replica {} the tracked energy {:.12f} eV differs "
                                        "from a full evaluation {:.12f} eV by {:.3g} eV: a bug in the local energy "
                                        "updates; please report it",
                                        rep.trials + rep.block_trials, r, local.energy(), full, local.energy() - full));
        }
        if (stop_at_accept && rep.block_accepted > 0) break;
    }
    // The walker's state from scratch, so it is the same after a resume as without one.
    (void)local.resync();
    rep.trials += rep.block_trials;
    rep.accepted += rep.block_accepted;
    ++rep.blocks;
    if (rep.on_surface) {
        // Every energy of the model is one prediction, tracked locally (the walker's start, then
        // each trial) or evaluated in full: the same count either way.
        rep.pending_predictions += local.full_evaluations() - evaluations_before;
        if (local.local()) rep.pending_predictions += 1 + local.local_updates() - updates_before;
    } else {
        rep.pending_evaluations += local.full_evaluations() - evaluations_before;
        rep.pending_updates += local.local_updates() - updates_before;
    }

    Candidate c;
    c.origin = static_cast<int>(r);
    c.cluster = local.cluster();
    if (settings_.relax == HomotopRelax::accepted) {
        c.action = rep.block_accepted > 0 ? CandidateAction::relax : CandidateAction::single_point;
        c.archive = rep.block_accepted > 0;
        rep.kind = rep.block_accepted > 0 ? Proposal::relax_accepted : Proposal::block;
        rep.tracked = local.energy();
        c.move = rep.block_accepted > 0 ? "relax_accepted" : "check";
        return c;
    }
    // The block's lowest configuration.
    c.cluster.species = start;
    for (std::size_t k = 0; k < best_at; ++k) c.cluster.species[static_cast<std::size_t>(changes[k].first)] = changes[k].second;
    rep.tracked = best;
    if (settings_.relax == HomotopRelax::best && best_omega < rep.record - settings_.check_tolerance) {
        rep.record = best_omega;
        c.action = CandidateAction::relax;
        c.move = "relax_best";
        rep.kind = Proposal::relax_best;
        return c;
    }
    c.action = CandidateAction::single_point;
    c.archive = settings_.relax == HomotopRelax::none;
    c.move = c.archive ? (sgc ? "sgc_block" : "swap_block") : "check";
    rep.kind = Proposal::block;
    return c;
}

std::vector<StepOutcome> HomotopMc::update(std::span<const Candidate> candidates, std::span<const Evaluation> results,
                                           const SearchView& view) {
    const SearchProblem& problem = view.problem;
    std::vector<StepOutcome> outcomes(candidates.size());
    const bool starting = !replicas_.front().local;
    for (std::size_t k = 0; k < candidates.size(); ++k) {
        const auto r = static_cast<std::size_t>(candidates[k].origin);
        Replica& rep = replicas_[r];
        const Evaluation& res = results[k];
        StepOutcome& o = outcomes[k];
        if (candidates[k].move == design_move) {
            // A design structure: data for the model; the walker stays.
            o.accepted = false;
        } else if (rep.kind == Proposal::start) {
            if (!res.ok())
                throw InputError(fmt::format("homotop_mc: the starting structure of replica {} could not be evaluated "
                                             "({}{}); check [system] start and the potential",
                                             r, to_string(res.status), res.message.empty() ? "" : ": " + res.message));
            // The walker's geometry: the start as given, or its relaxed form.
            const bool relaxed_walker = candidates[k].action == CandidateAction::relax &&
                                        (settings_.relax == HomotopRelax::accepted || problem.start.kind == "random");
            build_local(rep, relaxed_walker ? res.cluster : candidates[k].cluster,
                        candidates[k].action == CandidateAction::single_point || relaxed_walker ? res.energy
                                                                                                : std::nan(""),
                        problem);
            rep.record = rep.local->energy() -
                         settings_.chemical_potential(r) * static_cast<double>(rep.local->cluster().count(elements_.back()));
            o.accepted = true;
        } else if (rep.kind == Proposal::block) {
            if (!res.ok())
                throw Error(fmt::format("homotop_mc: the evaluation of replica {}'s configuration failed ({})", r,
                                        to_string(res.status)));
            if (!rep.on_surface && !(std::abs(res.energy - rep.tracked) <= settings_.check_tolerance))
                throw Error(fmt::format("homotop_mc: replica {}'s tracked energy {:.12f} eV differs from the full "
                                        "evaluation {:.12f} eV by {:.3g} eV (tolerance {:g} eV): a bug in the local "
                                        "energy updates; please report it",
                                        r, rep.tracked, res.energy, rep.tracked - res.energy, settings_.check_tolerance));
            o.accepted = rep.block_accepted > 0;
        } else if (rep.kind == Proposal::relax_best) {
            o.accepted = true;
        } else if (rep.kind == Proposal::relax_accepted) {
            if (res.ok()) {
                build_local(rep, res.cluster, res.energy, problem);
                o.accepted = true;
            } else {
                // The trial is undone; the walker stays. (What that costs, the local energy counts.)
                const long before = rep.local->full_evaluations();
                rep.local->set_species(rep.before);
                rep.pending_evaluations += rep.local->full_evaluations() - before;
            }
        }
        const double temperature = settings_.temperature(r, std::max<long>(rep.blocks - 1, 0));
        o.extra = {temperature, rep.local->energy(),
                   rep.block_trials > 0 ? static_cast<double>(rep.block_accepted) / static_cast<double>(rep.block_trials)
                                        : std::nan("")};
        if (starting) o.extra.back() = std::nan("");
        if (settings_.grand_canonical()) {
            o.extra.push_back(settings_.chemical_potential(r));
            o.extra.push_back(static_cast<double>(rep.local->cluster().count(elements_[1])));
        }
        const auto order = order_columns(res.cluster, problem);
        o.extra.insert(o.extra.end(), order.begin(), order.end());
    }
    if (!starting) {
        ++round_;
        if (replicas_.size() > 1 && round_ % static_cast<std::uint64_t>(settings_.exchange_every) == 0) exchange(problem);
    }
    return outcomes;
}

void HomotopMc::exchange(const SearchProblem& problem) {
    Rng rng = problem.stream(exchange_stream, 0, round_);
    const std::size_t offset = round_ % 2;  // even and odd neighbour pairs in turn
    const auto g = [&](std::size_t r, const LocalEnergy& x) {
        return x.energy() - settings_.chemical_potential(r) * static_cast<double>(x.cluster().count(elements_.back()));
    };
    for (std::size_t r = offset; r + 1 < replicas_.size(); r += 2) {
        Replica &a = replicas_[r], &b = replicas_[r + 1];
        const double beta_a = 1.0 / (boltzmann_ev_per_k * settings_.temperature(r, a.blocks));
        const double beta_b = 1.0 / (boltzmann_ev_per_k * settings_.temperature(r + 1, b.blocks));
        const double log_ratio = -beta_a * (g(r, *b.local) - g(r, *a.local)) - beta_b * (g(r + 1, *a.local) - g(r + 1, *b.local));
        ++exchanges_tried_[r];
        if (log_ratio >= 0.0 || rng.uniform() < std::exp(log_ratio)) {
            std::swap(a.local, b.local);
            ++exchanges_accepted_[r];
        }
    }
}

nlohmann::json HomotopMc::save_state() const {
    nlohmann::json reps = nlohmann::json::array();
    for (const auto& rep : replicas_)
        reps.push_back({{"walker", rep.local ? cluster_to_json(rep.local->cluster()) : nlohmann::json(nullptr)},
                        {"energy", rep.local ? real_to_json(rep.local->energy()) : nlohmann::json(nullptr)},
                        {"record", real_to_json(rep.record)},
                        {"blocks", rep.blocks},
                        {"trials", rep.trials},
                        {"accepted", rep.accepted},
                        {"pending_evaluations", rep.pending_evaluations},
                        {"pending_updates", rep.pending_updates},
                        {"pending_predictions", rep.pending_predictions},
                        {"on_surface", rep.on_surface},
                        {"samples", rep.samples},
                        {"sum_nb", rep.sum_nb},
                        {"sum_nb2", rep.sum_nb2}});
    return {{"replicas", reps},
            {"round", round_},
            {"designs", designs_},
            {"exchanges_tried", exchanges_tried_},
            {"exchanges_accepted", exchanges_accepted_}};
}

void HomotopMc::load_state(const nlohmann::json& state, const SearchProblem& problem) {
    const auto& reps = state.at("replicas");
    if (reps.size() != replicas_.size())
        throw InputError(fmt::format("the checkpoint has {} replicas, the run {}", reps.size(), replicas_.size()));
    for (std::size_t r = 0; r < replicas_.size(); ++r) {
        const auto& j = reps[r];
        Replica& rep = replicas_[r];
        if (!j.at("walker").is_null()) {
            const Cluster walker = cluster_from_json(j.at("walker"));
            if (!settings_.grand_canonical()) check_composition(walker, problem.species, fmt::format("replica {}", r));
            rep.on_surface = j.value("on_surface", false);
            if (rep.on_surface) {
                // A walker on a trial surface: its next block rebuilds it on the surface of
                // that round; until then it only holds the configuration and the model's
                // energy (the fallback with a known energy evaluates nothing).
                rep.local = make_local_energy(*problem.potential, walker, walker_species(walker),
                                              real_from_json(j.at("energy")), 0);
            } else {
                // Rebuilt from the structure: the local form checks the checkpoint's energy, the
                // fallback takes it (no evaluation, so a resumed run counts as an uninterrupted one).
                build_local(rep, walker, real_from_json(j.at("energy")), problem);
            }
        }
        rep.record = real_from_json(j.at("record"));
        rep.blocks = j.at("blocks").get<long>();
        rep.trials = j.at("trials").get<long>();
        rep.accepted = j.at("accepted").get<long>();
        rep.pending_evaluations = j.at("pending_evaluations").get<long>();
        rep.pending_updates = j.at("pending_updates").get<long>();
        rep.pending_predictions = j.value("pending_predictions", 0L);
        rep.samples = j.at("samples").get<long>();
        rep.sum_nb = j.at("sum_nb").get<double>();
        rep.sum_nb2 = j.at("sum_nb2").get<double>();
    }
    round_ = json_to_unsigned(state.at("round"), "round");
    designs_ = state.contains("designs") ? json_to_unsigned(state.at("designs"), "designs") : 0;
    exchanges_tried_ = state.at("exchanges_tried").get<std::vector<long>>();
    exchanges_accepted_ = state.at("exchanges_accepted").get<std::vector<long>>();
    if (exchanges_tried_.size() != replicas_.size() - 1 || exchanges_accepted_.size() != replicas_.size() - 1)
        throw InputError("the checkpoint's exchange counts do not match the replicas");
}

nlohmann::json HomotopMc::report() const {
    nlohmann::json reps = nlohmann::json::array();
    for (std::size_t r = 0; r < replicas_.size(); ++r) {
        const Replica& rep = replicas_[r];
        nlohmann::json j{{"temperature_K", settings_.temperature(r, std::max<long>(rep.blocks - 1, 0))},
                         {"blocks", rep.blocks},
                         {"trials", rep.trials},
                         {"accepted", rep.accepted},
                         {"acceptance", rep.trials ? static_cast<double>(rep.accepted) / static_cast<double>(rep.trials) : 0.0}};
        if (settings_.grand_canonical()) {
            j["delta_mu"] = settings_.chemical_potential(r);
            for (const char* key : {"mean_n_{}", "std_n_{}", "mean_x_{}"})
                j[fmt::format(fmt::runtime(key), symbol(elements_[1]))] = nullptr;  // until sampled
            j["samples"] = rep.samples;
            if (rep.samples > 0 && rep.local) {
                const double mean = rep.sum_nb / static_cast<double>(rep.samples);
                const double var = std::max(0.0, rep.sum_nb2 / static_cast<double>(rep.samples) - mean * mean);
                j[fmt::format("mean_n_{}", symbol(elements_[1]))] = mean;
                j[fmt::format("std_n_{}", symbol(elements_[1]))] = std::sqrt(var);
                j[fmt::format("mean_x_{}", symbol(elements_[1]))] = mean / static_cast<double>(rep.local->cluster().size());
                j["samples"] = rep.samples;
            }
        }
        reps.push_back(j);
    }
    // Exchanges per neighbour pair: the acceptance that tells whether the ladder is too wide.
    nlohmann::json pairs = nlohmann::json::array();
    long tried = 0, accepted = 0;
    for (std::size_t r = 0; r + 1 < replicas_.size(); ++r) {
        tried += exchanges_tried_[r];
        accepted += exchanges_accepted_[r];
        pairs.push_back({{"replicas", {r, r + 1}},
                         {"tried", exchanges_tried_[r]},
                         {"accepted", exchanges_accepted_[r]},
                         {"acceptance", exchanges_tried_[r] ? static_cast<double>(exchanges_accepted_[r]) / exchanges_tried_[r] : 0.0}});
    }
    nlohmann::json out{{"energy_changes", local_description_},
                       {"replicas", reps},
                       {"exchanges_tried", tried},
                       {"exchanges_accepted", accepted},
                       {"exchange_pairs", pairs}};
    // How the trials on the model were made (local pair sums, or a full prediction each).
    if (!surface_description_.empty()) out["surface_energy_changes"] = surface_description_;
    return out;
}

std::vector<std::string> homotop_mc_keys() {
    return {"temperature", "final_temperature", "schedule",       "anneal_blocks", "sweeps_per_block",
            "exchange_every", "relax",        "mode",           "delta_mu",      "check_every",
            "check_tolerance", "equilibration_blocks"};
}

namespace {

// A number or an array of numbers.
std::vector<double> real_or_array(const ParameterTable& t, const char* key, double fallback) {
    const ParameterValue* v = t.find(key);
    if (!v) return {fallback};
    if (v->kind == ParameterValue::Kind::array) {
        auto out = t.get_real_array(key);
        if (out.empty()) throw t.error(key, "must not be an empty array");
        return out;
    }
    return {t.require_real(key)};
}

}  // namespace

std::unique_ptr<Driver> make_homotop_mc(const ParameterTable& search, const SearchProblem& problem) {
    HomotopMcSettings s;
    s.temperatures = real_or_array(search, "temperature", 300.0);
    for (double t : s.temperatures) {
        if (!(t > 0) || !std::isfinite(t)) throw search.error("temperature", fmt::format("must be > 0 K, got {}", t));
        if (t < 1.0)
            throw search.error("temperature", fmt::format("is in kelvin for homotop_mc (got {} K); basin hopping's "
                                                          "temperature is k_B T in eV",
                                                          t));
    }
    const std::string schedule = search.get_string("schedule", "constant");
    const std::vector<std::string> schedules{"constant", "linear", "geometric"};
    if (schedule == "constant") s.schedule = TemperatureSchedule::constant;
    else if (schedule == "linear") s.schedule = TemperatureSchedule::linear;
    else if (schedule == "geometric") s.schedule = TemperatureSchedule::geometric;
    else throw search.error("schedule", fmt::format("unknown schedule \"{}\"{}; one of constant, linear, geometric", schedule, did_you_mean(schedule, schedules)));
    if (s.schedule != TemperatureSchedule::constant) {
        s.final_temperature = search.require_real("final_temperature");
        if (!(s.final_temperature >= 1.0) || !std::isfinite(s.final_temperature))
            throw search.error("final_temperature", fmt::format("must be >= 1 K, got {}", s.final_temperature));
        // Required, not derived from max_steps: a budget from the command line would not see it.
        if (!search.has("anneal_blocks"))
            throw search.error("schedule", "an anneal needs anneal_blocks (blocks per replica from temperature to final_temperature)");
        s.anneal_blocks = search.get_integer_in("anneal_blocks", 1, 1, std::numeric_limits<std::int64_t>::max());
    } else {
        for (const char* key : {"final_temperature", "anneal_blocks"})
            if (search.has(key)) throw search.error(key, "is only used with schedule = \"linear\" or \"geometric\"");
    }
    s.sweeps_per_block = search.get_real("sweeps_per_block", 1.0);
    if (!(s.sweeps_per_block > 0) || !std::isfinite(s.sweeps_per_block))
        throw search.error("sweeps_per_block", fmt::format("must be > 0, got {}", s.sweeps_per_block));
    s.exchange_every = search.get_integer_in("exchange_every", 1, 1, 1000000000);
    if (const ParameterValue* v = search.find("relax")) {
        if (v->kind == ParameterValue::Kind::boolean) {
            if (v->boolean) throw search.error("relax", "true is ambiguous: use \"accepted\" or \"best\" (or false)");
        } else {
            const std::string r = search.require_string("relax");
            if (r == "accepted") s.relax = HomotopRelax::accepted;
            else if (r == "best") s.relax = HomotopRelax::best;
            else if (r != "none" && r != "false")
                throw search.error("relax", fmt::format("must be false, \"best\" or \"accepted\", got \"{}\"{}", r,
                                                        did_you_mean(r, {"best", "accepted", "none"})));
        }
    }
    const std::string mode = search.get_string("mode", "canonical");
    if (mode == "semi_grand_canonical") {
        s.delta_mu = real_or_array(search, "delta_mu", 0.0);
        if (!search.has("delta_mu")) throw search.error("mode", "semi_grand_canonical needs delta_mu (eV)");
        for (double mu : s.delta_mu)
            if (!std::isfinite(mu)) throw search.error("delta_mu", "must be finite");
        const auto elements = problem.start.element_order.empty() ? unique_species(problem.species) : problem.start.element_order;
        if (elements.size() != 2)
            throw search.error("mode", fmt::format("semi_grand_canonical needs exactly two [system] elements, got {}", elements.size()));
        if (s.temperatures.size() > 1 && s.delta_mu.size() > 1)
            throw search.error("delta_mu", "give several temperatures or several delta_mu values, not both");
    } else if (mode != "canonical") {
        throw search.error("mode", fmt::format("unknown mode \"{}\"{}; one of canonical, semi_grand_canonical", mode,
                                               did_you_mean(mode, {"canonical", "semi_grand_canonical"})));
    } else if (search.has("delta_mu")) {
        throw search.error("delta_mu", "is only used with mode = \"semi_grand_canonical\"");
    }
    if (!s.grand_canonical() && unique_species(problem.species).size() < 2 && !problem.sweep)
        throw search.error("driver", fmt::format("homotop_mc: {} has one element, so no homotops; give [system] two "
                                                 "elements with atoms of both (the semi-grand-canonical mode also "
                                                 "takes a count of 0 for one of them)",
                                                 problem.formula()));
    s.check_every = search.get_integer_in("check_every", 0, 0, std::numeric_limits<std::int64_t>::max());
    s.check_tolerance = search.get_real("check_tolerance", 1e-9);
    if (!(s.check_tolerance > 0)) throw search.error("check_tolerance", "must be > 0 eV");
    s.equilibration_blocks = search.get_integer_in("equilibration_blocks", 0, 0, std::numeric_limits<std::int64_t>::max());
    if (s.replicas() > 4096) throw search.error("temperature", "at most 4096 replicas");
    return std::make_unique<HomotopMc>(std::move(s), problem);
}

}  // namespace nanoscape
