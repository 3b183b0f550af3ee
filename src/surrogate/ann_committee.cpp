#include "nanoscape/surrogate/ann_committee.hpp"

#include <algorithm>
#include <cmath>
#include <istream>
#include <limits>
#include <optional>
#include <ostream>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <omp.h>

#include "ann_network.hpp"
#include "nanoscape/core/error.hpp"
#include "nanoscape/core/parallel.hpp"
#include "nanoscape/core/rng.hpp"
#include "nanoscape/surrogate/state_io.hpp"
#include "nanoscape/surrogate/training.hpp"

namespace nanoscape {

using ann_detail::Activation;
using ann_detail::Derivatives;
using ann_detail::Mlp;
using ann_detail::Pass;
using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::RowVectorXd;
using Eigen::VectorXd;

namespace {

constexpr double adam_beta1 = 0.9;
constexpr double adam_beta2 = 0.999;
constexpr double adam_epsilon = 1e-8;

// Random streams: member m of training round r (0 = fit, 1, 2, ... = updates) draws from
// make_stream(seed, r << 32 | m); the validation split of round r from stream r << 32 | 2^32-1.
std::uint64_t member_stream(int round, int member) {
    return (static_cast<std::uint64_t>(round) << 32) | static_cast<std::uint64_t>(member);
}
std::uint64_t split_stream(int round) { return (static_cast<std::uint64_t>(round) << 32) | 0xFFFFFFFFULL; }

const std::vector<std::string>& activation_names() {
    static const std::vector<std::string> names{"tanh", "shifted_softplus"};
    return names;
}

Activation parse_activation(const std::string& name) {
    return name == "shifted_softplus" ? Activation::shifted_softplus : Activation::tanh;
}

const std::vector<std::string>& own_keys() {
    static const std::vector<std::string> keys{"hidden",
                                               "activation",
                                               "members",
                                               "epochs",
                                               "update_epochs",
                                               "learning_rate",
                                               "learning_rate_decay",
                                               "min_steps",
                                               "batch_size",
                                               "patience",
                                               "validation_fraction",
                                               "force_weight",
                                               "bootstrap"};
    return keys;
}

// The first invalid setting as {key, message}, or nothing.
std::optional<std::pair<std::string, std::string>> check_settings(const AnnSettings& s) {
    using Problem = std::pair<std::string, std::string>;
    if (s.hidden.size() > 8) return Problem{"hidden", fmt::format("at most 8 hidden layers (got {})", s.hidden.size())};
    for (int h : s.hidden)
        if (h < 1 || h > 4096)
            return Problem{"hidden", fmt::format("layer widths must be integers in 1..4096 (got {})", h)};
    if (std::find(activation_names().begin(), activation_names().end(), s.activation) == activation_names().end())
        return Problem{"activation", fmt::format("unknown activation '{}'{}; valid: {}", s.activation,
                                                 did_you_mean(s.activation, activation_names()),
                                                 fmt::join(activation_names(), ", "))};
    if (s.members < 1 || s.members > 1024)
        return Problem{"members", fmt::format("must be an integer in 1..1024 (got {})", s.members)};
    if (s.epochs < 1) return Problem{"epochs", fmt::format("must be >= 1 (got {})", s.epochs)};
    if (s.update_epochs < 1) return Problem{"update_epochs", fmt::format("must be >= 1 (got {})", s.update_epochs)};
    if (!(s.learning_rate > 0 && s.learning_rate < 1))
        return Problem{"learning_rate", fmt::format("must be in (0, 1) (got {})", s.learning_rate)};
    if (!(s.learning_rate_decay > 0 && s.learning_rate_decay <= 1))
        return Problem{"learning_rate_decay", fmt::format("must be in (0, 1] (got {})", s.learning_rate_decay)};
    if (s.min_steps < 0) return Problem{"min_steps", fmt::format("must be >= 0 (got {})", s.min_steps)};
    if (s.batch_size < 1) return Problem{"batch_size", fmt::format("must be >= 1 (got {})", s.batch_size)};
    if (!(s.validation_fraction >= 0 && s.validation_fraction < 1))
        return Problem{"validation_fraction", fmt::format("must be in [0, 1) (got {})", s.validation_fraction)};
    if (s.patience < 1) return Problem{"patience", fmt::format("must be >= 1 (got {})", s.patience)};
    if (!(s.force_weight >= 0) || !std::isfinite(s.force_weight))
        return Problem{"force_weight", fmt::format("must be >= 0 (got {})", s.force_weight)};
    return std::nullopt;
}

// Index of z in the sorted species list.
Index species_index(const std::vector<Species>& species, Species z) {
    return static_cast<Index>(std::lower_bound(species.begin(), species.end(), z) - species.begin());
}

// Structures held out of n for validation.
std::size_t validation_count(std::size_t n, double fraction) {
    if (n < 2 || fraction <= 0) return 0;
    const auto v = static_cast<std::size_t>(std::llround(fraction * static_cast<double>(n)));
    return std::min(v, n - 1);
}

// Mean and unbiased variance 1/(M-1) sum_m (E_m - E)^2 of the members' energies (0 for M = 1).
std::pair<double, double> committee_moments(const std::vector<double>& energies) {
    const auto m = static_cast<double>(energies.size());
    double mean = 0.0;
    for (double e : energies) mean += e;
    mean /= m;
    double var = 0.0;
    for (double e : energies) var += (e - mean) * (e - mean);
    return {mean, energies.size() > 1 ? var / (m - 1.0) : 0.0};
}

// Environments of the training structures, standardised and stacked per centre species.
struct TrainingData {
    Index n_species = 0;
    Index n_features = 0;
    std::vector<MatrixXd> x;           // per species: F x (environments of that species)
    std::vector<Index> offset, count;  // [k * S + s]: first column and number of columns of structure k
    std::vector<double> atoms;         // N_k
    std::vector<double> target;        // E_k - sum_Z n_Z e_Z, eV
    // Force loss (empty unless force_weight > 0): per structure, nullptr if it has no forces.
    std::vector<const std::vector<DescriptorJacobian>*> jacobians;
    std::vector<const Eigen::Matrix3Xd*> forces;
    std::vector<std::vector<Index>> atom_species;  // per structure and atom
    std::vector<std::vector<Index>> atom_column;   // column within the structure's block of that species
    MatrixXd inv_std;                              // F x S
    double scale = 1.0;                            // s, eV
    double force_weight = 0.0;                     // w_F, Angstrom^2
};

// Buffers of one evaluation; one per thread.
struct Workspace {
    explicit Workspace(Index n_species)
        : x(static_cast<std::size_t>(n_species)),
          g(static_cast<std::size_t>(n_species)),
          v(static_cast<std::size_t>(n_species)),
          pass(static_cast<std::size_t>(n_species)),
          out_bar(static_cast<std::size_t>(n_species)),
          owner(static_cast<std::size_t>(n_species)) {}
    std::vector<MatrixXd> x, g, v;
    std::vector<Pass> pass;
    std::vector<RowVectorXd> out_bar;
    std::vector<std::vector<Index>> owner;  // per species: batch structure of each column
    std::vector<Index> start;               // [b * S + s]: first column of batch structure b
    VectorXd energy;                        // per batch structure, eV
    MatrixXd weights;
    Eigen::Matrix3Xd gradient;
    Eigen::VectorXd stacked;
};

struct Loss {
    double energy = 0.0;  // sum_b ((E_b - E_b^ref) / N_b)^2, eV^2/atom^2
    double force = 0.0;   // sum_b w_F / (3 N_b) sum_i |dF_i|^2, eV^2/atom^2
    [[nodiscard]] double total(std::size_t count) const {
        return count ? (energy + force) / static_cast<double>(count) : 0.0;
    }
};

// The loss of the committee member with parameters `params` (all species' networks, one after
// the other, `per_species` each) on the structures `ids`. With `gradient`, adds dL/dparams of
// the batch-mean loss; with `energies`, writes the predicted E_k - sum_Z n_Z e_Z (eV).
Loss evaluate(const Mlp& mlp, Index per_species, const TrainingData& data, const double* params,
              std::span<const Index> ids, double* gradient, Workspace& ws, VectorXd* energies) {
    const Index ns = data.n_species;
    const auto nb = static_cast<Index>(ids.size());
    const bool forces = data.force_weight > 0 && !data.jacobians.empty();
    const bool tangent = forces && gradient != nullptr;
    const double inv_b = 1.0 / static_cast<double>(std::max<Index>(nb, 1));
    ws.start.assign(static_cast<std::size_t>(nb * ns), 0);
    ws.energy.setZero(nb);

    // Gather the batch's environments per species and run every network once.
    for (Index s = 0; s < ns; ++s) {
        const auto su = static_cast<std::size_t>(s);
        Index n = 0;
        for (Index b = 0; b < nb; ++b) {
            ws.start[static_cast<std::size_t>(b * ns + s)] = n;
            n += data.count[static_cast<std::size_t>(ids[static_cast<std::size_t>(b)] * ns + s)];
        }
        ws.x[su].resize(data.n_features, n);
        ws.owner[su].resize(static_cast<std::size_t>(n));
        for (Index b = 0; b < nb; ++b) {
            const auto k = static_cast<std::size_t>(ids[static_cast<std::size_t>(b)] * ns + s);
            const Index c = data.count[k], first = ws.start[static_cast<std::size_t>(b * ns + s)];
            if (c == 0) continue;
            ws.x[su].middleCols(first, c) = data.x[su].middleCols(data.offset[k], c);
            std::fill_n(ws.owner[su].begin() + first, c, b);
        }
        if (n == 0) continue;
        const double* p = params + s * per_species;
        mlp.forward(p, ws.x[su], ws.pass[su],
                    tangent              ? Derivatives::second
                    : gradient || forces ? Derivatives::first
                                         : Derivatives::none);
        const RowVectorXd& out = ws.pass[su].out;
        for (Index j = 0; j < n; ++j) ws.energy(ws.owner[su][static_cast<std::size_t>(j)]) += data.scale * out(j);
    }

    Loss loss;
    VectorXd energy_bar(nb);  // dL/dE_b
    for (Index b = 0; b < nb; ++b) {
        const auto k = static_cast<std::size_t>(ids[static_cast<std::size_t>(b)]);
        const double r = (ws.energy(b) - data.target[k]) / data.atoms[k];
        loss.energy += r * r;
        energy_bar(b) = 2.0 * r / data.atoms[k] * inv_b;
    }
    if (energies) *energies = ws.energy;

    if (forces) {
        // dE/dG of every environment (raw feature units): s dNN/du / sd.
        for (Index s = 0; s < ns; ++s) {
            const auto su = static_cast<std::size_t>(s);
            if (ws.x[su].cols() == 0) continue;
            mlp.input_gradient(params + s * per_species, ws.pass[su], ws.g[su]);
            ws.g[su] = (data.scale * ws.g[su]).array().colwise() * data.inv_std.col(s).array();
            if (tangent) ws.v[su].setZero(data.n_features, ws.x[su].cols());
        }
        for (Index b = 0; b < nb; ++b) {
            const auto k = static_cast<std::size_t>(ids[static_cast<std::size_t>(b)]);
            const auto* jac = data.jacobians[k];
            if (!jac) continue;
            const auto n_atoms = static_cast<Index>(data.atoms[k]);
            ws.weights.resize(data.n_features, n_atoms);
            const auto column = [&](Index i) {
                const auto iu = static_cast<std::size_t>(i);
                const Index s = data.atom_species[k][iu];
                return std::pair{s, ws.start[static_cast<std::size_t>(b * ns + s)] + data.atom_column[k][iu]};
            };
            for (Index i = 0; i < n_atoms; ++i) {
                const auto [s, c] = column(i);
                ws.weights.col(i) = ws.g[static_cast<std::size_t>(s)].col(c);
            }
            ws.gradient.setZero(3, n_atoms);
            backpropagate(*jac, ws.weights, ws.gradient);  // dE/dx
            const Eigen::Matrix3Xd diff = -ws.gradient - *data.forces[k];
            const double w = data.force_weight / (3.0 * static_cast<double>(n_atoms));
            loss.force += w * diff.squaredNorm();
            if (!tangent) continue;
            // dL/d(dE/dG_i) = -J_i r with r = dL/dF; mapped back to the network's input units.
            const Eigen::Matrix3Xd r = (2.0 * w * inv_b) * diff;
            for (Index i = 0; i < n_atoms; ++i) {
                const auto& ji = (*jac)[static_cast<std::size_t>(i)];
                ws.stacked.resize(3 * static_cast<Index>(ji.atoms.size()));
                for (std::size_t a = 0; a < ji.atoms.size(); ++a)
                    ws.stacked.segment<3>(3 * static_cast<Index>(a)) = r.col(static_cast<Index>(ji.atoms[a]));
                const auto [s, c] = column(i);
                ws.v[static_cast<std::size_t>(s)].col(c) =
                    -data.scale * (ji.values * ws.stacked).cwiseProduct(data.inv_std.col(s));
            }
        }
    }

    if (gradient) {
        for (Index s = 0; s < ns; ++s) {
            const auto su = static_cast<std::size_t>(s);
            const Index n = ws.x[su].cols();
            if (n == 0) continue;
            RowVectorXd& out_bar = ws.out_bar[su];
            out_bar.resize(n);
            for (Index j = 0; j < n; ++j)
                out_bar(j) = data.scale * energy_bar(ws.owner[su][static_cast<std::size_t>(j)]);
            const double* p = params + s * per_species;
            if (tangent) mlp.tangent(p, ws.v[su], ws.pass[su]);
            mlp.backward(p, ws.x[su], ws.pass[su], out_bar, tangent ? &ws.v[su] : nullptr, gradient + s * per_species);
        }
    }
    return loss;
}

// Outcome of training one member.
struct MemberResult {
    double best_rmse = 0.0;        // validation energy RMSE, eV/atom
    VectorXd validation_energies;  // predicted E - sum_Z n_Z e_Z of the validation structures, eV
};

// The optimisation schedule of one training round.
struct Schedule {
    int epochs = 1;            // passes over the member's training structures
    double rate_first = 1e-3;  // Adam step size of the first epoch
    double rate_last = 1e-3;   // ... and of the last (exponential decay in between)
    int patience = 1;          // epochs without improvement before stopping
    int batch_size = 16;       // structures per minibatch
    bool bootstrap = true;     // resample the training structures
};

// Adam on minibatches of the member's (resampled) training structures. Early stopping watches
// the member's out-of-bag structures when it trains on a bootstrap resample (so the shared
// validation structures stay untouched by model selection and calibrate the variance without
// bias), else the validation structures; the parameters of the best epoch are kept.
void train_member(const Mlp& mlp, Index per_species, const TrainingData& data, std::span<const Index> train_ids,
                  std::span<const Index> validation_ids, const Schedule& schedule, bool warm_start, Rng& rng,
                  VectorXd& params, MemberResult& result) {
    const std::size_t n = train_ids.size();
    std::vector<Index> order(train_ids.begin(), train_ids.end());
    std::vector<Index> watched(validation_ids.begin(), validation_ids.end());
    if (schedule.bootstrap) {
        std::vector<char> drawn(n, 0);
        for (auto& k : order) {
            const auto j = static_cast<std::size_t>(rng.below(n));
            k = train_ids[j];
            drawn[j] = 1;
        }
        std::vector<Index> out_of_bag;
        for (std::size_t j = 0; j < n; ++j)
            if (!drawn[j]) out_of_bag.push_back(train_ids[j]);
        if (!out_of_bag.empty()) watched = std::move(out_of_bag);
    }
    Workspace ws(data.n_species);
    const Index np = params.size();
    VectorXd gradient(np), moment1 = VectorXd::Zero(np), moment2 = VectorXd::Zero(np);
    VectorXd best = params;
    const bool stop_early = !watched.empty();
    const auto watched_loss = [&] {
        return evaluate(mlp, per_species, data, params.data(), watched, nullptr, ws, nullptr).total(watched.size());
    };
    double best_loss = stop_early && warm_start ? watched_loss() : std::numeric_limits<double>::infinity();
    int best_epoch = -1;
    long step = 0;
    for (int epoch = 0; epoch < schedule.epochs; ++epoch) {
        const double progress = schedule.epochs > 1 ? epoch / static_cast<double>(schedule.epochs - 1) : 0.0;
        const double rate = schedule.rate_first * std::pow(schedule.rate_last / schedule.rate_first, progress);
        for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[static_cast<std::size_t>(rng.below(i))]);
        for (std::size_t first = 0; first < n; first += static_cast<std::size_t>(schedule.batch_size)) {
            const std::size_t count = std::min(n - first, static_cast<std::size_t>(schedule.batch_size));
            gradient.setZero();
            const Loss loss =
                evaluate(mlp, per_species, data, params.data(), std::span<const Index>(order).subspan(first, count),
                         gradient.data(), ws, nullptr);
            if (!std::isfinite(loss.total(count)) || !gradient.allFinite())
                throw Error(
                    fmt::format("training diverged at epoch {} (non-finite loss or gradient); lower "
                                "learning_rate (now {})",
                                epoch + 1, schedule.rate_first));
            ++step;
            moment1 = adam_beta1 * moment1 + (1.0 - adam_beta1) * gradient;
            moment2 = adam_beta2 * moment2 + (1.0 - adam_beta2) * gradient.cwiseAbs2();
            const double c1 = 1.0 - std::pow(adam_beta1, static_cast<double>(step));
            const double c2 = 1.0 - std::pow(adam_beta2, static_cast<double>(step));
            params.array() -= rate * (moment1.array() / c1) / ((moment2.array() / c2).sqrt() + adam_epsilon);
        }
        if (!stop_early) continue;
        const double loss = watched_loss();
        if (loss < best_loss) {
            best_loss = loss;
            best = params;
            best_epoch = epoch;
        } else if (epoch - best_epoch >= schedule.patience) {
            break;
        }
    }
    if (stop_early) params = best;
    if (!validation_ids.empty()) {
        VectorXd energies;
        const Loss loss = evaluate(mlp, per_species, data, params.data(), validation_ids, nullptr, ws, &energies);
        result.best_rmse = std::sqrt(loss.energy / static_cast<double>(validation_ids.size()));
        result.validation_energies = std::move(energies);
    }
}

}  // namespace

