#pragma once
/// @file Monte-Carlo search of the chemical ordering (homotops) on a fixed geometry.
///
/// Canonical mode: Metropolis exchanges of two unlike atoms, accepted with probability
/// min(1, exp(-dE / k_B T)). Semi-grand-canonical mode (binary clusters, elements A and B in
/// the order of [system] elements): one atom changes identity, accepted with probability
/// min(1, exp(-(dE - delta_mu dn_B) / k_B T)), delta_mu = mu_B - mu_A (eV), so a positive
/// delta_mu favours B (Frenkel & Smit, "Understanding Molecular Simulation", ch. 9). The energy
/// change of a trial comes from the atoms it touches (potentials/local_energy.hpp), so a trial
/// costs the same for 100 or 10 000 atoms; a potential without that form is evaluated in full.
///
/// Work is organised in blocks: each round, every replica makes `sweeps_per_block` x N trials,
/// and its lowest configuration of the block is evaluated by the engine's evaluator (a full
/// reference single point, compared with the tracked energy: disagreement > check_tolerance
/// stops the run as a bug), so the archive holds the lowest homotops. With relax = "best" a
/// block that beats the replica's record is relaxed instead (the archive then holds relaxed
/// structures); with relax = "accepted" the walker moves on relaxed structures: a trial
/// accepted on its unrelaxed energy change is relaxed and the walker continues from the result.
///
/// Temperatures: constant, or annealed linearly or geometrically over `anneal_blocks` blocks.
/// Several temperatures (or several delta_mu values) make replicas; neighbours exchange
/// configurations every `exchange_every` rounds with probability
/// min(1, exp(-beta_i (G_i(x_j) - G_i(x_i)) - beta_j (G_j(x_i) - G_j(x_j)))), G_r = E - delta_mu_r n_B
/// (parallel tempering, Swendsen & Wang, PRL 57, 2607 (1986); Earl & Deem, PCCP 7, 3910 (2005)).
/// Replicas run their blocks in parallel, each from a stream keyed on (replica, round), so
/// results do not depend on the thread count.
///
/// With screening (relax = false): while the evaluator's model wants an initial design, each
/// round proposes random homotops of the walkers' geometry and composition as single points;
/// once it offers a trial surface (SearchView::surface, the model's mu - kappa sigma) every
/// block's trials are made on that surface instead of the reference, and only the block's
/// lowest configuration on it reaches the reference (one single point per replica and
/// block). The walker then moves on the model: its tracked energy is the model's, so the
/// block check against the reference is not made, and the model's error there is what
/// screening.csv records (MLaGA's nested search on the model, Jennings et al., npj Comput.
/// Mater. 5, 46 (2019)).

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "nanoscape/potentials/local_energy.hpp"
#include "nanoscape/search/driver.hpp"

namespace nanoscape {

/// Boltzmann constant, eV/K (CODATA 2018, exact).
inline constexpr double boltzmann_ev_per_k = 8.617333262e-5;

/// When the walker's configurations are relaxed.
enum class HomotopRelax {
    none,      ///< fixed geometry throughout
    best,      ///< relax each block's lowest configuration that beats the replica's record
    accepted,  ///< relax every accepted trial; the walker continues from the relaxed structure
};

/// How the temperature changes over the blocks.
enum class TemperatureSchedule { constant, linear, geometric };

/// Homotop Monte-Carlo settings ([search] keys of the same names).
struct HomotopMcSettings {
    std::vector<double> temperatures{300.0};  ///< K, one per replica (replica r at temperatures[r])
    std::vector<double> delta_mu;             ///< eV, one per replica; empty: canonical mode
    TemperatureSchedule schedule = TemperatureSchedule::constant;  ///< annealing
    double final_temperature = 0.0;  ///< K: the first replica's temperature after the anneal (others scaled alike)
    long anneal_blocks = 0;          ///< blocks over which the anneal runs (then constant)
    double sweeps_per_block = 1.0;   ///< trials per block in units of N
    long exchange_every = 1;         ///< rounds between replica exchanges
    HomotopRelax relax = HomotopRelax::none;  ///< relaxation mode
    long check_every = 0;            ///< trials between extra full evaluations inside a block (0: none)
    double check_tolerance = 1e-9;   ///< eV: largest allowed disagreement of tracked and full energies
    long equilibration_blocks = 0;   ///< blocks per replica before composition statistics start (SGC)

    /// Number of replicas.
    [[nodiscard]] std::size_t replicas() const { return std::max(temperatures.size(), delta_mu.size()); }
    /// True in semi-grand-canonical mode.
    [[nodiscard]] bool grand_canonical() const { return !delta_mu.empty(); }
    /// Temperature (K) of replica r after `block` blocks.
    [[nodiscard]] double temperature(std::size_t r, long block) const;
    /// delta_mu (eV) of replica r (0 in canonical mode).
    [[nodiscard]] double chemical_potential(std::size_t r) const;
};

/// The homotop Monte-Carlo driver.
class HomotopMc final : public Driver {
public:
    /// @param settings validated settings
    /// @param problem the problem (elements, potential)
    HomotopMc(HomotopMcSettings settings, const SearchProblem& problem);

