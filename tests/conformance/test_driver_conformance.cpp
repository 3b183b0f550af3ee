// Every registered driver, through the engine and through the command line: results do not
// depend on the thread count; a run killed with SIGKILL, or stopped with SIGINT, and resumed
// ends exactly as an uninterrupted one; every stop criterion is respected; a checkpoint of
// another run is refused naming what differs. A new entry in driver_registry() is picked up
// without touching this file (it runs with the entry's `example` keys).

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "nanoscape/io/run_directory.hpp"
#include "support/process.hpp"
#include "support/search_harness.hpp"

namespace nanoscape {
namespace {

namespace fs = std::filesystem;

const std::string binary = NANOSCAPE_BINARY;

// The test system: Ag13Cu6 with the Ferrando Ag-Cu Gupta potential (alloy, so homotop moves
// and species in checkpoints are exercised; each relaxation takes about a millisecond).
std::vector<Species> test_species() {
    std::vector<Species> s(6, species_from_symbol("Cu"));
    s.insert(s.end(), 13, species_from_symbol("Ag"));
    return s;
}

std::string potential_file() { return std::string(NANOSCAPE_SOURCE_DIR) + "/inputs/potentials/gupta_agcu_ferrando.toml"; }

std::string read_text(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// summary.json without its timing and thread-count lines.
std::string summary_without_timing(const fs::path& dir) {
    std::istringstream in(read_text(dir / "summary.json"));
    std::string line, out;
    while (std::getline(in, line))
        if (line.find("\"wall_time_s\"") == std::string::npos && line.find("\"threads\"") == std::string::npos)
            out += line + "\n";
    return out;
}

// trace.csv without its last column (wall time).
std::string trace_without_timing(const fs::path& dir) {
    std::istringstream in(read_text(dir / "trace.csv"));
    std::string line, out;
    while (std::getline(in, line)) out += line.substr(0, line.rfind(',')) + "\n";
    return out;
}

void expect_same_results(const fs::path& a, const fs::path& b) {
    ASSERT_TRUE(fs::exists(a / "summary.json")) << a;
    ASSERT_TRUE(fs::exists(b / "summary.json")) << b;
    EXPECT_EQ(summary_without_timing(a), summary_without_timing(b)) << a << " vs " << b;
    EXPECT_EQ(read_text(a / "minima.xyz"), read_text(b / "minima.xyz")) << a << " vs " << b;
    EXPECT_EQ(trace_without_timing(a), trace_without_timing(b)) << a << " vs " << b;
}

long checkpoint_steps(const fs::path& dir) {
    std::ifstream in(checkpoint_path(dir.string()));
    if (!in) return -1;
    try {
        return nlohmann::json::parse(in).at("progress").at("steps").get<long>();
    } catch (const std::exception&) {
        return -1;
    }
}

class DriverConformance : public ::testing::TestWithParam<std::string> {
protected:
    static constexpr long cli_steps = 3000;

    // A scratch directory for this test process, removed when it exits.
    static fs::path work() {
        static const struct Scratch {
            fs::path dir = fs::temp_directory_path() / fmt::format("nanoscape_driver_conformance_{}", ::getpid());
            Scratch() { fs::create_directories(dir); }
            ~Scratch() {
                std::error_code ec;
                fs::remove_all(dir, ec);
            }
        } scratch;
        return scratch.dir;
    }
    const DriverEntry& entry() const { return driver_registry().get(GetParam()); }

    // A run file for this driver; results every 10 steps in the checkpoint.
    fs::path run_file() const {
        const fs::path path = work() / fmt::format("{}.toml", GetParam());
        std::ofstream out(path);
        out << fmt::format(R"([system]
elements = ["Ag", "Cu"]
composition = {{ Ag = 13, Cu = 6 }}
seed = 11
[potential]
type = "gupta"
parameters = "{}"
[relax]
fmax = 1e-3
[search]
driver = "{}"
max_steps = {}
{}
[output]
checkpoint_interval = 1000
checkpoint_steps = 10
)",
                           potential_file(), GetParam(), cli_steps, entry().example);
        return path;
    }
    fs::path dir(const std::string& name) const { return work() / fmt::format("{}.{}", GetParam(), name); }

    int run(const std::vector<std::string>& extra, const std::string& name) const {
        std::vector<std::string> args{binary, "-q", "run", run_file().string(), "-o", dir(name).string()};
        args.insert(args.end(), extra.begin(), extra.end());
        return testing::run_process(args, (work() / fmt::format("{}.{}.log", GetParam(), name)).string());
    }

    // The uninterrupted two-thread run, made once per driver and binary: ctest runs every test
    // in a process of its own, so it is kept beside the binary (conformance_reference/), under
    // a key of the run file's text and the binary's size and time, for the other tests of the
    // driver. Made in a directory of this process and renamed into place, so two tests making
    // it at once leave one complete copy (the runs are identical).
    fs::path reference() const {
        static std::map<std::string, fs::path> made;
        if (!made.count(GetParam())) {
            const fs::path bin(binary);
            std::ifstream in(run_file());
            std::stringstream text;
            text << in.rdbuf();
            const auto stamp = fs::last_write_time(bin).time_since_epoch().count();
            const std::size_t key = std::hash<std::string>{}(fmt::format("{}|{}|{}", text.str(), fs::file_size(bin), stamp));
            const fs::path cache = bin.parent_path() / "conformance_reference" / fmt::format("{}.{:016x}", GetParam(), key);
            if (!fs::exists(cache / "summary.json")) {
                fs::remove_all(dir("reference"));
                EXPECT_EQ(run({"--threads", "2"}, "reference"), 0);
                std::error_code ec;
                fs::create_directories(cache.parent_path(), ec);
                // Copied next to its place first: the scratch directory may be on another file system.
                const fs::path part = cache.string() + fmt::format(".part{}", ::getpid());
                fs::copy(dir("reference"), part, fs::copy_options::recursive, ec);
                if (!ec) fs::rename(part, cache, ec);  // fails if another test put it there first
                fs::remove_all(part, ec);
            }
            made[GetParam()] = fs::exists(cache / "summary.json") ? cache : dir("reference");
        }
        return made.at(GetParam());
    }

    // Starts a run and sends `sig` once its checkpoint holds at least a random number of steps.
    int interrupt_run(const std::string& name, int sig, long& at_steps) const {
        fs::remove_all(dir(name));
        std::random_device device;
        at_steps = std::uniform_int_distribution<long>(cli_steps / 30, cli_steps / 2)(device);
        testing::Process p({binary, "-q", "run", run_file().string(), "-o", dir(name).string(), "--threads", "2"},
                           (work() / fmt::format("{}.{}.log", GetParam(), name)).string());
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
        while (p.running() && checkpoint_steps(dir(name)) < at_steps && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        EXPECT_TRUE(p.running()) << "the run ended before it could be interrupted at step " << at_steps;
        // Then a random moment within the next few rounds, not just after a checkpoint.
        std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 200000)(device)));
        p.signal(sig);
        return p.wait();
    }
};

