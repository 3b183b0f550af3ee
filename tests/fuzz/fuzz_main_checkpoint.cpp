// libFuzzer entry point of the checkpoint target (tools/fuzz.sh builds it with clang).
#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, unsigned long size) {
    return nanoscape::fuzz::checkpoint(data, size);
}
