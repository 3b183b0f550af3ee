#pragma once
// Private helpers shared by the descriptors: species lookup, per-centre neighbour lists,
// cutoff functions, key reading, the centre column of a Jacobian and the OpenMP loop over
// centres. Header-only (inline) so each descriptor's .cpp stays self-contained.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nanoscape/core/elements.hpp"
#include "nanoscape/core/parallel.hpp"
#include "nanoscape/core/parameters.hpp"
#include "nanoscape/descriptors/descriptor.hpp"
#include "nanoscape/geometry/cluster.hpp"
#include "nanoscape/geometry/neighbour_list.hpp"

namespace nanoscape::descriptors_detail {

// Species -> index 0..n_species-1 (or -1) for the features' element resolution.
class SpeciesIndex {
public:
    SpeciesIndex() { index_.fill(-1); }
    explicit SpeciesIndex(const std::vector<Species>& species) : species_(species) {
        index_.fill(-1);
        for (std::size_t t = 0; t < species_.size(); ++t) index_[static_cast<std::size_t>(species_[t])] = static_cast<int>(t);
    }
    [[nodiscard]] int operator()(Species z) const { return index_[static_cast<std::size_t>(z)]; }
    [[nodiscard]] std::size_t size() const { return species_.size(); }

    // The element is named (rather than only rejected): the usual cause is a model trained
    // for other metals, and the symbol tells the user which one.
    void check(const Cluster& cluster, std::string_view type) const {
        if (cluster.positions.cols() != static_cast<Eigen::Index>(cluster.species.size()))
            throw InputError(fmt::format("{}: the cluster has {} positions but {} species", type,
                                         cluster.positions.cols(), cluster.species.size()));
        for (std::size_t i = 0; i < cluster.species.size(); ++i) {
            const Species z = cluster.species[i];
            if (z < 1 || z > max_atomic_number || index_[static_cast<std::size_t>(z)] < 0)
                throw InputError(fmt::format("{}: atom {} is {}, but the descriptor was built for {} only", type, i,
                                             z >= 1 && z <= max_atomic_number ? symbol(z) : fmt::format("Z = {}", z),
                                             join_symbols(species_, ", ")));
        }
    }

private:
    std::vector<Species> species_;
    std::array<int, max_atomic_number + 1> index_{};
};

// Sorted, duplicate-free species; at least one (the registry promises sorted input, but a
// sorted copy costs nothing and makes species() canonical whatever the caller passed).
inline std::vector<Species> canonical_species(std::vector<Species> species, std::string_view type) {
    std::sort(species.begin(), species.end());
    species.erase(std::unique(species.begin(), species.end()), species.end());
    if (species.empty()) throw InputError(fmt::format("{}: a descriptor needs at least one species", type));
    for (Species z : species) (void)element(z);  // throws InputError for Z outside the table
    return species;
}

// One neighbour j of a centre i.
struct Neighbour {
    std::size_t index;  // atom j
    int type;           // species index of j
    double r;           // |x_j - x_i|, Angstrom
    Eigen::Vector3d d;  // x_j - x_i, Angstrom
    Eigen::Vector3d u;  // d / r
};

// Full neighbour lists (every j within `cutoff` of each i), each sorted by atom index so the
// order of every sum is fixed by the atom numbering alone (reproducible, and identical for
// the atoms of a cluster and of the same cluster with far-away atoms appended).
inline std::vector<std::vector<Neighbour>> build_environments(const Cluster& cluster, double cutoff,
                                                              const SpeciesIndex& types) {
    std::vector<std::vector<Neighbour>> env(cluster.size());
    // Cell lists keep this linear in N; for the small clusters of a search the single-cell
    // case of CellGrid is the plain O(N^2) double loop.
    for (const auto& p : build_half_neighbour_list(cluster.positions, cutoff)) {
        if (!(p.r > 0)) continue;  // coincident atoms: no direction; the features stay finite
        const auto i = static_cast<std::size_t>(p.i), j = static_cast<std::size_t>(p.j);
        const Eigen::Vector3d u = p.d / p.r;
        env[i].push_back({j, types(cluster.species[j]), p.r, p.d, u});
        env[j].push_back({i, types(cluster.species[i]), p.r, -p.d, -u});
    }
    for (auto& list : env)
        std::sort(list.begin(), list.end(), [](const Neighbour& a, const Neighbour& b) { return a.index < b.index; });
    return env;
}

// Cosine cutoff f_c(r) = (cos(pi r / r_c) + 1) / 2 for r < r_c, else 0 (Behler, J. Chem.
// Phys. 134, 074106 (2011), eq. 4): value and first derivative are continuous at r_c.
struct CutoffValue {
    double f;   // f_c(r)
    double df;  // df_c/dr, 1/Angstrom
};
inline CutoffValue cosine_cutoff(double r, double rc) {
    if (r >= rc) return {0.0, 0.0};
    const double a = std::numbers::pi / rc;
    return {0.5 * (std::cos(a * r) + 1.0), -0.5 * a * std::sin(a * r)};
}
// Polynomial cutoff f_c = 1 - 10 x^3 + 15 x^4 - 6 x^5, x = r / r_c (n2p2's "CT_POLY2" with
// no inner radius; Singraber et al., J. Chem. Theory Comput. 15, 1827 (2019)): value, first
// and second derivative continuous at r_c, and cheaper than a cosine.
inline CutoffValue polynomial_cutoff(double r, double rc) {
    if (r >= rc) return {0.0, 0.0};
    const double x = r / rc, x2 = x * x, y = 1.0 - x;
    return {1.0 + x2 * x * (-10.0 + x * (15.0 - 6.0 * x)), -30.0 * x2 * y * y / rc};
}

// The centre columns: G_i depends on the positions only through d_ij = x_j - x_i, so
// dG_i/dx_i = -sum_j dG_i/dx_j. The descriptors subtract each neighbour contribution from the
// centre columns as they add it (the centre's three columns stay in cache), rather than summing
// the finished Jacobian in a second pass, which would read it all again from memory.

// Jacobian skeleton for centre i: atoms = {i, neighbours...}, values zeroed. The matrix keeps
// its allocation when its size is unchanged (Eigen's resize): a caller that passes the same
// vector again (a relaxation) then pays no allocation and no page faults, which for the large
// Jacobians cost more than computing them.
inline void start_jacobian(DescriptorJacobian& jac, std::size_t centre, const std::vector<Neighbour>& env,
                           std::size_t n_features) {
    jac.atoms.resize(env.size() + 1);
    jac.atoms[0] = centre;
    for (std::size_t k = 0; k < env.size(); ++k) jac.atoms[k + 1] = env[k].index;
    jac.values.resize(static_cast<Eigen::Index>(n_features), static_cast<Eigen::Index>(3 * (env.size() + 1)));
    jac.values.setZero();
}

// Resizes the Jacobian list to n centres, keeping the allocations of the entries already there.
inline void prepare_jacobians(std::vector<DescriptorJacobian>* jacobians, std::size_t n) {
    if (jacobians) jacobians->resize(n);
}

// Runs f(i) for every centre i. Each centre is computed start to finish by one thread and
// writes only its own feature column and Jacobian, so the results are bit-identical for any
// thread count; dynamic scheduling because surface atoms have fewer neighbours than core atoms.
template <class F>
void for_each_centre(std::size_t n, F&& f) {
    parallel_for(static_cast<std::int64_t>(n), ParallelOptions{0, 4, 9},
                 [&](std::int64_t i) { f(static_cast<std::size_t>(i)); });
}

// A list of reals: an array, or a single number meaning a one-element list.
inline std::vector<double> read_real_list(const ParameterTable& table, std::string_view key,
                                          const std::vector<double>& fallback) {
    const ParameterValue* v = table.find(key);
    if (!v) return fallback;
    if (v->kind == ParameterValue::Kind::real) return {v->real};
    if (v->kind == ParameterValue::Kind::integer) return {static_cast<double>(v->integer)};
    if (v->kind != ParameterValue::Kind::array)
        throw table.error(key, fmt::format("expected a number or an array of numbers, found {}",
                                           ParameterValue::kind_name(v->kind)));
    return table.get_real_array(key);
}

inline double read_positive(const ParameterTable& table, std::string_view key, double fallback) {
    const double v = table.get_real(key, fallback);
    if (!(v > 0) || !std::isfinite(v)) throw table.error(key, fmt::format("must be positive and finite (got {})", v));
    return v;
}

inline std::string read_choice(const ParameterTable& table, std::string_view key, std::string_view fallback,
                               const std::vector<std::string>& choices) {
    const std::string v = table.get_string(key, fallback);
    if (std::find(choices.begin(), choices.end(), v) == choices.end())
        throw table.error(key, fmt::format("must be one of {} (got '{}'){}", fmt::join(choices, ", "), v,
                                           did_you_mean(v, choices)));
    return v;
}

// An integer key within lo..hi.
inline int read_int_in(const ParameterTable& table, std::string_view key, int fallback, int lo, int hi) {
    const std::int64_t v = table.get_integer(key, fallback);
    if (v < lo || v > hi) throw table.error(key, fmt::format("must be an integer in {}..{} (got {})", lo, hi, v));
    return static_cast<int>(v);
}

}  // namespace nanoscape::descriptors_detail
