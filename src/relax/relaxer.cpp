#include "nanoscape/relax/relaxer.hpp"

#include <cstdint>
#include <limits>

#include <fmt/format.h>

#include "nanoscape/core/parallel.hpp"

#include "nanoscape/relax/fire.hpp"
#include "nanoscape/relax/lbfgs.hpp"

namespace nanoscape {

const Registry<RelaxerEntry>& relaxer_registry() {
    // One line per relaxer: key, summary, factory. The first is the default `type`.
    static const Registry<RelaxerEntry> registry("relaxer", "valid types", {
        {"lbfgs", "limited-memory BFGS (Nocedal 1980) with pele's step control (step halving, no Wolfe search)", make_lbfgs},
        {"fire", "FIRE, the fast inertial relaxation engine (Bitzek et al. 2006)", make_fire},
    });
    return registry;
}

const char* to_string(RelaxStatus status) {
    switch (status) {
        case RelaxStatus::converged: return "converged";
        case RelaxStatus::max_steps: return "max_steps";
        case RelaxStatus::non_finite: return "non_finite";
        case RelaxStatus::exploded: return "exploded";
        case RelaxStatus::fragmented: return "fragmented";
    }
    return "unknown";
}

std::unique_ptr<Relaxer> create_relaxer(const ParameterTable& table) {
    const auto& registry = relaxer_registry();
    const std::string type = table.get_string("type", registry.entries().front().key);
    const auto* entry = registry.find(type);
    if (!entry) throw table.error("type", registry.unknown_message(type));
    return entry->create(table);
}

RelaxOptions read_relax_options(const ParameterTable& table) {
    RelaxOptions options;
    options.fmax = table.get_real("fmax", options.fmax);
    if (!(options.fmax > 0)) throw table.error("fmax", fmt::format("must be positive, got {}", options.fmax));
    const std::int64_t max_steps = table.get_integer("max_steps", options.max_steps);
    if (max_steps < 1 || max_steps > std::numeric_limits<int>::max())
        throw table.error("max_steps", fmt::format("must be in 1..{}, got {}",
                                                   std::numeric_limits<int>::max(), max_steps));
    options.max_steps = static_cast<int>(max_steps);
    options.max_step = table.get_real("max_step", options.max_step);
    if (!(options.max_step > 0))
        throw table.error("max_step", fmt::format("must be positive, got {}", options.max_step));
    options.check_fragments = table.get_bool("check_fragments", options.check_fragments);
    options.bond_factor = table.get_real("bond_factor", options.bond_factor);
    if (!(options.bond_factor > 0))
        throw table.error("bond_factor", fmt::format("must be positive, got {}", options.bond_factor));
    options.explode_factor = table.get_real("explode_factor", options.explode_factor);
    if (!(options.explode_factor > 0))
        throw table.error("explode_factor", fmt::format("must be positive, got {}", options.explode_factor));
    return options;
}

std::vector<RelaxResult> relax_batch(std::vector<Cluster>& clusters, const Potential& potential,
                                     const Relaxer& relaxer, const RelaxOptions& options, int threads) {
    std::vector<RelaxResult> results(clusters.size());
    parallel_for(static_cast<std::int64_t>(clusters.size()), threads, [&](std::int64_t i) {
        const auto k = static_cast<std::size_t>(i);
        results[k] = relaxer.relax(clusters[k], potential, options);
    });
    return results;
}

}  // namespace nanoscape
