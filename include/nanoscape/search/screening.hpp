#pragma once
/// @file Surrogate pre-screening as an evaluator: the GOFEE / MLaGA loop around the reference.
///
/// For each batch of candidates a driver proposes (Bisbo & Hammer, PRL 124, 086102 (2020);
/// Jennings et al., npj Comput. Mater. 5, 46 (2019)):
///  1. relax every candidate on the lower-confidence-bound surface E_LCB = mu - kappa sigma of
///     the surrogate (surrogate/lcb_potential.hpp), in parallel over the batch;
///  2. drop candidates whose surrogate relaxation failed, whose atoms overlap (closer than
///     0.6 x the reference bond length: a surrogate extrapolating into a collapse), whose sigma
///     exceeds max_sigma, or that repeat a structure already verified or ranked higher in the
///     batch (the archive's fingerprint, within duplicate_tolerance);
///  3. rank the rest by E_LCB and send the best `verify` to the reference evaluator (relaxed
///     from the surrogate minimum, evaluated as is, or relaxed for a fixed number of steps);
///  4. return the verified results in candidate order; every other candidate comes back as
///     `screened`, with no energy, so only reference energies reach the archive, the hull and
///     the drivers' acceptance decisions;
///  5. learn: the verified structures (and evenly spaced points of their reference
///     relaxations) join the training pool; the surrogate is updated every retrain_every
///     verified candidates and refitted with its hyperparameters every optimize_every updates,
///     on at most max_training structures chosen by a training-set selection method.
/// Until the pool holds initial_design verified candidates the evaluator passes every
/// candidate to the reference unchanged (plain behaviour). Starting structures, single points
/// and a driver's own bookkeeping evaluations are never screened. If a batch leaves nothing
/// to verify, its best-ranked candidate (or, if all were dropped, its first) is verified from
/// the structure the driver proposed, so a search always moves.
///
/// Counting: reference calls are counted by the wrapped evaluator, as without screening;
/// surrogate_predictions counts every energy(+gradient) the surrogate computed.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nanoscape/core/parameters.hpp"
#include "nanoscape/search/evaluator.hpp"
#include "nanoscape/surrogate/surrogate.hpp"

namespace nanoscape {

/// How a screened candidate is verified with the reference.
enum class Verification {
    relax,         ///< relaxed to the run's fmax from the surrogate minimum
    single_point,  ///< evaluated as it is (one reference call)
    steps,         ///< relaxed for ScreeningSettings::verification_steps steps at most
};

/// Settings of the [screening] table (defaults in brackets; docs/screening.md).
struct ScreeningSettings {
    double kappa = 2.0;             ///< LCB exploration weight at the start [2]
    double kappa_final = -1.0;      ///< kappa after kappa_decay verified candidates; < 0: kappa [kappa]
    long kappa_decay = 0;           ///< verified candidates over which kappa goes linearly to kappa_final [0: constant]
    int verify = 1;                 ///< candidates verified per batch [1]
    Verification verification = Verification::relax;  ///< how [relax]
    int verification_steps = 0;     ///< reference steps for Verification::steps
    double max_sigma = -1.0;        ///< eV: drop candidates less certain than this; 0: no limit; < 0: max_sigma_per_atom x N [-1]
    /// The automatic max_sigma, eV per atom: far above the spread of a model that knows the
    /// landscape (0.01-0.03 eV/atom), far below that of one extrapolating into nonsense.
    static constexpr double max_sigma_per_atom = 0.05;
    long initial_design = 10;       ///< verified candidates before screening starts [10]
    long retrain_every = 1;         ///< verified candidates between surrogate updates [1]
    long optimize_every = 5;        ///< updates between full refits (hyperparameters included) [5]
    long max_training = 400;        ///< most training structures; more are selected down [400]
    std::string selection = "fps";  ///< selection method when the pool exceeds max_training [fps]
    int snapshots = 4;              ///< reference points kept per verified relaxation, first and last included [4]
    double surrogate_fmax = 0.05;   ///< fmax of relaxations on the LCB surface, eV/Angstrom [0.05]
    int surrogate_max_steps = 300;  ///< step limit of relaxations on the LCB surface [300]
    double duplicate_tolerance = 0.05;  ///< Angstrom: fingerprint distance below which two structures are one [0.05]
    int candidates = 0;             ///< candidates a driver proposes per round; 0: the driver's own setting [0]
    std::uint64_t seed = 0;         ///< seed of the training-set selection (the run's seed)

