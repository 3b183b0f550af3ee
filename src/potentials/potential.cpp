#include "nanoscape/potentials/potential.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "nanoscape/core/error.hpp"
#include "nanoscape/geometry/neighbour_list.hpp"
#include "nanoscape/potentials/local_energy.hpp"

namespace nanoscape {

std::unique_ptr<SiteSumForm> Potential::site_sum_form(const std::vector<Species>&) const { return nullptr; }

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

void check_no_overlap(const Cluster& cluster, const Potential& potential, const std::string& what, double fraction) {
    potential.check_species(cluster);
    const double longest = fraction * largest_pair_distance(cluster.species, potential);
    CellGrid(cluster.positions, longest).for_each_pair([&](int i, int j, const Eigen::Vector3d&, double r) {
        const Species a = cluster.species[i], b = cluster.species[j];
        const double limit = fraction * potential.pair_distance(a, b);
        if (r < limit)
            throw InputError(fmt::format("{}: atoms {} ({}) and {} ({}) overlap: {:.4f} A apart, less than {:.4f} A "
                                         "({} x the {}-{} pair distance)",
                                         what, i + 1, symbol(a), j + 1, symbol(b), r, limit, fraction, symbol(a), symbol(b)));
    });
}

}  // namespace nanoscape
