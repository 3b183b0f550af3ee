// The run directory's logger belongs to its run: two runs in one process (a sweep, a test)
// each write their own run.log, and the process-wide default logger is left alone.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "nanoscape/io/run_directory.hpp"

namespace nanoscape {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

RunOverrides output_to(const fs::path& dir) {
    RunOverrides o;
    o.output = dir.string();
    return o;
}

TEST(RunDirectory, TwoRunsInOneProcess_EachLogsToItsOwnFile) {
    const fs::path work = fs::temp_directory_path() / fmt::format("nanoscape_run_directory_{}", ::getpid());
    fs::create_directories(work);
    {
        std::ofstream(work / "run.toml") << "[system]\nelements = [\"Ar\"]\nsize = 13\n[potential]\ntype = \"lj\"\n";
    }
    RunConfig a = load_run_config((work / "run.toml").string(), output_to(work / "a"));
    RunConfig b = load_run_config((work / "run.toml").string(), output_to(work / "b"));
    const auto default_sinks = spdlog::default_logger()->sinks().size();
    {
        RunDirectory da(a, RunDirectoryMode::fresh, 1);
        RunDirectory db(b, RunDirectoryMode::fresh, 1);
        da.logger()->info("message of run a");
        db.logger()->info("message of run b");
        EXPECT_EQ(spdlog::default_logger()->sinks().size(), default_sinks);
    }
    const std::string log_a = read_text(work / "a" / "run.log"), log_b = read_text(work / "b" / "run.log");
    EXPECT_NE(log_a.find("message of run a"), std::string::npos);
    EXPECT_EQ(log_a.find("message of run b"), std::string::npos);
    EXPECT_NE(log_b.find("message of run b"), std::string::npos);
    EXPECT_EQ(log_b.find("message of run a"), std::string::npos);
    fs::remove_all(work);
}

TEST(RunDirectory, FreshRunIntoADirectoryWithARun_IsRefused) {
    const fs::path work = fs::temp_directory_path() / fmt::format("nanoscape_run_directory_refuse_{}", ::getpid());
    fs::create_directories(work / "out");
    std::ofstream(work / "out" / "summary.json") << "{}\n";
    std::ofstream(work / "run.toml") << "[system]\nelements = [\"Ar\"]\nsize = 13\n[potential]\ntype = \"lj\"\n";
    RunConfig c = load_run_config((work / "run.toml").string(), output_to(work / "out"));
    EXPECT_THROW(RunDirectory(c, RunDirectoryMode::fresh, 1), InputError);
    EXPECT_THROW(RunDirectory(c, RunDirectoryMode::resume, 1), InputError);  // no checkpoint
    fs::remove_all(work);
}

// A driver with a column of its own: relaxes one random start per round and reports the round.
class ColumnDriver final : public Driver {
public:
    std::string name() const override { return "column_driver"; }
    std::string describe() const override { return "test driver"; }
    nlohmann::json identity() const override { return nlohmann::json::object(); }
    std::vector<Candidate> propose(const SearchView& view, long) override {
        Candidate c;
        Rng rng = view.problem.stream("test", round_);
        c.cluster = view.problem.start_structure(round_, rng);
        c.move = "random";
        return {c};
    }
    std::vector<StepOutcome> update(std::span<const Candidate>, std::span<const Evaluation>, const SearchView&) override {
        StepOutcome o;
        o.extra = {static_cast<double>(++round_) / 4};
        return {o};
    }
    std::string stop_reason() const override { return {}; }
    std::vector<std::string> trace_columns() const override { return {"quarter_round"}; }
    nlohmann::json save_state() const override { return {{"round", round_}}; }
    void load_state(const nlohmann::json& state, const SearchProblem&) override { round_ = state.at("round"); }

private:
    std::uint64_t round_ = 0;
};

TEST(RunDirectory, DriverColumns_GoBeforeTheWallTime) {
    const fs::path work = fs::temp_directory_path() / fmt::format("nanoscape_run_directory_columns_{}", ::getpid());
    fs::create_directories(work);
    std::ofstream(work / "run.toml") << "[system]\nelements = [\"Ar\"]\nsize = 7\n[potential]\ntype = \"lj\"\n"
                                        "[search]\nmax_steps = 3\n";
    RunConfig c = load_run_config((work / "run.toml").string(), output_to(work / "out"));
    c.driver = std::make_unique<ColumnDriver>();
    {
        RunDirectory directory(c, RunDirectoryMode::fresh, 1);
        const auto evaluator = make_evaluator(c, 1);
        SearchEngine engine(c.problem, c.engine, *c.driver, *evaluator, directory.logger());
        engine.run(directory);
    }
    std::istringstream trace(read_text(work / "out" / "trace.csv"));
    std::string header, row;
    std::getline(trace, header);
    EXPECT_EQ(header, "step,walker,move,energy,best,accepted,status,reference_evaluations,quarter_round,wall_time_s");
    std::vector<std::string> rows;
    while (std::getline(trace, row)) rows.push_back(row.substr(0, row.rfind(',')));
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[2].substr(rows[2].rfind(',') + 1), "0.75");
    fs::remove_all(work);
}

}  // namespace
}  // namespace nanoscape
