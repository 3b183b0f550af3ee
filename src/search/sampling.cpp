#include "nanoscape/search/sampling.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <memory>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nanoscape/core/error.hpp"
#include "nanoscape/core/parallel.hpp"
#include "nanoscape/core/rng.hpp"

namespace nanoscape {

namespace {

constexpr SampleKind all_kinds[] = {SampleKind::homotop, SampleKind::perturbed, SampleKind::relaxation,
                                    SampleKind::random};

// Displacements are Gaussian truncated at this many standard deviations (length of the 3-vector),
// so a structure never moves more than 3 * perturbation per atom: a hard bound the tests check
// and that keeps large amplitudes from pushing atoms onto each other.
constexpr double truncation = 3.0;
// A displaced structure with two atoms closer than this fraction of their pair distance is
// drawn again (check_no_overlap's criterion): no potential describes such a contact sensibly.
constexpr double overlap_fraction = 0.5;
constexpr int max_displacement_draws = 100;

// Recorded relaxation frames kept in memory per trajectory before thinning (see Recorder).
constexpr std::size_t min_record_capacity = 64;

// One unit of parallel work: a single structure, or all snapshots of one relaxation.
struct Job {
    std::size_t request = 0;
    SampleKind kind = SampleKind::homotop;
    std::uint64_t first = 0;  // global number g of its first structure = its output position
    std::size_t count = 1;    // structures it produces
};

// A Potential that forwards to the reference and records every structure the relaxer evaluates,
// so a relaxation trajectory can be sampled without a per-step callback in the Relaxer API.
// Not thread-safe (compute() appends to mutable records): each trajectory owns one instance,
// used by one thread only.
class RecordingPotential final : public Potential {
public:
    struct Frame {
        Eigen::Matrix3Xd positions;  // Angstrom
        double energy = 0.0;         // eV
        long evaluation = 0;         // 0-based index of the potential call
    };

    RecordingPotential(const Potential& reference, std::size_t capacity)
        : reference_(reference), capacity_(std::max<std::size_t>(capacity, 2)) {}

    [[nodiscard]] std::string type() const override { return reference_.type(); }
    [[nodiscard]] std::string description() const override { return reference_.description(); }
    [[nodiscard]] double cutoff() const override { return reference_.cutoff(); }
    [[nodiscard]] std::vector<Species> supported_species() const override { return reference_.supported_species(); }
    [[nodiscard]] double pair_distance(Species a, Species b) const override { return reference_.pair_distance(a, b); }

    [[nodiscard]] double compute(const Cluster& cluster, Eigen::Matrix3Xd* forces,
                                 Eigen::VectorXd* atom_energies) const override {
        const double energy = reference_.compute(cluster, forces, atom_energies);
        const long evaluation = evaluations_++;
        if (!std::isfinite(energy)) return energy;
        if (energy < lowest_.energy || lowest_.evaluation < 0) lowest_ = {cluster.positions, energy, evaluation};
        // Keep every stride-th evaluation; when the buffer is full, drop every other kept frame
        // and double the stride. Memory stays O(capacity x N) for any trajectory length and the
        // kept frames stay evenly spread over it (the start, evaluation 0, is always kept).
        if (evaluation % stride_ == 0) {
            frames_.push_back({cluster.positions, energy, evaluation});
            if (frames_.size() > capacity_) {
                stride_ *= 2;
                std::erase_if(frames_, [this](const Frame& f) { return f.evaluation % stride_ != 0; });
            }
        }
        return energy;
    }

    // The kept frames in evaluation order, the lowest-energy one included.
    [[nodiscard]] std::vector<Frame> frames() const {
        std::vector<Frame> out = frames_;
        if (lowest_.evaluation >= 0 &&
            std::none_of(out.begin(), out.end(), [this](const Frame& f) { return f.evaluation == lowest_.evaluation; })) {
            const auto at = std::find_if(out.begin(), out.end(),
                                         [this](const Frame& f) { return f.evaluation > lowest_.evaluation; });
            out.insert(at, Frame{lowest_.positions, lowest_.energy, lowest_.evaluation});
        }
        return out;
    }

private:
    struct Lowest {
        Eigen::Matrix3Xd positions;
        double energy = std::numeric_limits<double>::infinity();
        long evaluation = -1;
    };

