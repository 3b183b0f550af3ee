#include "nanoscape/core/interrupt.hpp"

#include <array>
#include <csignal>

namespace nanoscape {

namespace {

// A fixed table of lock-free slots, so the signal handler reads it without locks or
// allocation; 0 marks a free slot.
constexpr std::size_t max_groups = 64;
std::array<std::atomic<pid_t>, max_groups> child_groups{};
static_assert(std::atomic<pid_t>::is_always_lock_free, "the signal handler needs lock-free slots");

}  // namespace

std::atomic<bool>& interrupt_flag() {
    static std::atomic<bool> flag{false};
    static_assert(std::atomic<bool>::is_always_lock_free, "the signal handler needs a lock-free flag");
    return flag;
}

bool register_child_group(pid_t group) {
    for (auto& slot : child_groups) {
        pid_t expected = 0;
        if (slot.compare_exchange_strong(expected, group)) return true;
    }
    return false;
}

void unregister_child_group(pid_t group) {
    for (auto& slot : child_groups) {
        pid_t expected = group;
        if (slot.compare_exchange_strong(expected, 0)) return;
    }
}

void kill_child_groups() noexcept {
    for (auto& slot : child_groups)
        if (const pid_t group = slot.load(); group > 0) ::kill(-group, SIGKILL);
}

}  // namespace nanoscape
