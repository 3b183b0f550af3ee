// sample: labelled data sets (homotops, perturbed homotops, relaxation snapshots, random
// clusters) of a motif and composition, with energy and forces of a reference potential.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "validators.hpp"
#include "list_options.hpp"
#include "nanoscape/core/error.hpp"
#include "nanoscape/geometry/motifs.hpp"
#include "nanoscape/io/potential_loader.hpp"
#include "nanoscape/io/text_files.hpp"
#include "nanoscape/io/xyz.hpp"
#include "nanoscape/relax/relaxer.hpp"
#include "nanoscape/search/sampling.hpp"

namespace nanoscape::cli {

namespace {

struct SampleCommandOptions {
    std::string potential;  // SPEC
    std::string variant;
    std::string motif;        // empty: only allowed for --kinds random
    int shells = 0;
    int size = 0;
    std::string shape;        // "p,q,r" or "length[,cutoff]"
    std::string composition;  // "Pt=19,Au=19" or several separated by ';'
    std::int64_t count = 0;   // per composition; 0: from --kinds NAME=N
    std::string kinds = "homotop,perturbed,relaxation";
    double perturbation = 0.1;
    int snapshots = 5;
    int random_steps = 20;
    std::string optimizer = "lbfgs";
    double fmax = 0.01;
    int max_steps = 1000;
    std::uint64_t seed = 0;
    int threads = 0;
    std::string output;
};

std::size_t parse_count(const std::string& text, const std::string& item) {
    std::size_t used = 0;
    long long value = -1;
    try {
        value = std::stoll(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (text.empty() || used != text.size() || value < 0)
        throw InputError(fmt::format("--kinds: '{}': the count '{}' is not a non-negative integer", item, text));
    return static_cast<std::size_t>(value);
}

// "homotop,perturbed" with --count N (split evenly), or "homotop=100,relaxation=50".
SampleCounts parse_kinds(const std::string& text, std::int64_t count) {
    const auto items = split_commas(text);
    const bool explicit_counts = text.find('=') != std::string::npos;
    if (!explicit_counts) {
        std::vector<SampleKind> kinds;
        for (const auto& item : items) {
            if (item.empty()) throw InputError(fmt::format("--kinds '{}': empty kind name", text));
            kinds.push_back(parse_sample_kind(item));
        }
        if (count <= 0)
            throw InputError(count == 0 ? std::string("give --count N (structures per composition), or counts per "
                                                      "kind as --kinds homotop=N,relaxation=M")
                                        : fmt::format("--count must be a positive integer, got {}", count));
        return split_count(static_cast<std::size_t>(count), kinds);
    }
    SampleCounts counts;
    std::vector<bool> seen(sample_kind_names().size(), false);
    for (const auto& item : items) {
        const auto eq = item.find('=');
        if (eq == std::string::npos)
            throw InputError(fmt::format("--kinds '{}': '{}' has no count; give every kind as NAME=N or none", text,
                                         item));
        const SampleKind kind = parse_sample_kind(trim(item.substr(0, eq)));
        if (seen[static_cast<std::size_t>(kind)])
            throw InputError(fmt::format("--kinds '{}': {} is given twice", text, to_string(kind)));
        seen[static_cast<std::size_t>(kind)] = true;
        counts.at(kind) = parse_count(trim(item.substr(eq + 1)), item);
    }
    if (counts.total() == 0) throw InputError(fmt::format("--kinds '{}' asks for no structures", text));
    if (count != 0 && static_cast<std::size_t>(count) != counts.total())
        throw InputError(
            fmt::format("--count {} disagrees with the counts of --kinds {} (which sum to {}); give one of them",
                        count, text, counts.total()));
    return counts;
}

// One BuildRequest per composition; the CLI words size mismatches itself, naming its options.
std::vector<BuildRequest> make_requests(const SampleCommandOptions& o, const SampleCounts& counts) {
    const bool motif_kinds = counts.homotop + counts.perturbed + counts.relaxation > 0;
    BuildRequest base;
    const int given = (o.shells != 0) + (o.size != 0) + !o.shape.empty();
    if (!o.motif.empty()) {
        base.motif = parse_motif(o.motif);
        if (o.shells < 0 || o.size < 0)
            throw InputError(fmt::format("--{} must be a positive integer", o.shells < 0 ? "shells" : "size"));
        if (given != 1)
            throw InputError(fmt::format("give exactly one of --shells, --size and --shape (got {})", given));
        base.shells = o.shells;
        base.size = o.size;
        if (!o.shape.empty()) base.shape = parse_shape_option(o.shape);
    } else if (motif_kinds) {
        throw InputError("--motif is required for the kinds homotop, perturbed and relaxation (only --kinds random "
                         "needs none)");
    } else if (given != 0) {
        throw InputError("--shells, --size and --shape need --motif");
    }

    std::vector<BuildRequest> requests;
    for (const auto& text : split_list(o.composition, ';')) {
        if (text.empty()) continue;  // a trailing ';'
        BuildRequest r = base;
        r.composition = parse_composition(text);
        const std::int64_t total = composition_size(r.composition);
        if (o.motif.empty()) {
            r.motif = Motif::random;
            r.size = static_cast<int>(std::min<std::int64_t>(total, std::numeric_limits<int>::max()));
        }
        const std::int64_t n = requested_size(r);
        if (total != n) {
            if (o.size != 0)
                throw InputError(fmt::format("--composition {} sums to {} but --size is {}", to_string(r.composition),
                                             total, n));
            throw InputError(fmt::format("--composition {} sums to {} but {} has {} atoms", to_string(r.composition),
                                         total, describe_request(r), n));
        }
        requests.push_back(std::move(r));
    }
    if (requests.empty()) throw InputError(fmt::format("--composition '{}' holds no composition", o.composition));
    return requests;
}

int run_sample(const SampleCommandOptions& o) {
    check_output_file(o.output);  // before any work
    const SampleCounts counts = parse_kinds(o.kinds, o.count);
    const auto requests = make_requests(o, counts);
    const auto potential = load_potential_spec(o.potential, o.variant);

    // Checked here so the messages name the options.
    if (!(o.perturbation >= 0.0) || !std::isfinite(o.perturbation))
        throw InputError(fmt::format("--perturbation must be >= 0 A, got {}", o.perturbation));
    if (o.snapshots < 1) throw InputError(fmt::format("--snapshots must be >= 1, got {}", o.snapshots));
    if (o.random_steps < 0) throw InputError(fmt::format("--random-steps must be >= 0, got {}", o.random_steps));
    if (!(o.fmax > 0.0)) throw InputError(fmt::format("--fmax must be positive, got {}", o.fmax));
    if (o.max_steps < 1) throw InputError(fmt::format("--max-steps must be >= 1, got {}", o.max_steps));
    const auto relaxers = relaxer_registry().keys();
    if (std::find(relaxers.begin(), relaxers.end(), o.optimizer) == relaxers.end())
        throw InputError(fmt::format("--optimizer '{}' is not a relaxer{}; relaxers: {}", o.optimizer,
                                     did_you_mean(o.optimizer, relaxers), fmt::join(relaxers, ", ")));

    SamplingOptions options;
    options.counts = counts;
    options.perturbation = o.perturbation;
    options.snapshots = o.snapshots;
    options.random_relax_steps = o.random_steps;
    options.relaxer = o.optimizer;
    options.relax.fmax = o.fmax;
    options.relax.max_steps = o.max_steps;
    options.seed = o.seed;
    options.threads = o.threads;

    const std::size_t total = requests.size() * counts.total();
    spdlog::info("labelling with {}", potential->description());
    spdlog::info("sampling {} structure(s): {} composition(s) x (homotop {}, perturbed {}, relaxation {}, random {}), "
                 "seed {}",
                 total, requests.size(), counts.homotop, counts.perturbed, counts.relaxation, counts.random, o.seed);

    // Progress: a log line every 10 s, for runs long enough to wonder about.
    const auto start = std::chrono::steady_clock::now();
    auto last_report = start;
    options.progress = [&](std::size_t done, std::size_t all) {
        const auto now = std::chrono::steady_clock::now();
        if (std::chrono::duration<double>(now - last_report).count() < 10.0 || done == all) return;
        last_report = now;
        const double elapsed = std::chrono::duration<double>(now - start).count();
        spdlog::info("sampled {}/{} structures ({:.1f}/s)", done, all, static_cast<double>(done) / elapsed);
    };
    const auto samples = generate_samples(requests, *potential, options);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    std::vector<XyzFrame> frames;
    frames.reserve(samples.size());
    for (const auto& s : samples) {
        XyzFrame frame;
        frame.cluster = s.sample.cluster;
        frame.energy = s.sample.energy;
        frame.forces = s.sample.forces;
        frame.set_info("kind", to_string(s.kind));
        if (s.kind != SampleKind::random) frame.set_info("motif", to_string(requests[s.request].motif));
        if (s.kind == SampleKind::perturbed || s.amplitude > 0.0) frame.set_info("amplitude", fmt::format("{}", s.amplitude));
        if (s.kind == SampleKind::relaxation) frame.set_info("relax_evaluation", std::to_string(s.relax_evaluations));
        if (s.kind == SampleKind::random) frame.set_info("relax_steps", std::to_string(s.relax_evaluations));
        frame.set_info("sample", std::to_string(s.index));
        frame.set_info("seed", std::to_string(o.seed));
        frame.set_info("potential", potential->type());
        frame.set_info("source", potential->description());
        frames.push_back(std::move(frame));
    }
    write_xyz(o.output, frames);

    // A relaxation shorter than --snapshots evaluations repeats frames (see sampling.hpp).
    std::vector<std::pair<std::uint64_t, long>> snapshots;
    for (const auto& s : samples)
        if (s.kind == SampleKind::relaxation) snapshots.emplace_back(s.stream, s.relax_evaluations);
    std::sort(snapshots.begin(), snapshots.end());
    const auto repeated = static_cast<std::size_t>(
        snapshots.end() - std::unique(snapshots.begin(), snapshots.end()));
    if (repeated > 0)
        spdlog::warn("{} relaxation snapshot(s) repeat a frame: those relaxations took fewer evaluations than "
                     "--snapshots {}; lower --snapshots or use --optimizer fire (longer trajectories)",
                     repeated, o.snapshots);

    fmt::print("{:<12} {:>10} {:>18} {:>18}\n", "kind", "structures", "min E/atom (eV)", "max E/atom (eV)");
    for (const auto& name : sample_kind_names()) {
        const SampleKind kind = parse_sample_kind(name);
        std::size_t n = 0;
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (const auto& s : samples)
            if (s.kind == kind) {
                ++n;
                const double e = s.sample.energy / static_cast<double>(s.sample.cluster.size());
                lo = std::min(lo, e);
                hi = std::max(hi, e);
            }
        if (n > 0) fmt::print("{:<12} {:>10} {:>18.6f} {:>18.6f}\n", name, n, lo, hi);
    }
    fmt::print("{} structures ({} composition(s)) labelled by {} -> {} ({:.2f} s)\n", samples.size(), requests.size(),
               potential->type(), o.output, seconds);
    std::fflush(stdout);
    return 0;
}

}  // namespace

void register_sample(CLI::App& app, int& exit_code) {
    // Shared with the callback, which CLI11 keeps for as long as `app` lives.
    auto o = std::make_shared<SampleCommandOptions>();
    auto* cmd = app.add_subcommand(
        "sample", "labelled data set: homotops, perturbed homotops, relaxation snapshots, random clusters");
    cmd->add_option("--potential,-p", o->potential,
                    "reference potential SPEC (registry key, potential file or run file)")
        ->required();
    cmd->add_option("--variant", o->variant, "variant of the potential's parameter set");
    cmd->add_option("--motif,-m", o->motif,
                    fmt::format("structural motif: {} (not needed for --kinds random)", fmt::join(motif_names(), ", ")));
    cmd->add_option("--shells", o->shells, "complete motif with K shells (13, 55, 147, ... atoms for K = 1, 2, 3)")
        ->check(whole_at_least(1));
    cmd->add_option("--size", o->size, "N atoms: the N sites of the smallest complete motif >= N closest to its centre")
        ->check(whole_at_least(2));
    cmd->add_option("--shape", o->shape, "explicit shape, as for `nanoscape build` (decahedron P,Q,R; ...)");
    cmd->add_option("--composition,-c", o->composition,
                    "species and counts, e.g. Pt=19,Au=19; several compositions separated by ';'")
        ->required();
    cmd->add_option("--count,-n", o->count, "structures per composition, split evenly over --kinds");
    cmd->add_option("--kinds", o->kinds,
                    "kinds to sample (homotop, perturbed, relaxation, random), or counts per kind: homotop=100,random=20")
        ->capture_default_str();
    cmd->add_option("--perturbation", o->perturbation,
                    "largest displacement amplitude, A (Gaussian sigma per component, drawn from [0, A])")
        ->capture_default_str();
    cmd->add_option("--snapshots", o->snapshots, "frames kept per relaxation trajectory")->capture_default_str();
    cmd->add_option("--random-steps", o->random_steps,
                    "random clusters are relaxed for 1..N steps (0: not at all)")
        ->capture_default_str();
    cmd->add_option("--optimizer", o->optimizer, fmt::format("relaxer: {}", fmt::join(relaxer_registry().keys(), ", ")))
        ->capture_default_str();
    cmd->add_option("--fmax", o->fmax, "relaxation trajectories end at this largest force, eV/A")->capture_default_str();
    cmd->add_option("--max-steps", o->max_steps, "step limit of a relaxation trajectory")->capture_default_str();
    cmd->add_option("--seed", o->seed, "random seed; structure k uses stream k")->capture_default_str();
    cmd->add_option("--threads,-j", o->threads, "OpenMP threads (default: all cores); the output does not depend on it")
        ->check(non_negative());
    cmd->add_option("-o,--output", o->output, "output file (extended XYZ with energy and forces)")->required();
    cmd->callback([o, &exit_code] { exit_code = run_sample(*o); });
}

}  // namespace nanoscape::cli
