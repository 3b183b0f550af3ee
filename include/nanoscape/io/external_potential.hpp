#pragma once
/// @file Reference energies from another program: `[potential] type = "external"` (any program
/// speaking the protocol below) and `type = "ase"` (any ASE calculator, through
/// tools/ase_calculator.py). docs/potentials.md is the user's description.
///
/// Protocol: nanoscape sends one extended XYZ frame per calculation (species and positions,
/// Angstrom; `call=<n>` in the comment line) and expects one extended XYZ frame back with the
/// same atoms in the same order, `energy=<eV>` in the comment line and a `forces:R:3` column
/// (eV/Angstrom). Floats are written with the shortest text that reads back exactly.
/// - persistent mode: one long-lived process per worker reads frames on stdin and answers
///   each on stdout (nothing else on stdout; logs go to stderr);
/// - per-call mode: for every calculation a fresh directory holds `input.xyz`, the command
///   runs there and must write `output.xyz` and exit with status 0.
/// A call that crashes, outlives `timeout`, answers with something that is not such a frame, or
/// with a NaN, throws CalculatorError naming what happened and the calculator's stderr; the
/// process is killed and reaped, and the worker starts a fresh one for its next call.
/// `max_failures` failed calls in a row throw Error instead: the run stops, results kept.

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "nanoscape/core/parameters.hpp"
#include "nanoscape/potentials/potential.hpp"

namespace nanoscape {

class Subprocess;

/// Settings of an external calculator.
struct ExternalSettings {
    std::string command;          ///< shell command line (run by /bin/sh -c)
    std::string workdir;          ///< working directory of the calculator (per-call directories go under it)
    bool persistent = true;       ///< one process per worker for all calls; false: a process per call
    int workers = 1;              ///< calculator processes running at once
    double timeout = 3600;        ///< s per call, start-up of a persistent process included; 0: none
    int max_failures = 5;         ///< failed calls in a row that stop the run
    bool keep_files = false;      ///< per-call mode: keep the directory of every call (failed ones are always kept)
    std::vector<Species> species; ///< species the calculator accepts; empty: any
    /// Nearest-neighbour distances (Angstrom) by pair (a <= b by Z); a pair not given uses the
    /// sum of covalent radii.
    PairDistances pair_distances;
    std::string label;            ///< what description() calls the calculator ("external 'cmd'", "ASE EMT")
};

/// A Potential computed by external programs. Thread-safe: each call takes a free worker
/// (waiting if all are busy), so `workers` calculations run at once on as many threads.
class ExternalPotential final : public Potential {
public:
    /// @param settings calculator settings (see ExternalSettings); `type` is the registry key
    ExternalPotential(ExternalSettings settings, std::string type);
    ~ExternalPotential() override;

    [[nodiscard]] std::string type() const override { return type_; }
    [[nodiscard]] std::string description() const override;
    [[nodiscard]] double cutoff() const override;
    [[nodiscard]] std::vector<Species> supported_species() const override { return settings_.species; }
    [[nodiscard]] double pair_distance(Species a, Species b) const override;
    /// Energy and forces from the calculator; per-atom energies are E/N each (the protocol
    /// carries none). Throws CalculatorError for a failed call, Error once max_failures calls
    /// in a row failed, Interrupted if an interrupt was requested before the call started.
    double compute(const Cluster& cluster, Eigen::Matrix3Xd* forces, Eigen::VectorXd* atom_energies) const override;

    /// The settings.
    [[nodiscard]] const ExternalSettings& settings() const { return settings_; }
    /// Calculations answered so far by this object (successful ones).
    [[nodiscard]] long calls() const { return calls_.load(); }

private:
    struct Worker;
    // One calculation on `worker`; throws CalculatorError.
    double call(Worker& worker, const Cluster& cluster, long number, Eigen::Matrix3Xd& forces) const;
    double call_persistent(Worker& worker, const std::string& request, const Cluster& cluster,
                           Eigen::Matrix3Xd& forces) const;
    double call_per_call(const std::string& request, const Cluster& cluster, long number,
                         Eigen::Matrix3Xd& forces) const;

    ExternalSettings settings_;
    std::string type_;
    mutable std::mutex mutex_;
    mutable std::condition_variable free_;
    mutable std::vector<std::unique_ptr<Worker>> workers_;
    mutable std::vector<int> idle_;  // indices of free workers
    mutable std::atomic<long> next_call_{0};
    mutable std::atomic<long> calls_{0};
    mutable std::atomic<int> failures_in_a_row_{0};
    mutable std::atomic<bool> workdir_ready_{false};  // created at the first call, not at load
};

/// Parses the reply of a calculator for `cluster`: one extended XYZ frame with the same atoms
/// in the same order, a finite `energy=` and a finite `forces` column. Throws CalculatorError
/// saying what is wrong; `what` names the reply in messages.
double parse_calculator_reply(const std::string& text, const Cluster& cluster, Eigen::Matrix3Xd& forces,
                              const std::string& what);

/// The request frame for `cluster` (extended XYZ with `call=<number>`).
[[nodiscard]] std::string calculator_request(const Cluster& cluster, long number);

/// `[potential] type = "external"`: command, workdir, mode ("persistent" | "per_call"),
/// workers, timeout, max_failures, keep_files, elements, pair_distance. Relative paths are
/// against `base_dir` (the run file's directory).
[[nodiscard]] std::unique_ptr<Potential> make_external_potential(const ParameterTable& table, const std::string& base_dir);

/// `[potential] type = "ase"`: calculator (an importable class, "ase.calculators.emt.EMT"),
/// parameters (a table passed to it as keyword arguments), python (default /usr/bin/python3),
/// and the keys of "external" except command and mode.
[[nodiscard]] std::unique_ptr<Potential> make_ase_potential(const ParameterTable& table, const std::string& base_dir);

/// Path of tools/ase_calculator.py: installed beside the data (PREFIX/share/nanoscape/tools) or
/// in the source tree this nanoscape was built from.
[[nodiscard]] std::string ase_bridge_path();

}  // namespace nanoscape
