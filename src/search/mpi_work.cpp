#include "nanoscape/search/mpi_work.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "nanoscape/core/error.hpp"
#include "nanoscape/core/interrupt.hpp"
#include "nanoscape/core/mpi.hpp"
#include "nanoscape/core/parallel.hpp"
#include "nanoscape/search/batch_json.hpp"

namespace nanoscape {

namespace {

// Message tags.
enum Tag : int { task_tag = 1, answer_tag = 2, error_tag = 3, heartbeat_tag = 4, stop_tag = 5 };

constexpr double heartbeat_interval = 1.0;  // s between a busy worker's signs of life

std::vector<std::uint8_t> encode(const nlohmann::json& j) { return nlohmann::json::to_cbor(j); }
nlohmann::json decode(const std::vector<std::uint8_t>& bytes) { return nlohmann::json::from_cbor(bytes); }

// An exception as a message, and back as the same kind of error.
nlohmann::json error_to_json(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const InputError& e) {
        return {{"kind", "input"}, {"message", e.what()}};
    } catch (const Interrupted& e) {
        return {{"kind", "interrupted"}, {"message", e.what()}};
    } catch (const std::exception& e) {
        return {{"kind", "error"}, {"message", e.what()}};
    } catch (...) {
        return {{"kind", "error"}, {"message", "unknown error"}};
    }
}

[[noreturn]] void throw_error(const nlohmann::json& j, int rank) {
    const std::string kind = j.value("kind", "error");
    const std::string message = j.value("message", "");
    if (kind == "input") throw InputError(message);
    if (kind == "interrupted") throw Interrupted(message);
    throw Error(fmt::format("rank {}: {}", rank, message));
}

AnswerExtras& extras() {
    static AnswerExtras installed;
    return installed;
}

}  // namespace

void set_answer_extras(AnswerExtras e) { extras() = std::move(e); }

std::vector<nlohmann::json> run_tasks_on_ranks(const std::vector<nlohmann::json>& tasks, const TaskHandler& local,
                                               double timeout) {
    std::vector<nlohmann::json> answers(tasks.size());
    if (mpi::size() <= 1) {
        for (std::size_t i = 0; i < tasks.size(); ++i) answers[i] = local(tasks[i]);
        return answers;
    }
    std::mutex mutex;
    std::size_t next = 0;  // the first task nobody took yet
    std::optional<std::pair<int, nlohmann::json>> failure;  // the first error: rank and what
    const auto take = [&]() -> std::optional<std::size_t> {
        std::lock_guard lock(mutex);
        if (failure || next >= tasks.size()) return std::nullopt;
        return next++;
    };
    // Rank 0's share, on a thread of its own, while this thread does the messaging.
    std::thread worker([&] {
        while (const auto i = take()) {
            try {
                nlohmann::json answer = local(tasks[*i]);
                std::lock_guard lock(mutex);
                answers[*i] = std::move(answer);
            } catch (...) {
                std::lock_guard lock(mutex);
                if (!failure) failure.emplace(0, error_to_json(std::current_exception()));
            }
        }
    });
    using Clock = std::chrono::steady_clock;
    std::map<int, std::pair<std::size_t, Clock::time_point>> busy;  // rank -> (task, last sign of life)
    const auto hand_out = [&](int rank) {
        if (const auto i = take()) {
            mpi::send(rank, task_tag, encode({{"index", *i}, {"task", tasks[*i]}}), timeout);
            busy[rank] = {*i, Clock::now()};
        }
    };
    std::string lost;
    try {
        for (int r = 1; r < mpi::size(); ++r) hand_out(r);
        while (!busy.empty()) {
            if (const auto m = mpi::receive(-1, 0.25)) {
                auto it = busy.find(m->source);
                if (it == busy.end()) continue;  // a late heartbeat of a rank that answered
                it->second.second = Clock::now();
                if (m->tag == heartbeat_tag) continue;
                const nlohmann::json j = decode(m->bytes);
                busy.erase(it);
                if (j.contains("extras") && extras().give) extras().give(j.at("extras"));
                if (m->tag == answer_tag) {
                    std::lock_guard lock(mutex);
                    answers[j.at("index").get<std::size_t>()] = j.at("answer");
                } else {
                    std::lock_guard lock(mutex);
                    if (!failure) failure.emplace(m->source, j);
                }
                hand_out(m->source);
            }
            const auto now = Clock::now();
            for (const auto& [rank, state] : busy)
                if (timeout > 0 && std::chrono::duration<double>(now - state.second).count() > timeout) {
                    lost = fmt::format(
                        "rank {} of {} sent nothing for {:.0f} s while evaluating (no result, no heartbeat): it is lost "
                        "or hung, so the run stops (mpi timeout {} s, --mpi-timeout)",
                        rank, mpi::size(), timeout, timeout);
                    break;
                }
            if (!lost.empty()) break;
        }
    } catch (...) {
        {
            std::lock_guard lock(mutex);
            next = tasks.size();
        }
        worker.join();
        throw;
    }
    if (!lost.empty()) {
        std::lock_guard lock(mutex);
        next = tasks.size();  // rank 0 takes no further task
    }
    worker.join();
    if (!lost.empty()) throw Error(lost);
    if (failure) throw_error(failure->second, failure->first);
    return answers;
}

