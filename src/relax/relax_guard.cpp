#include "relax_guard.hpp"

#include <algorithm>
#include <cmath>

#include "nanoscape/geometry/bond_graph.hpp"

namespace nanoscape::relax_detail {

double max_column_norm(const Eigen::Matrix3Xd& m) {
    return m.cols() == 0 ? 0.0 : m.colwise().norm().maxCoeff();
}

void limit_step(Eigen::Matrix3Xd& step, double max_step) {
    const double longest = max_column_norm(step);
    if (longest > max_step) step *= max_step / longest;
}

std::vector<std::string> allowed_relax_keys(std::initializer_list<const char*> own) {
    // Must match the keys read_relax_options() reads.
    std::vector<std::string> keys{"type",          "fmax",        "max_steps",     "max_step",
                                  "check_fragments", "bond_factor", "explode_factor"};
    keys.insert(keys.end(), own.begin(), own.end());
    return keys;
}

RelaxGuard::RelaxGuard(Cluster& cluster, const Potential& potential, const RelaxOptions& options)
    : cluster_(cluster), potential_(potential), options_(options) {
    const auto& x = cluster_.positions;
    if (x.cols() == 0 || !x.allFinite()) return;  // evaluate() reports non-finite positions
    start_centroid_ = x.rowwise().mean();
    const double start_radius = (x.colwise() - start_centroid_).colwise().norm().maxCoeff();
    // A bond length of slack lets small clusters (a dimer has radius r0/2) breathe.
    explode_radius_ = options_.explode_factor * start_radius + 5.0 * largest_pair_distance(cluster_.species, potential_);
}

bool RelaxGuard::evaluate() {
    auto& x = cluster_.positions;
    if (!x.allFinite()) {
        failure_ = RelaxStatus::non_finite;
        restore_accepted();
        return false;
    }
    // Checked before the potential is called: cell lists over a huge box are slow or worse.
    if (x.cols() > 0 && (x.colwise() - start_centroid_).colwise().norm().maxCoeff() > explode_radius_) {
        failure_ = RelaxStatus::exploded;
        restore_accepted();
        return false;
    }
    ++evaluations_;
    energy_ = potential_.compute(cluster_, &forces_, nullptr);
    if (!std::isfinite(energy_) || !forces_.allFinite()) {
        failure_ = RelaxStatus::non_finite;
        restore_accepted();
        return false;
    }
    fmax_ = max_column_norm(forces_);
    return true;
}

void RelaxGuard::accept() {
    has_accepted_ = true;
    accepted_positions_ = cluster_.positions;
    accepted_energy_ = energy_;
    accepted_fmax_ = fmax_;
    if (energy_ < lowest_energy_) {
        lowest_positions_ = cluster_.positions;
        lowest_energy_ = energy_;
        lowest_fmax_ = fmax_;
    }
}

void RelaxGuard::restore_accepted() {
    // Before the first accepted point the cluster still holds the starting positions, unless
    // they themselves are the problem; there is nothing better to restore then.
    if (has_accepted_) cluster_.positions = accepted_positions_;
}

RelaxResult RelaxGuard::finish(RelaxStatus status, int steps) {
    RelaxResult result;
    result.status = status;
    result.steps = steps;
    result.evaluations = evaluations_;
    result.energy = accepted_energy_;
    result.fmax = accepted_fmax_;
    if (status == RelaxStatus::max_steps && has_accepted_ && lowest_energy_ < accepted_energy_) {
        // FIRE may be climbing out of an overshoot when the step limit hits; the lowest point
        // seen is the more useful structure to hand back.
        cluster_.positions = lowest_positions_;
        result.energy = lowest_energy_;
        result.fmax = lowest_fmax_;
    }
    if (status == RelaxStatus::converged && options_.check_fragments) {
        const double factor = options_.bond_factor;
        const auto cutoff = [&](Species a, Species b) { return factor * potential_.pair_distance(a, b); };
        if (count_fragments(cluster_, cutoff) > 1) result.status = RelaxStatus::fragmented;
    }
    return result;
}

}  // namespace nanoscape::relax_detail
