#include "nanoscape/potentials/local_energy.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include <fmt/format.h>

#include "nanoscape/core/error.hpp"
#include "nanoscape/geometry/neighbour_list.hpp"
#include "nanoscape/potentials/potential.hpp"

namespace nanoscape {

double LocalEnergy::trial_swap(int i, int j) {
    const Cluster& c = cluster();
    const std::array<int, 2> sites{i, j};
    const std::array<Species, 2> to{c.species[static_cast<std::size_t>(j)], c.species[static_cast<std::size_t>(i)]};
    return trial(sites, to);
}

double LocalEnergy::trial_change(int i, Species to) {
    const std::array<int, 1> sites{i};
    const std::array<Species, 1> species{to};
    return trial(sites, species);
}

namespace {

// Allocator of the pair tables: a large table is aligned to 2 MiB and marked for transparent
// huge pages, so the trials' reads at random sites of a large cluster (tens of MiB of tables)
// do not miss the TLB on every site as they would with 4 KiB pages. Elsewhere, and for small
// tables, an ordinary allocation.
template <class T>
struct HugePageAllocator {
    using value_type = T;
    HugePageAllocator() = default;
    template <class U>
    HugePageAllocator(const HugePageAllocator<U>&) noexcept {}
    static constexpr std::size_t huge = std::size_t{2} << 20;
    T* allocate(std::size_t n) {
        const std::size_t bytes = n * sizeof(T);
        if (bytes < huge) return static_cast<T*>(::operator new(bytes));
        const std::size_t rounded = (bytes + huge - 1) / huge * huge;
        void* p = std::aligned_alloc(huge, rounded);
        if (!p) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
        (void)madvise(p, rounded, MADV_HUGEPAGE);  // advice only: without it, 4 KiB pages
#endif
        return static_cast<T*>(p);
    }
    void deallocate(T* p, std::size_t n) noexcept {
        if (n * sizeof(T) < huge) ::operator delete(p);
        else std::free(p);
    }
    template <class U>
    bool operator==(const HugePageAllocator<U>&) const noexcept { return true; }
};

// The fixed geometry as both local forms use it: every pair within the range and its pair
// terms for all type pairs, tabulated once.
//
// Memory layout, for speed on large clusters: atoms are numbered internally along a Z-order
// (Morton) curve of cells, so the neighbours of an atom are mostly near it in memory; every
// directed neighbour entry (i <- j) holds its own copy of the pair terms for all type pairs,
// stored in the entry order, so a trial reads the entries of the changed atoms contiguously.
struct PairTables {
    std::size_t nt = 0, m = 0, stride = 0;  // types, channels, doubles per entry (nt nt m)
    std::array<int, max_atomic_number + 1> type_of{};
    std::vector<int> internal;              // external atom -> internal number
    std::vector<std::size_t> external;      // internal number -> external atom
    std::vector<std::size_t> start;         // CSR offsets, N + 1
    std::vector<int> neighbour;             // CSR entries: the neighbour
    std::vector<double, HugePageAllocator<double>> table;  // pair terms, `stride` per entry: [a][b][m]

    PairTables(const Cluster& cluster, const std::vector<Species>& species, int channels, double range,
               const std::function<void(int, int, double, double*)>& pair_terms)
        : nt(species.size()), m(static_cast<std::size_t>(channels)), stride(nt * nt * m) {
        type_of.fill(-1);
        for (std::size_t t = 0; t < nt; ++t) type_of[static_cast<std::size_t>(species[t])] = static_cast<int>(t);
        const std::size_t n = cluster.size();
        number_atoms(cluster, range);
        // Neighbour pairs once, in internal numbers; each atom's entries sorted by neighbour.
        struct Entry {
            int from, to;
            double r;
        };
        std::vector<Entry> entries;
        CellGrid(cluster.positions, range).for_each_pair([&](int i, int j, const Eigen::Vector3d&, double r) {
            const int a = internal[static_cast<std::size_t>(i)], b = internal[static_cast<std::size_t>(j)];
            entries.push_back({a, b, r});
            entries.push_back({b, a, r});
        });
        std::sort(entries.begin(), entries.end(), [](const Entry& x, const Entry& y) {
            return x.from != y.from ? x.from < y.from : x.to < y.to;
        });
        start.assign(n + 1, 0);
        for (const auto& e : entries) ++start[static_cast<std::size_t>(e.from) + 1];
        for (std::size_t i = 0; i < n; ++i) start[i + 1] += start[i];
        neighbour.resize(entries.size());
        table.resize(entries.size() * stride);
        for (std::size_t e = 0; e < entries.size(); ++e) {
            neighbour[e] = entries[e].to;
            for (std::size_t a = 0; a < nt; ++a)
                for (std::size_t b = 0; b < nt; ++b)
                    pair_terms(static_cast<int>(a), static_cast<int>(b), entries[e].r, &table[e * stride + (a * nt + b) * m]);
        }
    }

