#include "nanoscape/search/screening.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>
#include <sstream>

#include <fmt/format.h>

#include "nanoscape/core/error.hpp"
#include "nanoscape/core/parallel.hpp"
#include "nanoscape/search/minima_archive.hpp"
#include "nanoscape/search/state_json.hpp"
#include "nanoscape/surrogate/lcb_potential.hpp"
#include "nanoscape/surrogate/selection.hpp"

namespace nanoscape {

namespace {

// Atoms closer than this fraction of the reference bond length: a surrogate that extrapolates
// into a collapse, not a structure worth a reference call.
constexpr double overlap_fraction = 0.6;

const char* to_string(Verification v) {
    switch (v) {
        case Verification::relax: return "relax";
        case Verification::single_point: return "single_point";
        case Verification::steps: return "steps";
    }
    return "relax";
}

}  // namespace

double ScreeningSettings::kappa_at(long verified) const {
    if (kappa_decay <= 0 || kappa_final < 0) return kappa;
    const double t = std::min(1.0, static_cast<double>(verified) / static_cast<double>(kappa_decay));
    return kappa + t * (kappa_final - kappa);
}

double ScreeningSettings::sigma_limit(std::size_t atoms) const {
    if (max_sigma == 0) return std::numeric_limits<double>::infinity();
    return max_sigma > 0 ? max_sigma : max_sigma_per_atom * static_cast<double>(atoms);
}

const std::vector<std::string>& screening_keys() {
    static const std::vector<std::string> keys = {
        "kappa",          "kappa_final",    "kappa_decay",  "verify",         "verification",
        "max_sigma",      "initial_design", "retrain_every", "optimize_every", "max_training",
        "selection",      "snapshots",      "surrogate_fmax", "surrogate_max_steps", "duplicate_tolerance",
        "candidates"};
    return keys;
}

ScreeningSettings read_screening_settings(const ParameterTable& t) {
    t.allow_only(screening_keys());
    ScreeningSettings s;
    const auto non_negative_real = [&](const char* key, double fallback) {
        const double v = t.get_real(key, fallback);
        if (!(v >= 0) || !std::isfinite(v)) throw t.error(key, fmt::format("must be a finite number >= 0, got {}", v));
        return v;
    };
    s.kappa = non_negative_real("kappa", s.kappa);
    s.kappa_final = t.has("kappa_final") ? non_negative_real("kappa_final", 0.0) : -1.0;
    s.kappa_decay = static_cast<long>(t.get_integer_in("kappa_decay", 0, 0, 1'000'000'000));
    if (s.kappa_decay > 0 && s.kappa_final < 0)
        throw t.error("kappa_decay", "needs kappa_final, the kappa it decays to");
    s.verify = static_cast<int>(t.get_integer_in("verify", s.verify, 1, 100'000));
    if (const ParameterValue* v = t.find("verification")) {
        if (v->kind == ParameterValue::Kind::integer) {
            s.verification = Verification::steps;
            s.verification_steps = static_cast<int>(t.get_integer_in("verification", 1, 1, 1'000'000));
        } else {
            const std::string word = t.get_string("verification", "relax");
            if (word == "relax") s.verification = Verification::relax;
            else if (word == "single_point") s.verification = Verification::single_point;
            else
                throw t.error("verification", fmt::format("must be \"relax\", \"single_point\" or a number of reference "
                                                          "relaxation steps, got \"{}\"",
                                                          word));
        }
    }
    if (t.has("max_sigma")) s.max_sigma = non_negative_real("max_sigma", 0.0);
    s.initial_design = static_cast<long>(t.get_integer_in("initial_design", s.initial_design, 1, 1'000'000));
    s.retrain_every = static_cast<long>(t.get_integer_in("retrain_every", s.retrain_every, 1, 1'000'000));
    s.optimize_every = static_cast<long>(t.get_integer_in("optimize_every", s.optimize_every, 1, 1'000'000));
    s.max_training = static_cast<long>(t.get_integer_in("max_training", s.max_training, 2, 10'000'000));
    s.selection = t.get_string("selection", s.selection);
    if (!selection_registry().find(s.selection)) throw t.error("selection", selection_registry().unknown_message(s.selection));
    if (s.selection == "max_variance")
        throw t.error("selection", "max_variance refits the model many times per selection; use fps, cur, random or "
                                   "descriptor_space here");
    s.snapshots = static_cast<int>(t.get_integer_in("snapshots", s.snapshots, 1, 100'000));
    s.surrogate_fmax = t.get_real("surrogate_fmax", s.surrogate_fmax);
    if (!(s.surrogate_fmax > 0) || !std::isfinite(s.surrogate_fmax))
        throw t.error("surrogate_fmax", fmt::format("must be > 0, got {}", s.surrogate_fmax));
    s.surrogate_max_steps = static_cast<int>(t.get_integer_in("surrogate_max_steps", s.surrogate_max_steps, 1, 1'000'000));
    s.duplicate_tolerance = non_negative_real("duplicate_tolerance", s.duplicate_tolerance);
    s.candidates = static_cast<int>(t.get_integer_in("candidates", 0, 0, 100'000));
    return s;
}

ScreeningEvaluator::ScreeningEvaluator(std::unique_ptr<Evaluator> reference, std::unique_ptr<Surrogate> surrogate,
                                       std::vector<Species> species, const Potential& potential, const Relaxer& relaxer, RelaxOptions relax,
                                       ScreeningSettings settings, int threads)
    : reference_(std::move(reference)), surrogate_(std::move(surrogate)), surrogate_table_(surrogate_->settings()),
      species_(std::move(species)), potential_(potential), relaxer_(relaxer), relax_(relax), settings_(std::move(settings)), threads_(threads) {
    relax_.fmax = settings_.surrogate_fmax;
    relax_.max_steps = settings_.surrogate_max_steps;
}

std::string ScreeningEvaluator::describe() const {
    std::string kappa = fmt::format("kappa {}", settings_.kappa);
    if (settings_.kappa_decay > 0)
        kappa += fmt::format(" -> {} over {} verified", settings_.kappa_final, settings_.kappa_decay);
    std::string verification = settings_.verification == Verification::steps
                                   ? fmt::format("{} reference steps", settings_.verification_steps)
                                   : std::string(to_string(settings_.verification));
    return fmt::format("screening with {} ({}), {}, verify {} per batch by {}, after {} verified; reference: {}",
                       surrogate_->type(), surrogate_->descriptor().description(), kappa, settings_.verify,
                       verification, settings_.initial_design, reference_->describe());
}

EvaluationCounts ScreeningEvaluator::counts() const {
    EvaluationCounts c = reference_->counts();
    c.surrogate_predictions = predictions_;
    c.screened = screened_;
    return c;
}

double ScreeningEvaluator::mean_absolute_error() const {
    return error_count_ > 0 ? error_sum_ / static_cast<double>(error_count_) : std::nan("");
}

TrialSurface ScreeningEvaluator::trial_surface() const {
    TrialSurface surface;
    if (surrogate_->ready())
        surface.potential = std::make_shared<LcbPotential>(*surrogate_, settings_.kappa_at(verified_), potential_);
    else
        surface.design = std::max<long>(settings_.initial_design - verified_ - inherited_, 1);
    return surface;
}

std::vector<Sample> ScreeningEvaluator::shared_training(std::size_t most) const {
    const std::size_t first = pool_.size() > most ? pool_.size() - most : 0;
    return {pool_.begin() + static_cast<std::ptrdiff_t>(first), pool_.end()};
}

void ScreeningEvaluator::inherit_training(std::vector<Sample> samples) {
    if (samples.empty() || !pool_.empty() || verified_ > 0) return;
    inherited_ = static_cast<long>(samples.size());
    pool_ = std::move(samples);
    // A model of the same alloy from its neighbour's data: screening starts at the first batch
    // when that data makes up the initial design.
    if (inherited_ >= settings_.initial_design && pool_.size() >= 2) retrain(true);
}

std::vector<Evaluation> ScreeningEvaluator::evaluate(std::span<const Candidate> batch) {
    for (const Candidate& c : batch) predictions_ += c.surrogate_predictions;
    if (surrogate_->ready()) return screen(batch);
    // Plain behaviour until the model is trained: the reference sees every candidate, and
    // every reference point it returns is training data.
    std::vector<Candidate> plain(batch.begin(), batch.end());
    for (auto& c : plain) c.snapshots = std::max(c.snapshots, settings_.snapshots);
    std::vector<Evaluation> results = reference_->evaluate(plain);
    learn(results);
    for (auto& r : results) r.snapshots.clear();
    return results;
}

std::vector<Evaluation> ScreeningEvaluator::screen(std::span<const Candidate> batch) {
    // Which candidates are screened: relaxations of search steps the driver will archive.
    std::vector<std::size_t> screened;
    for (std::size_t i = 0; i < batch.size(); ++i)
        if (batch[i].action == CandidateAction::relax && !batch[i].initial && batch[i].archive) screened.push_back(i);

    struct Trial {
        Cluster cluster;
        double mean = std::nan("");
        double sigma = std::nan("");
        double lcb = std::nan("");
        long predictions = 0;
        std::string dropped;  // why it is not verified ("" while it is in the running) ...
        std::string reason;   // ... as a summary.json key
        std::vector<double> fingerprint;
    };
    std::vector<Trial> trials(screened.size());
    const double kappa = settings_.kappa_at(verified_);
    const double trust = batch.empty() ? 0.0 : settings_.sigma_limit(batch.front().cluster.size());
    parallel_for(static_cast<std::int64_t>(trials.size()), threads_, [&](std::int64_t k) {
        Trial& t = trials[static_cast<std::size_t>(k)];
        t.cluster = batch[screened[static_cast<std::size_t>(k)]].cluster;
        const LcbPotential lcb(*surrogate_, kappa, potential_, LcbPotential::default_repulsion_fraction, trust);
        const RelaxResult r = relaxer_.relax(t.cluster, lcb, relax_);
        t.predictions = r.evaluations + 1;
        // A relaxation on the model that ran out of steps, or stopped where sigma passes the
        // limit (the LCB surface is NaN there; the last point inside is kept), is still a
        // candidate; one that blew up or fell apart on the model is not.
        if (r.status != RelaxStatus::converged && r.status != RelaxStatus::max_steps &&
            !(r.status == RelaxStatus::non_finite && r.steps > 0)) {
            t.dropped = fmt::format("surrogate relaxation {}", to_string(r.status));
            t.reason = "surrogate_failed";
            return;
        }
        const Prediction p = surrogate_->predict(t.cluster);
        t.mean = p.energy;
        t.sigma = p.sigma();
        t.lcb = t.mean - kappa * t.sigma;
        if (!std::isfinite(t.lcb)) {
            t.dropped = "non-finite prediction";
            t.reason = "surrogate_failed";
        } else if (find_overlap(t.cluster, potential_, overlap_fraction)) {
            t.dropped = "overlapping atoms on the surrogate";
            t.reason = "overlapping";
        } else if (t.sigma > settings_.sigma_limit(t.cluster.size())) {
            t.dropped = fmt::format("sigma {:.4g} eV above max_sigma", t.sigma);
            t.reason = "uncertain";
        } else {
            t.fingerprint = structural_fingerprint(t.cluster);
        }
    });
    for (const Trial& t : trials) predictions_ += t.predictions;

    // Rank by E_LCB (ties: candidate order), then drop what the reference has seen or what
    // repeats a higher-ranked candidate, and take the best `verify`.
    std::vector<std::size_t> order;
    for (std::size_t k = 0; k < trials.size(); ++k)
        if (trials[k].dropped.empty()) order.push_back(k);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return trials[a].lcb < trials[b].lcb; });
    const double tolerance = settings_.duplicate_tolerance;
    const auto seen = [&](const std::vector<double>& print, const std::vector<std::size_t>& kept) {
        for (const auto& v : verified_prints_)
            if (fingerprint_distance(print, v) < tolerance) return std::string("duplicate of a verified structure");
        for (const std::size_t k : kept)
            if (fingerprint_distance(print, trials[k].fingerprint) < tolerance)
                return std::string("duplicate of a better-ranked candidate");
        return std::string();
    };
    std::vector<std::size_t> kept;
    for (const std::size_t k : order) {
        trials[k].dropped = seen(trials[k].fingerprint, kept);
        if (trials[k].dropped.empty()) kept.push_back(k);
        else trials[k].reason = "duplicate";
    }
    std::vector<std::size_t> chosen(kept.begin(), kept.begin() + std::min<std::ptrdiff_t>(settings_.verify, kept.size()));
    for (std::size_t r = chosen.size(); r < kept.size(); ++r) {
        trials[kept[r]].dropped = fmt::format("ranked {} of {}", r + 1, kept.size());
        trials[kept[r]].reason = "ranked_lower";
    }
    // Nothing left: verify the first `verify` candidates as the driver proposed them (plain
    // behaviour for this batch), so the search moves and the model gets data where it lacks it.
    bool fallback = false;
    if (chosen.empty() && !trials.empty()) {
        for (std::size_t k = 0; k < trials.size() && chosen.size() < static_cast<std::size_t>(settings_.verify); ++k)
            chosen.push_back(k);
        fallback = true;
    }

    // One reference batch: the candidates that are not screened and the chosen ones, in
    // candidate order.
    std::vector<int> role(batch.size(), -2);  // -2 not screened, -1 screened out, k >= 0 trial k verified
    for (const std::size_t i : screened) role[i] = -1;
    for (const std::size_t k : chosen) role[screened[k]] = static_cast<int>(k);
    std::vector<Candidate> to_reference;
    std::vector<std::size_t> reference_index;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (role[i] == -1) continue;
        Candidate c = batch[i];
        c.snapshots = std::max(c.snapshots, settings_.snapshots);
        if (role[i] >= 0 && !fallback) {
            c.cluster = trials[static_cast<std::size_t>(role[i])].cluster;
            if (settings_.verification == Verification::single_point) c.action = CandidateAction::single_point;
            if (settings_.verification == Verification::steps) c.max_relax_steps = settings_.verification_steps;
        }
        to_reference.push_back(std::move(c));
        reference_index.push_back(i);
    }
    // Candidates a driver chose on the trial surface (a homotop walk on the model) reach the
    // reference as they are; the model's prediction there is recorded beside the answer.
    std::vector<std::size_t> chosen_on_surface;
    for (std::size_t j = 0; j < reference_index.size(); ++j)
        if (role[reference_index[j]] == -2 && batch[reference_index[j]].surrogate_predictions > 0) chosen_on_surface.push_back(j);
    std::vector<Prediction> surface_predictions(chosen_on_surface.size());
    parallel_for(static_cast<std::int64_t>(chosen_on_surface.size()), threads_, [&](std::int64_t k) {
        surface_predictions[static_cast<std::size_t>(k)] = surrogate_->predict(to_reference[chosen_on_surface[static_cast<std::size_t>(k)]].cluster);
    });
    predictions_ += static_cast<long>(chosen_on_surface.size());
    std::vector<Evaluation> verified = reference_->evaluate(to_reference);
    for (std::size_t k = 0; k < chosen_on_surface.size(); ++k)
        record_prediction(verified[chosen_on_surface[k]], surface_predictions[k].energy, surface_predictions[k].sigma());
    learn(verified);

    std::vector<Evaluation> results(batch.size());
    for (std::size_t j = 0; j < reference_index.size(); ++j) {
        const std::size_t i = reference_index[j];
        Evaluation& r = verified[j];
        if (role[i] >= 0 && !fallback) {
            const Trial& t = trials[static_cast<std::size_t>(role[i])];
            record_prediction(r, t.mean, t.sigma);
        }
        r.snapshots.clear();
        results[i] = std::move(r);
    }
    for (std::size_t k = 0; k < screened.size(); ++k) {
        const std::size_t i = screened[k];
        if (role[i] >= 0) continue;
        const Trial& t = trials[k];
        Evaluation& r = results[i];
        r.cluster = t.cluster;
        r.status = EvaluationStatus::screened;
        r.message = t.dropped;
        r.predicted_energy = t.mean;
        r.predicted_sigma = t.sigma;
        ++screened_;
        ++dropped_[t.reason];
    }
    return results;
}

void ScreeningEvaluator::record_prediction(Evaluation& result, double mean, double sigma) {
    result.predicted_energy = mean;
    result.predicted_sigma = sigma;
    if (std::isfinite(result.start_energy)) {
        error_sum_ += std::abs(mean - result.start_energy);
        ++error_count_;
    }
}

void ScreeningEvaluator::learn(std::span<const Evaluation> results) {
    for (const Evaluation& r : results) {
        if (r.snapshots.empty()) continue;
        for (const Sample& s : r.snapshots) pool_.push_back(s);
        // The structure the reference started from and the one it ended at: a later
        // surrogate minimum at either is not worth another reference call.
        verified_structures_.push_back(r.snapshots.front().cluster);
        verified_prints_.push_back(structural_fingerprint(verified_structures_.back()));
        if (r.snapshots.size() > 1) {
            verified_structures_.push_back(r.cluster);
            verified_prints_.push_back(structural_fingerprint(r.cluster));
        }
        ++verified_;
        ++since_retrain_;
    }
    if (!surrogate_->ready()) {
        if (verified_ + inherited_ >= settings_.initial_design && pool_.size() >= 2) retrain(true);
    } else if (since_retrain_ >= settings_.retrain_every) {
        retrain(retrains_ % settings_.optimize_every == 0);
    }
}

void ScreeningEvaluator::retrain(bool full) {
    since_retrain_ = 0;
    ++retrains_;
    try {
        if (!full && surrogate_->ready()) {
            surrogate_->update(std::span<const Sample>(pool_).subspan(trained_count_));
        } else if (pool_.size() <= static_cast<std::size_t>(settings_.max_training)) {
            surrogate_->fit(pool_);
        } else {
            SelectionOptions options;
            options.method = settings_.selection;
            options.count = static_cast<std::size_t>(settings_.max_training);
            options.seed = settings_.seed + static_cast<std::uint64_t>(retrains_);
            options.threads = threads_;
            const auto picked = select_training_set(pool_, options, &surrogate_->descriptor(), nullptr);
            std::vector<Sample> training;
            training.reserve(picked.size());
            for (const std::size_t i : picked) training.push_back(pool_[i]);
            surrogate_->fit(training);
        }
        trained_count_ = pool_.size();
    } catch (const InputError&) {
        throw;
    } catch (const Error& e) {
        // An ill-conditioned fit keeps the previous model (or plain behaviour if there is
        // none); more data usually cures it.
        ++failed_fits_;
        last_fit_error_ = e.what();
    }
}

nlohmann::json ScreeningEvaluator::identity() const {
    nlohmann::json screening = {{"kappa", settings_.kappa},
                                {"kappa_final", settings_.kappa_final},
                                {"kappa_decay", settings_.kappa_decay},
                                {"verify", settings_.verify},
                                {"verification", to_string(settings_.verification)},
                                {"verification_steps", settings_.verification_steps},
                                {"max_sigma", settings_.max_sigma},
                                {"initial_design", settings_.initial_design},
                                {"retrain_every", settings_.retrain_every},
                                {"optimize_every", settings_.optimize_every},
                                {"max_training", settings_.max_training},
                                {"selection", settings_.selection},
                                {"snapshots", settings_.snapshots},
                                {"surrogate_fmax", settings_.surrogate_fmax},
                                {"surrogate_max_steps", settings_.surrogate_max_steps},
                                {"duplicate_tolerance", settings_.duplicate_tolerance}};
    return {{"reference", reference_->identity()},
            {"screening", std::move(screening)},
            {"surrogate", parameter_value_to_json(surrogate_table_.value()).dump()}};
}

nlohmann::json ScreeningEvaluator::save_state() const {
    nlohmann::json pool = nlohmann::json::array();
    for (const Sample& s : pool_) pool.push_back(sample_to_json(s));
    nlohmann::json structures = nlohmann::json::array();
    for (const Cluster& c : verified_structures_) structures.push_back(cluster_to_json(c));
    nlohmann::json model = nullptr;
    if (surrogate_->ready()) {
        std::ostringstream state;
        surrogate_->save_state(state);
        model = {{"settings", parameter_value_to_json(surrogate_->settings().value())}, {"state", state.str()}};
    }
    return {{"reference", reference_->save_state()},
            {"pool", std::move(pool)},
            {"verified_structures", std::move(structures)},
            {"verified", verified_},
            {"inherited", inherited_},
            {"since_retrain", since_retrain_},
            {"retrains", retrains_},
            {"trained_count", trained_count_},
            {"predictions", predictions_},
            {"screened", screened_},
            {"error_count", error_count_},
            {"error_sum", real_to_json(error_sum_)},
            {"failed_fits", failed_fits_},
            {"dropped", dropped_},
            {"model", std::move(model)}};
}

void ScreeningEvaluator::load_state(const nlohmann::json& state) {
    reference_->load_state(state.at("reference"));
    pool_.clear();
    for (const auto& s : state.at("pool")) pool_.push_back(sample_from_json(s));
    verified_structures_.clear();
    verified_prints_.clear();
    for (const auto& c : state.at("verified_structures")) {
        verified_structures_.push_back(cluster_from_json(c));
        verified_prints_.push_back(structural_fingerprint(verified_structures_.back()));
    }
    verified_ = state.at("verified").get<long>();
    inherited_ = state.value("inherited", 0L);  // absent in checkpoints of versions before sharing
    if (inherited_ < 0 || static_cast<std::size_t>(inherited_) > pool_.size())
        throw InputError("the screening state inherited more samples than it holds");
    since_retrain_ = state.at("since_retrain").get<long>();
    retrains_ = state.at("retrains").get<long>();
    trained_count_ = static_cast<std::size_t>(json_to_unsigned(state.at("trained_count"), "trained_count"));
    predictions_ = state.at("predictions").get<long>();
    screened_ = state.at("screened").get<long>();
    error_count_ = state.at("error_count").get<long>();
    error_sum_ = real_from_json(state.at("error_sum"));
    failed_fits_ = state.at("failed_fits").get<long>();
    dropped_ = state.at("dropped").get<std::map<std::string, long>>();
    if (trained_count_ > pool_.size()) throw InputError("the screening state trained on more samples than it holds");
    const auto& model = state.at("model");
    if (model.is_null()) {
        surrogate_ = create_surrogate(surrogate_table_, species_);
        return;
    }
    auto restored = create_surrogate(ParameterTable(parameter_value_from_json(model.at("settings")), "surrogate"), species_);
    std::istringstream in(model.at("state").get<std::string>());
    restored->load_state(in, "checkpoint surrogate");
    surrogate_ = std::move(restored);
}

nlohmann::json ScreeningEvaluator::report() const {
    nlohmann::json j;
    j["training_set_size"] = surrogate_->training_size();
    j["training_pool_size"] = pool_.size();
    j["training_inherited"] = inherited_;
    j["retrain_count"] = retrains_;
    j["failed_fits"] = failed_fits_;
    if (!last_fit_error_.empty()) j["last_fit_error"] = last_fit_error_;
    j["verified_candidates"] = verified_;
    j["screened_candidates"] = screened_;
    j["screened_because"] = dropped_;
    const double mae = mean_absolute_error();
    j["screening_error_mae"] = std::isfinite(mae) ? nlohmann::json(mae) : nlohmann::json(nullptr);
    j["surrogate"] = surrogate_->description();
    return j;
}

std::unique_ptr<Evaluator> make_screening_evaluator(std::unique_ptr<Evaluator> reference, const ParameterTable& surrogate,
                                                    const ScreeningSettings& screening,
                                                    const std::vector<Species>& species, const Potential& potential,
                                                    const Relaxer& relaxer, const RelaxOptions& relax, int threads) {
    auto model = create_surrogate(surrogate, species);
    auto evaluator = std::make_unique<ScreeningEvaluator>(std::move(reference), std::move(model), species, potential, relaxer,
                                                          relax, screening, threads);
    return evaluator;
}

}  // namespace nanoscape
