#include "nanoscape/surrogate/surrogate.hpp"

#include "nanoscape/surrogate/ann_committee.hpp"
#include "nanoscape/surrogate/gpr.hpp"
#include "nanoscape/surrogate/mapped.hpp"
#include "nanoscape/surrogate/ridge.hpp"

namespace nanoscape {

const Registry<SurrogateEntry>& surrogate_registry() {
    // One line per model: key, summary, factory.
    static const Registry<SurrogateEntry> registry("surrogate type", "valid types", {
        {"gpr", "Gaussian-process regression, sum kernel over atoms, exact or sparse, with predictive variance", make_gpr},
        {"ann_committee", "Committee of Behler-Parrinello neural networks; calibrated spread of the members as uncertainty", make_ann_committee},
        {"mapped", "2-body Gaussian process on energies and forces, tabulated to splines (pair-potential cost) with tabulated variance", make_mapped},
        {"ridge", "Bayesian ridge regression on per-species summed descriptors (linear baseline)", make_ridge},
    });
    return registry;
}

}  // namespace nanoscape
