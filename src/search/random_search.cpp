#include "nanoscape/search/random_search.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "nanoscape/search/state_json.hpp"

namespace nanoscape {

std::string RandomSearch::describe() const {
    return fmt::format("random_search, {} relaxations per round", batch_);
}

nlohmann::json RandomSearch::identity() const { return nlohmann::json::object(); }

std::vector<Candidate> RandomSearch::propose(const SearchView& view, long max_steps) {
    const auto n = static_cast<std::uint64_t>(std::min<long>(batch_, max_steps));
    std::vector<Candidate> out(n);
    for (std::uint64_t k = 0; k < n; ++k) {
        const std::uint64_t index = next_ + k;
        Rng rng = view.problem.stream("random_search.candidate", index);
        Candidate& c = out[k];
        c.cluster = view.problem.initial_structure(index, rng);
        c.cluster.center();
        c.origin = static_cast<int>(index % static_cast<std::uint64_t>(std::numeric_limits<int>::max()));
        c.move = view.problem.start.kind;
    }
    return out;
}

std::vector<StepOutcome> RandomSearch::update(std::span<const Candidate> candidates, std::span<const Evaluation> results,
                                              const SearchView& view) {
    std::vector<StepOutcome> outcomes(candidates.size());
    const double tolerance = view.archive.settings().energy_tolerance;
    for (std::size_t i = 0; i < results.size(); ++i) {
        // "Accepted" marks a new best: the rows where the baseline improved.
        if (results[i].ok() && results[i].energy < best_ - tolerance) {
            best_ = results[i].energy;
            outcomes[i].accepted = true;
        }
    }
    next_ += candidates.size();
    return outcomes;
}

nlohmann::json RandomSearch::save_state() const { return {{"next", next_}, {"best", real_to_json(best_)}}; }

void RandomSearch::load_state(const nlohmann::json& state, const SearchProblem&) {
    next_ = json_to_unsigned(state.at("next"), "next");
    best_ = real_from_json(state.at("best"));
}

std::vector<std::string> random_search_keys() { return {"batch"}; }

std::unique_ptr<Driver> make_random_search(const ParameterTable& search, const SearchProblem&) {
    return std::make_unique<RandomSearch>(static_cast<int>(search.get_integer_in("batch", 8, 1, 100000)));
}

}  // namespace nanoscape
