#include "nanoscape/descriptors/descriptor.hpp"
#include "nanoscape/descriptors/nbody.hpp"
#include "nanoscape/descriptors/soap.hpp"
#include "nanoscape/descriptors/symmetry_functions.hpp"

namespace nanoscape {

const Registry<DescriptorEntry>& descriptor_registry() {
    // One line per descriptor: key, summary, factory.
    static const Registry<DescriptorEntry> registry("descriptor type", "valid types", {
        {"symmetry_functions", "Behler-Parrinello G2 + G4/G5 atom-centred symmetry functions, element resolved",
         make_symmetry_functions},
        {"soap", "SOAP power spectrum (Gaussian radial basis x real spherical harmonics), element resolved",
         make_soap},
        {"nbody", "2- and 3-body grid features whose dot product is the Glielmo n-body kernel", make_nbody},
    });
    return registry;
}

}  // namespace nanoscape
