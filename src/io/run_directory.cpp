#include "nanoscape/io/run_directory.hpp"
#include "nanoscape/core/mpi.hpp"
#include "nanoscape/io/reference_calls.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <optional>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/basic_file_sink.h>
#include <omp.h>
#include <spdlog/spdlog.h>

#include "nanoscape/core/version.hpp"
#include "nanoscape/geometry/chemical_order.hpp"
#include "nanoscape/io/text_files.hpp"
#include "nanoscape/io/xyz.hpp"
#include "nanoscape/search/state_json.hpp"

namespace nanoscape {

namespace fs = std::filesystem;

namespace {

// The trace's header: the generic columns, the driver's own, and the wall time last.
constexpr const char* screening_header =
    "step,walker,move,predicted_energy,predicted_sigma,reference_energy,energy,status\n";

std::string trace_header(const Driver& driver) {
    std::string header = "step,walker,move,energy,best,accepted,status,reference_evaluations";
    for (const auto& column : driver.trace_columns()) header += fmt::format(",{}", column);
    return header + ",wall_time_s\n";
}

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

// Ordering descriptors as info keys: bonds_A_B, surface_A (fraction of the surface sites),
// shells_A (fraction of each shell's sites, from the surface inward).
void add_chemical_order(XyzFrame& f, const ChemicalOrder& order) {
    const auto names = order.bond_names();
    for (std::size_t k = 0; k < names.size(); ++k) f.set_info("bonds_" + names[k], std::to_string(order.bonds[k]));
    for (std::size_t e = 0; e < order.elements.size(); ++e) {
        const std::string el = symbol(order.elements[e]);
        f.set_info("surface_" + el, fmt::format("{:.4f}", order.surface_fraction[e]));
        std::vector<std::string> shells;
        for (const auto& s : order.shell_fraction) shells.push_back(fmt::format("{:.4f}", s[e]));
        f.set_info("shells_" + el, fmt::format("{}", fmt::join(shells, " ")));
    }
}

nlohmann::ordered_json chemical_order_json(const ChemicalOrder& order) {
    nlohmann::ordered_json j;
    const auto names = order.bond_names();
    for (std::size_t k = 0; k < names.size(); ++k) j["bonds"][names[k]] = order.bonds[k];
    j["shell_size"] = order.shell_size;
    for (std::size_t e = 0; e < order.elements.size(); ++e) {
        const std::string el = symbol(order.elements[e]);
        j["surface_fraction"][el] = order.surface_fraction[e];
        std::vector<double> shells;
        for (const auto& s : order.shell_fraction) shells.push_back(s[e]);
        j["shell_fraction"][el] = shells;
    }
    return j;
}

std::string energy_text(double e) { return std::isfinite(e) ? fmt::format("{:.10f}", e) : std::string("nan"); }

}  // namespace

std::shared_ptr<spdlog::logger> make_run_logger(const std::string& log_file, bool append, const std::string& name,
                                                bool console) {
    auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(log_file, !append);
    file->set_pattern("%Y-%m-%d %H:%M:%S [%l] %v");
    file->set_level(spdlog::level::info);
    std::vector<spdlog::sink_ptr> sinks;
    if (console) sinks = spdlog::default_logger()->sinks();
    sinks.push_back(file);
    auto logger = std::make_shared<spdlog::logger>(name, sinks.begin(), sinks.end());
    logger->set_level(std::min(spdlog::default_logger()->level(), spdlog::level::info));
    logger->flush_on(spdlog::level::info);
    return logger;
}

namespace {

// Forwards a nested run to its RunDirectory and reports progress to whoever runs it.
class NestedObserver final : public RunObserver {
public:
    NestedObserver(RunDirectory& directory, const std::function<void(const SearchEngine&)>& progress)
        : directory_(directory), progress_(progress) {}
    void on_row(const TraceRow& row, const SearchEngine& engine) override {
        directory_.on_row(row, engine);
        if (progress_) progress_(engine);
    }
    void on_checkpoint(const SearchEngine& engine) override { directory_.on_checkpoint(engine); }
    void on_finish(const SearchEngine& engine) override { directory_.on_finish(engine); }
    void on_error(const SearchEngine& engine, const std::string& what) override { directory_.on_error(engine, what); }

private:
    RunDirectory& directory_;
    const std::function<void(const SearchEngine&)>& progress_;
};

}  // namespace

RunConfig nested_run_config(const RunConfig& root, const std::string& directory) {
    RunConfig cfg;
    cfg.path = root.path;
    cfg.potential = root.potential;
    cfg.reference_log = root.reference_log;
    cfg.relaxer = root.relaxer;
    cfg.relax = root.relax;
    cfg.engine = root.engine;
    cfg.search = root.search;
    cfg.screening = root.screening;
    cfg.surrogate = root.surrogate;
    cfg.surrogate_species = root.surrogate_species;
    cfg.override_options = root.override_options;
    cfg.mpi_timeout = root.mpi_timeout;
    cfg.replicas = root.replicas;
    cfg.output_directory = directory;
    cfg.problem = root.problem;
    cfg.problem.start.seeds.clear();
    return cfg;
}

nlohmann::json run_nested_search(const RunConfig& config, int threads, const std::atomic<bool>* interrupt,
                                 const std::function<void(const SearchEngine&)>& progress, int top,
                                 const std::string& what, bool distribute, std::vector<Sample> inherit,
                                 std::size_t share) {
    if (interrupt && interrupt->load())
        return {{"stop_reason", "interrupted"}, {"best", real_to_json(std::numeric_limits<double>::quiet_NaN())}, {"counts", counts_to_json({})}, {"steps", 0},
                {"minima_found", 0}, {"wall_time", 0.0}, {"top", nlohmann::json::array()}};
    const std::string& directory = config.output_directory;
    const bool resume = fs::exists(checkpoint_path(directory));
    // The nested teams of this run's driver; the thread's default is put back however it ends.
    struct ThreadsGuard {
        int saved = omp_get_max_threads();
        explicit ThreadsGuard(int t) { omp_set_num_threads(t); }
        ~ThreadsGuard() { omp_set_num_threads(saved); }
    } threads_guard(threads);
    RunDirectory run_directory(config, resume ? RunDirectoryMode::resume : RunDirectoryMode::overwrite, threads, false);
    const auto evaluator = make_evaluator(config, threads, distribute);
    SearchEngine engine(config.problem, config.engine, *config.driver, *evaluator, run_directory.logger());
    if (resume) run_directory.resume(engine);
    else evaluator->inherit_training(std::move(inherit));
    run_directory.logger()->info("{}: driver {}", what, config.driver->describe());
    run_directory.logger()->info("{}: {}", config.screening ? "evaluate" : "relax", evaluator->describe());
    NestedObserver observer(run_directory, progress);
    engine.run(observer, interrupt);
    const auto& p = engine.progress();
    nlohmann::json best_minima = nlohmann::json::array();
    for (const auto& minimum : engine.archive().minima()) {
        if (static_cast<int>(best_minima.size()) >= top) break;
        best_minima.push_back(cluster_to_json(minimum.cluster));
    }
    nlohmann::json answer = {{"stop_reason", p.stop_reason},
                             {"best", real_to_json(engine.archive().best_energy())},
                             {"counts", counts_to_json(p.counts)},
                             {"steps", p.steps},
                             {"minima_found", engine.archive().found()},
                             {"wall_time", p.elapsed},
                             {"top", std::move(best_minima)}};
    if (share > 0) {
        nlohmann::json training = nlohmann::json::array();
        for (const Sample& sample : evaluator->shared_training(share)) training.push_back(sample_to_json(sample));
        answer["training"] = std::move(training);
    }
    return answer;
}

std::string checkpoint_path(const std::string& run_directory) {
    return (fs::path(run_directory) / "checkpoint" / "state.json").string();
}

RunDirectory::RunDirectory(const RunConfig& config, RunDirectoryMode mode, int threads, bool console)
    : config_(config), dir_(config.output_directory), threads_(threads), console_(console),
      best_reported_(std::numeric_limits<double>::infinity()) {
    const fs::path dir(dir_);
    const bool legacy = fs::exists(dir / "checkpoint" / "state.txt");
    const bool has_checkpoint = fs::exists(checkpoint_path(dir_));
    const bool has_run = has_checkpoint || legacy || fs::exists(dir / "summary.json");
    if (mode == RunDirectoryMode::fresh && has_run)
        throw InputError(fmt::format("{} already holds a run: continue it with --resume, replace it with "
                                     "--overwrite, or choose another --output",
                                     dir_));
    if (mode == RunDirectoryMode::resume && !has_checkpoint) {
        if (legacy)
            throw InputError(fmt::format("--resume: {} holds a checkpoint of an earlier nanoscape (checkpoint/state.txt, "
                                         "format 1) that this version cannot continue; start afresh with --overwrite",
                                         dir_));
        throw InputError(fmt::format("--resume: {} has no checkpoint (checkpoint/state.json)", dir_));
    }
    std::error_code ec;
    fs::create_directories(dir / "checkpoint", ec);
    if (ec) throw InputError(fmt::format("cannot create the run directory {}: {}", dir_, ec.message()));
    if (mode == RunDirectoryMode::overwrite) {
        for (const char* name : {"summary.json", "best.xyz", "minima.xyz", "trace.csv", "screening.csv", "run.log",
                                 "reference_calls.xyz"})
            fs::remove(dir / name);
        fs::remove_all(dir / "checkpoint", ec);
        fs::create_directories(dir / "checkpoint", ec);
    }
    // Probe that the directory is writable before any work is done.
    {
        const fs::path probe = dir / ".write_test";
        std::ofstream out(probe);
        if (!out) throw InputError(fmt::format("cannot write in the run directory {}", dir_));
        out.close();
        fs::remove(probe, ec);
    }
    log_created_ = !fs::exists(dir / "run.log");
    logger_ = make_run_logger((dir / "run.log").string(), mode == RunDirectoryMode::resume, fmt::format("run {}", dir_),
                              console);
    if (mode != RunDirectoryMode::resume) {
        trace_.open(dir / "trace.csv", std::ios::trunc);
        trace_ << trace_header(*config.driver);
        if (!trace_) throw InputError(fmt::format("cannot write {}", (dir / "trace.csv").string()));
        if (config.screening) {
            screening_.open(dir / "screening.csv", std::ios::trunc);
            screening_ << screening_header;
            if (!screening_) throw InputError(fmt::format("cannot write {}", (dir / "screening.csv").string()));
        }
    }
    // Every reference calculation from now on is kept (a sweep's root opened it already).
    open_reference_log(config.reference_log, dir.string(), mode == RunDirectoryMode::resume);
    interactive_ = console && isatty(fileno(stderr)) != 0;
    last_report_ = std::chrono::steady_clock::now();
}

void RunDirectory::resume(SearchEngine& engine) {
    try {
        resume_from_checkpoint(engine);
    } catch (const InputError&) {
        // A refused resume leaves the directory as it found it: no run.log of its own.
        if (log_created_) {
            std::error_code ec;
            fs::remove(fs::path(dir_) / "run.log", ec);
        }
        throw;
    }
}

void RunDirectory::resume_from_checkpoint(SearchEngine& engine) {
    const std::string path = checkpoint_path(dir_);
    nlohmann::json checkpoint;
    {
        std::ifstream in(path);
        if (!in) throw InputError(fmt::format("--resume: cannot read {}", path));
        try {
            checkpoint = nlohmann::json::parse(in);
        } catch (const nlohmann::json::exception& e) {  // a syntax error, or a number out of range
            throw InputError(fmt::format("--resume: {}: damaged checkpoint ({})", path, e.what()));
        }
    }
    try {
        engine.restore(checkpoint, path);
    } catch (const InputError& e) {
        throw InputError(fmt::format("--resume: {}; resume with the run file (and seed) that started the run, or start "
                                     "afresh with --overwrite",
                                     e.what()));
    }
    // Keep the header and the rows the checkpoint accounts for: rows written after it are
    // written again, identically, by the resumed run.
    const fs::path trace_path = fs::path(dir_) / "trace.csv";
    std::string text;
    {
        std::ifstream in(trace_path);
        std::string line;
        long kept = -1;  // the header
        while (kept < engine.progress().rows && std::getline(in, line)) {
            text += line;
            text += '\n';
            ++kept;
        }
        if (kept < engine.progress().rows)
            throw InputError(fmt::format("--resume: {} has {} rows but the checkpoint accounts for {}; the run directory "
                                         "is damaged",
                                         trace_path.string(), std::max(kept, 0L), engine.progress().rows));
    }
    write_text_atomically(trace_path, text);
    trace_.open(trace_path, std::ios::app);
    if (!trace_) throw InputError(fmt::format("cannot write {}", trace_path.string()));
    if (config_.screening) {
        // Rows of steps after the checkpoint are written again by the resumed run.
        const fs::path path = fs::path(dir_) / "screening.csv";
        std::string kept = screening_header;
        std::ifstream in(path);
        std::string line;
        for (bool header = true; std::getline(in, line); header = false) {
            if (header || line.empty()) continue;
            long step = 0;
            try {
                step = std::stol(line.substr(0, line.find(',')));
            } catch (const std::exception&) {
                continue;  // a torn last line
            }
            if (step <= engine.progress().steps) kept += line + '\n';
        }
        write_text_atomically(path, kept);
        screening_.open(path, std::ios::app);
        if (!screening_) throw InputError(fmt::format("cannot write {}", path.string()));
    }
    best_reported_ = engine.archive().best_energy();
    logger_->info("resuming {} at step {} ({} reference evaluations, best {})", dir_, engine.progress().steps,
                  engine.progress().counts.reference_evaluations, energy_text(engine.archive().best_energy()));
}

void RunDirectory::on_row(const TraceRow& r, const SearchEngine& engine) {
    std::string extra;
    for (const double v : r.extra) extra += fmt::format(",{}", v);
    trace_ << fmt::format("{},{},{},{},{},{},{},{}{},{:.3f}\n", r.step, r.walker, r.move, energy_text(r.energy),
                          energy_text(r.best), r.accepted ? 1 : 0, to_string(r.status), r.reference_evaluations, extra,
                          r.wall_time);
    if (screening_.is_open() && std::isfinite(r.predicted_energy) && r.status != EvaluationStatus::screened)
        screening_ << fmt::format("{},{},{},{},{},{},{},{}\n", r.step, r.walker, r.move, energy_text(r.predicted_energy),
                                  energy_text(r.predicted_sigma), energy_text(r.start_energy), energy_text(r.energy),
                                  to_string(r.status));
    report_progress(engine, r);
}

// The counts of the row just written: the progress line and the log agree with the trace.
void RunDirectory::report_progress(const SearchEngine& engine, const TraceRow& row) {
    if (!console_) return;  // a sweep's composition: the sweep reports progress
    const auto now = std::chrono::steady_clock::now();
    const double since = std::chrono::duration<double>(now - last_report_).count();
    const double best = row.best;
    const bool improved = best < best_reported_ - config_.engine.archive.energy_tolerance;
    if (since < (interactive_ ? 0.25 : 10.0) && !(improved && !interactive_)) return;
    const auto& p = engine.progress();
    // The rate of what the run spends most on: swap trials of homotop Monte Carlo (the
    // evaluator's count, which includes the round being written), relaxations otherwise.
    const long trials = engine.evaluator().counts().local_updates;
    const double seconds = row.wall_time > 0 ? row.wall_time : 0.0;
    const std::string rate =
        trials > 0 ? fmt::format("{:.3g} trials/s", seconds > 0 ? static_cast<double>(trials) / seconds : 0.0)
                   : fmt::format("{:.1f} relax/s", seconds > 0 ? static_cast<double>(row.reference_relaxations) / seconds : 0.0);
    const long max_steps = config_.engine.stop.max_steps;
    const std::string line = fmt::format("step {}{} | best {:.6f} | {} evaluations | {} minima | {}", p.steps,
                                         max_steps > 0 ? fmt::format("/{}", max_steps) : std::string(), best,
                                         row.reference_evaluations, engine.archive().found(), rate);
    if (interactive_) {
        fmt::print(stderr, "\r\033[K{}", line);
        std::fflush(stderr);
    } else {
        logger_->info("{}", line);
    }
    if (improved) best_reported_ = best;
    last_report_ = now;
}

void RunDirectory::write_results(const SearchEngine& engine, const std::string& status, const std::string& error) {
    const fs::path dir(dir_);
    const auto& archive = engine.archive();
    std::vector<XyzFrame> minima;
    int rank = 0;
    const std::vector<Species>& elements = config_.problem.start.element_order;
    const bool alloy = unique_species(config_.problem.species).size() > 1 && elements.size() > 1;
    const auto pair_distance = [&](Species a, Species b) { return config_.potential->pair_distance(a, b); };
    std::optional<ChemicalOrder> best_order;  // of the first (lowest) minimum, for summary.json
    for (const auto& m : archive.minima()) {
        minima.push_back(frame_of(m, ++rank));
        if (!alloy) continue;
        ChemicalOrder order = chemical_order(m.cluster, elements, pair_distance);
        add_chemical_order(minima.back(), order);
        if (!best_order) best_order = std::move(order);
    }
    if (!minima.empty()) {
        write_xyz((dir / "best.xyz").string(), {minima.front()});
        write_xyz((dir / "minima.xyz").string(), minima);
    }
    const auto& p = engine.progress();
    const auto& stop = config_.engine.stop;
    nlohmann::ordered_json j;
    j["status"] = status;
    j["formula"] = config_.problem.formula();
    j["potential"] = config_.potential->description();
    j["driver"] = engine.driver().name();
    j["best_energy"] = number_or_null(archive.best_energy());
    j["reference_evaluations"] = p.counts.reference_evaluations;
    j["reference_relaxations"] = p.counts.reference_relaxations;
    j["surrogate_predictions"] = p.counts.surrogate_predictions;
    j["reference_local_updates"] = p.counts.local_updates;
    j["failed_evaluations"] = p.counts.failed;
    if (config_.reference_log && config_.reference_log->is_open()) {
        j["reference_calls_logged"] = config_.reference_log->size();
        j["reference_calls_reused"] = config_.reference_log->cache_hits();
    }
    j["steps"] = p.steps;
    j["minima_found"] = archive.found();
    j["unique_minima"] = archive.minima().size();
    if (stop.target_energy) {
        j["target_energy"] = *stop.target_energy;
        j["target_reached"] = p.target_reached;
        const auto if_reached = [&](long v) { return p.target_reached ? nlohmann::ordered_json(v) : nlohmann::ordered_json(); };
        j["evaluations_to_target"] = if_reached(p.evaluations_to_target);
        j["relaxations_to_target"] = if_reached(p.relaxations_to_target);
        j["steps_to_target"] = if_reached(p.steps_to_target);
    }
    if (best_order) j["best_chemical_order"] = chemical_order_json(*best_order);
    if (const auto report = engine.evaluator().report(); report.is_object())
        for (const auto& [key, value] : report.items()) j[key] = value;
    if (const auto report = engine.driver().report(); !report.is_null()) j[engine.driver().name()] = report;
    if (!p.stop_reason.empty()) j["stop_reason"] = p.stop_reason;
    if (!error.empty()) j["error"] = error;
    j["wall_time_s"] = p.elapsed;
    j["seed"] = config_.problem.seed;
    j["threads"] = threads_;
    j["mpi_ranks"] = mpi::size();
    j["version"] = version();
    write_text_atomically(dir / "summary.json", format_json(j));
}

void RunDirectory::on_checkpoint(const SearchEngine& engine) {
    // The trace rows the checkpoint accounts for reach the disk before the checkpoint does;
    // if they cannot (a full disk), no checkpoint claims them and the last one stays valid.
    errno = 0;
    trace_.flush();
    if (screening_.is_open()) screening_.flush();
    if (!trace_) {
        const int error = errno;
        throw Error(fmt::format("cannot write {}: {}", (fs::path(dir_) / "trace.csv").string(),
                                error != 0 ? std::strerror(error) : "write failed"));
    }
    write_results(engine, "running");
    write_text_atomically(checkpoint_path(dir_), format_json(engine.checkpoint()));
}

void RunDirectory::on_error(const SearchEngine& engine, const std::string& what) {
    // The files as of the last complete round; the checkpoint stays the last consistent one.
    trace_.flush();
    if (interactive_) fmt::print(stderr, "\n");
    write_results(engine, "failed", what);
    if (fs::exists(checkpoint_path(dir_)))
        logger_->error("the run stopped with an error at step {}; results so far are in {}, and `nanoscape run {} -o {}{} "
                       "--resume` continues from the last checkpoint",
                       engine.progress().steps, dir_, config_.path, dir_, config_.override_options);
    else
        logger_->error("the run stopped with an error in its first round, before any checkpoint; start it again with "
                       "`nanoscape run {} -o {}{} --overwrite`",
                       config_.path, dir_, config_.override_options);
}

void RunDirectory::on_finish(const SearchEngine& engine) {
    const bool interrupted = engine.progress().stop_reason == "interrupted";
    write_results(engine, interrupted ? "interrupted" : "finished");
    trace_.flush();
    if (screening_.is_open()) screening_.flush();
    if (interactive_) fmt::print(stderr, "\n");
    if (interrupted)
        logger_->warn("interrupted at step {}: checkpoint written; continue with `nanoscape run {} -o {}{} --resume`",
                      engine.progress().steps, config_.path, dir_, config_.override_options);
    else
        logger_->info("finished: {} ({} steps, best {})", engine.progress().stop_reason, engine.progress().steps,
                      energy_text(engine.archive().best_energy()));
}

}  // namespace nanoscape
