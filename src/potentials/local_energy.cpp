#include "nanoscape/potentials/local_energy.hpp"

#include <algorithm>
#include <array>
#include <cmath>

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

// Site sums kept current for every atom; see the file comment of local_energy.hpp.
class SiteSumEnergy final : public LocalEnergy {
public:
    SiteSumEnergy(std::unique_ptr<SiteSumForm> form, const Cluster& cluster) : form_(std::move(form)), cluster_(cluster) {
        const auto n = cluster_.size();
        m_ = form_->channels();
        nt_ = form_->species().size();
        type_of_.fill(-1);
        for (std::size_t t = 0; t < nt_; ++t) type_of_[static_cast<std::size_t>(form_->species()[t])] = static_cast<int>(t);
        types_.resize(n);
        for (std::size_t i = 0; i < n; ++i) types_[i] = type_index(cluster_.species[i]);

        // Neighbour pairs once; both directions in a CSR list that points at the pair's table.
        std::vector<std::array<int, 2>> pairs;
        std::vector<double> distance;
        const CellGrid grid(cluster_.positions, form_->range());
        grid.for_each_pair([&](int i, int j, const Eigen::Vector3d&, double r) {
            pairs.push_back({i, j});
            distance.push_back(r);
        });
        start_.assign(n + 1, 0);
        for (const auto& p : pairs) ++start_[static_cast<std::size_t>(p[0]) + 1], ++start_[static_cast<std::size_t>(p[1]) + 1];
        for (std::size_t i = 0; i < n; ++i) start_[i + 1] += start_[i];
        neighbours_.resize(2 * pairs.size());
        std::vector<std::size_t> fill(start_.begin(), start_.end() - 1);
        for (std::size_t p = 0; p < pairs.size(); ++p) {
            const auto i = static_cast<std::size_t>(pairs[p][0]), j = static_cast<std::size_t>(pairs[p][1]);
            neighbours_[fill[i]++] = {pairs[p][1], static_cast<std::uint32_t>(p)};
            neighbours_[fill[j]++] = {pairs[p][0], static_cast<std::uint32_t>(p)};
        }
        // Table of every pair: g^m_ab(r) for all type pairs, [(a nt + b) M + m].
        stride_ = nt_ * nt_ * static_cast<std::size_t>(m_);
        table_.resize(pairs.size() * stride_);
        for (std::size_t p = 0; p < pairs.size(); ++p)
            for (std::size_t a = 0; a < nt_; ++a)
                for (std::size_t b = 0; b < nt_; ++b)
                    form_->pair_terms(static_cast<int>(a), static_cast<int>(b), distance[p],
                                      &table_[p * stride_ + (a * nt_ + b) * static_cast<std::size_t>(m_)]);
        sums_.assign(n * static_cast<std::size_t>(m_), 0.0);
        site_.assign(n, 0.0);
        scratch_sums_.assign(n * static_cast<std::size_t>(m_), 0.0);
        scratch_site_.assign(n, 0.0);
        stamp_.assign(n, 0);
        rebuild();
    }

    [[nodiscard]] std::string describe() const override {
        const double per_atom = cluster_.size() ? static_cast<double>(neighbours_.size()) / static_cast<double>(cluster_.size()) : 0.0;
        return fmt::format("local site sums within {:.3f} A ({:.1f} neighbours per atom)", form_->range(), per_atom);
    }
    [[nodiscard]] bool local() const override { return true; }
    [[nodiscard]] double energy() const override { return energy_; }
    [[nodiscard]] const Cluster& cluster() const override { return cluster_; }

