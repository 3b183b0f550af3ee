#include "nanoscape/surrogate/lcb_potential.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "nanoscape/core/error.hpp"
#include "nanoscape/geometry/neighbour_list.hpp"

namespace nanoscape {

namespace {

// The repulsive prior of one pair at r < rc (file comment of lcb_potential.hpp), eV; with
// `force_scale` also -dE/dr / r (eV/A^2), so the force on j is force_scale (x_j - x_i).
double repulsive_prior(double rc, double r, double* force_scale = nullptr) {
    const double s6 = std::pow(rc / r, 6);
    if (force_scale) *force_scale = 12 * LcbPotential::repulsion_energy * (s6 * s6 - s6) / (r * r);
    return LcbPotential::repulsion_energy * (s6 * s6 - 2 * s6 + 1);
}

}  // namespace

LcbPotential::LcbPotential(const Surrogate& surrogate, double kappa, const Potential& reference,
                           double repulsion_fraction, double trust_sigma)
    : surrogate_(surrogate), kappa_(kappa), reference_(reference), repulsion_fraction_(repulsion_fraction),
      trust_sigma_(trust_sigma) {
    if (!(kappa >= 0) || !std::isfinite(kappa)) throw Error(fmt::format("LCB kappa must be >= 0, got {}", kappa));
}

std::string LcbPotential::description() const {
    return fmt::format("mu - {} sigma of {} (modelling {})", kappa_, surrogate_.description(), reference_.description());
}

double LcbPotential::compute(const Cluster& cluster, Eigen::Matrix3Xd* forces, Eigen::VectorXd* atom_energies) const {
    Eigen::Matrix3Xd sigma_gradient;
    const bool with_sigma_gradient = forces != nullptr && kappa_ > 0;
    const Prediction p = surrogate_.predict(cluster, forces, with_sigma_gradient ? &sigma_gradient : nullptr);
    if (std::isfinite(trust_sigma_)) {
        if (start_sigma_ < 0) start_sigma_ = p.sigma();
        if (p.sigma() > std::max(trust_sigma_, start_sigma_)) return std::numeric_limits<double>::quiet_NaN();
    }
    const double energy = p.energy - kappa_ * p.sigma();
    // -d(mu - kappa sigma)/dx = F_mu + kappa dsigma/dx.
    if (with_sigma_gradient) *forces += kappa_ * sigma_gradient;
    double total_repulsion = 0.0;
    if (repulsion_fraction_ > 0) {
        // Only pairs closer than r_c feel the prior: a cell grid finds them in O(N).
        const double longest = repulsion_fraction_ * largest_pair_distance(cluster.species, reference_);
        CellGrid(cluster.positions, longest).for_each_pair([&](int i, int j, const Eigen::Vector3d& d, double r) {
            const double rc = repulsion_fraction_ * reference_.pair_distance(cluster.species[static_cast<std::size_t>(i)],
                                                                             cluster.species[static_cast<std::size_t>(j)]);
            if (r >= rc) return;
            double scale = 0.0;
            total_repulsion += repulsive_prior(rc, r, forces ? &scale : nullptr);
            if (forces) {
                // dE/dr = -12 eps (s12 - s6) / r; with d = x_j - x_i the force on j is -dE/dr d/r.
                const Eigen::Vector3d f = scale * d;
                forces->col(j) += f;
                forces->col(i) -= f;
            }
        });
    }
    const double total = energy + total_repulsion;
    if (atom_energies) *atom_energies = equal_partition(total, cluster.size());
    return total;
}

std::unique_ptr<PairSumForm> LcbPotential::pair_sum_form(const std::vector<Species>& species) const {
    if (std::isfinite(trust_sigma_)) return nullptr;
    std::unique_ptr<PairSumModel> model = surrogate_.pair_sum_model(species);
    if (!model) return nullptr;
    // mu - kappa sigma from the model's sums, plus the repulsive prior of compute() as the last
    // channel (a pair sum itself).
    class Form final : public PairSumForm {
    public:
        Form(std::unique_ptr<PairSumModel> model, double kappa, std::vector<double> rc)
            : model_(std::move(model)), kappa_(kappa), rc_(std::move(rc)), m_(model_->channels()) {
            range_ = model_->range();
            for (double r : rc_) range_ = std::max(range_, r);
        }
        [[nodiscard]] const std::vector<Species>& species() const override { return model_->species(); }
        [[nodiscard]] int channels() const override { return m_ + 1; }
        [[nodiscard]] double range() const override { return range_; }
        void pair_terms(int a, int b, double r, double* out) const override {
            model_->pair_terms(a, b, r, out);
            const double rc = rc_[static_cast<std::size_t>(a) * species().size() + static_cast<std::size_t>(b)];
            out[m_] = r < rc ? repulsive_prior(rc, r) : 0.0;
        }
        void atom_terms(int a, double* out) const override {
            model_->atom_terms(a, out);
            out[m_] = 0.0;
        }
        [[nodiscard]] double energy(const double* sums) const override {
            const Prediction p = model_->prediction(sums);
            return p.energy - kappa_ * p.sigma() + sums[m_];
        }

    private:
        std::unique_ptr<PairSumModel> model_;
        double kappa_;
        std::vector<double> rc_;  // r_c of the prior per type pair, [a][b]; 0 without the prior
        int m_;
        double range_ = 0.0;
    };
    std::vector<double> rc(species.size() * species.size(), 0.0);
    if (repulsion_fraction_ > 0)
        for (std::size_t a = 0; a < species.size(); ++a)
            for (std::size_t b = 0; b < species.size(); ++b)
                rc[a * species.size() + b] = repulsion_fraction_ * reference_.pair_distance(species[a], species[b]);
    return std::make_unique<Form>(std::move(model), kappa_, std::move(rc));
}

}  // namespace nanoscape
