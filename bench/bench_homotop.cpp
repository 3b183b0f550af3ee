// Homotop swap trials: energy change of exchanging the species of two unlike atoms on a fixed
// geometry, local update (LocalEnergy on the potential's site-sum form, O(neighbours)) against
// one full energy evaluation per trial (what a naive Monte Carlo does), single thread.
//
//   build/bench/bench_homotop                          built-in icosahedra (about 30 s)
//   build/bench/bench_homotop --benchmark_filter=Gupta
//   build/bench/bench_homotop --structure X.xyz --potential SPEC [--kelvin 300] [--trials-from-start 5000]
//
// Built-in cases: 50/50 random homotops (fixed seed) of Mackay icosahedra with 3, 5, 8 and 14
// shells (147, 561, 2057 and 10 179 atoms; 10 179 is the complete icosahedron closest to
// 10 000) at the potential's unlike-pair distance, for EMT Pt-Au, the Ferrando Ag-Cu Gupta set
// (SMATB tail) and the same Ag-Cu set as the EAM/FS table AgCu_ferrando_gupta.eam.fs.
// Each trial draws a random unlike pair (i from the atoms of one species, j of the other),
// calls trial_swap(i, j) and commits it when a uniform number is below 0.5, so the state keeps
// changing. "Full" does the same through the full-evaluation fallback of make_local_energy
// (one Potential::energy of the swapped cluster per trial). After the table the program
// prints per case and size the ns per trial, trials per second, full/local and
// local(N)/local(147), and checks the local energy after the run against a full evaluation.
//
// --structure mode (what bench/compare_lammps_swap.sh uses): the first frame of X.xyz with
// the potential SPEC; two species required. It times local trials with commits at random
// (as above) and as a Metropolis walk at --kelvin (default 300 K; the acceptance rule of
// LAMMPS fix atom/swap), and full evaluations, then prints machine-readable lines
//   initial_energy_ev <E>          (before the benchmarks)
//   acceptance_from_start <K> <fraction>   (the first K Metropolis trials from the file's state)
//   swap_trial_seconds local_half <s>
//   swap_trial_seconds local_metropolis <s> acceptance <fraction>
//   swap_trial_seconds full <s>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <omp.h>

#include <fmt/format.h>

#include "nanoscape/core/rng.hpp"
#include "nanoscape/geometry/builders.hpp"
#include "nanoscape/geometry/neighbour_list.hpp"
#include "nanoscape/io/potential_loader.hpp"
#include "nanoscape/io/xyz.hpp"
#include "nanoscape/potentials/local_energy.hpp"
#include "nanoscape/potentials/potential.hpp"
#include "support/recording_reporter.hpp"

