#include "nanoscape/potentials/eam_export.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace nanoscape {

namespace {

std::vector<Species> export_species(const Gupta& gupta, const EamExportOptions& options) {
    const auto supported = gupta.supported_species();
    if (options.species.empty()) return supported;
    for (Species z : options.species)
        if (std::find(supported.begin(), supported.end(), z) == supported.end())
            throw InputError(fmt::format("{} has no parameters for {}", gupta.description(), symbol(z)));
    return options.species;
}

// Every pair of the exported species must have parameters (a table needs all of them).
void check_pairs(const Gupta& gupta, const std::vector<Species>& species) {
    for (Species a : species)
        for (Species b : species) try {
                (void)gupta.pair_distance(a, b);
            } catch (const InputError&) {
                throw InputError(fmt::format("{} has no parameters for the pair {}-{}; export a subset of species "
                                             "whose pairs are all given (export-eam --elements)",
                                             gupta.description(), symbol(a), symbol(b)));
            }
}

// Largest r in [lo, hi] with g(r) >= tolerance for a decreasing g, by bisection.
template <class G>
double last_above(G g, double lo, double hi, double tolerance) {
    if (g(lo) < tolerance) return lo;
    for (int it = 0; it < 200 && hi - lo > 1e-12 * hi; ++it) {
        const double mid = 0.5 * (lo + hi);
        (g(mid) >= tolerance ? lo : hi) = mid;
    }
    return hi;
}

void append_numbers(fmt::memory_buffer& out, const std::vector<double>& v) {
    for (std::size_t k = 0; k < v.size(); ++k)
        fmt::format_to(std::back_inserter(out), "{:.16e}{}", v[k], (k % 5 == 4 || k + 1 == v.size()) ? "\n" : " ");
}

}  // namespace

double gupta_export_cutoff(const Gupta& gupta, const std::vector<Species>& species, double tolerance) {
    if (std::isfinite(gupta.cutoff())) return gupta.cutoff();
    if (!(tolerance > 0)) throw InputError(fmt::format("export tolerance must be positive, got {}", tolerance));
    double cutoff = 0;
    for (Species a : species)
        for (Species b : species) {
            const double r0 = gupta.pair_distance(a, b);
            const double xi = std::sqrt(gupta.pair_values(a, b, r0).rho);  // rho_ab(r0) = xi^2
            const auto repulsion = [&](double r) { return 2.0 * gupta.pair_values(a, b, r).phi; };
            const auto band = [&](double r) { return gupta.pair_values(a, b, r).rho / (2.0 * xi); };
            cutoff = std::max({cutoff, last_above(repulsion, r0, 100.0 * r0, tolerance),
                               last_above(band, r0, 100.0 * r0, tolerance)});
        }
    return cutoff;
}

EamTables tabulate_gupta(const Gupta& gupta, const EamExportOptions& options) {
    const auto species = export_species(gupta, options);
    check_pairs(gupta, species);
    if (options.nr < 5 || options.nrho < 5)
        throw InputError(fmt::format("need at least 5 knots (nr = {}, nrho = {})", options.nr, options.nrho));
    const double cutoff = options.cutoff > 0 ? options.cutoff : gupta_export_cutoff(gupta, species, options.tolerance);
    if (!(cutoff > 0) || !std::isfinite(cutoff)) throw InputError(fmt::format("export cutoff must be positive, got {}", cutoff));

    const std::size_t n = species.size();
    EamTables t;
    t.nr = options.nr;
    t.nrho = options.nrho;
    t.cutoff = cutoff;
    t.dr = cutoff / (t.nr - 1);  // the last knot is the cutoff

    // Largest density: an fcc crystal of each pair compressed to 0.9 r0, neighbours within the
    // cutoff, with 25 % to spare. Denser atoms (a collapsing random structure) are handled by
    // the linear continuation of F, which LAMMPS applies too.
    double rho_max = options.rho_max;
    if (!(rho_max > 0)) {
        for (Species a : species)
            for (Species b : species) {
                const double nn = 0.9 * gupta.pair_distance(a, b);
                const double half_a = nn / std::sqrt(2.0);  // fcc sites: half_a (i, j, k), i + j + k even
                const int k_max = static_cast<int>(std::ceil(cutoff / half_a));
                double sum = 0;
                for (int i = -k_max; i <= k_max; ++i)
                    for (int j = -k_max; j <= k_max; ++j)
                        for (int k = -k_max; k <= k_max; ++k) {
                            if ((i + j + k) % 2 != 0 || (i == 0 && j == 0 && k == 0)) continue;
                            const double r = half_a * std::sqrt(double(i * i + j * j + k * k));
                            if (r < cutoff) sum += gupta.pair_values(a, b, r).rho;
                        }
                rho_max = std::max(rho_max, 1.25 * sum);
            }
    }
    t.drho = rho_max / (t.nrho - 1);
    t.rhomax = (t.nrho - 1) * t.drho;

    // F(rho) = -sqrt(rho) for every species (the Gupta band energy).
    std::vector<double> f(static_cast<std::size_t>(t.nrho));
    for (std::size_t k = 1; k < f.size(); ++k) f[k] = -std::sqrt(static_cast<double>(k) * t.drho);  // f[0] = 0
    t.embedding.assign(n, f);
    t.density.assign(n * n, {});
    t.r_phi.assign(n * n, {});
    for (std::size_t a = 0; a < n; ++a)
        for (std::size_t b = 0; b < n; ++b) {
            std::vector<double> rho(static_cast<std::size_t>(t.nr)), r_phi(static_cast<std::size_t>(t.nr));
            for (std::size_t k = 0; k < rho.size(); ++k) {
                const double r = static_cast<double>(k) * t.dr;
                const auto v = gupta.pair_values(species[a], species[b], r);
                rho[k] = v.rho;
                // LAMMPS's pair term is 1/2 sum_{i!=j} phi, Gupta's sum_i sum_{j!=i} phi: twice.
                r_phi[k] = r * 2.0 * v.phi;
            }
            t.density[a * n + b] = std::move(rho);
            t.r_phi[a * n + b] = std::move(r_phi);
        }
    for (Species z : species)
        t.elements.push_back({z, element(z).mass, std::sqrt(2.0) * gupta.pair_distance(z, z), "fcc"});

    t.source = gupta.description();
    t.comments = {
        fmt::format("nanoscape export-eam: {}", gupta.description()),
        "Gupta as EAM: F(rho) = -sqrt(rho), f_ab = xi_ab^2 exp(-2 q_ab (r/r0_ab - 1)), phi_EAM = 2 phi_Gupta "
        "(LAMMPS counts 1/2 per pair)",
        fmt::format("nr {} nrho {} cutoff {:.10g} A rho_max {:.10g} eV^2; fcc lattice constants = sqrt(2) r0", t.nr,
                    t.nrho, t.cutoff, t.rhomax),
    };
    return t;
}

