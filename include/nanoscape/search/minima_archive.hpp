#pragma once
/// @file The archive of unique local minima found by a search, lowest first.

#include <string>
#include <vector>

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

/// Unique minima, lowest energy first, at most `capacity`.
class MinimaArchive {
public:
    /// An empty archive with default settings.
    MinimaArchive() = default;
    /// An empty archive with the given settings.
    explicit MinimaArchive(ArchiveSettings settings) : settings_(settings) {}

    /// Adds `minimum` unless an archived one is the same structure (energy within the energy
    /// tolerance and fingerprint within the fingerprint tolerance); a duplicate with lower
    /// energy replaces the archived one. Returns true if the archive changed.
    bool insert(Minimum minimum);

    /// The minima, lowest energy first.
    [[nodiscard]] const std::vector<Minimum>& minima() const { return minima_; }
    /// True if nothing was archived yet.
    [[nodiscard]] bool empty() const { return minima_.empty(); }
    /// The settings.
    [[nodiscard]] const ArchiveSettings& settings() const { return settings_; }

private:
    ArchiveSettings settings_;
    std::vector<Minimum> minima_;
};

}  // namespace nanoscape
