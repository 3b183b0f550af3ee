#include "nanoscape/geometry/chemical_order.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "nanoscape/core/error.hpp"
#include "nanoscape/geometry/neighbour_list.hpp"

namespace nanoscape {

std::vector<std::string> ChemicalOrder::bond_names() const {
    std::vector<std::string> out;
    for (std::size_t a = 0; a < elements.size(); ++a)
        for (std::size_t b = a; b < elements.size(); ++b) out.push_back(fmt::format("{}_{}", symbol(elements[a]), symbol(elements[b])));
    return out;
}

ChemicalOrder chemical_order(const Cluster& cluster, const std::vector<Species>& elements,
                             const std::function<double(Species, Species)>& pair_distance) {
    const std::size_t n = cluster.size(), ne = elements.size();
    ChemicalOrder out;
    out.elements = elements;
    std::vector<int> element(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto it = std::find(elements.begin(), elements.end(), cluster.species[i]);
        if (it == elements.end())
            throw InputError(fmt::format("chemical order: {} is not one of {}", symbol(cluster.species[i]), join_symbols(elements, " ")));
        element[i] = static_cast<int>(it - elements.begin());
    }
    // Bond cutoffs per element pair, and the grid's range.
    std::vector<double> cut(ne * ne);
    double range = 0.0;
    for (std::size_t a = 0; a < ne; ++a)
        for (std::size_t b = 0; b < ne; ++b) {
            cut[a * ne + b] = nearest_neighbour_factor * pair_distance(elements[a], elements[b]);
            range = std::max(range, cut[a * ne + b]);
        }
    // Pair index of (a, b), a <= b, in the order of bond_names().
    const auto pair_index = [ne](std::size_t a, std::size_t b) {
        if (a > b) std::swap(a, b);
        return a * ne - a * (a - 1) / 2 + (b - a);  // rows of lengths ne, ne-1, ...
    };
    out.bonds.assign(ne * (ne + 1) / 2, 0);
    std::vector<std::vector<int>> neighbours(n);
    CellGrid(cluster.positions, range).for_each_pair([&](int i, int j, const Eigen::Vector3d&, double r) {
        const auto a = static_cast<std::size_t>(element[static_cast<std::size_t>(i)]);
        const auto b = static_cast<std::size_t>(element[static_cast<std::size_t>(j)]);
        if (r >= cut[a * ne + b]) return;
        ++out.bonds[pair_index(a, b)];
        neighbours[static_cast<std::size_t>(i)].push_back(j);
        neighbours[static_cast<std::size_t>(j)].push_back(i);
    });
    // Shells breadth-first from the surface.
    std::vector<int> shell(n, -1);
    std::vector<std::size_t> frontier;
    for (std::size_t i = 0; i < n; ++i)
        if (static_cast<int>(neighbours[i].size()) <= surface_coordination) {
            shell[i] = 0;
            frontier.push_back(i);
        }
    int depth = 0;
    while (!frontier.empty()) {
        std::vector<std::size_t> next;
        for (std::size_t i : frontier)
            for (int j : neighbours[i])
                if (shell[static_cast<std::size_t>(j)] < 0) {
                    shell[static_cast<std::size_t>(j)] = depth + 1;
                    next.push_back(static_cast<std::size_t>(j));
                }
        if (!next.empty()) ++depth;
        frontier = std::move(next);
    }
    const int shells = n ? depth + 1 : 0;
    for (auto& s : shell)
        if (s < 0) s = shells - 1;
    out.shell_size.assign(static_cast<std::size_t>(shells), 0);
    std::vector<std::vector<long>> count(static_cast<std::size_t>(shells), std::vector<long>(ne, 0));
    for (std::size_t i = 0; i < n; ++i) {
        ++out.shell_size[static_cast<std::size_t>(shell[i])];
        ++count[static_cast<std::size_t>(shell[i])][static_cast<std::size_t>(element[i])];
    }
    out.shell_fraction.assign(static_cast<std::size_t>(shells), std::vector<double>(ne, 0.0));
    for (std::size_t s = 0; s < static_cast<std::size_t>(shells); ++s)
        for (std::size_t a = 0; a < ne; ++a)
            out.shell_fraction[s][a] = out.shell_size[s] ? static_cast<double>(count[s][a]) / out.shell_size[s] : 0.0;
    out.surface_fraction = shells ? out.shell_fraction.front() : std::vector<double>(ne, 0.0);
    return out;
}

}  // namespace nanoscape
