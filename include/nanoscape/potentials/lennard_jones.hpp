#pragma once
/// @file Lennard-Jones pair potential.
///
///   E = sum_{i<j} 4 eps [ (sigma/r)^12 - (sigma/r)^6 ]            (no cutoff, the default)
///
/// With a cutoff r_c the pair energy is shifted by its value at r_c so E is continuous
/// (LAMMPS `pair_modify shift yes`); forces then jump by a negligible amount at r_c.
/// Defaults eps = sigma = 1 (reduced units), for which the Cambridge Cluster Database
/// global minima (Wales & Doye, J. Phys. Chem. A 101, 5111 (1997)) are tabulated.

#include <memory>

#include "nanoscape/core/parameters.hpp"
#include "nanoscape/geometry/neighbour_list.hpp"
#include "nanoscape/potentials/potential.hpp"

namespace nanoscape {

/// Parameters of the Lennard-Jones potential.
struct LennardJonesParameters {
    double epsilon = 1.0;        ///< well depth, eV (or reduced units)
    double sigma = 1.0;          ///< zero-crossing distance, Angstrom (or reduced units)
    double cutoff = no_cutoff;   ///< Angstrom; no_cutoff (infinity) = every pair interacts
};

/// Lennard-Jones for any species (all pairs share epsilon and sigma).
class LennardJones final : public Potential {
public:
    /// @param parameters validated by the constructor (positive epsilon, sigma, cutoff)
    explicit LennardJones(const LennardJonesParameters& parameters);

    [[nodiscard]] std::string type() const override { return "lj"; }
    [[nodiscard]] std::string description() const override;
    [[nodiscard]] double cutoff() const override { return p_.cutoff; }
    /// "epsilon/sigma" with epsilon = sigma = 1 (reduced units), "eV/A" otherwise.
    [[nodiscard]] std::string force_unit() const override {
        return p_.epsilon == 1.0 && p_.sigma == 1.0 ? "epsilon/sigma" : "eV/A";
    }
    [[nodiscard]] std::vector<Species> supported_species() const override { return {}; }
    /// 2^(1/6) sigma, the pair minimum.
    [[nodiscard]] double pair_distance(Species a, Species b) const override;
    [[nodiscard]] double compute(const Cluster& cluster, Eigen::Matrix3Xd* forces,
                                 Eigen::VectorXd* atom_energies) const override;

private:
    LennardJonesParameters p_;
    double shift_ = 0.0;  // pair energy at the cutoff, eV
};

/// Registry factory. Keys: type, epsilon, sigma, cutoff (in sigma's unit), description.
[[nodiscard]] std::unique_ptr<Potential> make_lennard_jones(const ParameterTable& table);

}  // namespace nanoscape
