#include "nanoscape/io/merge.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nanoscape/core/elements.hpp"
#include "nanoscape/core/error.hpp"
#include "nanoscape/core/version.hpp"
#include "nanoscape/io/sweep.hpp"
#include "nanoscape/io/text_files.hpp"
#include "nanoscape/io/xyz.hpp"

namespace nanoscape {

namespace fs = std::filesystem;

namespace {

// One input run (a single search, or one composition of a sweep): its summary and minima.
struct RunFiles {
    std::string directory;
    nlohmann::json summary;
    std::vector<XyzFrame> minima;  // minima.xyz, plus a sweep composition's polish.xyz
};

// The frames of `file` that carry a finite energy (InputError naming the file otherwise).
std::vector<XyzFrame> read_minima(const fs::path& file) {
    std::vector<XyzFrame> frames = read_xyz(file.string());
    for (std::size_t k = 0; k < frames.size(); ++k)
        if (!frames[k].energy || !std::isfinite(*frames[k].energy))
            throw InputError(fmt::format("{}: frame {} has no finite energy= value", file.string(), k + 1));
    return frames;
}

RunFiles read_run(const fs::path& dir) {
    RunFiles r;
    r.directory = dir.string();
    if (!fs::exists(dir / "summary.json"))
        throw InputError(fmt::format("{} holds no summary.json: not a run directory (or one that has not started)",
                                     dir.string()));
    r.summary = read_json_file(dir / "summary.json");
    if (fs::exists(dir / "minima.xyz")) r.minima = read_minima(dir / "minima.xyz");
    if (fs::exists(dir / "polish.xyz"))
        for (auto& f : read_minima(dir / "polish.xyz")) r.minima.push_back(std::move(f));
    return r;
}

// The status of several runs together: the least finished of them.
std::string merged_status(const std::vector<std::string>& statuses) {
    for (const char* s : {"failed", "running", "interrupted"})
        if (std::find(statuses.begin(), statuses.end(), s) != statuses.end()) return s;
    return "finished";
}

// The same text in every summary, or InputError naming the first that differs.
std::string common_text(const std::vector<RunFiles>& runs, const std::string& key) {
    const std::string first = runs.front().summary.value(key, std::string());
    for (const auto& r : runs)
        if (r.summary.value(key, std::string()) != first)
            throw InputError(fmt::format("{} has {} '{}' but {} has '{}': only runs of one system merge", r.directory, key,
                                         r.summary.value(key, std::string()), runs.front().directory, first));
    return first;
}

long sum_of(const std::vector<RunFiles>& runs, const std::string& key) {
    long total = 0;
    for (const auto& r : runs) total += r.summary.value(key, 0L);
    return total;
}

// Merges the runs of one composition into `dir`: minima.xyz, best.xyz, summary.json.
nlohmann::ordered_json merge_runs(const std::vector<RunFiles>& runs, const fs::path& dir, const ArchiveSettings& settings) {
    const std::string formula = common_text(runs, "formula");
    const std::string potential = common_text(runs, "potential");
    // Every minimum with its fingerprint, lowest first; ties keep the inputs' order.
    struct Entry {
        double energy;
        std::size_t run, frame;
        std::vector<double> fingerprint;
    };
    std::vector<Entry> entries;
    for (std::size_t r = 0; r < runs.size(); ++r)
        for (std::size_t f = 0; f < runs[r].minima.size(); ++f) {
            const XyzFrame& frame = runs[r].minima[f];
            if (frame.cluster.formula() != formula)
                throw InputError(fmt::format("{}: minimum {} is {}, not the run's {}", runs[r].directory, f + 1,
                                             frame.cluster.formula(), formula));
            entries.push_back({*frame.energy, r, f, structural_fingerprint(frame.cluster)});
        }
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.energy < b.energy; });
    std::vector<const Entry*> kept;
    for (const auto& e : entries) {
        if (kept.size() >= settings.capacity) break;
        const bool duplicate = std::any_of(kept.begin(), kept.end(), [&](const Entry* k) {
            return same_minimum(settings, e.energy, e.fingerprint, k->energy, k->fingerprint);
        });
        if (!duplicate) kept.push_back(&e);
    }
    std::vector<XyzFrame> frames;
    for (const Entry* e : kept) {
        XyzFrame f = runs[e->run].minima[e->frame];
        f.set_info("rank", std::to_string(frames.size() + 1));
        f.set_info("source", runs[e->run].directory);
        frames.push_back(std::move(f));
    }
    fs::create_directories(dir);
    if (!frames.empty()) {
        write_xyz((dir / "best.xyz").string(), {frames.front()});
        write_xyz((dir / "minima.xyz").string(), frames);
    }