TEST_P(DriverConformance, OneAndTwoThreads_GiveIdenticalFiles) {
    const fs::path ref = reference();
    fs::remove_all(dir("one_thread"));
    ASSERT_EQ(run({"--threads", "1"}, "one_thread"), 0);
    expect_same_results(ref, dir("one_thread"));
}

TEST_P(DriverConformance, KilledAtRandomThenResumed_EndsAsUninterrupted) {
    const fs::path ref = reference();
    long at = 0;
    const int code = interrupt_run("killed", SIGKILL, at);
    SCOPED_TRACE(fmt::format("killed with SIGKILL once the checkpoint reached step {}", at));
    EXPECT_EQ(code, 128 + SIGKILL);
    ASSERT_EQ(run({"--resume"}, "killed"), 0);
    expect_same_results(ref, dir("killed"));
}

TEST_P(DriverConformance, SigintThenResumed_EndsAsUninterrupted) {
    const fs::path ref = reference();
    long at = 0;
    const int code = interrupt_run("sigint", SIGINT, at);
    SCOPED_TRACE(fmt::format("SIGINT once the checkpoint reached step {}", at));
    EXPECT_EQ(code, 130);
    const auto summary = nlohmann::json::parse(read_text(dir("sigint") / "summary.json"));
    EXPECT_EQ(summary.at("status"), "interrupted");
    EXPECT_EQ(summary.at("stop_reason"), "interrupted");
    // The checkpoint is the state at the stop, and the log says so.
    EXPECT_EQ(checkpoint_steps(dir("sigint")), summary.at("steps").get<long>());
    EXPECT_NE(read_text(dir("sigint") / "run.log").find("interrupted at step"), std::string::npos);
    ASSERT_EQ(run({"--resume"}, "sigint"), 0);
    expect_same_results(ref, dir("sigint"));
}

