#include "nanoscape/surrogate/selection.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <Eigen/Eigenvalues>
#include <Eigen/QR>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nanoscape/core/error.hpp"
#include "nanoscape/core/parallel.hpp"
#include "nanoscape/core/rng.hpp"

namespace nanoscape {

namespace {

// Stream ids of make_stream(seed, id): one per random decision of a method, so that adding a
// draw to one method never changes another's.
constexpr std::uint64_t stream_shuffle = 0;
constexpr std::uint64_t stream_fill = 1;

// Pools smaller than 32 run on one thread: starting a team costs more than the work.
ParallelOptions parallel_options(int threads) { return ParallelOptions{threads, 4, 32}; }

// 0, 1, ..., n-1 in a seeded random order (Fisher-Yates with the project's own Rng, so the order
// is the same with any standard library).
std::vector<std::size_t> shuffled_indices(std::size_t n, Rng& rng) {
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    shuffle(std::span<std::size_t>(order), rng);
    return order;
}

// Appends unselected indices in a seeded random order until `selected` holds `count`: the
// documented fallback of cur (rank exhausted) and descriptor_space (too few new bins).
void fill_at_random(std::vector<std::size_t>& selected, std::size_t pool_size, std::size_t count,
                    std::uint64_t seed) {
    std::vector<bool> taken(pool_size, false);
    for (const auto i : selected) taken[i] = true;
    Rng rng = make_stream(seed, stream_fill);
    for (const auto i : shuffled_indices(pool_size, rng)) {
        if (selected.size() >= count) break;
        if (!taken[i]) selected.push_back(i);
    }
}

std::vector<std::size_t> select_random(const SelectionInput& in) {
    Rng rng = make_stream(in.options.seed, stream_shuffle);
    auto order = shuffled_indices(in.pool.size(), rng);
    order.resize(in.options.count);
    return order;
}

Eigen::MatrixXd standardised_features(const SelectionInput& in) {
    Eigen::MatrixXd x = structure_features(in.pool, *in.descriptor, in.options.threads);
    standardise_columns(x);
    return x;
}

// Farthest-point sampling: d_i = min over selected s of |x_i - x_s|^2 is updated with each new
// point (one O(N D) pass per pick), and the next point is argmax d_i (lowest index on ties).
std::vector<std::size_t> select_fps(const SelectionInput& in) {
    const Eigen::MatrixXd x = standardised_features(in);
    const std::size_t n = in.pool.size();
    std::vector<std::size_t> selected;
    if (in.options.count == 0) return selected;
    Rng rng = make_stream(in.options.seed, stream_shuffle);
    std::size_t next = rng.below(n);
    std::vector<bool> taken(n, false);
    std::vector<double> distance(n, std::numeric_limits<double>::infinity());
    while (true) {
        selected.push_back(next);
        taken[next] = true;
        if (selected.size() == in.options.count) break;
        const auto row = x.row(static_cast<Eigen::Index>(next));
        for (std::size_t i = 0; i < n; ++i)
            distance[i] = std::min(distance[i], (x.row(static_cast<Eigen::Index>(i)) - row).squaredNorm());
        // Selected points have distance 0, but so may duplicates of them: exclude by flag.
        next = n;
        for (std::size_t i = 0; i < n; ++i)
            if (!taken[i] && (next == n || distance[i] > distance[next])) next = i;
    }
    return selected;
}

// Top eigenpairs of a symmetric positive semidefinite matrix.
struct TopEigenpairs {
    Eigen::VectorXd values;   // descending
    Eigen::MatrixXd vectors;  // m x k, orthonormal columns
};

TopEigenpairs all_eigenpairs(const Eigen::MatrixXd& a, Eigen::Index k) {
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(a);
    if (eigen.info() != Eigen::Success) throw Error("cur selection: the eigendecomposition did not converge");
    // Eigenvalues ascend: the top k are the last k, reversed.
    return {eigen.eigenvalues().tail(k).reverse(), eigen.eigenvectors().rightCols(k).rowwise().reverse()};
}

// The top k eigenpairs of `a` (m x m) by block subspace iteration with Rayleigh-Ritz (Saad,
// Numerical Methods for Large Eigenvalue Problems, 2nd ed., SIAM 2011, ch. 5), warm-started
// from `basis` (m x b, b > k, orthonormal; updated in place). The greedy CUR loop changes the
// Gram matrix by one rank-one deflation per pick, so the previous basis is nearly invariant and
// a few O(m^2 b) iterations replace an O(m^3) full eigendecomposition. Converged when every
// wanted Ritz pair has residual |A q - theta q| <= 1e-9 theta_1; the full solver is the
// fallback (small m, or no convergence), so the result is always an eigendecomposition.
TopEigenpairs top_eigenpairs(const Eigen::MatrixXd& a, Eigen::Index k, Eigen::MatrixXd& basis) {
    const Eigen::Index m = a.rows(), b = basis.cols();
    // Below a few hundred the O(m^3) solver takes milliseconds and is exact: use it.
    if (m <= 4 * b || m <= 256) return all_eigenpairs(a, k);
    constexpr int max_iterations = 200;
    constexpr double tolerance = 1e-9;
    for (int iteration = 0; iteration < max_iterations; ++iteration) {
        // The symmetric product (SYMM) reads half of `a`, and Eigen runs it on one thread: its
        // OpenMP-parallel GEMM costs more than it saves for m x b products on a busy machine.
        const Eigen::MatrixXd z = a.selfadjointView<Eigen::Lower>() * basis;
        const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> ritz(basis.transpose() * z);
        if (ritz.info() != Eigen::Success) break;
        const Eigen::MatrixXd w = ritz.eigenvectors().rowwise().reverse();  // descending Ritz values
        const Eigen::VectorXd theta = ritz.eigenvalues().reverse();
        const Eigen::MatrixXd q = basis * w;
        const Eigen::MatrixXd aq = z * w;
        bool converged = true;
        for (Eigen::Index j = 0; j < k && converged; ++j)
            converged = (aq.col(j) - theta(j) * q.col(j)).norm() <= tolerance * std::max(theta(0), 1e-300);
        if (converged) {
            basis = q;
            return {theta.head(k), q.leftCols(k)};
        }
        // Next subspace: A times the Ritz vectors, orthonormalised.
        const Eigen::HouseholderQR<Eigen::MatrixXd> qr(aq);
        basis = qr.householderQ() * Eigen::MatrixXd::Identity(m, b);
    }
    return all_eigenpairs(a, k);
}

// Deterministic CUR row selection with orthogonalisation after each pick (Imbalzano et al.,
// J. Chem. Phys. 148, 241730 (2018), sec. II.B; leverage scores after Mahoney and Drineas,
// PNAS 106, 697 (2009)). With X = U S V^T, pi_i = sum_{j<k} U_ij^2; the picked row x_c is
// projected out of every row, X <- X (I - c c^T) with c = x_c / |x_c|, so a near-duplicate of a
// picked structure is left with ~zero leverage.
//
// Only the smaller Gram matrix is kept and deflated in O(m^2) per pick:
//   D <  N: G = X^T X (D x D), G <- P G P with P = I - c c^T; U_j = X v_j / s_j (X deflated too);
//   D >= N: K = X X^T (N x N), K <- K - k_c k_c^T / K_cc (k_c = column c): U = eigenvectors of K.
std::vector<std::size_t> select_cur(const SelectionInput& in) {
    Eigen::MatrixXd x = standardised_features(in);
    const std::size_t n = in.pool.size();
    const Eigen::Index d = x.cols();
    const bool by_features = d < x.rows();
    // Symmetric rank-k update (SYRK): half the flops of the GEMM, on one thread (see
    // top_eigenpairs for why not Eigen's OpenMP GEMM).
    const Eigen::Index m = by_features ? d : x.rows();
    Eigen::MatrixXd gram = Eigen::MatrixXd::Zero(m, m);
    if (by_features)
        gram.selfadjointView<Eigen::Lower>().rankUpdate(x.transpose());
    else
        gram.selfadjointView<Eigen::Lower>().rankUpdate(x);
    gram = gram.selfadjointView<Eigen::Lower>();  // both triangles: the deflation updates use all of it
    const auto k = std::min<Eigen::Index>(static_cast<Eigen::Index>(in.options.singular_vectors), m);
    std::vector<std::size_t> selected;
    if (k == 0) {  // a descriptor without features: nothing to rank by
        fill_at_random(selected, n, in.options.count, in.options.seed);
        return selected;
    }
    // A direction carrying less than 1e-10 of the starting variance is rounding left over
    // from deflation (Gram updates leave ~1e-16 of the trace): nothing to select by.
    const double floor = 1e-10 * std::max(gram.trace(), 1e-300);

    // Warm-start basis of the subspace iteration: k wanted + 8 guard vectors, first drawn
    // from a fixed stream so the selection is reproducible.
    const Eigen::Index b = std::min<Eigen::Index>(k + 8, m);
    Eigen::MatrixXd basis(m, b);
    Rng rng(0);
    for (Eigen::Index i = 0; i < basis.size(); ++i) basis.data()[i] = rng.normal();
    basis = Eigen::HouseholderQR<Eigen::MatrixXd>(basis).householderQ() * Eigen::MatrixXd::Identity(m, b);

    std::vector<bool> taken(n, false);
    Eigen::VectorXd pi(static_cast<Eigen::Index>(n));
    while (selected.size() < in.options.count) {
        const TopEigenpairs top = top_eigenpairs(gram, k, basis);
        if (!(top.values(0) > floor)) break;  // rank exhausted
        pi.setZero();
        for (Eigen::Index j = 0; j < k && top.values(j) > floor; ++j) {
            const Eigen::VectorXd u =
                by_features ? Eigen::VectorXd(x * top.vectors.col(j) / std::sqrt(top.values(j)))
                            : Eigen::VectorXd(top.vectors.col(j));
            pi += u.cwiseAbs2();
        }
        std::size_t best = n;
        for (std::size_t i = 0; i < n; ++i)
            if (!taken[i] && (best == n || pi(static_cast<Eigen::Index>(i)) > pi(static_cast<Eigen::Index>(best))))
                best = i;
        selected.push_back(best);
        taken[best] = true;

        const auto c = static_cast<Eigen::Index>(best);
        if (by_features) {
            const double norm = x.row(c).norm();
            if (norm > 0.0) {
                const Eigen::VectorXd unit = x.row(c).transpose() / norm;
                x -= (x * unit) * unit.transpose();
                const Eigen::VectorXd g = gram * unit;
                const double alpha = unit.dot(g);
                gram -= unit * g.transpose() + g * unit.transpose() - alpha * unit * unit.transpose();
            }
            x.row(c).setZero();  // exactly, not up to rounding
        } else {
            const double kcc = gram(c, c);
            if (kcc > 0.0) {
                const Eigen::VectorXd kc = gram.col(c);
                gram -= kc * kc.transpose() / kcc;
            }
            gram.row(c).setZero();
            gram.col(c).setZero();
        }
    }
    // Fewer independent directions than `count`: the rest carries no new information for CUR.
    fill_at_random(selected, n, in.options.count, in.options.seed);
    return selected;
}

// Occupied (species pair, distance bin) cells of one structure, sorted and unique. Pair p of
// species indices a <= b among `species` (S of them): p = a S - a (a - 1) / 2 + (b - a).
std::vector<std::uint32_t> occupied_bins(const Cluster& cluster, const std::vector<Species>& species, double r_min,
                                         double r_max, double width, std::size_t bins_per_pair) {
    const auto s = static_cast<std::size_t>(species.size());
    std::vector<std::size_t> type(cluster.size());
    for (std::size_t i = 0; i < cluster.size(); ++i)
        type[i] = static_cast<std::size_t>(
            std::lower_bound(species.begin(), species.end(), cluster.species[i]) - species.begin());
    std::vector<std::uint32_t> cells;
    const auto n = static_cast<Eigen::Index>(cluster.size());
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = i + 1; j < n; ++j) {
            const double r = (cluster.positions.col(i) - cluster.positions.col(j)).norm();
            // Distances outside [r_min, r_max) are not binned (review IV.B.d: the histogram
            // spans the physically possible range).
            if (!(r >= r_min && r < r_max)) continue;
            const auto bin = std::min(static_cast<std::size_t>((r - r_min) / width), bins_per_pair - 1);
            std::size_t a = type[static_cast<std::size_t>(i)], b = type[static_cast<std::size_t>(j)];
            if (a > b) std::swap(a, b);
            const std::size_t pair = a * s - a * (a == 0 ? 0 : a - 1) / 2 + (b - a);
            cells.push_back(static_cast<std::uint32_t>(pair * bins_per_pair + bin));
        }
    std::sort(cells.begin(), cells.end());
    cells.erase(std::unique(cells.begin(), cells.end()), cells.end());
    return cells;
}

// Descriptor-space sampling (review IV.B.d): one pass over the shuffled pool, accepting a
// structure if it occupies at least one cell no accepted structure occupies.
std::vector<std::size_t> select_descriptor_space(const SelectionInput& in) {
    const auto& o = in.options;
    const double r_max = o.r_max > 0.0 ? o.r_max : in.descriptor->cutoff();
    if (!(r_max > o.r_min))
        throw InputError(fmt::format("descriptor_space selection: r_max {} A must exceed r_min {} A", r_max, o.r_min));
    const auto bins_per_pair = static_cast<std::size_t>(std::ceil((r_max - o.r_min) / o.bin_width));
    std::vector<Species> species;
    for (const auto& sample : in.pool)
        species.insert(species.end(), sample.cluster.species.begin(), sample.cluster.species.end());
    species = unique_species(species);
    const std::size_t pairs = species.size() * (species.size() + 1) / 2;
    if (static_cast<double>(pairs) * static_cast<double>(bins_per_pair) > 4.0e9)
        throw InputError(fmt::format("descriptor_space selection: {} species pairs x {} bins is too many cells; "
                                     "widen bin_width",
                                     pairs, bins_per_pair));

    const std::size_t n = in.pool.size();
    std::vector<std::vector<std::uint32_t>> cells(n);
    parallel_for(static_cast<std::int64_t>(n), parallel_options(o.threads), [&](std::int64_t i) {
        cells[static_cast<std::size_t>(i)] = occupied_bins(in.pool[static_cast<std::size_t>(i)].cluster, species,
                                                           o.r_min, r_max, o.bin_width, bins_per_pair);
    });

    std::vector<bool> covered(pairs * bins_per_pair, false);
    std::vector<std::size_t> selected;
    Rng rng = make_stream(o.seed, stream_shuffle);
    for (const auto i : shuffled_indices(n, rng)) {
        if (selected.size() >= o.count) break;
        const bool novel = std::any_of(cells[i].begin(), cells[i].end(), [&](std::uint32_t c) { return !covered[c]; });
        if (!novel) continue;
        for (const auto c : cells[i]) covered[c] = true;
        selected.push_back(i);
    }
    // Fewer novel structures than `count`: fill up with random ones (documented).
    fill_at_random(selected, n, o.count, o.seed);
    return selected;
}

// Active learning by predicted variance (review IV.A; IV.B.a with the GP variance, eq. 14, in
// place of the distance): fit, predict the variance of every unselected structure, add the
// `batch` largest (ties: lowest index), repeat.
std::vector<std::size_t> select_max_variance(const SelectionInput& in) {
    const auto& o = in.options;
    const std::size_t n = in.pool.size();
    const std::size_t initial = std::min(o.initial > 0 ? o.initial : std::min(o.batch, o.count), o.count);
    Rng rng = make_stream(o.seed, stream_shuffle);
    std::vector<std::size_t> selected = shuffled_indices(n, rng);
    selected.resize(initial);
    std::vector<bool> taken(n, false);
    for (const auto i : selected) taken[i] = true;

    std::vector<double> variance(n);
    while (selected.size() < o.count) {
        std::vector<Sample> training;
        training.reserve(selected.size());
        for (const auto i : selected) training.push_back(in.pool[i]);
        in.model->fit(training);

        parallel_for(static_cast<std::int64_t>(n), parallel_options(o.threads), [&](std::int64_t i) {
            const auto k = static_cast<std::size_t>(i);
            if (!taken[k]) variance[k] = in.model->predict(in.pool[k].cluster).variance;
        });

        std::vector<std::size_t> candidates;
        for (std::size_t i = 0; i < n; ++i)
            if (!taken[i]) {
                if (!std::isfinite(variance[i]))
                    throw Error(fmt::format("max_variance selection: {} predicted a non-finite variance for pool "
                                            "structure {}",
                                            in.model->type(), i));
                candidates.push_back(i);
            }
        const std::size_t take = std::min(o.batch, o.count - selected.size());
        std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(take),
                          candidates.end(), [&](std::size_t a, std::size_t b) {
                              return variance[a] > variance[b] || (variance[a] == variance[b] && a < b);
                          });
        for (std::size_t t = 0; t < take; ++t) {
            selected.push_back(candidates[t]);
            taken[candidates[t]] = true;
        }
    }
    return selected;
}

