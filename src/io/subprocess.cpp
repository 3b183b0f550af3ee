#include "nanoscape/io/subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "nanoscape/core/error.hpp"
#include "nanoscape/core/interrupt.hpp"

namespace nanoscape {

namespace {

// How long a persistent calculator may take to exit once its input closes.
constexpr double graceful_exit_seconds = 3.0;

// stderr kept per child: enough for a traceback, bounded for a chatty program.
constexpr std::size_t stderr_keep = 4096;

void ignore_sigpipe_once() {
    static const bool done = [] {
        struct sigaction action {};
        action.sa_handler = SIG_IGN;
        sigemptyset(&action.sa_mask);
        sigaction(SIGPIPE, &action, nullptr);
        return true;
    }();
    (void)done;
}

int remaining_ms(Deadline deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    return static_cast<int>(std::clamp<long long>(left.count(), 0, 1000));
}

void make_pipe(int fds[2]) {
    if (::pipe2(fds, O_CLOEXEC) != 0) throw Error(fmt::format("cannot create a pipe: {}", std::strerror(errno)));
}

}  // namespace

Deadline deadline_in(double seconds) {
    if (!(seconds > 0)) return Deadline::max();
    return std::chrono::steady_clock::now() +
           std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds));
}

Subprocess::Subprocess(const std::string& command, const std::string& workdir, bool pipe_stdin) {
    ignore_sigpipe_once();
    int in[2] = {-1, -1}, out[2], err[2];
    if (pipe_stdin) make_pipe(in);
    make_pipe(out);
    make_pipe(err);
    // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
    const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
    const char* dir = workdir.empty() ? nullptr : workdir.c_str();
    const int devnull = pipe_stdin ? -1 : ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    const pid_t pid = ::fork();
    if (pid < 0) throw Error(fmt::format("cannot start '{}': {}", command, std::strerror(errno)));
    if (pid == 0) {
        ::setpgid(0, 0);
        struct sigaction action {};
        action.sa_handler = SIG_DFL;
        sigemptyset(&action.sa_mask);
        for (int s : {SIGPIPE, SIGINT, SIGTERM}) sigaction(s, &action, nullptr);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        ::dup2(pipe_stdin ? in[0] : devnull, STDIN_FILENO);
        ::dup2(out[1], STDOUT_FILENO);
        ::dup2(err[1], STDERR_FILENO);
        if (dir && ::chdir(dir) != 0) {
            static const char msg[] = "nanoscape: cannot enter the calculator's working directory\n";
            (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);
            ::_exit(126);
        }
        ::execv("/bin/sh", const_cast<char* const*>(argv));
        ::_exit(127);
    }
    // Also set from the parent, so the group exists before anyone signals it.
    ::setpgid(pid, pid);
    register_child_group(pid);
    pid_ = pid;
    if (devnull >= 0) ::close(devnull);
    if (pipe_stdin) {
        ::close(in[0]);
        in_ = in[1];
    }
    ::close(out[1]);
    ::close(err[1]);
    out_ = out[0];
    err_ = err[0];
    for (int fd : {in_, out_, err_})
        if (fd >= 0) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

Subprocess::~Subprocess() {
    // A persistent calculator ends when its input closes: give it a moment to clean up (a DFT
    // wrapper removing its scratch files) before the kill.
    if (in_ >= 0 && pid_ > 0) {
        close_fd(in_);
        (void)wait(deadline_in(graceful_exit_seconds));
    }
    kill();
    close_fd(in_);
    close_fd(out_);
    close_fd(err_);
}

void Subprocess::close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

bool Subprocess::write(std::string_view text, Deadline deadline) {
    std::size_t done = 0;
    while (done < text.size()) {
        if (in_ < 0) return false;
        const ssize_t n = ::write(in_, text.data() + done, text.size() - done);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN) return false;  // EPIPE: the child is gone
        if (std::chrono::steady_clock::now() >= deadline) return false;
        // The pipe is full: let the child read while we drain what it writes.
        pollfd fds[3] = {{in_, POLLOUT, 0}, {out_, POLLIN, 0}, {err_, POLLIN, 0}};
        if (::poll(fds, 3, remaining_ms(deadline)) > 0 && (fds[1].revents || fds[2].revents)) pump(0);
    }
    return true;
}

