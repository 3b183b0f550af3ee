#pragma once
/// @file A steady-state (pool) genetic algorithm for clusters: Deaven & Ho, Phys. Rev. Lett. 75,
/// 288 (1995); Johnston, Dalton Trans. 4193 (2003) (the Birmingham Cluster GA); Vilhelmsen &
/// Hammer, J. Chem. Phys. 141, 044711 (2014) (ASE's ga module).
///
/// The population holds the `population` lowest distinct relaxed clusters found by the GA.
/// Every round makes `offspring` children, each either by crossover of two parents (cut and
/// splice, one or two planes; homotop crossover when the parents are homotops of one geometry)
/// or, with probability `mutation_rate`, by a mutation of one parent drawn from the move
/// registry (rattle, twist, mirror, swap, surface, random, displacement). Parents are chosen by
/// roulette wheel or tournament on a fitness of the scaled energy. The children are relaxed as
/// one parallel batch by the engine's evaluator; in candidate order, each one that is not a
/// duplicate of a member (the archive's energy + fingerprint test) and is lower than the worst
/// member replaces it. A generation is `population` children. A population whose best has not
/// improved for `restart_after` generations is replaced by new starting structures (an epoch
/// restart: the archive keeps what it found), so a search trapped in one funnel tries again. Every child draws from a stream
/// keyed on its number, so results do not depend on the thread count.
///
/// Islands (`islands` > 1): that many populations evolve apart, each with its own streams and
/// `offspring` children per round, all relaxed in one batch (spread over the MPI ranks by the
/// MPI evaluator); every `migration_interval` generations of an island its `migration_count`
/// best members are offered to the next island of a ring (the island model: Cantú-Paz,
/// Calculateurs Parallèles 10, 141 (1998)). Island 0 draws what a run without islands draws, so
/// `islands = 1` is the plain GA.

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "nanoscape/search/crossover.hpp"
#include "nanoscape/search/driver.hpp"
#include "nanoscape/search/moves.hpp"

namespace nanoscape {

/// Fitness of a member from its scaled energy rho = (E - E_min) / (E_max - E_min) in the
/// population (Johnston 2003): exponential exp(-alpha rho), linear 1 - 0.7 rho,
/// tanh (1 - tanh(2 rho - 1)) / 2: from the best to the worst member 1 ... exp(-alpha), 1 ... 0.3
/// and 0.88 ... 0.12.
enum class FitnessFunction { exponential, linear, tanh };

/// The fitness of every energy (rho = 0 for all if every energy is the same).
[[nodiscard]] std::vector<double> population_fitness(std::span<const double> energies, FitnessFunction function,
                                                     double alpha);

/// Roulette wheel: index i with probability fitness[i] / sum(fitness) (one uniform draw).
[[nodiscard]] std::size_t select_roulette(std::span<const double> fitness, Rng& rng);

/// Tournament: the fittest of `size` distinct members drawn uniformly (ties: the first drawn).
[[nodiscard]] std::size_t select_tournament(std::span<const double> fitness, int size, Rng& rng);

/// Genetic-algorithm settings ([search] keys of the same names).
struct GeneticAlgorithmSettings {
    int population = 20;          ///< members kept
    int offspring = 8;            ///< children per round, relaxed in parallel
    double mutation_rate = 0.2;   ///< probability that a child is a mutation instead of a crossover
    bool tournament = true;       ///< tournament selection (else roulette)
    int tournament_size = 3;      ///< members per tournament
    FitnessFunction fitness = FitnessFunction::exponential;  ///< fitness of the scaled energy
    double fitness_alpha = 3.0;   ///< exponent of the exponential fitness
    long stall_generations = 0;   ///< stop after this many generations without a new best; 0: never
    long restart_after = 0;       ///< new random population after this many generations in which the
                                  ///< population's best did not improve; 0: never
    int islands = 1;              ///< populations evolved apart (each with `population` members)
    long migration_interval = 5;  ///< generations of an island between its migrations (islands > 1)
    int migration_count = 2;      ///< best members an island sends to the next at a migration
};

/// The genetic-algorithm driver.
class GeneticAlgorithm final : public Driver {
public:
    /// @param settings population, offspring, selection
    /// @param crossovers the crossover operators with their weights
    /// @param mutations the mutation moves with their weights
    /// @param skipped mutations that do not apply to this composition (for describe())
    GeneticAlgorithm(GeneticAlgorithmSettings settings, std::vector<std::pair<std::unique_ptr<Crossover>, double>> crossovers,
                     MoveSet mutations, std::vector<std::string> skipped);

