#pragma once
/// @file Plain-text model state: named scalars and matrices written with full precision, so a
/// saved model predicts bit-identically after loading.
///
/// Format, one record after another:
///   `name rows cols` on one line, then rows lines of cols numbers (shortest round-trip form).
/// Scalars are 1 x 1 matrices. Readers ask for records in the order they were written and get
/// an InputError naming the file, the record and what was expected otherwise.

#include <iosfwd>
#include <string>

#include <Eigen/Core>

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

}  // namespace nanoscape
