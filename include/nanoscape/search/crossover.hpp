#pragma once
/// @file Crossover: a child cluster made from two parents (the genetic algorithm's mating), and
/// the composition repair every operator that mixes or mirrors atoms shares.
///
/// Deaven & Ho, Phys. Rev. Lett. 75, 288 (1995): both parents are rotated at random about their
/// centroids and cut by a plane through the centroid; the child takes the atoms of parent A on
/// one side and of parent B on the other, as many from B as make N atoms. Alloys (Johnston,
/// Dalton Trans. 4193 (2003); Rapetti et al.) need repair: the child must have exactly the
/// target composition, so the atoms of an over-represented element nearest the cut change
/// element. Two parents that are homotops of one geometry mate on that geometry (homotop
/// crossover): the child keeps the shared geometry and takes each side's chemical ordering from
/// one parent. Registry: one line per crossover in src/search/crossover.cpp.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nanoscape/core/parameters.hpp"
#include "nanoscape/core/registry.hpp"
#include "nanoscape/core/rng.hpp"
#include "nanoscape/geometry/cluster.hpp"
#include "nanoscape/search/moves.hpp"
#include "nanoscape/search/problem.hpp"

namespace nanoscape {

/// One kind of crossover.
class Crossover {
public:
    virtual ~Crossover() = default;
    /// Registry key ("one_plane", "two_plane").
    [[nodiscard]] virtual std::string name() const = 0;
    /// A child of `a` and `b` (same number of atoms) with exactly the composition `target`
    /// (one species per atom, any order), drawing only from `rng`; centred at the origin.
    [[nodiscard]] virtual Cluster apply(const Cluster& a, const Cluster& b, const std::vector<Species>& target, Rng& rng,
                                        const MoveContext& context) const = 0;
    /// The operator and its parameters for the log.
    [[nodiscard]] virtual std::string describe() const = 0;
};

/// Deaven-Ho cut and splice with one plane (`planes` = 1) or two parallel planes (2: the
/// child takes a slab of parent A between the planes, the rest from parent B). Up to
/// `attempts` random orientations are tried until no atom of one parent is closer than
/// `min_distance` pair distances to an atom of the other; the attempt with the widest closest
/// approach is kept if none is.
class CutAndSplice final : public Crossover {
public:
    /// @param planes 1 or 2
    /// @param attempts orientations tried (>= 1)
    /// @param min_distance closest approach of atoms from different parents, in pair distances
    CutAndSplice(int planes, int attempts, double min_distance);
    [[nodiscard]] std::string name() const override { return planes_ == 1 ? "one_plane" : "two_plane"; }
    [[nodiscard]] Cluster apply(const Cluster& a, const Cluster& b, const std::vector<Species>& target, Rng& rng,
                                const MoveContext& context) const override;
    [[nodiscard]] std::string describe() const override;

private:
    int planes_;
    int attempts_;
    double min_distance_;
};

/// The homotop crossover of two homotops of one geometry: `match[i]` is the atom of `b` at
/// atom i of `a` (match_geometry). The child has a's positions; a random plane through the
/// centroid splits it, atoms on one side keep a's elements, the others take b's, and the
/// composition is repaired. Up to 8 planes are tried until the ordering differs from both
/// parents'.
[[nodiscard]] Cluster homotop_crossover(const Cluster& a, const Cluster& b, const std::vector<int>& match,
                                        const std::vector<Species>& target, Rng& rng);

/// Changes elements of `cluster` until its composition equals `target` (one species per atom,
/// any order): atoms of over-represented elements are relabelled, those with the lowest
/// `priority` first (e.g. the distance from a cut, so the seam changes and the parents' parts
/// stay), to the under-represented elements in order of Z. Throws Error if the sizes differ.
void repair_composition(Cluster& cluster, const std::vector<Species>& target, const std::vector<double>& priority);

/// One registered crossover.
struct CrossoverEntry {
    std::string key;                ///< name in [search] crossover
    std::string summary;            ///< one line for docs and listings
    std::vector<std::string> keys;  ///< its parameters in [search.crossover.<key>] (besides `weight`)
    /// Builds the crossover from its parameter table.
    std::function<std::unique_ptr<Crossover>(const ParameterTable& parameters, const SearchProblem& problem)> create;
};

/// Registered crossovers, in registration order.
[[nodiscard]] const Registry<CrossoverEntry>& crossover_registry();

}  // namespace nanoscape
