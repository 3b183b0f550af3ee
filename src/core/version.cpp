#include "nanoscape/core/version.hpp"

#include "nanoscape_build_info.hpp"

namespace nanoscape {

const char* version() { return NANOSCAPE_VERSION_STRING; }

}  // namespace nanoscape
