#include "nanoscape/geometry/bond_graph.hpp"

#include <algorithm>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/connected_components.hpp>

#include "nanoscape/geometry/neighbour_list.hpp"

namespace nanoscape {

std::vector<std::pair<int, int>> find_bonds(const Cluster& cluster, const BondCutoff& bond_cutoff) {
    const auto kinds = cluster.unique_species();
    double longest = 0.0;
    for (Species a : kinds)
        for (Species b : kinds) longest = std::max(longest, bond_cutoff(a, b));
    std::vector<std::pair<int, int>> bonds;
    for (const auto& p : build_half_neighbour_list(cluster.positions, longest))
        if (p.r < bond_cutoff(cluster.species[p.i], cluster.species[p.j])) bonds.emplace_back(p.i, p.j);
    return bonds;
}

std::vector<int> fragment_labels(const Cluster& cluster, const BondCutoff& bond_cutoff) {
    using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;
    Graph graph(cluster.size());
    for (const auto& [i, j] : find_bonds(cluster, bond_cutoff)) boost::add_edge(i, j, graph);
    std::vector<int> labels(cluster.size());
    boost::connected_components(graph, labels.data());
    return labels;
}

int count_fragments(const Cluster& cluster, const BondCutoff& bond_cutoff) {
    if (cluster.size() == 0) return 0;
    const auto labels = fragment_labels(cluster, bond_cutoff);
    return *std::max_element(labels.begin(), labels.end()) + 1;
}

double covalent_bond_cutoff(Species a, Species b) {
    return 1.3 * (element(a).covalent_radius + element(b).covalent_radius);
}

}  // namespace nanoscape
