#include "nanoscape/potentials/lennard_jones.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "nanoscape/geometry/neighbour_list.hpp"

namespace nanoscape {

namespace {
double pair_energy(double eps, double sigma, double r) {
    const double s6 = std::pow(sigma / r, 6);
    return 4.0 * eps * (s6 * s6 - s6);
}
}  // namespace

LennardJones::LennardJones(const LennardJonesParameters& parameters) : p_(parameters) {
    if (!(p_.epsilon > 0) || !(p_.sigma > 0) || !(p_.cutoff > 0))
        throw InputError(fmt::format("lj: epsilon, sigma and cutoff must be positive (got {}, {}, {})",
                                     p_.epsilon, p_.sigma, p_.cutoff));
    if (std::isfinite(p_.cutoff)) shift_ = pair_energy(p_.epsilon, p_.sigma, p_.cutoff);
}

std::string LennardJones::description() const {
    return std::isfinite(p_.cutoff)
               ? fmt::format("lj (epsilon {}, sigma {}, cutoff {}, shifted)", p_.epsilon, p_.sigma, p_.cutoff)
               : fmt::format("lj (epsilon {}, sigma {}, no cutoff)", p_.epsilon, p_.sigma);
}

double LennardJones::pair_distance(Species, Species) const { return std::pow(2.0, 1.0 / 6.0) * p_.sigma; }

double LennardJones::compute(const Cluster& cluster, Eigen::Matrix3Xd* forces,
                             Eigen::VectorXd* atom_energies) const {
    const auto n = static_cast<Eigen::Index>(cluster.size());
    if (forces) forces->setZero(3, n);
    if (atom_energies) atom_energies->setZero(n);
    const double sigma2 = p_.sigma * p_.sigma;
    double energy = 0.0;
    CellGrid(cluster.positions, p_.cutoff).for_each_pair([&](int i, int j, const Eigen::Vector3d& d, double r) {
        const double s2 = sigma2 / (r * r);
        const double s6 = s2 * s2 * s2;
        const double e = 4.0 * p_.epsilon * (s6 * s6 - s6) - shift_;
        energy += e;
        if (atom_energies) {
            (*atom_energies)[i] += 0.5 * e;
            (*atom_energies)[j] += 0.5 * e;
        }
        if (forces) {
            // dE/dr / r = -24 eps (2 s^12 - s^6) / r^2; force on j along +d is -dE/dr d/r.
            const double f_over_r = 24.0 * p_.epsilon * (2.0 * s6 * s6 - s6) / (r * r);
            forces->col(j) += f_over_r * d;
            forces->col(i) -= f_over_r * d;
        }
    });
    return energy;
}

std::unique_ptr<Potential> make_lennard_jones(const ParameterTable& table) {
    table.allow_only({"type", "epsilon", "sigma", "cutoff", "description"});
    LennardJonesParameters p;
    p.epsilon = table.get_real("epsilon", p.epsilon);
    p.sigma = table.get_real("sigma", p.sigma);
    p.cutoff = table.get_real("cutoff", p.cutoff);
    for (const char* key : {"epsilon", "sigma", "cutoff"})
        if (table.has(key) && !(table.require_real(key) > 0)) throw table.error(key, "must be positive");
    return std::make_unique<LennardJones>(p);
}

}  // namespace nanoscape
