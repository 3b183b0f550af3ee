#pragma once
/// @file Trial moves: how a new structure is made from a current one, and the weighted move
/// set every driver draws them from.
///
/// A move changes a cluster in place with the caller's random stream (pele's `take_step`);
/// the driver then tells it whether the step was accepted (`report`, pele's
/// `update_step(accepted)`), so step-size adaptation lives in the move. Moves may carry state
/// (the adapted step size), saved in checkpoints; each walker owns its own copy (`clone`).
/// Registry: one line per move in src/search/moves.cpp; parameters from the run file's
/// [search.moves.<name>] table.

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "nanoscape/core/parameters.hpp"
#include "nanoscape/core/registry.hpp"
#include "nanoscape/core/rng.hpp"
#include "nanoscape/geometry/cluster.hpp"
#include "nanoscape/potentials/potential.hpp"
#include "nanoscape/search/problem.hpp"

namespace nanoscape {

/// What a move may need besides the cluster and the random stream.
struct MoveContext {
    const Potential* potential = nullptr;    ///< for pair distances (bond lengths), Angstrom
    const SearchProblem* problem = nullptr;  ///< the composition and its random structures (RandomMove)
};

/// One kind of trial move.
class Move {
public:
    virtual ~Move() = default;
    /// Registry key ("displacement", "surface", "swap").
    [[nodiscard]] virtual std::string name() const = 0;
    /// True if the move can change this cluster (a swap needs two species).
    [[nodiscard]] virtual bool applicable(const Cluster& cluster) const = 0;
    /// What applicable() needs, for messages ("needs two elements").
    [[nodiscard]] virtual std::string requirement() const = 0;
    /// Changes `cluster` in place, drawing only from `rng`.
    virtual void apply(Cluster& cluster, Rng& rng, const MoveContext& context) const = 0;
    /// Whether the step this move made was accepted; adaptive moves adjust themselves here.
    virtual void report(bool accepted) = 0;
    /// An independent copy (state included), e.g. one per walker.
    [[nodiscard]] virtual std::unique_ptr<Move> clone() const = 0;
    /// The adaptive state for checkpoints (null if the move has none).
    [[nodiscard]] virtual nlohmann::json save_state() const = 0;
    /// Restores save_state().
    virtual void load_state(const nlohmann::json& state) = 0;
    /// The move and its parameters for the log ("displacement (step 0.39, adaptive)").
    [[nodiscard]] virtual std::string describe() const = 0;
};

/// How an adaptive step size follows the acceptance ratio.
struct StepAdaptation {
    double target_acceptance = 0.5;  ///< aim for this acceptance ratio
    int interval = 10;               ///< reported steps between adjustments; 0: never adapt
    double factor = 0.9;             ///< step multiplied (too many rejections) or divided by this
    double min_step = 0.0;           ///< bounds of the step size, Angstrom
    double max_step = 0.0;           ///< (0: unbounded)
};

/// Every atom displaced uniformly within a sphere of radius `step` (Wales & Doye, J. Phys.
/// Chem. A 101, 5111 (1997)). The radius adapts toward a target acceptance ratio of the steps
/// this move made.
class DisplacementMove final : public Move {
public:
    /// @param step initial radius, Angstrom
    /// @param adaptation how the radius adapts
    DisplacementMove(double step, StepAdaptation adaptation);
    [[nodiscard]] std::string name() const override { return "displacement"; }
    [[nodiscard]] bool applicable(const Cluster& cluster) const override { return cluster.size() > 1; }
    [[nodiscard]] std::string requirement() const override { return "needs at least 2 atoms"; }
    void apply(Cluster& cluster, Rng& rng, const MoveContext& context) const override;
    void report(bool accepted) override;
    [[nodiscard]] std::unique_ptr<Move> clone() const override { return std::make_unique<DisplacementMove>(*this); }
    [[nodiscard]] nlohmann::json save_state() const override;
    void load_state(const nlohmann::json& state) override;
    [[nodiscard]] std::string describe() const override;
    /// The current radius, Angstrom.
    [[nodiscard]] double step() const { return step_; }

private:
    double step_;
    StepAdaptation adaptation_;
    long window_steps_ = 0;     // reported steps since the last adjustment
    long window_accepted_ = 0;  // of which accepted
};

/// A few of the least-coordinated atoms (1 to `max_atoms`) moved one by one to the vacant
/// surface site with the most neighbours among `trials` random candidate sites, each site one
/// bond length from a surface atom and at least 0.85 bond lengths from all others. Fills
/// hollows and smooths facets, which plain displacements do slowly (cf. the surface moves of
/// Rossi & Ferrando).
class SurfaceMove final : public Move {
public:
    /// @param max_atoms at most this many atoms are moved per call
    /// @param trials candidate sites tried per moved atom
    explicit SurfaceMove(int max_atoms = 2, int trials = 30) : max_atoms_(max_atoms), trials_(trials) {}
    [[nodiscard]] std::string name() const override { return "surface"; }
    [[nodiscard]] bool applicable(const Cluster& cluster) const override { return cluster.size() > 4; }
    [[nodiscard]] std::string requirement() const override { return "needs more than 4 atoms"; }
    void apply(Cluster& cluster, Rng& rng, const MoveContext& context) const override;
    void report(bool) override {}
    [[nodiscard]] std::unique_ptr<Move> clone() const override { return std::make_unique<SurfaceMove>(*this); }
    [[nodiscard]] nlohmann::json save_state() const override;
    void load_state(const nlohmann::json&) override {}
    [[nodiscard]] std::string describe() const override;

private:
    int max_atoms_;
    int trials_;
};

/// Exchanges the species of two atoms of different species (a homotop move).
class SwapMove final : public Move {
public:
    [[nodiscard]] std::string name() const override { return "swap"; }
    [[nodiscard]] bool applicable(const Cluster& cluster) const override;
    [[nodiscard]] std::string requirement() const override { return "needs two elements"; }
    void apply(Cluster& cluster, Rng& rng, const MoveContext& context) const override;
    void report(bool) override {}
    [[nodiscard]] std::unique_ptr<Move> clone() const override { return std::make_unique<SwapMove>(*this); }
    [[nodiscard]] nlohmann::json save_state() const override;
    void load_state(const nlohmann::json&) override {}
    [[nodiscard]] std::string describe() const override { return "swap"; }
};

/// Each atom, with probability `fraction`, displaced uniformly within a sphere of radius
/// `amplitude` (Angstrom): a local perturbation of some atoms (the rattle mutation of genetic
/// algorithms, e.g. ASE's RattleMutation), gentler than DisplacementMove.
class RattleMove final : public Move {
public:
    /// @param fraction probability that an atom moves (at least one atom always moves)
    /// @param amplitude radius of the displacement, Angstrom
    RattleMove(double fraction, double amplitude) : fraction_(fraction), amplitude_(amplitude) {}
    [[nodiscard]] std::string name() const override { return "rattle"; }
    [[nodiscard]] bool applicable(const Cluster& cluster) const override { return cluster.size() > 1; }
    [[nodiscard]] std::string requirement() const override { return "needs at least 2 atoms"; }
    void apply(Cluster& cluster, Rng& rng, const MoveContext& context) const override;
    void report(bool) override {}
    [[nodiscard]] std::unique_ptr<Move> clone() const override { return std::make_unique<RattleMove>(*this); }
    [[nodiscard]] nlohmann::json save_state() const override;
    void load_state(const nlohmann::json&) override {}
    [[nodiscard]] std::string describe() const override;

private:
    double fraction_;
    double amplitude_;
};

/// The atoms on one side of a random plane through the centroid rotated against the others
/// about the plane's normal by a random angle in [30, 330] degrees (the twist or rotation
/// mutation of cluster GAs, e.g. Johnston's BCGA).
class TwistMove final : public Move {
public:
    [[nodiscard]] std::string name() const override { return "twist"; }
    [[nodiscard]] bool applicable(const Cluster& cluster) const override { return cluster.size() > 2; }
    [[nodiscard]] std::string requirement() const override { return "needs at least 3 atoms"; }
    void apply(Cluster& cluster, Rng& rng, const MoveContext& context) const override;
    void report(bool) override {}
    [[nodiscard]] std::unique_ptr<Move> clone() const override { return std::make_unique<TwistMove>(*this); }
    [[nodiscard]] nlohmann::json save_state() const override;
    void load_state(const nlohmann::json&) override {}
    [[nodiscard]] std::string describe() const override { return "twist"; }
};

/// The half of the cluster on one side of a random plane through the centroid kept, the other
/// half replaced by the mirror image of the kept atoms farthest from the plane (the mirror plane
/// moved so images stay 0.9 pair distances from the kept atoms), and the composition repaired
/// at the mirror plane (ASE's MirrorMutation). Makes mirror-symmetric structures.
class MirrorMove final : public Move {
public:
    [[nodiscard]] std::string name() const override { return "mirror"; }
    [[nodiscard]] bool applicable(const Cluster& cluster) const override { return cluster.size() > 2; }
    [[nodiscard]] std::string requirement() const override { return "needs at least 3 atoms"; }
    void apply(Cluster& cluster, Rng& rng, const MoveContext& context) const override;
    void report(bool) override {}
    [[nodiscard]] std::unique_ptr<Move> clone() const override { return std::make_unique<MirrorMove>(*this); }
    [[nodiscard]] nlohmann::json save_state() const override;
    void load_state(const nlohmann::json&) override {}
    [[nodiscard]] std::string describe() const override { return "mirror"; }
};

/// The cluster replaced by a new random compact cluster of its composition
/// (SearchProblem::random_structure): fresh genetic material for a population.
class RandomMove final : public Move {
public:
    [[nodiscard]] std::string name() const override { return "random"; }
    [[nodiscard]] bool applicable(const Cluster& cluster) const override { return cluster.size() > 1; }
    [[nodiscard]] std::string requirement() const override { return "needs at least 2 atoms"; }
    void apply(Cluster& cluster, Rng& rng, const MoveContext& context) const override;
    void report(bool) override {}
    [[nodiscard]] std::unique_ptr<Move> clone() const override { return std::make_unique<RandomMove>(*this); }
    [[nodiscard]] nlohmann::json save_state() const override;
    void load_state(const nlohmann::json&) override {}
    [[nodiscard]] std::string describe() const override { return "random"; }
};

/// One registered move.
struct MoveEntry {
    std::string key;                ///< name in [search.moves]
    std::string summary;            ///< one line for docs and listings
    std::vector<std::string> keys;  ///< its parameters in [search.moves.<key>] (besides `weight`)
    /// Builds the move from its parameter table (absent keys take defaults scaled by the
    /// problem's bond length).
    std::function<std::unique_ptr<Move>(const ParameterTable& parameters, const SearchProblem& problem)> create;
};

/// Registered moves, in registration order.
[[nodiscard]] const Registry<MoveEntry>& move_registry();

/// Moves with weights; a draw picks among the moves applicable to the cluster with
/// probability proportional to their weights.
class MoveSet {
public:
    MoveSet() = default;
    MoveSet(MoveSet&&) noexcept = default;
    MoveSet& operator=(MoveSet&&) noexcept = default;
    /// Adds a move with weight `weight` (>= 0).
    void add(std::unique_ptr<Move> move, double weight);
    /// A move drawn by weight among those that apply to `cluster` (one uniform draw from
    /// `rng`). Throws Error if none applies.
    [[nodiscard]] Move& pick(const Cluster& cluster, Rng& rng);
    /// An independent copy of every move (state included), with the same weights.
    [[nodiscard]] MoveSet clone() const;
    /// The moves' states, for checkpoints.
    [[nodiscard]] nlohmann::json save_state() const;
    /// Restores save_state() (same moves in the same order).
    void load_state(const nlohmann::json& state);
    /// "displacement=0.6 (step 0.97, adaptive), surface=0.1, swap=0.3".
    [[nodiscard]] std::string describe() const;
    /// The move called `name`, or nullptr.
    [[nodiscard]] Move* find(const std::string& name);

private:
    std::vector<std::pair<std::unique_ptr<Move>, double>> moves_;
};

/// One entry of a weighted table such as [search.moves]: a name, its weight and its own
/// parameters (the table's name says where they were written, for messages).
struct WeightedChoice {
    std::string name;          ///< registry key
    double weight = 0.0;       ///< relative weight, >= 0
    ParameterTable parameters; ///< parameters besides `weight` (empty if only a weight was given)
};

/// Reads `key` of `search` as a map of names (among `names`) to weights, or to tables with
/// `weight` and parameters (among `parameters(name)`); `default_weights` if the key is absent.
/// InputError with file:line for unknown names or parameters, a missing or negative weight.
[[nodiscard]] std::vector<WeightedChoice> read_weighted_choices(
    const ParameterTable& search, const std::string& key, const std::vector<std::string>& names,
    const std::function<std::vector<std::string>(const std::string&)>& parameters,
    const std::vector<std::pair<std::string, double>>& default_weights);

/// Reads the move set of a [search] table. `[search.moves]` maps move names to weights, or to
/// tables with `weight` and the move's parameters (e.g. `[search.moves.surface]` with
/// `weight = 0.1`, `trials = 50`); without it, `default_weights` are used. `parameter_defaults`
/// holds parameters a driver reads from its own keys (basin hopping's `step_size`, ...) by move
/// name; giving one in both places is an error. Moves that do not apply to the problem's
/// composition are kept (they are skipped when drawn) and listed in `skipped`; InputError, at
/// [search.moves], if no move of positive weight applies.
[[nodiscard]] MoveSet read_move_set(const ParameterTable& search, const SearchProblem& problem,
                                    const std::vector<std::pair<std::string, double>>& default_weights,
                                    const std::vector<std::pair<std::string, ParameterTable>>& parameter_defaults,
                                    std::vector<std::string>* skipped = nullptr);

/// Number of neighbours of every atom within `factor` x the pair distance.
[[nodiscard]] std::vector<int> coordination_numbers(const Cluster& cluster, const Potential& potential,
                                                    double factor = 1.25);

}  // namespace nanoscape