    double trial(std::span<const int> sites, std::span<const Species> to) override {
        ++local_updates_;
        ++generation_;
        touched_.clear();
        pending_sites_.assign(sites.begin(), sites.end());
        pending_types_.clear();
        const auto m = static_cast<std::size_t>(m_);
        // The sites' new types first: a site's neighbour may itself be a site.
        for (std::size_t k = 0; k < sites.size(); ++k) {
            const auto s = static_cast<std::size_t>(sites[k]);
            pending_types_.push_back(type_index(to[k]));
            stamp_[s] = generation_;
            trial_type_[s] = pending_types_.back();
        }
        // Sites: sums from scratch with the new types of both ends.
        for (int site : sites) {
            const auto s = static_cast<std::size_t>(site);
            const auto a = static_cast<std::size_t>(trial_type_[s]);
            double* out = &scratch_sums_[s * m];
            std::fill(out, out + m, 0.0);
            for (std::size_t e = start_[s]; e < start_[s + 1]; ++e) {
                const auto l = static_cast<std::size_t>(neighbours_[e].atom);
                const auto b = static_cast<std::size_t>(stamp_[l] == generation_ && is_site(l) ? trial_type_[l] : types_[l]);
                const double* g = &table_[neighbours_[e].pair * stride_ + (a * nt_ + b) * m];
                for (std::size_t c = 0; c < m; ++c) out[c] += g[c];
            }
            touched_.push_back(site);
        }
        // Other neighbours: one pair term replaced per changed neighbour.
        for (int site : sites) {
            const auto s = static_cast<std::size_t>(site);
            const auto old_b = static_cast<std::size_t>(types_[s]), new_b = static_cast<std::size_t>(trial_type_[s]);
            for (std::size_t e = start_[s]; e < start_[s + 1]; ++e) {
                const auto k = static_cast<std::size_t>(neighbours_[e].atom);
                if (stamp_[k] == generation_ && is_site(k)) continue;
                double* out = &scratch_sums_[k * m];
                if (stamp_[k] != generation_) {
                    stamp_[k] = generation_;
                    trial_type_[k] = -1;  // marks a non-site
                    std::copy(&sums_[k * m], &sums_[k * m] + m, out);
                    touched_.push_back(static_cast<int>(k));
                }
                const auto a = static_cast<std::size_t>(types_[k]);
                const double* g_new = &table_[neighbours_[e].pair * stride_ + (a * nt_ + new_b) * m];
                const double* g_old = &table_[neighbours_[e].pair * stride_ + (a * nt_ + old_b) * m];
                for (std::size_t c = 0; c < m; ++c) out[c] += g_new[c] - g_old[c];
            }
        }
        double delta = 0.0;
        for (int atom : touched_) {
            const auto k = static_cast<std::size_t>(atom);
            const int a = is_site(k) ? trial_type_[k] : types_[k];
            scratch_site_[k] = form_->site_energy(a, &scratch_sums_[k * m]);
            delta += scratch_site_[k] - site_[k];
        }
        pending_delta_ = delta;
        pending_ = true;
        return delta;
    }

    void commit() override {
        if (!pending_) throw Error("LocalEnergy::commit without a trial");
        const auto m = static_cast<std::size_t>(m_);
        for (int atom : touched_) {
            const auto k = static_cast<std::size_t>(atom);
            std::copy(&scratch_sums_[k * m], &scratch_sums_[k * m] + m, &sums_[k * m]);
            site_[k] = scratch_site_[k];
        }
        for (std::size_t k = 0; k < pending_sites_.size(); ++k) {
            const auto s = static_cast<std::size_t>(pending_sites_[k]);
            types_[s] = pending_types_[k];
            cluster_.species[s] = form_->species()[static_cast<std::size_t>(pending_types_[k])];
        }
        energy_ += pending_delta_;
        pending_ = false;
        ++generation_;  // the stamps of this trial no longer mark anything
    }

    void set_species(const std::vector<Species>& species) override {
        if (species.size() != cluster_.size())
            throw Error(fmt::format("LocalEnergy::set_species: {} species for {} atoms", species.size(), cluster_.size()));
        for (std::size_t i = 0; i < species.size(); ++i) types_[i] = type_index(species[i]);
        cluster_.species = species;
        rebuild();
    }

