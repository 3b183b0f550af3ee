#include "nanoscape/io/run_config.hpp"

#include <algorithm>
#include <filesystem>
#include <cmath>
#include <limits>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nanoscape/io/external_potential.hpp"
#include "nanoscape/io/potential_loader.hpp"
#include "nanoscape/io/reference_calls.hpp"
#include "nanoscape/core/mpi.hpp"
#include "nanoscape/search/mpi_work.hpp"
#include "nanoscape/io/text_files.hpp"
#include "nanoscape/io/toml_reader.hpp"
#include "nanoscape/geometry/motifs.hpp"
#include "nanoscape/potentials/eam.hpp"
#include "nanoscape/io/xyz.hpp"
#include "nanoscape/search/state_json.hpp"

namespace nanoscape {


namespace fs = std::filesystem;

std::vector<std::string> run_file_tables() {
    return {"system", "potential", "relax", "search", "sweep", "surrogate", "screening", "output"};
}

std::vector<int> SweepSettings::slice(int k) const {
    const std::size_t m = counts.size(), parts = static_cast<std::size_t>(std::max(1, slices));
    const auto at = [&](std::size_t j) { return j * m / parts; };
    const auto index = static_cast<std::size_t>(k);
    return {counts.begin() + static_cast<std::ptrdiff_t>(at(index)), counts.begin() + static_cast<std::ptrdiff_t>(at(index + 1))};
}

std::vector<Species> SweepSettings::species(int n) const {
    std::vector<Species> s(static_cast<std::size_t>(n), elements.at(0));
    s.insert(s.end(), static_cast<std::size_t>(size - n), elements.at(1));
    std::sort(s.begin(), s.end());
    return s;
}

namespace {

// A file that is not TOML at all, given where a run file belongs (`check X.eam.fs`, `run
// best.xyz`): say what it is before the TOML parser reports a syntax error at line 1.
void reject_other_file_kinds(const std::string& path) {
    if (is_eam_file_name(path))
        throw InputError(SourceLocation{path, 0, 0},
                         "this is an EAM table, not a run file: use it from a run file's [potential] type = \"eam\", "
                         "file = \"...\", or with --potential in eval, relax, build and sample (docs/potentials.md)");
    if (path.ends_with(".xyz") || path.ends_with(".extxyz"))
        throw InputError(SourceLocation{path, 0, 0},
                         "this is a structure file, not a run file: give it to eval or relax, or start a run from it "
                         "with [system] start = \"...\" (docs/run-file.md)");
}

void check_tables(const ParameterTable& root) {
    // A potential parameter file (type = "gupta", ... at the top level) given where a run file
    // belongs: say what it is rather than "unknown table [type]".
    if (!root.has("system") && root.has("type") && root.find("type")->kind == ParameterValue::Kind::string)
        throw InputError(root.where("type"),
                         fmt::format("this is a potential file (type = \"{}\"), not a run file: use it from a run file's "
                                     "[potential] parameters = \"...\", or with --potential in eval, relax, build and "
                                     "sample (docs/potentials.md)",
                                     root.find("type")->string));
    for (const auto& key : root.keys()) {
        const auto valid = run_file_tables();
        if (std::find(valid.begin(), valid.end(), key) != valid.end()) continue;
        throw InputError(root.where(key), fmt::format("unknown table [{}]{}; tables: {}", key, did_you_mean(key, valid),
                                                      fmt::join(valid, ", ")));
    }
}

Species species_at(const ParameterTable& table, const std::string& key, const std::string& symbol) {
    try {
        return species_from_symbol(symbol);
    } catch (const InputError& e) {
        throw table.error(key, e.what());
    }
}

long positive_count(const ParameterTable& t, const std::string& key, long fallback, long lowest = 1) {
    const std::int64_t v = t.get_integer(key, fallback);
    if (v < lowest) throw t.error(key, fmt::format("must be >= {}, got {}", lowest, v));
    return static_cast<long>(v);
}

double positive_real(const ParameterTable& t, const std::string& key, double fallback, bool allow_zero = false) {
    const double v = t.get_real(key, fallback);
    if (allow_zero ? v < 0 : !(v > 0)) throw t.error(key, fmt::format("must be {}, got {}", allow_zero ? ">= 0" : "> 0", v));
    return v;
}

std::string resolve_input(const std::string& name, const std::string& run_dir) {
    const fs::path p(name);
    if (p.is_absolute() || exists_quietly(p)) return p.string();
    return (fs::path(run_dir) / p).string();
}

// [system] size: a cluster has at least 2 atoms.
long cluster_size(const ParameterTable& system) {
    const std::int64_t n = system.require_integer("size");
    if (n < 2) throw system.error("size", fmt::format("a cluster needs at least 2 atoms, got {}", n));
    return static_cast<long>(n);
}

// [sweep]: the compositions as counts of the first [system] element, both pure ends included.
SweepSettings read_sweep(const ParameterTable& sweep, const std::vector<Species>& elements, long size) {
    sweep.allow_only(
        {"compositions", "seeds", "history_every", "hull_tolerance", "polish_passes", "polish_variants", "slices",
         "share_training"});
    SweepSettings s;
    s.elements = elements;
    s.size = static_cast<int>(size);
    const std::string counted = symbol(elements.front());
    std::vector<int> counts;
    const auto add = [&](std::int64_t n, const std::string& key) {
        if (n < 0 || n > size)
            throw sweep.error(key, fmt::format("{} atoms of {} is outside 0..{} (the [system] size)", n, counted, size));
        counts.push_back(static_cast<int>(n));
    };
    const ParameterValue* value = sweep.find("compositions");
    if (!value || (value->kind == ParameterValue::Kind::string && value->string == "all")) {
        for (long n = 0; n <= size; ++n) counts.push_back(static_cast<int>(n));
    } else if (value->kind == ParameterValue::Kind::array) {
        for (const auto& v : value->array) {
            if (v.kind != ParameterValue::Kind::integer)
                throw sweep.error("compositions", fmt::format("must list whole numbers of {} atoms, e.g. [0, 5, 10], got {}",
                                                              counted, ParameterValue::kind_name(v.kind)));
            add(v.integer, "compositions");
        }
    } else if (value->kind == ParameterValue::Kind::table) {
        const ParameterTable range = sweep.get_table("compositions");
        range.allow_only({"from", "to", "step"});
        const std::int64_t from = range.get_integer("from", 0), to = range.get_integer("to", size);
        const std::int64_t step = range.get_integer("step", 1);
        if (step < 1) throw range.error("step", fmt::format("must be >= 1, got {}", step));
        if (from > to) throw range.error("from", fmt::format("is {} but to is {}", from, to));
        for (std::int64_t n = from; n <= to; n += step) add(n, "compositions");
    } else {
        throw sweep.error("compositions", fmt::format("must be \"all\", a list of {} counts such as [0, 5, 10], or a range "
                                                      "{{ from = 0, to = {}, step = 2 }}",
                                                      counted, size));
    }
    counts.push_back(0);
    counts.push_back(static_cast<int>(size));
    std::sort(counts.begin(), counts.end());
    counts.erase(std::unique(counts.begin(), counts.end()), counts.end());
    s.counts = std::move(counts);
    s.seeds = static_cast<int>(sweep.get_integer_in("seeds", 2, 0, 1000));
    s.history_every = static_cast<long>(sweep.get_integer_in("history_every", 0, 0, std::numeric_limits<std::int64_t>::max()));
    s.hull_tolerance = positive_real(sweep, "hull_tolerance", 1e-6, true);
    s.polish_passes = static_cast<int>(sweep.get_integer_in("polish_passes", 10, 0, 1000));
    s.polish_variants = static_cast<int>(sweep.get_integer_in("polish_variants", 4, 1, 10000));
    s.slices = static_cast<int>(sweep.get_integer_in("slices", 1, 1, 1000000));
    s.share_training = static_cast<long>(sweep.get_integer_in("share_training", s.share_training, 0, 10'000'000));
    if (s.slices > static_cast<int>(s.counts.size()))
        throw sweep.error("slices", fmt::format("is {} but the sweep has {} compositions: at most one slice per composition",
                                                s.slices, s.counts.size()));
    return s;
}

void read_system(const ParameterTable& system, const std::string& run_dir, RunConfig& config,
                 const ParameterTable* sweep) {
    system.allow_only({"elements", "size", "composition", "seed", "start", "ordering"});
    auto& s = config.problem;
    const auto symbols = system.get_string_array("elements");
    if (symbols.empty()) throw system.error("elements", "is required: the element symbols, e.g. [\"Ag\", \"Cu\"]");
    std::vector<Species> elements;
    for (const auto& sym : symbols) elements.push_back(species_at(system, "elements", sym));

    std::map<Species, long> counts;
    if (sweep) {
        if (elements.size() != 2)
            throw system.error("elements", fmt::format("a [sweep] needs exactly two elements, got {}", elements.size()));
        if (elements[0] == elements[1]) throw system.error("elements", "a [sweep] needs two different elements");
        if (system.has("composition"))
            throw system.error("composition", "is set per composition by [sweep] compositions; give [system] size instead");
        if (!system.has("size")) throw system.error("size", "is required with [sweep] (the number of atoms)");
        const long size = cluster_size(system);
        if (size > 100000) throw system.error("size", "more than 100000 atoms is not supported");
        config.sweep = read_sweep(*sweep, elements, size);
        // The middle composition stands for the sweep where one composition is needed (the
        // driver's keys are checked with it).
        const int n = config.sweep->counts[config.sweep->counts.size() / 2];
        counts[elements[0]] = n;
        counts[elements[1]] = size - n;
    } else if (system.has("composition")) {
        const ParameterTable comp = system.get_table("composition");
        for (const auto& key : comp.keys()) {
            const Species z = species_at(comp, key, key);
            if (std::find(elements.begin(), elements.end(), z) == elements.end())
                throw comp.error(key, fmt::format("{} is not in [system] elements ({}){}", key, fmt::join(symbols, ", "),
                                                  did_you_mean(key, symbols)));
            counts[z] = positive_count(comp, key, 0, 0);
        }
    } else {
        if (elements.size() != 1)
            throw system.error("composition", "is required when [system] elements has more than one element, "
                                              "e.g. composition = { Ag = 27, Cu = 7 }");
        if (!system.has("size")) throw system.error("size", "is required (number of atoms)");
        counts[elements.front()] = cluster_size(system);
    }
    long total = 0;
    for (const auto& [z, n] : counts) total += n;
    if (system.has("size") && cluster_size(system) != total)
        throw system.error("size", fmt::format("is {} but the composition adds up to {}", system.require_integer("size"), total));
    if (total < 2) throw system.error("composition", fmt::format("a cluster needs at least 2 atoms, got {}", total));
    if (total > 100000) throw system.error("size", "more than 100000 atoms is not supported");
    s.species.clear();
    for (const auto& [z, n] : counts) s.species.insert(s.species.end(), static_cast<std::size_t>(n), z);

    const std::int64_t seed = system.get_integer("seed", 1);
    if (seed < 0) throw system.error("seed", "must be >= 0");
    s.seed = static_cast<std::uint64_t>(seed);

    const std::string start = system.get_string("start", "random");
    if (start == "random") {
        s.start.kind = "random";
    } else if (start.ends_with(".xyz")) {
        s.start.kind = "file";
        s.start.file = resolve_input(start, run_dir);
        try {
            for (auto& frame : read_xyz(s.start.file)) {
                validate_cluster(frame.cluster, s.start.file);
                if (sweep) {
                    // Any composition of the size: the sweep reassigns the species.
                    if (frame.cluster.size() != s.species.size())
                        throw InputError(fmt::format("{}: a start structure has {} atoms, the sweep's clusters {}",
                                                     s.start.file, frame.cluster.size(), s.species.size()));
                    for (const Species z : frame.cluster.species)
                        if (std::find(elements.begin(), elements.end(), z) == elements.end())
                            throw InputError(fmt::format("{}: a start structure holds {}, which is not in [system] "
                                                         "elements ({})",
                                                         s.start.file, symbol(z), fmt::join(symbols, ", ")));
                    s.start.reassign_species = true;
                } else {
                    check_composition(frame.cluster, s.species, fmt::format("{}: a start structure", s.start.file));
                }
                frame.cluster.center();
                s.start.structures.push_back(frame.cluster);
            }
        } catch (const InputError& e) {
            throw system.error("start", e.what());
        }
        if (s.start.structures.empty()) throw system.error("start", fmt::format("{} has no structures", s.start.file));
    } else {
        try {
            s.start.kind = to_string(parse_motif(start));  // canonical name
        } catch (const InputError& e) {
            throw system.error("start", fmt::format("must be \"random\", an .xyz file or a motif: {}", e.what()));
        }
    }
    Ordering ordering = Ordering::random;
    try {
        ordering = parse_ordering(system.get_string("ordering", "random"));
    } catch (const InputError& e) {
        throw system.error("ordering", e.what());
    }
    if (ordering == Ordering::core_shell && (s.start.kind == "random" || s.start.kind == "file"))
        throw system.error("ordering", "core-shell ordering needs a motif start, e.g. start = \"icosahedron\"");
    s.start.core_shell = ordering == Ordering::core_shell;
    s.start.element_order = elements;
}

// The engine's part of [search]: stop criteria and the minima archive. The driver reads its
// own keys (create_driver). With no stop criterion at all (file and command line) the run
// stops after default_max_steps; a user who sets only max_wall_time = 600 gets ten minutes.
EngineSettings read_engine_settings(const ParameterTable& search, const RunOverrides& overrides,
                                    std::vector<std::string>& warnings) {
    EngineSettings e;
    auto& stop = e.stop;
    stop.max_steps = positive_count(search, "max_steps", 0, 0);
    stop.max_evaluations = positive_count(search, "max_evaluations", 0, 0);
    stop.max_wall_time = positive_real(search, "max_wall_time", 0.0, true);
    stop.target_energy = search.get_optional_real("target_energy");
    if (stop.target_energy && !std::isfinite(*stop.target_energy))
        throw search.error("target_energy", "must be a finite energy");
    stop.target_tolerance = positive_real(search, "target_tolerance", 1e-6, true);
    const bool file_limit = search.has("max_steps") || search.has("max_evaluations") || search.has("max_wall_time");
    const bool option_limit = overrides.max_steps || overrides.max_evaluations || overrides.max_wall_time;
    if (overrides.max_steps) stop.max_steps = *overrides.max_steps;
    if (overrides.max_evaluations) stop.max_evaluations = *overrides.max_evaluations;
    if (overrides.max_wall_time) stop.max_wall_time = *overrides.max_wall_time;
    if (overrides.target_energy) {
        if (!std::isfinite(*overrides.target_energy))
            throw InputError(fmt::format("--target-energy must be a finite energy, got {}", *overrides.target_energy));
        stop.target_energy = *overrides.target_energy;
    }
    if (!stop.any()) {
        const char* never = "every limit is 0 (no limit) and there is no target energy: the run would never stop";
        if (option_limit)
            throw InputError(fmt::format("--max-steps, --max-evaluations, --max-wall-time: {}", never));
        if (file_limit) throw search.error("max_steps", never);
        stop.max_steps = default_max_steps;
    } else if (stop.max_steps == 0 && stop.max_evaluations == 0 && stop.max_wall_time == 0) {
        warnings.push_back(fmt::format("the only stop criterion is target_energy {}: the run goes on until it is "
                                       "reached or interrupted (Ctrl-C stops it cleanly)",
                                       *stop.target_energy));
    }

    auto& archive = e.archive;
    archive.capacity = static_cast<std::size_t>(positive_count(search, "keep_minima", 50));
    archive.energy_tolerance = positive_real(search, "energy_tolerance", 1e-5);
    archive.fingerprint_tolerance = positive_real(search, "fingerprint_tolerance", 1e-2);
    return e;
}

}  // namespace

namespace {

// [surrogate] and [screening] come together: the model, and how it screens. The model is
// built once here so a bad key or an element it cannot describe is a check-time error.
void read_screening(const ParameterTable& root, RunConfig& config, ParameterTable& search) {
    const bool has_surrogate = root.has("surrogate");
    const bool has_screening = root.has("screening");
    if (!has_surrogate && !has_screening) return;
    if (!has_surrogate)
        throw InputError(root.where("screening"), "[screening] needs a [surrogate] table, the model that screens the "
                                                  "candidates (for example [surrogate] type = \"gpr\"; docs/screening.md)");
    if (!has_screening)
        throw InputError(root.where("surrogate"),
                         "a [surrogate] table in a run file is the model that pre-screens candidates: add a [screening] "
                         "table (an empty one takes every default; docs/screening.md), or train the model alone with "
                         "`nanoscape fit`");
    const ParameterTable screening = root.get_table("screening");
    ScreeningSettings settings = read_screening_settings(screening);
    settings.seed = config.problem.seed;
    config.surrogate = root.get_table("surrogate");
    config.surrogate_species =
        unique_species(config.sweep ? config.sweep->elements : config.problem.species);
    // The default descriptor (symmetry functions, for metal bonds of about 2.75 A) is scaled
    // to the system's bond length when that is far from it (Lennard-Jones in reduced units).
    const double bond = largest_pair_distance(config.surrogate_species, *config.potential);
    const double scale = bond / 2.75;
    const bool rescale = scale < 0.8 || scale > 1.25;
    const std::string model_type = config.surrogate.get_string("type", "");
    if (!config.surrogate.has("descriptor") && (model_type == "gpr" || rescale)) {
        ParameterValue descriptor;
        descriptor.kind = ParameterValue::Kind::table;
        descriptor.table.emplace_back("type", ParameterValue::of("symmetry_functions"));
        if (rescale) descriptor.table.emplace_back("distance_scale", ParameterValue::of(scale));
        config.surrogate.set("descriptor", descriptor);
    }
    // A screening model is queried at every step of hundreds of relaxations: gpr's defaults
    // here are the fast ones (docs/screening.md); a key the user gives wins.
    if (model_type == "gpr") {
        if (!config.surrogate.has("kernel"))
            config.surrogate.set("kernel", ParameterValue::of("squared_exponential"));
        if (!config.surrogate.has("sparse_points")) config.surrogate.set("sparse_points", ParameterValue::of(300));
    }
    for (const char* key : {"training_size", "selection"})
        if (config.surrogate.has(key))
            config.warnings.push_back(fmt::format("[surrogate] {} is for `nanoscape fit`; a screened run caps its "
                                                  "training set with [screening] max_training and selection",
                                                  key));
    const auto model = create_surrogate(config.surrogate, config.surrogate_species);
    const std::vector<Species> described = model->descriptor().species();
    for (const Species z : config.surrogate_species)
        if (std::find(described.begin(), described.end(), z) == described.end())
            throw config.surrogate.error(config.surrogate.has("descriptor") ? "descriptor" : "type",
                                         fmt::format("the descriptor does not describe {}, an element of the system",
                                                     symbol(z)));
    // An unknown driver is reported by create_driver, after this.
    const std::string driver = search.get_string("driver", driver_registry().entries().front().key);
    if (const DriverEntry* entry = driver_registry().find(driver); entry && settings.candidates > 0) {
        const std::string& key = entry->batch_key;
        if (key.empty())
            throw screening.error("candidates", fmt::format("driver {} has no batch size to set; leave candidates out",
                                                            driver));
        if (!search.has(key)) {
            search.set(key, ParameterValue::of(static_cast<std::int64_t>(settings.candidates)));
        } else if (const auto given = search.get_integer(key, 0); given != settings.candidates) {
            config.warnings.push_back(fmt::format("[search] {} = {} proposes the candidates of a round; [screening] "
                                                  "candidates = {} is not used",
                                                  key, given, settings.candidates));
        }
    }
    config.screening = settings;
}

}  // namespace

RunConfig load_run_config(const std::string& path, const RunOverrides& overrides) {
    RunConfig config;
    config.path = path;
    reject_other_file_kinds(path);
    const ParameterTable root = read_toml_file(path);
    check_tables(root);
    const std::string run_dir = fs::path(path).parent_path().string();
    for (const char* required : {"system", "potential"})
        if (!root.has(required) && !(overrides.potential && std::string(required) == "potential"))
            throw InputError(SourceLocation{path, 0, 0},
                             fmt::format("the [{}] table is required{}", required,
                                         std::string(required) == "potential" ? " (or --potential SPEC)" : ""));

    config.potential = overrides.potential ? load_potential_spec(*overrides.potential, "")
                                           : load_potential(root.get_table("potential"), run_dir);
    // External calculators are the expensive ones: every call is kept (reference_calls.xyz),
    // a checkpoint follows every round, so an interrupt or a failing calculator costs nothing
    // already computed. For compiled potentials the log is opt-in.
    const bool external = dynamic_cast<const ExternalPotential*>(config.potential.get()) != nullptr;
    if (root.get_table("output").get_bool("reference_calls", external)) {
        config.reference_log = std::make_shared<ReferenceCallLog>();
        config.potential = std::make_shared<LoggedPotential>(config.potential, config.reference_log);
    }
    config.problem.potential = config.potential.get();
    const ParameterTable system = root.get_table("system");
    const ParameterTable sweep = root.get_table("sweep");
    read_system(system, run_dir, config, root.has("sweep") ? &sweep : nullptr);
    config.problem.sweep = config.sweep.has_value();
    // The seed first: drivers derive their random streams from it when they are built.
    if (overrides.seed) config.problem.seed = *overrides.seed;
    try {
        // A sweep's compositions together hold both elements.
        const std::vector<Species> checked = config.sweep ? config.sweep->species(1) : config.problem.species;
        config.potential->check_species(species_only(checked));
        // Pair coverage (e.g. a Gupta set without the cross pair): pair_distance throws for a
        // pair the set lacks.
        (void)largest_pair_distance(checked, *config.potential);
    } catch (const InputError& e) {
        throw system.error("elements", e.what());
    }
    const ParameterTable relax = root.get_table("relax");
    config.relaxer = create_relaxer(relax);
    config.relax = read_relax_options(relax);
    ParameterTable search = root.get_table("search");
    read_screening(root, config, search);
    config.driver = create_driver(search, config.problem);
    if (config.sweep && config.driver->fixed_geometry() && config.problem.start.kind != "file" &&
        config.problem.start.kind != "random")
        config.warnings.push_back(fmt::format(
            "driver {} keeps each composition's geometry, and start = \"{}\" builds it at that composition's own "
            "mean bond length, while neighbour seeds carry theirs: the compositions then sit on different "
            "lattices and their excess energies mix lattice strain into the ordering. Give [system] start a file "
            "to search every composition on one geometry",
            config.driver->name(), config.problem.start.kind));
    config.search = search;
    config.engine = read_engine_settings(search, overrides, config.warnings);
    config.replicas = static_cast<int>(search.get_integer_in("replicas", 1, 1, 1000000));
    if (config.sliced() && config.replicas > 1)
        throw search.error("replicas", fmt::format("and [sweep] slices = {} exclude each other: give the replicas of a "
                                                   "sliced sweep other seeds (--seed) and output directories instead",
                                                   config.sweep->slices));
    if (config.sweep && config.engine.stop.target_energy) {
        const char* why = "is an energy of one composition, so a sweep does not take it; stop each composition with "
                          "max_steps, max_evaluations or max_wall_time";
        if (overrides.target_energy) throw InputError(fmt::format("--target-energy {}", why));
        throw search.error("target_energy", why);
    }

    const ParameterTable output = root.get_table("output");
    output.allow_only({"directory", "checkpoint_interval", "checkpoint_steps", "reference_calls"});
    config.output_directory = output.get_string("directory", (fs::path("runs") / fs::path(path).stem()).string());
    config.engine.checkpoint_interval = positive_real(output, "checkpoint_interval", 60.0, true);
    config.engine.checkpoint_steps = positive_count(output, "checkpoint_steps", external ? 1 : 0, 0);
    if (overrides.output) config.output_directory = *overrides.output;
    if (overrides.replica_index && !(overrides.replica_index_from_environment && config.parts() == 1)) {
        const long k = *overrides.replica_index;
        const std::string from = overrides.replica_index_from_environment ? fmt::format("SLURM_ARRAY_TASK_ID={}", k)
                                                                          : fmt::format("--replica-index {}", k);
        const bool sliced = config.sliced();
        if (config.parts() == 1)
            throw search.error("replicas", fmt::format("{} needs replicas > 1 in [search] (replicas = R runs R "
                                                       "independent searches; each array task runs one){}",
                                                       from, config.sweep ? ", or slices > 1 in [sweep]" : ""));
        if (k < 0 || k >= config.parts())
            throw InputError(fmt::format("{} is not a {} of this run: {} = {} has {}s 0 to {} (sbatch --array=0-{})", from,
                                         sliced ? "slice" : "replica", sliced ? "[sweep] slices" : "[search] replicas",
                                         config.parts(), sliced ? "slice" : "replica", config.parts() - 1,
                                         config.parts() - 1));
        // -o may name the run directory or the part's own (the resume hints give the latter).
        const fs::path own = part_directory(config, config.output_directory, static_cast<int>(k));
        const fs::path given(config.output_directory);
        if (!(given.filename() == own.filename() && given.parent_path().filename() == own.parent_path().filename()))
            config.output_directory = own.string();
        if (sliced) {
            config.slice_index = static_cast<int>(k);
            make_slice(config, static_cast<int>(k));
        } else {
            config.replica_index = static_cast<int>(k);
            make_replica(config, static_cast<int>(k));
        }
        config.override_options += fmt::format(" --replica-index {}", k);
    }
    if (overrides.seed) config.override_options += fmt::format(" --seed {}", *overrides.seed);
    if (overrides.potential) config.override_options += fmt::format(" --potential {}", *overrides.potential);
    if (overrides.max_steps) config.override_options += fmt::format(" --max-steps {}", *overrides.max_steps);
    if (overrides.max_evaluations) config.override_options += fmt::format(" --max-evaluations {}", *overrides.max_evaluations);
    if (overrides.max_wall_time) config.override_options += fmt::format(" --max-wall-time {}", *overrides.max_wall_time);
    if (overrides.target_energy) config.override_options += fmt::format(" --target-energy {}", *overrides.target_energy);
    return config;
}

std::string replica_directory(const std::string& run_directory, int replica) {
    return (fs::path(run_directory) / "replicas" / fmt::format("r{}", replica)).string();
}

std::string slice_directory(const std::string& run_directory, int slice) {
    return (fs::path(run_directory) / "slices" / fmt::format("s{}", slice)).string();
}

std::string part_directory(const RunConfig& config, const std::string& run_directory, int part) {
    return config.sliced() ? slice_directory(run_directory, part) : replica_directory(run_directory, part);
}

void make_slice(RunConfig& config, int slice) { config.sweep->counts = config.sweep->slice(slice); }

void make_replica(RunConfig& config, int replica) {
    config.problem.replica = static_cast<std::uint64_t>(replica);
    if (config.screening && replica != 0)
        config.screening->seed = splitmix64(config.problem.seed ^ splitmix64(static_cast<std::uint64_t>(replica)));
    config.driver = create_driver(config.search, config.problem);
}

std::unique_ptr<Evaluator> make_reference_evaluator(const RunConfig& config, int threads, bool distribute) {
    if (distribute && mpi::size() > 1)
        return std::make_unique<MpiEvaluator>(*config.potential, *config.relaxer, config.relax, threads, config.mpi_timeout);
    return std::make_unique<LocalEvaluator>(*config.potential, *config.relaxer, config.relax, threads);
}

std::unique_ptr<Evaluator> make_evaluator(const RunConfig& config, int threads, bool distribute) {
    std::unique_ptr<Evaluator> local = make_reference_evaluator(config, threads, distribute);
    if (!config.screening) return local;
    return make_screening_evaluator(std::move(local), config.surrogate, *config.screening, config.surrogate_species,
                                    *config.potential, *config.relaxer, config.relax, threads);
}

std::string describe_stop(const StopCriteria& stop) {
    std::vector<std::string> parts;
    if (stop.max_steps > 0) parts.push_back(fmt::format("{} steps", stop.max_steps));
    if (stop.max_evaluations > 0) parts.push_back(fmt::format("{} evaluations", stop.max_evaluations));
    if (stop.max_wall_time > 0) parts.push_back(fmt::format("{} s", stop.max_wall_time));
    if (stop.target_energy) parts.push_back(fmt::format("target energy {}", *stop.target_energy));
    return parts.empty() ? std::string("no limit") : fmt::format("{}", fmt::join(parts, ", "));
}

}  // namespace nanoscape
