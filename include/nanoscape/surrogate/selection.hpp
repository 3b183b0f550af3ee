#pragma once
/// @file Training-set selection (database sparsification, review section IV.B): choose `count`
/// structures of a pool of labelled samples to train a surrogate on. docs/selection.md gives
/// the formulas and references of every method.
///
/// Methods (registry keys):
/// - random: a seeded random subset;
/// - fps: farthest-point sampling (Eldar et al., IEEE Trans. Image Process. 6, 1305 (1997);
///   for training sets Imbalzano et al., J. Chem. Phys. 148, 241730 (2018)) in the structure
///   feature space below, from a seeded random first point: each step adds the structure whose
///   distance to the selected set, min_{s in S} |x_i - x_s|, is largest; O(N_tr N D);
/// - cur: deterministic CUR row selection (Mahoney and Drineas, PNAS 106, 697 (2009); greedy
///   with orthogonalisation as in Imbalzano et al. 2018): leverage pi_i = sum_{j<k} U_ij^2 from
///   the top-k left singular vectors of the structure feature matrix X (N x D), pick the largest,
///   then remove the picked row's direction from every row, x_r <- x_r - (x_r.x_c / x_c.x_c) x_c;
/// - descriptor_space: descriptor-space sampling (review IV.B.d, after Bernstein, Csanyi and
///   Deringer, npj Comput. Mater. 5, 99 (2019)): interatomic distances binned per species pair
///   from r_min to r_max every bin_width; the pool, shuffled with the seed, is scanned once and a
///   structure is accepted if it occupies a bin no accepted structure occupies yet;
/// - max_variance: active learning (review IV.A and IV.B.a, variance instead of distance):
///   a random start, then batches of the structures with the largest predicted variance of a
///   Surrogate refitted on the selection after each batch.
///
/// Structure feature space (fps, cur): per structure, the mean over atoms of each centre
/// species of the descriptor's per-atom features, concatenated over the descriptor's species
/// (zeros for a species the structure lacks), then standardised per column over the pool
/// (zero mean, unit variance; constant columns set to zero): D = S x F.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "nanoscape/descriptors/descriptor.hpp"
#include "nanoscape/surrogate/sample.hpp"
#include "nanoscape/surrogate/surrogate.hpp"

namespace nanoscape {

/// Settings of select_training_set.
struct SelectionOptions {
    std::string method = "random";  ///< registry key (see selection_registry())
    std::size_t count = 0;          ///< structures to select (<= pool size)
    std::uint64_t seed = 0;         ///< seed of the random choices (random, fps start, shuffles)
    double bin_width = 0.05;        ///< descriptor_space: distance bin width, Angstrom
    double r_min = 1.5;             ///< descriptor_space: lower end of the binned range, Angstrom
    double r_max = 0.0;             ///< descriptor_space: upper end, Angstrom; 0 = the descriptor's cutoff
    std::size_t singular_vectors = 1;  ///< cur: k, singular vectors in the leverage score
    std::size_t initial = 0;        ///< max_variance: random starting set; 0 = min(batch, count)
    std::size_t batch = 10;         ///< max_variance: structures added per refit
    int threads = 0;                ///< OpenMP threads for features and predictions; <= 0: default
};

/// The arguments every selection method receives (descriptor and model may be null when the
/// method does not need them).
struct SelectionInput {
    std::span<const Sample> pool;    ///< candidate structures
    const SelectionOptions& options; ///< validated settings
    const Descriptor* descriptor;    ///< per-atom features (fps, cur; descriptor_space: cutoff)
    Surrogate* model;                ///< trained repeatedly (max_variance)
};

/// One registered selection method.
struct SelectionMethod {
    std::string key;        ///< value of SelectionOptions::method
    std::string summary;    ///< one line for docs and messages
    bool needs_descriptor;  ///< fps and cur compute structure features
    bool needs_model;       ///< max_variance fits and queries a surrogate
    /// Returns options.count distinct pool indices, in the order selected.
    std::function<std::vector<std::size_t>(const SelectionInput&)> select;
};

/// All registered methods, in registration order.
/// Methods: "random", "fps", "cur", "descriptor_space", "max_variance".
[[nodiscard]] const Registry<SelectionMethod>& selection_registry();

/// Chooses options.count distinct indices into `pool`, in the order selected, with the method
/// options.method. `descriptor` is required by fps and cur (and by descriptor_space unless
/// options.r_max > 0); `model` by max_variance, which leaves it fitted on the selection
/// before the last batch (fit it on the returned set to use it). Deterministic for a seed and
/// independent of the thread count. Throws InputError for an unknown method (naming the
/// closest), count > pool size, invalid settings or a missing descriptor / model, and Error if
/// the model predicts a non-finite variance.
[[nodiscard]] std::vector<std::size_t> select_training_set(std::span<const Sample> pool,
                                                           const SelectionOptions& options,
                                                           const Descriptor* descriptor, Surrogate* model);

/// Structure features (N x S*F, unstandardised): row i is the mean descriptor feature vector
/// of the atoms of each centre species of pool[i], concatenated over descriptor.species().
[[nodiscard]] Eigen::MatrixXd structure_features(std::span<const Sample> pool, const Descriptor& descriptor,
                                                 int threads = 0);

/// Standardises every column of `x` to zero mean and unit variance (population variance);
/// columns whose spread is below 1e-12 of their magnitude are set to zero.
void standardise_columns(Eigen::MatrixXd& x);

}  // namespace nanoscape
