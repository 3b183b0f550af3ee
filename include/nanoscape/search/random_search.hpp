#pragma once
/// @file Random search: relax independent starting structures and keep the best.
///
/// The baseline every search benchmark divides by (optbench.org's "random" reference): each
/// step relaxes a new starting structure made as [system] start says (a random compact
/// cluster, a random homotop of a motif, or the frames of a start file in turn). Candidate k
/// draws from its own stream, so the result is the same for any batch size and thread count;
/// only where a budget in evaluations or seconds cuts the run depends on the batch.

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "nanoscape/search/driver.hpp"

namespace nanoscape {

/// The random-search driver.
class RandomSearch final : public Driver {
public:
    /// @param batch candidates relaxed per round (in parallel)
    explicit RandomSearch(int batch) : batch_(batch) {}

    [[nodiscard]] std::string name() const override { return "random_search"; }
    [[nodiscard]] std::string describe() const override;
    [[nodiscard]] nlohmann::json identity() const override;
    [[nodiscard]] std::vector<Candidate> propose(const SearchView& view, long max_steps) override;
    [[nodiscard]] std::vector<StepOutcome> update(std::span<const Candidate> candidates,
                                                  std::span<const Evaluation> results, const SearchView& view) override;
    [[nodiscard]] std::string stop_reason() const override { return {}; }
    [[nodiscard]] int batch_width() const override { return batch_; }
    [[nodiscard]] std::vector<std::string> trace_columns() const override { return {}; }
    [[nodiscard]] nlohmann::json save_state() const override;
    void load_state(const nlohmann::json& state, const SearchProblem& problem) override;

private:
    int batch_;
    std::uint64_t next_ = 0;  // index of the next candidate
    double best_ = std::numeric_limits<double>::infinity();
};

/// [search] keys of random search: `batch`.
[[nodiscard]] std::vector<std::string> random_search_keys();
/// Builds random search from a [search] table.
[[nodiscard]] std::unique_ptr<Driver> make_random_search(const ParameterTable& search, const SearchProblem& problem);

}  // namespace nanoscape
