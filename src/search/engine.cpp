#include "nanoscape/search/engine.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nanoscape/core/interrupt.hpp"
#include "nanoscape/search/state_json.hpp"

namespace nanoscape {

namespace {

constexpr const char* checkpoint_format = "nanoscape-checkpoint";

// The value of an identity field as a user reads it ("42", "Ag27Cu7", "none").
std::string shown(const nlohmann::json& j) {
    if (j.is_null()) return "none";
    if (j.is_string()) return j.get<std::string>();
    return j.dump();
}

}  // namespace

SearchEngine::SearchEngine(const SearchProblem& problem, const EngineSettings& settings, Driver& driver,
                           Evaluator& evaluator, std::shared_ptr<spdlog::logger> logger)
    : problem_(problem), settings_(settings), driver_(driver), evaluator_(evaluator), logger_(std::move(logger)),
      archive_(settings.archive) {
    progress_.counts = evaluator_.counts();
}

std::string SearchEngine::check_stop() const {
    const auto& stop = settings_.stop;
    if (progress_.target_reached) return "target_energy";
    if (stop.max_steps > 0 && progress_.steps >= stop.max_steps) return "max_steps";
    if (stop.max_evaluations > 0 && progress_.counts.reference_evaluations >= stop.max_evaluations)
        return "max_evaluations";
    if (stop.max_wall_time > 0 && progress_.elapsed >= stop.max_wall_time) return "max_wall_time";
    return driver_.stop_reason();
}

void SearchEngine::account(const Candidate& candidate, const Evaluation& result, const StepOutcome& outcome,
                           TraceRow& row) {
    row.step = candidate.initial ? 0 : ++progress_.steps;
    row.walker = candidate.origin;
    row.move = candidate.move;
    row.energy = result.ok() ? result.energy : std::numeric_limits<double>::quiet_NaN();
    row.accepted = outcome.accepted;
    row.extra = outcome.extra;
    row.status = result.status;
    row.predicted_energy = result.predicted_energy;
    row.predicted_sigma = result.predicted_sigma;
    row.start_energy = result.start_energy;
    ++progress_.rows;
    if (result.ok() && candidate.archive) {
        Minimum m;
        m.cluster = result.cluster;
        m.energy = result.energy;
        m.step = row.step;
        m.walker = candidate.origin;
        m.move = candidate.move;
        m.evaluations = row.reference_evaluations;
        archive_.insert(std::move(m));
    }
    const auto& stop = settings_.stop;
    if (stop.target_energy && !progress_.target_reached && result.ok() && candidate.archive &&
        result.energy <= *stop.target_energy + stop.target_tolerance) {
        progress_.target_reached = true;
        progress_.evaluations_to_target = row.reference_evaluations;
        progress_.relaxations_to_target = row.reference_relaxations;
        progress_.steps_to_target = progress_.steps;
        if (logger_)
            logger_->info("target energy {} reached at step {} ({} reference evaluations)", *stop.target_energy,
                          progress_.steps, row.reference_evaluations);
    }
    row.best = archive_.best_energy();
}

void SearchEngine::run_round(RunObserver& observer, long remaining, std::string& reason) {
    const SearchView view{problem_, archive_, progress_, evaluator_.trial_surface()};
    const std::vector<Candidate> candidates = driver_.propose(view, remaining);
    if (candidates.empty()) {
        reason = driver_.stop_reason();
        if (reason.empty()) throw Error(fmt::format("driver {} proposed no candidates", driver_.name()));
        return;
    }
    const auto steps = std::count_if(candidates.begin(), candidates.end(), [](const Candidate& c) { return !c.initial; });
    if (steps > remaining)
        throw Error(fmt::format("driver {} proposed {} steps with {} left", driver_.name(), steps, remaining));
    const std::vector<Evaluation> results = evaluator_.evaluate(candidates);
    if (results.size() != candidates.size())
        throw Error(fmt::format("evaluator returned {} results for {} candidates", results.size(), candidates.size()));
    const std::vector<StepOutcome> outcomes = driver_.update(candidates, results, view);
    if (outcomes.size() != candidates.size())
        throw Error(fmt::format("driver {} returned {} outcomes for {} candidates", driver_.name(), outcomes.size(),
                                candidates.size()));
    const std::size_t columns = driver_.trace_columns().size();
    for (const auto& o : outcomes)
        if (o.extra.size() != columns)
            throw Error(fmt::format("driver {} gave {} values for its {} trace columns", driver_.name(), o.extra.size(),
                                    columns));
    update_elapsed();
    // The cumulative figures of each row are the evaluator's own per-candidate charges, and
    // they add up to its totals: one count, seen row by row.
    long evaluations = progress_.counts.reference_evaluations;
    long relaxations = progress_.counts.reference_relaxations;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        evaluations += results[i].evaluations;
        relaxations += results[i].relaxations;
        TraceRow row;
        row.reference_evaluations = evaluations;
        row.reference_relaxations = relaxations;
        row.wall_time = progress_.elapsed;
        row.round = progress_.rounds + 1;
        account(candidates[i], results[i], outcomes[i], row);
        observer.on_row(row, *this);
    }
    const EvaluationCounts counts = evaluator_.counts();
    if (counts.reference_evaluations != evaluations || counts.reference_relaxations != relaxations)
        throw Error(fmt::format("evaluator counted {} evaluations and {} relaxations but charged its candidates {} and {}",
                                counts.reference_evaluations, counts.reference_relaxations, evaluations, relaxations));
    progress_.counts = counts;
    ++progress_.rounds;
}