    nlohmann::ordered_json j;
    std::vector<std::string> statuses, drivers, directories;
    for (const auto& r : runs) {
        statuses.push_back(r.summary.value("status", std::string("unknown")));
        const std::string d = r.summary.value("driver", std::string());
        if (std::find(drivers.begin(), drivers.end(), d) == drivers.end()) drivers.push_back(d);
        directories.push_back(r.directory);
    }
    j["status"] = merged_status(statuses);
    j["formula"] = formula;
    j["potential"] = potential;
    j["driver"] = fmt::format("{}", fmt::join(drivers, "+"));
    j["merged_from"] = directories;
    j["best_energy"] = frames.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(*frames.front().energy);
    j["best_source"] = frames.empty() ? nlohmann::ordered_json(nullptr)
                                      : nlohmann::ordered_json(runs[kept.front()->run].directory);
    for (const char* key : {"reference_evaluations", "reference_relaxations", "surrogate_predictions",
                            "reference_local_updates", "failed_evaluations", "steps"})
        j[key] = sum_of(runs, key);
    j["unique_minima"] = frames.size();
    // A target is reached by the merged runs if one of them reached it.
    if (runs.front().summary.contains("target_energy")) {
        long reached = 0;
        for (const auto& r : runs) reached += r.summary.value("target_reached", false) ? 1 : 0;
        j["target_energy"] = runs.front().summary.at("target_energy");
        j["target_reached"] = reached > 0;
        j["runs_reached_target"] = reached;
    }
    double longest = 0, total = 0;
    nlohmann::ordered_json table = nlohmann::ordered_json::array();
    for (const auto& r : runs) {
        const double t = r.summary.value("wall_time_s", 0.0);
        longest = std::max(longest, t);
        total += t;
        nlohmann::ordered_json e;
        e["directory"] = r.directory;
        for (const char* key : {"status", "driver", "seed", "replica", "best_energy", "reference_evaluations",
                                "reference_relaxations", "steps", "minima_found", "target_reached",
                                "evaluations_to_target", "relaxations_to_target", "wall_time_s"})
            if (r.summary.contains(key)) e[key] = r.summary.at(key);
        table.push_back(std::move(e));
    }
    j["wall_time_s_longest"] = longest;
    j["wall_time_s_total"] = total;
    j["runs"] = std::move(table);
    j["version"] = version();
    write_text_atomically(dir / "summary.json", format_json(j));
    return j;
}

// The formulas of a sweep's compositions/<formula>/ directories that hold a summary.
std::vector<std::string> composition_formulas(const fs::path& sweep) {
    std::vector<std::string> formulas;
    for (const auto& entry : fs::directory_iterator(sweep / "compositions"))
        if (entry.is_directory() && fs::exists(entry.path() / "summary.json"))
            formulas.push_back(entry.path().filename().string());
    std::sort(formulas.begin(), formulas.end());
    return formulas;
}

nlohmann::ordered_json merge_sweeps(const std::vector<RunFiles>& sweeps, const fs::path& out, const ArchiveSettings& settings,
                                    double hull_tolerance) {
    const std::string potential = common_text(sweeps, "potential");
    const nlohmann::json elements = sweeps.front().summary.value("elements", nlohmann::json::array());
    const int size = sweeps.front().summary.value("size", 0);
    for (const auto& s : sweeps)
        if (s.summary.value("elements", nlohmann::json::array()) != elements || s.summary.value("size", 0) != size)
            throw InputError(fmt::format("{} is a sweep of {} {} atoms but {} of {} {} atoms: only sweeps of one size and "
                                         "element pair merge",
                                         s.directory, s.summary.value("elements", nlohmann::json::array()).dump(),
                                         s.summary.value("size", 0), sweeps.front().directory, elements.dump(), size));
    // Every composition any sweep has, merged on its own.
    std::map<std::string, std::vector<RunFiles>> by_formula;
    for (const auto& s : sweeps)
        for (const auto& formula : composition_formulas(s.directory))
            by_formula[formula].push_back(read_run(fs::path(s.directory) / "compositions" / formula));
    if (by_formula.empty()) throw InputError(fmt::format("{}: no composition has a result yet", sweeps.front().directory));
    std::map<std::string, nlohmann::ordered_json> merged;
    for (const auto& [formula, runs] : by_formula)
        merged[formula] = merge_runs(runs, out / "compositions" / formula, settings);

    nlohmann::ordered_json j;
    std::vector<std::string> statuses, directories;
    for (const auto& s : sweeps) {
        statuses.push_back(s.summary.value("status", std::string("unknown")));
        directories.push_back(s.directory);
    }
    j["status"] = merged_status(statuses);
    j["kind"] = "sweep";
    j["elements"] = elements;
    j["size"] = size;
    j["potential"] = potential;
    j["merged_from"] = directories;
    // The hull reads the elements' order from summary.json: write that much first.
    write_text_atomically(out / "summary.json", format_json(j));
    std::optional<HullInput> input;
    std::optional<ConvexHull> hull;
    try {
        input = read_hull_input({out.string()});
        hull = hull_of(*input, hull_tolerance);
        write_hull_files(out.string(), *input, *hull);
    } catch (const InputError&) {
        hull.reset();  // a pure end missing in every input: no hull yet
    }
    j["compositions_total"] = by_formula.size();
    for (const char* key : {"reference_evaluations", "reference_relaxations", "surrogate_predictions",
                            "reference_local_updates", "failed_evaluations", "steps", "polish_evaluations"})
        j[key] = sum_of(sweeps, key);
    // Hull rows by formula (a row knows its count n of the first element).
    const std::vector<Species> pair{species_from_symbol(elements.at(0).get<std::string>()),
                                    species_from_symbol(elements.at(1).get<std::string>())};
    const auto formula_with = [&](int n) {
        std::vector<Species> species(static_cast<std::size_t>(n), pair[0]);
        species.resize(static_cast<std::size_t>(size), pair[1]);
        return species_only(species).formula();
    };
    std::map<std::string, const HullRow*> rows;
    std::vector<std::string> vertices;
    if (hull) {
        for (const auto& r : hull->rows) rows[formula_with(r.n)] = &r;
        for (const auto& v : hull->vertices()) vertices.push_back(formula_with(v.n));
    }
    j["hull_vertices"] = vertices;
    nlohmann::ordered_json table = nlohmann::ordered_json::array();
    for (const auto& [formula, c] : merged) {
        const auto row = rows.find(formula);
        const HullRow* r = row == rows.end() ? nullptr : row->second;
        nlohmann::ordered_json e;
        e["formula"] = formula;
        e["status"] = c.at("status");
        e["best_energy"] = c.at("best_energy");
        e["best_source"] = c.at("best_source");
        e["excess_energy"] = r ? nlohmann::ordered_json(r->excess_energy) : nlohmann::ordered_json(nullptr);
        e["distance_to_hull"] = r ? nlohmann::ordered_json(r->distance_to_hull) : nlohmann::ordered_json(nullptr);
        e["on_hull"] = r ? nlohmann::ordered_json(r->on_hull) : nlohmann::ordered_json(nullptr);
        e["reference_evaluations"] = c.at("reference_evaluations");
        e["unique_minima"] = c.at("unique_minima");
        table.push_back(std::move(e));
    }
    j["compositions"] = std::move(table);
    j["version"] = version();
    write_text_atomically(out / "summary.json", format_json(j));
    return j;
}

}  // namespace

