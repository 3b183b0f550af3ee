// External calculators: the child-process layer (deadlines, reaping, stderr), the reply
// checks, ExternalPotential against the compiled Lennard-Jones through the fake calculator of
// tests/calculators, and reference_calls.xyz (torn tail, exact cache).

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "nanoscape/core/interrupt.hpp"
#include "nanoscape/core/parallel.hpp"
#include "nanoscape/core/rng.hpp"
#include "nanoscape/io/external_potential.hpp"
#include "nanoscape/io/reference_calls.hpp"
#include "nanoscape/io/subprocess.hpp"
#include "nanoscape/io/xyz.hpp"
#include "nanoscape/potentials/lennard_jones.hpp"

namespace nanoscape {
namespace {

namespace fs = std::filesystem;

const std::string fake = std::string("python3 ") + NANOSCAPE_SOURCE_DIR + "/tests/calculators/fake_calculator.py";

fs::path scratch(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("nanoscape_external_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

Cluster random_cluster(int n, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    Eigen::Matrix3Xd x(3, n);
    // A jittered simple-cubic block at the LJ bond length: no overlaps, every atom bonded.
    const int side = static_cast<int>(std::ceil(std::cbrt(n)));
    for (int i = 0; i < n; ++i)
        x.col(i) = 1.12 * Eigen::Vector3d(i % side, (i / side) % side, i / (side * side)) +
                   0.05 * three_draws<Eigen::Vector3d>([&] { return u(rng); });
    return Cluster(x, std::vector<Species>(static_cast<std::size_t>(n), 18));
}

// Processes of group `group` that are alive (not zombies waiting for an init that may be slow
// to reap orphans in a container), from /proc/<pid>/stat: "pid (comm) state ppid pgrp ...".
int live_members(pid_t group) {
    int live = 0;
    for (const auto& entry : fs::directory_iterator("/proc")) {
        std::ifstream stat(entry.path() / "stat");
        std::string text;
        if (!std::getline(stat, text)) continue;
        const auto close = text.rfind(')');
        if (close == std::string::npos) continue;
        std::istringstream rest(text.substr(close + 2));
        char state = 0;
        long ppid = 0, pgrp = 0;
        rest >> state >> ppid >> pgrp;
        if (pgrp == group && state != 'Z' && state != 'X') ++live;
    }
    return live;
}

ExternalSettings fake_settings(const fs::path& dir, const std::string& extra) {
    ExternalSettings s;
    s.command = fmt::format("{} --counter {} {}", fake, (dir / "calls.count").string(), extra);
    s.workdir = dir.string();
    s.label = "fake";
    s.timeout = 20;
    return s;
}

TEST(XyzFrameLength, CompleteIncompleteAndGarbage) {
    const std::string frame = "2\ncomment\nAr 0 0 0\nAr 0 0 1\n";
    EXPECT_EQ(xyz_frame_length(frame), static_cast<long>(frame.size()));
    EXPECT_EQ(xyz_frame_length(frame + "3\nmore"), static_cast<long>(frame.size()));
    EXPECT_EQ(xyz_frame_length(frame.substr(0, frame.size() - 1)), 0);
    EXPECT_EQ(xyz_frame_length("1"), 0);
    EXPECT_EQ(xyz_frame_length("SCF failed\n"), -1);
    EXPECT_EQ(xyz_frame_length("x"), -1);
}

TEST(Subprocess, ExitStatusOutputAndStderrAreCollected) {
    Subprocess p("echo out; echo err >&2; exit 3", "", false);
    const auto status = p.wait(deadline_in(10));
    ASSERT_TRUE(status.has_value());
    EXPECT_TRUE(WIFEXITED(*status));
    EXPECT_EQ(WEXITSTATUS(*status), 3);
    EXPECT_EQ(p.unread_output(), "out\n");
    EXPECT_EQ(p.stderr_tail(), "err");
    EXPECT_EQ(p.exit_description(), "exited with status 3");
    EXPECT_FALSE(p.running());
}

TEST(Subprocess, DeadlinePassesThenKillReapsTheWholeGroup) {
    const auto start = std::chrono::steady_clock::now();
    // The shell starts a grandchild: the kill must reach it too (process group).
    Subprocess p("sleep 30 & sleep 30; wait", "", false);
    const pid_t pid = p.pid();
    EXPECT_FALSE(p.wait(deadline_in(0.3)).has_value());
    p.kill();
    EXPECT_FALSE(p.running());
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 5.0);
    // Reaped: no zombie left, and nothing of the group is alive.
    EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), -1);
    EXPECT_EQ(errno, ECHILD);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(live_members(pid), 0);
}

TEST(Subprocess, ReplyOverPipesAndWritingToADeadChild) {
    Subprocess cat("cat", "", true);
    const std::string frame = "1\nc\nAr 0 0 0\n";
    ASSERT_TRUE(cat.write(frame, deadline_in(5)));
    std::string reply;
    ASSERT_EQ(cat.read_reply(xyz_frame_length, reply, deadline_in(5)), Subprocess::ReadStatus::complete);
    EXPECT_EQ(reply, frame);
    Subprocess dead("exit 0", "", true);
    (void)dead.wait(deadline_in(5));
    EXPECT_FALSE(dead.write(std::string(1 << 20, 'x'), deadline_in(5)));  // EPIPE, not SIGPIPE
}

TEST(CalculatorReply, EveryMalformedAnswerIsACalculatorError) {
    const Cluster c = random_cluster(2, 1);
    Eigen::Matrix3Xd f;
    const std::string head = "2\nProperties=species:S:1:pos:R:3:forces:R:3 energy=-1.5\n";
    EXPECT_DOUBLE_EQ(parse_calculator_reply(head + "Ar 0 0 0 1 2 3\nAr 0 0 1 -1 -2 -3\n", c, f, "r"), -1.5);
    EXPECT_EQ(f(2, 1), -3.0);
    const auto throws = [&](const std::string& text, const std::string& what) {
        try {
            (void)parse_calculator_reply(text, c, f, "reply");
            ADD_FAILURE() << "accepted: " << text;
        } catch (const CalculatorError& e) {
            EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
        }
    };
    throws(head + "Ar 0 0 0 1 2 3\n", "unreadable");
    throws("1\nProperties=species:S:1:pos:R:3:forces:R:3 energy=1\nAr 0 0 0 0 0 0\n", "1 atoms");
    throws(head + "Ar 0 0 0 1 2 3\nKr 0 0 1 -1 -2 -3\n", "atom 2 is Kr");
    throws("2\nProperties=species:S:1:pos:R:3:forces:R:3\nAr 0 0 0 1 2 3\nAr 0 0 1 1 1 1\n", "no energy");
    throws("2\nProperties=species:S:1:pos:R:3 energy=1\nAr 0 0 0\nAr 0 0 1\n", "no forces");
    throws("2\nProperties=species:S:1:pos:R:3:forces:R:3 energy=nan\nAr 0 0 0 1 2 3\nAr 0 0 1 1 1 1\n", "nan");
    throws(head + "Ar 0 0 0 1 2 nan\nAr 0 0 1 1 1 1\n", "not finite");
}

TEST(ExternalPotential, EqualsTheCompiledLennardJonesFromTwoWorkersOnTwoThreads) {
    const fs::path dir = scratch("lj");
    ExternalSettings s = fake_settings(dir, "");
    s.workers = 2;
    const ExternalPotential external(s, "external");
    const LennardJones lj(LennardJonesParameters{});
    std::vector<Cluster> clusters;
    for (unsigned k = 0; k < 8; ++k) clusters.push_back(random_cluster(13 + static_cast<int>(k), k));
    std::vector<double> energies(clusters.size());
    std::vector<Eigen::Matrix3Xd> forces(clusters.size());
    parallel_for(static_cast<std::int64_t>(clusters.size()), 2, [&](std::int64_t i) {
        energies[i] = external.energy_and_forces(clusters[i], forces[i]);
    });
    for (std::size_t i = 0; i < clusters.size(); ++i) {
        Eigen::Matrix3Xd f;
        const double e = lj.energy_and_forces(clusters[i], f);
        EXPECT_NEAR(energies[i], e, 1e-11 * std::abs(e));
        EXPECT_LT((forces[i] - f).cwiseAbs().maxCoeff(), 1e-10);
    }
    EXPECT_EQ(external.calls(), 8);
    fs::remove_all(dir);
}

TEST(ExternalPotential, HangIsKilledAtTheTimeoutAndTheNextCallStartsAFreshProcess) {
    const fs::path dir = scratch("hang");
    ExternalSettings s = fake_settings(dir, "--fault hang --at 2");
    // Long enough for the first call's Python start-up on a loaded machine (it failed at 1 s
    // once in a parallel ctest run), short enough to tell a kill at the timeout from none.
    s.timeout = 3;
    const ExternalPotential external(s, "external");
    const Cluster c = random_cluster(4, 3);
    EXPECT_TRUE(std::isfinite(external.energy(c)));
    const auto start = std::chrono::steady_clock::now();
    try {
        (void)external.energy(c);
        ADD_FAILURE() << "a hang was answered";
    } catch (const CalculatorError& e) {
        EXPECT_NE(std::string(e.what()).find("timeout of 3 s"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("hanging at call 2"), std::string::npos) << e.what();
    }
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 8.0);
    EXPECT_TRUE(std::isfinite(external.energy(c)));  // call 3: a new process
    fs::remove_all(dir);
}

TEST(ExternalPotential, FailuresInARowStopWithAnErrorThatIsNotACalculatorError) {
    const fs::path dir = scratch("dead");
    std::ofstream(dir / "dead.flag") << "";
    ExternalSettings s = fake_settings(dir, fmt::format("--fault dead --at 1 --dead-flag {}", (dir / "dead.flag").string()));
    s.max_failures = 2;
    const ExternalPotential external(s, "external");
    const Cluster c = random_cluster(4, 4);
    EXPECT_THROW((void)external.energy(c), CalculatorError);
    try {
        (void)external.energy(c);
        ADD_FAILURE() << "no stop after max_failures";
    } catch (const CalculatorError&) {
        ADD_FAILURE() << "the run-stopping failure must not be a per-candidate CalculatorError";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("2 calls in a row (max_failures = 2)"), std::string::npos) << e.what();
    }
    fs::remove_all(dir);
}