void validate(std::span<const Sample> pool, const SelectionOptions& o, const SelectionMethod& method,
              const Descriptor* descriptor, const Surrogate* model) {
    if (o.count > pool.size())
        throw InputError(fmt::format("cannot select {} training structures from a pool of {}", o.count, pool.size()));
    if (method.needs_descriptor && descriptor == nullptr)
        throw InputError(fmt::format("selection method '{}' needs a descriptor", method.key));
    if (method.needs_model && model == nullptr)
        throw InputError(fmt::format("selection method '{}' needs a surrogate model", method.key));
    if (method.key == "descriptor_space") {
        if (!(o.bin_width > 0.0) || !std::isfinite(o.bin_width))
            throw InputError(fmt::format("descriptor_space selection: bin_width must be positive, got {} A", o.bin_width));
        if (!(o.r_min >= 0.0) || !std::isfinite(o.r_min))
            throw InputError(fmt::format("descriptor_space selection: r_min must be >= 0, got {} A", o.r_min));
        if (!(o.r_max >= 0.0) || !std::isfinite(o.r_max))
            throw InputError(fmt::format("descriptor_space selection: r_max must be >= 0, got {} A", o.r_max));
        if (o.r_max == 0.0 && descriptor == nullptr)
            throw InputError("descriptor_space selection: give r_max or a descriptor (whose cutoff is the default)");
    }
    if (method.key == "cur" && o.singular_vectors < 1)
        throw InputError("cur selection: singular_vectors must be >= 1");
    if (method.key == "max_variance" && o.batch < 1) throw InputError("max_variance selection: batch must be >= 1");
}

}  // namespace

