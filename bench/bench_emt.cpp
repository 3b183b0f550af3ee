// EMT energy+forces time per evaluation, for the comparison with ASE (bench/compare_ase_emt.py).
//
//   build/bench/bench_emt                          built-in Pt-Au icosahedra, 147 and 561 atoms
//   build/bench/bench_emt --structures FILE.xyz    every frame of FILE (what compare_ase_emt.py uses)
//
// Any other arguments go to Google Benchmark. After its table the program prints one line per
// frame, "emt_seconds_per_evaluation N=<atoms> <seconds>", which the comparison script reads.

#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "nanoscape/geometry/builders.hpp"
#include "nanoscape/io/potential_loader.hpp"
#include "nanoscape/io/xyz.hpp"
#include "nanoscape/potentials/emt.hpp"
#include "support/recording_reporter.hpp"

namespace {

using namespace nanoscape;

// Random Pt-Au homotops of Mackay icosahedra at the mean EMT nearest-neighbour distance,
// every coordinate moved by up to 0.1 A (so no force vanishes by symmetry).
std::vector<Cluster> builtin_clusters() {
    const Species pt = species_from_symbol("Pt"), au = species_from_symbol("Au");
    std::vector<Cluster> clusters;
    for (int shells : {3, 5}) {  // 147 and 561 atoms
        Cluster c = make_icosahedron(shells, Emt::beta * 2.95 * Emt::bohr, pt);
        Rng rng = make_stream(2026, static_cast<std::uint64_t>(shells));
        for (Eigen::Index i = 0; i < c.positions.cols(); ++i) {
            if (rng.uniform(0.0, 1.0) < 0.5) c.species[static_cast<std::size_t>(i)] = au;
            for (int d = 0; d < 3; ++d) c.positions(d, i) += rng.uniform(-0.1, 0.1);
        }
        clusters.push_back(c);
    }
    return clusters;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<Cluster> clusters;
    std::vector<char*> rest{argv[0]};
    for (int k = 1; k < argc; ++k) {
        if (std::strcmp(argv[k], "--structures") == 0 && k + 1 < argc) {
            for (const auto& frame : read_xyz(argv[++k])) clusters.push_back(frame.cluster);
        } else {
            rest.push_back(argv[k]);
        }
    }
    if (clusters.empty()) clusters = builtin_clusters();
    const auto emt = load_potential_spec("emt", "");

    std::vector<std::string> names;
    for (std::size_t f = 0; f < clusters.size(); ++f) {
        names.push_back(fmt::format("EMT/{}_{}", f + 1, clusters[f].size()));
        benchmark::RegisterBenchmark(names.back().c_str(),
                                     [&emt, &c = clusters[f]](benchmark::State& state) {
                                         Eigen::Matrix3Xd forces;
                                         for (auto _ : state) {
                                             double e = emt->energy_and_forces(c, forces);
                                             benchmark::DoNotOptimize(e);
                                         }
                                         state.counters["atoms"] = static_cast<double>(c.size());
                                     })
            ->Unit(benchmark::kMicrosecond)
            ->MinTime(0.3);
    }
    int n_args = static_cast<int>(rest.size());
    benchmark::Initialize(&n_args, rest.data());
    nanoscape::bench::RecordingReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    for (std::size_t f = 0; f < clusters.size(); ++f)
        fmt::print("emt_seconds_per_evaluation N={} {:.6e}\n", clusters[f].size(), reporter.seconds(names[f]));
    benchmark::Shutdown();
    return 0;
}
