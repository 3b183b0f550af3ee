#include "nanoscape/search/evaluator.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "nanoscape/core/error.hpp"
#include "nanoscape/core/parallel.hpp"

namespace nanoscape {

namespace {

// The reference potential seen through a recorder, one per candidate (nothing is shared
// between threads). It counts the calls that returned, so a calculator that fails midway
// (CalculatorError) is still charged for the calls it answered; with `record`, every finite
// energy+force point becomes a labelled Sample (forces are computed even when the caller asks
// for none: a sample has them) and take() returns `count` of them, evenly spaced.
class RecordingPotential final : public Potential {
public:
    RecordingPotential(const Potential& inner, bool record) : inner_(inner), record_(record) {}
    [[nodiscard]] std::string type() const override { return inner_.type(); }
    [[nodiscard]] std::string description() const override { return inner_.description(); }
    [[nodiscard]] double cutoff() const override { return inner_.cutoff(); }
    [[nodiscard]] std::vector<Species> supported_species() const override { return inner_.supported_species(); }
    [[nodiscard]] double pair_distance(Species a, Species b) const override { return inner_.pair_distance(a, b); }
    [[nodiscard]] std::string force_unit() const override { return inner_.force_unit(); }
    double compute(const Cluster& cluster, Eigen::Matrix3Xd* forces, Eigen::VectorXd* atom_energies) const override {
        if (!record_) {
            const double e = inner_.compute(cluster, forces, atom_energies);
            ++calls_;
            return e;
        }
        Eigen::Matrix3Xd f;
        const double e = inner_.compute(cluster, forces ? forces : &f, atom_energies);
        if (calls_++ == 0) first_energy_ = e;
        if (std::isfinite(e)) points_.push_back(Sample{cluster, e, forces ? *forces : f});
        return e;
    }
    // Calls that returned a result.
    [[nodiscard]] long calls() const { return calls_; }
    // The energy of the first call (NaN if none or not finite).
    [[nodiscard]] double first_energy() const { return first_energy_; }
    // `count` points evenly spaced over the recorded ones, first and last included.
    [[nodiscard]] std::vector<Sample> take(int count) const {
        const std::size_t n = points_.size();
        const std::size_t k = std::min(n, static_cast<std::size_t>(count));
        std::vector<Sample> out;
        if (k == 0) return out;
        if (k == 1) return {points_.back()};
        for (std::size_t j = 0; j < k; ++j) out.push_back(points_[j * (n - 1) / (k - 1)]);
        return out;
    }

private:
    const Potential& inner_;
    bool record_;
    mutable long calls_ = 0;
    mutable double first_energy_ = std::numeric_limits<double>::quiet_NaN();
    mutable std::vector<Sample> points_;
};

}  // namespace

const char* to_string(EvaluationStatus status) {
    switch (status) {
        case EvaluationStatus::converged: return "converged";
        case EvaluationStatus::single_point: return "single_point";
        case EvaluationStatus::max_steps: return "max_steps";
        case EvaluationStatus::non_finite: return "non_finite";
        case EvaluationStatus::exploded: return "exploded";
        case EvaluationStatus::fragmented: return "fragmented";
        case EvaluationStatus::failed: return "failed";
        case EvaluationStatus::screened: return "screened";
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
            {"failed", c.failed},
            {"screened", c.screened}};
}

EvaluationCounts counts_from_json(const nlohmann::json& j) {
    EvaluationCounts c;
    c.reference_evaluations = j.at("reference_evaluations").get<long>();
    c.reference_relaxations = j.at("reference_relaxations").get<long>();
    c.surrogate_predictions = j.at("surrogate_predictions").get<long>();
    c.failed = j.at("failed").get<long>();
    c.local_updates = j.value("local_updates", 0L);  // checkpoints before homotop MC have none
    c.screened = j.value("screened", 0L);            // nor before screening
    return c;
}

LocalEvaluator::LocalEvaluator(const Potential& potential, const Relaxer& relaxer, RelaxOptions options, int threads)
    : potential_(potential), relaxer_(relaxer), options_(options), threads_(threads) {}

std::string LocalEvaluator::describe() const {
    return fmt::format("{} to fmax {} {} on {} ({} thread(s))", relaxer_.type(), options_.fmax, potential_.force_unit(),
                       potential_.type(), resolve_threads(threads_));
}

Evaluation LocalEvaluator::evaluate_one(const Candidate& candidate, const Potential& potential) const {
    Evaluation out;
    out.cluster = candidate.cluster;
    if (candidate.action == CandidateAction::single_point) {
        const double e = potential.energy(out.cluster);
        out.evaluations = 1;
        out.status = std::isfinite(e) ? EvaluationStatus::single_point : EvaluationStatus::non_finite;
        if (out.ok()) out.energy = e;
        return out;
    }
    RelaxOptions options = options_;
    if (candidate.max_relax_steps > 0) options.max_steps = std::min(options.max_steps, candidate.max_relax_steps);
    const RelaxResult r = relaxer_.relax(out.cluster, potential, options);
    out.evaluations = r.evaluations;
    out.relaxations = 1;
    out.status = evaluation_status(r.status);
    // A budget of the candidate's own is a partial relaxation by design: what it reached
    // is a structure evaluated as it is.
    if (candidate.max_relax_steps > 0 && out.status == EvaluationStatus::max_steps && std::isfinite(r.energy))
        out.status = EvaluationStatus::single_point;
    if (out.ok()) out.energy = r.energy;
    return out;
}

std::vector<Evaluation> LocalEvaluator::evaluate_uncounted(std::span<const Candidate> batch) const {
    std::vector<Evaluation> results(batch.size());
    parallel_for(static_cast<std::int64_t>(batch.size()), threads_, [&](std::int64_t i) {
        const Candidate& candidate = batch[static_cast<std::size_t>(i)];
        Evaluation& out = results[static_cast<std::size_t>(i)];
        const RecordingPotential recorder(potential_, candidate.snapshots > 0);
        // A calculator that fails (an external program crashed, timed out, answered garbage)
        // fails this candidate only; the calls it answered before are still charged.
        try {
            out = evaluate_one(candidate, recorder);
        } catch (const CalculatorError& e) {
            out = Evaluation{};
            out.cluster = candidate.cluster;
            out.status = EvaluationStatus::failed;
            out.message = e.what();
            out.evaluations = recorder.calls();
            out.relaxations = candidate.action == CandidateAction::relax ? 1 : 0;
        }
        if (candidate.snapshots > 0) {
            out.snapshots = recorder.take(candidate.snapshots);
            out.start_energy = recorder.first_energy();
        }
    });
    return results;
}

void charge_results(std::span<const Candidate> batch, std::vector<Evaluation>& results, EvaluationCounts& counts) {
    // Counted after the parallel part, in candidate order: one place, no races.
    for (std::size_t i = 0; i < results.size(); ++i) {
        Evaluation& r = results[i];
        r.evaluations += batch[i].prior_evaluations;
        r.local_updates = batch[i].local_updates;
        counts.local_updates += r.local_updates;
        counts.reference_evaluations += r.evaluations;
        counts.reference_relaxations += r.relaxations;
        if (!r.ok()) ++counts.failed;
    }
}

std::vector<Evaluation> LocalEvaluator::evaluate(std::span<const Candidate> batch) {
    std::vector<Evaluation> results = evaluate_uncounted(batch);
    charge_results(batch, results, counts_);
    return results;
}

nlohmann::json Evaluator::report() const { return nullptr; }

std::vector<Sample> Evaluator::shared_training(std::size_t /*most*/) const { return {}; }

void Evaluator::inherit_training(std::vector<Sample> /*samples*/) {}

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
