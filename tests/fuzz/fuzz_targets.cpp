#include "fuzz_targets.hpp"

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "nanoscape/core/error.hpp"
#include "nanoscape/io/potential_loader.hpp"
#include "nanoscape/io/run_config.hpp"
#include "nanoscape/io/toml_reader.hpp"
#include "nanoscape/io/xyz.hpp"
#include "nanoscape/potentials/eam.hpp"
#include "nanoscape/search/engine.hpp"

namespace nanoscape::fuzz {

namespace {

namespace fs = std::filesystem;

// A per-process scratch file: the loaders read paths.
std::string scratch(const std::string& suffix, const std::uint8_t* data, std::size_t size) {
    const fs::path p = fs::temp_directory_path() / ("nanoscape_fuzz_" + std::to_string(::getpid()) + suffix);
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    return p.string();
}

template <class F>
int expect_input_errors_only(F&& f) {
    try {
        f();
    } catch (const InputError&) {
        // Rejected with a message: what bad input must get.
    }
    return 0;
}

}  // namespace

int xyz(const std::uint8_t* data, std::size_t size) {
    return expect_input_errors_only([&] {
        std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
        for (const auto& frame : read_xyz(in, "fuzz.xyz")) validate_cluster(frame.cluster, "fuzz.xyz");
    });
}

int run_file(const std::uint8_t* data, std::size_t size) {
    const std::string path = scratch(".toml", data, size);
    return expect_input_errors_only([&] {
        const RunConfig config = load_run_config(path);
        (void)config.problem.formula();
    });
}

int potential_file(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const int kind = data[0] % 3;
    const std::string path = scratch(kind == 0 ? ".toml" : (kind == 1 ? ".eam.alloy" : ".eam"), data + 1, size - 1);
    return expect_input_errors_only([&] {
        std::unique_ptr<Potential> potential;
        if (kind == 0) {
            potential = load_potential(read_toml_file(path), "");
        } else {
            potential = std::make_unique<Eam>(read_eam_file(path, kind == 1 ? EamFormat::setfl : EamFormat::funcfl));
        }
        const auto species = potential->supported_species();
        const Species z = species.empty() ? Species{18} : species.front();
        Eigen::Matrix3Xd x = Eigen::Matrix3Xd::Zero(3, 2);
        x(0, 1) = potential->pair_distance(z, z);
        const Cluster dimer(x, {z, z});
        Eigen::Matrix3Xd forces;
        (void)potential->energy_and_forces(dimer, forces);
    });
}

int checkpoint(const std::uint8_t* data, std::size_t size) {
    // One small run set-up, built once: a checkpoint is restored into a fresh engine each time.
    static const std::string run = [] {
        const char text[] = "[system]\nelements = [\"Ar\"]\nsize = 6\n[potential]\ntype = \"lj\"\n[search]\nmax_steps = 5\n";
        return scratch("_run.toml", reinterpret_cast<const std::uint8_t*>(text), sizeof text - 1);
    }();
    return expect_input_errors_only([&] {
        RunConfig config = load_run_config(run);
        const auto evaluator = make_evaluator(config, 1);
        SearchEngine engine(config.problem, config.engine, *config.driver, *evaluator, nullptr);
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(std::string(reinterpret_cast<const char*>(data), size));
        } catch (const nlohmann::json::exception&) {
            return;  // the run directory reports this as a damaged checkpoint
        }
        engine.restore(j, "fuzz checkpoint");
    });
}

Target target(const std::string& name) {
    if (name == "xyz") return xyz;
    if (name == "run_file") return run_file;
    if (name == "potential_file") return potential_file;
    if (name == "checkpoint") return checkpoint;
    throw std::invalid_argument("no fuzz target " + name);
}

std::vector<std::string> target_names() { return {"xyz", "run_file", "potential_file", "checkpoint"}; }

}  // namespace nanoscape::fuzz
