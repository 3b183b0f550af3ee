#include "nanoscape/search/minima_archive.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "nanoscape/search/state_json.hpp"

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

bool same_minimum(const ArchiveSettings& settings, double energy_a, const std::vector<double>& fingerprint_a,
                  double energy_b, const std::vector<double>& fingerprint_b) {
    return std::abs(energy_a - energy_b) < settings.energy_tolerance &&
           fingerprint_distance(fingerprint_a, fingerprint_b) < settings.fingerprint_tolerance;
}

bool MinimaArchive::same(const Minimum& a, const Minimum& b) const {
    return same_minimum(settings_, a.energy, a.fingerprint, b.energy, b.fingerprint);
}

bool MinimaArchive::insert(Minimum minimum) {
    count_seen(minimum.energy, radii_of(minimum.cluster));
    if (minimum.fingerprint.empty()) minimum.fingerprint = structural_fingerprint(minimum.cluster);
    for (auto& m : minima_) {
        if (!same(m, minimum)) continue;
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

double MinimaArchive::best_energy() const {
    return minima_.empty() ? std::numeric_limits<double>::quiet_NaN() : minima_.front().energy;
}

bool MinimaArchive::contains(const Cluster& cluster, double energy) const {
    Minimum probe;
    probe.energy = energy;
    probe.fingerprint = structural_fingerprint(cluster);
    return std::any_of(minima_.begin(), minima_.end(), [&](const Minimum& m) { return same(m, probe); });
}

std::array<float, 4> MinimaArchive::radii_of(const Cluster& cluster) {
    std::array<float, 4> radii{};
    if (cluster.size() == 0) return radii;
    const Eigen::Vector3d c = cluster.centroid();
    const auto kinds = cluster.unique_species();
    std::array<double, 4> sum{};
    std::array<std::size_t, 4> count{};
    for (std::size_t i = 0; i < cluster.size(); ++i) {
        const double r2 = (cluster.positions.col(static_cast<Eigen::Index>(i)) - c).squaredNorm();
        const auto k = static_cast<std::size_t>(std::find(kinds.begin(), kinds.end(), cluster.species[i]) - kinds.begin());
        if (k < 3) {
            sum[k] += r2;
            ++count[k];
        }
        sum[3] += r2;
        ++count[3];
    }
    for (std::size_t k = 0; k < 4; ++k)
        if (count[k] > 0) radii[k] = static_cast<float>(std::sqrt(sum[k] / static_cast<double>(count[k])));
    return radii;
}

void MinimaArchive::count_seen(double energy, const std::array<float, 4>& radii) {
    if (!std::isfinite(energy)) return;
    const double tol = settings_.energy_tolerance;
    for (auto it = seen_.lower_bound(Signature{energy - tol, {}}); it != seen_.end() && it->energy < energy + tol; ++it) {
        if (std::abs(it->energy - energy) >= tol) continue;
        bool close = true;
        for (std::size_t k = 0; k < 4; ++k)
            close = close && std::abs(it->radii[k] - radii[k]) < settings_.fingerprint_tolerance;
        if (close) return;
    }
    seen_.insert(Signature{energy, radii});
}

nlohmann::json MinimaArchive::save_state() const {
    nlohmann::json minima = nlohmann::json::array();
    for (const auto& m : minima_)
        minima.push_back({{"energy", m.energy},
                          {"step", m.step},
                          {"walker", m.walker},
                          {"move", m.move},
                          {"evaluations", m.evaluations},
                          {"structure", cluster_to_json(m.cluster)}});
    nlohmann::json seen = nlohmann::json::array();
    for (const auto& s : seen_) seen.push_back({s.energy, s.radii[0], s.radii[1], s.radii[2], s.radii[3]});
    return {{"minima", std::move(minima)}, {"seen", std::move(seen)}};
}

void MinimaArchive::load_state(const nlohmann::json& state) {
    minima_.clear();
    seen_.clear();
    for (const auto& j : state.at("minima")) {
        Minimum m;
        m.energy = j.at("energy").get<double>();
        m.step = j.at("step").get<long>();
        m.walker = j.at("walker").get<int>();
        m.move = j.at("move").get<std::string>();
        m.evaluations = j.at("evaluations").get<long>();
        m.cluster = cluster_from_json(j.at("structure"));
        m.fingerprint = structural_fingerprint(m.cluster);
        minima_.push_back(std::move(m));
    }
    for (const auto& j : state.at("seen")) {
        Signature s{j.at(0).get<double>(), {}};
        for (std::size_t k = 0; k < 4; ++k) s.radii[k] = j.at(k + 1).get<float>();
        seen_.insert(s);
    }
}

}  // namespace nanoscape
