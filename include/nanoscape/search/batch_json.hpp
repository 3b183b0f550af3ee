#pragma once
/// @file Candidates and their evaluations as JSON, exactly: what an evaluator in another
/// process (search/mpi_evaluator.hpp) receives and sends back. Reals go through
/// real_to_json (NaN and infinities kept), doubles in the shortest form that reads back to the
/// same bits, so a candidate evaluated on another rank gives the serial answer bit for bit.

#include <nlohmann/json.hpp>

#include "nanoscape/search/evaluator.hpp"

namespace nanoscape {

/// Every field of `candidate`.
[[nodiscard]] nlohmann::json candidate_to_json(const Candidate& candidate);
/// Reads candidate_to_json(); throws nlohmann::json exceptions or InputError if malformed.
[[nodiscard]] Candidate candidate_from_json(const nlohmann::json& j);

/// Every field of `evaluation` (its reference snapshots with their forces included).
[[nodiscard]] nlohmann::json evaluation_to_json(const Evaluation& evaluation);
/// Reads evaluation_to_json(); throws nlohmann::json exceptions or InputError if malformed.
[[nodiscard]] Evaluation evaluation_from_json(const nlohmann::json& j);

}  // namespace nanoscape
