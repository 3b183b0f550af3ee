#pragma once
/// @file Candidates, their evaluations, and the Evaluator that turns one into the other.
///
/// A driver proposes a batch of candidates; an Evaluator evaluates the batch and returns one
/// Evaluation per candidate, in candidate order. The evaluator is the one place that counts
/// what the reference calculator spent (energy+force calls and relaxations). Evaluators stack
/// like decorators: the local evaluator relaxes on the reference potential (OpenMP over the
/// batch); surrogate screening and MPI are further evaluators, so drivers never change for them.

#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "nanoscape/geometry/cluster.hpp"
#include "nanoscape/potentials/potential.hpp"
#include "nanoscape/relax/relaxer.hpp"
#include "nanoscape/surrogate/sample.hpp"

namespace nanoscape {

/// What to do with a candidate structure.
enum class CandidateAction {
    relax,         ///< relax it to a local minimum on the reference potential
    single_point,  ///< evaluate it as it is (energy and forces, no relaxation)
};

/// A structure a driver wants evaluated.
struct Candidate {
    Cluster cluster;                                  ///< the structure, Angstrom
    CandidateAction action = CandidateAction::relax;  ///< relax or evaluate as is
    int origin = 0;        ///< walker, individual or candidate number it belongs to (trace column `walker`)
    std::string move;      ///< how it was made ("start", "reseed", a move name)
    bool initial = false;  ///< a starting structure: written as step 0, does not count as a search step
    /// False for an evaluation the driver needs for itself (a consistency check, an unrelaxed
    /// configuration of a driver that archives relaxed ones): not archived, not a target hit.
    bool archive = true;
    /// Reference work the driver spent to make this candidate, which the evaluator charges to
    /// it so every reference call is still counted by the evaluator: full energy evaluations
    /// (homotop Monte Carlo's trials on a potential without local updates, its checks) ...
    long prior_evaluations = 0;
    /// ... and local energy changes of chemical moves (potentials/local_energy.hpp), which are
    /// not full evaluations and are counted apart.
    long local_updates = 0;
    /// Labelled reference points of its evaluation to return (Evaluation::snapshots): this
    /// many, evenly spaced over the relaxation, the first and the last included (all of them
    /// if it took fewer); 0: none. Screening asks for them to train its surrogate on the
    /// reference's own relaxation path.
    int snapshots = 0;
    /// A relaxation budget of its own, in reference steps (0: the evaluator's max_steps). A
    /// relaxation that uses all of it ends as `single_point`: the structure it reached,
    /// evaluated as it is.
    int max_relax_steps = 0;
    /// Energies the driver computed on the evaluator's trial surface (TrialSurface) to make
    /// this candidate: model predictions, not reference calls. A screening evaluator counts
    /// them as surrogate_predictions; a candidate with any is one the model chose, so the
    /// evaluator records its prediction beside the reference energy (screening.csv).
    long surrogate_predictions = 0;
};

/// A cheap energy surface an evaluator offers a driver for its many small trials (homotop
/// Monte Carlo's swaps on a fixed geometry), so that only the configurations the trials pick
/// reach the reference (docs/screening.md, "Homotop searches").
struct TrialSurface {
    /// The surface (a screening model's mu - kappa sigma, eV), kept alive by whoever holds it;
    /// null: make trials on the reference.
    std::shared_ptr<const Potential> potential;
    /// Reference single points of new structures the evaluator still wants before it offers a
    /// surface (a screening model's initial design); 0 when it offers one, or never will.
    long design = 0;
};

/// How an evaluation ended.
enum class EvaluationStatus {
    converged,     ///< relaxed to fmax
    single_point,  ///< evaluated as is
    max_steps,     ///< relaxation step limit reached first
    non_finite,    ///< the potential returned NaN or infinity
    exploded,      ///< atoms flew apart during the relaxation
    fragmented,    ///< relaxed, but the cluster fell into pieces
    failed,        ///< the calculator failed (Evaluation::message says how): an external
                   ///< program crashed, hung past its timeout, or answered garbage or NaN
    screened,      ///< a screening evaluator judged it not worth a reference calculation
                   ///< (Evaluation::message says why); no reference energy
};

/// "converged", "single_point", "max_steps", ... (the words of trace.csv).
[[nodiscard]] const char* to_string(EvaluationStatus status);
/// The evaluation status of a relaxation that ended with `status`.
[[nodiscard]] EvaluationStatus evaluation_status(RelaxStatus status);

/// The result for one candidate.
struct Evaluation {
    Cluster cluster;  ///< the relaxed structure (or the candidate as is)
    double energy = std::numeric_limits<double>::quiet_NaN();  ///< eV; NaN unless ok()
    EvaluationStatus status = EvaluationStatus::failed;         ///< how it ended
    long evaluations = 0;  ///< reference energy+force calls it used
    int relaxations = 0;   ///< reference relaxations it used (0 or 1)
    long local_updates = 0;  ///< local energy changes charged to it (Candidate::local_updates)
    std::string message;   ///< what went wrong, for failures; why a candidate was screened out
    /// Screening only (NaN otherwise): the surrogate's mean energy (eV) and standard deviation
    /// (eV) at the structure it handed to the reference.
    double predicted_energy = std::numeric_limits<double>::quiet_NaN();
    double predicted_sigma = std::numeric_limits<double>::quiet_NaN();  ///< see predicted_energy
    /// The reference energy of the candidate as proposed (the first point of its relaxation),
    /// eV; NaN unless snapshots were asked for (Candidate::snapshots).
    double start_energy = std::numeric_limits<double>::quiet_NaN();
    /// Labelled reference points of the evaluation (Candidate::snapshots), in order.
    std::vector<Sample> snapshots;
    /// True if the structure and energy are usable (a converged minimum or a single point).
    [[nodiscard]] bool ok() const {
        return status == EvaluationStatus::converged || status == EvaluationStatus::single_point;
    }
};

/// What an evaluator has spent, over the whole run.
struct EvaluationCounts {
    long reference_evaluations = 0;  ///< energy+force calls of the reference potential, relaxation steps included
    long reference_relaxations = 0;  ///< relaxations on the reference potential (converged or not)
    long surrogate_predictions = 0;  ///< surrogate energy predictions (screening evaluators)
    long local_updates = 0;          ///< local energy changes of chemical moves on the reference potential
    long failed = 0;                 ///< candidates whose evaluation was not usable (screened ones excluded)
    long screened = 0;               ///< candidates a screening evaluator did not send to the reference
};

/// Evaluates batches of candidates.
class Evaluator {
public:
    virtual ~Evaluator() = default;
    /// One line for the log header ("local: lbfgs to fmax 0.001 on 2 threads").
    [[nodiscard]] virtual std::string describe() const = 0;
    /// Evaluates every candidate and returns the results in candidate order. The results do
    /// not depend on the thread count. Counts what was spent, the candidates' prior work
    /// (Candidate::prior_evaluations, local_updates) included.
    [[nodiscard]] virtual std::vector<Evaluation> evaluate(std::span<const Candidate> batch) = 0;
    /// What was spent so far (over all sessions of a resumed run). Every reference call is
    /// attributed to a candidate: counts() grows by exactly the evaluations and relaxations of
    /// the returned results (the engine checks this after every round).
    [[nodiscard]] virtual EvaluationCounts counts() const = 0;
    /// Settings a resumed run must share with its checkpoint (relaxer, convergence), as JSON.
    [[nodiscard]] virtual nlohmann::json identity() const = 0;
    /// The state a checkpoint needs (the counts, a surrogate, ...).
    [[nodiscard]] virtual nlohmann::json save_state() const = 0;
    /// Restores save_state(); throws on a malformed state.
    virtual void load_state(const nlohmann::json& state) = 0;
    /// The evaluator's own figures for summary.json (merged into its top level), or null.
    [[nodiscard]] virtual nlohmann::json report() const;
    /// The surface a driver may make its trials on instead of the reference, as of now (it may
    /// change after every evaluate()); none by default.
    [[nodiscard]] virtual TrialSurface trial_surface() const { return {}; }
    /// The last `most` reference points this evaluator learned from (a screening model's
    /// training pool, oldest first), for a related search to start from: a sweep hands them
    /// to the next composition along its chain (docs/sweeps.md, share_training). None by default.
    [[nodiscard]] virtual std::vector<Sample> shared_training(std::size_t most) const;
    /// Starts a fresh search with `samples` (another search's shared_training()) as training
    /// data, before its first evaluate(); they count towards a screening model's initial
    /// design. Ignored by evaluators that do not learn, and on a resumed state (its checkpoint
    /// holds what it inherited).
    virtual void inherit_training(std::vector<Sample> samples);
};

/// Relaxes (or single-point evaluates) every candidate with the reference potential, in
/// parallel over the batch (core/parallel.hpp); one relaxation per thread at a time.
class LocalEvaluator final : public Evaluator {
public:
    /// @param potential reference calculator (must outlive the evaluator)
    /// @param relaxer local optimiser (must outlive the evaluator)
    /// @param options relaxation settings
    /// @param threads OpenMP threads (<= 0: all); never changes results
    LocalEvaluator(const Potential& potential, const Relaxer& relaxer, RelaxOptions options, int threads);

