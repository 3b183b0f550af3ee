#include "nanoscape/geometry/alignment.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <Eigen/Geometry>

#include "nanoscape/core/rng.hpp"

namespace nanoscape {

Eigen::Matrix3d random_rotation(Rng& rng) {
    const double u1 = rng.uniform(), u2 = rng.uniform(), u3 = rng.uniform();
    const double a = std::sqrt(1.0 - u1), b = std::sqrt(u1);
    const double t2 = 2.0 * std::numbers::pi * u2, t3 = 2.0 * std::numbers::pi * u3;
    const Eigen::Quaterniond q(b * std::cos(t3), a * std::sin(t2), a * std::cos(t2), b * std::sin(t3));
    return q.normalized().toRotationMatrix();
}

Eigen::Vector3d random_in_unit_ball(Rng& rng) {
    for (;;) {
        const auto v = three_draws<Eigen::Vector3d>([&] { return rng.uniform(-1, 1); });
        if (v.squaredNorm() <= 1.0) return v;
    }
}

Eigen::Vector3d random_direction(Rng& rng) {
    for (;;) {
        const Eigen::Vector3d v = random_in_unit_ball(rng);
        const double n = v.norm();
        if (n > 1e-3) return v / n;
    }
}

namespace {

// Orthonormal frame (columns) from two non-collinear vectors: e1 along u, e2 in the (u, v) plane.
Eigen::Matrix3d frame(const Eigen::Vector3d& u, const Eigen::Vector3d& v) {
    Eigen::Matrix3d f;
    f.col(0) = u.normalized();
    f.col(1) = (v - v.dot(f.col(0)) * f.col(0)).normalized();
    f.col(2) = f.col(0).cross(f.col(1));
    return f;
}

// The match of every atom of `pa` onto a distinct atom of `pb` under `rotation`, or nullopt.
std::optional<std::vector<int>> try_rotation(const Eigen::Matrix3Xd& pa, const Eigen::Matrix3Xd& pb,
                                             const Eigen::Matrix3d& rotation, double tolerance) {
    const Eigen::Index n = pa.cols();
    std::vector<int> match(static_cast<std::size_t>(n), -1);
    std::vector<char> taken(static_cast<std::size_t>(n), 0);
    const double tol2 = tolerance * tolerance;
    for (Eigen::Index i = 0; i < n; ++i) {
        const Eigen::Vector3d image = rotation * pa.col(i);
        int nearest = -1;
        double best = tol2;
        for (Eigen::Index j = 0; j < n; ++j) {
            const double d2 = (pb.col(j) - image).squaredNorm();
            if (d2 < best) {
                best = d2;
                nearest = static_cast<int>(j);
            }
        }
        // Within the tolerance atoms are well separated, so the nearest is the only candidate.
        if (nearest < 0 || taken[static_cast<std::size_t>(nearest)]) return std::nullopt;
        taken[static_cast<std::size_t>(nearest)] = 1;
        match[static_cast<std::size_t>(i)] = nearest;
    }
    return match;
}

}  // namespace

std::optional<std::vector<int>> match_geometry(const Cluster& a, const Cluster& b, double tolerance) {
    const Eigen::Index n = static_cast<Eigen::Index>(a.size());
    if (a.size() != b.size() || n == 0) return std::nullopt;
    Eigen::Matrix3Xd pa = a.positions.colwise() - a.centroid();
    Eigen::Matrix3Xd pb = b.positions.colwise() - b.centroid();
    if (n == 1) return std::vector<int>{0};
    const Eigen::VectorXd ra = pa.colwise().norm().transpose();
    const Eigen::VectorXd rb = pb.colwise().norm().transpose();
    // Same sorted radii (to within the tolerance) or no match: a cheap first test.
    {
        std::vector<double> sa(ra.data(), ra.data() + n), sb(rb.data(), rb.data() + n);
        std::sort(sa.begin(), sa.end());
        std::sort(sb.begin(), sb.end());
        for (Eigen::Index i = 0; i < n; ++i)
            if (std::abs(sa[static_cast<std::size_t>(i)] - sb[static_cast<std::size_t>(i)]) > tolerance) return std::nullopt;
    }
    Eigen::Index i0 = 0;
    ra.maxCoeff(&i0);
    if (ra(i0) < tolerance) return std::nullopt;  // every atom at the centre: nothing to fix a frame
    // The second frame atom: the largest component perpendicular to the first.
    Eigen::Index i1 = -1;
    double widest = 0.0;
    const Eigen::Vector3d u0 = pa.col(i0) / ra(i0);
    for (Eigen::Index i = 0; i < n; ++i) {
        const double perp = (pa.col(i) - pa.col(i).dot(u0) * u0).norm();
        if (perp > widest) {
            widest = perp;
            i1 = i;
        }
    }
    if (i1 < 0 || widest < tolerance) {
        // Collinear (a dimer or a chain): the axis alone fixes the frame up to a spin that
        // does not move the atoms.
        for (Eigen::Index j = 0; j < n; ++j) {
            if (std::abs(rb(j) - ra(i0)) > tolerance) continue;
            const Eigen::Vector3d w = pb.col(j) / rb(j);
            const Eigen::Quaterniond q = Eigen::Quaterniond::FromTwoVectors(u0, w);
            if (auto m = try_rotation(pa, pb, q.toRotationMatrix(), tolerance)) return m;
        }
        return std::nullopt;
    }
    const Eigen::Matrix3d fa = frame(pa.col(i0), pa.col(i1));
    const double d01 = (pa.col(i0) - pa.col(i1)).norm();
    for (Eigen::Index j0 = 0; j0 < n; ++j0) {
        if (std::abs(rb(j0) - ra(i0)) > tolerance) continue;
        for (Eigen::Index j1 = 0; j1 < n; ++j1) {
            if (j1 == j0 || std::abs(rb(j1) - ra(i1)) > tolerance) continue;
            if (std::abs((pb.col(j0) - pb.col(j1)).norm() - d01) > 2.0 * tolerance) continue;
            const Eigen::Matrix3d rotation = frame(pb.col(j0), pb.col(j1)) * fa.transpose();
            if (auto m = try_rotation(pa, pb, rotation, tolerance)) return m;
        }
    }
    return std::nullopt;
}

}  // namespace nanoscape
