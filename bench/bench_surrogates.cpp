// Prediction cost per atom of every registered surrogate (default settings), energy + variance
// and with forces + sigma gradient, on Pt-Au clusters of 38 atoms (a perturbed Pt19Au19
// truncated-octahedron homotop), 147 and 1415 atoms (Mackay icosahedra, random 50/50 homotops),
// against EMT energy + forces on the same cluster measured in the same run. Each model is
// trained once on 100 EMT-labelled Pt19Au19 structures (homotops, perturbed homotops,
// relaxation snapshots) before timing; the GPR cost grows with its basis (exact up to 2000
// environments, then 1500 inducing points), the others do not depend on the training-set size.
//
//   build/bench/bench_surrogates
//   build/bench/bench_surrogates --benchmark_filter=gpr
//   build/bench/bench_surrogates --benchmark_filter=/38   (one size)
//
// One OpenMP thread: the numbers are per core. On a loaded machine compare the ratios.

#include <omp.h>

#include <map>
#include <memory>

#include <fmt/format.h>

#include "nanoscape/surrogate/surrogate.hpp"
#include "support/recording_reporter.hpp"
#include "support/surrogate_accuracy.hpp"
#include "support/surrogate_data.hpp"

namespace {

using namespace nanoscape;

const std::vector<Species> pt_au{78, 79};

const Surrogate& trained(const std::string& key) {
    static std::map<std::string, std::unique_ptr<Surrogate>> models;
    auto& model = models[key];
    if (!model) {
        ParameterTable table("surrogate");
        table.set("type", ParameterValue::of(key));
        model = create_surrogate(table, pt_au);
        const auto training = test::ptau38_dataset(34, 1);
        model->fit(std::vector<Sample>(training.begin(), training.begin() + 100));
    }
    return *model;
}

const std::vector<int> sizes{38, 147, 1415};

const Cluster& probe(int n) {
    static const std::map<int, Cluster> probes = [] {
        std::map<int, Cluster> p;
        p.emplace(38, test::ptau38_dataset(1, 7)[1].cluster);  // a perturbed homotop
        for (int size : {147, 1415}) p.emplace(size, test::ptau_homotop(Motif::icosahedron, size, 2026));
        return p;
    }();
    return probes.at(n);
}

void surrogate_case(benchmark::State& state, const std::string& key, int n, bool gradients) {
    const Surrogate& model = trained(key);
    const Cluster& cluster = probe(n);
    Eigen::Matrix3Xd forces, sigma_gradient;
    for (auto _ : state) {
        const Prediction p = gradients ? model.predict(cluster, &forces, &sigma_gradient) : model.predict(cluster);
        benchmark::DoNotOptimize(p.energy);
    }
}

void emt_case(benchmark::State& state, int n) {
    const auto potential = test::make_emt();
    const Cluster& cluster = probe(n);
    Eigen::Matrix3Xd forces;
    for (auto _ : state) {
        double e = potential->energy_and_forces(cluster, forces);
        benchmark::DoNotOptimize(e);
    }
}

}  // namespace

int main(int argc, char** argv) {
    omp_set_num_threads(1);
    for (int n : sizes) {
        benchmark::RegisterBenchmark(fmt::format("emt/{}", n).c_str(), [n](benchmark::State& s) { emt_case(s, n); })
            ->Unit(benchmark::kMicrosecond)
            ->MinTime(0.2);
        for (const auto& key : surrogate_registry().keys())
            for (bool gradients : {false, true})
                benchmark::RegisterBenchmark(
                    fmt::format("{}/{}/{}", key, gradients ? "gradients" : "energy", n).c_str(),
                    [key, n, gradients](benchmark::State& s) { surrogate_case(s, key, n, gradients); })
                    ->Unit(benchmark::kMicrosecond)
                    ->MinTime(0.2);
    }
    benchmark::Initialize(&argc, argv);
    nanoscape::bench::RecordingReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);

    for (int n : sizes) {
        const double base = reporter.seconds(fmt::format("emt/{}", n));
        if (base <= 0) continue;
        const double atoms = static_cast<double>(probe(n).size());
        fmt::print("\nPrediction time per atom, {} Pt-Au atoms, one thread (in brackets: relative to EMT energy + "
                   "forces):\n",
                   n);
        fmt::print("  {:<40} {:>10.2f} us\n", "emt energy+forces", base / atoms * 1e6);
        for (const auto& key : surrogate_registry().keys())
            for (const char* what : {"energy", "gradients"}) {
                const double t = reporter.seconds(fmt::format("{}/{}/{}", key, what, n));
                if (t <= 0) continue;
                fmt::print("  {:<40} {:>10.2f} us [{:.1f}x]   {}\n", fmt::format("{} {}", key, what), t / atoms * 1e6,
                           t / base, what == std::string("energy") ? "energy + variance" : "+ forces + sigma gradient");
            }
        // The mapped surrogate's purpose: GPR accuracy class at pair-potential cost.
        const double gpr = reporter.seconds(fmt::format("gpr/gradients/{}", n));
        const double mapped = reporter.seconds(fmt::format("mapped/gradients/{}", n));
        if (gpr > 0 && mapped > 0)
            fmt::print("  mapped is {:.0f}x faster than gpr (forces + sigma gradient)\n", gpr / mapped);
    }
    benchmark::Shutdown();
    return 0;
}