    [[nodiscard]] std::string describe() const override;
    [[nodiscard]] std::vector<Evaluation> evaluate(std::span<const Candidate> batch) override;
    /// evaluate() without the charging (charge_results()): for an evaluator that hands parts
    /// of a batch to other processes (MPI) and charges the gathered results in one place.
    [[nodiscard]] std::vector<Evaluation> evaluate_uncounted(std::span<const Candidate> batch) const;
    [[nodiscard]] EvaluationCounts counts() const override { return counts_; }
    [[nodiscard]] nlohmann::json identity() const override;
    [[nodiscard]] nlohmann::json save_state() const override;
    void load_state(const nlohmann::json& state) override;

private:
    // Relaxes (or evaluates) one candidate on `potential`; throws what the potential throws.
    [[nodiscard]] Evaluation evaluate_one(const Candidate& candidate, const Potential& potential) const;

    const Potential& potential_;
    const Relaxer& relaxer_;
    RelaxOptions options_;
    int threads_;
    EvaluationCounts counts_;
};

/// Charges the reference work of `results` (evaluated from `batch`, in order) to `counts`: adds
/// each candidate's prior work (Candidate::prior_evaluations, local_updates) to its result,
/// then the results to the totals. The one place reference calls are counted.
void charge_results(std::span<const Candidate> batch, std::vector<Evaluation>& results, EvaluationCounts& counts);

/// The counts as a JSON object (reference_evaluations, reference_relaxations, ...).
[[nodiscard]] nlohmann::json counts_to_json(const EvaluationCounts& counts);
/// Reads counts_to_json().
[[nodiscard]] EvaluationCounts counts_from_json(const nlohmann::json& j);

}  // namespace nanoscape
