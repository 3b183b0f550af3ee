#pragma once
/// @file The archive of unique local minima found by a search, lowest first.

#include <array>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "nanoscape/geometry/cluster.hpp"

namespace nanoscape {

/// A local minimum and where it came from.
struct Minimum {
    Cluster cluster;            ///< relaxed structure, Angstrom
    double energy = 0.0;        ///< eV (reduced units for LJ)
    long step = 0;              ///< search step that found it (1-based)
    int walker = 0;             ///< walker (or individual) that found it
    std::string move;           ///< move that led to it ("start" for starting structures)
    long evaluations = 0;       ///< reference energy+force evaluations spent when it was found
    std::vector<double> fingerprint;  ///< see structural_fingerprint()
};

/// When two minima are the same.
struct ArchiveSettings {
    std::size_t capacity = 50;           ///< keep at most this many (the lowest)
    double energy_tolerance = 1e-5;      ///< eV: same only if energies differ by less
    double fingerprint_tolerance = 1e-2; ///< Angstrom: same only if fingerprints differ by less (RMS)
};

/// Species-resolved structural fingerprint. Up to 150 atoms: for every species pair, all
/// interatomic distances sorted (complete and permutation-invariant; homotops differ).
/// Larger clusters: per species, the sorted distances from the centroid (O(N) memory).
[[nodiscard]] std::vector<double> structural_fingerprint(const Cluster& cluster);

/// RMS difference of two fingerprints (Angstrom); infinity if they have different lengths.
[[nodiscard]] double fingerprint_distance(const std::vector<double>& a, const std::vector<double>& b);

/// The archive's test of sameness: energies within the energy tolerance and fingerprints
/// (structural_fingerprint) within the fingerprint tolerance. Drivers that keep structures of
/// their own (a GA's population) use it so their duplicates are the archive's.
[[nodiscard]] bool same_minimum(const ArchiveSettings& settings, double energy_a, const std::vector<double>& fingerprint_a,
                                double energy_b, const std::vector<double>& fingerprint_b);

/// Unique minima, lowest energy first, at most `capacity`; and a count of every distinct
/// minimum ever inserted (minima_found), which the capacity does not cap.
class MinimaArchive {
public:
    /// An empty archive with default settings.
    MinimaArchive() = default;
    /// An empty archive with the given settings.
    explicit MinimaArchive(ArchiveSettings settings) : settings_(settings) {}

    /// Adds `minimum` unless an archived one is the same structure (energy within the energy
    /// tolerance and fingerprint within the fingerprint tolerance); a duplicate with lower
    /// energy replaces the archived one. Returns true if the archive changed. Also counts the
    /// minimum in found() if it was not seen before.
    bool insert(Minimum minimum);

    /// The minima, lowest energy first.
    [[nodiscard]] const std::vector<Minimum>& minima() const { return minima_; }
    /// True if nothing was archived yet.
    [[nodiscard]] bool empty() const { return minima_.empty(); }
    /// The lowest energy archived; NaN if none.
    [[nodiscard]] double best_energy() const;
    /// Distinct minima inserted since the archive was made, evicted ones included. Two minima
    /// count as one if their energies differ by less than the energy tolerance and the RMS
    /// radius of every element's atoms about the centroid (first three elements; the fourth
    /// number covers all atoms) by less than the fingerprint tolerance: a compact signature
    /// (24 bytes a minimum) so a run of millions of steps can count without storing structures.
    [[nodiscard]] std::size_t found() const { return seen_.size(); }
    /// True if `cluster` with `energy` is the same as an archived minimum.
    [[nodiscard]] bool contains(const Cluster& cluster, double energy) const;
    /// The settings.
    [[nodiscard]] const ArchiveSettings& settings() const { return settings_; }

    /// The minima (structures, energies, provenance) and the distinct-minimum signatures.
    [[nodiscard]] nlohmann::json save_state() const;
    /// Restores save_state() (the settings stay this archive's).
    void load_state(const nlohmann::json& state);

private:
    // Energy and radii of one distinct minimum seen (see found()).
    struct Signature {
        double energy;
        std::array<float, 4> radii;
        bool operator<(const Signature& other) const { return energy < other.energy; }
    };
    [[nodiscard]] static std::array<float, 4> radii_of(const Cluster& cluster);
    void count_seen(double energy, const std::array<float, 4>& radii);
    [[nodiscard]] bool same(const Minimum& a, const Minimum& b) const;

    ArchiveSettings settings_;
    std::vector<Minimum> minima_;
    std::multiset<Signature> seen_;
};

}  // namespace nanoscape
