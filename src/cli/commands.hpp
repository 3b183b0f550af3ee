#pragma once
// The CLI's commands: each parses nothing (main.cpp does) and calls the library.

#include <string>

namespace CLI {
class App;
}

namespace nanoscape::cli {

struct EvalOptions {
    std::string potential;  // SPEC
    std::string variant;
    std::string input;
    std::string output;     // empty: table only
};

struct RelaxCommandOptions {
    std::string potential;
    std::string variant;
    std::string input;
    std::string output;     // empty: <input stem>.relaxed.xyz
    std::string optimizer = "lbfgs";
    double fmax = 0.01;
    int max_steps = 5000;
    double max_step = 0.2;
    int threads = 0;
};

struct ConvertOptions {
    std::string input;
    std::string output;
};

int run_eval(const EvalOptions& options);
int run_relax(const RelaxCommandOptions& options);
int run_convert(const ConvertOptions& options);

// Commands that register themselves (options and callback) on the app.
void register_run(CLI::App& app, int& exit_code);
/// Adds `nanoscape build` (build_command.cpp); its callback stores the exit code in `exit_code`.
void register_build(CLI::App& app, int& exit_code);
/// Adds `nanoscape sample` (sample_command.cpp): labelled data sets from a reference potential.
void register_sample(CLI::App& app, int& exit_code);
/// Adds `nanoscape fit` (fit_command.cpp): train a surrogate, report metrics, save the model.
void register_fit(CLI::App& app, int& exit_code);
/// Adds `nanoscape export-eam` (export_command.cpp): a Gupta set as a LAMMPS EAM table.
void register_export_eam(CLI::App& app, int& exit_code);
/// Adds `nanoscape export-table` (export_command.cpp): a mapped model as a LAMMPS pair table.
void register_export_table(CLI::App& app, int& exit_code);
/// Adds `nanoscape hull` (hull_command.cpp): print and write the hull of run directories.
void register_hull(CLI::App& app, int& exit_code);
/// Adds `nanoscape merge` (merge_command.cpp): run directories (replicas, array tasks) into one.
void register_merge(CLI::App& app, int& exit_code);
/// Adds `nanoscape list` (list_command.cpp): the registered drivers, moves, potentials, ...
void register_list(CLI::App& app, int& exit_code);

}  // namespace nanoscape::cli
