#include "nanoscape/search/evaluator.hpp"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "nanoscape/core/parallel.hpp"

namespace nanoscape {

const char* to_string(EvaluationStatus status) {
    switch (status) {
        case EvaluationStatus::converged: return "converged";
        case EvaluationStatus::single_point: return "single_point";
        case EvaluationStatus::max_steps: return "max_steps";
        case EvaluationStatus::non_finite: return "non_finite";
        case EvaluationStatus::exploded: return "exploded";
        case EvaluationStatus::fragmented: return "fragmented";
        case EvaluationStatus::failed: return "failed";
    }
    return "failed";
}

EvaluationStatus evaluation_status(RelaxStatus status) {
    switch (status) {
        case RelaxStatus::converged: return EvaluationStatus::converged;
        case RelaxStatus::max_steps: return EvaluationStatus::max_steps;
        case RelaxStatus::non_finite: return EvaluationStatus::non_finite;
        case RelaxStatus::exploded: return EvaluationStatus::exploded;
        case RelaxStatus::fragmented: return EvaluationStatus::fragmented;
    }
    return EvaluationStatus::failed;
}

nlohmann::json counts_to_json(const EvaluationCounts& c) {
    return {{"reference_evaluations", c.reference_evaluations},
            {"reference_relaxations", c.reference_relaxations},
            {"surrogate_predictions", c.surrogate_predictions},
            {"local_updates", c.local_updates},
            {"failed", c.failed}};
}

EvaluationCounts counts_from_json(const nlohmann::json& j) {
    EvaluationCounts c;
    c.reference_evaluations = j.at("reference_evaluations").get<long>();
    c.reference_relaxations = j.at("reference_relaxations").get<long>();
    c.surrogate_predictions = j.at("surrogate_predictions").get<long>();
    c.failed = j.at("failed").get<long>();
    c.local_updates = j.value("local_updates", 0L);  // checkpoints before homotop MC have none
    return c;
}

LocalEvaluator::LocalEvaluator(const Potential& potential, const Relaxer& relaxer, RelaxOptions options, int threads)
    : potential_(potential), relaxer_(relaxer), options_(options), threads_(threads) {}

std::string LocalEvaluator::describe() const {
    return fmt::format("{} to fmax {} {} on {} ({} thread(s))", relaxer_.type(), options_.fmax, potential_.force_unit(),
                       potential_.type(), resolve_threads(threads_));
}

std::vector<Evaluation> LocalEvaluator::evaluate(std::span<const Candidate> batch) {
    std::vector<Evaluation> results(batch.size());
    parallel_for(static_cast<std::int64_t>(batch.size()), threads_, [&](std::int64_t i) {
        const Candidate& candidate = batch[static_cast<std::size_t>(i)];
        Evaluation& out = results[static_cast<std::size_t>(i)];
        out.cluster = candidate.cluster;
        if (candidate.action == CandidateAction::single_point) {
            const double e = potential_.energy(out.cluster);
            out.evaluations = 1;
            out.status = std::isfinite(e) ? EvaluationStatus::single_point : EvaluationStatus::non_finite;
            if (out.ok()) out.energy = e;
            return;
        }
        const RelaxResult r = relaxer_.relax(out.cluster, potential_, options_);
        out.evaluations = r.evaluations;
        out.relaxations = 1;
        out.status = evaluation_status(r.status);
        if (out.ok()) out.energy = r.energy;
    });
    // Counted here, in candidate order, after the parallel part: one place, no races.
    for (std::size_t i = 0; i < results.size(); ++i) {
        Evaluation& r = results[i];
        r.evaluations += batch[i].prior_evaluations;
        r.local_updates = batch[i].local_updates;
        counts_.local_updates += r.local_updates;
        counts_.reference_evaluations += r.evaluations;
        counts_.reference_relaxations += r.relaxations;
        if (!r.ok()) ++counts_.failed;
    }
    return results;
}

nlohmann::json LocalEvaluator::identity() const {
    return {{"relaxer", relaxer_.type()},
            {"fmax", options_.fmax},
            {"max_steps", options_.max_steps},
            {"max_step", options_.max_step},
            {"check_fragments", options_.check_fragments},
            {"bond_factor", options_.bond_factor},
            {"explode_factor", options_.explode_factor}};
}

nlohmann::json LocalEvaluator::save_state() const { return {{"counts", counts_to_json(counts_)}}; }

void LocalEvaluator::load_state(const nlohmann::json& state) { counts_ = counts_from_json(state.at("counts")); }

}  // namespace nanoscape
