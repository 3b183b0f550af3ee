// Time per energy+force evaluation of one structure: the nanoscape side of
// bench/compare_lammps.sh (which runs LAMMPS on the same structure and EAM file).
//
//   build/bench/bench_eam SPEC structure.xyz [seconds]
//
// Repeats Potential::compute (energy, forces) on the first frame for about `seconds` (default
// 2) after one warm-up call, single thread, and prints one line:
//   atoms <N> evaluations <K> us_per_evaluation <t> energy <E>

#include <chrono>
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "nanoscape/io/potential_loader.hpp"
#include "nanoscape/io/xyz.hpp"

int main(int argc, char** argv) {
    using namespace nanoscape;
    if (argc < 3) {
        fmt::print(stderr, "usage: {} SPEC structure.xyz [seconds]\n", argv[0]);
        return 2;
    }
    try {
        const auto potential = load_potential_spec(argv[1], "");
        const auto frames = read_xyz(argv[2]);
        if (frames.empty()) throw InputError(fmt::format("{}: no structures", argv[2]));
        const Cluster& cluster = frames.front().cluster;
        const double budget = argc > 3 ? std::stod(argv[3]) : 2.0;
        Eigen::Matrix3Xd forces;
        double energy = potential->compute(cluster, &forces, nullptr);  // warm-up: allocations, caches
        using clock = std::chrono::steady_clock;
        const auto start = clock::now();
        long evaluations = 0;
        double elapsed = 0;
        do {
            for (int k = 0; k < 10; ++k) energy = potential->compute(cluster, &forces, nullptr);
            evaluations += 10;
            elapsed = std::chrono::duration<double>(clock::now() - start).count();
        } while (elapsed < budget);
        fmt::print("atoms {} evaluations {} us_per_evaluation {:.3f} energy {:.10f}\n", cluster.size(), evaluations,
                   1e6 * elapsed / static_cast<double>(evaluations), energy);
    } catch (const std::exception& e) {
        fmt::print(stderr, "bench_eam: {}\n", e.what());
        return 1;
    }
    return 0;
}
