#include "nanoscape/relax/relaxer.hpp"

#include <array>
#include <cstdint>
#include <exception>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <omp.h>

#include "nanoscape/relax/fire.hpp"
#include "nanoscape/relax/lbfgs.hpp"

namespace nanoscape {

namespace {

struct RelaxerEntry {
    const char* key;  // value of `type` in [relax]
    std::unique_ptr<Relaxer> (*create)(const ParameterTable&);
};

// One line per relaxer. The first is the default `type`.
constexpr std::array<RelaxerEntry, 2> relaxer_registry{{
    {"lbfgs", make_lbfgs},
    {"fire", make_fire},
}};

}  // namespace

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

std::vector<std::string> relaxer_keys() {
    std::vector<std::string> keys;
    for (const auto& entry : relaxer_registry) keys.emplace_back(entry.key);
    return keys;
}

std::unique_ptr<Relaxer> create_relaxer(const ParameterTable& table) {
    const std::string type = table.get_string("type", relaxer_registry.front().key);
    for (const auto& entry : relaxer_registry)
        if (type == entry.key) return entry.create(table);
    const auto keys = relaxer_keys();
    throw table.error("type", fmt::format("unknown relaxer '{}'{}; valid types: {}", type,
                                          did_you_mean(type, keys), fmt::join(keys, ", ")));
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
    const auto n = static_cast<std::int64_t>(clusters.size());
    std::vector<RelaxResult> results(clusters.size());
    // An exception must not leave an OpenMP region (that terminates the program). Keep the one
    // of the lowest index, not the first in time, so the error reported does not depend on the
    // thread count or scheduling.
    std::exception_ptr error;
    std::int64_t error_index = n;
    const int team = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 1) num_threads(team)
    for (std::int64_t i = 0; i < n; ++i) {
        try {
            results[static_cast<std::size_t>(i)] =
                relaxer.relax(clusters[static_cast<std::size_t>(i)], potential, options);
        } catch (...) {
#pragma omp critical(nanoscape_relax_batch_error)
            if (i < error_index) {
                error_index = i;
                error = std::current_exception();
            }
        }
    }
    if (error) std::rethrow_exception(error);
    return results;
}

}  // namespace nanoscape
