#include "nanoscape/io/external_potential.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "nanoscape/core/elements.hpp"
#include "nanoscape/core/interrupt.hpp"
#include "nanoscape/geometry/neighbour_list.hpp"
#include "nanoscape/io/calculators.hpp"
#include "nanoscape/io/potential_loader.hpp"
#include "nanoscape/io/subprocess.hpp"
#include "nanoscape/io/text_files.hpp"
#include "nanoscape/io/xyz.hpp"
#include "nanoscape_build_info.hpp"

namespace nanoscape {

namespace fs = std::filesystem;

struct ExternalPotential::Worker {
    std::unique_ptr<Subprocess> process;  // persistent mode; null until the first call
};

namespace {

std::string shell_quote(const std::string& text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

std::string with_stderr(std::string message, const std::string& tail) {
    if (!tail.empty()) message += fmt::format("; its stderr ends with:\n{}", tail);
    return message;
}

}  // namespace

std::string calculator_request(const Cluster& cluster, long number) {
    XyzFrame frame;
    frame.cluster = cluster;
    frame.set_info("call", std::to_string(number));
    std::ostringstream out;
    write_xyz(out, frame);
    return out.str();
}

double parse_calculator_reply(const std::string& text, const Cluster& cluster, Eigen::Matrix3Xd& forces,
                              const std::string& what) {
    std::vector<XyzFrame> frames;
    try {
        std::istringstream in(text);
        frames = read_xyz(in, what);
    } catch (const Error& e) {
        throw CalculatorError(fmt::format("unreadable answer: {}", e.what()));
    }
    if (frames.size() != 1) throw CalculatorError(fmt::format("{} holds {} frames, not one", what, frames.size()));
    const XyzFrame& f = frames.front();
    if (f.cluster.size() != cluster.size())
        throw CalculatorError(fmt::format("{} has {} atoms; the structure sent has {}", what, f.cluster.size(),
                                          cluster.size()));
    for (std::size_t i = 0; i < cluster.size(); ++i)
        if (f.cluster.species[i] != cluster.species[i])
            throw CalculatorError(fmt::format("{}: atom {} is {}; the structure sent has {} there", what, i + 1,
                                              symbol(f.cluster.species[i]), symbol(cluster.species[i])));
    if (!f.energy) throw CalculatorError(fmt::format("{} has no energy= in its comment line", what));
    if (!std::isfinite(*f.energy)) throw CalculatorError(fmt::format("{}: the energy is {}", what, *f.energy));
    if (!f.forces) throw CalculatorError(fmt::format("{} has no forces column (Properties=...:forces:R:3)", what));
    if (!f.forces->allFinite()) throw CalculatorError(fmt::format("{}: a force is not finite", what));
    forces = *f.forces;
    return *f.energy;
}

ExternalPotential::ExternalPotential(ExternalSettings settings, std::string type)
    : settings_(std::move(settings)), type_(std::move(type)) {
    for (int i = 0; i < settings_.workers; ++i) {
        workers_.push_back(std::make_unique<Worker>());
        idle_.push_back(settings_.workers - 1 - i);  // worker 0 is taken first
    }
}

ExternalPotential::~ExternalPotential() = default;

std::string ExternalPotential::description() const {
    return fmt::format("{} ({})", settings_.label, settings_.persistent ? "persistent" : "a process per call");
}

double ExternalPotential::cutoff() const { return no_cutoff; }

double ExternalPotential::pair_distance(Species a, Species b) const {
    return given_or_covalent_distance(settings_.pair_distances, a, b);
}

double ExternalPotential::compute(const Cluster& cluster, Eigen::Matrix3Xd* forces, Eigen::VectorXd* atom_energies) const {
    if (failures_in_a_row_.load() >= settings_.max_failures)
        throw Error(fmt::format("{} failed {} calls in a row (max_failures = {}); no further calls are made",
                                settings_.label, failures_in_a_row_.load(), settings_.max_failures));
    if (interrupt_requested()) throw Interrupted(fmt::format("interrupted: no new call of {} started", settings_.label));
    int index = -1;
    {
        std::unique_lock lock(mutex_);
        free_.wait(lock, [&] { return !idle_.empty(); });
        index = idle_.back();
        idle_.pop_back();
    }
    struct Release {
        const ExternalPotential& self;
        int index;
        ~Release() {
            {
                std::lock_guard lock(self.mutex_);
                self.idle_.push_back(index);
            }
            self.free_.notify_one();
        }
    } release{*this, index};
    Eigen::Matrix3Xd f;
    const long number = next_call_.fetch_add(1) + 1;
    double energy = 0;
    try {
        energy = call(*workers_[static_cast<std::size_t>(index)], cluster, number, f);
    } catch (const CalculatorError& e) {
        const int failures = failures_in_a_row_.fetch_add(1) + 1;
        spdlog::warn("{} call {} failed ({} in a row): {}", settings_.label, number, failures, e.what());
        if (failures >= settings_.max_failures)
            throw Error(fmt::format("{} failed {} calls in a row (max_failures = {}); the run stops. Last failure: {}",
                                    settings_.label, failures, settings_.max_failures, e.what()));
        throw CalculatorError(fmt::format("{}: {}", settings_.label, e.what()));
    }
    failures_in_a_row_.store(0);
    calls_.fetch_add(1);
    if (forces) *forces = std::move(f);
    if (atom_energies) *atom_energies = equal_partition(energy, cluster.size());
    return energy;
}

double ExternalPotential::call(Worker& worker, const Cluster& cluster, long number, Eigen::Matrix3Xd& forces) const {
    if (!settings_.workdir.empty() && !workdir_ready_.load()) {
        std::error_code ec;
        fs::create_directories(settings_.workdir, ec);
        if (ec) throw CalculatorError(fmt::format("cannot create the directory {}: {}", settings_.workdir, ec.message()));
        workdir_ready_.store(true);
    }
    const std::string request = calculator_request(cluster, number);
    return settings_.persistent ? call_persistent(worker, request, cluster, forces)
                                : call_per_call(request, cluster, number, forces);
}

double ExternalPotential::call_persistent(Worker& worker, const std::string& request, const Cluster& cluster,
                                          Eigen::Matrix3Xd& forces) const {
    const Deadline deadline = deadline_in(settings_.timeout);
    if (!worker.process) worker.process = std::make_unique<Subprocess>(settings_.command, settings_.workdir, true);
    Subprocess& p = *worker.process;
    // Any failure leaves the process in an unknown state: it is killed (and reaped) and the
    // next call of this worker starts a fresh one.
    const auto fail = [&](const std::string& what) -> CalculatorError {
        const bool timed_out = std::chrono::steady_clock::now() >= deadline;
        if (!timed_out) (void)p.wait(deadline_in(0.2));  // a dying process: collect its status
        const bool ended = !p.running();
        p.kill();
        std::string message = fmt::format("{} ({})", what,
                                          ended ? "the process " + p.exit_description()
                                                : std::string("the process was stopped; the next call starts a new one"));
        message = with_stderr(std::move(message), p.stderr_tail());
        worker.process.reset();
        return CalculatorError(message);
    };
    if (!p.write(request, deadline))
        throw fail(std::chrono::steady_clock::now() >= deadline
                       ? fmt::format("no input accepted within the timeout of {} s", settings_.timeout)
                       : "it stopped reading its input");
    std::string reply;
    switch (p.read_reply(xyz_frame_length, reply, deadline)) {
        case Subprocess::ReadStatus::complete: break;
        case Subprocess::ReadStatus::eof: throw fail("it closed its output before answering");
        case Subprocess::ReadStatus::timeout:
            throw fail(fmt::format("no answer within the timeout of {} s", settings_.timeout));
        case Subprocess::ReadStatus::garbage: {
            std::string head = p.unread_output().substr(0, 200);
            throw fail(fmt::format("it answered with something that is not an extended XYZ frame: \"{}\" (stdout "
                                   "carries only the answers; a calculator's log lines belong on stderr)",
                                   head));
        }
    }
    try {
        return parse_calculator_reply(reply, cluster, forces, "its answer");
    } catch (const CalculatorError& e) {
        throw fail(e.what());
    }
}

double ExternalPotential::call_per_call(const std::string& request, const Cluster& cluster, long number,
                                        Eigen::Matrix3Xd& forces) const {
    const fs::path base = settings_.workdir.empty() ? fs::current_path() : fs::path(settings_.workdir);
    const fs::path dir = base / fmt::format("nanoscape-call-{}-{}", ::getpid(), number);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw CalculatorError(fmt::format("cannot create {}: {}", dir.string(), ec.message()));
    {
        std::ofstream in(dir / "input.xyz");
        in << request;
        if (!in.flush())
            throw CalculatorError(fmt::format("cannot write {}", (dir / "input.xyz").string()));
    }
    const Deadline deadline = deadline_in(settings_.timeout);
    // The command runs in the call's directory; NANOSCAPE_WORKDIR names the calculator's own
    // (where its scripts and inputs usually are) for relative paths.
    const std::string command = fmt::format("NANOSCAPE_WORKDIR={}; export NANOSCAPE_WORKDIR; {}",
                                            shell_quote(base.string()), settings_.command);
    Subprocess p(command, dir.string(), false);
    const auto status = p.wait(deadline);
    const auto fail = [&](const std::string& what) {
        return CalculatorError(
            with_stderr(fmt::format("{} (call directory {} kept)", what, dir.string()), p.stderr_tail()));
    };
    if (!status) {
        p.kill();
        throw fail(fmt::format("no answer within the timeout of {} s; killed", settings_.timeout));
    }
    if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) throw fail(fmt::format("the process {}", p.exit_description()));
    const fs::path output = dir / "output.xyz";
    std::ifstream out(output);
    if (!out) throw fail("it wrote no output.xyz");
    std::stringstream text;
    text << out.rdbuf();
    double energy = 0;
    try {
        energy = parse_calculator_reply(text.str(), cluster, forces, "output.xyz");
    } catch (const CalculatorError& e) {
        throw fail(e.what());
    }
    if (!settings_.keep_files) fs::remove_all(dir, ec);
    return energy;
}

namespace {

const std::vector<std::string> shared_keys = {"type",         "workdir", "workers",     "timeout", "max_failures",
                                              "keep_files",   "elements", "pair_distance", "description"};

// The keys every external calculator has (workdir, workers, timeout, ...).
ExternalSettings read_shared(const ParameterTable& table, const std::string& base_dir) {
    ExternalSettings s;
    if (table.has("workdir")) {
        // Checked now, created at the first call (reading a run file, `check` included, writes
        // nothing): the nearest existing ancestor must be a directory we can write in.
        const fs::path dir = fs::absolute(path_against(table.require_string("workdir"), base_dir));
        fs::path existing = dir;
        while (!exists_quietly(existing) && existing.has_parent_path() && existing != existing.parent_path())
            existing = existing.parent_path();
        if (!is_directory_quietly(existing) || ::access(existing.c_str(), W_OK) != 0)
            throw table.error("workdir", fmt::format("cannot create the directory {} ({} is not a writable directory)",
                                                     dir.string(), existing.string()));
        s.workdir = dir.string();
    } else if (!base_dir.empty()) {
        s.workdir = fs::absolute(base_dir).string();  // the run file's directory
    }
    s.workers = static_cast<int>(table.get_integer_in("workers", 1, 1, 4096));
    s.timeout = table.get_real("timeout", s.timeout);
    if (!(s.timeout >= 0)) throw table.error("timeout", "must be >= 0 seconds (0: no timeout)");
    s.max_failures = static_cast<int>(table.get_integer_in("max_failures", s.max_failures, 1, 1000000));
    s.keep_files = table.get_bool("keep_files", false);
    s.species = read_species_list(table, "elements");
    s.pair_distances = read_pair_distances(table, s.species);
    return s;
}

// A [potential] parameters table as the plain JSON object Python's keyword arguments are made
// from (TOML's kinds map one to one: integers stay integers).
nlohmann::json plain_json(const ParameterValue& value) {
    using Kind = ParameterValue::Kind;
    switch (value.kind) {
        case Kind::boolean: return value.boolean;
        case Kind::integer: return value.integer;
        case Kind::real: return value.real;
        case Kind::string: return value.string;
        case Kind::array: {
            nlohmann::json a = nlohmann::json::array();
            for (const auto& v : value.array) a.push_back(plain_json(v));
            return a;
        }
        case Kind::table: {
            nlohmann::json t = nlohmann::json::object();
            for (const auto& [key, v] : value.table) t[key] = plain_json(v);
            return t;
        }
    }
    return nullptr;
}

}  // namespace

std::unique_ptr<Potential> make_external_potential(const ParameterTable& table, const std::string& base_dir) {
    std::vector<std::string> allowed = shared_keys;
    allowed.insert(allowed.end(), {"command", "mode"});
    table.allow_only(allowed);
    ExternalSettings s = read_shared(table, base_dir);
    s.command = table.require_string("command");
    if (s.command.find_first_not_of(" \t") == std::string::npos) throw table.error("command", "is empty");
    const std::string mode = table.get_string("mode", "persistent");
    if (mode != "persistent" && mode != "per_call")
        throw table.error("mode", fmt::format("is \"{}\"; it is \"persistent\" or \"per_call\"{}", mode,
                                              did_you_mean(mode, {"persistent", "per_call"})));
    s.persistent = mode == "persistent";
    s.label = table.get_string("description", fmt::format("external '{}'", s.command));
    return std::make_unique<ExternalPotential>(std::move(s), "external");
}

std::string ase_bridge_path() {
    if (std::string installed = installed_data_path("tools/ase_calculator.py"); !installed.empty()) return installed;
    return NANOSCAPE_SOURCE_DIR "/tools/ase_calculator.py";
}

std::unique_ptr<Potential> make_ase_potential(const ParameterTable& table, const std::string& base_dir) {
    std::vector<std::string> allowed = shared_keys;
    allowed.insert(allowed.end(), {"calculator", "parameters", "python"});
    table.allow_only(allowed);
    ExternalSettings s = read_shared(table, base_dir);
    const std::string calculator = table.require_string("calculator");
    if (calculator.find('.') == std::string::npos)
        throw table.error("calculator", fmt::format("is \"{}\"; give the importable class, such as "
                                                    "\"ase.calculators.emt.EMT\"",
                                                    calculator));
    nlohmann::json parameters = nlohmann::json::object();
    if (table.has("parameters")) {
        if (table.find("parameters")->kind != ParameterValue::Kind::table)
            throw table.error("parameters", "must be a table of keyword arguments for the calculator, such as "
                                            "{ xc = \"PBE\", kpts = [1, 1, 1] }");
        parameters = plain_json(*table.find("parameters"));
    }
    const std::string default_python = fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    const std::string python = table.get_string("python", default_python);
    const std::string bridge = ase_bridge_path();
    if (!fs::is_regular_file(bridge))
        throw table.error("type", fmt::format("the ASE bridge {} is missing from this installation", bridge));
    s.command = fmt::format("{} {} --calculator {} --parameters {}", shell_quote(python), shell_quote(bridge),
                            shell_quote(calculator), shell_quote(parameters.dump()));
    s.persistent = true;
    const std::string label = parameters.empty() ? fmt::format("ASE {}", calculator)
                                                 : fmt::format("ASE {} {}", calculator, parameters.dump());
    s.label = table.get_string("description", label);
    return std::make_unique<ExternalPotential>(std::move(s), "ase");
}

}  // namespace nanoscape
