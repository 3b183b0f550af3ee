#pragma once
/// @file Version of this build.

namespace nanoscape {

/// "MAJOR.MINOR.PATCH" of nanoscape, as set in CMakeLists.txt.
[[nodiscard]] const char* version();

}  // namespace nanoscape