TEST_P(DriverConformance, CommandLineBudgets_OverrideTheRunFile) {
    const auto summary = [&](const std::string& name) {
        return nlohmann::json::parse(read_text(dir(name) / "summary.json"));
    };
    fs::remove_all(dir("cli_steps"));
    ASSERT_EQ(run({"--max-steps", "23"}, "cli_steps"), 0);
    EXPECT_EQ(summary("cli_steps").at("stop_reason"), "max_steps");
    EXPECT_EQ(summary("cli_steps").at("steps"), 23);
    fs::remove_all(dir("cli_evaluations"));
    ASSERT_EQ(run({"--max-evaluations", "3000"}, "cli_evaluations"), 0);
    EXPECT_EQ(summary("cli_evaluations").at("stop_reason"), "max_evaluations");
    EXPECT_GE(summary("cli_evaluations").at("reference_evaluations").get<long>(), 3000);
    fs::remove_all(dir("cli_time"));
    ASSERT_EQ(run({"--max-wall-time", "0.5", "--max-steps", "0"}, "cli_time"), 0);
    EXPECT_EQ(summary("cli_time").at("stop_reason"), "max_wall_time");
    EXPECT_GE(summary("cli_time").at("wall_time_s").get<double>(), 0.5);
}

// Fault injection: the local evaluator, failing at its `fail_at`-th batch.
class FailingEvaluator final : public Evaluator {
public:
    FailingEvaluator(Evaluator& inner, int fail_at) : inner_(inner), fail_at_(fail_at) {}
    std::string describe() const override { return inner_.describe(); }
    std::vector<Evaluation> evaluate(std::span<const Candidate> batch) override {
        if (++calls_ == fail_at_) throw Error("injected calculator failure");
        return inner_.evaluate(batch);
    }
    EvaluationCounts counts() const override { return inner_.counts(); }
    nlohmann::json identity() const override { return inner_.identity(); }
    nlohmann::json save_state() const override { return inner_.save_state(); }
    void load_state(const nlohmann::json& state) override { inner_.load_state(state); }

private:
    Evaluator& inner_;
    int fail_at_;
    int calls_ = 0;
};

TEST_P(DriverConformance, FailingRound_LeavesResultsThatResume) {
    const fs::path ref = reference();
    fs::remove_all(dir("failing"));
    RunOverrides output;
    output.output = dir("failing").string();
    {
        RunConfig config = load_run_config(run_file().string(), output);
        RunDirectory directory(config, RunDirectoryMode::fresh, 2);
        LocalEvaluator local(*config.potential, *config.relaxer, config.relax, 2);
        FailingEvaluator failing(local, 150);
        SearchEngine engine(config.problem, config.engine, *config.driver, failing, directory.logger());
        EXPECT_THROW(engine.run(directory), Error);
    }
    const auto summary = nlohmann::json::parse(read_text(dir("failing") / "summary.json"));
    EXPECT_EQ(summary.at("status"), "failed");
    EXPECT_NE(summary.at("error").get<std::string>().find("injected calculator failure"), std::string::npos);
    EXPECT_GT(checkpoint_steps(dir("failing")), 0);
    {
        RunConfig config = load_run_config(run_file().string(), output);
        RunDirectory directory(config, RunDirectoryMode::resume, 2);
        LocalEvaluator local(*config.potential, *config.relaxer, config.relax, 2);
        SearchEngine engine(config.problem, config.engine, *config.driver, local, directory.logger());
        directory.resume(engine);
        engine.run(directory);
    }
    expect_same_results(ref, dir("failing"));
}