    double resync() override {
        rebuild();
        return energy_;
    }

private:
    struct Neighbour {
        int atom;
        std::uint32_t pair;
    };

    int type_index(Species z) const {
        const int t = z >= 0 && z <= max_atomic_number ? type_of_[static_cast<std::size_t>(z)] : -1;
        if (t < 0) throw InputError(fmt::format("local energy: species {} is not one of the form's", symbol(z)));
        return t;
    }
    bool is_site(std::size_t k) const { return trial_type_[k] >= 0; }

    // Sums and site energies from scratch: O(pairs).
    void rebuild() {
        const auto m = static_cast<std::size_t>(m_);
        std::fill(sums_.begin(), sums_.end(), 0.0);
        for (std::size_t i = 0; i < types_.size(); ++i) {
            const auto a = static_cast<std::size_t>(types_[i]);
            for (std::size_t e = start_[i]; e < start_[i + 1]; ++e) {
                const auto b = static_cast<std::size_t>(types_[static_cast<std::size_t>(neighbours_[e].atom)]);
                const double* g = &table_[neighbours_[e].pair * stride_ + (a * nt_ + b) * m];
                for (std::size_t c = 0; c < m; ++c) sums_[i * m + c] += g[c];
            }
            site_[i] = form_->site_energy(types_[i], &sums_[i * m]);
        }
        trial_type_.assign(types_.size(), -1);
        pending_ = false;
        energy_ = 0.0;
        for (double e : site_) energy_ += e;
    }

    std::unique_ptr<SiteSumForm> form_;
    Cluster cluster_;
    int m_ = 1;
    std::size_t nt_ = 0, stride_ = 0;
    std::array<int, max_atomic_number + 1> type_of_{};
    std::vector<int> types_;               // type of every atom
    std::vector<std::size_t> start_;       // CSR offsets, N + 1
    std::vector<Neighbour> neighbours_;    // CSR entries
    std::vector<double> table_;            // pair terms, stride_ per pair
    std::vector<double> sums_, site_;      // N x M sums, N site energies (current)
    std::vector<double> scratch_sums_, scratch_site_;  // the same for the touched atoms of a trial
    std::vector<std::uint64_t> stamp_;     // == generation_: touched by the current trial
    std::vector<int> trial_type_;          // new type of a site of the current trial, -1 otherwise
    std::uint64_t generation_ = 0;
    std::vector<int> touched_, pending_sites_, pending_types_;
    double pending_delta_ = 0.0, energy_ = 0.0;
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
    std::unique_ptr<SiteSumForm> form = potential.site_sum_form(species);
    if (!form) return std::make_unique<FullEnergy>(potential, cluster, known_energy, fmt::format("{} offers no site-sum form", potential.type()));
    if (form->channels() < 1 || form->channels() > SiteSumForm::max_channels || !std::isfinite(form->range()))
        throw Error(fmt::format("{}: malformed site-sum form ({} channels, range {})", potential.type(), form->channels(),
                                form->range()));
    // Size of the pair tables: pairs within the range (counted), all type pairs, M channels.
    std::size_t pairs = 0;
    CellGrid(cluster.positions, form->range()).for_each_pair([&](int, int, const Eigen::Vector3d&, double) { ++pairs; });
    const std::size_t nt = form->species().size();
    const std::size_t bytes = pairs * nt * nt * static_cast<std::size_t>(form->channels()) * sizeof(double);
    if (bytes > max_table_bytes)
        return std::make_unique<FullEnergy>(
            potential, cluster, known_energy,
            fmt::format("the pair tables would need {:.1f} GiB (range {:.2f} A)", static_cast<double>(bytes) / (1 << 30), form->range()));
    return std::make_unique<SiteSumEnergy>(std::move(form), cluster);
}

}  // namespace nanoscape
