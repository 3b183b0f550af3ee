#include "nanoscape/io/sweep.hpp"
#include "nanoscape/io/reference_calls.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <omp.h>

#include "nanoscape/core/mpi.hpp"
#include "nanoscape/core/parallel.hpp"
#include "nanoscape/core/version.hpp"
#include "nanoscape/io/text_files.hpp"
#include "nanoscape/search/engine.hpp"
#include "nanoscape/search/mpi_work.hpp"
#include "nanoscape/search/state_json.hpp"

namespace nanoscape {

namespace fs = std::filesystem;

namespace {

constexpr const char* sweep_format = "nanoscape-sweep";
constexpr int sweep_version = 1;

std::string sweep_checkpoint_path(const std::string& dir) { return (fs::path(dir) / "checkpoint" / "sweep.json").string(); }

std::string formula_of(const std::vector<Species>& species) { return species_only(species).formula(); }


// 1, 2 or 5 times a power of ten, at least x: the automatic history interval.
long nice_step(double x) {
    if (!(x > 1)) return 1;
    const double p = std::pow(10.0, std::floor(std::log10(x)));
    for (const double m : {1.0, 2.0, 5.0, 10.0})
        if (m * p >= x) return static_cast<long>(std::llround(m * p));
    return static_cast<long>(std::llround(10 * p));
}

// (reference_evaluations, best) of every row of a trace.csv whose best is finite.
std::vector<std::pair<long, double>> read_trace_bests(const fs::path& path, long& total) {
    std::vector<std::pair<long, double>> out;
    total = 0;
    std::ifstream in(path);
    if (!in) return out;
    std::string line;
    if (!std::getline(in, line)) return out;
    const auto split = [](const std::string& text) {
        std::vector<std::string> fields;
        std::stringstream ss(text);
        std::string f;
        while (std::getline(ss, f, ',')) fields.push_back(f);
        return fields;
    };
    const auto header = split(line);
    const auto column = [&](const char* name) {
        const auto it = std::find(header.begin(), header.end(), name);
        return it == header.end() ? std::size_t(-1) : static_cast<std::size_t>(it - header.begin());
    };
    const std::size_t ce = column("reference_evaluations"), cb = column("best");
    if (ce == std::size_t(-1) || cb == std::size_t(-1))
        throw InputError(fmt::format("{}: no reference_evaluations and best columns", path.string()));
    while (std::getline(in, line)) {
        const auto f = split(line);
        if (f.size() <= std::max(ce, cb)) continue;  // a row cut by a kill
        try {
            const long e = std::stol(f[ce]);
            total = std::max(total, e);
            const double b = f[cb] == "nan" ? std::nan("") : std::stod(f[cb]);
            if (std::isfinite(b)) out.emplace_back(e, b);
        } catch (const std::exception&) {
            continue;
        }
    }
    return out;
}

}  // namespace

// --- schedule -------------------------------------------------------------------------------

int SweepSchedule::seed_source(int n) const {
    for (const auto& [m, source] : sources)
        if (m == n) return source;
    return -1;
}

SweepSchedule sweep_schedule(const std::vector<int>& counts, bool seeded) {
    SweepSchedule s;
    if (counts.empty()) return s;
    const std::size_t m = counts.size() - 1;
    s.waves.push_back({counts.front()});
    if (m > 0) s.waves.back().push_back(counts.back());
    if (seeded) {
        // Inward from both ends: each composition is seeded by its neighbour on the side it
        // came from, so its seeds are known before it starts, whatever runs beside it.
        std::size_t lo = 1, hi = m > 0 ? m - 1 : 0;
        while (m > 1 && lo <= hi) {
            std::vector<int> wave{counts[lo]};
            s.sources.emplace_back(counts[lo], counts[lo - 1]);
            if (hi != lo) {
                wave.push_back(counts[hi]);
                s.sources.emplace_back(counts[hi], counts[hi + 1]);
            }
            s.waves.push_back(std::move(wave));
            ++lo;
            if (hi == 0) break;
            --hi;
        }
    } else if (m > 1) {
        s.waves.emplace_back(counts.begin() + 1, counts.end() - 1);
    }
    for (const auto& w : s.waves) s.order.insert(s.order.end(), w.begin(), w.end());
    return s;
}

Cluster change_species(const Cluster& cluster, Species from, Species to, int count, Rng& rng) {
    std::vector<std::size_t> sites;
    for (std::size_t i = 0; i < cluster.size(); ++i)
        if (cluster.species[i] == from) sites.push_back(i);
    if (static_cast<int>(sites.size()) < count)
        throw InputError(fmt::format("cannot change {} {} atoms of {}: it has {}", count, symbol(from), cluster.formula(),
                                     sites.size()));
    Cluster out = cluster;
    // A partial Fisher-Yates draw of `count` distinct sites.
    for (int k = 0; k < count; ++k) {
        const std::size_t j = static_cast<std::size_t>(k) + rng.below(sites.size() - static_cast<std::size_t>(k));
        std::swap(sites[static_cast<std::size_t>(k)], sites[j]);
        out.species[sites[static_cast<std::size_t>(k)]] = to;
    }
    return out;
}

// --- hull files -------------------------------------------------------------------------------

HullInput read_hull_input(const std::vector<std::string>& run_directories) {
    if (run_directories.empty()) throw InputError("give at least one run directory");
    HullInput input;
    std::vector<CompositionBest> all;
    const auto read_best = [&](const fs::path& file) {
        std::vector<XyzFrame> frames;
        try {
            frames = read_xyz(file.string());
        } catch (const InputError& e) {
            throw InputError(fmt::format("{}", e.what()));
        }
        if (frames.empty()) throw InputError(fmt::format("{}: no structure", file.string()));
        if (!frames.front().energy || !std::isfinite(*frames.front().energy))
            throw InputError(fmt::format("{}: the structure has no energy= value", file.string()));
        CompositionBest b;
        b.frame = frames.front();
        b.source = file.string();
        const fs::path summary = file.parent_path() / "summary.json";
        if (fs::exists(summary)) {
            try {
                b.reference_evaluations = read_json_file(summary).value("reference_evaluations", 0L);
            } catch (const std::exception&) {
                b.reference_evaluations = 0;  // a summary being replaced: the count is cosmetic here
            }
        }
        all.push_back(std::move(b));
    };
    for (const auto& d : run_directories) {
        const fs::path dir(d);
        if (!fs::is_directory(dir)) throw InputError(fmt::format("{} is not a directory", d));
        const fs::path comps = dir / "compositions";
        if (fs::is_directory(comps)) {
            if (fs::exists(dir / "summary.json") && input.elements.empty()) {
                const auto j = read_json_file(dir / "summary.json");
                if (j.contains("elements"))
                    for (const auto& e : j.at("elements")) input.elements.push_back(species_from_symbol(e.get<std::string>()));
            }
            std::vector<fs::path> subdirs;
            for (const auto& entry : fs::directory_iterator(comps))
                if (entry.is_directory() && fs::exists(entry.path() / "best.xyz")) subdirs.push_back(entry.path());
            std::sort(subdirs.begin(), subdirs.end());
            if (subdirs.empty()) throw InputError(fmt::format("{}: no composition has a result yet", d));
            for (const auto& s : subdirs) {
                read_best(s / "best.xyz");
                if (fs::exists(s / "polish.xyz")) read_best(s / "polish.xyz");  // the neighbour polish's, if lower
            }
        } else if (fs::exists(dir / "best.xyz")) {
            read_best(dir / "best.xyz");
        } else {
            throw InputError(fmt::format("{} holds no results (neither compositions/*/best.xyz nor best.xyz)", d));
        }
    }
    std::vector<Species> present;
    for (const auto& b : all)
        for (const Species z : b.frame.cluster.unique_species())
            if (std::find(present.begin(), present.end(), z) == present.end()) present.push_back(z);
    std::sort(present.begin(), present.end());
    if (input.elements.empty()) input.elements = present;
    for (const Species z : present)
        if (std::find(input.elements.begin(), input.elements.end(), z) == input.elements.end())
            input.elements.push_back(z);
    if (input.elements.size() != 2) {
        std::vector<std::string> names;
        for (const Species z : input.elements) names.push_back(symbol(z));
        throw InputError(fmt::format("a hull needs structures of two elements; these hold {} ({})", input.elements.size(),
                                     fmt::join(names, ", ")));
    }
    input.size = static_cast<int>(all.front().frame.cluster.size());
    std::map<long, CompositionBest> lowest;
    for (auto& b : all) {
        if (static_cast<int>(b.frame.cluster.size()) != input.size)
            throw InputError(fmt::format("{} has {} atoms, {} has {}: a hull is over compositions of one size", b.source,
                                         b.frame.cluster.size(), all.front().source, input.size));
        const long n = static_cast<long>(b.frame.cluster.count(input.elements[0]));
        auto it = lowest.find(n);
        if (it == lowest.end() || *b.frame.energy < *it->second.frame.energy) lowest[n] = std::move(b);
    }
    for (auto& [n, b] : lowest) input.bests.push_back(std::move(b));
    return input;
}

ConvexHull hull_of(const HullInput& input, double tolerance) {
    std::vector<CompositionEnergy> energies;
    bool has_a = false, has_b = false;
    for (const auto& b : input.bests) {
        const int n = static_cast<int>(b.frame.cluster.count(input.elements[0]));
        energies.push_back({n, *b.frame.energy});
        has_a |= n == input.size;
        has_b |= n == 0;
    }
    for (const auto& [has, z] : {std::pair{has_a, input.elements[0]}, std::pair{has_b, input.elements[1]}})
        if (!has)
            throw InputError(fmt::format("no result for the pure cluster {}{}, the reference of the excess energy",
                                         symbol(z), input.size));
    // The hull module counts n atoms of "B" from 0 to N; here n counts the first element (A),
    // so its n = 0 end is pure B.
    return convex_hull(input.size, energies, tolerance);
}

namespace {

std::string hull_csv_header(const HullInput& in) {
    const std::string a = symbol(in.elements[0]), b = symbol(in.elements[1]);
    return fmt::format("composition,n_{},n_{},x_{},energy,excess_energy,on_hull,distance_to_hull,vertex", a, b, a);
}

// The formula of the composition with n atoms of A.
std::string composition_formula(const HullInput& in, int n) {
    std::vector<Species> s(static_cast<std::size_t>(n), in.elements[0]);
    s.insert(s.end(), static_cast<std::size_t>(in.size - n), in.elements[1]);
    return formula_of(s);
}

std::string hull_csv_row(const HullInput& in, const HullRow& r) {
    const std::string formula = composition_formula(in, r.n);
    return fmt::format("{},{},{},{:.6f},{:.10f},{:.10f},{},{:.10f},{}", formula, r.n, in.size - r.n, r.x, r.energy,
                       r.excess_energy, r.on_hull ? 1 : 0, r.distance_to_hull, r.vertex ? 1 : 0);
}

}  // namespace

void write_hull_files(const std::string& directory, const HullInput& input, const ConvexHull& hull) {
    std::string csv = hull_csv_header(input) + "\n";
    std::vector<XyzFrame> on_hull;
    for (const auto& r : hull.rows) {
        csv += hull_csv_row(input, r) + "\n";
        if (!r.on_hull) continue;
        for (const auto& b : input.bests)
            if (static_cast<int>(b.frame.cluster.count(input.elements[0])) == r.n) {
                XyzFrame f = b.frame;
                f.set_info("composition", f.cluster.formula());
                f.set_info("excess_energy", fmt::format("{:.10f}", r.excess_energy));
                f.set_info("vertex", r.vertex ? "T" : "F");
                on_hull.push_back(std::move(f));
                break;
            }
    }
    const fs::path dir(directory);
    write_text_atomically(dir / "hull.csv", csv);
    write_xyz((dir / "hull.xyz").string(), on_hull);
}

long write_hull_history(const std::string& directory, const HullInput& input, const std::vector<std::string>& order,
                        long every, double tolerance) {
    // Each composition's improvements, on one axis: the reference evaluations of the sweep
    // counted composition by composition in search order (so the history does not depend on
    // which compositions happened to run at the same time).
    struct Track {
        long offset = 0;
        std::vector<std::pair<long, double>> bests;
        int n = 0;
        std::string formula;
    };
    std::vector<Track> tracks;
    long offset = 0;
    for (const auto& formula : order) {
        const fs::path trace = fs::path(directory) / "compositions" / formula / "trace.csv";
        if (!fs::exists(trace)) continue;
        Track t;
        long total = 0;
        t.bests = read_trace_bests(trace, total);
        t.offset = offset;
        offset += total;
        if (t.bests.empty()) continue;
        // The count of A of the composition, from its best structure (already read).
        const auto best = std::find_if(input.bests.begin(), input.bests.end(),
                                       [&](const CompositionBest& b) { return b.frame.cluster.formula() == formula; });
        if (best == input.bests.end()) continue;
        t.n = static_cast<int>(best->frame.cluster.count(input.elements[0]));
        t.formula = formula;
        tracks.push_back(std::move(t));
    }
    const long total = offset;
    const long step = every > 0 ? every : nice_step(static_cast<double>(total) / 50.0);
    std::string csv = "reference_evaluations," + hull_csv_header(input) + "\n";
    long snapshots = 0;
    std::vector<long> points;
    for (long t = step; t < total; t += step) points.push_back(t);
    points.push_back(total);
    // The neighbour polish's passes come after the search (checkpoint/sweep.json records what
    // each cost and improved).
    std::vector<std::pair<long, nlohmann::json>> polish;  // (cumulative evaluations, improved)
    const fs::path saved = fs::path(directory) / "checkpoint" / "sweep.json";
    if (fs::exists(saved)) {
        try {
            const auto j = read_json_file(saved);
            long at = total;
            if (j.contains("polish"))
                for (const auto& pass : j.at("polish").at("passes")) {
                    at += pass.at("evaluations").get<long>();
                    polish.emplace_back(at, pass.at("improved"));
                }
        } catch (const std::exception&) {
            polish.clear();  // a checkpoint being replaced: the history without the polish
        }
    }
    std::map<std::string, double> improved;  // by the polish passes so far
    const auto snapshot = [&](long t) {
        std::vector<CompositionEnergy> energies;
        bool has_a = false, has_b = false;
        for (const auto& tr : tracks) {
            double best = std::numeric_limits<double>::infinity();
            for (const auto& [e, b] : tr.bests)
                if (tr.offset + e <= t) best = std::min(best, b);
            if (const auto it = improved.find(tr.formula); it != improved.end()) best = std::min(best, it->second);
            if (!std::isfinite(best)) continue;
            energies.push_back({tr.n, best});
            has_a |= tr.n == input.size;
            has_b |= tr.n == 0;
        }
        if (!has_a || !has_b) return;
        const ConvexHull hull = convex_hull(input.size, energies, tolerance);
        for (const auto& r : hull.rows) csv += fmt::format("{},{}\n", t, hull_csv_row(input, r));
        ++snapshots;
    };
    for (const long t : points) snapshot(t);
    for (const auto& [t, pass] : polish) {
        for (const auto& [formula, energy] : pass.items()) improved[formula] = energy.get<double>();
        snapshot(t);
    }
    write_text_atomically(fs::path(directory) / "hull_history.csv", csv);
    return snapshots;
}

std::string format_hull_table(const HullInput& input, const ConvexHull& hull) {
    const std::string a = symbol(input.elements[0]), b = symbol(input.elements[1]);
    std::string text = fmt::format("{}-{}, {} atoms: excess energy against {}{} ({:.6f} eV) and {}{} ({:.6f} eV)\n", a, b,
                                   input.size, a, input.size, hull.reference_b, b, input.size, hull.reference_a);
    text += fmt::format("  {:<14} {:>5} {:>5} {:>7} {:>16} {:>12} {:>12}  {}\n", "composition", "n_" + a, "n_" + b,
                        "x_" + a, "energy (eV)", "excess (eV)", "to hull (eV)", "hull");
    for (const auto& r : hull.rows) {
        text += fmt::format("  {:<14} {:>5} {:>5} {:>7.4f} {:>16.6f} {:>12.6f} {:>12.6f}  {}\n", composition_formula(input, r.n), r.n,
                            input.size - r.n, r.x, r.energy, r.excess_energy, r.distance_to_hull,
                            r.vertex ? "vertex" : (r.on_hull ? "on" : ""));
    }
    return text;
}

// --- the sweep ------------------------------------------------------------------------------

/// One composition's search and what the sweep keeps of it.
struct SweepRunner::Composition {
    int n = 0;
    std::string formula;
    std::string directory;
    std::string status = "pending";  // pending, finished, interrupted, failed
    double best = std::numeric_limits<double>::quiet_NaN();
    EvaluationCounts counts;
    long steps = 0;
    std::size_t minima_found = 0;
    double wall_time = 0.0;
    std::string stop_reason;
    std::vector<Cluster> top;  // its best minima (at least one): seeds and polish offers for its neighbours
    nlohmann::json training;   // its screening model's last training points, for the composition it seeds
    // The neighbour polish's best, if it beat the search (energy NaN otherwise).
    Cluster polish_cluster;
    double polish_energy = std::numeric_limits<double>::quiet_NaN();
    int polish_pass = 0;
    std::string polish_from;
    EvaluationCounts polish_counts;
    /// The lowest energy found for the composition, by the search or the polish.
    [[nodiscard]] double lowest() const {
        return std::isfinite(polish_energy) && !(polish_energy >= best) ? polish_energy : best;
    }
};

struct SweepRunner::Impl {
    const RunConfig& config;
    int threads;
    std::string dir;
    SweepSchedule schedule;
    std::vector<Composition> compositions;  // by n (config.sweep->counts order)
    std::mutex mutex;                       // progress reporting from concurrent compositions
    std::vector<std::string> running;
    bool interactive = false;
    std::chrono::steady_clock::time_point last_report = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point session_start = std::chrono::steady_clock::now();
    double elapsed_before = 0.0;
    long evaluations_done = 0;  // of compositions no longer running