    [[nodiscard]] int type_index(Species z) const {
        const int t = z >= 0 && z <= max_atomic_number ? type_of[static_cast<std::size_t>(z)] : -1;
        if (t < 0) throw InputError(fmt::format("local energy: species {} is not one of the form's", symbol(z)));
        return t;
    }
    /// The types of `species` (one per atom, external order) in internal order.
    [[nodiscard]] std::vector<int> internal_types(const std::vector<Species>& species) const {
        if (species.size() != external.size())
            throw Error(fmt::format("LocalEnergy::set_species: {} species for {} atoms", species.size(), external.size()));
        std::vector<int> types(species.size());
        for (std::size_t i = 0; i < types.size(); ++i) types[i] = type_index(species[external[i]]);
        return types;
    }
    [[nodiscard]] double neighbours_per_atom() const {
        return internal.empty() ? 0.0 : static_cast<double>(neighbour.size()) / static_cast<double>(internal.size());
    }

private:
    // internal[external atom] and external[internal atom]: Z-order of cells of edge range/2.
    void number_atoms(const Cluster& cluster, double range) {
        const std::size_t n = cluster.size();
        std::vector<std::uint64_t> key(n, 0);
        if (n > 0) {
            const Eigen::Vector3d lo = cluster.positions.rowwise().minCoeff();
            const double cell = std::max(range / 2.0, 1e-6);
            for (std::size_t i = 0; i < n; ++i) {
                std::uint64_t code = 0;
                std::array<std::uint64_t, 3> c{};
                for (int d = 0; d < 3; ++d)
                    c[static_cast<std::size_t>(d)] = static_cast<std::uint64_t>(
                        std::min(2097151.0, std::floor((cluster.positions(d, static_cast<Eigen::Index>(i)) - lo[d]) / cell)));
                for (int bit = 20; bit >= 0; --bit)
                    for (int d = 0; d < 3; ++d) code = (code << 1) | ((c[static_cast<std::size_t>(d)] >> bit) & 1u);
                key[i] = code;
            }
        }
        external.resize(n);
        for (std::size_t i = 0; i < n; ++i) external[i] = i;
        std::stable_sort(external.begin(), external.end(), [&](std::size_t a, std::size_t b) { return key[a] < key[b]; });
        internal.resize(n);
        for (std::size_t i = 0; i < n; ++i) internal[external[i]] = static_cast<int>(i);
    }
};

// Size of the pair tables of `cluster` for a form with `types` types and `channels` sums (bytes).
std::size_t pair_table_bytes(const Cluster& cluster, double range, std::size_t types, int channels) {
    std::size_t pairs = 0;
    CellGrid(cluster.positions, range).for_each_pair([&](int, int, const Eigen::Vector3d&, double) { ++pairs; });
    return 2 * pairs * types * types * static_cast<std::size_t>(channels) * sizeof(double);  // one copy per direction
}

// Site sums kept current for every atom; see the file comment of local_energy.hpp.
class SiteSumEnergy final : public LocalEnergy {
public:
    SiteSumEnergy(std::unique_ptr<SiteSumForm> form, const Cluster& cluster)
        : form_(std::move(form)), cluster_(cluster),
          t_(cluster_, form_->species(), form_->channels(), form_->range(),
             [this](int a, int b, double r, double* out) { form_->pair_terms(a, b, r, out); }) {
        const std::size_t n = cluster_.size();
        m_ = form_->channels();
        atoms_.assign(n, AtomState{});
        const std::vector<int> types = t_.internal_types(cluster_.species);
        for (std::size_t i = 0; i < n; ++i) atoms_[i].type = types[i];
        prefetch_ = (t_.table.size() * sizeof(double) + atoms_.size() * sizeof(AtomState)) > prefetch_above_bytes;
        rebuild();
    }

