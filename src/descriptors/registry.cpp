#include "nanoscape/descriptors/descriptor.hpp"

namespace nanoscape {

const std::vector<DescriptorEntry>& descriptor_registry() {
    // One line per descriptor: key, summary, factory.
    static const std::vector<DescriptorEntry> entries{};
    return entries;
}

}  // namespace nanoscape