// ---------------------------------------------------------------------------------------------

struct AnnCommittee::Model {
    Mlp mlp;
    Index per_species = 0;          // parameters of one species' network
    std::vector<VectorXd> members;  // all species' networks of each member
    MatrixXd mean;                  // F x S, feature means
    MatrixXd std;                   // F x S, feature standard deviations
    MatrixXd inv_std;               // 1 / std
    VectorXd element_energies;      // e_Z, eV
    double scale = 1.0;             // s, eV
    double calibration = 1.0;       // alpha^2
    int round = 0;                  // training rounds after fit() (updates)
    std::vector<double> validation_rmse;
};

struct AnnCommittee::FeatureCache {
    std::vector<MatrixXd> features;                          // per training structure, F x N
    std::vector<std::vector<DescriptorJacobian>> jacobians;  // per structure (empty: none)
};

AnnCommittee::AnnCommittee(AnnSettings settings, std::unique_ptr<Descriptor> descriptor, ParameterTable common)
    : settings_(std::move(settings)), descriptor_(std::move(descriptor)), common_(std::move(common)) {
    if (!descriptor_) throw InputError("ann_committee: no descriptor");
    if (const auto problem = check_settings(settings_))
        throw InputError(fmt::format("ann_committee: key '{}': {}", problem->first, problem->second));
}