    const Potential& reference_;
    std::size_t capacity_;
    mutable std::vector<Frame> frames_;
    mutable Lowest lowest_;
    mutable long evaluations_ = 0;
    mutable long stride_ = 1;
};

// Indices of `snapshots` frames whose energies are closest to targets evenly spaced from the
// first frame's energy down to the lowest (each frame used once while unused ones remain).
std::vector<std::size_t> pick_snapshots(const std::vector<RecordingPotential::Frame>& frames, std::size_t snapshots) {
    std::vector<std::size_t> picked;
    if (frames.empty()) return picked;
    double lowest = frames.front().energy;
    for (const auto& f : frames) lowest = std::min(lowest, f.energy);
    const double start = frames.front().energy;
    std::vector<bool> used(frames.size(), false);
    for (std::size_t j = 0; j < snapshots; ++j) {
        const double target =
            snapshots == 1 ? lowest
                           : start + (lowest - start) * static_cast<double>(j) / static_cast<double>(snapshots - 1);
        const bool any_unused = std::find(used.begin(), used.end(), false) != used.end();
        std::size_t best = frames.size();
        for (std::size_t r = 0; r < frames.size(); ++r) {
            if (any_unused && used[r]) continue;
            if (best == frames.size() || std::abs(frames[r].energy - target) < std::abs(frames[best].energy - target))
                best = r;
        }
        used[best] = true;
        picked.push_back(best);
    }
    // Chronological order: a trajectory reads from the start to the relaxed end.
    std::sort(picked.begin(), picked.end());
    return picked;
}

// Smallest distance of any pair relative to its pair distance; +inf for N < 2. O(N^2), which is
// negligible next to one energy evaluation for the cluster sizes sampled.
double smallest_relative_distance(const Cluster& cluster, const Potential& potential) {
    double smallest = std::numeric_limits<double>::infinity();
    const auto n = static_cast<Eigen::Index>(cluster.size());
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = i + 1; j < n; ++j) {
            const double r = (cluster.positions.col(i) - cluster.positions.col(j)).norm();
            const double d = potential.pair_distance(cluster.species[static_cast<std::size_t>(i)],
                                                     cluster.species[static_cast<std::size_t>(j)]);
            smallest = std::min(smallest, r / d);
        }
    return smallest;
}

// Adds a truncated Gaussian displacement of standard deviation `amplitude` per component to
// every atom; redraws the whole set if it brings two atoms into overlap.
void displace(Cluster& cluster, double amplitude, const Potential& potential, Rng& rng) {
    if (amplitude <= 0.0) return;
    const Eigen::Matrix3Xd start = cluster.positions;
    for (int draw = 0; draw < max_displacement_draws; ++draw) {
        for (Eigen::Index i = 0; i < start.cols(); ++i) {
            Eigen::Vector3d g;
            do {
                g = three_draws<Eigen::Vector3d>([&] { return rng.normal(); });
            } while (g.norm() > truncation);
            cluster.positions.col(i) = start.col(i) + amplitude * g;
        }
        if (smallest_relative_distance(cluster, potential) >= overlap_fraction) return;
    }
    throw InputError(fmt::format("a perturbation amplitude of {} A keeps pushing atoms of {} onto each other "
                                 "({} draws); use a smaller --perturbation",
                                 amplitude, cluster.formula(), max_displacement_draws));
}

BuildRequest homotop_request(const BuildRequest& base) {
    BuildRequest r = base;
    r.ordering = Ordering::random;
    return r;
}

BuildRequest random_request(const BuildRequest& base) {
    BuildRequest r;
    r.motif = Motif::random;
    r.size = static_cast<int>(composition_size(base.composition));
    r.composition = base.composition;
    r.ordering = Ordering::random;
    return r;
}

void label(SampledStructure& s, const Potential& potential) {
    Eigen::Matrix3Xd forces;
    s.sample.energy = potential.compute(s.sample.cluster, &forces, nullptr);
    if (!std::isfinite(s.sample.energy) || !forces.allFinite())
        throw Error(fmt::format("structure {} ({}, {}): {} returned a non-finite energy or force", s.index,
                                to_string(s.kind), s.sample.cluster.formula(), potential.description()));
    s.sample.forces = std::move(forces);
}

void validate(std::span<const BuildRequest> requests, const Potential& potential, const SamplingOptions& o) {
    if (!std::isfinite(o.perturbation) || o.perturbation < 0.0)
        throw InputError(fmt::format("the perturbation amplitude must be >= 0 A, got {}", o.perturbation));
    if (o.snapshots < 1) throw InputError(fmt::format("snapshots per relaxation must be >= 1, got {}", o.snapshots));
    if (o.random_relax_steps < 0)
        throw InputError(fmt::format("relaxer steps for random clusters must be >= 0, got {}", o.random_relax_steps));
    if (o.relax.max_steps < 1)
        throw InputError(fmt::format("relaxation step limit must be >= 1, got {}", o.relax.max_steps));
    if (!(o.relax.fmax > 0.0)) throw InputError(fmt::format("fmax must be positive, got {}", o.relax.fmax));
    if (!(o.relax.max_step > 0.0)) throw InputError(fmt::format("max_step must be positive, got {}", o.relax.max_step));
    const bool motif_kinds = o.counts.homotop + o.counts.perturbed + o.counts.relaxation > 0;
    for (const auto& request : requests) {
        if (request.composition.empty())
            throw InputError("empty composition: give species and counts, e.g. Pt=19,Au=19");
        std::vector<Species> species;
        for (const auto& entry : request.composition) species.push_back(entry.first);
        potential.check_species(species_only(species));
        const PairDistance d = [&potential](Species a, Species b) { return potential.pair_distance(a, b); };
        // A throwaway build reports an inconsistent request (counts, shells, shape) once, up
        // front, instead of from inside the parallel loop.
        Rng rng(0);
        if (motif_kinds) (void)build_cluster(homotop_request(request), d, rng);
        if (o.counts.random > 0) (void)requested_size(random_request(request));
    }
}

std::vector<Job> plan_jobs(std::span<const BuildRequest> requests, const SamplingOptions& o) {
    std::vector<Job> jobs;
    std::uint64_t g = 0;
    for (std::size_t r = 0; r < requests.size(); ++r)
        for (const SampleKind kind : all_kinds) {
            const std::size_t n = o.counts.at(kind);
            const std::size_t per_job = kind == SampleKind::relaxation ? static_cast<std::size_t>(o.snapshots) : 1;
            for (std::size_t done = 0; done < n; done += per_job) {
                jobs.push_back({r, kind, g, std::min(per_job, n - done)});
                g += jobs.back().count;
            }
        }
    return jobs;
}

// Runs one job, writing its structures into out[job.first .. job.first + job.count).
void run_job(const Job& job, const BuildRequest& base, const Potential& potential, const Relaxer& relaxer,
             const SamplingOptions& o, std::vector<SampledStructure>& out) {
    Rng rng = make_stream(o.seed, job.first);
    const PairDistance d = [&potential](Species a, Species b) { return potential.pair_distance(a, b); };
    auto make = [&](std::uint64_t g) -> SampledStructure& {
        auto& s = out[static_cast<std::size_t>(g)];
        s.kind = job.kind;
        s.request = job.request;
        s.index = g;
        s.stream = job.first;
        return s;
    };

    switch (job.kind) {
        case SampleKind::homotop: {
            auto& s = make(job.first);
            s.sample.cluster = build_cluster(homotop_request(base), d, rng);
            label(s, potential);
            return;
        }
        case SampleKind::perturbed: {
            auto& s = make(job.first);
            s.sample.cluster = build_cluster(homotop_request(base), d, rng);
            s.amplitude = rng.uniform(0.0, o.perturbation);
            displace(s.sample.cluster, s.amplitude, potential, rng);
            label(s, potential);
            return;
        }
        case SampleKind::relaxation: {
            Cluster cluster = build_cluster(homotop_request(base), d, rng);
            displace(cluster, o.perturbation, potential, rng);
            const std::vector<Species> species = cluster.species;
            RecordingPotential recorder(potential, std::max(min_record_capacity, 8 * job.count));
            (void)relaxer.relax(cluster, recorder, o.relax);  // trouble shows as non-finite labels below
            const auto frames = recorder.frames();
            if (frames.empty())
                throw Error(fmt::format("structure {} (relaxation, {}): {} gave no finite energy at the start",
                                        job.first, cluster.formula(), potential.description()));
            const auto picked = pick_snapshots(frames, job.count);
            for (std::size_t k = 0; k < job.count; ++k) {
                auto& s = make(job.first + k);
                const auto& f = frames[picked[k]];
                s.sample.cluster = Cluster(f.positions, species);
                s.amplitude = f.evaluation == 0 ? o.perturbation : 0.0;
                s.relax_evaluations = f.evaluation;
                label(s, potential);
            }
            return;
        }
        case SampleKind::random: {
            auto& s = make(job.first);
            s.sample.cluster = build_cluster(random_request(base), d, rng);
            if (o.random_relax_steps > 0) {
                RelaxOptions partial = o.relax;
                partial.max_steps = 1 + static_cast<int>(rng.below(static_cast<std::uint64_t>(o.random_relax_steps)));
                const auto result = relaxer.relax(s.sample.cluster, potential, partial);
                s.relax_evaluations = result.steps;
            }
            label(s, potential);
            return;
        }
    }
}

}  // namespace

