#pragma once
// A console reporter that also keeps each run's time, so a benchmark's main can print ratios
// measured in the same run (speed-ups, scaling) after Google Benchmark's own table.

#include <map>
#include <string>

#include <benchmark/benchmark.h>

namespace nanoscape::bench {

class RecordingReporter final : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const auto& run : runs) {
            if (run.error_occurred || run.run_type != Run::RT_Iteration) continue;
            // Keyed by the registered name and arguments ("Gupta/147", "relax_batch/2"),
            // without the decorations (min_time, real_time) Google Benchmark appends.
            std::string key = run.run_name.function_name;
            if (!run.run_name.args.empty()) key += "/" + run.run_name.args;
            real_seconds_[key] = run.GetAdjustedRealTime() * multiplier(run.time_unit);
            counters_[key] = run.counters;
        }
        ConsoleReporter::ReportRuns(runs);
    }
    // Real time per iteration in seconds; 0 if that benchmark did not run (filtered out).
    [[nodiscard]] double seconds(const std::string& name) const {
        const auto it = real_seconds_.find(name);
        return it == real_seconds_.end() ? 0.0 : it->second;
    }
    [[nodiscard]] double counter(const std::string& name, const std::string& counter) const {
        const auto it = counters_.find(name);
        if (it == counters_.end()) return 0.0;
        const auto c = it->second.find(counter);
        return c == it->second.end() ? 0.0 : static_cast<double>(c->second);
    }

private:
    static double multiplier(benchmark::TimeUnit unit) {
        switch (unit) {
            case benchmark::kNanosecond: return 1e-9;
            case benchmark::kMicrosecond: return 1e-6;
            case benchmark::kMillisecond: return 1e-3;
            default: return 1.0;
        }
    }
    std::map<std::string, double> real_seconds_;
    std::map<std::string, benchmark::UserCounters> counters_;
};

}  // namespace nanoscape::bench
