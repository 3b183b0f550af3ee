#include "nanoscape/io/run_directory.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include "nanoscape/core/version.hpp"
#include "nanoscape/io/text_files.hpp"
#include "nanoscape/io/xyz.hpp"

namespace nanoscape {

namespace fs = std::filesystem;

namespace {

constexpr const char* checkpoint_magic = "nanoscape-checkpoint 1";

XyzFrame frame_of(const Minimum& m, int rank) {
    XyzFrame f;
    f.cluster = m.cluster;
    f.energy = m.energy;
    f.set_info("rank", std::to_string(rank));
    f.set_info("step", std::to_string(m.step));
    f.set_info("walker", std::to_string(m.walker));
    f.set_info("move", m.move);
    f.set_info("evaluations", std::to_string(m.evaluations));
    return f;
}

// What must match for a checkpoint to belong to this run.
std::string run_identity(const RunConfig& c) {
    std::string species;
    for (Species z : c.settings.species) species += fmt::format("{},", z);
    return fmt::format("driver={} seed={} walkers={} species={}", c.settings.driver, c.settings.seed,
                       c.settings.basin_hopping.walkers, species);
}

}  // namespace

RunDirectory::RunDirectory(const RunConfig& config, RunDirectoryMode mode, int threads, SearchState& state)
    : config_(config), dir_(config.output_directory), threads_(threads),
      best_reported_(std::numeric_limits<double>::infinity()) {
    const fs::path dir(dir_);
    const bool has_run = fs::exists(dir / "checkpoint" / "state.txt") || fs::exists(dir / "summary.json");
    if (mode == RunDirectoryMode::fresh && has_run)
        throw InputError(fmt::format("{} already holds a run: continue it with --resume, replace it with "
                                     "--overwrite, or choose another --output",
                                     dir_));
    if (mode == RunDirectoryMode::resume && !fs::exists(dir / "checkpoint" / "state.txt"))
        throw InputError(fmt::format("--resume: {} has no checkpoint (checkpoint/state.txt)", dir_));
    std::error_code ec;
    fs::create_directories(dir / "checkpoint", ec);
    if (ec) throw InputError(fmt::format("cannot create the run directory {}: {}", dir_, ec.message()));
    if (mode == RunDirectoryMode::overwrite)
        for (const char* name : {"summary.json", "best.xyz", "minima.xyz", "trace.csv", "run.log"})
            fs::remove(dir / name);

    // The log file: the run's own log, appended to on resume.
    auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>((dir / "run.log").string(), mode != RunDirectoryMode::resume);
    sink->set_pattern("%Y-%m-%d %H:%M:%S [%l] %v");
    spdlog::default_logger()->sinks().push_back(sink);

    const fs::path trace_path = dir / "trace.csv";
    if (mode == RunDirectoryMode::resume) {
        load_checkpoint(state);
        // Keep the header and the rows the checkpoint accounts for: rows written after it are
        // written again, identically, by the resumed run.
        std::vector<std::string> lines;
        {
            std::ifstream in(trace_path);
            std::string line;
            while (lines.size() < static_cast<std::size_t>(state.trace_rows) + 1 && std::getline(in, line))
                lines.push_back(line);
        }
        std::string text;
        for (const auto& l : lines) text += l + "\n";
        write_text_atomically(trace_path, text);
        trace_.open(trace_path, std::ios::app);
        trace_rows_ = state.trace_rows;
        spdlog::info("resuming {} at step {} ({} evaluations, best {})", dir_, state.steps, state.evaluations,
                     state.archive.empty() ? std::string("none") : fmt::format("{:.6f}", state.archive.minima().front().energy));
    } else {
        trace_.open(trace_path, std::ios::trunc);
        trace_ << "step,walker,move,energy,best,accepted,status,reference_evaluations,wall_time_s\n";
    }
    if (!trace_) throw Error(fmt::format("cannot write {}", trace_path.string()));
    interactive_ = isatty(fileno(stderr)) != 0;
    last_report_ = std::chrono::steady_clock::now();
}

RunDirectory::~RunDirectory() {
    // The file sink belongs to this run only.
    auto& sinks = spdlog::default_logger()->sinks();
    if (!sinks.empty() && sinks.size() > 1) sinks.pop_back();
}

void RunDirectory::on_step(const StepRecord& r, const SearchState& state) {
    const double best = state.archive.empty() ? std::numeric_limits<double>::quiet_NaN()
                                              : state.archive.minima().front().energy;
    trace_ << fmt::format("{},{},{},{},{},{},{},{},{:.3f}\n", r.step, r.walker, r.move,
                          std::isfinite(r.energy) ? fmt::format("{:.10f}", r.energy) : "nan",
                          std::isfinite(best) ? fmt::format("{:.10f}", best) : "nan", r.accepted ? 1 : 0,
                          to_string(r.status), state.evaluations, state.elapsed);
    ++trace_rows_;
    report_progress(state, false);
}

void RunDirectory::report_progress(const SearchState& state, bool force) {
    const auto now = std::chrono::steady_clock::now();
    const double since = std::chrono::duration<double>(now - last_report_).count();
    const double best = state.archive.empty() ? std::numeric_limits<double>::quiet_NaN()
                                              : state.archive.minima().front().energy;
    const bool improved = best < best_reported_ - config_.settings.archive.energy_tolerance;
    if (!force && since < (interactive_ ? 0.25 : 10.0) && !(improved && !interactive_)) return;
    const double rate = state.elapsed > 0 ? static_cast<double>(state.relaxations) / state.elapsed : 0.0;
    const std::string line = fmt::format("step {}/{} | best {:.6f} | {} evaluations | {} minima | {:.1f} relax/s",
                                         state.steps, config_.settings.stop.max_steps, best, state.evaluations,
                                         state.archive.minima().size(), rate);
    if (interactive_) {
        fmt::print(stderr, "\r\033[K{}", line);
        std::fflush(stderr);
    } else {
        spdlog::info("{}", line);
    }
    if (improved) best_reported_ = best;
    last_report_ = now;
}

void RunDirectory::write_results(const SearchState& state, bool finished) {
    const fs::path dir(dir_);
    std::vector<XyzFrame> minima;
    int rank = 0;
    for (const auto& m : state.archive.minima()) minima.push_back(frame_of(m, ++rank));
    if (!minima.empty()) {
        write_xyz((dir / "best.xyz").string(), {minima.front()});
        write_xyz((dir / "minima.xyz").string(), minima);
    }
    const double best = state.archive.empty() ? std::numeric_limits<double>::quiet_NaN()
                                              : state.archive.minima().front().energy;
    std::string json = "{\n";
    const auto add = [&](const std::string& key, const std::string& value) {
        json += fmt::format("  {}: {},\n", json_string(key), value);
    };
    add("status", json_string(finished ? "finished" : "running"));
    add("formula", json_string(config_.formula));
    add("potential", json_string(config_.potential->description()));
    add("driver", json_string(config_.settings.driver));
    add("best_energy", json_number(best));
    add("reference_evaluations", std::to_string(state.evaluations));
    add("reference_relaxations", std::to_string(state.relaxations));
    add("surrogate_predictions", "0");
    add("steps", std::to_string(state.steps));
    add("unique_minima", std::to_string(state.archive.minima().size()));
    if (config_.settings.stop.target_energy) {
        add("target_energy", json_number(*config_.settings.stop.target_energy));
        add("target_reached", state.target_reached ? "true" : "false");
        add("evaluations_to_target", state.target_reached ? std::to_string(state.evaluations_to_target) : "null");
        add("relaxations_to_target", state.target_reached ? std::to_string(state.relaxations_to_target) : "null");
        add("steps_to_target", state.target_reached ? std::to_string(state.steps_to_target) : "null");
    }
    if (finished) add("stop_reason", json_string(state.stop_reason));
    add("wall_time_s", json_number(state.elapsed));
    add("seed", std::to_string(config_.settings.seed));
    add("threads", std::to_string(threads_));
    json += fmt::format("  \"version\": {}\n}}\n", json_string(version()));
    write_text_atomically(dir / "summary.json", json);
}

void RunDirectory::save_checkpoint(const SearchState& state) {
    const fs::path cdir = fs::path(dir_) / "checkpoint";
    trace_.flush();
    // Structures first, under a new generation number; the state file that names it is
    // renamed into place last, so a kill at any moment leaves a consistent pair.
    const long gen = ++generation_;
    std::vector<XyzFrame> frames;
    for (const auto& w : state.walkers) {
        XyzFrame f;
        f.cluster = w.current;
        frames.push_back(f);
    }
    for (const auto& m : state.archive.minima()) {
        XyzFrame f;
        f.cluster = m.cluster;
        frames.push_back(f);
    }
    const fs::path structures = cdir / fmt::format("structures.{}.xyz", gen);
    write_xyz(structures.string(), frames);

    std::string text = fmt::format("{}\nidentity {}\ngeneration {}\n", checkpoint_magic, run_identity(config_), gen);
    text += fmt::format("counters {} {} {} {} {} {} {} {} {}\n", state.steps, state.evaluations, state.relaxations,
                        state.elapsed, state.target_reached ? 1 : 0, state.evaluations_to_target,
                        state.relaxations_to_target, state.steps_to_target, trace_rows_);
    text += fmt::format("walkers {}\n", state.walkers.size());
    for (const auto& w : state.walkers) {
        const auto r = w.rng.state();
        text += fmt::format("walker {} {} {} {} {} {} {} {} {} {} {} {}\n", w.energy, w.best_energy, w.step_size, w.steps,
                            w.accepted, w.window_steps, w.window_accepted, w.since_improvement, r[0], r[1], r[2], r[3]);
    }
    text += fmt::format("minima {}\n", state.archive.minima().size());
    for (const auto& m : state.archive.minima())
        text += fmt::format("minimum {} {} {} {} {}\n", m.energy, m.step, m.walker, m.evaluations, m.move);
    write_text_atomically(cdir / "state.txt", text);
    for (const auto& entry : fs::directory_iterator(cdir)) {
        const auto name = entry.path().filename().string();
        if (name.starts_with("structures.") && entry.path() != structures) fs::remove(entry.path());
    }
}

void RunDirectory::load_checkpoint(SearchState& state) {
    const fs::path cdir = fs::path(dir_) / "checkpoint";
    const std::string path = (cdir / "state.txt").string();
    std::ifstream in(path);
    std::string line;
    const auto fail = [&](const std::string& what) {
        return InputError(fmt::format("{}: damaged checkpoint ({})", path, what));
    };
    if (!std::getline(in, line) || line != checkpoint_magic) throw fail("not a nanoscape checkpoint");
    std::getline(in, line);
    if (line != "identity " + run_identity(config_))
        throw InputError(fmt::format("--resume: the checkpoint in {} belongs to a different run (seed, composition, "
                                     "driver or walkers changed); it has: {}",
                                     dir_, line.substr(std::min<std::size_t>(line.size(), 9))));
    std::string word;
    in >> word >> generation_;
    if (word != "generation") throw fail("no generation");
    state = SearchState{};
    state.archive = MinimaArchive(config_.settings.archive);
    int reached = 0;
    in >> word >> state.steps >> state.evaluations >> state.relaxations >> state.elapsed >> reached >>
        state.evaluations_to_target >> state.relaxations_to_target >> state.steps_to_target >> state.trace_rows;
    if (word != "counters" || !in) throw fail("bad counters");
    state.target_reached = reached != 0;
    std::size_t n_walkers = 0, n_minima = 0;
    in >> word >> n_walkers;
    if (word != "walkers" || !in) throw fail("bad walker count");
    state.walkers.resize(n_walkers);
    for (auto& w : state.walkers) {
        std::array<std::uint64_t, 4> r{};
        in >> word >> w.energy >> w.best_energy >> w.step_size >> w.steps >> w.accepted >> w.window_steps >>
            w.window_accepted >> w.since_improvement >> r[0] >> r[1] >> r[2] >> r[3];
        if (word != "walker" || !in) throw fail("bad walker line");
        w.rng.set_state(r);
    }
    in >> word >> n_minima;
    if (word != "minima" || !in) throw fail("bad minima count");
    std::vector<Minimum> minima(n_minima);
    for (auto& m : minima) {
        in >> word >> m.energy >> m.step >> m.walker >> m.evaluations >> m.move;
        if (word != "minimum" || !in) throw fail("bad minimum line");
    }
    const auto frames = read_xyz((cdir / fmt::format("structures.{}.xyz", generation_)).string());
    if (frames.size() != n_walkers + n_minima) throw fail("structure count does not match");
    for (std::size_t w = 0; w < n_walkers; ++w) state.walkers[w].current = frames[w].cluster;
    for (std::size_t k = 0; k < n_minima; ++k) {
        minima[k].cluster = frames[n_walkers + k].cluster;
        state.archive.insert(std::move(minima[k]));
    }
}

void RunDirectory::on_checkpoint(const SearchState& state) {
    write_results(state, false);
    save_checkpoint(state);
}

void RunDirectory::on_finish(const SearchState& state) {
    write_results(state, true);
    trace_.flush();
    if (interactive_) fmt::print(stderr, "\n");
}

}  // namespace nanoscape
