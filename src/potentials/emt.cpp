#include "nanoscape/potentials/emt.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nanoscape/geometry/neighbour_list.hpp"
#include "nanoscape/potentials/local_energy.hpp"

namespace nanoscape {

const std::vector<EmtElement>& Emt::parameter_table() {
    // ASE 3.22 ase/calculators/emt.py `parameters` (Jacobsen, Stoltze, Norskov, Surf. Sci. 366,
    // 394 (1996) for the metals). Columns: E0 eV, s0 bohr, V0 eV, eta2, kappa, lambda 1/bohr,
    // n0 1/bohr^3.
    static const std::vector<EmtElement> table{
        {"Al", -3.28, 3.00, 1.493, 1.240, 2.000, 1.169, 0.00700, true},
        {"Cu", -3.51, 2.67, 2.476, 1.652, 2.740, 1.906, 0.00910, true},
        {"Ag", -2.96, 3.01, 2.132, 1.652, 2.790, 1.892, 0.00547, true},
        {"Au", -3.80, 3.00, 2.321, 1.674, 2.873, 2.182, 0.00703, true},
        {"Ni", -4.44, 2.60, 3.673, 1.669, 2.757, 1.948, 0.01030, true},
        {"Pd", -3.90, 2.87, 2.773, 1.818, 3.107, 2.155, 0.00688, true},
        {"Pt", -5.85, 2.90, 4.067, 1.812, 3.145, 2.192, 0.00802, true},
        // In ASE "just for fun ... not for any serious use": rejected, but part of the table
        // whose largest s0 sets the default cutoff.
        {"H", -3.21, 1.31, 0.132, 2.652, 2.790, 3.892, 0.00547, false},
        {"C", -3.50, 1.81, 0.332, 1.652, 2.790, 1.892, 0.01322, false},
        {"N", -5.10, 1.88, 0.132, 1.652, 2.790, 1.892, 0.01222, false},
        {"O", -4.60, 1.95, 0.332, 1.652, 2.790, 1.892, 0.00850, false},
    };
    return table;
}

Emt::Emt(const EmtOptions& options) : options_(options) {
    type_of_.fill(-1);
    std::vector<const EmtElement*> rows;
    for (const auto& row : parameter_table())
        if (row.supported) rows.push_back(&row);
    std::sort(rows.begin(), rows.end(), [](const EmtElement* a, const EmtElement* b) {
        return species_from_symbol(a->symbol) < species_from_symbol(b->symbol);
    });
    for (const EmtElement* row : rows) {
        const Species z = species_from_symbol(row->symbol);
        type_of_[z] = static_cast<int>(species_.size());
        species_.push_back(z);
        // Unit conversion as ASE does it (s0 * Bohr, eta2 / Bohr, n0 / Bohr^3).
        params_.push_back({row->e0, row->v0, row->s0 * bohr, row->eta2 / bohr, row->kappa / bohr,
                           row->lambda / bohr, row->n0 / (bohr * bohr * bohr), row->kappa / bohr / beta});
    }
    if (options_.asap_cutoff) {
        // s0_max depends on the species present: one model per possible largest species.
        for (const EmtElement* row : rows) models_.push_back(make_model(row->s0, true));
    } else {
        double s0_max = 0.0;  // over the whole table, H C N O included (ASE 3.22 default)
        for (const auto& row : parameter_table()) s0_max = std::max(s0_max, row.s0);
        models_.push_back(make_model(s0_max, false));
    }
}

Emt::Model Emt::make_model(double s0_max_bohr, bool asap) const {
    Model m;
    const double s0_max = s0_max_bohr * bohr;
    // r_c midway between the 3rd (sqrt 3) and 4th (sqrt 4) fcc shells of the largest atom;
    // a_cut makes theta = 1/9999 ~ 1e-4 at the 4th shell.
    m.rc = beta * s0_max * 0.5 * (std::sqrt(3.0) + 2.0);
    const double r4 = m.rc * 2.0 * 2.0 / (std::sqrt(3.0) + 2.0);
    m.acut = std::log(9999.0) / (r4 - m.rc);
    m.r_list = asap ? m.rc * 1.045 : m.rc + 0.5;

    const std::size_t nt = params_.size();
    for (const auto& p : params_) {
        // Sums over the first three fcc shells of the species' own lattice, weighted by the
        // cutoff: they normalise sigma1 and the pair term so a bulk atom has ds = 0 (exactly
        // so only if the shells beyond the third do not count, i.e. with asap_cutoff).
        double g1 = 0.0, g2 = 0.0;
        constexpr std::array<double, 3> shell_count{12.0, 6.0, 24.0};
        for (int k = 0; k < 3; ++k) {
            const double r = p.s0 * beta * std::sqrt(k + 1.0);
            const double w = shell_count[k] / (12.0 * (1.0 + std::exp(m.acut * (r - m.rc))));
            g1 += w * std::exp(-p.eta2 * (r - beta * p.s0));
            g2 += w * std::exp(-p.kappa / beta * (r - beta * p.s0));
        }
        m.gamma1.push_back(g1);
        m.gamma2.push_back(g2);
    }
    // Fold every constant of the pair loop into one factor per ordered species pair (a = the
    // atom receiving the term, b = its neighbour), so each pair needs only exp(-eta2_b r),
    // exp(-kappa_b r / beta) and the cutoff exponential:
    //   chi_ab / gamma1_a exp(-eta2_b (r - beta s0_b)) = sigma_scale_ab exp(-eta2_b r)
    //   V0_a / 2 chi_ab / gamma2_a exp(-kappa_b (r / beta - s0_b)) = pair_scale_ab exp(-kappa_b r / beta)
    m.sigma_scale.resize(nt * nt);
    m.pair_scale.resize(nt * nt);
    for (std::size_t a = 0; a < nt; ++a)
        for (std::size_t b = 0; b < nt; ++b) {
            const auto &pa = params_[a], &pb = params_[b];
            const double chi = pb.n0 / pa.n0;
            m.sigma_scale[a * nt + b] = chi / m.gamma1[a] * std::exp(pb.eta2 * beta * pb.s0);
            m.pair_scale[a * nt + b] = 0.5 * pa.v0 * chi / m.gamma2[a] * std::exp(pb.kappa * pb.s0);
        }
    return m;
}

std::string Emt::description() const {
    const std::string cut = options_.asap_cutoff
                                ? std::string("asap_cutoff: r_c from the species present, list 1.045 r_c")
                                : fmt::format("r_c {:.4f} A, list {:.4f} A", models_[0].rc, models_[0].r_list);
    return fmt::format("emt {} (ASE 3.22 parameters, Jacobsen et al. 1996; {})", join_symbols(species_, " "), cut);
}

double Emt::cutoff() const {
    double r = 0.0;
    for (const auto& m : models_) r = std::max(r, m.r_list);
    return r;
}

double Emt::pair_distance(Species a, Species b) const {
    for (Species z : {a, b})
        if (z < 0 || z > max_atomic_number || type_of_[z] < 0)
            throw InputError(fmt::format("{} has no parameters for {}", description(), symbol(z)));
    return beta * 0.5 * (params_[type_of_[a]].s0 + params_[type_of_[b]].s0);
}

void Emt::check_cluster_species(const Cluster& cluster) const {
    std::vector<Species> missing;
    bool light = false;
    for (Species z : cluster.unique_species())
        if (z < 0 || z > max_atomic_number || type_of_[z] < 0) {
            missing.push_back(z);
            for (const auto& row : parameter_table())
                if (!row.supported && symbol(z) == row.symbol) light = true;
        }
    if (missing.empty()) return;
    throw InputError(fmt::format("{} has no parameters for {} (it has: {}){}", description(),
                                 join_symbols(missing, ", "), join_symbols(species_, " "),
                                 light ? "; ASE's EMT values for H, C, N, O are \"not for any serious use\" "
                                         "and are not offered"
                                       : ""));
}

const Emt::Model& Emt::model_for(const Cluster& cluster) const {
    if (!options_.asap_cutoff) return models_[0];
    // ASE EMT(asap_cutoff=True): s0_max over the species present.
    std::size_t largest = 0;
    double s0_max = -1.0;
    for (Species z : cluster.unique_species()) {
        const auto t = static_cast<std::size_t>(type_of_[z]);
        if (params_[t].s0 > s0_max) {
            s0_max = params_[t].s0;
            largest = t;
        }
    }
    return models_[largest];
}

double Emt::site_term(const ElementParameters& p, double sigma1, double* de_dsigma) {
    if (!(sigma1 > 0.0)) {
        // No neighbour within the list radius: a free atom, E = -E0 (ASE's convention).
        if (de_dsigma) *de_dsigma = 0.0;
        return -p.e0;
    }
    const double ds = -std::log(sigma1 / 12.0) / (beta * p.eta2);
    const double x = p.lambda * ds;
    const double y = std::exp(-x);
    const double z = 6.0 * p.v0 * std::exp(-p.kappa * ds);
    // dE/dds = -(E0 lambda^2 ds e^{-lambda ds} + kappa z); dds/dsigma = -1/(beta eta2 sigma)
    if (de_dsigma) *de_dsigma = (x * y * p.e0 * p.lambda + p.kappa * z) / (sigma1 * beta * p.eta2);
    return p.e0 * ((1.0 + x) * y - 1.0) + z;
}

std::unique_ptr<SiteSumForm> Emt::site_sum_form(const std::vector<Species>& species) const {
    check_cluster_species(species_only(species));
    if (options_.asap_cutoff && species.size() > 1) return nullptr;
    // Sums of atom i (type a) over neighbours j (type b), as in compute():
    //   S^0 = sigma1_i = sum sigma_scale_ab exp(-eta2_b r) theta(r)
    //   S^1 = -1/2 sum (y_ab + y_ba),  y_ab = pair_scale_ab exp(-kappa_b r / beta) theta(r)
    class Form final : public SiteSumForm {
    public:
        Form(const Emt& emt, const std::vector<Species>& species) : species_(species) {
            for (Species z : species) {
                types_.push_back(static_cast<std::size_t>(emt.type_of_[static_cast<std::size_t>(z)]));
                params_.push_back(emt.params_[types_.back()]);
            }
            model_ = emt.options_.asap_cutoff ? emt.models_[types_.front()] : emt.models_.front();
            nt_ = emt.params_.size();
        }
        const std::vector<Species>& species() const override { return species_; }
        int channels() const override { return 2; }
        double range() const override { return model_.r_list; }
        void pair_terms(int a, int b, double r, double* out) const override {
            const std::size_t ta = types_[static_cast<std::size_t>(a)], tb = types_[static_cast<std::size_t>(b)];
            const ElementParameters &pa = params_[static_cast<std::size_t>(a)], &pb = params_[static_cast<std::size_t>(b)];
            const double theta = 1.0 / (1.0 + std::exp(model_.acut * (r - model_.rc)));
            out[0] = model_.sigma_scale[ta * nt_ + tb] * std::exp(-pb.eta2 * r) * theta;
            const double y_ab = model_.pair_scale[ta * nt_ + tb] * std::exp(-pb.kappa_over_beta * r) * theta;
            const double y_ba = model_.pair_scale[tb * nt_ + ta] * std::exp(-pa.kappa_over_beta * r) * theta;
            out[1] = -0.5 * (y_ab + y_ba);
        }
        double site_energy(int a, const double* sums) const override {
            return site_term(params_[static_cast<std::size_t>(a)], sums[0], nullptr) + sums[1];
        }

    private:
        std::vector<Species> species_;
        std::vector<std::size_t> types_;  // the potential's type of each form type
        std::vector<ElementParameters> params_;
        Model model_;
        std::size_t nt_ = 0;
    };
    return std::make_unique<Form>(*this, species);
}

double Emt::compute(const Cluster& cluster, Eigen::Matrix3Xd* forces, Eigen::VectorXd* atom_energies) const {
    check_cluster_species(cluster);
    const Model& m = model_for(cluster);
    const auto n = static_cast<Eigen::Index>(cluster.size());
    const std::size_t nt = params_.size();
    std::vector<int> type(static_cast<std::size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i) type[static_cast<std::size_t>(i)] = type_of_[cluster.species[i]];

    // Pass 1: density sums sigma1_i and the pair (atomic-sphere) terms. E_i depends on
    // sigma1_i non-linearly, so forces need the complete sums first; the radial derivatives
    // of each pair's three terms are kept for pass 2 so every exponential is computed once.
    struct PairDerivatives {
        double pair;      // d/dr of the pair energy -(y_ij + y_ji), eV/A
        double sigma_i;   // d/dr of j's contribution to sigma1_i, 1/A
        double sigma_j;   // d/dr of i's contribution to sigma1_j, 1/A
    };
    std::vector<PairDerivatives> derivatives;
    if (forces) derivatives.reserve(static_cast<std::size_t>(n) * 32);
    Eigen::VectorXd sigma1 = Eigen::VectorXd::Zero(n);
    Eigen::VectorXd pair_energy = Eigen::VectorXd::Zero(n);
    const CellGrid grid(cluster.positions, m.r_list);
    grid.for_each_pair([&](int i, int j, const Eigen::Vector3d&, double r) {
        const auto a = static_cast<std::size_t>(type[static_cast<std::size_t>(i)]);
        const auto b = static_cast<std::size_t>(type[static_cast<std::size_t>(j)]);
        const ElementParameters &pa = params_[a], &pb = params_[b];
        const double x = std::exp(m.acut * (r - m.rc));
        const double theta = 1.0 / (1.0 + x);
        const double dlog_theta = m.acut * x * theta;  // -d ln(theta)/dr
        // Like-species pairs (most pairs in a cluster) share their exponentials.
        const double density_b = std::exp(-pb.eta2 * r);
        const double density_a = a == b ? density_b : std::exp(-pa.eta2 * r);
        const double pair_b = std::exp(-pb.kappa_over_beta * r);
        const double pair_a = a == b ? pair_b : std::exp(-pa.kappa_over_beta * r);
        const double s_ij = m.sigma_scale[a * nt + b] * density_b * theta;  // into sigma1_i
        const double s_ji = m.sigma_scale[b * nt + a] * density_a * theta;  // into sigma1_j
        const double y_ij = m.pair_scale[a * nt + b] * pair_b * theta;
        const double y_ji = m.pair_scale[b * nt + a] * pair_a * theta;
        sigma1[i] += s_ij;
        sigma1[j] += s_ji;
        // The pair term belongs to both atoms; ASE splits it equally.
        const double half = 0.5 * (y_ij + y_ji);
        pair_energy[i] -= half;
        pair_energy[j] -= half;
        if (forces)
            derivatives.push_back({y_ij * (pb.kappa_over_beta + dlog_theta) + y_ji * (pa.kappa_over_beta + dlog_theta),
                                   -s_ij * (pb.eta2 + dlog_theta), -s_ji * (pa.eta2 + dlog_theta)});
    });

    // Per atom: neutral-sphere radius shift ds, cohesive function and atomic-sphere term.
    double energy = 0.0;
    Eigen::VectorXd de_dsigma(n);  // dE_i/dsigma1_i, eV
    if (atom_energies) atom_energies->resize(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        const ElementParameters& p = params_[static_cast<std::size_t>(type[static_cast<std::size_t>(i)])];
        double e_i = site_term(p, sigma1[i], &de_dsigma[i]);
        e_i += pair_energy[i];
        energy += e_i;
        if (atom_energies) (*atom_energies)[i] = e_i;
    }
    if (!forces) return energy;

    // Pass 2: dE/dr_ij = d(pair)/dr + dE_i/dsigma_i dsigma_i/dr + dE_j/dsigma_j dsigma_j/dr.
    forces->setZero(3, n);
    std::size_t pair = 0;
    grid.for_each_pair([&](int i, int j, const Eigen::Vector3d& d, double r) {
        const PairDerivatives& g = derivatives[pair++];
        const double de_dr = g.pair + de_dsigma[i] * g.sigma_i + de_dsigma[j] * g.sigma_j;
        const Eigen::Vector3d f = (de_dr / r) * d;  // force on i; d points from i to j
        forces->col(i) += f;
        forces->col(j) -= f;
    });
    return energy;
}

std::unique_ptr<Potential> make_emt(const ParameterTable& table) {
    table.allow_only({"type", "asap_cutoff", "name", "reference", "notes"});
    EmtOptions options;
    options.asap_cutoff = table.get_bool("asap_cutoff", false);
    return std::make_unique<Emt>(options);
}

}  // namespace nanoscape