    [[nodiscard]] std::string name() const override { return "homotop_mc"; }
    [[nodiscard]] std::string describe() const override;
    [[nodiscard]] nlohmann::json identity() const override;
    [[nodiscard]] std::vector<Candidate> propose(const SearchView& view, long max_steps) override;
    [[nodiscard]] std::vector<StepOutcome> update(std::span<const Candidate> candidates,
                                                  std::span<const Evaluation> results, const SearchView& view) override;
    /// "single_element" once the start of a one-element composition of a sweep is evaluated
    /// (it has no homotops); "" otherwise.
    [[nodiscard]] std::string stop_reason() const override;
    [[nodiscard]] std::vector<std::string> trace_columns() const override;
    /// False in the semi-grand-canonical mode.
    [[nodiscard]] bool fixed_composition() const override { return !settings_.grand_canonical(); }
    [[nodiscard]] bool fixed_geometry() const override { return settings_.relax == HomotopRelax::none; }
    /// 1: the Monte-Carlo blocks run inside propose(), on the threads of the rank that runs
    /// the driver, so a sweep uses more ranks by spreading its compositions.
    [[nodiscard]] int batch_width() const override { return 1; }
    [[nodiscard]] nlohmann::json save_state() const override;
    void load_state(const nlohmann::json& state, const SearchProblem& problem) override;
    /// Per replica: temperature, delta_mu, trials, acceptance, composition statistics; exchanges.
    [[nodiscard]] nlohmann::json report() const override;

    /// The settings.
    [[nodiscard]] const HomotopMcSettings& settings() const { return settings_; }

private:
    // What a replica's last proposal was, for update().
    enum class Proposal { start, block, relax_best, relax_accepted };
    struct Replica {
        std::unique_ptr<LocalEnergy> local;  // the walker's configuration and energy
        double record = std::numeric_limits<double>::infinity();  // lowest tracked energy (relax = best)
        long blocks = 0, trials = 0, accepted = 0;
        Proposal kind = Proposal::start;  // the last proposal
        double tracked = 0.0;            // tracked energy of the proposed configuration, eV
        long block_trials = 0, block_accepted = 0;
        std::vector<Species> before;     // relax_accepted: species before the accepted trial
        // The trial surface `local` was built on (kept alive with it); null: the reference.
        std::shared_ptr<const Potential> surface;
        bool on_surface = false;         // `local` tracks a trial surface's energy, not the reference's
        // Work not yet charged to a candidate.
        long pending_evaluations = 0, pending_updates = 0, pending_predictions = 0;
        // Composition statistics (SGC) after equilibration: samples, sum n_B, sum n_B^2.
        long samples = 0;
        double sum_nb = 0.0, sum_nb2 = 0.0;
    };

    Candidate run_block(std::size_t r, const SearchProblem& problem, std::uint64_t round,
                        const std::shared_ptr<const Potential>& surface);
    std::vector<Candidate> propose_design(const SearchProblem& problem, long count);
    // Species a walker's local energy must allow: both elements in SGC, its own otherwise.
    std::vector<Species> walker_species(const Cluster& cluster) const;
    // Charges the replica's work not yet charged (reference, local, model) to `c`.
    static void take_pending(Replica& rep, Candidate& c);
    void build_local(Replica& replica, const Cluster& cluster, double known_energy, const SearchProblem& problem);
    void exchange(const SearchProblem& problem);
    std::vector<double> order_columns(const Cluster& cluster, const SearchProblem& problem) const;

    HomotopMcSettings settings_;
    std::vector<Species> elements_;  // [system] elements order (A, B, ...)
    std::vector<Replica> replicas_;
    std::uint64_t round_ = 0;        // rounds done
    std::uint64_t designs_ = 0;      // design structures proposed (their stream keys)
    std::vector<long> exchanges_tried_, exchanges_accepted_;  // per neighbour pair (r, r + 1)
    std::string local_description_;  // LocalEnergy::describe() of the walkers
    std::string surface_description_;  // ... of a walker on the evaluator's trial surface, once one was
};

/// [search] keys of homotop Monte Carlo.
[[nodiscard]] std::vector<std::string> homotop_mc_keys();
/// Builds homotop Monte Carlo from a [search] table (keys in docs/drivers.md).
[[nodiscard]] std::unique_ptr<Driver> make_homotop_mc(const ParameterTable& search, const SearchProblem& problem);

}  // namespace nanoscape
