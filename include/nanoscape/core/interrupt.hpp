#pragma once
/// @file The process-wide interrupt request (SIGINT/SIGTERM) and the calculator processes a
/// second signal must not leave behind.
///
/// The CLI's signal handler sets the flag; the engine stops after the round in progress, and
/// external calculators start no new call once it is set (a call in progress finishes, so no
/// computed energy is lost). A second signal ends nanoscape at once: the handler first kills
/// the process group of every calculator still running, so none is orphaned.

#include <atomic>
#include <string>
#include <sys/types.h>

#include "nanoscape/core/error.hpp"

namespace nanoscape {

/// The flag a SIGINT/SIGTERM handler sets (lock-free, so a handler may store to it).
[[nodiscard]] std::atomic<bool>& interrupt_flag();

/// True once an interrupt was requested.
[[nodiscard]] inline bool interrupt_requested() { return interrupt_flag().load(std::memory_order_relaxed); }

/// Thrown by work that stops because an interrupt was requested (an external calculator asked
/// for a new call). The engine ends the run as interrupted without committing the round, so
/// the last checkpoint stays the one a resume continues from.
class Interrupted : public Error {
public:
    /// @param message what was stopped
    explicit Interrupted(const std::string& message) : Error(message) {}
};

/// Registers the process group of a running child (its pid, which leads the group) so that
/// kill_child_groups() can reach it; false if the table (64 groups) is full.
bool register_child_group(pid_t group);
/// Forgets a group registered with register_child_group() (after it was reaped).
void unregister_child_group(pid_t group);
/// Sends SIGKILL to every registered group. Async-signal-safe: for a signal handler.
void kill_child_groups() noexcept;

}  // namespace nanoscape
