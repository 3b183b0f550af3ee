// fit: train a surrogate on labelled structures, report its accuracy and calibration, save it.

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "validators.hpp"
#include "list_options.hpp"
#include "nanoscape/core/error.hpp"
#include "nanoscape/core/parallel.hpp"
#include "nanoscape/core/version.hpp"
#include "nanoscape/io/model_store.hpp"
#include "nanoscape/io/text_files.hpp"
#include "nanoscape/io/xyz.hpp"
#include "nanoscape/surrogate/selection.hpp"
#include "nanoscape/surrogate/surrogate.hpp"

namespace nanoscape::cli {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct FitOptions {
    std::string model_file;
    std::string train;
    std::string test;
    std::string output;
    std::string learning_curve;  // "" = off, "auto" or comma-separated sizes
    std::string methods;         // learning curve: selection methods to compare (default: the model's)
    int threads = 0;
    std::int64_t seed = -1;
};

std::vector<Sample> read_samples(const std::string& path, const char* what) {
    const auto frames = read_xyz(path);
    if (frames.empty()) throw InputError(fmt::format("{}: {} set has no structures", path, what));
    std::vector<Sample> samples;
    for (std::size_t f = 0; f < frames.size(); ++f) {
        if (!frames[f].energy)
            throw InputError(fmt::format("{}: frame {} has no energy= in its comment line (label the {} set with "
                                         "`nanoscape eval` or `nanoscape sample`)",
                                         path, f + 1, what));
        samples.push_back({frames[f].cluster, *frames[f].energy, frames[f].forces});
    }
    return samples;
}

struct Metrics {
    std::size_t n_test = 0;
    double mae = 0, rmse = 0, max_error = 0;  // eV/atom
    double force_mae = std::nan("");           // eV/Angstrom
    double coverage1 = 0, coverage2 = 0;
    double mean_sigma = 0;                     // eV/atom
    double predict_time_per_atom = 0;          // s
    std::vector<Prediction> predictions;
};

Metrics evaluate(const Surrogate& model, const std::vector<Sample>& test, bool with_forces) {
    Metrics m;
    m.n_test = test.size();
    // Cost per atom measured serially on a few structures, so it does not depend on threads.
    const std::size_t timed = std::min<std::size_t>(test.size(), 20);
    std::size_t timed_atoms = 0;
    const auto t0 = Clock::now();
    for (std::size_t s = 0; s < timed; ++s) {
        (void)model.predict(test[s].cluster);
        timed_atoms += test[s].cluster.size();
    }
    m.predict_time_per_atom =
        std::chrono::duration<double>(Clock::now() - t0).count() / static_cast<double>(std::max<std::size_t>(timed_atoms, 1));

    m.predictions.resize(test.size());
    std::vector<double> force_abs(test.size(), 0.0);
    std::vector<std::size_t> force_count(test.size(), 0);
    parallel_for(static_cast<std::int64_t>(test.size()), 0, [&](std::int64_t s) {
        const auto& sample = test[static_cast<std::size_t>(s)];
        if (with_forces && sample.forces) {
            Eigen::Matrix3Xd forces;
            m.predictions[static_cast<std::size_t>(s)] = model.predict(sample.cluster, &forces, nullptr);
            force_abs[static_cast<std::size_t>(s)] = (forces - *sample.forces).cwiseAbs().sum();
            force_count[static_cast<std::size_t>(s)] = static_cast<std::size_t>(forces.size());
        } else {
            m.predictions[static_cast<std::size_t>(s)] = model.predict(sample.cluster);
        }
    });
    double sq = 0, fsum = 0;
    std::size_t fcount = 0;
    for (std::size_t s = 0; s < test.size(); ++s) {
        const double atoms = static_cast<double>(test[s].cluster.size());
        const auto& p = m.predictions[s];
        const double err = std::abs(p.energy - test[s].energy);
        m.mae += err / atoms;
        sq += (err / atoms) * (err / atoms);
        m.max_error = std::max(m.max_error, err / atoms);
        m.coverage1 += err <= p.sigma() ? 1.0 : 0.0;
        m.coverage2 += err <= 2.0 * p.sigma() ? 1.0 : 0.0;
        m.mean_sigma += p.sigma() / atoms;
        fsum += force_abs[s];
        fcount += force_count[s];
    }
    const auto count = static_cast<double>(test.size());
    m.mae /= count;
    m.rmse = std::sqrt(sq / count);
    m.coverage1 /= count;
    m.coverage2 /= count;
    m.mean_sigma /= count;
    if (fcount > 0) m.force_mae = fsum / static_cast<double>(fcount);
    return m;
}

// The training subset: every structure, or `training_size` of them chosen by the method.
std::vector<Sample> choose_training(const std::vector<Sample>& pool, const SelectionOptions& options,
                                    Surrogate& model) {
    if (options.count >= pool.size()) return pool;
    const auto& method = *std::find_if(selection_registry().begin(), selection_registry().end(),
                                       [&](const SelectionMethod& m) { return m.key == options.method; });
    // max_variance fits `model` on growing subsets; the caller fits it on the choice afterwards.
    const auto picked =
        select_training_set(pool, options, &model.descriptor(), method.needs_model ? &model : nullptr);
    std::vector<Sample> chosen;
    for (const auto i : picked) chosen.push_back(pool[i]);
    return chosen;
}

std::vector<std::size_t> curve_sizes(const std::string& spec, std::size_t largest) {
    std::vector<std::size_t> sizes;
    if (spec == "auto") {
        for (double n = static_cast<double>(largest); n >= 5; n /= 2) sizes.push_back(static_cast<std::size_t>(n));
        std::reverse(sizes.begin(), sizes.end());
        return sizes;
    }
    for (const long value : parse_integer_list(spec, "--learning-curve", "give 'auto' or sizes such as 25,50,100")) {
        if (value < 2) throw InputError(fmt::format("--learning-curve: a training set needs at least 2 structures, not {}", value));
        if (static_cast<std::size_t>(value) > largest)
            throw InputError(fmt::format("--learning-curve: {} exceeds the {} training structures available", value,
                                         largest));
        sizes.push_back(static_cast<std::size_t>(value));
    }
    return sizes;
}

// metrics.json; NaN (a metric that could not be computed) becomes null.
std::string metrics_json(const FitOptions& o, const Surrogate& model, const SelectionOptions& selection,
                         std::size_t pool_size, double fit_time, const Metrics* train, const Metrics* test) {
    nlohmann::ordered_json j;
    const auto number = [](double x) { return std::isfinite(x) ? nlohmann::ordered_json(x) : nlohmann::ordered_json(); };
    j["model"] = model.type();
    j["description"] = model.description();
    j["descriptor"] = model.descriptor().type();
    j["train_file"] = o.train;
    j["n_pool"] = pool_size;
    j["n_train"] = model.training_size();
    j["selection"] = selection.method;
    j["seed"] = selection.seed;
    j["fit_time_s"] = number(fit_time);
    if (train) {
        j["train_energy_mae_per_atom"] = number(train->mae);
        j["train_energy_rmse_per_atom"] = number(train->rmse);
    }
    if (test) {
        j["test_file"] = o.test;
        j["n_test"] = test->n_test;
        j["energy_mae_per_atom"] = number(test->mae);
        j["energy_rmse_per_atom"] = number(test->rmse);
        j["energy_max_error_per_atom"] = number(test->max_error);
        if (std::isfinite(test->force_mae)) j["force_mae"] = test->force_mae;
        j["coverage_1sigma"] = number(test->coverage1);
        j["coverage_2sigma"] = number(test->coverage2);
        j["mean_sigma_per_atom"] = number(test->mean_sigma);
        j["predict_time_per_atom_s"] = number(test->predict_time_per_atom);
    } else if (train) {
        j["predict_time_per_atom_s"] = number(train->predict_time_per_atom);
    }
    j["threads"] = resolve_threads(0);
    j["version"] = version();
    return format_json(j);
}

int run_fit(const FitOptions& o) {
    if (o.threads > 0) omp_set_num_threads(o.threads);
    ModelFile file = read_model_file(o.model_file);
    if (o.seed >= 0) file.surrogate.set("seed", ParameterValue::of(o.seed));
    const auto pool = read_samples(o.train, "training");
    std::vector<Sample> test;
    if (!o.test.empty()) test = read_samples(o.test, "test");
    if (!o.learning_curve.empty() && test.empty())
        throw InputError("--learning-curve needs a test set (--test TEST.xyz)");

    std::vector<Species> species = file.species;
    for (const auto z : unique_species(pool)) species.push_back(z);
    for (const auto z : unique_species(test)) species.push_back(z);
    species = unique_species(species);

    const auto seed = o.seed >= 0 ? static_cast<std::uint64_t>(o.seed)
                                  : static_cast<std::uint64_t>(file.surrogate.get_integer("seed", 0));
    const std::int64_t requested = file.surrogate.get_integer("training_size", static_cast<std::int64_t>(pool.size()));
    if (requested < 1) throw file.surrogate.error("training_size", "must be at least 1");
    if (static_cast<std::size_t>(requested) > pool.size())
        spdlog::warn("training_size = {} but {} has only {} structures: training on all of them", requested, o.train,
                     pool.size());
    const auto count = std::min(static_cast<std::size_t>(requested), pool.size());
    const SelectionOptions selection = read_selection_options(file.surrogate, count, seed);
    // Builds the model now so that a bad key fails before any work.
    auto model = create_surrogate(file.surrogate, species);
    const fs::path out_dir = o.output.empty() ? fs::path(fs::path(o.model_file).stem().string() + ".model")
                                              : fs::path(o.output);

    spdlog::info("{}: {} structures from {}, {} for training ({} selection), {} test structures", model->type(),
                 pool.size(), o.train, count, selection.method, test.size());
    const auto training = choose_training(pool, selection, *model);
    const auto t0 = Clock::now();
    model->fit(training);
    const double fit_time = std::chrono::duration<double>(Clock::now() - t0).count();
    spdlog::info("fitted in {:.2f} s: {}", fit_time, model->description());

    const Metrics train_metrics = evaluate(*model, training, false);
    std::unique_ptr<Metrics> test_metrics;
    if (!test.empty()) test_metrics = std::make_unique<Metrics>(evaluate(*model, test, true));

    save_model(out_dir, *model);
    write_text_atomically(out_dir / "metrics.json", metrics_json(o, *model, selection, pool.size(), fit_time,
                                                                 &train_metrics, test_metrics.get()));
    if (test_metrics) {
        std::string csv = "index,atoms,reference_energy,predicted_energy,sigma,error_per_atom\n";
        for (std::size_t s = 0; s < test.size(); ++s) {
            const auto& p = test_metrics->predictions[s];
            csv += fmt::format("{},{},{},{},{},{}\n", s + 1, test[s].cluster.size(), test[s].energy, p.energy,
                               p.sigma(), (p.energy - test[s].energy) / static_cast<double>(test[s].cluster.size()));
        }
        write_text_atomically(out_dir / "predictions.csv", csv);
    }

    fmt::print("model      {}\n", model->description());
    fmt::print("training   {} structures ({} selection from {}), fit {:.2f} s, train MAE {:.2f} meV/atom\n",
               model->training_size(), selection.method, pool.size(), fit_time, 1e3 * train_metrics.mae);
    if (test_metrics) {
        const auto& m = *test_metrics;
        fmt::print("test       {} structures: energy MAE {:.2f} meV/atom, RMSE {:.2f} meV/atom, max {:.2f} meV/atom\n",
                   m.n_test, 1e3 * m.mae, 1e3 * m.rmse, 1e3 * m.max_error);
        if (std::isfinite(m.force_mae)) fmt::print("           force MAE {:.4f} eV/A\n", m.force_mae);
        fmt::print("           coverage {:.3f} within 1 sigma, {:.3f} within 2 sigma (Gaussian: 0.683, 0.954); "
                   "mean sigma {:.2f} meV/atom\n",
                   m.coverage1, m.coverage2, 1e3 * m.mean_sigma);
        fmt::print("           prediction {:.3g} s/atom\n", m.predict_time_per_atom);
    }

    if (!o.learning_curve.empty()) {
        std::vector<std::string> methods{selection.method};
        if (!o.methods.empty()) methods = split_commas(o.methods);
        const auto sizes = curve_sizes(o.learning_curve, pool.size());
        std::string csv = "method,n_train,energy_mae_per_atom,energy_rmse_per_atom,coverage_1sigma,coverage_2sigma,"
                          "fit_time_s\n";
        fmt::print("\nlearning curve ({} test structures)\n{:>18} {:>8} {:>14} {:>14} {:>8} {:>8} {:>9}\n", test.size(),
                   "method", "n_train", "MAE meV/atom", "RMSE meV/atom", "cov1", "cov2", "fit s");
        for (const auto& method : methods) {
            ParameterTable table = file.surrogate;
            table.set("selection", ParameterValue::of(method));
            for (const auto n : sizes) {
                const auto options = read_selection_options(table, n, seed);
                auto curve_model = create_surrogate(table, species);
                const auto subset = choose_training(pool, options, *curve_model);
                const auto t1 = Clock::now();
                curve_model->fit(subset);
                const double t = std::chrono::duration<double>(Clock::now() - t1).count();
                const Metrics m = evaluate(*curve_model, test, false);
                fmt::print("{:>18} {:>8} {:>14.3f} {:>14.3f} {:>8.3f} {:>8.3f} {:>9.2f}\n", method, n, 1e3 * m.mae,
                           1e3 * m.rmse, m.coverage1, m.coverage2, t);
                std::fflush(stdout);
                csv += fmt::format("{},{},{},{},{},{},{}\n", method, n, m.mae, m.rmse, m.coverage1, m.coverage2, t);
                write_text_atomically(out_dir / "learning_curve.csv", csv);
            }
        }
    }
    fmt::print("saved      {}/ (model.toml, model.state, metrics.json{})\n", out_dir.string(),
               test_metrics ? ", predictions.csv" : "");
    std::fflush(stdout);
    return 0;
}

}  // namespace

