// Relaxations per second for a batch of 147-atom clusters, 1 thread vs 2 threads.
//
// The batch: 32 Au147 Mackay icosahedra (Cleri-Rosato Gupta, no cutoff), each perturbed by
// its own random stream, relaxed with L-BFGS to fmax 1e-3 eV/A. relax_batch runs one
// relaxation per OpenMP thread, so the speed-up should approach the number of cores; it
// prints the measured ratio and checks that both thread counts gave identical energies.

#include <omp.h>

#include <fmt/format.h>

#include "nanoscape/geometry/builders.hpp"
#include "nanoscape/io/potential_loader.hpp"
#include "nanoscape/relax/relaxer.hpp"
#include "support/recording_reporter.hpp"

namespace {

using namespace nanoscape;

std::vector<Cluster> make_batch() {
    std::vector<Cluster> batch;
    for (std::uint64_t k = 0; k < 32; ++k) {
        Cluster c = make_icosahedron(3, 2.884, species_from_symbol("Au"));
        Rng rng = make_stream(2026, k);
        for (Eigen::Index i = 0; i < c.positions.cols(); ++i)
            for (int d = 0; d < 3; ++d) c.positions(d, i) += rng.uniform(-0.2, 0.2);
        batch.push_back(c);
    }
    return batch;
}

std::vector<double> last_energies[3];

void relax_batch_bench(benchmark::State& state) {
    const int threads = static_cast<int>(state.range(0));
    const auto potential = load_potential_spec("gupta", "");
    ParameterTable table("relax");
    table.set("fmax", ParameterValue::of(1e-3));
    const auto relaxer = create_relaxer(table);
    const RelaxOptions options = read_relax_options(table);
    const std::vector<Cluster> start = make_batch();
    long evaluations = 0;
    for (auto _ : state) {
        state.PauseTiming();
        std::vector<Cluster> batch = start;
        state.ResumeTiming();
        const auto results = relax_batch(batch, *potential, *relaxer, options, threads);
        state.PauseTiming();
        last_energies[threads].clear();
        for (const auto& r : results) {
            last_energies[threads].push_back(r.energy);
            evaluations += r.evaluations;
        }
        state.ResumeTiming();
    }
    state.counters["relaxations_per_s"] =
        benchmark::Counter(static_cast<double>(start.size()), benchmark::Counter::kIsIterationInvariantRate);
    state.counters["evals_per_relax"] =
        static_cast<double>(evaluations) / static_cast<double>(state.iterations() * static_cast<long>(start.size()));
}

}  // namespace

BENCHMARK(relax_batch_bench)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    nanoscape::bench::RecordingReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    const double t1 = reporter.seconds("relax_batch_bench/1");
    const double t2 = reporter.seconds("relax_batch_bench/2");
    if (t1 > 0 && t2 > 0) {
        fmt::print("\nrelax_batch, 32 x Au147: {:.1f} relaxations/s on 1 thread, {:.1f} on 2 threads: "
                   "speed-up {:.2f} (cores: {})\n",
                   32 / t1, 32 / t2, t1 / t2, omp_get_num_procs());
        fmt::print("energies identical for 1 and 2 threads: {}\n", last_energies[1] == last_energies[2] ? "yes" : "NO");
    }
    benchmark::Shutdown();
    return 0;
}
