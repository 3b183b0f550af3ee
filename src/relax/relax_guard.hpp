#pragma once
/// @file Bookkeeping and safety checks shared by every relaxer (private to src/relax/).
///
/// A relaxer moves `cluster.positions` and calls RelaxGuard::evaluate(); the guard counts the
/// potential calls, refuses points that are not finite or have blown apart (restoring the last
/// accepted point), remembers the lowest point seen, and turns the end of the run into a
/// RelaxResult (including the fragment check of converged structures). Keeping this in one
/// place means FIRE, L-BFGS and any later relaxer report trouble identically.

#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "nanoscape/relax/relaxer.hpp"

namespace nanoscape::relax_detail {

/// Evaluation counter, safety net and result builder for one relaxation.
class RelaxGuard {
public:
    /// Records the starting centroid and the explosion radius of `cluster` (which must outlive
    /// the guard); evaluates nothing yet.
    RelaxGuard(Cluster& cluster, const Potential& potential, const RelaxOptions& options);

    /// Evaluates energy and forces at the current `cluster.positions`. Returns false if the
    /// point is unusable — positions not finite or outside the explosion radius (checked before
    /// calling the potential, so it never sees a wild geometry), or a NaN/inf energy or force —
    /// after restoring the positions of the last accepted point; failure() then tells why.
    [[nodiscard]] bool evaluate();

    /// Makes the point just evaluated the one to fall back to, and updates the lowest point.
    void accept();
    /// Puts the last accepted point back into the cluster (after a rejected trial step).
    void restore_accepted();

    /// Energy of the last evaluated point, eV.
    [[nodiscard]] double energy() const { return energy_; }
    /// Forces of the last evaluated point, eV/Angstrom (3 x N).
    [[nodiscard]] const Eigen::Matrix3Xd& forces() const { return forces_; }
    /// Largest per-atom force norm of the last evaluated point, eV/Angstrom.
    [[nodiscard]] double fmax() const { return fmax_; }
    /// True if the last evaluated point meets options.fmax.
    [[nodiscard]] bool converged() const { return fmax_ <= options_.fmax; }

    /// Energy of the last accepted point, eV (NaN before the first accept()).
    [[nodiscard]] double accepted_energy() const { return accepted_energy_; }
    /// Positions of the last accepted point, Angstrom (3 x N).
    [[nodiscard]] const Eigen::Matrix3Xd& accepted_positions() const { return accepted_positions_; }

    /// Why the last evaluate() failed: non_finite or exploded.
    [[nodiscard]] RelaxStatus failure() const { return failure_; }
    /// Potential calls so far.
    [[nodiscard]] long evaluations() const { return evaluations_; }

    /// The result for a run that ends with `status` after `steps` iterations. `converged`
    /// becomes `fragmented` if options.check_fragments and the bond graph falls apart;
    /// `max_steps` puts the lowest accepted point back into the cluster. Energy and fmax are
    /// those of the point left in the cluster (NaN if not even the start could be evaluated).
    [[nodiscard]] RelaxResult finish(RelaxStatus status, int steps);

private:
    Cluster& cluster_;
    const Potential& potential_;
    const RelaxOptions& options_;

    Eigen::Vector3d start_centroid_ = Eigen::Vector3d::Zero();
    double explode_radius_ = std::numeric_limits<double>::infinity();  // Angstrom

    Eigen::Matrix3Xd forces_;
    double energy_ = std::numeric_limits<double>::quiet_NaN();
    double fmax_ = std::numeric_limits<double>::quiet_NaN();

    bool has_accepted_ = false;
    Eigen::Matrix3Xd accepted_positions_;
    double accepted_energy_ = std::numeric_limits<double>::quiet_NaN();
    double accepted_fmax_ = std::numeric_limits<double>::quiet_NaN();

    Eigen::Matrix3Xd lowest_positions_;
    double lowest_energy_ = std::numeric_limits<double>::infinity();
    double lowest_fmax_ = std::numeric_limits<double>::quiet_NaN();

    RelaxStatus failure_ = RelaxStatus::non_finite;
    long evaluations_ = 0;
};

/// Largest column norm of a 3 x N matrix (0 for N = 0): the per-atom force or step length.
[[nodiscard]] double max_column_norm(const Eigen::Matrix3Xd& m);

/// Scales `step` (3 x N, Angstrom) down so that no atom moves farther than `max_step`.
void limit_step(Eigen::Matrix3Xd& step, double max_step);

/// The keys every relaxer accepts (read by read_relax_options) followed by `own`.
[[nodiscard]] std::vector<std::string> allowed_relax_keys(std::initializer_list<const char*> own);

}  // namespace nanoscape::relax_detail