AnnCommittee::~AnnCommittee() = default;

bool AnnCommittee::ready() const { return model_ != nullptr; }

double AnnCommittee::calibration() const { return model_ ? model_->calibration : 1.0; }

std::vector<double> AnnCommittee::validation_rmse() const {
    return model_ ? model_->validation_rmse : std::vector<double>{};
}

std::size_t AnnCommittee::validation_size() const {
    return static_cast<std::size_t>(std::count(validation_.begin(), validation_.end(), 1));
}

std::string AnnCommittee::description() const {
    const std::string layers = fmt::format("{}-{}{}1", descriptor_->size(), fmt::join(settings_.hidden, "-"),
                                           settings_.hidden.empty() ? "" : "-");
    std::string text =
        fmt::format("ann_committee: {} x {} {} networks per element ({}) on {}", settings_.members, layers,
                    settings_.activation, join_symbols(descriptor_->species(), ", "), descriptor_->description());
    if (!model_) return text + "; untrained";
    double rmse = 0.0;
    for (double r : model_->validation_rmse) rmse += r / static_cast<double>(model_->validation_rmse.size());
    return fmt::format("{}; {} structures ({} validation), calibration {:.3g}, member validation RMSE {:.2f} meV/atom",
                       text, training_.size(), validation_size(), model_->calibration, 1e3 * rmse);
}

