#pragma once
// Entry points of the fuzz targets (tests/fuzz/fuzz_targets.cpp): each reads one input the way
// the program does and must either accept it or reject it with an InputError. Anything else
// (another exception, a crash, a sanitizer report) is a bug. The libFuzzer mains
// (fuzz_main_*.cpp, built by tools/fuzz.sh with clang) call them, and so does the regression
// test that replays the kept inputs in tests/fuzz/corpus/ with every normal build.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace nanoscape::fuzz {

/// An extended XYZ file (read_xyz), then the structure checks of eval.
int xyz(const std::uint8_t* data, std::size_t size);
/// A run file (load_run_config; written to a temporary file, as the loader reads paths).
int run_file(const std::uint8_t* data, std::size_t size);
/// A potential parameter file: the first byte chooses TOML (load_potential), an EAM setfl or
/// an EAM funcfl table; the rest is the file. A potential that loads is evaluated on a dimer.
int potential_file(const std::uint8_t* data, std::size_t size);
/// A checkpoint (JSON) restored into a small Lennard-Jones basin-hopping run.
int checkpoint(const std::uint8_t* data, std::size_t size);

/// The targets by name ("xyz", "run_file", "potential_file", "checkpoint").
using Target = int (*)(const std::uint8_t*, std::size_t);
[[nodiscard]] Target target(const std::string& name);
[[nodiscard]] std::vector<std::string> target_names();

}  // namespace nanoscape::fuzz
