#include "nanoscape/search/minima_archive.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace nanoscape {

std::vector<double> structural_fingerprint(const Cluster& cluster) {
    const auto kinds = cluster.unique_species();
    const auto n = static_cast<Eigen::Index>(cluster.size());
    std::vector<double> out;
    if (n <= 150) {
        for (std::size_t a = 0; a < kinds.size(); ++a)
            for (std::size_t b = a; b < kinds.size(); ++b) {
                std::vector<double> d;
                for (Eigen::Index i = 0; i < n; ++i)
                    for (Eigen::Index j = i + 1; j < n; ++j) {
                        const Species zi = cluster.species[i], zj = cluster.species[j];
                        if ((zi == kinds[a] && zj == kinds[b]) || (zi == kinds[b] && zj == kinds[a]))
                            d.push_back((cluster.positions.col(i) - cluster.positions.col(j)).norm());
                    }
                std::sort(d.begin(), d.end());
                out.insert(out.end(), d.begin(), d.end());
            }
        return out;
    }
    const Eigen::Vector3d c = cluster.centroid();
    for (Species z : kinds) {
        std::vector<double> d;
        for (Eigen::Index i = 0; i < n; ++i)
            if (cluster.species[i] == z) d.push_back((cluster.positions.col(i) - c).norm());
        std::sort(d.begin(), d.end());
        out.insert(out.end(), d.begin(), d.end());
    }
    return out;
}

double fingerprint_distance(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) return std::numeric_limits<double>::infinity();
    if (a.empty()) return 0.0;
    double sum = 0.0;
    for (std::size_t k = 0; k < a.size(); ++k) sum += (a[k] - b[k]) * (a[k] - b[k]);
    return std::sqrt(sum / static_cast<double>(a.size()));
}

bool MinimaArchive::insert(Minimum minimum) {
    if (minimum.fingerprint.empty()) minimum.fingerprint = structural_fingerprint(minimum.cluster);
    for (auto& m : minima_) {
        if (std::abs(m.energy - minimum.energy) >= settings_.energy_tolerance) continue;
        if (fingerprint_distance(m.fingerprint, minimum.fingerprint) >= settings_.fingerprint_tolerance) continue;
        if (minimum.energy >= m.energy) return false;  // already known
        m = std::move(minimum);                         // same structure, better relaxed
        std::stable_sort(minima_.begin(), minima_.end(),
                         [](const Minimum& x, const Minimum& y) { return x.energy < y.energy; });
        return true;
    }
    if (minima_.size() >= settings_.capacity && minimum.energy >= minima_.back().energy) return false;
    const auto at = std::upper_bound(minima_.begin(), minima_.end(), minimum.energy,
                                     [](double e, const Minimum& m) { return e < m.energy; });
    minima_.insert(at, std::move(minimum));
    if (minima_.size() > settings_.capacity) minima_.pop_back();
    return true;
}

}  // namespace nanoscape
