#include "nanoscape/potentials/potential.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "nanoscape/core/elements.hpp"
#include "nanoscape/core/error.hpp"
#include "nanoscape/geometry/neighbour_list.hpp"
#include "nanoscape/potentials/local_energy.hpp"

namespace nanoscape {

double given_or_covalent_distance(const PairDistances& given, Species a, Species b) {
    const auto key = a <= b ? std::pair{a, b} : std::pair{b, a};
    if (const auto it = given.find(key); it != given.end()) return it->second;
    return element(a).covalent_radius + element(b).covalent_radius;
}

Eigen::VectorXd equal_partition(double energy, std::size_t atoms) {
    return Eigen::VectorXd::Constant(static_cast<Eigen::Index>(atoms),
                                     energy / static_cast<double>(std::max<std::size_t>(atoms, 1)));
}

std::unique_ptr<SiteSumForm> Potential::site_sum_form(const std::vector<Species>&) const { return nullptr; }

std::unique_ptr<PairSumForm> Potential::pair_sum_form(const std::vector<Species>&) const { return nullptr; }

void Potential::check_species(const Cluster& cluster) const {
    const auto supported = supported_species();
    if (supported.empty()) return;
    std::vector<Species> missing;
    for (Species z : cluster.unique_species())
        if (std::find(supported.begin(), supported.end(), z) == supported.end()) missing.push_back(z);
    if (missing.empty()) return;
    throw InputError(fmt::format("{} has no parameters for {} (it has: {})", description(),
                                 join_symbols(missing, ", "), join_symbols(supported, " ")));
}

double largest_pair_distance(const std::vector<Species>& species, const Potential& potential) {
    const auto kinds = unique_species(species);
    double d = 0.0;
    for (Species a : kinds)
        for (Species b : kinds) d = std::max(d, potential.pair_distance(a, b));
    return d;
}

std::optional<Overlap> find_overlap(const Cluster& cluster, const Potential& potential, double fraction) {
    std::optional<Overlap> found;
    const double longest = fraction * largest_pair_distance(cluster.species, potential);
    CellGrid(cluster.positions, longest).for_each_pair([&](int i, int j, const Eigen::Vector3d&, double r) {
        if (found) return;
        const double limit = fraction * potential.pair_distance(cluster.species[i], cluster.species[j]);
        if (r < limit) found = Overlap{i, j, r, limit};
    });
    return found;
}

void check_no_overlap(const Cluster& cluster, const Potential& potential, const std::string& what, double fraction) {
    potential.check_species(cluster);
    const auto o = find_overlap(cluster, potential, fraction);
    if (!o) return;
    const Species a = cluster.species[static_cast<std::size_t>(o->first)];
    const Species b = cluster.species[static_cast<std::size_t>(o->second)];
    throw InputError(fmt::format("{}: atoms {} ({}) and {} ({}) overlap: {:.4f} A apart, less than {:.4f} A "
                                 "({} x the {}-{} pair distance)",
                                 what, o->first + 1, symbol(a), o->second + 1, symbol(b), o->distance, o->limit, fraction,
                                 symbol(a), symbol(b)));
}

}  // namespace nanoscape