std::vector<std::string> expand_replica_directories(const std::vector<std::string>& directories) {
    std::vector<std::string> out;
    for (const auto& d : directories) {
        // DIR/replicas/r<k> or DIR/slices/s<k>, in order of the number, not of the text (r10 after r9).
        std::vector<std::pair<long, std::string>> found;
        for (const auto& [folder, prefix] : {std::pair{"replicas", 'r'}, std::pair{"slices", 's'}}) {
            const fs::path parts = fs::path(d) / folder;
            if (!fs::is_directory(parts)) continue;
            for (const auto& entry : fs::directory_iterator(parts)) {
                const std::string name = entry.path().filename().string();
                if (!entry.is_directory() || name.size() < 2 || name[0] != prefix ||
                    name.find_first_not_of("0123456789", 1) != std::string::npos)
                    continue;
                found.emplace_back(std::stol(name.substr(1)), entry.path().string());
            }
            if (found.empty())
                throw InputError(fmt::format("{}: no {} directory ({}0, {}1, ...) yet", parts.string(),
                                             prefix == 'r' ? "replica" : "slice", prefix, prefix));
            break;
        }
        if (found.empty()) {
            out.push_back(d);  // a run of its own
            continue;
        }
        std::sort(found.begin(), found.end());
        for (auto& [k, path] : found) out.push_back(std::move(path));
    }
    return out;
}

nlohmann::ordered_json merge_run_directories(const std::vector<std::string>& inputs, const std::string& output,
                                             const ArchiveSettings& settings, double hull_tolerance) {
    if (inputs.empty()) throw InputError("give at least one run directory to merge");
    std::error_code ec;
    for (const auto& d : inputs) {
        if (!fs::is_directory(d)) throw InputError(fmt::format("{} is not a directory", d));
        if (fs::exists(output) && fs::equivalent(d, output, ec))
            throw InputError(fmt::format("the merged directory {} is also an input: give another --output", output));
    }
    std::vector<RunFiles> runs;
    for (const auto& d : inputs) runs.push_back(read_run(d));
    const auto is_sweep = [](const RunFiles& r) { return r.summary.value("kind", std::string()) == "sweep"; };
    const bool sweeps = is_sweep(runs.front());
    for (const auto& r : runs)
        if (is_sweep(r) != sweeps)
            throw InputError(fmt::format("{} is {} but {} is {}: sweeps merge only with sweeps", r.directory,
                                         is_sweep(r) ? "a sweep" : "a single run", runs.front().directory,
                                         sweeps ? "a sweep" : "a single run"));
    fs::create_directories(output, ec);
    if (ec || !fs::is_directory(output))
        throw InputError(fmt::format("cannot create the merged directory {}: {}", output, ec.message()));
    return sweeps ? merge_sweeps(runs, output, settings, hull_tolerance) : merge_runs(runs, output, settings);
}

}  // namespace nanoscape
