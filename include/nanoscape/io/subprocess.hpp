#pragma once
/// @file A child process with pipes and deadlines, for external calculators.
///
/// POSIX fork/exec of `/bin/sh -c COMMAND` in its own process group (so a kill reaches the
/// programs the command starts, an MPI launcher's ranks included), with stdin, stdout and
/// stderr on pipes. Every wait has a deadline; nothing here blocks without one. The child is
/// always reaped (no zombies): by wait(), kill() or the destructor. SIGPIPE is ignored in
/// nanoscape (a calculator that died while we write to it is an error code, not our death)
/// and restored to its default in the child.
///
/// Written on POSIX directly rather than Boost.Process: Debian 12's Boost 1.74 has no reliable
/// timed wait on a child's pipes, and these are the only three calls a calculator needs.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace nanoscape {

/// Monotonic deadline of a call.
using Deadline = std::chrono::steady_clock::time_point;

/// A deadline `seconds` from now; <= 0 means none (a far future).
[[nodiscard]] Deadline deadline_in(double seconds);

/// A running child process.
class Subprocess {
public:
    /// Starts `/bin/sh -c command` with working directory `workdir` (empty: ours). stdin is a
    /// pipe if `pipe_stdin`, /dev/null otherwise. Throws Error if the process cannot be
    /// started (no such directory, fork failure); a command the shell cannot find exits 127.
    Subprocess(const std::string& command, const std::string& workdir, bool pipe_stdin);
    /// Closes the child's stdin and gives it 3 s to exit (a persistent calculator ends at the end
    /// of its input), then kills the process group (if still running) and reaps the child.
    ~Subprocess();
    Subprocess(const Subprocess&) = delete;
    Subprocess& operator=(const Subprocess&) = delete;

    /// Process id of the child (leader of its process group).
    [[nodiscard]] pid_t pid() const { return pid_; }

    /// Writes `text` to the child's stdin before `deadline`. False if the child closed its
    /// stdin (died) or the deadline passed first.
    bool write(std::string_view text, Deadline deadline);

    /// How read_reply() ended.
    enum class ReadStatus {
        complete,  ///< `reply` holds a complete answer
        eof,       ///< stdout closed before a complete answer
        timeout,   ///< the deadline passed first
        garbage,   ///< `complete` rejected what was read
    };
    /// Reads stdout until complete(buffer) returns the length of a whole answer (> 0; 0: read
    /// more; < 0: the buffer cannot become one). Bytes after the answer are kept for the next
    /// call. stderr is collected meanwhile (stderr_tail()).
    ReadStatus read_reply(const std::function<long(std::string_view)>& complete, std::string& reply,
                          Deadline deadline);

    /// Waits for the child to exit before `deadline`, collecting stdout and stderr. Returns
    /// the wait status, or nothing if the deadline passed (the child is still running).
    std::optional<int> wait(Deadline deadline);

    /// Kills the process group with SIGKILL and reaps the child (no-op if it was reaped).
    void kill();

    /// True until the child was reaped.
    [[nodiscard]] bool running() const { return pid_ > 0; }
    /// The last few kilobytes the child wrote to stderr, trimmed.
    [[nodiscard]] std::string stderr_tail() const;
    /// What the child printed on stdout that no reply consumed (for per-call programs).
    [[nodiscard]] const std::string& unread_output() const { return out_buffer_; }
    /// "exited with status 3", "was killed by signal 11 (Segmentation fault)", or "running".
    [[nodiscard]] std::string exit_description() const;

private:
    // Reads what is available on stdout and stderr, waiting at most `timeout_ms`; false once
    // stdout is closed and empty.
    void pump(int timeout_ms);
    void close_fd(int& fd);
    void reap(bool block);

    pid_t pid_ = -1;
    int in_ = -1;
    int out_ = -1;
    int err_ = -1;
    std::string out_buffer_;
    std::string err_tail_;
    std::optional<int> status_;
};

}  // namespace nanoscape
