#include "nanoscape/io/reference_calls.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include <fmt/format.h>

#include "nanoscape/core/error.hpp"
#include "nanoscape/core/mpi.hpp"
#include "nanoscape/io/xyz.hpp"
#include "nanoscape/potentials/local_energy.hpp"
#include "nanoscape/search/mpi_work.hpp"
#include "nanoscape/search/state_json.hpp"

namespace nanoscape {

namespace fs = std::filesystem;

namespace {

// FNV-1a over the species and the bits of the positions: a resumed run repeats its
// calculations bit for bit, so exact equality is the test (the hash only narrows it down).
std::uint64_t structure_hash(const std::vector<Species>& species, const Eigen::Matrix3Xd& positions) {
    std::uint64_t h = 1469598103934665603ULL;
    const auto mix = [&](const void* data, std::size_t bytes) {
        const auto* p = static_cast<const unsigned char*>(data);
        for (std::size_t i = 0; i < bytes; ++i) h = (h ^ p[i]) * 1099511628211ULL;
    };
    mix(species.data(), species.size() * sizeof(Species));
    mix(positions.data(), static_cast<std::size_t>(positions.size()) * sizeof(double));
    return h;
}

}  // namespace

ReferenceCallLog::~ReferenceCallLog() {
    if (file_) std::fclose(file_);
}

nlohmann::json captured_calls_to_json(const CapturedCalls& captured) {
    nlohmann::json calls = nlohmann::json::array();
    for (const LoggedCall& c : captured.calls)
        calls.push_back({{"cluster", cluster_to_json(c.cluster)},
                         {"energy", real_to_json(c.energy)},
                         {"forces", vectors_to_json(c.forces)},
                         {"seconds", c.seconds}});
    return {{"calls", std::move(calls)}, {"reused", captured.reused}};
}

CapturedCalls captured_calls_from_json(const nlohmann::json& j) {
    CapturedCalls captured;
    for (const auto& c : j.at("calls"))
        captured.calls.push_back({cluster_from_json(c.at("cluster")), real_from_json(c.at("energy")),
                                  vectors_from_json(c.at("forces"), "a force"), c.at("seconds").get<double>()});
    captured.reused = j.at("reused").get<long>();
    return captured;
}

namespace {

std::string read_whole_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(fmt::format("cannot read {}", path));
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

// Bytes of the complete frames at the start of `text`: a kill can leave the last one torn.
std::size_t complete_frames_length(const std::string& text) {
    std::size_t complete = 0;
    for (;;) {
        const long n = xyz_frame_length(std::string_view(text).substr(complete));
        if (n <= 0) return complete;
        complete += static_cast<std::size_t>(n);
    }
}

}  // namespace

long ReferenceCallLog::remember_frames(const std::string& text, const std::string& path) {
    std::istringstream frames_text(text);
    const std::vector<XyzFrame> frames = read_xyz(frames_text, path);
    for (std::size_t f = 0; f < frames.size(); ++f) {
        const XyzFrame& frame = frames[f];
        if (!frame.energy || !frame.forces)
            throw InputError(fmt::format("{} frame {}: a reference call without energy= or forces", path, f + 1));
        remember({frame.cluster.species, frame.cluster.positions, *frame.energy, *frame.forces});
    }
    return static_cast<long>(frames.size());
}

void ReferenceCallLog::open(const std::string& path, bool resume) {
    std::lock_guard lock(mutex_);
    if (resume && fs::exists(path)) {
        const std::string text = read_whole_file(path);
        const std::size_t complete = complete_frames_length(text);
        if (complete < text.size() && text.find_first_not_of(" \t\r\n", complete) != std::string::npos) {
            std::error_code ec;
            fs::resize_file(path, complete, ec);
            if (ec) throw Error(fmt::format("cannot cut the torn last frame of {}: {}", path, ec.message()));
        }
        size_ = remember_frames(text.substr(0, complete), path);
    }
    file_ = std::fopen(path.c_str(), resume ? "a" : "w");
    if (!file_) throw Error(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
    path_ = path;
}

void ReferenceCallLog::capture(const std::string& path) {
    std::lock_guard lock(mutex_);
    // Rank 0 may be appending to (or cutting a torn frame off) the same file: only the
    // complete frames read are taken.
    if (!path.empty() && fs::exists(path)) {
        const std::string text = read_whole_file(path);
        size_ = remember_frames(text.substr(0, complete_frames_length(text)), path);
    }
    capturing_ = true;
    path_ = path;
}

CapturedCalls ReferenceCallLog::take_captured() {
    std::lock_guard lock(mutex_);
    CapturedCalls out = std::exchange(captured_, {});
    out.reused = std::exchange(hits_, 0);
    return out;
}

void ReferenceCallLog::merge(const CapturedCalls& captured) {
    for (const LoggedCall& c : captured.calls) append(c.cluster, c.energy, c.forces, c.seconds);
    std::lock_guard lock(mutex_);
    hits_ += captured.reused;
}

bool ReferenceCallLog::is_open() const {
    std::lock_guard lock(mutex_);
    return file_ != nullptr || capturing_;
}

void ReferenceCallLog::remember(Entry entry) {
    const std::uint64_t h = structure_hash(entry.species, entry.positions);
    cache_.emplace(h, std::move(entry));
}

bool ReferenceCallLog::lookup(const Cluster& cluster, double& energy, Eigen::Matrix3Xd& forces) const {
    std::lock_guard lock(mutex_);
    if (cache_.empty()) return false;
    const auto [first, last] = cache_.equal_range(structure_hash(cluster.species, cluster.positions));
    for (auto it = first; it != last; ++it) {
        const Entry& e = it->second;
        if (e.species == cluster.species && e.positions.cols() == cluster.positions.cols() &&
            e.positions == cluster.positions) {
            energy = e.energy;
            forces = e.forces;
            ++hits_;
            return true;
        }
    }
    return false;
}

void ReferenceCallLog::append(const Cluster& cluster, double energy, const Eigen::Matrix3Xd& forces, double seconds) {
    XyzFrame frame;
    frame.cluster = cluster;
    frame.energy = energy;
    frame.forces = forces;
    std::lock_guard lock(mutex_);
    if (capturing_) {
        captured_.calls.push_back({cluster, energy, forces, seconds});
        remember({cluster.species, cluster.positions, energy, forces});
        return;
    }
    if (!file_) return;
    frame.set_info("call", std::to_string(size_ + 1));
    frame.set_info("calc_time", fmt::format("{:.6f}", seconds));
    std::ostringstream out;
    write_xyz(out, frame);
    const std::string text = out.str();
    if (std::fwrite(text.data(), 1, text.size(), file_) != text.size() || std::fflush(file_) != 0)
        throw Error(fmt::format("cannot append to {}: {}", path_, std::strerror(errno)));
    ++size_;
    remember({cluster.species, cluster.positions, energy, forces});
}

long ReferenceCallLog::size() const {
    std::lock_guard lock(mutex_);
    return size_;
}

long ReferenceCallLog::cache_hits() const {
    std::lock_guard lock(mutex_);
    return hits_;
}

std::string reference_calls_path(const std::string& run_directory) {
    return (fs::path(run_directory) / "reference_calls.xyz").string();
}

void open_reference_log(const std::shared_ptr<ReferenceCallLog>& log, const std::string& run_directory, bool resume) {
    if (log && !log->is_open()) log->open(reference_calls_path(run_directory), resume);
}

void share_reference_calls_over_ranks(const std::shared_ptr<ReferenceCallLog>& log, const std::string& run_directory,
                                      bool resume) {
    if (!log || mpi::size() <= 1) return;
    if (mpi::rank() > 0) {
        log->capture(resume ? reference_calls_path(run_directory) : std::string());
        set_answer_extras({[log] { return captured_calls_to_json(log->take_captured()); }, {}});
    } else {
        set_answer_extras({{}, [log](const nlohmann::json& j) { log->merge(captured_calls_from_json(j)); }});
    }
}

LoggedPotential::LoggedPotential(std::shared_ptr<const Potential> inner, std::shared_ptr<ReferenceCallLog> log)
    : inner_(std::move(inner)), log_(std::move(log)) {}

std::unique_ptr<SiteSumForm> LoggedPotential::site_sum_form(const std::vector<Species>& species) const {
    return inner_->site_sum_form(species);
}

std::unique_ptr<PairSumForm> LoggedPotential::pair_sum_form(const std::vector<Species>& species) const {
    return inner_->pair_sum_form(species);
}

double LoggedPotential::compute(const Cluster& cluster, Eigen::Matrix3Xd* forces, Eigen::VectorXd* atom_energies) const {
    if (!log_->is_open()) return inner_->compute(cluster, forces, atom_energies);
    Eigen::Matrix3Xd f;
    double energy = 0;
    if (!atom_energies && log_->lookup(cluster, energy, f)) {
        if (forces) *forces = std::move(f);
        return energy;
    }
    const auto start = std::chrono::steady_clock::now();
    energy = inner_->compute(cluster, &f, atom_energies);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // A non-finite answer of a compiled potential is not a calculation worth keeping (it would
    // poison a training set); external calculators never return one (CalculatorError).
    if (std::isfinite(energy) && f.allFinite()) log_->append(cluster, energy, f, seconds);
    if (forces) *forces = std::move(f);
    return energy;
}

}  // namespace nanoscape