    [[nodiscard]] std::string describe() const override {
        return fmt::format("local site sums within {:.3f} A ({:.1f} neighbours per atom)", form_->range(), t_.neighbours_per_atom());
    }
    [[nodiscard]] bool local() const override { return true; }
    [[nodiscard]] double energy() const override { return energy_; }
    [[nodiscard]] const Cluster& cluster() const override { return cluster_; }

    double trial(std::span<const int> sites, std::span<const Species> to) override {
        switch (m_) {
        case 1: return trial_impl<1>(sites, to);
        case 2: return trial_impl<2>(sites, to);
        case 3: return trial_impl<3>(sites, to);
        default: return trial_impl<4>(sites, to);
        }
    }

    void commit() override {
        if (!pending_) throw Error("LocalEnergy::commit without a trial");
        for (const Scratch& sc : scratch_) {
            const auto k = static_cast<std::size_t>(sc.atom);
            AtomState& a = atoms_[k];
            a.sums = sc.sums;
            a.site = sc.site;
            if (sc.trial_type >= 0) {
                a.type = sc.trial_type;
                cluster_.species[t_.external[k]] = form_->species()[static_cast<std::size_t>(sc.trial_type)];
            }
        }
        energy_ += pending_delta_;
        pending_ = false;
        ++generation_;  // the stamps of this trial no longer mark anything
    }

    void set_species(const std::vector<Species>& species) override {
        const std::vector<int> types = t_.internal_types(species);
        for (std::size_t i = 0; i < types.size(); ++i) atoms_[i].type = types[i];
        cluster_.species = species;
        rebuild();
    }

