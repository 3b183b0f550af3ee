// Prediction cost per atom of every registered surrogate (default settings), energy + variance
// and with forces + sigma gradient, on Pt19Au19 truncated octahedra, against EMT energy +
// forces on the same cluster measured in the same run. Each model is trained once on 100
// EMT-labelled structures (homotops, perturbed homotops, relaxation snapshots) before timing;
// the GPR cost grows with its basis (exact up to 2000 environments, then 1500 inducing
// points), the others do not depend on the training-set size.
//
//   build/bench/bench_surrogates
//   build/bench/bench_surrogates --benchmark_filter=gpr
//
// One OpenMP thread: the numbers are per core. On a loaded machine compare the ratios.

#include <omp.h>

#include <map>
#include <memory>

#include <fmt/format.h>

#include "nanoscape/surrogate/surrogate.hpp"
#include "support/recording_reporter.hpp"
#include "support/surrogate_accuracy.hpp"

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

const Cluster& probe() {
    static const Cluster c = test::ptau38_dataset(1, 7)[1].cluster;  // a perturbed homotop
    return c;
}

void surrogate_case(benchmark::State& state, const std::string& key, bool gradients) {
    const Surrogate& model = trained(key);
    Eigen::Matrix3Xd forces, sigma_gradient;
    for (auto _ : state) {
        const Prediction p = gradients ? model.predict(probe(), &forces, &sigma_gradient) : model.predict(probe());
        benchmark::DoNotOptimize(p.energy);
    }
}

void emt_case(benchmark::State& state) {
    const auto potential = test::make_emt();
    Eigen::Matrix3Xd forces;
    for (auto _ : state) {
        double e = potential->energy_and_forces(probe(), forces);
        benchmark::DoNotOptimize(e);
    }
}

}  // namespace

int main(int argc, char** argv) {
    omp_set_num_threads(1);
    benchmark::RegisterBenchmark("emt", emt_case)->Unit(benchmark::kMicrosecond)->MinTime(0.2);
    for (const auto& key : surrogate_registry().keys())
        for (bool gradients : {false, true})
            benchmark::RegisterBenchmark(fmt::format("{}/{}", key, gradients ? "gradients" : "energy").c_str(),
                                         [key, gradients](benchmark::State& s) { surrogate_case(s, key, gradients); })
                ->Unit(benchmark::kMicrosecond)
                ->MinTime(0.2);
    benchmark::Initialize(&argc, argv);
    nanoscape::bench::RecordingReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);

    const double n = static_cast<double>(probe().size());
    const double base = reporter.seconds("emt");
    fmt::print("\nPrediction time per atom, Pt19Au19, one thread (in brackets: relative to EMT energy + forces):\n");
    fmt::print("  {:<40} {:>10.2f} us\n", "emt energy+forces", base / n * 1e6);
    for (const auto& key : surrogate_registry().keys())
        for (const char* what : {"energy", "gradients"}) {
            const double t = reporter.seconds(fmt::format("{}/{}", key, what));
            if (t <= 0) continue;
            fmt::print("  {:<40} {:>10.2f} us [{:.0f}x]   {}\n", fmt::format("{} {}", key, what), t / n * 1e6,
                       base > 0 ? t / base : 0.0, what == std::string("energy") ? "energy + variance"
                                                                                : "+ forces + sigma gradient");
        }
    benchmark::Shutdown();
    return 0;
}
