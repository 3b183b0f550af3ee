#pragma once
/// @file The one parallel loop and the one thread-count convention.
///
/// Every OpenMP loop over independent work items (clusters to relax, samples to describe,
/// committee members to train) goes through parallel_for. Each item writes only its own
/// output slot and draws random numbers from its own stream, so results are identical for any
/// thread count. An exception must not leave an OpenMP region (that terminates the program):
/// parallel_for catches every item's exception and rethrows the one of the lowest index, so
/// the error a user sees does not depend on the thread count or the schedule either.

#include <cstdint>
#include <exception>

#include <omp.h>

namespace nanoscape {

/// Threads of an OpenMP team: `requested` if positive, otherwise the OpenMP default
/// (OMP_NUM_THREADS, else all cores). The convention of every `threads` setting and `-j`.
[[nodiscard]] inline int resolve_threads(int requested) { return requested > 0 ? requested : omp_get_max_threads(); }

/// How parallel_for splits its items.
struct ParallelOptions {
    int threads = 0;             ///< team size; <= 0: resolve_threads(0)
    int chunk = 1;               ///< items handed to a thread at a time (dynamic schedule)
    std::int64_t min_items = 2;  ///< fewer items than this run serially (no team is started)
};

/// Runs body(i) for i = 0 .. n-1 on an OpenMP team (dynamic schedule). If items throw, the
/// exception of the lowest i is rethrown after every item has run.
template <class Body>
void parallel_for(std::int64_t n, const ParallelOptions& options, Body&& body) {
    std::exception_ptr error;
    std::int64_t error_index = n;
    const int team = resolve_threads(options.threads);
    const int chunk = options.chunk > 0 ? options.chunk : 1;
#pragma omp parallel for schedule(dynamic, chunk) num_threads(team) if (n >= options.min_items)
    for (std::int64_t i = 0; i < n; ++i) {
        try {
            body(i);
        } catch (...) {
#pragma omp critical(nanoscape_parallel_for_error)
            if (i < error_index) {
                error_index = i;
                error = std::current_exception();
            }
        }
    }
    if (error) std::rethrow_exception(error);
}

/// parallel_for with `threads` threads and the default chunking.
template <class Body>
void parallel_for(std::int64_t n, int threads, Body&& body) {
    parallel_for(n, ParallelOptions{threads, 1, 2}, static_cast<Body&&>(body));
}

}  // namespace nanoscape
