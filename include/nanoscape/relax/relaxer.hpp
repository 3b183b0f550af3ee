#pragma once
/// @file Local relaxation: the Relaxer interface, its options and result, and a registry.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nanoscape/core/parameters.hpp"
#include "nanoscape/core/registry.hpp"
#include "nanoscape/geometry/cluster.hpp"
#include "nanoscape/potentials/potential.hpp"

namespace nanoscape {

/// How a relaxation ended.
enum class RelaxStatus {
    converged,   ///< max |F| <= fmax
    max_steps,   ///< step limit reached first (the structure is still the lowest seen)
    non_finite,  ///< the potential returned NaN or inf; positions restored to the last finite point
    exploded,    ///< atoms flew apart (some atom moved beyond the allowed radius)
    fragmented,  ///< converged, but the bond graph has more than one component
};

/// "converged", "max_steps", ... (the words used in logs and output files).
[[nodiscard]] const char* to_string(RelaxStatus status);

/// Settings shared by every relaxer.
struct RelaxOptions {
    double fmax = 0.01;          ///< convergence: largest per-atom force norm, eV/Angstrom
    int max_steps = 5000;        ///< iterations (each is one energy+force evaluation or more)
    double max_step = 0.2;       ///< largest displacement of any atom in one step, Angstrom
    bool check_fragments = true; ///< report `fragmented` for clusters that fall apart
    double bond_factor = 1.5;    ///< bonded if r < bond_factor * Potential::pair_distance(a, b)
    /// `exploded` once an atom is farther than this many cluster radii (plus 5 bond lengths)
    /// from the starting centroid.
    double explode_factor = 4.0;
};

/// Outcome of one relaxation.
struct RelaxResult {
    RelaxStatus status = RelaxStatus::max_steps;  ///< how it ended
    double energy = 0.0;      ///< final energy, eV
    double fmax = 0.0;        ///< final largest force norm, eV/Angstrom
    int steps = 0;            ///< iterations taken
    long evaluations = 0;     ///< energy+force calls of the potential
    /// True if the structure is a usable minimum (converged).
    [[nodiscard]] bool ok() const { return status == RelaxStatus::converged; }
};

/// A local optimiser. const and re-entrant: one Relaxer serves many threads.
class Relaxer {
public:
    virtual ~Relaxer() = default;
    /// Registry key ("fire", "lbfgs").
    [[nodiscard]] virtual std::string type() const = 0;
    /// Relaxes `cluster` in place on `potential`. Never throws for numerical trouble: NaN,
    /// explosion and fragmentation are reported through RelaxResult::status.
    [[nodiscard]] virtual RelaxResult relax(Cluster& cluster, const Potential& potential,
                                            const RelaxOptions& options) const = 0;
};

/// One registered relaxer.
struct RelaxerEntry {
    std::string key;      ///< value of `type` in [relax]
    std::string summary;  ///< one line for docs and listings
    /// Builds the relaxer from a [relax] table (reads and validates its own keys).
    std::function<std::unique_ptr<Relaxer>(const ParameterTable&)> create;
};

/// Registered relaxers, in registration order ("lbfgs", "fire"); the first is the default.
[[nodiscard]] const Registry<RelaxerEntry>& relaxer_registry();

/// Builds a relaxer from a [relax] table: `type` selects it (default "lbfgs"); its own keys
/// (for example FIRE's `dt`) are read and validated. Keys shared by all relaxers (fmax,
/// max_steps, max_step) are read by read_relax_options().
[[nodiscard]] std::unique_ptr<Relaxer> create_relaxer(const ParameterTable& table);

/// The shared options of a [relax] table, with defaults for absent keys.
[[nodiscard]] RelaxOptions read_relax_options(const ParameterTable& table);

/// Relaxes every cluster (OpenMP, dynamic schedule, `threads` <= 0 means the OpenMP default).
/// Each relaxation is independent, so results are identical for any thread count.
[[nodiscard]] std::vector<RelaxResult> relax_batch(std::vector<Cluster>& clusters,
                                                   const Potential& potential,
                                                   const Relaxer& relaxer,
                                                   const RelaxOptions& options, int threads);

}  // namespace nanoscape