void Subprocess::pump(int timeout_ms) {
    std::vector<pollfd> fds;
    if (out_ >= 0) fds.push_back({out_, POLLIN, 0});
    if (err_ >= 0) fds.push_back({err_, POLLIN, 0});
    if (fds.empty()) {
        if (timeout_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(std::min(timeout_ms, 20)));
        return;
    }
    if (::poll(fds.data(), fds.size(), timeout_ms) <= 0) return;
    char buffer[65536];
    for (const auto& p : fds) {
        if (!p.revents) continue;
        int& fd = p.fd == out_ ? out_ : err_;
        for (;;) {
            const ssize_t n = ::read(fd, buffer, sizeof buffer);
            if (n > 0) {
                if (&fd == &out_) {
                    out_buffer_.append(buffer, static_cast<std::size_t>(n));
                } else {
                    err_tail_.append(buffer, static_cast<std::size_t>(n));
                    if (err_tail_.size() > 2 * stderr_keep) err_tail_.erase(0, err_tail_.size() - stderr_keep);
                }
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n == 0) close_fd(fd);  // end of file
            break;                     // EAGAIN: nothing more for now
        }
    }
}

Subprocess::ReadStatus Subprocess::read_reply(const std::function<long(std::string_view)>& complete,
                                              std::string& reply, Deadline deadline) {
    for (;;) {
        const long n = complete(out_buffer_);
        if (n > 0) {
            reply = out_buffer_.substr(0, static_cast<std::size_t>(n));
            out_buffer_.erase(0, static_cast<std::size_t>(n));
            return ReadStatus::complete;
        }
        if (n < 0) return ReadStatus::garbage;
        if (out_ < 0) return ReadStatus::eof;
        if (std::chrono::steady_clock::now() >= deadline) return ReadStatus::timeout;
        pump(remaining_ms(deadline));
    }
}

void Subprocess::reap(bool block) {
    if (pid_ <= 0) return;
    int status = 0;
    for (;;) {
        const pid_t r = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
        if (r < 0 && errno == EINTR) continue;
        if (r == pid_) {
            status_ = status;
            unregister_child_group(pid_);
            pid_ = -1;
        } else if (r < 0) {  // not our child any more (cannot happen unless reaped elsewhere)
            unregister_child_group(pid_);
            pid_ = -1;
        }
        return;
    }
}

std::optional<int> Subprocess::wait(Deadline deadline) {
    for (;;) {
        reap(false);
        if (pid_ <= 0) {
            pump(0);  // what it wrote just before it exited
            return status_;
        }
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        pump(std::min(remaining_ms(deadline), 20));
    }
}

void Subprocess::kill() {
    if (pid_ <= 0) return;
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
    reap(true);
}

std::string Subprocess::stderr_tail() const {
    std::string tail = err_tail_.size() > stderr_keep ? err_tail_.substr(err_tail_.size() - stderr_keep) : err_tail_;
    while (!tail.empty() && std::isspace(static_cast<unsigned char>(tail.back()))) tail.pop_back();
    return tail;
}

std::string Subprocess::exit_description() const {
    if (!status_) return "running";
    const int s = *status_;
    if (WIFEXITED(s)) return fmt::format("exited with status {}", WEXITSTATUS(s));
    if (WIFSIGNALED(s)) return fmt::format("was killed by signal {} ({})", WTERMSIG(s), ::strsignal(WTERMSIG(s)));
    return fmt::format("ended with wait status {}", s);
}

}  // namespace nanoscape
