// export-eam: a Gupta parameter set written as a LAMMPS EAM table (eam/fs or setfl).
// export-table: a mapped surrogate's pair functions as a LAMMPS pair_style table file.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ranges>
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
#include "nanoscape/io/model_store.hpp"
#include "nanoscape/potentials/eam_export.hpp"
#include "nanoscape/surrogate/mapped.hpp"

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

struct ExportTableOptions {
    std::string model;   // a saved `mapped` model directory
    std::string output;  // the table file
    int points = 5000;
    double r_inner = 0.0;  // 0: 0.5 A below the shortest table start
};

int run_export_table(const ExportTableOptions& o) {
    const auto model = load_model(o.model);
    const auto* mapped = dynamic_cast<const MappedGp*>(model.get());
    if (!mapped)
        throw InputError(fmt::format("--model {}: export-table writes `mapped` models, this is a '{}' model", o.model,
                                     model->type()));
    check_output_file(o.output);
    const auto& species = mapped->species();
    double start = mapped->mapped_settings().cutoff;
    for (std::size_t a = 0; a < species.size(); ++a)
        for (std::size_t b = a; b < species.size(); ++b) start = std::min(start, mapped->table_start(species[a], species[b]));
    const double inner = o.r_inner > 0 ? o.r_inner : std::max(0.5, start - 0.5);
    write_text_atomically(o.output, lammps_pair_table(*mapped, o.points, inner, o.model));
    spdlog::info("wrote {}: {} pairs, {} points from {:.4f} A to {:g} A", o.output,
                 species.size() * (species.size() + 1) / 2, o.points, inner, mapped->mapped_settings().cutoff);
    fmt::print("LAMMPS: pair_style table spline {}\n", o.points);
    for (std::size_t a = 0; a < species.size(); ++a)
        for (std::size_t b = a; b < species.size(); ++b)
            fmt::print("        pair_coeff {} {} {} {}_{} {:g}\n", a + 1, b + 1, o.output, symbol(species[a]),
                       symbol(species[b]), mapped->mapped_settings().cutoff);
    fmt::print("(atom types 1..{} = {}; LAMMPS' energy + sum_Z n_Z e_Z, in the file's header, is the model's)\n",
               species.size(), fmt::join(species | std::views::transform([](Species z) { return symbol(z); }), " "));
    std::fflush(stdout);
    return 0;
}

}  // namespace

void register_export_table(CLI::App& app, int& exit_code) {
    auto options = std::make_shared<ExportTableOptions>();
    auto* cmd = app.add_subcommand("export-table",
                                   "write a mapped surrogate's pair functions as a LAMMPS pair_style table file");
    cmd->add_option("--model,-m", options->model, "saved `mapped` model directory (from nanoscape fit)")->required();
    cmd->add_option("-o,--output", options->output, "table file to write")->required();
    cmd->add_option("--points", options->points, "distances per pair")->check(CLI::Range(2, 10000000))->capture_default_str();
    cmd->add_option("--r-inner", options->r_inner, "first distance, A (default: 0.5 A below the shortest table start)")
        ->check(positive());
    cmd->callback([options, &exit_code] { exit_code = run_export_table(*options); });
}

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
