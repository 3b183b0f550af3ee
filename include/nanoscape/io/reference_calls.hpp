#pragma once
/// @file reference_calls.xyz: every reference calculation of a run, kept as it happens.
///
/// Each answered call is appended as one extended XYZ frame (species, positions, `energy=`,
/// `forces`, `calc_time=` seconds, `call=` its number in the file) and flushed, so the file
/// survives kill -9 with every finished call in it; it is training data for `nanoscape fit`
/// as it is. A resumed run first reads the file back (cutting a frame a kill left half
/// written) and answers a calculation whose structure it already holds, bit for bit, from it:
/// the rounds a resume repeats cost no new reference calls.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "nanoscape/potentials/potential.hpp"

namespace nanoscape {

/// One reference calculation as the log keeps it.
struct LoggedCall {
    Cluster cluster;          ///< the structure computed
    double energy = 0;        ///< eV
    Eigen::Matrix3Xd forces;  ///< eV/Angstrom
    double seconds = 0;       ///< wall time of the calculation (s)
};

/// What an MPI worker's log hands over to rank 0 (ReferenceCallLog::take_captured).
struct CapturedCalls {
    std::vector<LoggedCall> calls;  ///< calculations made, in the order they finished
    long reused = 0;                ///< calculations answered from the cache instead
};

/// CapturedCalls as JSON (every double's bits kept, for CBOR between MPI ranks), and back;
/// captured_calls_from_json throws nlohmann::json exceptions or InputError on a malformed value.
[[nodiscard]] nlohmann::json captured_calls_to_json(const CapturedCalls& captured);
[[nodiscard]] CapturedCalls captured_calls_from_json(const nlohmann::json& j);

/// The log and its cache. Thread-safe.
class ReferenceCallLog {
public:
    ReferenceCallLog() = default;
    ~ReferenceCallLog();
    ReferenceCallLog(const ReferenceCallLog&) = delete;
    ReferenceCallLog& operator=(const ReferenceCallLog&) = delete;

    /// Opens `path` for appending. With `resume` the frames already there fill the cache (a
    /// torn last frame is cut off the file); otherwise the file is started empty. Throws
    /// InputError naming the file and frame if an earlier frame is malformed, Error if the file
    /// cannot be written.
    void open(const std::string& path, bool resume);
    /// An MPI worker's log: the calls already in `path` (if given and readable; complete frames
    /// only, the file is never changed) fill the cache, and new calls are kept in memory until
    /// take_captured(), for rank 0 to append to its file. Nothing is written.
    void capture(const std::string& path);
    /// The calls made and answered from the cache since the last take_captured() (capture
    /// mode; empty otherwise).
    [[nodiscard]] CapturedCalls take_captured();
    /// Rank 0: appends a worker's calls (as append() does) and counts its cache answers.
    void merge(const CapturedCalls& captured);
    /// True once open() succeeded or capture() was called.
    [[nodiscard]] bool is_open() const;
    /// The file (empty until open()).
    [[nodiscard]] const std::string& path() const { return path_; }

    /// The energy (eV) and forces of a logged calculation of exactly this structure, if any.
    [[nodiscard]] bool lookup(const Cluster& cluster, double& energy, Eigen::Matrix3Xd& forces) const;
    /// Appends one calculation and flushes it. Throws Error if the write fails (full disk).
    void append(const Cluster& cluster, double energy, const Eigen::Matrix3Xd& forces, double seconds);

    /// Calculations in the file (read back and appended; in capture mode, those read back).
    [[nodiscard]] long size() const;
    /// Calculations answered from the file instead of the calculator, this session (with
    /// merge(), the workers' too).
    [[nodiscard]] long cache_hits() const;

private:
    struct Entry {
        std::vector<Species> species;
        Eigen::Matrix3Xd positions;
        double energy = 0;
        Eigen::Matrix3Xd forces;
    };
    void remember(Entry entry);
    // Fills the cache from the complete frames of `text` (read from `path`); their count.
    long remember_frames(const std::string& text, const std::string& path);

    mutable std::mutex mutex_;
    std::string path_;
    std::FILE* file_ = nullptr;
    bool capturing_ = false;
    CapturedCalls captured_;
    std::unordered_multimap<std::uint64_t, Entry> cache_;
    long size_ = 0;
    mutable long hits_ = 0;
};

/// The log file of a run directory (reference_calls.xyz).
[[nodiscard]] std::string reference_calls_path(const std::string& run_directory);

/// Opens `log` in `run_directory` (ReferenceCallLog::open) unless there is none or it is open
/// already: a sweep's or a run of parts' root opened it for all its nested runs, and an MPI
/// worker's log captures instead.
void open_reference_log(const std::shared_ptr<ReferenceCallLog>& log, const std::string& run_directory, bool resume);

/// One reference_calls.xyz for every rank of an MPI run (docs/scale.md): a worker's `log` is
/// put in capture mode (its cache read from the file in `run_directory` when `resume`) and the
/// calls it made for a task go back with the answer; rank 0 appends them to its file as they
/// arrive. Does nothing without a log or with one rank.
void share_reference_calls_over_ranks(const std::shared_ptr<ReferenceCallLog>& log, const std::string& run_directory,
                                      bool resume);

/// A potential whose every calculation goes through a ReferenceCallLog: answered from its cache
/// when the structure was computed before, otherwise computed, timed and appended. Until the
/// log is open it is the inner potential unchanged.
class LoggedPotential final : public Potential {
public:
    /// @param inner the reference calculator
    /// @param log the run's log (opened by the run directory)
    LoggedPotential(std::shared_ptr<const Potential> inner, std::shared_ptr<ReferenceCallLog> log);

    [[nodiscard]] std::string type() const override { return inner_->type(); }
    [[nodiscard]] std::string description() const override { return inner_->description(); }
    [[nodiscard]] double cutoff() const override { return inner_->cutoff(); }
    [[nodiscard]] std::vector<Species> supported_species() const override { return inner_->supported_species(); }
    [[nodiscard]] double pair_distance(Species a, Species b) const override { return inner_->pair_distance(a, b); }
    [[nodiscard]] std::string force_unit() const override { return inner_->force_unit(); }
    /// The inner potential's (local energy changes are not reference calculations to log).
    [[nodiscard]] std::unique_ptr<SiteSumForm> site_sum_form(const std::vector<Species>& species) const override;
    /// The inner potential's, likewise.
    [[nodiscard]] std::unique_ptr<PairSumForm> pair_sum_form(const std::vector<Species>& species) const override;
    /// Energy (eV) and forces (eV/Angstrom), from the log's cache or the inner potential; per-atom
    /// energies, when asked for, always from the inner potential (the log holds none).
    double compute(const Cluster& cluster, Eigen::Matrix3Xd* forces, Eigen::VectorXd* atom_energies) const override;

    /// The wrapped potential.
    [[nodiscard]] const Potential& inner() const { return *inner_; }
    /// The log.
    [[nodiscard]] const ReferenceCallLog& log() const { return *log_; }

private:
    std::shared_ptr<const Potential> inner_;
    std::shared_ptr<ReferenceCallLog> log_;
};

}  // namespace nanoscape
