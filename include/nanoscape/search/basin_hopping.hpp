#pragma once
/// @file Basin hopping (Wales & Doye, J. Phys. Chem. A 101, 5111 (1997); Li & Scheraga,
/// PNAS 84, 6611 (1987)): a Metropolis walk on the landscape of local minima.
///
/// Each walker step: a move drawn by weight from the walker's own move set (random
/// displacement of all atoms, surface-atom relocation, swap of unlike atoms), a local
/// relaxation, and acceptance with probability min(1, exp(-(E_new - E_old) / kT)). The
/// displacement radius adapts toward a target acceptance ratio (in the move); a walker that has
/// not improved its best for `reseed_after` steps restarts from a new starting structure.
/// Several walkers step in parallel, each with its own stream. With `trials` > 1 a walker makes
/// that many trial moves from its current minimum per step, relaxed as one batch, and the
/// lowest usable one is the step's candidate for acceptance (the others are rejected): a
/// greedier walk, and the batch a screening evaluator picks the most promising trials from.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nanoscape/search/acceptance.hpp"
#include "nanoscape/search/driver.hpp"
#include "nanoscape/search/moves.hpp"

namespace nanoscape {

/// Basin-hopping settings ([search] keys of the same names).
struct BasinHoppingSettings {
    int walkers = 1;         ///< independent walkers, stepped in parallel
    double temperature = 0;  ///< Metropolis kT, eV (reduced for LJ); > 0
    long reseed_after = 0;   ///< restart a walker after this many steps without improving its best; 0: never
    int trials = 1;          ///< trial moves per walker step; the lowest relaxed one is judged
};

/// The basin-hopping driver.
class BasinHopping final : public Driver {
public:
    /// @param settings walkers, temperature, reseeding
    /// @param moves the move set every walker starts with (each walker gets its own copy)
    /// @param skipped moves of the set that do not apply to this composition (for describe())
    /// @param problem the problem (for the walkers' random streams)
    BasinHopping(BasinHoppingSettings settings, const MoveSet& moves, std::vector<std::string> skipped,
                 const SearchProblem& problem);

    [[nodiscard]] std::string name() const override { return "basin_hopping"; }
    [[nodiscard]] std::string describe() const override;
    [[nodiscard]] nlohmann::json identity() const override;
    [[nodiscard]] std::vector<Candidate> propose(const SearchView& view, long max_steps) override;
    [[nodiscard]] std::vector<StepOutcome> update(std::span<const Candidate> candidates,
                                                  std::span<const Evaluation> results, const SearchView& view) override;
    [[nodiscard]] std::string stop_reason() const override { return {}; }
    [[nodiscard]] int batch_width() const override { return settings_.walkers * settings_.trials; }
    [[nodiscard]] std::vector<std::string> trace_columns() const override { return {}; }
    [[nodiscard]] nlohmann::json save_state() const override;
    void load_state(const nlohmann::json& state, const SearchProblem& problem) override;

    /// Failed starting structures in a row after which a walker gives up (the run stops with
    /// an error: the potential probably does not bind this composition).
    static constexpr int max_failed_starts = 20;

private:
    struct Walker {
        std::optional<Cluster> current;  // current minimum; empty until a start relaxed
        double energy = 0.0;             // its energy
        double best_energy = 0.0;        // lowest energy since the last (re)seed
        Rng rng;                         // the walker's own stream
        MoveSet moves;                   // its own moves (adaptive step sizes)
        long steps = 0;                  // steps taken
        long accepted = 0;               // of which accepted
        long since_improvement = 0;      // steps since best_energy last decreased
        int failed_starts = 0;           // starting structures in a row that did not relax
        bool reseed_pending = false;     // a reseed failed: try again at the next step
        bool start_proposed = false;     // this round's candidate is a start or reseed (propose -> update only)
    };

    BasinHoppingSettings settings_;
    MetropolisAcceptance acceptance_;
    std::string moves_description_;
    std::vector<std::string> skipped_;
    std::vector<Walker> walkers_;
};

/// [search] keys of basin hopping.
[[nodiscard]] std::vector<std::string> basin_hopping_keys();
/// Builds basin hopping from a [search] table (keys in docs/run-file.md).
[[nodiscard]] std::unique_ptr<Driver> make_basin_hopping(const ParameterTable& search, const SearchProblem& problem);

/// Default Metropolis temperature for a potential: 0.8 in reduced Lennard-Jones units (the
/// LJ38 literature value), 0.1 eV (about 1160 K) for metal potentials.
[[nodiscard]] double default_temperature(const Potential& potential);

}  // namespace nanoscape
