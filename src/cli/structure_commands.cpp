// eval, relax and convert: commands that act on structure files.

#include <chrono>
#include <cstdio>
#include <cmath>
#include <filesystem>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "nanoscape/io/potential_loader.hpp"
#include "nanoscape/io/text_files.hpp"
#include "nanoscape/io/xyz.hpp"
#include "nanoscape/relax/relaxer.hpp"
#include "nanoscape/surrogate/surrogate_potential.hpp"

namespace nanoscape::cli {

namespace {

double max_force(const Eigen::Matrix3Xd& forces) {
    return forces.cols() == 0 ? 0.0 : forces.colwise().norm().maxCoeff();
}

std::vector<XyzFrame> read_frames(const std::string& path) {
    auto frames = read_xyz(path);
    if (frames.empty()) throw InputError(fmt::format("{}: no structures in the file", path));
    for (std::size_t f = 0; f < frames.size(); ++f)
        validate_cluster(frames[f].cluster, fmt::format("{} frame {}", path, f + 1));
    return frames;
}

void check_frames(const std::vector<XyzFrame>& frames, const Potential& potential, const std::string& path) {
    for (std::size_t f = 0; f < frames.size(); ++f)
        check_no_overlap(frames[f].cluster, potential, fmt::format("{} frame {}", path, f + 1));
}

// Replaces the results of an earlier calculation with this one's.
void store_results(XyzFrame& frame, double energy, const Eigen::Matrix3Xd& forces, const Eigen::VectorXd& atom_energies,
                   const Potential& potential) {
    frame.energy = energy;
    frame.forces = forces;
    frame.atom_energies = atom_energies;
    frame.set_info("potential", potential.type());
}

}  // namespace

int run_eval(const EvalOptions& o) {
    if (!o.output.empty()) check_output_file(o.output);
    const auto potential = load_potential_spec(o.potential, o.variant);
    auto frames = read_frames(o.input);
    check_frames(frames, *potential, o.input);
    spdlog::info("potential: {}", potential->description());
    // A trained model also says how sure it is: sigma beside the energy, in the table and the file.
    const auto* model = dynamic_cast<const SurrogatePotential*>(potential.get());
    fmt::print("{:>6} {:>14} {:>6} {:>20} {:>16} {:>14}{}\n", "frame", "formula", "atoms", "energy", "energy/atom",
               "max|F|", model ? fmt::format(" {:>14}", "sigma") : std::string());
    for (std::size_t f = 0; f < frames.size(); ++f) {
        Eigen::Matrix3Xd forces;
        Eigen::VectorXd atom_energies;
        const double e = potential->compute(frames[f].cluster, &forces, &atom_energies);
        if (!std::isfinite(e) || !forces.allFinite())
            throw Error(fmt::format("{} frame {}: the potential returned a non-finite energy or force", o.input, f + 1));
        store_results(frames[f], e, forces, atom_energies, *potential);
        std::string sigma_column;
        if (model) {
            const double sigma = model->predict(frames[f].cluster).sigma();
            frames[f].set_info("sigma", fmt::format("{}", sigma));
            sigma_column = fmt::format(" {:>14.6e}", sigma);
        }
        const auto n = frames[f].cluster.size();
        fmt::print("{:>6} {:>14} {:>6} {:>20.10f} {:>16.10f} {:>14.6e}{}\n", f + 1, frames[f].cluster.formula(), n, e,
                   e / static_cast<double>(n), max_force(forces), sigma_column);
    }
    std::fflush(stdout);  // the table before the log lines that follow on stderr
    if (!o.output.empty()) {
        write_xyz(o.output, frames);
        spdlog::info("wrote {} frame(s) with energy, forces and per-atom energies to {}", frames.size(), o.output);
    }
    return 0;
}

int run_relax(const RelaxCommandOptions& o) {
    const auto potential = load_potential_spec(o.potential, o.variant);
    ParameterTable relax_table("relax");
    relax_table.set("type", ParameterValue::of(o.optimizer));
    relax_table.set("fmax", ParameterValue::of(o.fmax));
    relax_table.set("max_steps", ParameterValue::of(o.max_steps));
    relax_table.set("max_step", ParameterValue::of(o.max_step));
    const auto relaxer = create_relaxer(relax_table);
    const RelaxOptions options = read_relax_options(relax_table);

    const std::string output =
        o.output.empty() ? std::filesystem::path(o.input).stem().string() + ".relaxed.xyz" : o.output;
    check_output_file(output);  // before any work
    auto frames = read_frames(o.input);
    check_frames(frames, *potential, o.input);
    spdlog::info("potential: {}", potential->description());
    spdlog::info("relaxing {} structure(s) with {} to fmax {} {} (at most {} steps)", frames.size(),
                 relaxer->type(), options.fmax, potential->force_unit(), options.max_steps);

    std::vector<Cluster> clusters;
    for (const auto& frame : frames) clusters.push_back(frame.cluster);
    const auto start = std::chrono::steady_clock::now();
    const auto results = relax_batch(clusters, *potential, *relaxer, options, o.threads);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    fmt::print("{:>6} {:>14} {:>6} {:>20} {:>16} {:>12} {:>7} {:>7}  {}\n", "frame", "formula", "atoms", "energy",
               "energy/atom", "max|F|", "steps", "evals", "status");
    int failed = 0, unconverged = 0;
    for (std::size_t f = 0; f < frames.size(); ++f) {
        const auto& r = results[f];
        frames[f].cluster = clusters[f];
        Eigen::Matrix3Xd forces;
        Eigen::VectorXd atom_energies;
        const double e = potential->compute(clusters[f], &forces, &atom_energies);
        store_results(frames[f], e, forces, atom_energies, *potential);
        frames[f].set_info("relax_status", to_string(r.status));
        frames[f].set_info("relax_steps", std::to_string(r.steps));
        frames[f].set_info("relax_evaluations", std::to_string(r.evaluations));
        const auto n = clusters[f].size();
        fmt::print("{:>6} {:>14} {:>6} {:>20.10f} {:>16.10f} {:>12.4e} {:>7} {:>7}  {}\n", f + 1,
                   clusters[f].formula(), n, r.energy, r.energy / static_cast<double>(n), r.fmax, r.steps,
                   r.evaluations, to_string(r.status));
        if (r.status == RelaxStatus::non_finite || r.status == RelaxStatus::exploded) ++failed;
        if (r.status == RelaxStatus::max_steps) ++unconverged;
        if (r.status == RelaxStatus::fragmented)
            spdlog::warn("{} frame {}: the relaxed cluster has fallen apart into fragments", o.input, f + 1);
        // A potential that is wrong at short range (a surrogate outside its training data)
        // pulls atoms onto each other: say so rather than print its energy as a minimum.
        if (const auto overlap = find_overlap(clusters[f], *potential))
            spdlog::warn("{} frame {}: atoms {} and {} are {:.3f} A apart after the relaxation (less than half their "
                         "bond length): the potential is unphysical there{}",
                         o.input, f + 1, overlap->first + 1, overlap->second + 1, overlap->distance,
                         dynamic_cast<const SurrogatePotential*>(potential.get())
                             ? " (the model is outside its training data)" : "");
    }
    std::fflush(stdout);
    write_xyz(output, frames);
    spdlog::info("wrote {} relaxed structure(s) to {} ({:.2f} s)", frames.size(), output, seconds);
    if (unconverged)
        spdlog::warn("{} relaxation(s) stopped at the step limit before reaching fmax; raise --max-steps", unconverged);
    if (failed) {
        spdlog::error("{} relaxation(s) failed (non-finite energy or exploding cluster); their last sane "
                      "structures are in {} with relax_status set",
                      failed, output);
        return 1;
    }
    return 0;
}

int run_convert(const ConvertOptions& o) {
    check_output_file(o.output);
    const auto frames = read_xyz(o.input);
    write_xyz(o.output, frames);
    spdlog::info("wrote {} frame(s) to {}", frames.size(), o.output);
    return 0;
}

}  // namespace nanoscape::cli
