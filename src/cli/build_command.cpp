// build: starting structures (a motif, a composition, an ordering) written as extended XYZ.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "validators.hpp"
#include "list_options.hpp"
#include "nanoscape/core/error.hpp"
#include "nanoscape/geometry/motifs.hpp"
#include "nanoscape/io/potential_loader.hpp"
#include "nanoscape/io/text_files.hpp"
#include "nanoscape/io/xyz.hpp"

namespace nanoscape::cli {

namespace {

struct BuildOptions {
    std::string motif;
    int shells = 0;
    int size = 0;
    std::string shape;        // "p,q,r" or "length[,cutoff]"
    std::string composition;  // "Pt=74,Au=73"
    std::string ordering = "random";
    std::uint64_t seed = 0;
    std::string potential;  // SPEC; empty: default_pair_distance
    std::string variant;
    std::string output;
};


int run_build(const BuildOptions& o) {
    check_output_file(o.output);  // before any work
    BuildRequest request;
    request.motif = parse_motif(o.motif);
    request.ordering = parse_ordering(o.ordering);
    request.composition = parse_composition(o.composition);
    request.shells = o.shells;
    request.size = o.size;
    if (!o.shape.empty()) request.shape = parse_shape_option(o.shape);
    const int given = (o.shells != 0) + (o.size != 0) + !o.shape.empty();
    if (given != 1) throw InputError(fmt::format("give exactly one of --shells, --size and --shape (got {})", given));
    if (o.shells < 0 || o.size < 0)
        throw InputError(fmt::format("--{} must be a positive integer", o.shells < 0 ? "shells" : "size"));

    // The CLI words the most common mistake itself, naming its options.
    const std::int64_t n = requested_size(request);
    const std::int64_t total = composition_size(request.composition);
    if (total != n) {
        if (o.size != 0)
            throw InputError(
                fmt::format("--composition {} sums to {} but --size is {}", to_string(request.composition), total, n));
        throw InputError(fmt::format("--composition {} sums to {} but {} has {} atoms", to_string(request.composition),
                                     total, describe_request(request), n));
    }

    std::unique_ptr<Potential> potential;
    PairDistance pair_distance = default_pair_distance;
    if (!o.potential.empty()) {
        potential = load_potential_spec(o.potential, o.variant);
        std::vector<Species> species;
        for (const auto& entry : request.composition) species.push_back(entry.first);
        potential->check_species(species_only(species));
        pair_distance = [&potential](Species a, Species b) { return potential->pair_distance(a, b); };
        spdlog::info("nearest-neighbour distances from {}", potential->description());
    }
    const double d = mean_pair_distance(request.composition, pair_distance);

    Rng rng = make_stream(o.seed, 0);
    XyzFrame frame;
    frame.cluster = build_cluster(request, pair_distance, rng);
    frame.set_info("motif", to_string(request.motif));
    if (o.shells != 0) frame.set_info("shells", std::to_string(o.shells));
    if (o.size != 0) frame.set_info("size", std::to_string(o.size));
    if (!request.shape.empty()) frame.set_info("shape", fmt::format("{}", fmt::join(request.shape, ",")));
    frame.set_info("ordering", to_string(request.ordering));
    frame.set_info("seed", std::to_string(o.seed));
    frame.set_info("nn_distance", fmt::format("{:.6f}", d));
    if (potential) frame.set_info("potential", potential->type());
    write_xyz(o.output, {frame});

    fmt::print("{} ({} atoms): {}, {} ordering, nn distance {:.4f} A, seed {} -> {}\n", frame.cluster.formula(),
               frame.cluster.size(), describe_request(request), to_string(request.ordering), d, o.seed, o.output);
    std::fflush(stdout);
    return 0;
}

}  // namespace

void register_build(CLI::App& app, int& exit_code) {
    // Shared with the callback, which CLI11 keeps for as long as `app` lives.
    auto o = std::make_shared<BuildOptions>();
    auto* cmd = app.add_subcommand("build", "build a starting structure: a motif with a composition and an ordering");
    cmd->add_option("--motif,-m", o->motif, fmt::format("structural motif: {}", fmt::join(motif_names(), ", ")))
        ->required();
    cmd->add_option("--shells", o->shells, "complete motif with K shells (13, 55, 147, ... atoms for K = 1, 2, 3)")
        ->check(whole_at_least(1));
    cmd->add_option("--size", o->size,
                    "N atoms: the N sites of the smallest complete motif >= N closest to its centre")
        ->check(whole_at_least(2));
    cmd->add_option("--shape", o->shape,
                    "explicit shape: decahedron P,Q,R (ASE Decahedron; 2,2,1 = Marks 75), octahedron LENGTH, "
                    "truncated_octahedron LENGTH,CUTOFF (ASE Octahedron)");
    cmd->add_option("--composition,-c", o->composition, "species and counts, core first for core-shell: Pt=74,Au=73")
        ->required();
    cmd->add_option("--ordering", o->ordering, "placement of the species: random or core-shell")->capture_default_str();
    cmd->add_option("--seed", o->seed, "random seed (random motif, random ordering, partial shells)")
        ->capture_default_str();
    cmd->add_option("--potential,-p", o->potential,
                    "take nearest-neighbour distances from this potential SPEC (default: sums of covalent radii)");
    cmd->add_option("--variant", o->variant, "variant of the potential's parameter set");
    cmd->add_option("-o,--output", o->output, "output file (extended XYZ)")->required();
    cmd->callback([o, &exit_code] { exit_code = run_build(*o); });
}

}  // namespace nanoscape::cli