const Registry<SelectionMethod>& selection_registry() {
    // One line per method: key, summary, needs descriptor, needs model, implementation.
    static const Registry<SelectionMethod> registry("training-set selection method", "methods", {
        {"random", "a seeded random subset", false, false, select_random},
        {"fps", "farthest-point sampling in standardised structure-feature space", true, false, select_fps},
        {"cur", "CUR leverage-score selection with orthogonalisation (Imbalzano et al. 2018)", true, false,
         select_cur},
        {"descriptor_space", "one pass, accept structures with a new (species pair, distance bin)", false, false,
         select_descriptor_space},
        {"max_variance", "active learning: batches of the largest predicted variance, refitting", false, true,
         select_max_variance},
    });
    return registry;
}

std::vector<std::size_t> select_training_set(std::span<const Sample> pool, const SelectionOptions& options,
                                             const Descriptor* descriptor, Surrogate* model) {
    const SelectionMethod& method = selection_registry().get(options.method);
    validate(pool, options, method, descriptor, model);
    if (options.count == 0) return {};
    const SelectionInput input{pool, options, descriptor, model};
    return method.select(input);
}

Eigen::MatrixXd structure_features(std::span<const Sample> pool, const Descriptor& descriptor, int threads) {
    const auto& species = descriptor.species();
    const auto f = static_cast<Eigen::Index>(descriptor.size());
    const auto s = static_cast<Eigen::Index>(species.size());
    Eigen::MatrixXd x = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(pool.size()), s * f);
    parallel_for(static_cast<std::int64_t>(pool.size()), parallel_options(threads), [&](std::int64_t i) {
            const Cluster& cluster = pool[static_cast<std::size_t>(i)].cluster;
            Eigen::MatrixXd g;
            descriptor.compute(cluster, g, nullptr);
            // Mean per centre species: models keep one local-energy function per centre
            // species, so the structure is described by the mean environment of each.
            for (Eigen::Index a = 0; a < s; ++a) {
                Eigen::VectorXd sum = Eigen::VectorXd::Zero(f);
                int atoms = 0;
                for (std::size_t k = 0; k < cluster.size(); ++k)
                    if (cluster.species[k] == species[static_cast<std::size_t>(a)]) {
                        sum += g.col(static_cast<Eigen::Index>(k));
                        ++atoms;
                    }
                if (atoms > 0) x.row(i).segment(a * f, f) = (sum / static_cast<double>(atoms)).transpose();
            }
    });
    return x;
}

void standardise_columns(Eigen::MatrixXd& x) {
    if (x.rows() == 0) return;
    for (Eigen::Index c = 0; c < x.cols(); ++c) {
        auto column = x.col(c);
        const double mean = column.mean();
        column.array() -= mean;
        const double sd = std::sqrt(column.squaredNorm() / static_cast<double>(x.rows()));
        // A feature that does not vary over the pool carries no information about diversity.
        if (!(sd > 1e-12 * std::max(std::abs(mean), 1e-300)) || sd == 0.0)
            column.setZero();
        else
            column /= sd;
    }
}

}  // namespace nanoscape
