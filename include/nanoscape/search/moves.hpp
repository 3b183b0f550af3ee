#pragma once
/// @file Basin-hopping moves: how a new trial structure is made from the current minimum.
///
/// A move changes a cluster in place using the caller's random stream; the relaxation that
/// follows brings it to a new minimum. Registry: one line per move in src/search/moves.cpp.

#include <memory>
#include <string>
#include <vector>

#include "nanoscape/core/rng.hpp"
#include "nanoscape/geometry/cluster.hpp"
#include "nanoscape/potentials/potential.hpp"

namespace nanoscape {

/// What a move may need besides the cluster and the random stream.
struct MoveContext {
    const Potential* potential = nullptr;  ///< for pair distances (bond lengths), Angstrom
    double step_size = 0.4;                ///< displacement scale, Angstrom (adapted during the run)
};

/// One kind of trial move.
class Move {
public:
    virtual ~Move() = default;
    /// Registry key ("displacement", "surface", "swap").
    [[nodiscard]] virtual std::string name() const = 0;
    /// True if the move can change this cluster (a swap needs two species).
    [[nodiscard]] virtual bool applicable(const Cluster& cluster) const = 0;
    /// Changes `cluster` in place.
    virtual void apply(Cluster& cluster, Rng& rng, const MoveContext& context) const = 0;
};

/// Every atom displaced uniformly within a sphere of radius step_size (Wales & Doye,
/// J. Phys. Chem. A 101, 5111 (1997)).
class DisplacementMove final : public Move {
public:
    [[nodiscard]] std::string name() const override { return "displacement"; }
    [[nodiscard]] bool applicable(const Cluster& cluster) const override { return cluster.size() > 1; }
    void apply(Cluster& cluster, Rng& rng, const MoveContext& context) const override;
};

/// A few of the least-coordinated atoms (1 to `max_atoms`) moved one by one to the vacant
/// surface site with the most neighbours among `trials` random candidate sites, each site one
/// bond length from a surface atom and at least 0.85 bond lengths from all others. Fills
/// hollows and smooths facets, which plain displacements do slowly (cf. the surface moves of
/// Rossi & Ferrando and the "cut and splice"-free BH variants for metal clusters).
class SurfaceMove final : public Move {
public:
    /// @param max_atoms at most this many atoms are moved per call
    /// @param trials candidate sites tried per moved atom
    explicit SurfaceMove(int max_atoms = 2, int trials = 30) : max_atoms_(max_atoms), trials_(trials) {}
    [[nodiscard]] std::string name() const override { return "surface"; }
    [[nodiscard]] bool applicable(const Cluster& cluster) const override { return cluster.size() > 4; }
    void apply(Cluster& cluster, Rng& rng, const MoveContext& context) const override;

private:
    int max_atoms_;
    int trials_;
};

/// Exchanges the species of two atoms of different species (a homotop move).
class SwapMove final : public Move {
public:
    [[nodiscard]] std::string name() const override { return "swap"; }
    [[nodiscard]] bool applicable(const Cluster& cluster) const override;
    void apply(Cluster& cluster, Rng& rng, const MoveContext& context) const override;
};

/// Move names, in registry order.
[[nodiscard]] std::vector<std::string> move_names();

/// The move registered as `name`; throws InputError with the closest name otherwise.
[[nodiscard]] std::unique_ptr<Move> create_move(const std::string& name);

/// Number of neighbours of every atom within `factor` x the pair distance.
[[nodiscard]] std::vector<int> coordination_numbers(const Cluster& cluster, const Potential& potential,
                                                    double factor = 1.25);

}  // namespace nanoscape
