#include "nanoscape/geometry/builders.hpp"

#include <array>
#include <cmath>
#include <map>
#include <numbers>
#include <tuple>

#include <fmt/format.h>

#include "nanoscape/core/error.hpp"
#include "nanoscape/core/rng.hpp"

namespace nanoscape {

namespace {

// The 12 vertices of a regular icosahedron with edge 2: cyclic permutations of (0, +-1, +-phi).
std::array<Eigen::Vector3d, 12> icosahedron_vertices() {
    const double phi = std::numbers::phi;
    std::array<Eigen::Vector3d, 12> v;
    int k = 0;
    for (double s1 : {-1.0, 1.0})
        for (double s2 : {-phi, phi}) {
            v[k++] = {0.0, s1, s2};
            v[k++] = {s1, s2, 0.0};
            v[k++] = {s2, 0.0, s1};
        }
    return v;
}

}  // namespace

Cluster make_icosahedron(int shells, double nn_distance, Species z) {
    if (shells < 0) throw InputError(fmt::format("icosahedron: shells must be >= 0, got {}", shells));
    const auto v = icosahedron_vertices();
    std::vector<std::array<int, 3>> faces;
    for (int a = 0; a < 12; ++a)
        for (int b = a + 1; b < 12; ++b)
            for (int c = b + 1; c < 12; ++c)
                if (std::abs((v[a] - v[b]).norm() - 2) < 1e-9 &&
                    std::abs((v[a] - v[c]).norm() - 2) < 1e-9 &&
                    std::abs((v[b] - v[c]).norm() - 2) < 1e-9)
                    faces.push_back({a, b, c});

    // Edge 2 -> in-shell spacing 2 s; circumradius |v| s = 0.951 (2 s) is the radial spacing.
    const double radial_over_tangential = v[0].norm() / 2.0;
    const double s = nn_distance / (1.0 + radial_over_tangential);  // mean of d_t = 2s, d_r
    std::vector<Eigen::Vector3d> points{Eigen::Vector3d::Zero()};
    for (int k = 1; k <= shells; ++k) {
        // Points i A + j B + l C (i + j + l = k) of every face; shared edge points deduplicated
        // through their rounded coordinates.
        std::map<std::tuple<long, long, long>, Eigen::Vector3d> shell;
        for (const auto& f : faces)
            for (int i = 0; i <= k; ++i)
                for (int j = 0; i + j <= k; ++j) {
                    const int l = k - i - j;
                    const Eigen::Vector3d p = (i * v[f[0]] + j * v[f[1]] + l * v[f[2]]) * s;
                    shell.emplace(std::make_tuple(std::lround(p.x() * 1e6), std::lround(p.y() * 1e6),
                                                  std::lround(p.z() * 1e6)),
                                  p);
                }
        for (const auto& entry : shell) points.push_back(entry.second);
    }
    Cluster c;
    c.positions.resize(3, static_cast<Eigen::Index>(points.size()));
    for (std::size_t i = 0; i < points.size(); ++i) c.positions.col(static_cast<Eigen::Index>(i)) = points[i];
    c.species.assign(points.size(), z);
    return c;
}

Cluster make_fcc_sphere(double a, double radius, Species z) {
    const int m = static_cast<int>(std::ceil(radius / a)) + 1;
    const std::array<Eigen::Vector3d, 4> basis{Eigen::Vector3d(0, 0, 0), Eigen::Vector3d(0, 0.5, 0.5),
                                               Eigen::Vector3d(0.5, 0, 0.5), Eigen::Vector3d(0.5, 0.5, 0)};
    std::vector<Eigen::Vector3d> points;
    for (int i = -m; i <= m; ++i)
        for (int j = -m; j <= m; ++j)
            for (int k = -m; k <= m; ++k)
                for (const auto& b : basis) {
                    const Eigen::Vector3d p = (Eigen::Vector3d(i, j, k) + b) * a;
                    if (p.norm() <= radius + 1e-9) points.push_back(p);
                }
    Cluster c;
    c.positions.resize(3, static_cast<Eigen::Index>(points.size()));
    for (std::size_t i = 0; i < points.size(); ++i) c.positions.col(static_cast<Eigen::Index>(i)) = points[i];
    c.species.assign(points.size(), z);
    return c;
}

Cluster make_random_cluster(const std::vector<Species>& species, double min_distance, double max_bond,
                            Rng& rng) {
    if (species.empty()) throw InputError("random cluster: no atoms requested");
    if (!(min_distance > 0) || !(max_bond > min_distance))
        throw InputError("random cluster: need 0 < min_distance < max_bond");
    const std::size_t n = species.size();
    // Radius of a sphere holding n atoms at close packing (0.74) of spheres of diameter d_mean.
    const double d_mean = 0.5 * (min_distance + max_bond);
    const double radius = 0.5 * d_mean * std::cbrt(static_cast<double>(n) / 0.74) + d_mean;
    Cluster c;
    c.positions.resize(3, static_cast<Eigen::Index>(n));
    c.species = species;
    c.positions.col(0).setZero();
    for (std::size_t i = 1; i < n; ++i) {
        for (int attempt = 0;; ++attempt) {
            if (attempt > 100000)
                throw Error(fmt::format("random cluster: could not place atom {} of {}", i + 1, n));
            const auto p = three_draws<Eigen::Vector3d>([&] { return rng.uniform(-radius, radius); });
            if (p.norm() > radius) continue;
            const double nearest = (c.positions.leftCols(static_cast<Eigen::Index>(i)).colwise() - p)
                                       .colwise().norm().minCoeff();
            if (nearest < min_distance || nearest > max_bond) continue;
            c.positions.col(static_cast<Eigen::Index>(i)) = p;
            break;
        }
    }
    c.center();
    return c;
}

}  // namespace nanoscape