ParameterTable AnnCommittee::settings() const {
    ParameterTable table(common_.name().empty() ? std::string("surrogate") : common_.name());
    table.set("type", ParameterValue::of("ann_committee"));
    table.set("descriptor", descriptor_->settings().value());
    for (const auto& key : common_.keys())
        if (key != "type" && key != "descriptor" && key != "seed") table.set(key, *common_.find(key));
    table.set("seed", ParameterValue::of(static_cast<std::int64_t>(settings_.seed)));
    ParameterValue hidden;
    hidden.kind = ParameterValue::Kind::array;
    for (int h : settings_.hidden) hidden.array.push_back(ParameterValue::of(h));
    table.set("hidden", hidden);
    table.set("activation", ParameterValue::of(settings_.activation));
    table.set("members", ParameterValue::of(settings_.members));
    table.set("epochs", ParameterValue::of(settings_.epochs));
    table.set("update_epochs", ParameterValue::of(settings_.update_epochs));
    table.set("learning_rate", ParameterValue::of(settings_.learning_rate));
    table.set("learning_rate_decay", ParameterValue::of(settings_.learning_rate_decay));
    table.set("min_steps", ParameterValue::of(settings_.min_steps));
    table.set("batch_size", ParameterValue::of(settings_.batch_size));
    table.set("validation_fraction", ParameterValue::of(settings_.validation_fraction));
    table.set("patience", ParameterValue::of(settings_.patience));
    table.set("force_weight", ParameterValue::of(settings_.force_weight));
    table.set("bootstrap", ParameterValue::of(settings_.bootstrap));
    return table;
}

// --- training ---------------------------------------------------------------------------------

namespace {

// check_samples() plus what the per-atom loss needs: every structure has atoms.
void check_training_samples(std::span<const Sample> samples, const std::vector<Species>& species) {
    check_samples(samples, species);
    for (std::size_t k = 0; k < samples.size(); ++k)
        if (samples[k].cluster.size() == 0) throw InputError(fmt::format("training structure {} has no atoms", k + 1));
}

// Features (and, for structures with forces when a force loss is used, Jacobians) of
// samples[first..]; OpenMP over structures, each writing only its own slot.
void compute_environments(const Descriptor& descriptor, std::span<const Sample> samples, std::size_t first,
                          bool jacobians, std::vector<MatrixXd>& features,
                          std::vector<std::vector<DescriptorJacobian>>& jacs) {
    features.resize(samples.size());
    jacs.resize(samples.size());
    const auto n = static_cast<std::int64_t>(samples.size() - first);
    parallel_for(n, ParallelOptions{0, 4, 2}, [&](std::int64_t i) {
        const auto ku = first + static_cast<std::size_t>(i);
        try {
            const bool with_jac = jacobians && samples[ku].forces.has_value();
            descriptor.compute(samples[ku].cluster, features[ku], with_jac ? &jacs[ku] : nullptr);
            if (!with_jac) jacs[ku].clear();
        } catch (const std::exception& e) {
            throw InputError(fmt::format("training structure {}: {}", ku + 1, e.what()));
        }
    });
}

}  // namespace

void AnnCommittee::fit(std::span<const Sample> samples) {
    const auto& species = descriptor_->species();
    check_training_samples(samples, species);
    std::vector<Sample> training(samples.begin(), samples.end());
    const std::size_t n = training.size();

    // Held-out structures: a random subset of fixed size, drawn once (update() extends it).
    std::vector<char> validation(n, 0);
    {
        Rng rng = make_stream(settings_.seed, split_stream(0));
        std::vector<std::size_t> order(n);
        for (std::size_t k = 0; k < n; ++k) order[k] = k;
        const std::size_t nv = validation_count(n, settings_.validation_fraction);
        for (std::size_t k = 0; k < nv; ++k) {
            std::swap(order[k], order[k + static_cast<std::size_t>(rng.below(n - k))]);
            validation[order[k]] = 1;
        }
    }

    auto cache = std::make_unique<FeatureCache>();
    compute_environments(*descriptor_, training, 0, settings_.force_weight > 0, cache->features, cache->jacobians);

    auto model = std::make_unique<Model>();
    const auto ns = static_cast<Index>(species.size());
    const auto nf = static_cast<Index>(descriptor_->size());
    std::vector<int> sizes{static_cast<int>(nf)};
    sizes.insert(sizes.end(), settings_.hidden.begin(), settings_.hidden.end());
    sizes.push_back(1);
    model->mlp = Mlp(sizes, parse_activation(settings_.activation));
    model->per_species = model->mlp.parameter_count();

    // Baseline and scales from the structures the members train on.
    std::vector<Sample> fitted;
    for (std::size_t k = 0; k < n; ++k)
        if (!validation[k]) fitted.push_back(training[k]);
    model->element_energies = fit_element_energies(fitted, species);
    double sum = 0.0, sum2 = 0.0;
    for (const auto& sample : fitted) {
        const double e = (sample.energy - element_energy_sum(sample.cluster, species, model->element_energies)) /
                         static_cast<double>(sample.cluster.size());
        sum += e;
        sum2 += e * e;
    }
    const double count = static_cast<double>(fitted.size());
    model->scale = std::max(std::sqrt(std::max(sum2 / count - (sum / count) * (sum / count), 0.0)), 1e-3);

    // Feature standardisation per centre species (two passes: mean, then spread).
    model->mean = MatrixXd::Zero(nf, ns);
    model->std = MatrixXd::Zero(nf, ns);
    VectorXd environments = VectorXd::Zero(ns);
    for (std::size_t k = 0; k < n; ++k) {
        if (validation[k]) continue;
        for (std::size_t i = 0; i < training[k].cluster.size(); ++i) {
            const Index s = species_index(species, training[k].cluster.species[i]);
            model->mean.col(s) += cache->features[k].col(static_cast<Index>(i));
            environments(s) += 1.0;
        }
    }
    for (Index s = 0; s < ns; ++s)
        if (environments(s) > 0) model->mean.col(s) /= environments(s);
    for (std::size_t k = 0; k < n; ++k) {
        if (validation[k]) continue;
        for (std::size_t i = 0; i < training[k].cluster.size(); ++i) {
            const Index s = species_index(species, training[k].cluster.species[i]);
            model->std.col(s) += (cache->features[k].col(static_cast<Index>(i)) - model->mean.col(s)).cwiseAbs2();
        }
    }
    for (Index s = 0; s < ns; ++s)
        for (Index f = 0; f < nf; ++f) {
            const double sd = environments(s) > 0 ? std::sqrt(model->std(f, s) / environments(s)) : 0.0;
            // A feature that does not vary over the training set carries no information: left
            // unscaled rather than blown up by a tiny spread.
            model->std(f, s) = sd > 1e-6 * (1.0 + std::abs(model->mean(f, s))) ? sd : 1.0;
        }
    model->inv_std = model->std.cwiseInverse();

    model->members.assign(static_cast<std::size_t>(settings_.members), VectorXd(ns * model->per_species));
    train(*model, training, validation, *cache, false);

    training_ = std::move(training);
    validation_ = std::move(validation);
    cache_ = std::move(cache);
    model_ = std::move(model);
}