TEST(ExternalPotential, NoNewCallAfterAnInterrupt) {
    const fs::path dir = scratch("interrupt");
    const ExternalPotential external(fake_settings(dir, ""), "external");
    interrupt_flag().store(true);
    EXPECT_THROW((void)external.energy(random_cluster(3, 5)), Interrupted);
    interrupt_flag().store(false);
    fs::remove_all(dir);
}

TEST(ReferenceCallLog, TornTailIsCutAndTheCacheAnswersExactlyTheSameStructureOnly) {
    const fs::path dir = scratch("log");
    const fs::path path = dir / "reference_calls.xyz";
    const LennardJones lj(LennardJonesParameters{});
    std::vector<Cluster> clusters;
    for (unsigned k = 0; k < 3; ++k) clusters.push_back(random_cluster(7, 10 + k));
    {
        auto log = std::make_shared<ReferenceCallLog>();
        log->open(path.string(), false);
        const LoggedPotential logged(std::make_shared<LennardJones>(LennardJonesParameters{}), log);
        for (const auto& c : clusters) (void)logged.energy(c);
        EXPECT_EQ(log->size(), 3);
    }
    const auto complete = fs::file_size(path);
    std::ofstream(path, std::ios::app) << "7\nProperties=species:S:1:pos:R:3:forces:R:3 energy=1\nAr 0 0";  // a kill mid-write
    auto log = std::make_shared<ReferenceCallLog>();
    log->open(path.string(), true);
    EXPECT_EQ(log->size(), 3);
    EXPECT_EQ(fs::file_size(path), complete);
    const LoggedPotential logged(std::make_shared<LennardJones>(LennardJonesParameters{}), log);
    Eigen::Matrix3Xd f, g;
    const double e = logged.energy_and_forces(clusters[1], f);
    EXPECT_EQ(log->cache_hits(), 1);
    EXPECT_EQ(e, lj.energy_and_forces(clusters[1], g));  // bit for bit through the text file
    EXPECT_EQ(f, g);
    Cluster moved = clusters[1];
    moved.positions(0, 0) = std::nextafter(moved.positions(0, 0), 1e9);
    (void)logged.energy(moved);
    EXPECT_EQ(log->cache_hits(), 1);
    EXPECT_EQ(log->size(), 4);
    const auto frames = read_xyz(path.string());
    ASSERT_EQ(frames.size(), 4u);
    EXPECT_TRUE(frames[3].find_info("calc_time").has_value());
    fs::remove_all(dir);
}