void SearchEngine::update_elapsed() {
    progress_.elapsed = elapsed_before_ + std::chrono::duration<double>(Clock::now() - session_start_).count();
}

void SearchEngine::run(RunObserver& observer, const std::atomic<bool>* interrupt) {
    session_start_ = Clock::now();
    elapsed_before_ = progress_.elapsed;
    auto last_checkpoint = Clock::now();
    long steps_at_checkpoint = progress_.steps;
    std::string reason;
    for (;;) {
        update_elapsed();
        reason = check_stop();
        if (reason.empty() && interrupt && interrupt->load()) reason = "interrupted";
        if (!reason.empty()) break;
        const long remaining = settings_.stop.max_steps > 0 ? settings_.stop.max_steps - progress_.steps
                                                            : std::numeric_limits<long>::max();
        try {
            run_round(observer, remaining, reason);
        } catch (const Interrupted& e) {
            // A calculator refused to start a call after an interrupt: the round is not
            // committed, and the last checkpoint (runs on external calculators take one every
            // round) is what a resume continues from; the calls that were answered are in
            // reference_calls.xyz, so the resumed round does not pay for them again.
            update_elapsed();
            progress_.stop_reason = "interrupted";
            if (logger_) logger_->warn("{}: round {} dropped; a resume repeats it", e.what(), progress_.rounds + 1);
            observer.on_finish(*this);
            return;
        } catch (const std::exception& e) {
            update_elapsed();
            progress_.stop_reason = "failed";
            if (logger_) logger_->error("round {} failed: {}", progress_.rounds + 1, e.what());
            try {
                observer.on_error(*this, e.what());
            } catch (...) {
                // The original failure is the one to report.
            }
            throw;
        }
        if (!reason.empty()) break;
        const bool due_time =
            std::chrono::duration<double>(Clock::now() - last_checkpoint).count() >= settings_.checkpoint_interval;
        const bool due_steps =
            settings_.checkpoint_steps > 0 && progress_.steps - steps_at_checkpoint >= settings_.checkpoint_steps;
        // The first round too: a run is resumable (and its files exist) from its first minutes.
        if (due_time || due_steps || progress_.rounds == 1) {
            observer.on_checkpoint(*this);
            last_checkpoint = Clock::now();
            steps_at_checkpoint = progress_.steps;
        }
    }
    progress_.stop_reason = reason;
    update_elapsed();
    observer.on_checkpoint(*this);
    observer.on_finish(*this);
}

