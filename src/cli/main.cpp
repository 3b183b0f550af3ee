// nanoscape command line: parses arguments and hands over to the commands. Thin by design.

#include <algorithm>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "validators.hpp"
#include "nanoscape/core/error.hpp"
#include "nanoscape/core/mpi.hpp"
#include "nanoscape/potentials/registry.hpp"
#include "nanoscape/relax/relaxer.hpp"
#include "nanoscape/core/version.hpp"

namespace {

// The console logger. Its level is set on the sink too, so a run's own logger, which shares
// the sink and also writes run.log, shows on the console only what -q / -v allow.
void set_up_logging(bool quiet, bool verbose) {
    auto logger = spdlog::stderr_color_mt("nanoscape");
    logger->set_pattern("%^[%l]%$ %v");
    const auto level = quiet ? spdlog::level::warn : verbose ? spdlog::level::debug : spdlog::level::info;
    for (auto& sink : logger->sinks()) sink->set_level(level);
    logger->set_level(level);
    spdlog::set_default_logger(logger);
}

// " (rank 1)" under mpirun with several ranks, so a worker's message says whose it is.
std::string rank_label() {
    return nanoscape::mpi::size() > 1 ? fmt::format(" (rank {})", nanoscape::mpi::rank()) : std::string();
}

std::string potential_help() {
    return fmt::format("potential SPEC: a registry key ({}), a potential file (*.toml), a run file, or a model "
                       "directory written by `fit`",
                       fmt::join(nanoscape::potential_registry().keys(), ", "));
}

// Options every structure command takes: the potential, its variant, the input file.
void add_potential_and_input(CLI::App* command, std::string& potential, std::string& variant, std::string& input) {
    command->add_option("--potential,-p", potential, potential_help())->required();
    command->add_option("--variant", variant, "variant of the parameter set (e.g. dft_fit)");
    command->add_option("input", input, "structure file (extended XYZ, multi-frame)")->required();
}

}  // namespace

namespace {

// The command itself; main() wraps it in MPI's start and end.
int run_main(int argc, char** argv) {
    using namespace nanoscape;
    CLI::App app{"nanoscape: global optimisation of metallic nanoalloy clusters"};
    app.set_version_flag("--version", fmt::format("nanoscape {}", version()));
    app.require_subcommand(1);
    app.fallthrough();  // -q, -v are accepted after the subcommand too
    bool quiet = false, verbose = false;
    app.add_flag("-q,--quiet", quiet, "only warnings and errors on stderr");
    app.add_flag("-v,--verbose", verbose, "debug output on stderr");
    int exit_code = 0;
    app.parse_complete_callback([&] { set_up_logging(quiet, verbose); });

    cli::register_run(app, exit_code);

    cli::EvalOptions eval;
    auto* eval_cmd = app.add_subcommand("eval", "energy, forces and per-atom energies of every structure in a file");
    add_potential_and_input(eval_cmd, eval.potential, eval.variant, eval.input);
    eval_cmd->add_option("-o,--output", eval.output, "write the frames with energy, forces, energies here");
    eval_cmd->callback([&] { exit_code = cli::run_eval(eval); });

    cli::RelaxCommandOptions relax;
    auto* relax_cmd = app.add_subcommand("relax", "locally relax every structure in a file");
    add_potential_and_input(relax_cmd, relax.potential, relax.variant, relax.input);
    relax_cmd->add_option("-o,--output", relax.output, "relaxed frames (default: <input stem>.relaxed.xyz)");
    relax_cmd->add_option("--optimizer", relax.optimizer, "local optimiser")
        ->check(CLI::IsMember(relaxer_registry().keys()))
        ->capture_default_str();
    relax_cmd->add_option("--fmax", relax.fmax, "convergence: largest force, eV/A")
        ->check(cli::positive())
        ->capture_default_str();
    relax_cmd->add_option("--max-steps", relax.max_steps, "step limit per structure")
        ->check(cli::positive())
        ->capture_default_str();
    relax_cmd->add_option("--max-step", relax.max_step, "largest move of an atom per step, A")
        ->check(cli::positive())
        ->capture_default_str();
    relax_cmd->add_option("--threads,-j", relax.threads, "OpenMP threads (default: all cores)")
        ->check(cli::non_negative());
    relax_cmd->callback([&] { exit_code = cli::run_relax(relax); });

    cli::ConvertOptions convert;
    auto* convert_cmd = app.add_subcommand("convert", "read a (plain or extended) XYZ file and write extended XYZ");
    convert_cmd->add_option("input", convert.input, "structure file")->required();
    convert_cmd->add_option("-o,--output", convert.output, "output file")->required();
    convert_cmd->callback([&] { exit_code = cli::run_convert(convert); });
    cli::register_build(app, exit_code);
    cli::register_sample(app, exit_code);
    cli::register_fit(app, exit_code);
    cli::register_export_eam(app, exit_code);
    cli::register_export_table(app, exit_code);
    cli::register_hull(app, exit_code);
    cli::register_merge(app, exit_code);
    cli::register_list(app, exit_code);

    // The first word that is not an option must name a command: "unknown command 'rnu'; did
    // you mean 'run'?" instead of CLI11's "A subcommand is required".
    for (int i = 1; i < argc; ++i) {
        const std::string word = argv[i];
        if (word.empty() || word[0] == '-') continue;
        std::vector<std::string> commands;
        for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) commands.push_back(sub->get_name());
        if (std::find(commands.begin(), commands.end(), word) == commands.end()) {
            fmt::print(stderr, "nanoscape: error: unknown command '{}'{}; commands: {}\n", word, did_you_mean(word, commands),
                       fmt::join(commands, ", "));
            return 2;
        }
        break;
    }
    try {
        app.parse(argc, argv);  // runs the chosen command's callback
    } catch (const CLI::ParseError& e) {
        // --help and --version are "errors" with exit code 0; real usage errors exit with 2.
        const int code = app.exit(e);
        return code == 0 ? 0 : 2;
    } catch (const InputError& e) {
        fmt::print(stderr, "nanoscape: error{}: {}\n", rank_label(), e.what());
        return 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "nanoscape: error{}: {}\n", rank_label(), e.what());
        return 1;
    }
    return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
    // Under mpirun every rank runs the command; `run` makes rank 0 the coordinator and the
    // others its workers (docs/scale.md). A rank that ends with an error (or an interrupt's
    // 130) ends them all with its exit code: none is left waiting for the others.
    nanoscape::mpi::init(argc, argv);
    const int code = run_main(argc, argv);
    if (code != 0) nanoscape::mpi::abort(code);
    nanoscape::mpi::finalize();
    return code;
}
