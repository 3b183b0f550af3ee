#pragma once
/// @file Energy changes of chemical moves (swaps, species changes) on a fixed geometry,
/// computed from the atoms a move touches.
///
/// Many potentials are sums of site energies, each a function of a few sums of pair terms
/// over the neighbours within a finite range (Gupta/SMATB, EAM, EMT):
///
///     E = sum_i G_{a_i}(S_i),   S_i^m = sum_{j != i, r_ij < range} g^m_{a_i a_j}(r_ij),  m < M
///
/// (Gupta: S^0 = sum phi, S^1 = sum rho, G = S^0 - sqrt(S^1); EAM: G = F_a(S^1) + S^0 / 2;
/// EMT: G = E_c(sigma1) + atomic-sphere terms.) A move that changes the species of a set C of
/// atoms changes S_k only for k in C (recomputed) and for the neighbours of C (one pair term
/// each), so its energy change costs O(neighbours), independent of the cluster size. The
/// pair terms of every neighbour pair are tabulated for all species pairs when the geometry is
/// set, so a trial needs no exponential at all.
///
/// A second form, PairSumForm, covers energies that are one nonlinear function of a few sums
/// over the whole cluster (a pair surrogate's lower confidence bound mu - kappa sigma).
///
/// A potential offers the forms through Potential::site_sum_form() and pair_sum_form();
/// make_local_energy() falls back to a full evaluation per trial for one that offers neither
/// (Lennard-Jones, external codes).

#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "nanoscape/geometry/cluster.hpp"

namespace nanoscape {

class Potential;

/// A potential written as a sum of site energies of pair-term sums (see the file comment).
/// Types are indices into species(). Implementations are immutable.
class SiteSumForm {
public:
    virtual ~SiteSumForm() = default;
    /// The species the form covers, in type order.
    [[nodiscard]] virtual const std::vector<Species>& species() const = 0;
    /// Number M of pair-term sums per atom (1..max_channels).
    [[nodiscard]] virtual int channels() const = 0;
    /// Pairs closer than this interact (Angstrom, finite).
    [[nodiscard]] virtual double range() const = 0;
    /// g^m_ab(r) for m < M into `out`: the terms a neighbour of type b at distance r (Angstrom)
    /// adds to the sums of an atom of type a.
    virtual void pair_terms(int a, int b, double r, double* out) const = 0;
    /// G_a(S): the energy (eV) of an atom of type a with sums `sums` (M values).
    [[nodiscard]] virtual double site_energy(int a, const double* sums) const = 0;

    /// Most sums any form uses.
    static constexpr int max_channels = 4;
};

/// An energy that is one function of a few sums over the whole cluster, each of one-body and
/// pair terms within a finite range:
///
///     E = H(T),   T^m = sum_i h^m_{a_i} + sum_{i<j, r_ij < range} g^m_{a_i a_j}(r_ij),  m < M
///
/// (the `mapped` surrogate: its mean and each of its variance modes are such sums, sigma a
/// function of them). A move that changes the species of a set C changes T only by the terms of
/// C's atoms and their pairs, so a trial costs O(neighbours x M), independent of the cluster
/// size. Types are indices into species(). Implementations are immutable.
class PairSumForm {
public:
    virtual ~PairSumForm() = default;
    /// The species the form covers, in type order.
    [[nodiscard]] virtual const std::vector<Species>& species() const = 0;
    /// Number M of sums (>= 1).
    [[nodiscard]] virtual int channels() const = 0;
    /// Pairs closer than this contribute (Angstrom, finite).
    [[nodiscard]] virtual double range() const = 0;
    /// g^m_ab(r) for m < M into `out` (symmetric: g_ab = g_ba).
    virtual void pair_terms(int a, int b, double r, double* out) const = 0;
    /// h^m_a for m < M into `out`.
    virtual void atom_terms(int a, double* out) const = 0;
    /// H(T): the energy (eV) of sums `sums` (M values).
    [[nodiscard]] virtual double energy(const double* sums) const = 0;
};

/// The energy of one configuration (species on a fixed geometry) and of chemical moves from it.
class LocalEnergy {
public:
    virtual ~LocalEnergy() = default;
    /// "local (site sums over 54 neighbours per atom)" or "full evaluation per trial (...)".
    [[nodiscard]] virtual std::string describe() const = 0;
    /// True if trials cost O(neighbours) (a SiteSumForm), false for full evaluations.
    [[nodiscard]] virtual bool local() const = 0;
    /// Energy of the current configuration (eV).
    [[nodiscard]] virtual double energy() const = 0;
    /// The current configuration.
    [[nodiscard]] virtual const Cluster& cluster() const = 0;
    /// Energy change (eV) if atom sites[k] took species to[k] for every k (distinct atoms: an
    /// atom given twice throws Error); kept pending until commit() or the next trial.
    [[nodiscard]] virtual double trial(std::span<const int> sites, std::span<const Species> to) = 0;
    /// Applies the last trial.
    virtual void commit() = 0;
    /// Replaces the species of every atom (same geometry), e.g. after a replica exchange or a
    /// reset to a stored configuration; costs one full pass (counted as one evaluation for the
    /// fallback, none for the local form, which recomputes its own sums).
    virtual void set_species(const std::vector<Species>& species) = 0;
    /// Recomputes the state of the current configuration from scratch and returns its energy
    /// (eV): the local form's sums (O(pairs), about the cost of N/10 trials), so the state
    /// depends only on the configuration and not on the trials that led to it (rounding
    /// included: a resumed search continues bit for bit); the fallback's energy is a full
    /// evaluation already and is returned as it is.
    virtual double resync() = 0;

    /// Trial of exchanging the species of atoms i and j.
    double trial_swap(int i, int j);
    /// Trial of atom i becoming species `to`.
    double trial_change(int i, Species to);

    /// Full energy evaluations of the reference potential done so far (the fallback: one per
    /// trial and per set_species(); the local form: none).
    [[nodiscard]] long full_evaluations() const { return full_evaluations_; }
    /// Local energy-change computations done so far (the local form: one per trial).
    [[nodiscard]] long local_updates() const { return local_updates_; }

protected:
    long full_evaluations_ = 0;  // see full_evaluations()
    long local_updates_ = 0;     // see local_updates()
};

/// The local energy of `cluster` on `potential`: the potential's SiteSumForm for `species`
/// (every species a configuration may contain; the form must hold for any subset of them), or
/// else its PairSumForm, if it offers one and its tables fit in `max_table_bytes`, otherwise a
/// full evaluation per trial.
/// The cluster's own species must be among `species`. `known_energy` (eV), if finite, is the
/// cluster's energy as evaluated elsewhere: the fallback then starts without an evaluation (the
/// local form always computes its own). The potential must outlive the result.
[[nodiscard]] std::unique_ptr<LocalEnergy> make_local_energy(const Potential& potential, const Cluster& cluster,
                                                             const std::vector<Species>& species,
                                                             double known_energy = std::numeric_limits<double>::quiet_NaN(),
                                                             std::size_t max_table_bytes = std::size_t{1} << 31);

}  // namespace nanoscape