// In-process runs of the same system.
struct Recorder final : public RunObserver {
    std::vector<TraceRow> rows;
    std::atomic<bool>* interrupt = nullptr;
    std::size_t interrupt_after = 0;
    void on_row(const TraceRow& row, const SearchEngine&) override {
        rows.push_back(row);
        if (interrupt && rows.size() == interrupt_after) interrupt->store(true);
    }
    void on_checkpoint(const SearchEngine&) override {}
    void on_finish(const SearchEngine&) override {}
    void on_error(const SearchEngine&, const std::string&) override {}
    // Cumulative evaluations and wall time at the end of the round before the last.
    [[nodiscard]] std::pair<long, double> before_last_round() const {
        const long last = rows.back().round;
        std::pair<long, double> out{0, 0.0};
        for (const auto& r : rows)
            if (r.round < last) out = {r.reference_evaluations, r.wall_time};
        return out;
    }
};

class InProcess {
public:
    InProcess(const std::string& driver, const EngineSettings& engine, std::uint64_t seed = 11)
        : potential_(load_potential_spec(potential_file(), "")), relaxer_(create_relaxer(ParameterTable("relax"))) {
        problem_.species = test_species();
        problem_.seed = seed;
        problem_.potential = potential_.get();
        relax_.fmax = 1e-3;
        const auto& e = driver_registry().get(driver);
        driver_ = create_driver(testing::search_table(fmt::format("driver = \"{}\"\n{}\n", driver, e.example)), problem_);
        evaluator_ = std::make_unique<LocalEvaluator>(*potential_, *relaxer_, relax_, 2);
        engine_ = std::make_unique<SearchEngine>(problem_, engine, *driver_, *evaluator_, nullptr);
    }
    SearchEngine& engine() { return *engine_; }

private:
    std::unique_ptr<Potential> potential_;
    std::unique_ptr<Relaxer> relaxer_;
    SearchProblem problem_;
    RelaxOptions relax_;
    std::unique_ptr<Driver> driver_;
    std::unique_ptr<LocalEvaluator> evaluator_;
    std::unique_ptr<SearchEngine> engine_;
};

// Engine settings with one stop criterion (and a generous step cap where given).
EngineSettings stop_at_steps(long n) {
    EngineSettings e;
    e.stop.max_steps = n;
    return e;
}
EngineSettings stop_at_evaluations(long n) {
    EngineSettings e;
    e.stop.max_evaluations = n;
    return e;
}
EngineSettings stop_at_seconds(double t) {
    EngineSettings e;
    e.stop.max_wall_time = t;
    return e;
}
EngineSettings stop_at_energy(double target, double tolerance) {
    EngineSettings e = stop_at_steps(100000);
    e.stop.target_energy = target;
    e.stop.target_tolerance = tolerance;
    return e;
}

TEST_P(DriverConformance, MaxSteps_StopsExactlyThere) {
    InProcess run(GetParam(), stop_at_steps(37));
    Recorder rec;
    run.engine().run(rec);
    EXPECT_EQ(run.engine().progress().stop_reason, "max_steps");
    EXPECT_EQ(run.engine().progress().steps, 37);
    EXPECT_EQ(rec.rows.back().step, 37);
}

TEST_P(DriverConformance, MaxEvaluations_StopsAfterTheRoundThatReachesIt) {
    InProcess run(GetParam(), stop_at_evaluations(4000));
    Recorder rec;
    run.engine().run(rec);
    const auto& p = run.engine().progress();
    EXPECT_EQ(p.stop_reason, "max_evaluations");
    EXPECT_GE(p.counts.reference_evaluations, 4000);
    EXPECT_LT(rec.before_last_round().first, 4000);
    EXPECT_EQ(rec.rows.back().reference_evaluations, p.counts.reference_evaluations);
}

TEST_P(DriverConformance, MaxWallTime_StopsAfterTheRoundThatReachesIt) {
    InProcess run(GetParam(), stop_at_seconds(0.5));
    Recorder rec;
    run.engine().run(rec);
    const auto& p = run.engine().progress();
    EXPECT_EQ(p.stop_reason, "max_wall_time");
    EXPECT_GE(p.elapsed, 0.5);
    EXPECT_LT(rec.before_last_round().second, 0.5);
}