void serve_tasks(const TaskHandler& handler) {
    for (;;) {
        const auto m = mpi::receive(0, 0);
        if (!m || m->tag == stop_tag) return;
        if (m->tag != task_tag) continue;
        const nlohmann::json j = decode(m->bytes);
        nlohmann::json answer;
        std::exception_ptr error;
        std::atomic<bool> done{false};
        std::thread work([&] {
            try {
                answer = handler(j.at("task"));
            } catch (...) {
                error = std::current_exception();
            }
            done = true;
        });
        // Signs of life while the task runs: rank 0 tells a slow task from a lost rank.
        auto last = std::chrono::steady_clock::now();
        while (!done) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            if (std::chrono::duration<double>(std::chrono::steady_clock::now() - last).count() >= heartbeat_interval) {
                mpi::send(0, heartbeat_tag, {});
                last = std::chrono::steady_clock::now();
            }
        }
        work.join();
        nlohmann::json message = error ? error_to_json(error) : nlohmann::json{{"index", j.at("index")}, {"answer", std::move(answer)}};
        if (extras().take) message["extras"] = extras().take();
        mpi::send(0, error ? error_tag : answer_tag, encode(message));
    }
}

void stop_workers() {
    for (int r = 1; r < mpi::size(); ++r) mpi::send(r, stop_tag, {});
}

nlohmann::json answer_evaluate_task(const LocalEvaluator& local, const nlohmann::json& task) {
    std::vector<Candidate> candidates;
    for (const auto& c : task.at("candidates")) candidates.push_back(candidate_from_json(c));
    nlohmann::json results = nlohmann::json::array();
    for (const Evaluation& e : local.evaluate_uncounted(candidates)) results.push_back(evaluation_to_json(e));
    return {{"results", std::move(results)}};
}

MpiEvaluator::MpiEvaluator(const Potential& potential, const Relaxer& relaxer, RelaxOptions options, int threads,
                           double timeout)
    : local_(potential, relaxer, options, threads), threads_(resolve_threads(threads)), timeout_(timeout) {}

std::string MpiEvaluator::describe() const {
    return fmt::format("mpi: {} ranks x {} threads; {}", mpi::size(), threads_, local_.describe());
}

std::vector<Evaluation> MpiEvaluator::evaluate(std::span<const Candidate> batch) {
    // Chunks of one candidate per thread of a rank, small enough that every rank gets one; a
    // large batch (a sweep's polish: hundreds of cheap relaxations) in about four chunks per
    // rank instead, so a message round trip is not paid per relaxation. Results never depend
    // on the chunks.
    const std::size_t n = batch.size();
    const std::size_t ranks = static_cast<std::size_t>(mpi::size());
    const std::size_t chunk = std::max<std::size_t>(
        {std::size_t{1}, std::min<std::size_t>(threads_, (n + ranks - 1) / ranks), n / (4 * ranks)});
    std::vector<nlohmann::json> tasks;
    for (std::size_t first = 0; first < n; first += chunk) {
        nlohmann::json candidates = nlohmann::json::array();
        for (std::size_t i = first; i < std::min(n, first + chunk); ++i) candidates.push_back(candidate_to_json(batch[i]));
        tasks.push_back({{"kind", "evaluate"}, {"candidates", std::move(candidates)}});
    }
    // Rank 0's own chunks go through the same JSON as the workers', so no result depends on
    // where it was computed.
    const auto answers = run_tasks_on_ranks(
        tasks, [this](const nlohmann::json& task) { return answer_evaluate_task(local_, task); }, timeout_);
    std::vector<Evaluation> results;
    results.reserve(n);
    for (const auto& a : answers)
        for (const auto& r : a.at("results")) results.push_back(evaluation_from_json(r));
    if (results.size() != n)
        throw Error(fmt::format("the ranks returned {} results for {} candidates", results.size(), n));
    charge_results(batch, results, counts_);
    return results;
}

nlohmann::json MpiEvaluator::save_state() const { return {{"counts", counts_to_json(counts_)}}; }

void MpiEvaluator::load_state(const nlohmann::json& state) { counts_ = counts_from_json(state.at("counts")); }

}  // namespace nanoscape