    double resync() override {
        rebuild();
        return energy_;
    }

private:
    template <std::size_t M>
    double trial_impl(std::span<const int> sites, std::span<const Species> to) {
        ++local_updates_;
        ++generation_;
        pending_ = false;
        scratch_.clear();
        // The sites' new types first: a site's neighbour may itself be a site.
        for (std::size_t k = 0; k < sites.size(); ++k) {
            const int s = t_.internal[static_cast<std::size_t>(sites[k])];
            AtomState& a = atoms_[static_cast<std::size_t>(s)];
            if (a.stamp == generation_) throw Error("LocalEnergy::trial: an atom is given twice");
            a.stamp = generation_;
            a.slot = static_cast<int>(scratch_.size());
            scratch_.push_back(Scratch{{}, 0.0, s, t_.type_index(to[k])});
        }
        const std::size_t n_sites = scratch_.size();
        // Everything else this trial reads: the sites' pair-term rows and their neighbours' state.
        // Asking for all of it now lets the cache misses of a large cluster (whose tables are
        // not in cache) overlap instead of queueing one after another; a small cluster's are in
        // cache and the requests would only cost time.
        for (std::size_t p = 0; prefetch_ && p < n_sites; ++p) {
            const auto s = static_cast<std::size_t>(scratch_[p].atom);
            const char* rows = reinterpret_cast<const char*>(&t_.table[t_.start[s] * t_.stride]);
            const std::size_t bytes = (t_.start[s + 1] - t_.start[s]) * t_.stride * sizeof(double);
            for (std::size_t b = 0; b < bytes; b += 64) __builtin_prefetch(rows + b);
            for (std::size_t e = t_.start[s]; e < t_.start[s + 1]; ++e) __builtin_prefetch(&atoms_[static_cast<std::size_t>(t_.neighbour[e])]);
        }
        // Sites: sums from scratch with the new types of both ends (only sites are stamped yet).
        for (std::size_t p = 0; p < n_sites; ++p) {
            const auto s = static_cast<std::size_t>(scratch_[p].atom);
            const std::size_t row = static_cast<std::size_t>(scratch_[p].trial_type) * t_.nt;
            std::array<double, M> sum{};
            for (std::size_t e = t_.start[s]; e < t_.start[s + 1]; ++e) {
                const AtomState& nb = atoms_[static_cast<std::size_t>(t_.neighbour[e])];
                const auto b = static_cast<std::size_t>(nb.stamp == generation_ ? scratch_[static_cast<std::size_t>(nb.slot)].trial_type : nb.type);
                const double* g = &t_.table[e * t_.stride + (row + b) * M];
                for (std::size_t c = 0; c < M; ++c) sum[c] += g[c];
            }
            std::copy(sum.begin(), sum.end(), scratch_[p].sums.begin());
        }
        // Other neighbours: one pair term replaced per changed neighbour.
        for (std::size_t p = 0; p < n_sites; ++p) {
            const auto s = static_cast<std::size_t>(scratch_[p].atom);
            const auto old_b = static_cast<std::size_t>(atoms_[s].type), new_b = static_cast<std::size_t>(scratch_[p].trial_type);
            for (std::size_t e = t_.start[s]; e < t_.start[s + 1]; ++e) {
                const auto k = static_cast<std::size_t>(t_.neighbour[e]);
                AtomState& a = atoms_[k];
                if (a.stamp != generation_) {
                    a.stamp = generation_;
                    a.slot = static_cast<int>(scratch_.size());
                    scratch_.push_back(Scratch{a.sums, 0.0, static_cast<int>(k), -1});
                } else if (scratch_[static_cast<std::size_t>(a.slot)].trial_type >= 0) {
                    continue;  // a site: done above
                }
                double* sums = scratch_[static_cast<std::size_t>(a.slot)].sums.data();
                const double* g = &t_.table[e * t_.stride + static_cast<std::size_t>(a.type) * t_.nt * M];
                for (std::size_t c = 0; c < M; ++c) sums[c] += g[new_b * M + c] - g[old_b * M + c];
            }
        }
        double delta = 0.0;
        for (Scratch& sc : scratch_) {
            const AtomState& a = atoms_[static_cast<std::size_t>(sc.atom)];
            sc.site = form_->site_energy(sc.trial_type >= 0 ? sc.trial_type : a.type, sc.sums.data());
            delta += sc.site - a.site;
        }
        pending_delta_ = delta;
        pending_ = true;
        return delta;
    }

    // Sums and site energies from scratch: O(entries).
    void rebuild() {
        const auto m = static_cast<std::size_t>(m_);
        for (std::size_t i = 0; i < atoms_.size(); ++i) {
            AtomState& a = atoms_[i];
            a.sums.fill(0.0);
            const std::size_t row = static_cast<std::size_t>(a.type) * t_.nt;
            for (std::size_t e = t_.start[i]; e < t_.start[i + 1]; ++e) {
                const double* g = &t_.table[e * t_.stride + (row + static_cast<std::size_t>(atoms_[static_cast<std::size_t>(t_.neighbour[e])].type)) * m];
                for (std::size_t c = 0; c < m; ++c) a.sums[c] += g[c];
            }
            a.site = form_->site_energy(a.type, a.sums.data());
        }
        pending_ = false;
        // Summed in external order, so the energy does not depend on the internal numbering.
        energy_ = 0.0;
        for (std::size_t i = 0; i < atoms_.size(); ++i) energy_ += atoms_[static_cast<std::size_t>(t_.internal[i])].site;
    }