void AnnCommittee::update(std::span<const Sample> samples) {
    if (!model_) {
        fit(samples);
        return;
    }
    if (samples.empty()) return;
    const auto& species = descriptor_->species();
    check_training_samples(samples, species);
    std::vector<Sample> training = training_;
    training.insert(training.end(), samples.begin(), samples.end());
    const std::size_t old = training_.size(), n = training.size();
    auto model = std::make_unique<Model>(*model_);
    ++model->round;

    // Hold out new structures until the validation fraction of the whole set is restored.
    std::vector<char> validation = validation_;
    validation.resize(n, 0);
    {
        const std::size_t have = validation_size();
        const std::size_t want = validation_count(n, settings_.validation_fraction);
        const std::size_t add = std::min(want > have ? want - have : 0, n - old);
        Rng rng = make_stream(settings_.seed, split_stream(model->round));
        std::vector<std::size_t> order(n - old);
        for (std::size_t k = 0; k < order.size(); ++k) order[k] = old + k;
        for (std::size_t k = 0; k < add; ++k) {
            std::swap(order[k], order[k + static_cast<std::size_t>(rng.below(order.size() - k))]);
            validation[order[k]] = 1;
        }
    }

    // Features of the earlier structures are reused (recomputed after load_state()).
    auto cache = std::make_unique<FeatureCache>();
    const bool with_jac = settings_.force_weight > 0;
    std::size_t first = 0;
    if (cache_ && cache_->features.size() == old) {
        cache->features = cache_->features;
        cache->jacobians = cache_->jacobians;
        first = old;
    }
    compute_environments(*descriptor_, training, first, with_jac, cache->features, cache->jacobians);
    train(*model, training, validation, *cache, true);

    training_ = std::move(training);
    validation_ = std::move(validation);
    cache_ = std::move(cache);
    model_ = std::move(model);
}

void AnnCommittee::train(Model& model, const std::vector<Sample>& training, const std::vector<char>& validation,
                         const FeatureCache& cache, bool warm_start) const {
    const auto& species = descriptor_->species();
    const auto ns = static_cast<Index>(species.size());
    const auto nf = static_cast<Index>(descriptor_->size());
    const std::size_t n = training.size();

    TrainingData data;
    data.n_species = ns;
    data.n_features = nf;
    data.inv_std = model.inv_std;
    data.scale = model.scale;
    data.force_weight = settings_.force_weight;
    data.offset.assign(n * static_cast<std::size_t>(ns), 0);
    data.count.assign(n * static_cast<std::size_t>(ns), 0);
    data.atoms.resize(n);
    data.target.resize(n);
    std::vector<Index> total(static_cast<std::size_t>(ns), 0);
    for (std::size_t k = 0; k < n; ++k) {
        const Cluster& cluster = training[k].cluster;
        data.atoms[k] = static_cast<double>(cluster.size());
        data.target[k] = training[k].energy - element_energy_sum(cluster, species, model.element_energies);
        for (Species z : cluster.species)
            ++data.count[k * static_cast<std::size_t>(ns) + static_cast<std::size_t>(species_index(species, z))];
        for (Index s = 0; s < ns; ++s) {
            const auto ks = k * static_cast<std::size_t>(ns) + static_cast<std::size_t>(s);
            data.offset[ks] = total[static_cast<std::size_t>(s)];
            total[static_cast<std::size_t>(s)] += data.count[ks];
        }
    }
    data.x.resize(static_cast<std::size_t>(ns));
    for (Index s = 0; s < ns; ++s) data.x[static_cast<std::size_t>(s)].resize(nf, total[static_cast<std::size_t>(s)]);
    const bool forces = settings_.force_weight > 0;
    if (forces) {
        data.jacobians.assign(n, nullptr);
        data.forces.assign(n, nullptr);
        data.atom_species.resize(n);
        data.atom_column.resize(n);
    }
    for (std::size_t k = 0; k < n; ++k) {
        const Cluster& cluster = training[k].cluster;
        std::vector<Index> next(static_cast<std::size_t>(ns), 0);
        if (forces) {
            data.atom_species[k].resize(cluster.size());
            data.atom_column[k].resize(cluster.size());
            if (training[k].forces && !cache.jacobians[k].empty()) {
                data.jacobians[k] = &cache.jacobians[k];
                data.forces[k] = &*training[k].forces;
            }
        }
        for (std::size_t i = 0; i < cluster.size(); ++i) {
            const Index s = species_index(species, cluster.species[i]);
            const auto su = static_cast<std::size_t>(s);
            const Index c = next[su]++;
            data.x[su].col(data.offset[k * static_cast<std::size_t>(ns) + su] + c) =
                (cache.features[k].col(static_cast<Index>(i)) - model.mean.col(s)).cwiseProduct(model.inv_std.col(s));
            if (forces) {
                data.atom_species[k][i] = s;
                data.atom_column[k][i] = c;
            }
        }
    }

    std::vector<Index> train_ids, validation_ids;
    for (std::size_t k = 0; k < n; ++k) (validation[k] ? validation_ids : train_ids).push_back(static_cast<Index>(k));
    if (train_ids.empty()) throw InputError("ann_committee: no training structures left after the validation split");

    Schedule schedule;
    // Small training sets give few steps per epoch: the epochs (and the patience) are stretched
    // so every member takes at least min_steps Adam steps (a quarter of them in an update).
    const int epochs = warm_start ? settings_.update_epochs : settings_.epochs;
    const auto batches = static_cast<double>((train_ids.size() + static_cast<std::size_t>(settings_.batch_size) - 1) /
                                             static_cast<std::size_t>(settings_.batch_size));
    const double min_steps = warm_start ? settings_.min_steps / 4.0 : settings_.min_steps;
    const double stretch = std::max(1.0, min_steps / (batches * epochs));
    schedule.epochs = static_cast<int>(std::ceil(epochs * stretch));
    // An update continues from trained weights: it starts halfway down the decay.
    schedule.rate_first = settings_.learning_rate * (warm_start ? std::sqrt(settings_.learning_rate_decay) : 1.0);
    schedule.rate_last = settings_.learning_rate * settings_.learning_rate_decay;
    schedule.patience = static_cast<int>(std::ceil(settings_.patience * stretch));
    schedule.batch_size = settings_.batch_size;
    schedule.bootstrap = settings_.bootstrap;

    const int members = settings_.members;
    std::vector<MemberResult> results(static_cast<std::size_t>(members));
    // One member per iteration; each writes only its own parameters and result. Inside the
    // team Eigen's GEMM stays serial, so the arithmetic is the same for any thread count.
    parallel_for(members, 0, [&](std::int64_t m) {
        omp_set_num_threads(1);
        const auto mu = static_cast<std::size_t>(m);
        try {
            Rng rng = make_stream(settings_.seed, member_stream(model.round, static_cast<int>(m)));
            if (!warm_start)
                for (Index s = 0; s < ns; ++s)
                    model.mlp.initialise(model.members[mu].data() + s * model.per_species, rng);
            train_member(model.mlp, model.per_species, data, train_ids, validation_ids, schedule, warm_start, rng,
                         model.members[mu], results[mu]);
        } catch (const std::exception& e) {
            throw Error(fmt::format("ann_committee: member {}: {}", m + 1, e.what()));
        }
    });

    // Calibration on the held-out structures: alpha^2 = mean_k (E_k - E_k^ref)^2 / v_k with v_k the
    // unbiased committee variance, the maximum-likelihood scale of a Gaussian error model
    // (Musil et al., J. Chem. Theory Comput. 15, 906 (2019)). Their finite-committee correction
    // (M - 3)/(M - 1) (Imbalzano et al., J. Chem. Phys. 154, 074102 (2021)) assumes Gaussian
    // members; on cluster data the error ratios are heavy-tailed and the corrected factor left
    // the 2-sigma coverage of held-out structures well below 95 % (docs/surrogates.md).
    model.validation_rmse.clear();
    model.calibration = 1.0;
    if (validation_ids.empty()) return;
    for (const auto& r : results) model.validation_rmse.push_back(r.best_rmse);
    if (members < 2) return;
    double ratio = 0.0;
    std::size_t used = 0;
    for (std::size_t v = 0; v < validation_ids.size(); ++v) {
        std::vector<double> energies;
        for (const auto& r : results) energies.push_back(r.validation_energies(static_cast<Index>(v)));
        const auto [mean, var] = committee_moments(energies);
        const double err = mean - data.target[static_cast<std::size_t>(validation_ids[v])];
        if (var > 0) {
            ratio += err * err / var;
            ++used;
        }
    }
    if (used > 0 && std::isfinite(ratio) && ratio > 0) model.calibration = ratio / static_cast<double>(used);
}

