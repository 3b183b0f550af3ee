#pragma once
/// @file The reference-calculator interface.
///
/// A Potential gives the energy (eV; epsilon for reduced Lennard-Jones), forces
/// F = -dE/dx (eV/Angstrom) and per-atom energies of a finite cluster. Implementations are
/// const and re-entrant: many threads relax different clusters with one Potential.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "nanoscape/geometry/cluster.hpp"

namespace nanoscape {

class PairSumForm;
class SiteSumForm;

class Potential {
public:
    virtual ~Potential() = default;

    /// Registry key of the model ("lj", "gupta", ...).
    [[nodiscard]] virtual std::string type() const = 0;
    /// One line for logs and file headers: model, parameter set and its source.
    [[nodiscard]] virtual std::string description() const = 0;
    /// Interaction range (Angstrom); no_cutoff if every pair interacts.
    [[nodiscard]] virtual double cutoff() const = 0;
    /// Species with parameters; empty if any species is accepted (Lennard-Jones).
    [[nodiscard]] virtual std::vector<Species> supported_species() const = 0;
    /// Typical nearest-neighbour distance of an a-b pair (Angstrom): used to build starting
    /// structures, scale random moves and tell bonded from separated atoms.
    [[nodiscard]] virtual double pair_distance(Species a, Species b) const = 0;

    /// Energy of `cluster` (eV). If `forces` is given it is resized to 3 x N and receives
    /// -dE/dx (eV/Angstrom); if `atom_energies` is given it is resized to N and receives a
    /// partition of E over atoms (eV) that sums to E.
    [[nodiscard]] virtual double compute(const Cluster& cluster, Eigen::Matrix3Xd* forces,
                                         Eigen::VectorXd* atom_energies) const = 0;

    /// Energy only (eV).
    [[nodiscard]] double energy(const Cluster& cluster) const { return compute(cluster, nullptr, nullptr); }
    /// Energy (eV) and forces (eV/Angstrom).
    double energy_and_forces(const Cluster& cluster, Eigen::Matrix3Xd& forces) const {
        return compute(cluster, &forces, nullptr);
    }
    /// The unit of forces as messages print it: "eV/A", or "epsilon/sigma" for Lennard-Jones
    /// in reduced units.
    [[nodiscard]] virtual std::string force_unit() const { return "eV/A"; }
    /// The potential as a sum of site energies of pair-term sums (potentials/local_energy.hpp),
    /// valid for every configuration of the species `species` (any subset of them present), so
    /// chemical moves cost O(neighbours); nullptr if the potential cannot offer it.
    [[nodiscard]] virtual std::unique_ptr<SiteSumForm> site_sum_form(const std::vector<Species>& species) const;
    /// The potential as a function of global pair sums over `species` (local_energy.hpp), or
    /// null if it is not one (the default).
    [[nodiscard]] virtual std::unique_ptr<PairSumForm> pair_sum_form(const std::vector<Species>& species) const;

    /// Throws InputError naming every species of `cluster` this potential has no parameters for.
    void check_species(const Cluster& cluster) const;
};

/// Nearest-neighbour distances (Angstrom) by species pair; keys (a, b) with a <= b by Z.
using PairDistances = std::map<std::pair<Species, Species>, double>;

/// The distance of the pair (a, b) in `given`, or the sum of their covalent radii (element
/// table) if it is not there (Angstrom): the bond length of a calculator that states none.
[[nodiscard]] double given_or_covalent_distance(const PairDistances& given, Species a, Species b);

/// `energy` (eV) split equally over `atoms` atoms: the per-atom partition of a potential that
/// has no local energies of its own (a surrogate's total, an external calculator's).
[[nodiscard]] Eigen::VectorXd equal_partition(double energy, std::size_t atoms);

/// Largest Potential::pair_distance over all pairs of the distinct species in `species`
/// (Angstrom): the bond length that scales moves, cutoffs and explosion checks.
[[nodiscard]] double largest_pair_distance(const std::vector<Species>& species, const Potential& potential);

/// Two atoms closer than a fraction of their pair distance.
struct Overlap {
    int first = 0;         ///< 0-based index of one atom
    int second = 0;        ///< 0-based index of the other (first < second)
    double distance = 0;   ///< their distance, Angstrom
    double limit = 0;      ///< fraction x Potential::pair_distance of their species, Angstrom
};

/// The first pair of atoms of `cluster` (in CellGrid order) closer than `fraction` x
/// potential.pair_distance(a, b), or nothing. O(N) with a cell grid.
[[nodiscard]] std::optional<Overlap> find_overlap(const Cluster& cluster, const Potential& potential,
                                                  double fraction = 0.5);

/// Throws InputError if two atoms of `cluster` are closer than `fraction` x
/// potential.pair_distance(a, b): overlapping atoms, which no potential describes sensibly.
/// `what` names the structure in the message (for example "in.xyz frame 2").
void check_no_overlap(const Cluster& cluster, const Potential& potential, const std::string& what,
                      double fraction = 0.5);

}  // namespace nanoscape
