// nanoscape list: what is registered (drivers, moves, potentials, relaxers, surrogates, ...).

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "commands.hpp"
#include "nanoscape/descriptors/descriptor.hpp"
#include "nanoscape/io/calculators.hpp"
#include "nanoscape/potentials/registry.hpp"
#include "nanoscape/relax/relaxer.hpp"
#include "nanoscape/search/driver.hpp"
#include "nanoscape/search/crossover.hpp"
#include "nanoscape/search/moves.hpp"
#include "nanoscape/surrogate/selection.hpp"
#include "nanoscape/surrogate/surrogate.hpp"

namespace nanoscape::cli {

namespace {

template <class Entry>
void print_registry(const std::string& title, const Registry<Entry>& registry, bool keys_only) {
    if (keys_only) {
        for (const auto& e : registry) fmt::print("{}\n", e.key);
        return;
    }
    fmt::print("{}:\n", title);
    for (const auto& e : registry) fmt::print("  {:<22} {}\n", e.key, e.summary);
}

}  // namespace

void register_list(CLI::App& app, int& exit_code) {
    static std::string what;
    static bool keys_only = false;
    const std::vector<std::string> kinds{"drivers", "moves", "crossovers", "potentials", "relaxers", "descriptors", "surrogates",
                                         "selection"};
    auto* cmd = app.add_subcommand("list", "the registered drivers, moves, crossovers, potentials, relaxers, descriptors, surrogates "
                                           "and selection methods");
    cmd->add_option("what", what, "one kind only")->check(CLI::IsMember(kinds));
    cmd->add_flag("--keys", keys_only, "registry keys only, one per line (for scripts)");
    cmd->callback([&exit_code] {
        const auto show = [](const std::string& kind) { return what.empty() || what == kind; };
        const bool bare = keys_only && !what.empty();
        if (show("drivers")) print_registry("drivers ([search] driver)", driver_registry(), bare);
        if (show("moves")) print_registry("moves ([search.moves])", move_registry(), bare);
        if (show("crossovers")) print_registry("crossovers ([search] crossover, genetic_algorithm)", crossover_registry(), bare);
        if (show("potentials")) {
            print_registry("potentials ([potential] type)", potential_registry(), bare);
            print_registry("external calculators and trained models ([potential] type)", calculator_registry(), bare);
        }
        if (show("relaxers")) print_registry("relaxers ([relax] type)", relaxer_registry(), bare);
        if (show("descriptors")) print_registry("descriptors ([surrogate] descriptor)", descriptor_registry(), bare);
        if (show("surrogates")) print_registry("surrogates ([surrogate] type)", surrogate_registry(), bare);
        if (show("selection")) print_registry("training-set selection ([surrogate] selection)", selection_registry(), bare);
        exit_code = 0;
    });
}

}  // namespace nanoscape::cli
