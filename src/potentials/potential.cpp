#include "nanoscape/potentials/potential.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "nanoscape/core/error.hpp"

namespace nanoscape {

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

}  // namespace nanoscape