    [[nodiscard]] std::string name() const override { return "genetic_algorithm"; }
    [[nodiscard]] std::string describe() const override;
    [[nodiscard]] nlohmann::json identity() const override;
    [[nodiscard]] std::vector<Candidate> propose(const SearchView& view, long max_steps) override;
    [[nodiscard]] std::vector<StepOutcome> update(std::span<const Candidate> candidates,
                                                  std::span<const Evaluation> results, const SearchView& view) override;
    [[nodiscard]] std::string stop_reason() const override;
    [[nodiscard]] int batch_width() const override { return settings_.offspring * settings_.islands; }
    /// `generation` (completed generations) and `diversity` (mean RMS fingerprint distance
    /// between pairs of members, Angstrom) after the round.
    /// With islands, also `island` (the child's island); generation and diversity are its island's.
    [[nodiscard]] std::vector<std::string> trace_columns() const override;
    [[nodiscard]] nlohmann::json save_state() const override;
    void load_state(const nlohmann::json& state, const SearchProblem& problem) override;

    /// Starting structures in a row that may fail before the run stops with an error.
    static constexpr int max_failed_starts = 200;

    /// One member of the population.
    struct Member {
        Cluster cluster;                  ///< relaxed structure
        double energy = 0.0;              ///< eV
        std::vector<double> fingerprint;  ///< structural_fingerprint(cluster)
    };
    /// The population of `island` (0 ... islands - 1), lowest energy first.
    [[nodiscard]] const std::vector<Member>& population(std::size_t island = 0) const {
        return islands_.at(island).population;
    }
    /// Members that entered another island by migration so far.
    [[nodiscard]] long migrants_accepted() const { return migrants_accepted_; }

private:
    // One population and its bookkeeping.
    struct Island {
        std::vector<Member> population;
        std::vector<double> fitness;      // of population, same order
        std::uint64_t children = 0;       // children proposed so far (their stream numbers)
        std::uint64_t starts = 0;         // starting structures proposed so far
        long evaluated = 0;               // children evaluated (search steps)
        long generation = 0;              // completed generations
        double generation_best = 0.0;     // best energy at the last generation that improved it
        bool has_best = false;
        long stall = 0;                   // generations since the best last improved
        double epoch_best = 0.0;          // best of the population since its last restart
        bool has_epoch_best = false;
        long epoch_stall = 0;             // generations since epoch_best last improved
        long restarts = 0;                // populations replaced by new random ones
        bool restart_pending = false;     // restart at the end of this round (update only)
        int failed_starts = 0;            // starting structures in a row that did not relax
        long migrations = 0;              // migrations sent
        double diversity = 0.0;
    };
    // Index of a parent drawn by the selection rule, or `exclude`'s complement.
    [[nodiscard]] std::size_t select(const Island& island, Rng& rng, std::size_t exclude) const;
    // The candidates island `k` proposes this round (at most `max_steps` children).
    void propose_island(std::size_t k, const SearchView& view, long max_steps, std::vector<Candidate>& out);
    // Inserts a relaxed structure (with its fingerprint) if it is new and good enough; returns
    // true if it entered.
    bool offer(Island& island, Member member, const ArchiveSettings& archive) const;
    void refresh_diversity(Island& island) const;
    // Ends a generation: best-so-far and epoch bookkeeping, stall and restart decisions.
    void close_generation(Island& island, double tolerance) const;
    // Sends the best members of every island due to migrate to the next island of the ring.
    void migrate(const ArchiveSettings& archive);
    [[nodiscard]] nlohmann::json island_state(const Island& island) const;
    [[nodiscard]] Island island_from_state(const nlohmann::json& state, const SearchProblem& problem) const;

    GeneticAlgorithmSettings settings_;
    std::vector<std::pair<std::unique_ptr<Crossover>, double>> crossovers_;
    MoveSet mutations_;
    std::vector<double> crossover_weights_;  // of crossovers_, same order
    std::string crossover_description_;
    std::string mutations_description_;
    std::vector<std::string> skipped_;

    std::vector<Island> islands_;
    std::vector<std::size_t> round_island_;  // island of each candidate of the round in flight
    long migrants_accepted_ = 0;
};

/// [search] keys of the genetic algorithm.
[[nodiscard]] std::vector<std::string> genetic_algorithm_keys();
/// Builds the genetic algorithm from a [search] table (keys in docs/drivers.md).
[[nodiscard]] std::unique_ptr<Driver> make_genetic_algorithm(const ParameterTable& search, const SearchProblem& problem);

}  // namespace nanoscape