    // What a trial reads of one atom, in one cache line: on a large cluster a trial's cost is
    // mostly the cache misses of its ~2 x neighbours atoms, so this is kept to one line each.
    struct alignas(64) AtomState {
        std::array<double, SiteSumForm::max_channels> sums{};  // S_i, current
        double site = 0.0;                                     // G(S_i), current
        std::uint64_t stamp = 0;  // == generation_: touched by the current trial, its scratch at `slot`
        int type = 0;             // current type
        int slot = 0;             // index into scratch_ while stamp == generation_
    };
    // One touched atom of the pending trial: its new sums and site energy (a few dozen of these,
    // in cache).
    struct Scratch {
        std::array<double, SiteSumForm::max_channels> sums;
        double site;
        int atom;        // internal number
        int trial_type;  // new type if a site of the trial, -1 otherwise
    };

    std::unique_ptr<SiteSumForm> form_;
    Cluster cluster_;                      // species in the caller's order
    PairTables t_;                         // numbering, neighbours, pair terms
    int m_ = 1;
    std::vector<AtomState> atoms_;         // per atom, internal order
    std::uint64_t generation_ = 0;
    std::vector<Scratch> scratch_;         // the pending trial's touched atoms, sites first
    bool prefetch_ = false;                // the state is larger than a core's L2 cache: prefetch in trials
    // Typical L2 size of one core (x86-64 of 2020 on: 0.5-2 MiB); above it trials prefetch.
    static constexpr std::size_t prefetch_above_bytes = std::size_t{1} << 20;
    double pending_delta_ = 0.0, energy_ = 0.0;
    bool pending_ = false;
};

// Global sums kept current; see PairSumForm in local_energy.hpp. A trial changes T by the
// one-body terms of its sites and the pair terms of the sites' pairs (a pair of two sites once).
class PairSumEnergy final : public LocalEnergy {
public:
    PairSumEnergy(std::unique_ptr<PairSumForm> form, const Cluster& cluster)
        : form_(std::move(form)), cluster_(cluster), m_(static_cast<std::size_t>(form_->channels())),
          t_(cluster_, form_->species(), form_->channels(), form_->range(),
             [this](int a, int b, double r, double* out) { form_->pair_terms(a, b, r, out); }),
          sums_(m_), delta_sums_(m_), trial_sums_(m_), atom_terms_(t_.nt * m_), slot_(cluster.size(), -1) {
        for (std::size_t a = 0; a < t_.nt; ++a) form_->atom_terms(static_cast<int>(a), &atom_terms_[a * m_]);
        types_ = t_.internal_types(cluster_.species);
        rebuild();
    }

    [[nodiscard]] std::string describe() const override {
        return fmt::format("local pair sums ({} channels) within {:.3f} A ({:.1f} neighbours per atom)", m_, form_->range(),
                           t_.neighbours_per_atom());
    }
    [[nodiscard]] bool local() const override { return true; }
    [[nodiscard]] double energy() const override { return energy_; }
    [[nodiscard]] const Cluster& cluster() const override { return cluster_; }