// --- prediction -------------------------------------------------------------------------------

namespace {

struct MemberOutputs {
    std::vector<double> energies;     // residual energy of each member, eV
    std::vector<MatrixXd> gradients;  // dE_m/dG (F x N) of each member, if asked for
};

}  // namespace

Prediction AnnCommittee::predict(const Cluster& cluster, Eigen::Matrix3Xd* mean_forces,
                                 Eigen::Matrix3Xd* sigma_gradient) const {
    if (!model_) throw Error("ann_committee: predict() called before the model was trained (fit())");
    const Model& model = *model_;
    const auto& species = descriptor_->species();
    const bool gradients = mean_forces || sigma_gradient;
    MatrixXd features;
    std::vector<DescriptorJacobian> jacobians;
    descriptor_->compute(cluster, features, gradients ? &jacobians : nullptr);
    const auto ns = static_cast<Index>(species.size());
    const auto n = static_cast<Index>(cluster.size());

    std::vector<std::vector<Index>> atoms(static_cast<std::size_t>(ns));
    for (Index i = 0; i < n; ++i)
        atoms[static_cast<std::size_t>(species_index(species, cluster.species[static_cast<std::size_t>(i)]))].push_back(
            i);
    std::vector<MatrixXd> x(static_cast<std::size_t>(ns));
    for (Index s = 0; s < ns; ++s) {
        const auto& list = atoms[static_cast<std::size_t>(s)];
        MatrixXd& xs = x[static_cast<std::size_t>(s)];
        xs.resize(features.rows(), static_cast<Index>(list.size()));
        for (std::size_t j = 0; j < list.size(); ++j)
            xs.col(static_cast<Index>(j)) =
                (features.col(list[j]) - model.mean.col(s)).cwiseProduct(model.inv_std.col(s));
    }

    const int members = static_cast<int>(model.members.size());
    std::vector<double> energy(static_cast<std::size_t>(members), 0.0);
    std::vector<MatrixXd> grad(gradients ? static_cast<std::size_t>(members) : 0);
    ann_detail::run_serial_eigen([&] {
        Pass pass;
        MatrixXd g;
        for (int m = 0; m < members; ++m) {
            const auto mu = static_cast<std::size_t>(m);
            if (gradients) grad[mu].resize(features.rows(), n);
            for (Index s = 0; s < ns; ++s) {
                const auto su = static_cast<std::size_t>(s);
                if (atoms[su].empty()) continue;
                const double* p = model.members[mu].data() + s * model.per_species;
                model.mlp.forward(p, x[su], pass, gradients ? Derivatives::first : Derivatives::none);
                energy[mu] += model.scale * pass.out.sum();
                if (!gradients) continue;
                model.mlp.input_gradient(p, pass, g);
                for (std::size_t j = 0; j < atoms[su].size(); ++j)
                    grad[mu].col(atoms[su][j]) =
                        model.scale * g.col(static_cast<Index>(j)).cwiseProduct(model.inv_std.col(s));
            }
        }
    });

    const auto [mean, spread] = committee_moments(energy);
    Prediction prediction;
    prediction.energy = mean + element_energy_sum(cluster, species, model.element_energies);
    prediction.variance = model.calibration * spread;

    if (mean_forces) {
        MatrixXd weights = MatrixXd::Zero(features.rows(), n);
        for (const auto& g : grad) weights += g;
        weights /= members;
        Eigen::Matrix3Xd gradient = Eigen::Matrix3Xd::Zero(3, n);
        backpropagate(jacobians, weights, gradient);
        *mean_forces = -gradient;
    }
    if (sigma_gradient) {
        // d sigma/dx = d var/dx / (2 sigma), d var/dx = alpha^2 2/(M-1) sum_m (E_m - E) dE_m/dx
        // (the sum of the deviations is zero, so d E/dx drops out).
        *sigma_gradient = Eigen::Matrix3Xd::Zero(3, n);
        const double sigma = prediction.sigma();
        if (sigma > 0 && members > 1) {
            MatrixXd weights = MatrixXd::Zero(features.rows(), n);
            for (int m = 0; m < members; ++m)
                weights += (energy[static_cast<std::size_t>(m)] - mean) * grad[static_cast<std::size_t>(m)];
            weights *= model.calibration / ((members - 1) * sigma);
            backpropagate(jacobians, weights, *sigma_gradient);
        }
    }
    return prediction;
}