    Impl(const RunConfig& c, int t) : config(c), threads(t), dir(c.output_directory) {}

    Composition& at(int n) {
        for (auto& c : compositions)
            if (c.n == n) return c;
        throw Error(fmt::format("sweep: no composition with {} atoms of the first element", n));
    }
    [[nodiscard]] double elapsed() const {
        return elapsed_before + std::chrono::duration<double>(std::chrono::steady_clock::now() - session_start).count();
    }
    [[nodiscard]] nlohmann::json identity() const {
        const auto& s = *config.sweep;
        std::vector<std::string> elements;
        for (const Species z : s.elements) elements.push_back(symbol(z));
        return {{"elements", elements}, {"size", s.size}, {"compositions", s.counts}, {"seeds", s.seeds},
                {"polish_variants", s.polish_variants}, {"seed", config.problem.seed}, {"driver", config.driver->name()},
                {"share_training", shared_training()}};
    }
    // Training points handed along the seed chain (0 without screening, which learns nothing).
    [[nodiscard]] long shared_training() const { return config.screening ? config.sweep->share_training : 0; }
    // The neighbour polish so far: {"passes": [{"evaluations", "relaxations", "improved": {formula:
    // energy}}], "converged", "bests": {formula: {energy, pass, from, cluster}}}.
    nlohmann::json polish = {{"passes", nlohmann::json::array()}, {"converged", false}, {"bests", nlohmann::json::object()}};
};

bool spread_batches(const RunConfig& root, int ranks, int threads, std::size_t compositions) {
    // A wave of W compositions takes about one composition's time t spread over the ranks, one
    // composition each, when W <= R. One after another, each batch over the ranks, it takes
    // W t / s, with s = min(R T, B) / min(T, B) the speed-up of one batch of B evaluator calls
    // on R ranks of T threads over one rank (docs/scale.md, the scaling model). Spreading whole
    // compositions has no per-round wait for a batch's slowest candidate, so batches are spread
    // only when the wave leaves ranks idle and gains from it.
    const auto w = static_cast<double>(compositions);
    if (ranks <= 1 || w >= ranks || !root.driver) return false;
    int width = std::max(1, root.driver->batch_width());
    if (root.screening) width = std::min(width, std::max(1, root.screening->verify));
    const double speedup = static_cast<double>(std::min(ranks * threads, width)) / std::min(threads, width);
    return speedup > w;
}

nlohmann::json search_composition(const RunConfig& root, const nlohmann::json& task, int threads,
                                  const std::atomic<bool>* interrupt,
                                  const std::function<void(const SearchEngine&)>& progress, bool distribute) {
    const SweepSettings& s = *root.sweep;
    const int n = task.at("n").get<int>();
    // This composition's run: the root's potential and relaxer, its own problem, driver,
    // evaluator and run directory.
    RunConfig cfg = nested_run_config(root, task.at("directory").get<std::string>());
    cfg.problem.species = s.species(n);
    for (const auto& seed : task.at("seeds")) cfg.problem.start.seeds.push_back(cluster_from_json(seed));
    make_replica(cfg, task.value("replica", 0));  // the sweep's replica (0 without replicas); builds the driver
    std::vector<Sample> inherit;
    if (task.contains("training"))
        for (const auto& sample : task.at("training")) inherit.push_back(sample_from_json(sample));
    const long share = root.screening ? s.share_training : 0;
    return run_nested_search(cfg, threads, interrupt, progress, std::max(1, s.seeds),
                             fmt::format("composition {} of the sweep in {}", cfg.problem.formula(), root.output_directory),
                             distribute, std::move(inherit), static_cast<std::size_t>(share));
}

SweepRunner::SweepRunner(const RunConfig& config, RunDirectoryMode mode, int threads)
    : impl_(std::make_unique<Impl>(config, threads)) {
    if (!config.sweep) throw Error("SweepRunner needs a run file with [sweep]");
    Impl& m = *impl_;
    const fs::path dir(m.dir);
    const bool has_sweep = fs::exists(sweep_checkpoint_path(m.dir));
    const bool has_run = fs::exists(checkpoint_path(m.dir)) || fs::exists(dir / "summary.json");
    if (mode == RunDirectoryMode::fresh && (has_sweep || has_run))
        throw InputError(fmt::format("{} already holds a run: continue it with --resume, replace it with --overwrite, or "
                                     "choose another --output",
                                     m.dir));
    if (mode == RunDirectoryMode::resume && !has_sweep) {
        if (has_run)
            throw InputError(fmt::format("--resume: {} holds a single run, not a sweep; resume it with its own run file, "
                                         "or start the sweep afresh with --overwrite or another --output",
                                         m.dir));
        throw InputError(fmt::format("--resume: {} has no sweep checkpoint (checkpoint/sweep.json)", m.dir));
    }
    std::error_code ec;
    if (mode == RunDirectoryMode::overwrite) {
        for (const char* name : {"summary.json", "hull.csv", "hull.xyz", "hull_history.csv", "run.log", "best.xyz",
                                 "minima.xyz", "trace.csv", "reference_calls.xyz"})
            fs::remove(dir / name, ec);
        fs::remove_all(dir / "compositions", ec);
        fs::remove_all(dir / "checkpoint", ec);
    }
    fs::create_directories(dir / "checkpoint", ec);
    if (ec) throw InputError(fmt::format("cannot create the run directory {}: {}", m.dir, ec.message()));
    fs::create_directories(dir / "compositions", ec);
    {
        const fs::path probe = dir / ".write_test";
        std::ofstream out(probe);
        if (!out) throw InputError(fmt::format("cannot write in the run directory {}", m.dir));
        out.close();
        fs::remove(probe, ec);
    }
    // One reference_calls.xyz for the whole sweep, at its root.
    open_reference_log(config.reference_log, m.dir, mode == RunDirectoryMode::resume);
    if (mode == RunDirectoryMode::resume) {
        const nlohmann::json saved = read_json_file(sweep_checkpoint_path(m.dir));
        if (!saved.is_object() || saved.value("format", "") != sweep_format)
            throw InputError(fmt::format("--resume: {}: not a nanoscape sweep checkpoint", sweep_checkpoint_path(m.dir)));
        nlohmann::json saved_identity = saved.value("identity", nlohmann::json::object());
        // Checkpoints of versions before share_training shared nothing.
        if (saved_identity.is_object() && !saved_identity.contains("share_training")) saved_identity["share_training"] = 0;
        const std::vector<std::string> differences = identity_differences(saved_identity, m.identity());
        if (!differences.empty())
            throw InputError(fmt::format("--resume: {} belongs to a different sweep: {}; resume with the run file (and "
                                         "seed) that started it, or start afresh with --overwrite",
                                         sweep_checkpoint_path(m.dir), fmt::join(differences, "; ")));
        m.elapsed_before = saved.value("elapsed", 0.0);
        if (saved.contains("polish")) m.polish = saved.at("polish");
    }
    logger_ = make_run_logger((dir / "run.log").string(), mode == RunDirectoryMode::resume, fmt::format("sweep {}", m.dir));
    m.interactive = isatty(fileno(stderr)) != 0;
    const auto& s = *config.sweep;
    m.schedule = sweep_schedule(s.counts, s.seeds > 0);
    for (const int n : s.counts) {
        Composition c;
        c.n = n;
        c.formula = formula_of(s.species(n));
        c.directory = (dir / "compositions" / c.formula).string();
        m.compositions.push_back(std::move(c));
    }
}

SweepRunner::~SweepRunner() = default;

std::string SweepRunner::run(const std::atomic<bool>* interrupt) {
    Impl& m = *impl_;
    const RunConfig& root = m.config;
    const SweepSettings& s = *root.sweep;
    m.session_start = std::chrono::steady_clock::now();
    const auto interrupted = [&] { return interrupt && interrupt->load(); };
    const auto write_checkpoint = [&] {
        nlohmann::json j = {{"format", sweep_format}, {"version", sweep_version}, {"identity", m.identity()},
                            {"elapsed", m.elapsed()}, {"polish", m.polish}};
        write_text_atomically(sweep_checkpoint_path(m.dir), format_json(j));
    };
    write_checkpoint();
    const auto hull_points = [&]() -> std::string {
        // The hull of the compositions finished so far (both ends needed).
        std::vector<CompositionEnergy> energies;
        bool a = false, b = false;
        for (const auto& c : m.compositions)
            if (std::isfinite(c.lowest()) && c.status == "finished") {
                energies.push_back({c.n, c.lowest()});
                a |= c.n == s.size;
                b |= c.n == 0;
            }
        if (!a || !b) return "hull after the pure ends";
        return fmt::format("{} hull points", convex_hull(s.size, energies, s.hull_tolerance).vertices().size());
    };
    const auto report = [&](const SearchEngine& engine) {
        if (!m.interactive) return;
        std::lock_guard lock(m.mutex);
        const auto now = std::chrono::steady_clock::now();
        if (std::chrono::duration<double>(now - m.last_report).count() < 0.25) return;
        m.last_report = now;
        const long done = std::count_if(m.compositions.begin(), m.compositions.end(),
                                        [](const Composition& c) { return c.status == "finished"; });
        fmt::print(stderr, "\r\033[Ksweep {}/{} done | running {} (step {}) | {} | {} evaluations", done,
                   m.compositions.size(), fmt::join(m.running, ", "), engine.progress().steps, hull_points(),
                   m.evaluations_done + engine.evaluator().counts().reference_evaluations);
        std::fflush(stderr);
    };

    std::string status = "finished";
    std::string failure;
    std::exception_ptr failure_exception;  // rethrown as it was (an InputError keeps exit code 2)
    std::size_t finished = 0;  // compositions reported so far
    for (const auto& wave : m.schedule.waves) {
        if (interrupted()) {
            status = "interrupted";
            break;
        }
        // Under MPI a wave narrower than the ranks may run its compositions one after another
        // on this rank, each with its batches over every rank (spread_batches).
        const bool spread = spread_batches(root, mpi::size(), m.threads, wave.size());
        const int concurrent = spread ? 1 : std::max(1, std::min<int>(m.threads, static_cast<int>(wave.size())));
        const int per = std::max(1, m.threads / concurrent);
        const int per_rank = m.threads;  // under MPI: one composition at a time per rank
        {
            std::lock_guard lock(m.mutex);
            m.running.clear();
            for (const int n : wave) m.running.push_back(m.at(n).formula);
        }
        const int levels = omp_get_max_active_levels();
        omp_set_max_active_levels(std::max(levels, 2));
        try {
            // The compositions of the wave as tasks: where it runs (this process's threads, or
            // an MPI rank as one becomes free), a composition is searched the same way.
            std::vector<nlohmann::json> tasks;
            for (const int n : wave) {
                const Composition& c = m.at(n);
                nlohmann::json seeds = nlohmann::json::array();
                if (const int from = m.schedule.seed_source(n); from >= 0) {
                    // The seeds' random streams are keyed on this composition (not the root's).
                    SearchProblem problem = root.problem;
                    problem.species = s.species(n);
                    const Composition& source = m.at(from);
                    const Species more = n > from ? s.elements[0] : s.elements[1];
                    const Species fewer = n > from ? s.elements[1] : s.elements[0];
                    for (std::size_t k = 0; k < source.top.size() && static_cast<int>(k) < s.seeds; ++k) {
                        Rng rng = problem.stream("sweep.seed", k);
                        seeds.push_back(cluster_to_json(change_species(source.top[k], fewer, more, std::abs(n - from), rng)));
                    }
                }
                tasks.push_back({{"kind", "composition"}, {"n", n}, {"directory", c.directory}, {"seeds", std::move(seeds)},
                                 {"replica", root.problem.replica}});
                if (const int from = m.schedule.seed_source(n); from >= 0 && m.shared_training() > 0)
                    tasks.back()["training"] = m.at(from).training;
            }
            const auto take = [&](int n, const nlohmann::json& answer) {
                Composition& c = m.at(n);
                std::lock_guard lock(m.mutex);
                c.stop_reason = answer.at("stop_reason").get<std::string>();
                c.status = c.stop_reason == "interrupted" ? "interrupted" : "finished";
                c.best = real_from_json(answer.at("best"));
                c.counts = counts_from_json(answer.at("counts"));
                c.steps = answer.at("steps").get<long>();
                c.minima_found = answer.at("minima_found").get<std::size_t>();
                c.wall_time = answer.at("wall_time").get<double>();
                c.top.clear();
                for (const auto& t : answer.at("top")) c.top.push_back(cluster_from_json(t));
                c.training = answer.value("training", nlohmann::json::array());
                m.evaluations_done += c.counts.reference_evaluations;
            };
            if (mpi::size() > 1 && !spread) {
                const auto answers = run_tasks_on_ranks(
                    tasks,
                    [&](const nlohmann::json& task) { return search_composition(root, task, per_rank, interrupt, report); },
                    root.mpi_timeout);
                for (std::size_t i = 0; i < wave.size(); ++i) take(wave[i], answers[i]);
            } else {
                if (spread)
                    logger_->info("{}: fewer compositions than the {} ranks, so each spreads its batches over all of them",
                                  fmt::join(m.running, ", "), mpi::size());
                parallel_for(static_cast<std::int64_t>(wave.size()), ParallelOptions{concurrent, 1, 2}, [&](std::int64_t i) {
                    const auto k = static_cast<std::size_t>(i);
                    if (interrupted()) {
                        m.at(wave[k]).status = "interrupted";
                        return;
                    }
                    take(wave[k], search_composition(root, tasks[k], per, interrupt, report, spread));
                });
            }
        } catch (const std::exception& e) {
            failure = e.what();
            failure_exception = std::current_exception();
            status = "failed";
        }
        omp_set_max_active_levels(levels);
        if (m.interactive) fmt::print(stderr, "\r\033[K");
        for (const int n : wave) {
            const Composition& c = m.at(n);
            if (c.status != "finished") continue;
            logger_->info("{} ({} of {}): best {:.6f} eV, {} reference evaluations, {:.1f} s ({}); {}", c.formula,
                          ++finished, m.compositions.size(), c.best, c.counts.reference_evaluations, c.wall_time,
                          c.stop_reason, hull_points());
        }
        if (status == "failed") break;
        if (std::any_of(wave.begin(), wave.end(), [&](int n) { return m.at(n).status == "interrupted"; })) {
            status = "interrupted";
            break;
        }
        write_checkpoint();
        write_summary(status == "finished" ? "running" : status);
    }
    if (status == "finished" &&
        std::any_of(m.compositions.begin(), m.compositions.end(), [](const Composition& c) { return c.status != "finished"; }))
        status = "interrupted";
    if (status == "finished") {
        restore_polish();
        while (!m.polish.at("converged").get<bool>() && static_cast<int>(m.polish.at("passes").size()) < s.polish_passes) {
            if (interrupted()) {
                status = "interrupted";
                break;
            }
            const int pass = static_cast<int>(m.polish.at("passes").size()) + 1;
            const std::size_t improved = polish_pass(pass);
            logger_->info("neighbour polish, pass {}: {} composition(s) improved; {}", pass, improved, hull_points());
            write_checkpoint();
            write_summary("running");
        }
    }
    write_checkpoint();
    write_summary(status, failure);
    if (status == "failed") {
        logger_->error("the sweep stopped with an error: {}; results so far are in {}, and `nanoscape run {} -o {}{} "
                       "--resume` continues it",
                       failure, m.dir, root.path, m.dir, root.override_options);
        std::rethrow_exception(failure_exception);
    }
    if (status == "interrupted")
        logger_->warn("interrupted: the compositions in progress are checkpointed; continue with `nanoscape run {} -o {}{} "
                      "--resume`",
                      root.path, m.dir, root.override_options);
    else
        logger_->info("sweep finished: {} compositions, {} reference evaluations", m.compositions.size(),
                      summary_.value("reference_evaluations", 0L));
    return status;
}

void SweepRunner::restore_polish() {
    Impl& m = *impl_;
    for (auto& c : m.compositions) {
        if (!m.polish.at("bests").contains(c.formula)) continue;
        const auto& b = m.polish.at("bests").at(c.formula);
        c.polish_cluster = cluster_from_json(b.at("cluster"));
        c.polish_energy = real_from_json(b.at("energy"));
        c.polish_pass = b.at("pass").get<int>();
        c.polish_from = b.at("from").get<std::string>();
        c.polish_counts = counts_from_json(b.at("counts"));
    }
}

// One pass of the neighbour polish. Every composition is offered the best minima of the
// compositions beside it in the sweep (as they stood at the end of the previous pass, so the
// compositions are independent and the pass is the same on any number of threads), each with
// the atoms that differ changed at random in polish_variants ways, relaxed (or, for a driver
// with a fixed geometry, evaluated as they are) by the reference potential; a result lower
// than the composition's best by more than the archive's energy tolerance replaces it. This is
// what carries a structure found for one composition to the others, in both directions.
std::size_t SweepRunner::polish_pass(int pass) {
    Impl& m = *impl_;
    const RunConfig& root = m.config;
    const SweepSettings& s = *root.sweep;
    const bool fixed = root.driver->fixed_geometry();
    std::vector<Candidate> batch;
    std::vector<std::pair<std::size_t, std::size_t>> jobs;  // (composition, neighbour) per candidate
    for (std::size_t ci = 0; ci < m.compositions.size(); ++ci) {
        const Composition& c = m.compositions[ci];
        SearchProblem problem = root.problem;
        problem.species = s.species(c.n);
        for (const std::size_t j : {ci - 1, ci + 1}) {
            if (j >= m.compositions.size()) continue;  // ci - 1 wraps for the first
            const Composition& from = m.compositions[j];
            std::vector<const Cluster*> offers;
            if (from.lowest() < from.best) offers.push_back(&from.polish_cluster);
            for (const auto& t : from.top) offers.push_back(&t);
            const Species more = c.n > from.n ? s.elements[0] : s.elements[1];
            const Species fewer = c.n > from.n ? s.elements[1] : s.elements[0];
            for (std::size_t k = 0; k < offers.size(); ++k)
                for (int v = 0; v < s.polish_variants; ++v) {
                    const std::uint64_t index =
                        (static_cast<std::uint64_t>(j > ci) << 40) | (static_cast<std::uint64_t>(k) << 20) | static_cast<std::uint64_t>(v);
                    Rng rng = problem.stream("sweep.polish", index, static_cast<std::uint64_t>(pass));
                    Candidate cand;
                    cand.cluster = change_species(*offers[k], fewer, more, std::abs(c.n - from.n), rng);
                    cand.cluster.center();
                    cand.action = fixed ? CandidateAction::single_point : CandidateAction::relax;
                    cand.origin = static_cast<int>(ci);
                    cand.move = "polish";
                    batch.push_back(std::move(cand));
                    jobs.emplace_back(ci, j);
                }
        }
    }
    // One batch of every composition's offers, spread over the MPI ranks as a search's batch is.
    const auto evaluator = make_reference_evaluator(root, m.threads);
    const std::vector<Evaluation> results = evaluator->evaluate(batch);
    std::vector<std::size_t> lowest(m.compositions.size(), batch.size());
    EvaluationCounts spent;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        Composition& c = m.compositions[jobs[i].first];
        c.polish_counts.reference_evaluations += results[i].evaluations;
        c.polish_counts.reference_relaxations += results[i].relaxations;
        spent.reference_evaluations += results[i].evaluations;
        spent.reference_relaxations += results[i].relaxations;
        if (!results[i].ok()) {
            ++c.polish_counts.failed;
            continue;
        }
        std::size_t& l = lowest[jobs[i].first];
        if (l == batch.size() || results[i].energy < results[l].energy) l = i;
    }
    nlohmann::json improved = nlohmann::json::object();
    for (std::size_t ci = 0; ci < m.compositions.size(); ++ci) {
        Composition& c = m.compositions[ci];
        const std::size_t l = lowest[ci];
        if (l == batch.size()) continue;
        if (!(results[l].energy < c.lowest() - root.engine.archive.energy_tolerance)) continue;
        c.polish_cluster = results[l].cluster;
        c.polish_energy = results[l].energy;
        c.polish_pass = pass;
        c.polish_from = m.compositions[jobs[l].second].formula;
        improved[c.formula] = c.polish_energy;
        XyzFrame f;
        f.cluster = c.polish_cluster;
        f.energy = c.polish_energy;
        f.set_info("move", "polish");
        f.set_info("polish_pass", std::to_string(pass));
        f.set_info("from", c.polish_from);
        write_xyz((fs::path(c.directory) / "polish.xyz").string(), {f});
    }
    for (const auto& c : m.compositions)
        if (std::isfinite(c.polish_energy) || c.polish_counts.reference_evaluations > 0)
            m.polish["bests"][c.formula] = {{"energy", real_to_json(c.polish_energy)},
                                            {"pass", c.polish_pass},
                                            {"from", c.polish_from},
                                            {"counts", counts_to_json(c.polish_counts)},
                                            {"cluster", cluster_to_json(c.polish_cluster)}};
    m.polish["passes"].push_back({{"evaluations", spent.reference_evaluations},
                                  {"relaxations", spent.reference_relaxations},
                                  {"improved", improved}});
    if (improved.empty()) m.polish["converged"] = true;
    return improved.size();
}