void register_fit(CLI::App& app, int& exit_code) {
    auto o = std::make_shared<FitOptions>();
    auto* cmd = app.add_subcommand("fit", "train a surrogate model on labelled structures and report its accuracy");
    cmd->add_option("model", o->model_file, "model file: a TOML file with a [surrogate] table (a run file works too)")
        ->required();
    cmd->add_option("--train", o->train, "training structures: extended XYZ with energy= (and forces)")->required();
    cmd->add_option("--test", o->test, "held-out structures for MAE, RMSE, force MAE and sigma coverage");
    cmd->add_option("-o,--output", o->output, "model directory to write (default: <model stem>.model)");
    cmd->add_option("--learning-curve", o->learning_curve,
                    "also fit on growing subsets: 'auto' (halving from the full set) or sizes such as 25,50,100")
        ->expected(0, 1)
        ->default_str("auto");
    cmd->add_option("--methods", o->methods,
                    "learning curve: selection methods to compare, e.g. random,fps,cur,descriptor_space");
    cmd->add_option("--seed", o->seed, "seed of the selection and the model (default: [surrogate] seed or 0)");
    cmd->add_option("--threads,-j", o->threads, "OpenMP threads (default: all cores); never changes results")->check(non_negative());
    cmd->callback([o, &exit_code] { exit_code = run_fit(*o); });
}

}  // namespace nanoscape::cli
