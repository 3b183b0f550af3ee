#pragma once
// Child processes for tests that need a real `nanoscape` process: kill -9, SIGINT, exit codes.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace nanoscape::testing {

// A running child process; its standard output and error go to `log`.
class Process {
public:
    Process(const std::vector<std::string>& args, const std::string& log) {
        std::vector<char*> argv;
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
        const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (rc != 0) throw std::runtime_error("cannot start " + args.front());
    }
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;
    ~Process() {
        if (running()) {
            ::kill(pid_, SIGKILL);
            (void)wait();
        }
    }

    // True until the child has been waited for.
    [[nodiscard]] bool running() {
        if (done_) return false;
        int status = 0;
        const pid_t r = waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            done_ = true;
            status_ = status;
        }
        return !done_;
    }
    void signal(int sig) const { ::kill(pid_, sig); }
    // Waits for the child; its exit code, or 128 + the signal that killed it.
    int wait() {
        if (!done_) {
            waitpid(pid_, &status_, 0);
            done_ = true;
        }
        if (WIFEXITED(status_)) return WEXITSTATUS(status_);
        if (WIFSIGNALED(status_)) return 128 + WTERMSIG(status_);
        return -1;
    }

private:
    pid_t pid_ = 0;
    bool done_ = false;
    int status_ = 0;
};

// Runs a command to the end; its exit code.
inline int run_process(const std::vector<std::string>& args, const std::string& log) {
    Process p(args, log);
    return p.wait();
}

}  // namespace nanoscape::testing