std::vector<double> AnnCommittee::member_energies(const Cluster& cluster) const {
    if (!model_) throw Error("ann_committee: member_energies() called before the model was trained (fit())");
    const Model& model = *model_;
    const auto& species = descriptor_->species();
    MatrixXd features;
    descriptor_->compute(cluster, features, nullptr);
    const auto ns = static_cast<Index>(species.size());
    std::vector<MatrixXd> x(static_cast<std::size_t>(ns));
    std::vector<Index> fill(static_cast<std::size_t>(ns), 0);
    for (Index s = 0; s < ns; ++s)
        x[static_cast<std::size_t>(s)].resize(features.rows(),
                                              static_cast<Index>(cluster.count(species[static_cast<std::size_t>(s)])));
    for (std::size_t i = 0; i < cluster.size(); ++i) {
        const Index s = species_index(species, cluster.species[i]);
        x[static_cast<std::size_t>(s)].col(fill[static_cast<std::size_t>(s)]++) =
            (features.col(static_cast<Index>(i)) - model.mean.col(s)).cwiseProduct(model.inv_std.col(s));
    }
    const double baseline = element_energy_sum(cluster, species, model.element_energies);
    std::vector<double> energies(model.members.size(), baseline);
    ann_detail::run_serial_eigen([&] {
        Pass pass;
        for (std::size_t m = 0; m < model.members.size(); ++m) {
            double e = 0.0;
            for (Index s = 0; s < ns; ++s) {
                if (x[static_cast<std::size_t>(s)].cols() == 0) continue;
                model.mlp.forward(model.members[m].data() + s * model.per_species, x[static_cast<std::size_t>(s)], pass,
                                  Derivatives::none);
                e += model.scale * pass.out.sum();
            }
            energies[m] += e;
        }
    });
    return energies;
}

// --- state ------------------------------------------------------------------------------------

void AnnCommittee::save_state(std::ostream& out) const {
    if (!model_) throw Error("ann_committee: save_state() called before the model was trained (fit())");
    const Model& model = *model_;
    const auto& species = descriptor_->species();
    const auto ns = static_cast<Index>(species.size());
    write_state_scalar(out, "ann_committee_format", 1);
    MatrixXd z(1, ns);
    for (Index s = 0; s < ns; ++s) z(0, s) = species[static_cast<std::size_t>(s)];
    write_state_matrix(out, "species", z);
    const auto& sizes = model.mlp.sizes();
    MatrixXd layers(1, static_cast<Index>(sizes.size()));
    for (std::size_t l = 0; l < sizes.size(); ++l) layers(0, static_cast<Index>(l)) = sizes[l];
    write_state_matrix(out, "layer_sizes", layers);
    write_state_scalar(out, "members", static_cast<double>(model.members.size()));
    write_state_matrix(out, "feature_mean", model.mean);
    write_state_matrix(out, "feature_std", model.std);
    write_state_matrix(out, "element_energies", model.element_energies);
    write_state_scalar(out, "energy_scale", model.scale);
    write_state_scalar(out, "calibration", model.calibration);
    write_state_scalar(out, "updates", model.round);
    write_state_matrix(
        out, "validation_rmse",
        Eigen::Map<const VectorXd>(model.validation_rmse.data(), static_cast<Index>(model.validation_rmse.size())));
    for (std::size_t m = 0; m < model.members.size(); ++m)
        for (Index s = 0; s < ns; ++s) {
            const double* p = model.members[m].data() + s * model.per_species;
            for (int l = 0; l < model.mlp.layers(); ++l) {
                const std::string prefix =
                    fmt::format("member{}_{}_layer{}", m + 1, symbol(species[static_cast<std::size_t>(s)]), l + 1);
                write_state_matrix(
                    out, prefix + "_weights",
                    Eigen::Map<const MatrixXd>(p + model.mlp.weight_offset(l), model.mlp.rows(l), model.mlp.cols(l)));
                write_state_matrix(out, prefix + "_bias",
                                   Eigen::Map<const VectorXd>(p + model.mlp.bias_offset(l), model.mlp.rows(l)));
            }
        }

    // Training data, so update() can continue after a restart.
    const auto n = static_cast<Index>(training_.size());
    Index atoms = 0, force_atoms = 0;
    for (const auto& sample : training_) {
        atoms += static_cast<Index>(sample.cluster.size());
        if (sample.forces) force_atoms += static_cast<Index>(sample.cluster.size());
    }
    MatrixXd info(n, 4), positions(atoms, 4), forces(force_atoms, 3);
    Index row = 0, frow = 0;
    for (Index k = 0; k < n; ++k) {
        const Sample& sample = training_[static_cast<std::size_t>(k)];
        info(k, 0) = static_cast<double>(sample.cluster.size());
        info(k, 1) = sample.energy;
        info(k, 2) = validation_[static_cast<std::size_t>(k)];
        info(k, 3) = sample.forces ? 1.0 : 0.0;
        for (std::size_t i = 0; i < sample.cluster.size(); ++i, ++row) {
            positions(row, 0) = sample.cluster.species[i];
            positions.row(row).tail<3>() = sample.cluster.positions.col(static_cast<Index>(i)).transpose();
        }
        if (sample.forces) {
            forces.middleRows(frow, static_cast<Index>(sample.cluster.size())) = sample.forces->transpose();
            frow += static_cast<Index>(sample.cluster.size());
        }
    }
    write_state_matrix(out, "training_structures", info);
    write_state_matrix(out, "training_atoms", positions);
    write_state_matrix(out, "training_forces", forces);
}

