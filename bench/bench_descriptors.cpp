// Cost per atom of every registered descriptor (default settings, species Pt-Au), features
// only and features + Jacobians, on a 38-atom truncated octahedron and a 147-atom
// icosahedron (random Pt/Au ordering), against EMT energy + forces on the same clusters
// measured in the same run.
//
//   build/bench/bench_descriptors
//   build/bench/bench_descriptors --benchmark_filter=soap
//
// One OpenMP thread: the numbers are per core (the descriptors parallelise over centres,
// EMT does not). Times are wall-clock: on a loaded machine compare the ratios, not the
// absolute numbers.

#include <omp.h>

#include <fmt/format.h>

#include "nanoscape/core/rng.hpp"
#include "nanoscape/descriptors/descriptor.hpp"
#include "nanoscape/geometry/motifs.hpp"
#include "nanoscape/potentials/registry.hpp"
#include "support/recording_reporter.hpp"
#include "support/surrogate_data.hpp"

namespace {

using namespace nanoscape;

const std::vector<Species>& species() {
    static const std::vector<Species> s{species_from_symbol("Pt"), species_from_symbol("Au")};
    return s;
}

Cluster make_cluster(int n) {
    return test::ptau_homotop(n == 38 ? Motif::truncated_octahedron : Motif::icosahedron, n, 2024);
}

const std::vector<int> sizes{38, 147};

void descriptor_case(benchmark::State& state, const std::string& key, int n, bool jacobians) {
    ParameterTable table("descriptor");
    const auto descriptor = create_descriptor(table, species(), key);
    const Cluster cluster = make_cluster(n);
    Eigen::MatrixXd features;
    std::vector<DescriptorJacobian> jac;
    // One call before timing: later calls reuse the feature and Jacobian buffers, as a
    // relaxation does. The first call's page faults would otherwise dominate the nbody
    // Jacobians (hundreds of MB), whose runs have few iterations.
    descriptor->compute(cluster, features, jacobians ? &jac : nullptr);
    for (auto _ : state) {
        descriptor->compute(cluster, features, jacobians ? &jac : nullptr);
        benchmark::DoNotOptimize(features.data());
    }
    state.counters["features"] = static_cast<double>(descriptor->size());
    if (jacobians) {
        double bytes = 0;
        for (const auto& j : jac) bytes += static_cast<double>(j.values.size()) * sizeof(double);
        state.counters["jacobian_MB"] = bytes / 1e6;
    }
}

void emt_case(benchmark::State& state, int n) {
    ParameterTable table("potential");
    table.set("type", ParameterValue::of("emt"));
    const auto potential = create_potential(table);
    const Cluster cluster = make_cluster(n);
    Eigen::Matrix3Xd forces;
    for (auto _ : state) {
        double e = potential->energy_and_forces(cluster, forces);
        benchmark::DoNotOptimize(e);
    }
}

}  // namespace

int main(int argc, char** argv) {
    omp_set_num_threads(1);
    for (int n : sizes)
        benchmark::RegisterBenchmark(fmt::format("emt/{}", n).c_str(), [n](benchmark::State& s) { emt_case(s, n); })
            ->Unit(benchmark::kMicrosecond)
            ->MinTime(0.2);
    for (const auto& key : descriptor_registry().keys())
        for (int n : sizes)
            for (bool jac : {false, true})
                benchmark::RegisterBenchmark(fmt::format("{}/{}/{}", key, jac ? "jacobian" : "features", n).c_str(),
                                             [key, n, jac](benchmark::State& s) { descriptor_case(s, key, n, jac); })
                    ->Unit(benchmark::kMicrosecond)
                    ->MinTime(0.2);
    benchmark::Initialize(&argc, argv);
    nanoscape::bench::RecordingReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);

    fmt::print("\nTime per atom, microseconds (in brackets: relative to EMT energy + forces on the same cluster):\n");
    std::string header = fmt::format("  {:<32}", "");
    for (int n : sizes) header += fmt::format("  {:>20}", fmt::format("N = {}", n));
    fmt::print("{}\n", header);
    std::string emt_row = fmt::format("  {:<32}", "emt energy+forces");
    for (int n : sizes) emt_row += fmt::format("  {:>20}", fmt::format("{:.2f}", reporter.seconds(fmt::format("emt/{}", n)) / n * 1e6));
    fmt::print("{}\n", emt_row);
    for (const auto& key : descriptor_registry().keys())
        for (const char* what : {"features", "jacobian"}) {
            std::string row = fmt::format("  {:<32}", fmt::format("{} {}", key, what));
            for (int n : sizes) {
                const double t = reporter.seconds(fmt::format("{}/{}/{}", key, what, n));
                const double base = reporter.seconds(fmt::format("emt/{}", n));
                row += fmt::format("  {:>20}", t > 0 ? fmt::format("{:.2f} [{:.1f}x]", t / n * 1e6, base > 0 ? t / base : 0.0)
                                                     : std::string("-"));
            }
            fmt::print("{}\n", row);
        }
    benchmark::Shutdown();
    return 0;
}
