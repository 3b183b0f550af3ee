// The inputs kept for the fuzz targets (tests/fuzz/corpus/<target>/: the seeds and every input
// a fuzzing run found a bug with) are replayed by every build: each must be accepted or
// rejected with an InputError, never crash or throw anything else.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "fuzz/fuzz_targets.hpp"

namespace nanoscape {
namespace {

namespace fs = std::filesystem;

TEST(FuzzRegressions, EveryKeptInputIsAcceptedOrRejectedCleanly) {
    std::size_t replayed = 0;
    for (const auto& name : fuzz::target_names()) {
        const fs::path dir = fs::path(NANOSCAPE_SOURCE_DIR) / "tests" / "fuzz" / "corpus" / name;
        ASSERT_TRUE(fs::is_directory(dir)) << dir;
        const auto run = fuzz::target(name);
        for (const auto& entry : fs::directory_iterator(dir)) {
            std::ifstream in(entry.path(), std::ios::binary);
            const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            SCOPED_TRACE(entry.path().string());
            EXPECT_NO_THROW(run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
            ++replayed;
        }
    }
    EXPECT_GE(replayed, 20u);
}

}  // namespace
}  // namespace nanoscape
