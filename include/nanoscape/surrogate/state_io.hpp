#pragma once
/// @file Plain-text model state: named scalars and matrices written with full precision, so a
/// saved model predicts bit-identically after loading.
///
/// Format, one record after another:
///   `name rows cols` on one line, then rows lines of cols numbers (shortest round-trip form).
/// Scalars are 1 x 1 matrices. Readers ask for records in the order they were written and get
/// an InputError naming the file, the record and what was expected otherwise.

#include <iosfwd>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "nanoscape/surrogate/sample.hpp"

namespace nanoscape {

/// Writes one named matrix record.
void write_state_matrix(std::ostream& out, const std::string& name, const Eigen::MatrixXd& value);
/// Writes one named scalar record.
void write_state_scalar(std::ostream& out, const std::string& name, double value);

/// Reads the next record, which must be called `name`; `file` is used in messages. With
/// rows/cols >= 0 the shape is checked too.
[[nodiscard]] Eigen::MatrixXd read_state_matrix(std::istream& in, const std::string& file, const std::string& name,
                                                Eigen::Index rows = -1, Eigen::Index cols = -1);
/// Reads the next record as a scalar called `name`.
[[nodiscard]] double read_state_scalar(std::istream& in, const std::string& file, const std::string& name);

/// Writes labelled structures as records `structure` (rows Z, x, y, z and, if the sample has
/// forces, fx, fy, fz; one column per atom) each followed by `energy`, so a loaded model can
/// go on training (update()) on exactly what it was trained on.
void write_state_samples(std::ostream& out, std::span<const Sample> samples);
/// Reads `count` samples written by write_state_samples (4-row records: no forces).
[[nodiscard]] std::vector<Sample> read_state_samples(std::istream& in, const std::string& file, std::size_t count);

}  // namespace nanoscape