void SweepRunner::write_summary(const std::string& status, const std::string& error) {
    Impl& m = *impl_;
    const SweepSettings& s = *m.config.sweep;
    nlohmann::ordered_json j;
    j["status"] = status;
    j["kind"] = "sweep";
    std::vector<std::string> elements;
    for (const Species z : s.elements) elements.push_back(symbol(z));
    j["elements"] = elements;
    j["size"] = s.size;
    j["potential"] = m.config.potential->description();
    j["driver"] = m.config.driver->name();
    EvaluationCounts total;
    long steps = 0;
    std::size_t done = 0;
    EvaluationCounts polish;
    for (const auto& c : m.compositions) {
        polish.reference_evaluations += c.polish_counts.reference_evaluations;
        polish.reference_relaxations += c.polish_counts.reference_relaxations;
        polish.failed += c.polish_counts.failed;
    }
    total = polish;
    for (const auto& c : m.compositions) {
        total.reference_evaluations += c.counts.reference_evaluations;
        total.reference_relaxations += c.counts.reference_relaxations;
        total.surrogate_predictions += c.counts.surrogate_predictions;
        total.local_updates += c.counts.local_updates;
        total.failed += c.counts.failed;
        steps += c.steps;
        done += c.status == "finished" ? 1 : 0;
    }
    j["compositions_total"] = m.compositions.size();
    j["compositions_finished"] = done;
    j["reference_evaluations"] = total.reference_evaluations;
    j["reference_relaxations"] = total.reference_relaxations;
    j["surrogate_predictions"] = total.surrogate_predictions;
    j["reference_local_updates"] = total.local_updates;
    j["failed_evaluations"] = total.failed;
    j["steps"] = steps;
    j["polish_evaluations"] = polish.reference_evaluations;
    j["polish_relaxations"] = polish.reference_relaxations;
    j["polish_passes"] = m.polish.at("passes").size();
    j["polish_converged"] = m.polish.at("converged");
    // The hull of what the compositions' directories hold (the same reading as `nanoscape hull`).
    std::optional<HullInput> input;
    std::optional<ConvexHull> hull;
    try {
        input = read_hull_input({m.dir});
        hull = hull_of(*input, s.hull_tolerance);
        write_hull_files(m.dir, *input, *hull);
        std::vector<std::string> order;
        for (const int n : m.schedule.order) order.push_back(m.at(n).formula);
        (void)write_hull_history(m.dir, *input, order, s.history_every, s.hull_tolerance);
    } catch (const InputError&) {
        hull.reset();  // no pure end yet: no hull
    }
    if (hull) {
        j["references"][m.at(s.size).formula] = hull->reference_b;
        j["references"][m.at(0).formula] = hull->reference_a;
        std::vector<std::string> vertices;
        for (const auto& v : hull->vertices()) vertices.push_back(formula_of(s.species(v.n)));
        j["hull_vertices"] = vertices;
    } else {
        j["references"] = nullptr;
        j["hull_vertices"] = nlohmann::ordered_json::array();
    }
    j["compositions"] = nlohmann::ordered_json::array();
    for (const int n : m.schedule.order) {
        const Composition& c = m.at(n);
        nlohmann::ordered_json e;
        e["formula"] = c.formula;
        e["n"][elements[0]] = c.n;
        e["n"][elements[1]] = s.size - c.n;
        e["x_" + elements[0]] = static_cast<double>(c.n) / s.size;
        e["status"] = c.status;
        e["best_energy"] = number_or_null(c.lowest());
        e["search_best_energy"] = number_or_null(c.best);
        if (std::isfinite(c.polish_energy) && c.lowest() == c.polish_energy)
            e["polish"] = {{"energy", c.polish_energy}, {"pass", c.polish_pass}, {"from", c.polish_from}};
        else
            e["polish"] = nullptr;
        const HullRow* row = nullptr;
        if (hull)
            for (const auto& r : hull->rows)
                if (r.n == c.n) row = &r;
        e["excess_energy"] = row ? nlohmann::ordered_json(row->excess_energy) : nlohmann::ordered_json(nullptr);
        e["distance_to_hull"] = row ? nlohmann::ordered_json(row->distance_to_hull) : nlohmann::ordered_json(nullptr);
        e["on_hull"] = row ? nlohmann::ordered_json(row->on_hull) : nlohmann::ordered_json(nullptr);
        e["reference_evaluations"] = c.counts.reference_evaluations + c.polish_counts.reference_evaluations;
        e["reference_relaxations"] = c.counts.reference_relaxations + c.polish_counts.reference_relaxations;
        e["polish_evaluations"] = c.polish_counts.reference_evaluations;
        e["steps"] = c.steps;
        e["minima_found"] = c.minima_found;
        e["stop_reason"] = c.stop_reason;
        e["wall_time_s"] = c.wall_time;
        j["compositions"].push_back(std::move(e));
    }
    j["history_every"] = s.history_every;
    if (!error.empty()) j["error"] = error;
    j["wall_time_s"] = m.elapsed();
    j["seed"] = m.config.problem.seed;
    j["threads"] = m.threads;
    j["mpi_ranks"] = mpi::size();
    j["version"] = version();
    write_text_atomically(fs::path(m.dir) / "summary.json", format_json(j));
    summary_ = std::move(j);
}

}  // namespace nanoscape
