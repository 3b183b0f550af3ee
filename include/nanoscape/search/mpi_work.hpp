#pragma once
/// @file Work over MPI ranks: a dynamic task queue (rank 0 coordinates and works too) and the
/// evaluator built on it (docs/scale.md).
///
/// Rank 0 runs the search (driver, archive, files); the other ranks are workers. A task is a
/// JSON document (sent as CBOR, which keeps every double's bits and NaN), handed to the first
/// rank that is free; rank 0 takes tasks from the same queue in a thread of its own while its
/// main thread does the messaging (MPI_THREAD_FUNNELED). Answers come back in task order, so
/// what a driver sees does not depend on the number of ranks or on who evaluated what.
///
/// A busy worker sends a heartbeat every second; rank 0 stops the run with a message naming
/// the rank if one is silent for `timeout` seconds (a hung or stopped process), instead of
/// waiting for ever. A worker's exception comes back as the same kind of error on rank 0.

#include <functional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nanoscape/search/evaluator.hpp"

namespace nanoscape {

/// What a rank does with one task: its answer. Runs on a worker's own thread, or on rank 0's.
using TaskHandler = std::function<nlohmann::json(const nlohmann::json& task)>;

/// What travels with a worker's answers besides the task's result (the calls its reference
/// calculator made, for rank 0's reference_calls.xyz): `take` on a worker gives what to attach
/// to each answer (or error) when its task ends; `give` on rank 0 receives it as it arrives,
/// on the thread that does the messaging. Either may be empty.
struct AnswerExtras {
    std::function<nlohmann::json()> take;
    std::function<void(const nlohmann::json&)> give;
};

/// Installs this process's extras (set once, before the first task; empty to remove).
void set_answer_extras(AnswerExtras extras);

/// Rank 0: runs every task on the ranks (rank 0 included, with `local`) and returns the
/// answers in task order. Error (InputError, Interrupted as they were thrown) if a task failed;
/// Error naming the rank if one was silent for `timeout` seconds. Without other ranks, runs
/// them all with `local`, in order.
[[nodiscard]] std::vector<nlohmann::json> run_tasks_on_ranks(const std::vector<nlohmann::json>& tasks,
                                                             const TaskHandler& local, double timeout);

/// A worker (rank > 0): answers tasks with `handler` until rank 0 calls stop_workers().
void serve_tasks(const TaskHandler& handler);

/// Rank 0: tells every worker to return from serve_tasks() (before mpi::finalize()).
void stop_workers();

/// The answer of a worker to an "evaluate" task ({"kind": "evaluate", "candidates": [...]}):
/// the uncounted evaluations of the candidates by `local` ({"results": [...]}).
[[nodiscard]] nlohmann::json answer_evaluate_task(const LocalEvaluator& local, const nlohmann::json& task);

/// The local evaluator with the candidates of each batch spread over the MPI ranks, in chunks
/// of up to `threads` candidates (a rank relaxes a chunk with its own OpenMP threads). Counts
/// once, on rank 0, from the gathered results; identity and state are the local evaluator's,
/// so a run resumes with any number of ranks.
class MpiEvaluator final : public Evaluator {
public:
    /// @param potential reference calculator of rank 0 (each worker builds its own)
    /// @param relaxer local optimiser
    /// @param options relaxation settings (the same on every rank)
    /// @param threads OpenMP threads of each rank
    /// @param timeout seconds a busy rank may stay silent before the run stops
    MpiEvaluator(const Potential& potential, const Relaxer& relaxer, RelaxOptions options, int threads, double timeout);

    [[nodiscard]] std::string describe() const override;
    [[nodiscard]] std::vector<Evaluation> evaluate(std::span<const Candidate> batch) override;
    [[nodiscard]] EvaluationCounts counts() const override { return counts_; }
    [[nodiscard]] nlohmann::json identity() const override { return local_.identity(); }
    [[nodiscard]] nlohmann::json save_state() const override;
    void load_state(const nlohmann::json& state) override;

private:
    LocalEvaluator local_;
    int threads_;
    double timeout_;
    EvaluationCounts counts_;
};

}  // namespace nanoscape