    double trial(std::span<const int> sites, std::span<const Species> to) override {
        ++local_updates_;
        pending_ = false;
        for (int s : sites_) slot_[static_cast<std::size_t>(s)] = -1;
        sites_.clear();
        new_types_.clear();
        for (std::size_t k = 0; k < sites.size(); ++k) {
            const int s = t_.internal[static_cast<std::size_t>(sites[k])];
            if (slot_[static_cast<std::size_t>(s)] >= 0) {
                for (int x : sites_) slot_[static_cast<std::size_t>(x)] = -1;
                sites_.clear();
                throw Error("LocalEnergy::trial: an atom is given twice");
            }
            slot_[static_cast<std::size_t>(s)] = static_cast<int>(sites_.size());
            sites_.push_back(s);
            new_types_.push_back(t_.type_index(to[k]));
        }
        std::fill(delta_sums_.begin(), delta_sums_.end(), 0.0);
        const std::size_t nt = t_.nt, m = m_;
        for (std::size_t p = 0; p < sites_.size(); ++p) {
            const auto s = static_cast<std::size_t>(sites_[p]);
            const auto old_a = static_cast<std::size_t>(types_[s]), new_a = static_cast<std::size_t>(new_types_[p]);
            const double* h_new = &atom_terms_[new_a * m];
            const double* h_old = &atom_terms_[old_a * m];
            for (std::size_t c = 0; c < m; ++c) delta_sums_[c] += h_new[c] - h_old[c];
            for (std::size_t e = t_.start[s]; e < t_.start[s + 1]; ++e) {
                const auto k = static_cast<std::size_t>(t_.neighbour[e]);
                const int q = slot_[k];
                if (q >= 0 && static_cast<std::size_t>(q) < p) continue;  // a pair of two sites: counted at the first
                const auto old_b = static_cast<std::size_t>(types_[k]);
                const auto new_b = q >= 0 ? static_cast<std::size_t>(new_types_[static_cast<std::size_t>(q)]) : old_b;
                const double* g_new = &t_.table[e * t_.stride + (new_a * nt + new_b) * m];
                const double* g_old = &t_.table[e * t_.stride + (old_a * nt + old_b) * m];
                for (std::size_t c = 0; c < m; ++c) delta_sums_[c] += g_new[c] - g_old[c];
            }
        }
        for (std::size_t c = 0; c < m; ++c) trial_sums_[c] = sums_[c] + delta_sums_[c];
        trial_energy_ = form_->energy(trial_sums_.data());
        pending_ = true;
        return trial_energy_ - energy_;
    }

    void commit() override {
        if (!pending_) throw Error("LocalEnergy::commit without a trial");
        sums_ = trial_sums_;
        energy_ = trial_energy_;
        for (std::size_t p = 0; p < sites_.size(); ++p) {
            const auto s = static_cast<std::size_t>(sites_[p]);
            types_[s] = new_types_[p];
            cluster_.species[t_.external[s]] = form_->species()[static_cast<std::size_t>(new_types_[p])];
        }
        pending_ = false;
    }

    void set_species(const std::vector<Species>& species) override {
        types_ = t_.internal_types(species);
        cluster_.species = species;
        rebuild();
    }

    double resync() override {
        rebuild();
        return energy_;
    }

private:
    // T from scratch, in external atom order (each pair once, at its lower external number),
    // so the sums do not depend on the internal numbering.
    void rebuild() {
        std::fill(sums_.begin(), sums_.end(), 0.0);
        const std::size_t nt = t_.nt, m = m_;
        for (std::size_t x = 0; x < types_.size(); ++x) {
            const auto i = static_cast<std::size_t>(t_.internal[x]);
            const auto a = static_cast<std::size_t>(types_[i]);
            for (std::size_t c = 0; c < m; ++c) sums_[c] += atom_terms_[a * m + c];
            for (std::size_t e = t_.start[i]; e < t_.start[i + 1]; ++e) {
                const auto k = static_cast<std::size_t>(t_.neighbour[e]);
                if (t_.external[k] < x) continue;
                const double* g = &t_.table[e * t_.stride + (a * nt + static_cast<std::size_t>(types_[k])) * m];
                for (std::size_t c = 0; c < m; ++c) sums_[c] += g[c];
            }
        }
        energy_ = form_->energy(sums_.data());
        pending_ = false;
    }

