#include "nanoscape/io/reference_calls.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "nanoscape/core/error.hpp"
#include "nanoscape/io/xyz.hpp"
#include "nanoscape/potentials/local_energy.hpp"

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

void ReferenceCallLog::open(const std::string& path, bool resume) {
    std::lock_guard lock(mutex_);
    if (resume && fs::exists(path)) {
        std::ifstream in(path, std::ios::binary);
        if (!in) throw InputError(fmt::format("cannot read {}", path));
        std::stringstream buffer;
        buffer << in.rdbuf();
        const std::string text = buffer.str();
        // The frames a kill left complete; a half-written last one is cut off.
        std::size_t complete = 0;
        for (;;) {
            const std::string_view rest = std::string_view(text).substr(complete);
            const long n = xyz_frame_length(rest);
            if (n <= 0) break;
            complete += static_cast<std::size_t>(n);
        }
        if (complete < text.size() && text.find_first_not_of(" \t\r\n", complete) != std::string::npos) {
            std::error_code ec;
            fs::resize_file(path, complete, ec);
            if (ec) throw Error(fmt::format("cannot cut the torn last frame of {}: {}", path, ec.message()));
        }
        std::istringstream frames_text(text.substr(0, complete));
        const std::vector<XyzFrame> frames = read_xyz(frames_text, path);
        for (std::size_t f = 0; f < frames.size(); ++f) {
            const XyzFrame& frame = frames[f];
            if (!frame.energy || !frame.forces)
                throw InputError(fmt::format("{} frame {}: a reference call without energy= or forces", path, f + 1));
            remember({frame.cluster.species, frame.cluster.positions, *frame.energy, *frame.forces});
        }
        size_ = static_cast<long>(frames.size());
    }
    file_ = std::fopen(path.c_str(), resume ? "a" : "w");
    if (!file_) throw Error(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
    path_ = path;
}

bool ReferenceCallLog::is_open() const {
    std::lock_guard lock(mutex_);
    return file_ != nullptr;
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

LoggedPotential::LoggedPotential(std::shared_ptr<const Potential> inner, std::shared_ptr<ReferenceCallLog> log)
    : inner_(std::move(inner)), log_(std::move(log)) {}

std::unique_ptr<SiteSumForm> LoggedPotential::site_sum_form(const std::vector<Species>& species) const {
    return inner_->site_sum_form(species);
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