nlohmann::json SearchEngine::identity() const {
    const auto& start = problem_.start;
    const auto& a = settings_.archive;
    nlohmann::json id = {
        {"driver", driver_.name()},
        {"composition", problem_.formula()},
        {"seed", problem_.seed},
        {"potential", problem_.potential ? problem_.potential->description() : std::string()},
        // A start file by its name only: the same run resumed from another working directory
        // sees another relative path.
        {"start", start.kind == "file" ? fmt::format("file {}", std::filesystem::path(start.file).filename().string())
                                       : fmt::format("{}{}", start.kind, start.core_shell ? " core-shell" : "")},
        {"archive",
         {{"keep_minima", a.capacity}, {"energy_tolerance", a.energy_tolerance}, {"fingerprint_tolerance", a.fingerprint_tolerance}}},
        {"relax", evaluator_.identity()}};
    // Only a replica names itself: checkpoints of runs without replicas stay as they were.
    if (problem_.replica != 0) id["replica"] = problem_.replica;
    const nlohmann::json own = driver_.identity();
    for (const auto& [key, value] : own.items()) id[key] = value;
    return id;
}

nlohmann::json SearchEngine::checkpoint() const {
    const auto& p = progress_;
    return {{"format", checkpoint_format},
            {"version", checkpoint_version},
            {"identity", identity()},
            {"progress",
             {{"steps", p.steps},
              {"rounds", p.rounds},
              {"rows", p.rows},
              {"elapsed", p.elapsed},
              {"target_reached", p.target_reached},
              {"evaluations_to_target", p.evaluations_to_target},
              {"relaxations_to_target", p.relaxations_to_target},
              {"steps_to_target", p.steps_to_target},
              {"stop_reason", p.stop_reason}}},
            {"evaluator", evaluator_.save_state()},
            {"archive", archive_.save_state()},
            {"driver", driver_.save_state()}};
}

void SearchEngine::restore(const nlohmann::json& checkpoint, const std::string& source) {
    try {
        if (!checkpoint.is_object() || !checkpoint.contains("format") || checkpoint.at("format") != checkpoint_format)
            throw InputError(fmt::format("{}: not a nanoscape checkpoint", source));
        try {
            check_json_numbers(checkpoint);
        } catch (const InputError& e) {
            throw InputError(fmt::format("{}: damaged checkpoint ({})", source, e.what()));
        }
        const nlohmann::json version = checkpoint.contains("version") ? checkpoint.at("version") : nlohmann::json();
        if (version != checkpoint_version)
            throw InputError(fmt::format("{}: checkpoint format version {}; this nanoscape reads version {}", source,
                                         shown(version), checkpoint_version));
        // Every field that differs, named: "seed is 7 in the checkpoint, 8 in this run".
        const std::vector<std::string> differences = identity_differences(
            checkpoint.contains("identity") ? checkpoint.at("identity") : nlohmann::json::object(), identity());
        if (!differences.empty())
            throw InputError(fmt::format("{} belongs to a different run: {}", source, fmt::join(differences, "; ")));
    } catch (const nlohmann::json::exception& e) {
        throw InputError(fmt::format("{}: damaged checkpoint ({})", source, e.what()));
    }
    try {
        const auto& p = checkpoint.at("progress");
        SearchProgress progress;
        progress.steps = p.at("steps").get<long>();
        progress.rounds = p.at("rounds").get<long>();
        progress.rows = p.at("rows").get<long>();
        progress.elapsed = p.at("elapsed").get<double>();
        progress.target_reached = p.at("target_reached").get<bool>();
        progress.evaluations_to_target = p.at("evaluations_to_target").get<long>();
        progress.relaxations_to_target = p.at("relaxations_to_target").get<long>();
        progress.steps_to_target = p.at("steps_to_target").get<long>();
        evaluator_.load_state(checkpoint.at("evaluator"));
        progress.counts = evaluator_.counts();
        archive_.load_state(checkpoint.at("archive"));
        for (const auto& m : archive_.minima()) {
            if (driver_.fixed_composition())
                check_composition(m.cluster, problem_.species);
            else if (m.cluster.size() != problem_.species.size())
                throw InputError(fmt::format("an archived structure has {} atoms, the run {}", m.cluster.size(),
                                             problem_.species.size()));
        }
        driver_.load_state(checkpoint.at("driver"), problem_);
        // A finished run resumed with a larger budget goes on; a target already reached
        // stays reached (the stop reason is decided afresh).
        progress_ = progress;
    } catch (const nlohmann::json::exception& e) {
        throw InputError(fmt::format("{}: damaged checkpoint ({})", source, e.what()));
    } catch (const InputError& e) {
        throw InputError(fmt::format("{}: damaged checkpoint ({})", source, e.what()));
    }
}

}  // namespace nanoscape
