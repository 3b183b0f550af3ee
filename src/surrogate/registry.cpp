#include "nanoscape/surrogate/surrogate.hpp"

namespace nanoscape {

const std::vector<SurrogateEntry>& surrogate_registry() {
    // One line per model: key, summary, factory.
    static const std::vector<SurrogateEntry> entries{};
    return entries;
}

}  // namespace nanoscape
