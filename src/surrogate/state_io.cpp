#include "nanoscape/surrogate/state_io.hpp"

#include <istream>
#include <ostream>
#include <sstream>

#include <fmt/format.h>

#include "nanoscape/core/error.hpp"

namespace nanoscape {

void write_state_matrix(std::ostream& out, const std::string& name, const Eigen::MatrixXd& value) {
    out << fmt::format("{} {} {}\n", name, value.rows(), value.cols());
    for (Eigen::Index r = 0; r < value.rows(); ++r) {
        std::string line;
        for (Eigen::Index c = 0; c < value.cols(); ++c) {
            if (c) line += ' ';
            line += fmt::format("{}", value(r, c));
        }
        out << line << '\n';
    }
}

void write_state_scalar(std::ostream& out, const std::string& name, double value) {
    write_state_matrix(out, name, Eigen::MatrixXd::Constant(1, 1, value));
}

Eigen::MatrixXd read_state_matrix(std::istream& in, const std::string& file, const std::string& name,
                                  Eigen::Index rows, Eigen::Index cols) {
    std::string header;
    if (!std::getline(in, header))
        throw InputError(fmt::format("{}: model state ends before record '{}'", file, name));
    std::istringstream hs(header);
    std::string found;
    Eigen::Index r = -1;
    Eigen::Index c = -1;
    if (!(hs >> found >> r >> c) || r < 0 || c < 0)
        throw InputError(fmt::format("{}: malformed record header '{}' (expected '{} rows cols')", file, header, name));
    if (found != name)
        throw InputError(fmt::format("{}: expected record '{}', found '{}'", file, name, found));
    if ((rows >= 0 && r != rows) || (cols >= 0 && c != cols))
        throw InputError(fmt::format("{}: record '{}' is {} x {}, expected {} x {}", file, name, r, c,
                                     rows >= 0 ? rows : r, cols >= 0 ? cols : c));
    Eigen::MatrixXd value(r, c);
    for (Eigen::Index i = 0; i < r; ++i) {
        std::string line;
        if (!std::getline(in, line))
            throw InputError(fmt::format("{}: record '{}' ends after {} of {} rows", file, name, i, r));
        std::istringstream ls(line);
        for (Eigen::Index j = 0; j < c; ++j)
            if (!(ls >> value(i, j)))
                throw InputError(fmt::format("{}: record '{}' row {} has fewer than {} numbers", file, name, i + 1, c));
    }
    return value;
}

double read_state_scalar(std::istream& in, const std::string& file, const std::string& name) {
    return read_state_matrix(in, file, name, 1, 1)(0, 0);
}

void write_state_samples(std::ostream& out, std::span<const Sample> samples) {
    for (const auto& s : samples) {
        const auto& cl = s.cluster;
        Eigen::MatrixXd rows(s.forces ? 7 : 4, static_cast<Eigen::Index>(cl.size()));
        for (std::size_t a = 0; a < cl.size(); ++a) {
            const auto col = static_cast<Eigen::Index>(a);
            rows(0, col) = cl.species[a];
            rows.block(1, col, 3, 1) = cl.positions.col(col);
            if (s.forces) rows.block(4, col, 3, 1) = s.forces->col(col);
        }
        write_state_matrix(out, "structure", rows);
        write_state_scalar(out, "energy", s.energy);
    }
}

std::vector<Sample> read_state_samples(std::istream& in, const std::string& file, std::size_t count) {
    std::vector<Sample> samples;
    for (std::size_t k = 0; k < count; ++k) {
        const Eigen::MatrixXd rows = read_state_matrix(in, file, "structure");
        if (rows.rows() != 4 && rows.rows() != 7)
            throw InputError(fmt::format("{}: model state: training structure {} has {} rows (4 or 7 expected)", file,
                                         k + 1, rows.rows()));
        Sample sample;
        sample.cluster.positions = rows.middleRows(1, 3);
        if (rows.rows() == 7) sample.forces = Eigen::Matrix3Xd(rows.bottomRows(3));
        for (Eigen::Index a = 0; a < rows.cols(); ++a)
            sample.cluster.species.push_back(static_cast<Species>(rows(0, a)));
        sample.energy = read_state_scalar(in, file, "energy");
        samples.push_back(std::move(sample));
    }
    return samples;
}

}  // namespace nanoscape