void write_eam_table(const std::string& path, const EamTables& t, EamFormat format) {
    if (format == EamFormat::funcfl) throw InputError(fmt::format("{}: nanoscape writes setfl and eam/fs files, not funcfl", path));
    const std::size_t n = t.elements.size();
    if (format == EamFormat::setfl)
        for (std::size_t a = 1; a < n; ++a)
            for (std::size_t b = 0; b < n; ++b)
                if (t.density[a * n + b] != t.density[b])
                    throw InputError(fmt::format(
                        "{}: the densities depend on both species (as Gupta's xi_ab, q_ab, r0_ab do), which setfl "
                        "(*.eam.alloy) cannot hold; write eam/fs (*.eam.fs, pair_style eam/fs) instead",
                        path));
    fmt::memory_buffer out;
    for (std::size_t c = 0; c < 3; ++c) {
        std::string line = c < t.comments.size() ? t.comments[c] : std::string();
        std::replace(line.begin(), line.end(), '\n', ' ');
        fmt::format_to(std::back_inserter(out), "{}\n", line);
    }
    std::vector<std::string> symbols;
    for (const auto& e : t.elements) symbols.push_back(symbol(e.species));
    fmt::format_to(std::back_inserter(out), "{} {}\n", n, fmt::join(symbols, " "));
    fmt::format_to(std::back_inserter(out), "{} {:.17g} {} {:.17g} {:.17g}\n", t.nrho, t.drho, t.nr, t.dr, t.cutoff);
    for (std::size_t b = 0; b < n; ++b) {
        const auto& e = t.elements[b];
        fmt::format_to(std::back_inserter(out), "{} {:.17g} {:.17g} {}\n", e.species, e.mass, e.lattice_constant,
                       e.lattice.empty() ? "unknown" : e.lattice);
        append_numbers(out, t.embedding[b]);
        if (format == EamFormat::finnis_sinclair) {
            for (std::size_t a = 0; a < n; ++a) append_numbers(out, t.density[a * n + b]);  // b-atom at an a-atom
        } else {
            append_numbers(out, t.density[b]);
        }
    }
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j <= i; ++j) append_numbers(out, t.r_phi[i * n + j]);

    // Written under a temporary name and renamed, so a failure never leaves a half-written table.
    const std::string temporary = fmt::format("{}.tmp", path);
    std::FILE* file = std::fopen(temporary.c_str(), "wb");
    if (!file) throw Error(fmt::format("cannot write {}", temporary));
    const bool ok = std::fwrite(out.data(), 1, out.size(), file) == out.size();
    if (std::fclose(file) != 0 || !ok) {
        std::remove(temporary.c_str());
        throw Error(fmt::format("error writing {}", temporary));
    }
    std::error_code ec;
    std::filesystem::rename(temporary, path, ec);
    if (ec) throw Error(fmt::format("cannot rename {} to {}: {}", temporary, path, ec.message()));
}

}  // namespace nanoscape
