// export-eam: a Gupta parameter set written as a LAMMPS EAM table (eam/fs or setfl).

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "nanoscape/io/text_files.hpp"
#include "validators.hpp"
#include "nanoscape/core/error.hpp"
#include "nanoscape/geometry/builders.hpp"
#include "nanoscape/io/potential_loader.hpp"
#include "nanoscape/potentials/eam_export.hpp"

namespace nanoscape::cli {

namespace {

struct ExportEamOptions {
    std::string potential;  // SPEC of a Gupta set
    std::string variant;
    std::string output;     // *.eam.fs or *.eam.alloy
    std::string elements;   // "Ag,Cu": subset and order; empty: all
    EamExportOptions tabulation;
};

std::vector<Species> parse_elements(const std::string& text) {
    std::vector<Species> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        out.push_back(species_from_symbol(text.substr(start, comma - start)));
        start = comma + 1;
    }
    return out;
}

// The exported table against the set it came from, on a 147-atom Mackay icosahedron at the
// set's r0 (species alternating through the exported ones): the tabulation error in one number.
void report_check(const Gupta& gupta, const Potential& exported, const std::vector<Species>& species) {
    Cluster c = make_icosahedron(3, largest_pair_distance(species, gupta), species.front());
    for (std::size_t i = 0; i < c.species.size(); ++i) c.species[i] = species[i % species.size()];
    Eigen::Matrix3Xd f_gupta, f_eam;
    const double e_gupta = gupta.energy_and_forces(c, f_gupta);
    const double e_eam = exported.energy_and_forces(c, f_eam);
    fmt::print("check, 147-atom icosahedron ({}): Gupta {:.10f} eV, table {:.10f} eV, |dE| {:.3e} eV, max |dF| {:.3e} eV/A\n",
               c.formula(), e_gupta, e_eam, std::abs(e_eam - e_gupta), (f_eam - f_gupta).cwiseAbs().maxCoeff());
}

int run_export_eam(const ExportEamOptions& o) {
    const auto potential = load_potential_spec(o.potential, o.variant);
    const auto* gupta = dynamic_cast<const Gupta*>(potential.get());
    if (!gupta)
        throw InputError(fmt::format("--potential {}: export-eam writes Gupta sets, this is a '{}' potential", o.potential,
                                     potential->type()));
    if (!is_eam_file_name(o.output) || eam_format_from_name(o.output) == EamFormat::funcfl)
        throw InputError(fmt::format("-o {}: write *.eam.fs (pair_style eam/fs) or, for one species, *.eam.alloy", o.output));
    check_output_file(o.output);  // before any work
    const EamFormat format = eam_format_from_name(o.output);
    EamExportOptions options = o.tabulation;
    if (!o.elements.empty()) options.species = parse_elements(o.elements);
    const EamTables tables = tabulate_gupta(*gupta, options);
    write_eam_table(o.output, tables, format);

    std::vector<std::string> symbols;
    std::vector<Species> species;
    for (const auto& e : tables.elements) {
        symbols.push_back(symbol(e.species));
        species.push_back(e.species);
    }
    spdlog::info("wrote {} ({}): {}", o.output, format == EamFormat::setfl ? "setfl, pair_style eam/alloy" : "pair_style eam/fs",
                 gupta->description());
    fmt::print("cutoff {:.6f} A{}, nr {}, nrho {}, rho_max {:.6g} eV^2\n", tables.cutoff,
               std::isfinite(gupta->cutoff()) ? " (the set's)" : fmt::format(" (terms below {:g} eV)", options.tolerance),
               tables.nr, tables.nrho, tables.rhomax);
    fmt::print("LAMMPS: pair_style {}; pair_coeff * * {} {}\n", format == EamFormat::setfl ? "eam/alloy" : "eam/fs",
               o.output, fmt::join(symbols, " "));
    const auto reread = load_potential_spec(o.output, "");
    report_check(*gupta, *reread, species);
    std::fflush(stdout);
    return 0;
}

}  // namespace

void register_export_eam(CLI::App& app, int& exit_code) {
    auto options = std::make_shared<ExportEamOptions>();
    auto* cmd = app.add_subcommand("export-eam", "write a Gupta parameter set as a LAMMPS EAM table (eam/fs, setfl)");
    cmd->add_option("--potential,-p", options->potential, "Gupta SPEC: registry key, parameter file or run file")->required();
    cmd->add_option("--variant", options->variant, "variant of the parameter set");
    cmd->add_option("-o,--output", options->output, "*.eam.fs (any set) or *.eam.alloy (one species)")->required();
    cmd->add_option("--nr", options->tabulation.nr, "distance knots")->check(CLI::Range(5, 1000000))->capture_default_str();
    cmd->add_option("--nrho", options->tabulation.nrho, "density knots")->check(CLI::Range(5, 1000000))->capture_default_str();
    cmd->add_option("--cutoff", options->tabulation.cutoff,
                    "table cutoff, A (default: the set's; without one, where every term is below --tolerance)")
        ->check(positive());
    cmd->add_option("--tolerance", options->tabulation.tolerance, "eV, for the automatic cutoff")
        ->check(positive())
        ->capture_default_str();
    cmd->add_option("--rho-max", options->tabulation.rho_max, "largest tabulated density, eV^2 (default: automatic)")
        ->check(positive());
    cmd->add_option("--elements", options->elements, "species to export, comma-separated (default: all of the set)");
    cmd->callback([options, &exit_code] { exit_code = run_export_eam(*options); });
}

}  // namespace nanoscape::cli