    std::unique_ptr<PairSumForm> form_;
    Cluster cluster_;           // species in the caller's order
    std::size_t m_ = 1;         // channels
    PairTables t_;              // numbering, neighbours, pair terms
    std::vector<double> sums_, delta_sums_, trial_sums_;  // T, its trial change, T of the trial
    std::vector<double> atom_terms_;                      // h^m_a, [a][m]
    std::vector<int> types_;                              // per atom, internal order
    std::vector<int> slot_;     // per atom: its index among the trial's sites, -1 otherwise
    std::vector<int> sites_, new_types_;                  // the pending trial, internal numbers
    double energy_ = 0.0, trial_energy_ = 0.0;
    bool pending_ = false;
};

// One full evaluation per trial: for potentials without a site-sum form.
class FullEnergy final : public LocalEnergy {
public:
    FullEnergy(const Potential& potential, const Cluster& cluster, double known_energy, std::string why)
        : potential_(potential), cluster_(cluster), trial_(cluster), why_(std::move(why)) {
        energy_ = std::isfinite(known_energy) ? known_energy : evaluate(cluster_);
    }
    [[nodiscard]] std::string describe() const override { return fmt::format("full evaluation per trial ({})", why_); }
    [[nodiscard]] bool local() const override { return false; }
    [[nodiscard]] double energy() const override { return energy_; }
    [[nodiscard]] const Cluster& cluster() const override { return cluster_; }
    double trial(std::span<const int> sites, std::span<const Species> to) override {
        pending_ = false;
        for (std::size_t k = 0; k < sites.size(); ++k)
            if (std::find(sites.begin(), sites.begin() + static_cast<std::ptrdiff_t>(k), sites[k]) != sites.begin() + static_cast<std::ptrdiff_t>(k))
                throw Error("LocalEnergy::trial: an atom is given twice");
        trial_.species = cluster_.species;
        for (std::size_t k = 0; k < sites.size(); ++k) trial_.species[static_cast<std::size_t>(sites[k])] = to[k];
        trial_energy_ = evaluate(trial_);
        pending_ = true;
        return trial_energy_ - energy_;
    }
    void commit() override {
        if (!pending_) throw Error("LocalEnergy::commit without a trial");
        cluster_.species = trial_.species;
        energy_ = trial_energy_;
        pending_ = false;
    }
    void set_species(const std::vector<Species>& species) override {
        cluster_.species = species;
        energy_ = evaluate(cluster_);
        pending_ = false;
    }
    double resync() override { return energy_; }

private:
    double evaluate(const Cluster& c) {
        ++full_evaluations_;
        return potential_.energy(c);
    }
    const Potential& potential_;
    Cluster cluster_, trial_;
    std::string why_;
    double energy_ = 0.0, trial_energy_ = 0.0;
    bool pending_ = false;
};

}  // namespace

std::unique_ptr<LocalEnergy> make_local_energy(const Potential& potential, const Cluster& cluster,
                                               const std::vector<Species>& species, double known_energy,
                                               std::size_t max_table_bytes) {
    for (Species z : cluster.unique_species())
        if (std::find(species.begin(), species.end(), z) == species.end())
            throw InputError(fmt::format("local energy: the cluster contains {}, which is not among the species {}",
                                         symbol(z), join_symbols(species, " ")));
    const auto too_large = [&](std::size_t bytes, double range) -> std::unique_ptr<LocalEnergy> {
        if (bytes <= max_table_bytes) return nullptr;
        return std::make_unique<FullEnergy>(
            potential, cluster, known_energy,
            fmt::format("the pair tables would need {:.1f} GiB (range {:.2f} A)", static_cast<double>(bytes) / (1 << 30), range));
    };
    if (std::unique_ptr<SiteSumForm> form = potential.site_sum_form(species)) {
        if (form->channels() < 1 || form->channels() > SiteSumForm::max_channels || !std::isfinite(form->range()))
            throw Error(fmt::format("{}: malformed site-sum form ({} channels, range {})", potential.type(), form->channels(),
                                    form->range()));
        if (auto full = too_large(pair_table_bytes(cluster, form->range(), form->species().size(), form->channels()), form->range()))
            return full;
        return std::make_unique<SiteSumEnergy>(std::move(form), cluster);
    }
    if (std::unique_ptr<PairSumForm> form = potential.pair_sum_form(species)) {
        if (form->channels() < 1 || !std::isfinite(form->range()))
            throw Error(fmt::format("{}: malformed pair-sum form ({} channels, range {})", potential.type(), form->channels(),
                                    form->range()));
        if (auto full = too_large(pair_table_bytes(cluster, form->range(), form->species().size(), form->channels()), form->range()))
            return full;
        return std::make_unique<PairSumEnergy>(std::move(form), cluster);
    }
    return std::make_unique<FullEnergy>(potential, cluster, known_energy, fmt::format("{} offers no local form", potential.type()));
}

}  // namespace nanoscape
