// Energy+force cost per atom of the reference potentials across cluster sizes.
//
//   build/bench/bench_potentials                       all sizes (about a minute)
//   build/bench/bench_potentials --benchmark_filter=Gupta
//
// Clusters: the N sites of an fcc lattice (Au, a = 4.0642 A; LJ: the same shape in reduced
// units) nearest to a lattice site, so 38, 147, 1415, 10 000 and 100 000 atoms are compact.
// After the table it prints the cost per atom relative to the 147-atom cluster: about 1 for
// potentials with a cutoff (cell lists make the cost linear in N), growing like N for the
// cutoff-free ones (every pair interacts).

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "nanoscape/geometry/builders.hpp"
#include "nanoscape/geometry/neighbour_list.hpp"
#include "nanoscape/io/potential_loader.hpp"
#include "support/recording_reporter.hpp"

namespace {

using namespace nanoscape;

Cluster fcc_cluster(std::size_t n, double a, Species z) {
    // Radius holding about 2n sites, then the n nearest to the origin (ties by index: stable).
    const double radius = a * std::cbrt(2.0 * static_cast<double>(n) * 3.0 / (16.0 * 3.14159265358979)) + a;
    const Cluster sphere = make_fcc_sphere(a, radius, z);
    std::vector<Eigen::Index> order(sphere.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](Eigen::Index i, Eigen::Index j) {
        return sphere.positions.col(i).squaredNorm() < sphere.positions.col(j).squaredNorm();
    });
    Cluster c;
    c.positions.resize(3, static_cast<Eigen::Index>(n));
    for (std::size_t i = 0; i < n; ++i) c.positions.col(static_cast<Eigen::Index>(i)) = sphere.positions.col(order[i]);
    c.species.assign(n, z);
    return c;
}

struct Case {
    std::string name;
    std::string spec;
    double lattice;  // fcc lattice constant in the potential's length unit
    std::string element;
    std::vector<std::size_t> sizes;
};

const std::vector<Case>& cases() {
    const std::string dir = NANOSCAPE_SOURCE_DIR "/inputs/potentials/";
    static const std::vector<Case> all{
        {"LJ/no_cutoff", "lj", 1.5496, "Ar", {38, 147, 1415, 10000}},
        {"LJ/cutoff_2.5", dir + "../../bench/lj_cutoff.toml", 1.5496, "Ar", {38, 147, 1415, 10000, 100000}},
        {"Gupta/cleri_rosato_no_cutoff", "gupta", 4.0782, "Au", {38, 147, 1415, 10000}},
        {"Gupta/ferrando_smatb_tail", dir + "gupta_au_ferrando.toml", 4.0642, "Au", {38, 147, 1415, 10000, 100000}},
    };
    return all;
}

void energy_and_forces(benchmark::State& state, const Case& c, std::size_t n) {
    const auto potential = load_potential_spec(c.spec, "");
    const Cluster cluster = fcc_cluster(n, c.lattice, species_from_symbol(c.element));
    Eigen::Matrix3Xd forces;
    double e = 0;
    for (auto _ : state) {
        e = potential->energy_and_forces(cluster, forces);
        benchmark::DoNotOptimize(e);
    }
    state.counters["atoms"] = static_cast<double>(n);
    // Pairs within the cutoff per atom: the work per atom, which grows with N only while the
    // surface (fewer neighbours) is a large fraction of the cluster.
    if (std::isfinite(potential->cutoff()))
        state.counters["pairs_per_atom"] =
            static_cast<double>(build_half_neighbour_list(cluster.positions, potential->cutoff()).size()) /
            static_cast<double>(n);
}

}  // namespace

int main(int argc, char** argv) {
    for (const auto& c : cases())
        for (std::size_t n : c.sizes)
            benchmark::RegisterBenchmark(fmt::format("{}/{}", c.name, n).c_str(),
                                         [&c, n](benchmark::State& s) { energy_and_forces(s, c, n); })
                ->Unit(benchmark::kMillisecond)
                ->MinTime(n >= 10000 ? 0.5 : 0.2);
    benchmark::Initialize(&argc, argv);
    nanoscape::bench::RecordingReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);

    fmt::print("\nEnergy+forces time per atom, ns (in brackets: relative to N = 147; 1.0 = linear scaling):\n");
    for (const auto& c : cases()) {
        const double base = reporter.seconds(fmt::format("{}/147", c.name)) / 147.0;
        std::string row = fmt::format("  {:<30}", c.name);
        for (std::size_t n : c.sizes) {
            const double t = reporter.seconds(fmt::format("{}/{}", c.name, n)) / static_cast<double>(n);
            if (t > 0) row += fmt::format("  N={}: {:.0f} [{:.2f}]", n, t * 1e9, base > 0 ? t / base : 0.0);
        }
        fmt::print("{}\n", row);
        // With a cutoff: time per pair, flat when the cost is linear in the number of pairs.
        std::string per_pair;
        for (std::size_t n : c.sizes) {
            const auto name = fmt::format("{}/{}", c.name, n);
            const double pairs = reporter.counter(name, "pairs_per_atom") * static_cast<double>(n);
            if (pairs > 0) per_pair += fmt::format("  N={}: {:.1f}", n, reporter.seconds(name) / pairs * 1e9);
        }
        if (!per_pair.empty()) fmt::print("  {:<30}{}   (ns per pair)\n", "", per_pair);
    }
    benchmark::Shutdown();
    return 0;
}