    /// kappa after `verified` verified candidates.
    [[nodiscard]] double kappa_at(long verified) const;
    /// The sigma limit for a cluster of `atoms` atoms, eV (infinity: none).
    [[nodiscard]] double sigma_limit(std::size_t atoms) const;
};

/// Keys of a [screening] table.
[[nodiscard]] const std::vector<std::string>& screening_keys();
/// Reads and validates a [screening] table (errors name the file, line and key).
[[nodiscard]] ScreeningSettings read_screening_settings(const ParameterTable& table);

/// One verified candidate, as screening.csv records it.
struct ScreeningRecord {
    double predicted_energy = 0.0;  ///< surrogate mean at the verified structure, eV
    double sigma = 0.0;             ///< surrogate standard deviation there, eV
    double reference_energy = 0.0;  ///< reference energy at that same structure, eV
};

/// The screening evaluator (see the file comment).
class ScreeningEvaluator final : public Evaluator {
public:
    /// @param reference the evaluator that does the reference work (counts it)
    /// @param surrogate an untrained model of `species`
    /// @param species the species of the model (sorted by Z), to rebuild it from a checkpoint
    /// @param potential the reference potential (bond lengths for the LCB surface)
    /// @param relaxer the relaxer used on the LCB surface (must outlive the evaluator)
    /// @param relax the run's relaxation settings (fmax and max_steps replaced by the surrogate's)
    /// @param settings the [screening] settings
    /// @param threads OpenMP threads for the surrogate relaxations (<= 0: all); never changes results
    ScreeningEvaluator(std::unique_ptr<Evaluator> reference, std::unique_ptr<Surrogate> surrogate,
                       std::vector<Species> species, const Potential& potential, const Relaxer& relaxer, RelaxOptions relax,
                       ScreeningSettings settings, int threads);

    [[nodiscard]] std::string describe() const override;
    [[nodiscard]] std::vector<Evaluation> evaluate(std::span<const Candidate> batch) override;
    [[nodiscard]] EvaluationCounts counts() const override;
    [[nodiscard]] nlohmann::json identity() const override;
    [[nodiscard]] nlohmann::json save_state() const override;
    void load_state(const nlohmann::json& state) override;
    /// training_set_size, training_pool_size, training_inherited, retrain_count, verified_candidates,
    /// screened_candidates, screened_because (ranked_lower, uncertain, duplicate,
    /// surrogate_failed, overlapping: how many), screening_error_mae (eV; null before the first verified
    /// candidate), surrogate (its description).
    [[nodiscard]] nlohmann::json report() const override;
    /// Once the model is trained: its mu - kappa sigma (no trust limit: a walk on it goes where
    /// the model is unsure, and the reference single points it picks there teach the model);
    /// before: design = the verified candidates still missing from initial_design (at least 1).
    [[nodiscard]] TrialSurface trial_surface() const override;
    /// The last `most` points of the training pool (inherited ones first, then this search's).
    [[nodiscard]] std::vector<Sample> shared_training(std::size_t most) const override;
    /// Puts `samples` at the head of the pool, each counting as one verified candidate of the
    /// initial design; fits the model at once if they complete it. Only before the first
    /// evaluation (a resumed pool already holds them).
    void inherit_training(std::vector<Sample> samples) override;

    /// The surrogate (ready() once screening has started).
    [[nodiscard]] const Surrogate& surrogate() const { return *surrogate_; }
    /// Mean |predicted - reference| energy over verified candidates, eV (NaN if none).
    [[nodiscard]] double mean_absolute_error() const;

private:
    [[nodiscard]] std::vector<Evaluation> screen(std::span<const Candidate> batch);
    void learn(std::span<const Evaluation> verified);
    // Sets the prediction (eV) a verified result was chosen on and adds its error to the MAE.
    void record_prediction(Evaluation& result, double mean, double sigma);
    void retrain(bool full);

    std::unique_ptr<Evaluator> reference_;
    std::unique_ptr<Surrogate> surrogate_;
    ParameterTable surrogate_table_;  // settings() of the untrained model (a checkpoint's own rebuild it when trained)
    std::vector<Species> species_;
    const Potential& potential_;
    const Relaxer& relaxer_;
    RelaxOptions relax_;
    ScreeningSettings settings_;
    int threads_;

    std::vector<Sample> pool_;                           // every labelled reference point so far
    std::vector<Cluster> verified_structures_;          // what the reference has seen (starts and ends) ...
    std::vector<std::vector<double>> verified_prints_;  // ... and their fingerprints
    std::size_t trained_count_ = 0;  // pool_ samples the model has been given
    long failed_fits_ = 0;           // fits that failed (the previous model was kept)
    std::map<std::string, long> dropped_;  // screened candidates by reason (summary.json screened_because)
    std::string last_fit_error_;     // why the last one failed
    long verified_ = 0;            // candidates verified (or passed through) and usable for training
    long inherited_ = 0;           // samples at the head of pool_ from another search (inherit_training)
    long since_retrain_ = 0;       // of which since the last update
    long retrains_ = 0;            // updates and refits
    long predictions_ = 0;         // surrogate energy(+gradient) calls
    long screened_ = 0;            // candidates not sent to the reference
    long error_count_ = 0;         // verified candidates with a prediction and a reference energy
    double error_sum_ = 0.0;       // sum of |predicted - reference|, eV
};

/// Builds a screening evaluator from [surrogate] and [screening] tables around `reference`.
/// Throws InputError (naming file, line and key) for bad settings or a surrogate whose
/// descriptor cannot describe one of `species`.
[[nodiscard]] std::unique_ptr<Evaluator> make_screening_evaluator(std::unique_ptr<Evaluator> reference,
                                                                  const ParameterTable& surrogate,
                                                                  const ScreeningSettings& screening,
                                                                  const std::vector<Species>& species,
                                                                  const Potential& potential, const Relaxer& relaxer,
                                                                  const RelaxOptions& relax, int threads);

}  // namespace nanoscape
