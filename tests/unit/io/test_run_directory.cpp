// The run directory's logger belongs to its run: two runs in one process (a sweep, a test)
// each write their own run.log, and the process-wide default logger is left alone.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

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

}  // namespace
}  // namespace nanoscape
