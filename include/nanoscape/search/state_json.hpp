#pragma once
/// @file JSON forms of the pieces every search state holds (structures, random streams,
/// reals that may be NaN), for the drivers' save_state / load_state and the checkpoint.
///
/// Checkpoints are JSON (nlohmann::json, Debian's nlohmann-json3-dev): human-readable and
/// exact. Doubles are written in the shortest form that reads back to the same bits, and the
/// 64-bit random-stream words as unsigned integers, so a resumed run continues bit for bit.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nanoscape/core/parameters.hpp"
#include "nanoscape/core/rng.hpp"
#include "nanoscape/geometry/cluster.hpp"
#include "nanoscape/surrogate/sample.hpp"

namespace nanoscape {

/// A 3 x N matrix (positions, forces) as [[x, y, z], ...], exactly.
[[nodiscard]] nlohmann::json vectors_to_json(const Eigen::Matrix3Xd& vectors);
/// Reads vectors_to_json(); InputError "<what> does not have three coordinates" for an entry
/// that is not three numbers' worth ("a position", "a force").
[[nodiscard]] Eigen::Matrix3Xd vectors_from_json(const nlohmann::json& j, const char* what);

/// {"species": ["Ag", ...], "positions": [[x, y, z], ...]} (Angstrom).
[[nodiscard]] nlohmann::json cluster_to_json(const Cluster& cluster);
/// Reads cluster_to_json(); throws nlohmann::json exceptions or InputError on a malformed value.
[[nodiscard]] Cluster cluster_from_json(const nlohmann::json& j);

/// A training sample: {"cluster", "energy" (eV), "forces" (eV/Angstrom, if it has them)}.
[[nodiscard]] nlohmann::json sample_to_json(const Sample& sample);
/// Reads sample_to_json(); InputError for forces of another number of atoms than the cluster.
[[nodiscard]] Sample sample_from_json(const nlohmann::json& j);

/// Throws InputError unless `cluster` has exactly the species of `composition` (any order)
/// and finite positions: "<what> is Ag13Cu5 but the run is Ag13Cu6".
void check_composition(const Cluster& cluster, const std::vector<Species>& composition,
                       const std::string& what = "a structure");

/// Every field in which two identities (JSON objects of settings a resumed run must share with
/// its checkpoint) differ, as a user reads it: "seed is 7 in the checkpoint, 8 in this run",
/// nested keys dotted ("relax.fmax"). Empty if they agree.
[[nodiscard]] std::vector<std::string> identity_differences(const nlohmann::json& checkpoint, const nlohmann::json& run);

/// The four state words of a stream.
[[nodiscard]] nlohmann::json rng_to_json(const Rng& rng);
/// A stream restored from rng_to_json().
[[nodiscard]] Rng rng_from_json(const nlohmann::json& j);

/// A non-negative integer of a checkpoint (a count, a random state word); InputError naming
/// `what` for anything else. (nlohmann's get<std::uint64_t>() of a float, which a 20-digit
/// number parses as, or of a negative float is undefined behaviour, not an exception.)
[[nodiscard]] std::uint64_t json_to_unsigned(const nlohmann::json& j, const char* what);

/// Throws InputError if `j` holds a float no integer field could hold (|x| >= 2^63) anywhere:
/// the checkpoint reader converts numbers to integers with nlohmann's get<>(), which is
/// undefined for such a float. Real fields never come near (energies, positions, seconds).
void check_json_numbers(const nlohmann::json& j);

/// A real; NaN and infinities (which JSON lacks) as the strings "nan", "inf", "-inf".
[[nodiscard]] nlohmann::json real_to_json(double x);
/// Reads real_to_json().
[[nodiscard]] double real_from_json(const nlohmann::json& j);

/// A configuration value (a resolved [surrogate] table, ...) as JSON, kinds kept (an integer
/// stays an integer), so a checkpoint can rebuild what it describes.
[[nodiscard]] nlohmann::json parameter_value_to_json(const ParameterValue& value);
/// Reads parameter_value_to_json(); throws InputError on a malformed value.
[[nodiscard]] ParameterValue parameter_value_from_json(const nlohmann::json& j);

}  // namespace nanoscape
