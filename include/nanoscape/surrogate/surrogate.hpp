#pragma once
/// @file The surrogate interface: a machine-learned model of the reference energy with an
/// uncertainty, trained on labelled structures and queried by the search drivers.
///
/// Every model predicts the total energy as a sum of local energies (review, eq. 1) from a
/// Descriptor, together with a predictive variance: the GP posterior variance for `gpr`, the
/// calibrated spread of the members for `ann_committee`. Forces and the gradient of sigma
/// come from the descriptor Jacobians, so a relaxer can minimise E - kappa * sigma.

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "nanoscape/core/parameters.hpp"
#include "nanoscape/core/registry.hpp"
#include "nanoscape/descriptors/descriptor.hpp"
#include "nanoscape/potentials/local_energy.hpp"
#include "nanoscape/surrogate/sample.hpp"

namespace nanoscape {

/// Predicted total energy and its variance.
struct Prediction {
    double energy = 0.0;    ///< eV
    double variance = 0.0;  ///< eV^2, >= 0

    /// Predicted standard deviation (eV).
    [[nodiscard]] double sigma() const;
};

/// A model whose prediction is a function of global sums of one-body and pair terms
/// (PairSumForm, potentials/local_energy.hpp): energy(T) is the predicted mean, prediction(T)
/// the mean and the variance. A pair model offers it so that chemical moves on a fixed geometry
/// cost O(neighbours) on the model too.
class PairSumModel : public PairSumForm {
public:
    /// Mean (eV) and variance (eV^2) of sums `sums` (channels() values).
    [[nodiscard]] virtual Prediction prediction(const double* sums) const = 0;
    [[nodiscard]] double energy(const double* sums) const override { return prediction(sums).energy; }
};

class Surrogate {
public:
    virtual ~Surrogate() = default;

    /// Registry key ("gpr", "ann_committee", "ridge").
    [[nodiscard]] virtual std::string type() const = 0;
    /// One line for logs: model, descriptor, training-set size, fitted hyperparameters.
    [[nodiscard]] virtual std::string description() const = 0;
    /// The descriptor the model is built on.
    [[nodiscard]] virtual const Descriptor& descriptor() const = 0;
    /// True once the model has been trained and can predict.
    [[nodiscard]] virtual bool ready() const = 0;
    /// Number of training structures.
    [[nodiscard]] virtual std::size_t training_size() const = 0;

    /// Prediction for `cluster`. If `mean_forces` is given it is resized to 3 x N and receives
    /// -dE/dx of the predicted mean (eV/Angstrom); if `sigma_gradient` is given it receives
    /// d sigma/dx (eV/Angstrom). Thread-safe; throws Error if not ready().
    [[nodiscard]] virtual Prediction predict(const Cluster& cluster, Eigen::Matrix3Xd* mean_forces,
                                             Eigen::Matrix3Xd* sigma_gradient) const = 0;
    /// Prediction without gradients.
    [[nodiscard]] Prediction predict(const Cluster& cluster) const { return predict(cluster, nullptr, nullptr); }

    /// The trained model as a PairSumModel over `species` (a subset of the model's), or null if
    /// it is not a pair model (the default) or not trained. The form copies what its energy needs;
    /// its pair_terms() read the current model, so tabulate before the next fit() or update().
    [[nodiscard]] virtual std::unique_ptr<PairSumModel> pair_sum_model(const std::vector<Species>& species) const;

    /// Trains from scratch on `samples`, hyperparameters included. Throws InputError for a
    /// species outside the descriptor's and Error when the fit fails (ill-conditioned, NaN).
    virtual void fit(std::span<const Sample> samples) = 0;
    /// Adds newly verified samples and retrains, cheaper than fit() where the model allows
    /// (hyperparameters kept). A model that is not ready() is fitted on `samples`.
    virtual void update(std::span<const Sample> samples) = 0;

    /// The resolved model settings (defaults filled in, fitted hyperparameters included):
    /// create_surrogate(settings(), species) followed by load_state() restores the model.
    [[nodiscard]] virtual ParameterTable settings() const = 0;
    /// Writes the numeric state (training data, weights) as text with full precision.
    virtual void save_state(std::ostream& out) const = 0;
    /// Reads what save_state() wrote; `name` is used in messages. Throws InputError on a
    /// malformed or mismatched state.
    virtual void load_state(std::istream& in, const std::string& name) = 0;
};

/// One registered surrogate model.
struct SurrogateEntry {
    std::string key;      ///< value of `type` in a [surrogate] table
    std::string summary;  ///< one line for docs and messages
    /// Builds an untrained model from a [surrogate] table (keys validated, defaults for all)
    /// for the given species (sorted by Z).
    std::function<std::unique_ptr<Surrogate>(const ParameterTable&, const std::vector<Species>&)> create;
};

/// All registered surrogates, in registration order.
[[nodiscard]] const Registry<SurrogateEntry>& surrogate_registry();
/// Builds the untrained model described by a [surrogate] table. Throws InputError naming the
/// closest key for an unknown `type`.
[[nodiscard]] std::unique_ptr<Surrogate> create_surrogate(const ParameterTable& table,
                                                          const std::vector<Species>& species);

/// Keys every [surrogate] table may hold besides the model's own: `type`, `descriptor`,
/// `selection`, `training_size`, `seed`.
[[nodiscard]] const std::vector<std::string>& common_surrogate_keys();

/// For a model factory: throws InputError (naming the closest valid key) if `table` holds a key
/// that is neither common nor in `model_keys`, and returns the common keys that select the
/// training set (`selection`, `training_size`, `seed`) as given, for settings() to hand back.
[[nodiscard]] ParameterTable check_surrogate_keys(const ParameterTable& table,
                                                  const std::vector<std::string>& model_keys);

}  // namespace nanoscape