TEST(ReferenceCallLog, CaptureModeReadsWithoutWritingAndHandsOverItsCallsBitForBit) {
    // An MPI worker's log: the run's file fills the cache (its torn tail left alone: rank 0
    // may be writing it), new calls are kept for rank 0, which appends them to its file.
    const fs::path dir = scratch("capture");
    const fs::path path = dir / "reference_calls.xyz";
    const LennardJones lj(LennardJonesParameters{});
    const Cluster old = random_cluster(7, 20), fresh = random_cluster(7, 21);
    {
        auto log = std::make_shared<ReferenceCallLog>();
        log->open(path.string(), false);
        (void)LoggedPotential(std::make_shared<LennardJones>(LennardJonesParameters{}), log).energy(old);
    }
    std::ofstream(path, std::ios::app) << "7\nProperties=species:S:1:pos:R:3:forces:R:3 energy=1\nAr 0 0";
    const auto bytes = fs::file_size(path);
    auto worker = std::make_shared<ReferenceCallLog>();
    worker->capture(path.string());
    EXPECT_TRUE(worker->is_open());
    EXPECT_EQ(worker->size(), 1);
    const LoggedPotential logged(std::make_shared<LennardJones>(LennardJonesParameters{}), worker);
    (void)logged.energy(old);
    EXPECT_EQ(worker->cache_hits(), 1);
    Eigen::Matrix3Xd f, g;
    const double e = logged.energy_and_forces(fresh, f);
    EXPECT_EQ(fs::file_size(path), bytes);  // nothing written, nothing cut
    const CapturedCalls captured = captured_calls_from_json(nlohmann::json::from_cbor(nlohmann::json::to_cbor(
        captured_calls_to_json(worker->take_captured()))));
    const auto& taken = captured.calls;
    ASSERT_EQ(taken.size(), 1u);
    EXPECT_EQ(captured.reused, 1);
    EXPECT_TRUE(worker->take_captured().calls.empty());
    EXPECT_EQ(taken[0].energy, lj.energy_and_forces(fresh, g));
    EXPECT_EQ(taken[0].energy, e);
    EXPECT_EQ(taken[0].forces, g);
    EXPECT_EQ(taken[0].cluster.positions, fresh.positions);
    EXPECT_EQ(taken[0].cluster.species, fresh.species);
    // Rank 0 appends what a worker handed over: it is then in the file and in its cache.
    auto root = std::make_shared<ReferenceCallLog>();
    root->open(path.string(), true);
    root->merge(captured);
    EXPECT_EQ(root->size(), 2);
    EXPECT_EQ(root->cache_hits(), 1);  // the worker's answer from its cache counts as reused
    double cached = 0;
    Eigen::Matrix3Xd h;
    EXPECT_TRUE(root->lookup(fresh, cached, h));
    EXPECT_EQ(cached, e);
    EXPECT_EQ(read_xyz(path.string()).size(), 2u);
    fs::remove_all(dir);
}

}  // namespace
}  // namespace nanoscape
