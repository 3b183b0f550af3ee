#include "nanoscape/potentials/gupta.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nanoscape/geometry/neighbour_list.hpp"
#include "nanoscape/potentials/local_energy.hpp"

namespace nanoscape {

namespace {
// Coefficients c3, c4, c5 of the SMATB tail c3 x^3 + c4 x^4 + c5 x^5 (x = r - r_c) that
// joins amplitude * exp(-decay (r/r0 - 1)) at r_sc with continuous value and first two
// derivatives (LAMMPS pair_smatb.cpp convention; formulas in gupta.hpp).
std::array<double, 3> tail_coefficients(double amplitude, double decay, double r0, double r_sc, double r_c) {
    const double es = r_c - r_sc;
    const double expp = amplitude * std::exp(decay * (1.0 - r_sc / r0));
    const double ap = -1.0 / (es * es * es);
    const double bp = decay / (r0 * es * es);
    const double cp = -decay * decay / (es * r0 * r0);
    return {expp * (20 * ap + 8 * bp + cp) / 2.0, expp * (15 * ap + 7 * bp + cp) / es,
            expp * (12 * ap + 6 * bp + cp) / (2.0 * es * es)};
}
}  // namespace

Gupta::Gupta(GuptaParameters parameters) : parameters_(std::move(parameters)) {
    type_of_.fill(-1);
    for (const auto& pr : parameters_.pairs)
        for (Species z : {pr.a, pr.b})
            if (std::find(species_.begin(), species_.end(), z) == species_.end()) species_.push_back(z);
    std::sort(species_.begin(), species_.end());
    if (species_.empty()) throw InputError("gupta: the parameter set has no pairs");
    for (std::size_t t = 0; t < species_.size(); ++t) type_of_[species_[t]] = static_cast<int>(t);

    const std::size_t nt = species_.size();
    tables_.resize(nt * nt);
    std::vector<int> seen(nt * nt, 0);
    cutoff_ = 0.0;
    for (const auto& pr : parameters_.pairs) {
        const std::string name = fmt::format("gupta pair {}-{}", symbol(pr.a), symbol(pr.b));
        for (double v : {pr.A, pr.xi, pr.p, pr.q, pr.r0})
            if (!(v > 0) || !std::isfinite(v))
                throw InputError(fmt::format("{}: A, xi, p, q and r0 must be positive and finite", name));
        if (std::isfinite(pr.r_c) && !(pr.r_sc > 0 && pr.r_sc < pr.r_c))
            throw InputError(fmt::format("{}: need 0 < r_sc < r_c (got r_sc {}, r_c {})", name, pr.r_sc, pr.r_c));
        Table t{};
        t.phi_scale = pr.A * std::exp(pr.p);
        t.p_over_r0 = pr.p / pr.r0;
        t.rho_scale = pr.xi * pr.xi * std::exp(2.0 * pr.q);
        t.two_q_over_r0 = 2.0 * pr.q / pr.r0;
        t.r_sc = pr.r_sc;
        t.r_c = pr.r_c;
        if (std::isfinite(pr.r_c)) {
            const auto a = tail_coefficients(pr.A, pr.p, pr.r0, pr.r_sc, pr.r_c);
            const auto x = tail_coefficients(pr.xi, pr.q, pr.r0, pr.r_sc, pr.r_c);
            t.a3 = a[0], t.a4 = a[1], t.a5 = a[2], t.x3 = x[0], t.x4 = x[1], t.x5 = x[2];
        }
        const int ia = type_of_[pr.a], ib = type_of_[pr.b];
        if (seen[ia * nt + ib]++) throw InputError(fmt::format("{} is given twice", name));
        if (ia != ib) ++seen[ib * nt + ia];
        tables_[ia * nt + ib] = tables_[ib * nt + ia] = t;
        cutoff_ = std::max(cutoff_, pr.r_c);
    }
    defined_.assign(seen.begin(), seen.end());
}

std::string Gupta::description() const {
    std::string out = fmt::format("gupta {}", join_symbols(species_, "-"));
    if (!parameters_.name.empty()) out += fmt::format(" ({})", parameters_.name);
    out += std::isfinite(cutoff_) ? fmt::format(", SMATB tail to {:.4f} A", cutoff_) : ", no cutoff";
    return out;
}

const Gupta::Table& Gupta::table(Species a, Species b) const {
    return tables_[static_cast<std::size_t>(type_of_[a]) * species_.size() + type_of_[b]];
}

double Gupta::pair_distance(Species a, Species b) const {
    for (const auto& pr : parameters_.pairs)
        if ((pr.a == a && pr.b == b) || (pr.a == b && pr.b == a)) return pr.r0;
    throw InputError(fmt::format("gupta: no parameters for the pair {}-{}", symbol(a), symbol(b)));
}

Gupta::PairValues Gupta::evaluate(const Table& t, double r) const {
    if (r >= t.r_c) return {0, 0, 0, 0};
    if (r < t.r_sc) {
        const double phi = t.phi_scale * std::exp(-t.p_over_r0 * r);
        const double rho = t.rho_scale * std::exp(-t.two_q_over_r0 * r);
        return {phi, -t.p_over_r0 * phi, rho, -t.two_q_over_r0 * rho};
    }
    const double x = r - t.r_c, x2 = x * x, x3 = x2 * x;
    const double phi = x3 * (t.a3 + x * (t.a4 + x * t.a5));
    const double dphi = x2 * (3 * t.a3 + x * (4 * t.a4 + x * 5 * t.a5));
    const double b = x3 * (t.x3 + x * (t.x4 + x * t.x5));
    const double db = x2 * (3 * t.x3 + x * (4 * t.x4 + x * 5 * t.x5));
    return {phi, dphi, b * b, 2.0 * b * db};
}

Gupta::PairValues Gupta::pair_values(Species a, Species b, double r) const {
    (void)pair_distance(a, b);  // throws for a pair without parameters
    return evaluate(table(a, b), r);
}

void Gupta::check_pairs(const Cluster& cluster) const {
    check_species(cluster);
    // A set may cover several metals without their cross pairs (Cleri-Rosato is pure metals
    // only), so completeness is checked for the species this cluster contains.
    std::vector<int> present(species_.size(), 0);
    for (Species z : cluster.species) present[type_of_[z]] = 1;
    const std::size_t nt = species_.size();
    for (std::size_t a = 0; a < nt; ++a)
        for (std::size_t b = a; b < nt; ++b)
            if (present[a] && present[b] && !defined_[a * nt + b])
                throw InputError(fmt::format("{} has no parameters for the pair {}-{}", description(),
                                             symbol(species_[a]), symbol(species_[b])));
}

double Gupta::compute(const Cluster& cluster, Eigen::Matrix3Xd* forces, Eigen::VectorXd* atom_energies) const {
    check_pairs(cluster);
    const auto n = static_cast<Eigen::Index>(cluster.size());
    const auto& z = cluster.species;
    // Pass 1: band sums rho_i and the repulsion of each atom. With a cutoff the number of
    // pairs is O(N), so their derivatives are kept for pass 2 instead of recomputing the
    // exponentials; without one (O(N^2) pairs) they are recomputed to keep memory O(N).
    Eigen::VectorXd rho = Eigen::VectorXd::Zero(n);
    Eigen::VectorXd repulsion = Eigen::VectorXd::Zero(n);
    const bool keep_derivatives = forces != nullptr && std::isfinite(cutoff_);
    std::vector<std::array<double, 2>> derivatives;  // (dphi/dr, drho/dr) per pair, in visit order
    if (keep_derivatives) derivatives.reserve(static_cast<std::size_t>(n) * 32);
    const CellGrid grid(cluster.positions, cutoff_);
    grid.for_each_pair([&](int i, int j, const Eigen::Vector3d&, double r) {
        const PairValues v = evaluate(table(z[i], z[j]), r);
        repulsion[i] += v.phi;
        repulsion[j] += v.phi;
        rho[i] += v.rho;
        rho[j] += v.rho;
        if (keep_derivatives) derivatives.push_back({v.dphi, v.drho});
    });
    double energy = 0.0;
    Eigen::VectorXd half_inv_sqrt_rho(n);  // d sqrt(rho)/d rho = 1 / (2 sqrt(rho)); 0 for an isolated atom
    for (Eigen::Index i = 0; i < n; ++i) {
        const double root = std::sqrt(rho[i]);
        half_inv_sqrt_rho[i] = root > 0 ? 0.5 / root : 0.0;
        const double e_i = repulsion[i] - root;
        energy += e_i;
        if (atom_energies) {
            if (i == 0) atom_energies->resize(n);
            (*atom_energies)[i] = e_i;
        }
    }
    if (atom_energies && n == 0) atom_energies->resize(0);
    if (!forces) return energy;
    // Pass 2: dE/dr_ij = 2 phi'(r) - rho'(r) (1/(2 sqrt rho_i) + 1/(2 sqrt rho_j)); the
    // band term of both atoms depends on r_ij, which is why rho_i must be complete first.
    forces->setZero(3, n);
    std::size_t pair = 0;
    grid.for_each_pair([&](int i, int j, const Eigen::Vector3d& d, double r) {
        double dphi, drho;
        if (keep_derivatives) {
            dphi = derivatives[pair][0];
            drho = derivatives[pair][1];
            ++pair;
        } else {
            const PairValues v = evaluate(table(z[i], z[j]), r);
            dphi = v.dphi;
            drho = v.drho;
        }
        const double de_dr = 2.0 * dphi - drho * (half_inv_sqrt_rho[i] + half_inv_sqrt_rho[j]);
        const Eigen::Vector3d f = (de_dr / r) * d;  // force on i; d points from i to j
        forces->col(i) += f;
        forces->col(j) -= f;
    });
    return energy;
}

std::unique_ptr<SiteSumForm> Gupta::site_sum_form(const std::vector<Species>& species) const {
    check_pairs(species_only(species));
    class Form final : public SiteSumForm {
    public:
        Form(const Gupta& gupta, const std::vector<Species>& species) : gupta_(gupta), species_(species) {
            range_ = gupta.cutoff_;
            if (!std::isfinite(range_)) {
                // No cutoff: leave out the pairs whose terms are below 1e-15 of their value at
                // r0 (phi ~ exp(-p x), rho ~ exp(-2 q x) with x = r/r0 - 1).
                range_ = 0.0;
                for (Species a : species)
                    for (Species b : species)
                        for (const auto& pr : gupta.parameters_.pairs)
                            if ((pr.a == a && pr.b == b) || (pr.a == b && pr.b == a))
                                range_ = std::max(range_, pr.r0 * (1.0 + std::log(1e15) / std::min(pr.p, 2.0 * pr.q)));
            }
        }
        const std::vector<Species>& species() const override { return species_; }
        int channels() const override { return 2; }
        double range() const override { return range_; }
        void pair_terms(int a, int b, double r, double* out) const override {
            const PairValues v = gupta_.evaluate(
                gupta_.table(species_[static_cast<std::size_t>(a)], species_[static_cast<std::size_t>(b)]), r);
            out[0] = v.phi;
            out[1] = v.rho;
        }
        double site_energy(int, const double* sums) const override { return sums[0] - std::sqrt(sums[1]); }

    private:
        const Gupta& gupta_;
        std::vector<Species> species_;
        double range_ = 0.0;
    };
    return std::make_unique<Form>(*this, species);
}

std::unique_ptr<Potential> make_gupta(const ParameterTable& table) {
    table.allow_only({"type", "name", "reference", "notes", "tail", "variant", "default_variant", "variants",
                      "parameters", "pair"});
    GuptaParameters params;
    params.name = table.get_string("name", "");
    params.reference = table.get_string("reference", "");
    const std::string tail = table.get_string("tail", "none");
    if (tail != "none" && tail != "smatb")
        throw table.error("tail", fmt::format("must be \"none\" or \"smatb\", got \"{}\"{}", tail,
                                              did_you_mean(tail, {"none", "smatb"})));
    const auto variants = table.get_string_array("variants");
    std::string variant = table.get_string("variant", table.get_string("default_variant", ""));
    if (!variants.empty() && std::find(variants.begin(), variants.end(), variant) == variants.end())
        throw table.error(table.has("variant") ? "variant" : "default_variant",
                          fmt::format("unknown variant \"{}\"{}; this set has: {}", variant,
                                      did_you_mean(variant, variants), fmt::join(variants, ", ")));
    if (variants.empty() && table.has("variant"))
        throw table.error("variant", "this parameter set has no variants");
    if (!variant.empty()) params.name += fmt::format("{}{}", params.name.empty() ? "" : ", ", variant);

    const auto pairs = table.get_table_array("pair");
    if (pairs.empty()) throw table.error("pair", "no [[pair]] tables: a Gupta set needs one per species pair");
    for (const auto& t : pairs) {
        t.allow_only({"elements", "A", "xi", "p", "q", "r0", "r_sc", "r_c", "variant", "reference"});
        if (t.has("variant")) {
            const std::string v = t.require_string("variant");
            if (std::find(variants.begin(), variants.end(), v) == variants.end())
                throw t.error("variant", fmt::format("\"{}\" is not listed in `variants`", v));
            if (v != variant) continue;
        }
        const auto elements = t.get_string_array("elements");
        if (elements.size() != 2) throw t.error("elements", "must name two elements, e.g. [\"Ag\", \"Cu\"]");
        GuptaPair pr;
        try {
            pr.a = species_from_symbol(elements[0]);
            pr.b = species_from_symbol(elements[1]);
        } catch (const InputError& e) {
            throw t.error("elements", e.what());
        }
        if (pr.a > pr.b) std::swap(pr.a, pr.b);
        for (const char* key : {"A", "xi", "p", "q", "r0"}) {
            const double v = t.require_real(key);
            if (!(v > 0)) throw t.error(key, "must be positive");
        }
        pr.A = t.require_real("A");
        pr.xi = t.require_real("xi");
        pr.p = t.require_real("p");
        pr.q = t.require_real("q");
        pr.r0 = t.require_real("r0");
        if (tail == "smatb") {
            // Ferrando's default: tail from the 2nd to the 3rd fcc neighbour shell.
            pr.r_sc = t.get_real("r_sc", pr.r0 * std::sqrt(2.0));
            pr.r_c = t.get_real("r_c", pr.r0 * std::sqrt(3.0));
            if (!(pr.r_sc > 0 && pr.r_sc < pr.r_c))
                throw t.error(t.has("r_sc") ? "r_sc" : "r_c", fmt::format("need 0 < r_sc < r_c (got {}, {})", pr.r_sc, pr.r_c));
        } else {
            for (const char* key : {"r_sc", "r_c"})
                if (t.has(key)) throw t.error(key, "is only used with tail = \"smatb\"");
            pr.r_sc = pr.r_c = no_cutoff;
        }
        params.pairs.push_back(pr);
    }
    return std::make_unique<Gupta>(std::move(params));
}

}  // namespace nanoscape