TEST_P(DriverConformance, TargetEnergy_StopsAtTheStepThatFindsIt) {
    // A first run finds some minimum at some step; a second, with that energy as its target,
    // must stop in that very round and record that step.
    InProcess first(GetParam(), stop_at_steps(200));
    Recorder rec;
    first.engine().run(rec);
    const Minimum& best = first.engine().archive().minima().front();
    InProcess second(GetParam(), stop_at_energy(best.energy, 1e-9));
    Recorder rec2;
    second.engine().run(rec2);
    const auto& p = second.engine().progress();
    EXPECT_EQ(p.stop_reason, "target_energy");
    EXPECT_TRUE(p.target_reached);
    EXPECT_EQ(p.steps_to_target, best.step);
    EXPECT_LE(second.engine().archive().best_energy(), best.energy + 1e-9);
    EXPECT_EQ(p.evaluations_to_target, best.evaluations);
    EXPECT_EQ(rec2.rows.back().round, [&] {
        long round = 0;
        for (const auto& r : rec2.rows)
            if (r.step == best.step) round = r.round;
        return round;
    }());
}

TEST_P(DriverConformance, InterruptedInProcessThenRestored_EndsAsUninterrupted) {
    const auto settings = stop_at_steps(300);
    InProcess whole(GetParam(), settings);
    Recorder all;
    whole.engine().run(all);

    std::atomic<bool> flag{false};
    InProcess part(GetParam(), settings);
    Recorder some;
    some.interrupt = &flag;
    some.interrupt_after = 25;
    part.engine().run(some, &flag);
    EXPECT_EQ(part.engine().progress().stop_reason, "interrupted");
    EXPECT_LT(part.engine().progress().steps, 300);
    // Through text, as a checkpoint file would be.
    const auto checkpoint = nlohmann::json::parse(part.engine().checkpoint().dump());

    InProcess rest(GetParam(), settings);
    rest.engine().restore(checkpoint, "checkpoint");
    Recorder tail;
    rest.engine().run(tail);
    EXPECT_EQ(rest.engine().progress().stop_reason, "max_steps");
    EXPECT_EQ(rest.engine().progress().steps, whole.engine().progress().steps);
    EXPECT_EQ(rest.engine().progress().rows, whole.engine().progress().rows);
    EXPECT_EQ(rest.engine().progress().counts.reference_evaluations,
              whole.engine().progress().counts.reference_evaluations);
    EXPECT_EQ(rest.engine().archive().save_state(), whole.engine().archive().save_state());
    EXPECT_EQ(rest.engine().driver().save_state(), whole.engine().driver().save_state());
    ASSERT_EQ(some.rows.size() + tail.rows.size(), all.rows.size());
    for (std::size_t i = 0; i < tail.rows.size(); ++i) {
        const auto& a = all.rows[some.rows.size() + i];
        EXPECT_EQ(tail.rows[i].step, a.step);
        EXPECT_EQ(tail.rows[i].move, a.move);
        EXPECT_EQ(std::isnan(tail.rows[i].energy) ? 0.0 : tail.rows[i].energy, std::isnan(a.energy) ? 0.0 : a.energy);
        EXPECT_EQ(tail.rows[i].accepted, a.accepted);
    }
}

TEST_P(DriverConformance, CheckpointOfAnotherSeed_IsRefusedNamingTheSeed) {
    InProcess a(GetParam(), stop_at_steps(10), 1);
    testing::NullObserver none;
    a.engine().run(none);
    InProcess b(GetParam(), stop_at_steps(10), 2);
    try {
        b.engine().restore(a.engine().checkpoint(), "state.json");
        FAIL() << "a checkpoint of seed 1 was accepted by a run of seed 2";
    } catch (const InputError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("seed is 1 in the checkpoint, 2 in this run"), std::string::npos) << what;
        EXPECT_EQ(what.find("composition"), std::string::npos) << what;  // only what differs
    }
}

INSTANTIATE_TEST_SUITE_P(AllDrivers, DriverConformance, ::testing::ValuesIn(driver_registry().keys()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace nanoscape