std::string to_string(SampleKind kind) { return sample_kind_names()[static_cast<std::size_t>(kind)]; }

std::vector<std::string> sample_kind_names() { return {"homotop", "perturbed", "relaxation", "random"}; }

SampleKind parse_sample_kind(const std::string& name) {
    std::string key;
    for (const char c : name)
        if (!std::isspace(static_cast<unsigned char>(c)))
            key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto names = sample_kind_names();
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == key) return static_cast<SampleKind>(i);
    throw InputError(fmt::format("unknown sample kind '{}'{}; kinds: {}", name, did_you_mean(key, names),
                                 fmt::join(names, ", ")));
}

std::size_t& SampleCounts::at(SampleKind kind) {
    switch (kind) {
        case SampleKind::homotop: return homotop;
        case SampleKind::perturbed: return perturbed;
        case SampleKind::relaxation: return relaxation;
        case SampleKind::random: return random;
    }
    return homotop;  // unreachable: every enumerator is handled above
}

std::size_t SampleCounts::at(SampleKind kind) const {
    switch (kind) {
        case SampleKind::homotop: return homotop;
        case SampleKind::perturbed: return perturbed;
        case SampleKind::relaxation: return relaxation;
        case SampleKind::random: return random;
    }
    return 0;
}

SampleCounts split_count(std::size_t total, const std::vector<SampleKind>& kinds) {
    if (kinds.empty()) throw InputError("no sample kinds given");
    SampleCounts counts;
    std::vector<bool> seen(std::size(all_kinds), false);
    for (std::size_t i = 0; i < kinds.size(); ++i) {
        const auto k = static_cast<std::size_t>(kinds[i]);
        if (seen[k]) throw InputError(fmt::format("sample kind '{}' is given twice", to_string(kinds[i])));
        seen[k] = true;
        counts.at(kinds[i]) = total / kinds.size() + (i < total % kinds.size() ? 1 : 0);
    }
    return counts;
}

std::vector<SampledStructure> generate_samples(std::span<const BuildRequest> requests, const Potential& potential,
                                               const SamplingOptions& options) {
    validate(requests, potential, options);
    ParameterTable relax_table("relax");
    relax_table.set("type", ParameterValue::of(options.relaxer));
    const auto relaxer = create_relaxer(relax_table);

    const auto jobs = plan_jobs(requests, options);
    const std::size_t total = requests.size() * options.counts.total();
    std::vector<SampledStructure> out(total);

    std::size_t done = 0;
    parallel_for(static_cast<std::int64_t>(jobs.size()), options.threads, [&](std::int64_t j) {
        const auto& job = jobs[static_cast<std::size_t>(j)];
        // Progress counts failed jobs too (parallel_for rethrows the failure of the lowest
        // job once all have run).
        const auto report = [&] {
#pragma omp critical(nanoscape_sampling_progress)
            {
                done += job.count;
                if (options.progress) options.progress(done, total);
            }
        };
        try {
            run_job(job, requests[job.request], potential, *relaxer, options, out);
        } catch (...) {
            report();
            throw;
        }
        report();
    });
    return out;
}

}  // namespace nanoscape