namespace {

using namespace nanoscape;

constexpr double boltzmann_ev = 8.617333262e-5;  // eV/K

struct Case {
    std::string name;  // "EMT/PtAu"
    std::string spec;
    std::string a, b;  // the two species
};

const std::vector<Case>& cases() {
    const std::string dir = NANOSCAPE_SOURCE_DIR "/inputs/potentials/";
    static const std::vector<Case> all{
        {"EMT/PtAu", "emt", "Pt", "Au"},
        {"Gupta/AgCu", dir + "gupta_agcu_ferrando.toml", "Ag", "Cu"},
        {"EAM/AgCu", dir + "eam_agcu_ferrando_gupta.toml", "Ag", "Cu"},
    };
    return all;
}

constexpr int shells_of_sizes[] = {3, 5, 8, 14};  // 147, 561, 2057, 10179 atoms

// Probe of the largest clusters: trials among their innermost 147 atoms only (the first three
// shells; make_icosahedron numbers atoms shell by shell). Bulk neighbour count, but a working
// set the size of a 147-atom cluster's.
constexpr std::size_t core = 147;

// A 50/50 random homotop: exactly floor(N/2) atoms of b, chosen by a seeded shuffle.
Cluster homotop(int shells, const Potential& potential, Species a, Species b) {
    Cluster c = make_icosahedron(shells, potential.pair_distance(a, b), a);
    std::vector<std::size_t> order(c.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    Rng rng = make_stream(2026, static_cast<std::uint64_t>(shells));
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
    for (std::size_t k = 0; k < c.size() / 2; ++k) c.species[order[k]] = b;
    return c;
}

// A Monte Carlo walk over swaps: the energy, the atoms of each of the two species (so a
// random unlike pair is two O(1) draws) and the random stream. Kept between Google
// Benchmark's calls of a benchmark, so the set-up (pair tables) is done once.
struct Walk {
    std::unique_ptr<LocalEnergy> energy;
    std::vector<int> of_a, of_b;
    Rng rng;
    long trials = 0, commits = 0;

    // Trials among the atoms [0, sites) only (all if 0).
    Walk(const Potential& potential, const Cluster& cluster, bool local, std::uint64_t seed, std::size_t sites = 0)
        : rng(seed) {
        const auto species = cluster.unique_species();
        energy = make_local_energy(potential, cluster, species, std::numeric_limits<double>::quiet_NaN(),
                                   local ? std::size_t{1} << 31 : 0);
        for (std::size_t i = 0; i < (sites ? sites : cluster.size()); ++i)
            (cluster.species[i] == species[0] ? of_a : of_b).push_back(static_cast<int>(i));
    }

    // One trial; `kt` < 0: commit with probability 1/2, otherwise Metropolis at kT (eV).
    void step(double kt) {
        const auto ia = rng.below(of_a.size()), ib = rng.below(of_b.size());
        const int i = of_a[ia], j = of_b[ib];
        const double delta = energy->trial_swap(i, j);
        benchmark::DoNotOptimize(delta);
        ++trials;
        const bool accept = kt < 0 ? rng.uniform() < 0.5 : delta <= 0 || rng.uniform() < std::exp(-delta / kt);
        if (accept) {
            energy->commit();
            of_a[ia] = j;
            of_b[ib] = i;
            ++commits;
        }
    }
};

void run_walk(benchmark::State& state, Walk& walk, double kt) {
    const long trials0 = walk.trials, commits0 = walk.commits;
    for (auto _ : state) walk.step(kt);
    state.counters["trials_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
    state.counters["accepted"] = static_cast<double>(walk.commits - commits0) / static_cast<double>(walk.trials - trials0);
    state.counters["atoms"] = static_cast<double>(walk.energy->cluster().size());
}

// Mean number of neighbours within the potential's cutoff: of all atoms, and of the atoms [0, first).
std::pair<double, double> neighbours_per_atom(const Cluster& c, const Potential& potential, std::size_t first) {
    first = std::min(first, c.size());
    double all = 0, in_first = 0;
    for (const auto& p : build_half_neighbour_list(c.positions, potential.cutoff())) {
        all += 2;
        in_first += (static_cast<std::size_t>(p.i) < first) + (static_cast<std::size_t>(p.j) < first);
    }
    return {all / static_cast<double>(c.size()), in_first / static_cast<double>(first)};
}

// Bytes of the local form's pair tables (one entry per pair, all type pairs, M channels): the
// part of its working set that grows with N.
double table_mib(const Cluster& c, const Potential& potential) {
    const auto form = potential.site_sum_form(c.unique_species());
    if (!form) return 0.0;
    const double pairs = static_cast<double>(build_half_neighbour_list(c.positions, form->range()).size());
    const double nt = static_cast<double>(form->species().size());
    return pairs * nt * nt * form->channels() * sizeof(double) / (1 << 20);
}

// Local energy after the walk against a full evaluation of the walk's configuration (eV).
double drift(const Walk& walk, const Potential& potential) {
    return walk.energy->energy() - potential.energy(walk.energy->cluster());
}

std::string fmt_time(double seconds) {
    if (seconds <= 0) return "-";
    if (seconds < 1e-5) return fmt::format("{:.0f} ns", seconds * 1e9);
    if (seconds < 1e-3) return fmt::format("{:.1f} us", seconds * 1e6);
    return fmt::format("{:.2f} ms", seconds * 1e3);
}

int builtin(int argc, char** argv) {
    struct Entry {
        const Case* c;
        int shells;
        Cluster cluster;
        double neighbours, core_neighbours, mib;
        std::unique_ptr<Walk> local, full, core;
    };
    std::map<std::string, std::unique_ptr<Potential>> potentials;
    std::vector<std::unique_ptr<Entry>> entries;
    for (const auto& c : cases()) {
        auto& potential = potentials[c.name] = load_potential_spec(c.spec, "");
        for (int shells : shells_of_sizes) {
            auto e = std::make_unique<Entry>();
            e->c = &c;
            e->shells = shells;
            e->cluster = homotop(shells, *potential, species_from_symbol(c.a), species_from_symbol(c.b));
            std::tie(e->neighbours, e->core_neighbours) = neighbours_per_atom(e->cluster, *potential, core);
            e->mib = table_mib(e->cluster, *potential);
            entries.push_back(std::move(e));
        }
    }
    for (auto& e : entries) {
        const Potential& potential = *potentials[e->c->name];
        const std::size_t n = e->cluster.size();
        benchmark::RegisterBenchmark(fmt::format("{}/local/{}", e->c->name, n).c_str(), [&e = *e, &potential](benchmark::State& s) {
            if (!e.local) e.local = std::make_unique<Walk>(potential, e.cluster, true, 11);
            if (!e.local->energy->local()) s.SkipWithError("no local form");
            run_walk(s, *e.local, -1.0);
            s.counters["neighbours"] = e.neighbours;
            s.counters["table_MiB"] = e.mib;
        })->Unit(benchmark::kNanosecond)->MinTime(0.3);
        if (e->shells == shells_of_sizes[std::size(shells_of_sizes) - 1])
            benchmark::RegisterBenchmark(fmt::format("{}/local_core{}/{}", e->c->name, core, n).c_str(),
                                         [&e = *e, &potential](benchmark::State& s) {
                                             if (!e.core) e.core = std::make_unique<Walk>(potential, e.cluster, true, 13, core);
                                             run_walk(s, *e.core, -1.0);
                                             s.counters["neighbours"] = e.core_neighbours;
                                             s.counters["table_MiB"] = e.mib;
                                         })
                ->Unit(benchmark::kNanosecond)->MinTime(0.3);
        benchmark::RegisterBenchmark(fmt::format("{}/full/{}", e->c->name, n).c_str(), [&e = *e, &potential](benchmark::State& s) {
            if (!e.full) e.full = std::make_unique<Walk>(potential, e.cluster, false, 12);
            run_walk(s, *e.full, -1.0);
            s.counters["neighbours"] = e.neighbours;
            s.counters["table_MiB"] = e.mib;
        })->Unit(benchmark::kMicrosecond)->MinTime(n > 5000 ? 0.5 : 0.2);
    }
    benchmark::Initialize(&argc, argv);
    nanoscape::bench::RecordingReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);

    fmt::print("\nSwap trials, single thread (local: O(neighbours) update; full: one energy evaluation per trial)\n");
    for (const auto& c : cases()) {
        const double base = reporter.seconds(fmt::format("{}/local/147", c.name));
        if (base <= 0) continue;
        fmt::print("{} ({}-{} 50/50, {})\n", c.name, c.a, c.b, potentials[c.name]->description());
        fmt::print("  {:>6} {:>10} {:>9} {:>10} {:>12} {:>11} {:>12} {:>10} {:>11} {:>11}\n", "atoms", "neighbours", "table",
                   "local", "trials/s", "local/147", "per neighb.", "full", "full/local", "drift (eV)");
        for (auto& e : entries) {
            if (e->c != &c) continue;
            const std::size_t n = e->cluster.size();
            const double local = reporter.seconds(fmt::format("{}/local/{}", c.name, n));
            const double full = reporter.seconds(fmt::format("{}/full/{}", c.name, n));
            const double d = e->local ? drift(*e->local, *potentials[c.name]) : 0.0;
            fmt::print("  {:>6} {:>10.1f} {:>9} {:>10} {:>12.3g} {:>11.2f} {:>12} {:>10} {:>11} {:>11.1e}\n", n, e->neighbours,
                       fmt::format("{:.1f} MiB", e->mib), fmt_time(local), local > 0 ? 1.0 / local : 0.0, local / base,
                       fmt_time(local / e->neighbours), fmt_time(full),
                       full > 0 && local > 0 ? fmt::format("{:.0f}x", full / local) : "-", d);
            const double in_core = reporter.seconds(fmt::format("{}/local_core{}/{}", c.name, core, n));
            if (in_core > 0)
                fmt::print("  {:>6} {:>10.1f} {:>9} {:>10} {:>12.3g} {:>11.2f} {:>12}   (trials among the {} innermost atoms only)\n",
                           "", e->core_neighbours, "", fmt_time(in_core), 1.0 / in_core, in_core / base,
                           fmt_time(in_core / e->core_neighbours), core);
        }
        const double last = reporter.seconds(fmt::format("{}/local/10179", c.name));
        const double full561 = reporter.seconds(fmt::format("{}/full/561", c.name));
        const double local561 = reporter.seconds(fmt::format("{}/local/561", c.name));
        if (last > 0) fmt::print("  local(10179)/local(147) = {:.2f}  (goal <= 2)\n", last / base);
        if (full561 > 0 && local561 > 0) fmt::print("  full/local at 561 atoms = {:.0f}x  (goal >= 100x)\n", full561 / local561);
    }
    benchmark::Shutdown();
    return 0;
}

int structure_mode(const std::string& path, const std::string& spec, double kelvin, long from_start, int argc, char** argv) {
    const auto potential = load_potential_spec(spec, "");
    const Cluster cluster = read_xyz(path).at(0).cluster;
    if (cluster.unique_species().size() != 2) {
        fmt::print(stderr, "bench_homotop: {} must hold exactly two species\n", path);
        return 1;
    }
    const double kt = boltzmann_ev * kelvin;
    Walk half(*potential, cluster, true, 21), metropolis(*potential, cluster, true, 22), full(*potential, cluster, false, 23);
    if (!half.energy->local()) {
        fmt::print(stderr, "bench_homotop: {} offers no local form ({})\n", spec, half.energy->describe());
        return 1;
    }
    const std::size_t n = cluster.size();
    // Before any trial: the energy the LAMMPS comparison checks against LAMMPS's step-0 pe.
    fmt::print("initial_energy_ev {:.10f}\n", half.energy->energy());
    // Acceptance of the first trials of a Metropolis walk from the file's configuration (the
    // timed walks run much longer and order the cluster, which lowers their acceptance).
    if (from_start > 0) {
        Walk fresh(*potential, cluster, true, 24);
        for (long t = 0; t < from_start; ++t) fresh.step(kt);
        fmt::print("acceptance_from_start {} {:.4f}\n", from_start, static_cast<double>(fresh.commits) / static_cast<double>(from_start));
    }
    benchmark::RegisterBenchmark("structure/local_half", [&](benchmark::State& s) { run_walk(s, half, -1.0); })
        ->Unit(benchmark::kNanosecond)->MinTime(0.5);
    benchmark::RegisterBenchmark("structure/local_metropolis", [&](benchmark::State& s) { run_walk(s, metropolis, kt); })
        ->Unit(benchmark::kNanosecond)->MinTime(0.5);
    benchmark::RegisterBenchmark("structure/full", [&](benchmark::State& s) { run_walk(s, full, -1.0); })
        ->Unit(benchmark::kMicrosecond)->MinTime(0.3);
    benchmark::Initialize(&argc, argv);
    nanoscape::bench::RecordingReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    fmt::print("structure {} ({} atoms, {}), {}; drift after the walks {:.1e} / {:.1e} eV\n", path, n, cluster.formula(),
               half.energy->describe(), drift(half, *potential), drift(metropolis, *potential));
    fmt::print("swap_trial_seconds local_half {:.6e}\n", reporter.seconds("structure/local_half"));
    fmt::print("swap_trial_seconds local_metropolis {:.6e} acceptance {:.4f}\n", reporter.seconds("structure/local_metropolis"),
               static_cast<double>(metropolis.commits) / static_cast<double>(metropolis.trials));
    fmt::print("swap_trial_seconds full {:.6e}\n", reporter.seconds("structure/full"));
    benchmark::Shutdown();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    omp_set_num_threads(1);
    std::string structure, spec;
    double kelvin = 300.0;
    long from_start = 5000;
    std::vector<char*> rest{argv[0]};
    for (int k = 1; k < argc; ++k) {
        if (std::strcmp(argv[k], "--structure") == 0 && k + 1 < argc) structure = argv[++k];
        else if (std::strcmp(argv[k], "--potential") == 0 && k + 1 < argc) spec = argv[++k];
        else if (std::strcmp(argv[k], "--kelvin") == 0 && k + 1 < argc) kelvin = std::stod(argv[++k]);
        else if (std::strcmp(argv[k], "--trials-from-start") == 0 && k + 1 < argc) from_start = std::stol(argv[++k]);
        else rest.push_back(argv[k]);
    }
    int n_args = static_cast<int>(rest.size());
    if (!structure.empty()) {
        if (spec.empty()) {
            fmt::print(stderr, "bench_homotop: --structure needs --potential SPEC\n");
            return 1;
        }
        return structure_mode(structure, spec, kelvin, from_start, n_args, rest.data());
    }
    return builtin(n_args, rest.data());
}