void AnnCommittee::load_state(std::istream& in, const std::string& name) {
    const auto& species = descriptor_->species();
    const auto ns = static_cast<Index>(species.size());
    const auto nf = static_cast<Index>(descriptor_->size());
    const double format = read_state_scalar(in, name, "ann_committee_format");
    if (format != 1) throw InputError(fmt::format("{}: unknown ann_committee state format {}", name, format));
    const MatrixXd z = read_state_matrix(in, name, "species", 1, ns);
    for (Index s = 0; s < ns; ++s)
        if (z(0, s) != species[static_cast<std::size_t>(s)])
            throw InputError(fmt::format("{}: the state is for other species than the model's ({})", name,
                                         join_symbols(species, ", ")));
    auto model = std::make_unique<Model>();
    std::vector<int> sizes{static_cast<int>(nf)};
    sizes.insert(sizes.end(), settings_.hidden.begin(), settings_.hidden.end());
    sizes.push_back(1);
    const MatrixXd layers = read_state_matrix(in, name, "layer_sizes");
    bool same = layers.rows() == 1 && layers.cols() == static_cast<Index>(sizes.size());
    for (Index l = 0; same && l < layers.cols(); ++l) same = layers(0, l) == sizes[static_cast<std::size_t>(l)];
    if (!same)
        throw InputError(
            fmt::format("{}: the state's network layers do not match the settings ({})", name, fmt::join(sizes, "-")));
    const double members = read_state_scalar(in, name, "members");
    if (members != settings_.members)
        throw InputError(
            fmt::format("{}: the state has {} members, the settings {}", name, members, settings_.members));
    model->mlp = Mlp(sizes, parse_activation(settings_.activation));
    model->per_species = model->mlp.parameter_count();
    model->mean = read_state_matrix(in, name, "feature_mean", nf, ns);
    model->std = read_state_matrix(in, name, "feature_std", nf, ns);
    if (!(model->std.array() > 0).all()) throw InputError(fmt::format("{}: feature_std must be positive", name));
    model->inv_std = model->std.cwiseInverse();
    model->element_energies = read_state_matrix(in, name, "element_energies", ns, 1);
    model->scale = read_state_scalar(in, name, "energy_scale");
    model->calibration = read_state_scalar(in, name, "calibration");
    model->round = static_cast<int>(read_state_scalar(in, name, "updates"));
    const MatrixXd rmse = read_state_matrix(in, name, "validation_rmse");
    model->validation_rmse.assign(rmse.data(), rmse.data() + rmse.size());
    model->members.assign(static_cast<std::size_t>(settings_.members), VectorXd(ns * model->per_species));
    for (int m = 0; m < settings_.members; ++m)
        for (Index s = 0; s < ns; ++s) {
            double* p = model->members[static_cast<std::size_t>(m)].data() + s * model->per_species;
            for (int l = 0; l < model->mlp.layers(); ++l) {
                const std::string prefix =
                    fmt::format("member{}_{}_layer{}", m + 1, symbol(species[static_cast<std::size_t>(s)]), l + 1);
                Eigen::Map<MatrixXd>(p + model->mlp.weight_offset(l), model->mlp.rows(l), model->mlp.cols(l)) =
                    read_state_matrix(in, name, prefix + "_weights", model->mlp.rows(l), model->mlp.cols(l));
                Eigen::Map<VectorXd>(p + model->mlp.bias_offset(l), model->mlp.rows(l)) =
                    read_state_matrix(in, name, prefix + "_bias", model->mlp.rows(l), 1);
            }
        }

    const MatrixXd info = read_state_matrix(in, name, "training_structures", -1, 4);
    const MatrixXd positions = read_state_matrix(in, name, "training_atoms", -1, 4);
    const MatrixXd forces = read_state_matrix(in, name, "training_forces", -1, 3);
    std::vector<Sample> training(static_cast<std::size_t>(info.rows()));
    std::vector<char> validation(training.size(), 0);
    Index row = 0, frow = 0;
    for (Index k = 0; k < info.rows(); ++k) {
        const auto atoms = static_cast<Index>(info(k, 0));
        if (atoms < 1 || row + atoms > positions.rows() || (info(k, 3) != 0 && frow + atoms > forces.rows()))
            throw InputError(fmt::format("{}: training structure {} does not fit the stored atoms", name, k + 1));
        Sample& sample = training[static_cast<std::size_t>(k)];
        sample.cluster.positions = positions.middleRows(row, atoms).rightCols<3>().transpose();
        sample.cluster.species.resize(static_cast<std::size_t>(atoms));
        for (Index i = 0; i < atoms; ++i)
            sample.cluster.species[static_cast<std::size_t>(i)] = static_cast<Species>(positions(row + i, 0));
        sample.energy = info(k, 1);
        validation[static_cast<std::size_t>(k)] = info(k, 2) != 0 ? 1 : 0;
        if (info(k, 3) != 0) {
            sample.forces = Eigen::Matrix3Xd(forces.middleRows(frow, atoms).transpose());
            frow += atoms;
        }
        row += atoms;
    }
    if (row != positions.rows() || frow != forces.rows())
        throw InputError(fmt::format("{}: the stored atoms do not match the training structures", name));
    check_samples(training, species);

    training_ = std::move(training);
    validation_ = std::move(validation);
    cache_.reset();
    model_ = std::move(model);
}

// --- factory ----------------------------------------------------------------------------------

std::unique_ptr<Surrogate> make_ann_committee(const ParameterTable& table, const std::vector<Species>& species) {
    ParameterTable common = check_surrogate_keys(table, own_keys());
    AnnSettings s;
    if (const ParameterValue* v = table.find("hidden")) {
        const auto bad = [&] {
            return table.error("hidden", "expected an array of layer widths (neurons per hidden layer), e.g. [24, 24]");
        };
        std::vector<ParameterValue> items;
        if (v->kind == ParameterValue::Kind::array)
            items = v->array;
        else if (v->kind == ParameterValue::Kind::integer)
            items = {*v};
        else
            throw bad();
        s.hidden.clear();
        for (const auto& item : items) {
            if (item.kind == ParameterValue::Kind::integer)
                s.hidden.push_back(static_cast<int>(std::clamp<std::int64_t>(item.integer, -1, 1 << 20)));
            else if (item.kind == ParameterValue::Kind::real && item.real == std::floor(item.real) &&
                     std::abs(item.real) < 1e6)
                s.hidden.push_back(static_cast<int>(item.real));
            else
                throw bad();
        }
    }
    s.activation = table.get_string("activation", s.activation);
    const auto read_int = [&](const char* key, int fallback) {
        const std::int64_t v = table.get_integer(key, fallback);
        if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max())
            throw table.error(key, fmt::format("out of range (got {})", v));
        return static_cast<int>(v);
    };
    s.members = read_int("members", s.members);
    s.epochs = read_int("epochs", s.epochs);
    s.update_epochs = read_int("update_epochs", s.update_epochs);
    s.learning_rate = table.get_real("learning_rate", s.learning_rate);
    s.learning_rate_decay = table.get_real("learning_rate_decay", s.learning_rate_decay);
    s.min_steps = read_int("min_steps", s.min_steps);
    s.batch_size = read_int("batch_size", s.batch_size);
    s.validation_fraction = table.get_real("validation_fraction", s.validation_fraction);
    s.patience = read_int("patience", s.patience);
    s.force_weight = table.get_real("force_weight", s.force_weight);
    s.bootstrap = table.get_bool("bootstrap", s.bootstrap);
    const std::int64_t seed = table.get_integer("seed", 0);
    if (seed < 0) throw table.error("seed", fmt::format("must be >= 0 (got {})", seed));
    s.seed = static_cast<std::uint64_t>(seed);
    if (const auto problem = check_settings(s)) throw table.error(problem->first, problem->second);

    auto descriptor = create_descriptor(table.get_table("descriptor"), species, "symmetry_functions");
    return std::make_unique<AnnCommittee>(std::move(s), std::move(descriptor), std::move(common));
}

}  // namespace nanoscape
