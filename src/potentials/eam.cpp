#include "nanoscape/potentials/eam.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nanoscape/geometry/neighbour_list.hpp"
#include "nanoscape/potentials/local_energy.hpp"

namespace nanoscape {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// Reads a LAMMPS potential file the way LAMMPS's PotentialFileReader does: comment lines are
// skipped whole; value lines lose everything after '#' and blank lines are skipped; a block
// of numbers runs across lines and starts on a new line. Every error names file and line.
class TableFile {
public:
    explicit TableFile(const std::string& path) : path_(path), in_(path) {
        if (!in_) throw InputError(fmt::format("cannot read EAM file {}", path));
    }

    [[nodiscard]] const std::string& path() const { return path_; }

    // A comment line (read whole, may be empty).
    std::string comment_line(const std::string& what) {
        std::string line;
        if (!std::getline(in_, line)) throw error_at_end(what);
        ++line_;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
    }

    // The words of the next non-blank line; at least `min_words` of them.
    std::vector<std::string> words(const std::string& what, std::size_t min_words) {
        std::vector<std::string> w;
        while (w.empty()) {
            std::string line;
            if (!std::getline(in_, line)) throw error_at_end(what);
            ++line_;
            w = split(line);
        }
        if (w.size() < min_words)
            throw error(fmt::format("expected {} ({} values), found {} value(s)", what, min_words, w.size()));
        return w;
    }

    // `n` numbers starting on a new line. Numbers left over on the block's last line mean the
    // counts in the header do not match the data.
    std::vector<double> numbers(std::size_t n, const std::string& what) {
        std::vector<double> out;
        // The header's count is not trusted with memory before the values are there: a file
        // claiming a billion knots ends with "file ends inside ..." instead of an 8 GB
        // allocation (found by fuzzing).
        out.reserve(std::min<std::size_t>(n, 1U << 16));
        while (out.size() < n) {
            std::string line;
            if (!std::getline(in_, line))
                throw InputError(SourceLocation{path_, line_, 0},
                                 fmt::format("file ends inside {}: expected {} values, found {}", what, n, out.size()));
            ++line_;
            const auto w = split(line);
            if (out.size() + w.size() > n)
                throw error(fmt::format("{} values on this line but {} ends after {} of them: the counts in the "
                                        "header do not match the tables",
                                        w.size(), what, n - out.size()));
            for (const auto& word : w) out.push_back(to_real(word, what));
        }
        return out;
    }

    // Throws if anything but blank or comment lines follows the last table.
    void expect_end() {
        std::string line;
        while (std::getline(in_, line)) {
            ++line_;
            if (!split(line).empty()) throw error("unexpected values after the last table: the counts in the header do not match the data");
        }
    }

    [[nodiscard]] InputError error(const std::string& message) const {
        return InputError(SourceLocation{path_, line_, 0}, message);
    }

    double to_real(const std::string& word, const std::string& what) const {
        const char* first = word.data();
        const char* last = word.data() + word.size();
        if (first != last && *first == '+') ++first;
        double v = 0;
        const auto [ptr, ec] = std::from_chars(first, last, v);
        if (ec != std::errc() || ptr != last || !std::isfinite(v))
            throw error(fmt::format("'{}' in {} is not a finite number", word, what));
        return v;
    }

    int to_int(const std::string& word, const std::string& what) const {
        int v = 0;
        const auto [ptr, ec] = std::from_chars(word.data(), word.data() + word.size(), v);
        if (ec != std::errc() || ptr != word.data() + word.size())
            throw error(fmt::format("'{}' in {} is not an integer", word, what));
        return v;
    }

private:
    static std::vector<std::string> split(std::string line) {
        if (const auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
        std::vector<std::string> w;
        std::size_t i = 0;
        while (i < line.size()) {
            while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
            std::size_t j = i;
            while (j < line.size() && !std::isspace(static_cast<unsigned char>(line[j]))) ++j;
            if (j > i) w.push_back(line.substr(i, j - i));
            i = j;
        }
        return w;
    }

    InputError error_at_end(const std::string& what) const {
        return InputError(SourceLocation{path_, line_, 0}, fmt::format("file ends before {}", what));
    }

    std::string path_;
    std::ifstream in_;
    int line_ = 0;
};

struct GridHeader {
    int nrho;
    double drho;
    int nr;
    double dr;
    double cutoff;
};

// "Nrho drho Nr dr cutoff". Five knots are the least the spline construction reads.
GridHeader read_grid(TableFile& file) {
    const std::string what = "the grid line 'Nrho drho Nr dr cutoff'";
    const auto w = file.words(what, 5);
    GridHeader g{file.to_int(w[0], "Nrho"), file.to_real(w[1], "drho"), file.to_int(w[2], "Nr"),
                 file.to_real(w[3], "dr"), file.to_real(w[4], "cutoff")};
    if (g.nrho < 5 || g.nr < 5) throw file.error(fmt::format("Nrho = {} and Nr = {}: need at least 5 knots each", g.nrho, g.nr));
    if (!(g.drho > 0) || !(g.dr > 0) || !(g.cutoff > 0))
        throw file.error(fmt::format("drho = {}, dr = {}, cutoff = {}: all must be positive", g.drho, g.dr, g.cutoff));
    return g;
}

// "Z mass [a lattice]" of one element.
EamElement read_element_line(TableFile& file, const std::string& what) {
    const auto w = file.words(what, 2);
    EamElement e;
    e.species = file.to_int(w[0], "the atomic number");
    e.mass = file.to_real(w[1], "the mass");
    if (w.size() >= 3) e.lattice_constant = file.to_real(w[2], "the lattice constant");
    if (w.size() >= 4) e.lattice = w[3];
    return e;
}

// LAMMPS's 4-point Lagrange interpolation of a funcfl table `y` (knots (k-1) dx, k = 1..n,
// stored 0-based) at x; used to put several funcfl files on one grid (pair_eam.cpp file2array).
double lagrange4(const std::vector<double>& y, double dx, double x) {
    const int n = static_cast<int>(y.size());
    double p = x / dx + 1.0;
    int k = p < n - 2 ? static_cast<int>(p) : n - 2;  // as doubles first: p may exceed any int
    k = std::max(k, 2);
    p -= k;
    p = std::min(p, 2.0);
    const double sixth = 1.0 / 6.0;
    const double cof1 = -sixth * p * (p - 1.0) * (p - 2.0);
    const double cof2 = 0.5 * (p * p - 1.0) * (p - 2.0);
    const double cof3 = -0.5 * p * (p + 1.0) * (p - 2.0);
    const double cof4 = sixth * p * (p * p - 1.0);
    // 1-based y[k-1], y[k], y[k+1], y[k+2]
    return cof1 * y[static_cast<std::size_t>(k - 2)] + cof2 * y[static_cast<std::size_t>(k - 1)] +
           cof3 * y[static_cast<std::size_t>(k)] + cof4 * y[static_cast<std::size_t>(k + 1)];
}

// Nearest-neighbour distance of a lattice with cubic (or hcp basal) constant a; 0 if unknown.
double nearest_neighbour_distance(const EamElement& e) {
    if (!(e.lattice_constant > 0)) return 0.0;
    const std::string l = lower(e.lattice);
    const double a = e.lattice_constant;
    if (l == "fcc") return a / std::sqrt(2.0);
    if (l == "bcc") return a * std::sqrt(3.0) / 2.0;
    if (l == "hcp" || l == "sc") return a;
    if (l == "dia" || l == "diamond") return a * std::sqrt(3.0) / 4.0;
    return 0.0;
}

}  // namespace

EamFormat eam_format_from_name(const std::string& path) {
    const std::string name = lower(std::filesystem::path(path).filename().string());
    if (name.ends_with(".eam.alloy") || name.ends_with(".setfl")) return EamFormat::setfl;
    if (name.ends_with(".eam.fs")) return EamFormat::finnis_sinclair;
    if (name.ends_with(".eam")) return EamFormat::funcfl;
    throw InputError(fmt::format("{}: cannot tell the EAM format from the name (*.eam.alloy: setfl, *.eam.fs: "
                                 "eam/fs, *.eam: funcfl); give `format`",
                                 path));
}

bool is_eam_file_name(const std::string& path) {
    try {
        (void)eam_format_from_name(path);
        return true;
    } catch (const InputError&) {
        return false;
    }
}

EamTables read_eam_setfl(const std::string& path, bool finnis_sinclair) {
    TableFile file(path);
    EamTables t;
    t.source = std::filesystem::path(path).filename().string();
    for (int c = 0; c < 3; ++c) t.comments.push_back(file.comment_line("the three comment lines"));

    const auto names = file.words("the element line 'N El1 ... ElN'", 1);
    const int n = file.to_int(names[0], "the number of elements");
    if (n < 1 || static_cast<int>(names.size()) != n + 1)
        throw file.error(fmt::format("the element line says {} element(s) but names {}", names[0], names.size() - 1));
    const GridHeader g = read_grid(file);
    t.nrho = g.nrho, t.drho = g.drho, t.nr = g.nr, t.dr = g.dr, t.cutoff = g.cutoff;
    t.rhomax = (t.nrho - 1) * t.drho;

    const auto nn = static_cast<std::size_t>(n);
    t.density.assign(nn * nn, {});
    t.r_phi.assign(nn * nn, {});
    const auto nrho = static_cast<std::size_t>(t.nrho), nr = static_cast<std::size_t>(t.nr);
    for (std::size_t b = 0; b < nn; ++b) {
        const std::string& name = names[b + 1];
        EamElement e = read_element_line(file, fmt::format("the line 'Z mass a lattice' of {}", name));
        // The symbol on the element line names the species; the atomic number is the fallback
        // for files that use labels such as "Cu1".
        if (is_element_symbol(name)) {
            e.species = species_from_symbol(name);
        } else if (e.species < 1 || e.species > max_atomic_number) {
            throw file.error(fmt::format("'{}' is not an element symbol and {} not an atomic number (1-{})", name,
                                         e.species, max_atomic_number));
        }
        t.elements.push_back(e);
        t.embedding.push_back(file.numbers(nrho, fmt::format("F(rho) of {}", name)));
        if (finnis_sinclair) {
            // Block of element b, array a: density of a b-atom at an a-atom (LAMMPS pair_eam_fs:
            // rho_i += rhor_fs[type j][type i]).
            for (std::size_t a = 0; a < nn; ++a)
                t.density[a * nn + b] =
                    file.numbers(nr, fmt::format("density function {} of {}", a + 1, name));
        } else {
            const auto f = file.numbers(nr, fmt::format("f(r) of {}", name));
            for (std::size_t a = 0; a < nn; ++a) t.density[a * nn + b] = f;
        }
    }
    for (std::size_t i = 0; i < nn; ++i)
        for (std::size_t j = 0; j <= i; ++j)
            t.r_phi[i * nn + j] = t.r_phi[j * nn + i] =
                file.numbers(nr, fmt::format("r*phi(r) of {}-{}", names[i + 1], names[j + 1]));
    file.expect_end();
    return t;
}

EamTables read_eam_funcfl(const std::vector<std::string>& paths) {
    if (paths.empty()) throw InputError("eam: no funcfl files given");
    struct Funcfl {
        EamElement element;
        GridHeader grid;
        std::vector<double> frho, zr, rhor;
        std::string comment;
    };
    std::vector<Funcfl> files;
    EamTables t;
    std::vector<std::string> names;
    for (const auto& path : paths) {
        TableFile file(path);
        Funcfl f;
        f.comment = file.comment_line("the comment line");
        f.element = read_element_line(file, "the line 'Z mass a lattice'");
        if (f.element.species < 1 || f.element.species > max_atomic_number)
            throw file.error(fmt::format("atomic number {} is outside 1-{}", f.element.species, max_atomic_number));
        for (const auto& other : files)
            if (other.element.species == f.element.species)
                throw file.error(fmt::format("a second file for {}: each element needs one funcfl file",
                                             symbol(f.element.species)));
        f.grid = read_grid(file);
        const std::string el = symbol(f.element.species);
        f.frho = file.numbers(static_cast<std::size_t>(f.grid.nrho), fmt::format("F(rho) of {}", el));
        f.zr = file.numbers(static_cast<std::size_t>(f.grid.nr), fmt::format("Z(r) of {}", el));
        f.rhor = file.numbers(static_cast<std::size_t>(f.grid.nr), fmt::format("f(r) of {}", el));
        file.expect_end();
        names.push_back(std::filesystem::path(path).filename().string());
        t.comments.push_back(f.comment);
        files.push_back(std::move(f));
    }
    t.source = fmt::format("{}", fmt::join(names, ", "));

    // Common grid as LAMMPS pair_eam.cpp file2array(): largest spacings, largest ranges; the
    // knot counts from range/spacing (+0.5 for round-off). rhomax keeps the files' largest range.
    double rmax = 0;
    t.dr = t.drho = t.rhomax = t.cutoff = 0;
    for (const auto& f : files) {
        t.dr = std::max(t.dr, f.grid.dr);
        t.drho = std::max(t.drho, f.grid.drho);
        rmax = std::max(rmax, (f.grid.nr - 1) * f.grid.dr);
        t.rhomax = std::max(t.rhomax, (f.grid.nrho - 1) * f.grid.drho);
        t.cutoff = std::max(t.cutoff, f.grid.cutoff);  // PairEAM::init_one: max over the files
    }
    t.nr = static_cast<int>(rmax / t.dr + 0.5);
    t.nrho = static_cast<int>(t.rhomax / t.drho + 0.5);
    const auto nn = files.size();
    t.density.assign(nn * nn, {});
    t.r_phi.assign(nn * nn, {});
    std::vector<std::vector<double>> z(nn);
    for (std::size_t a = 0; a < nn; ++a) {
        const auto& f = files[a];
        t.elements.push_back(f.element);
        std::vector<double> frho(static_cast<std::size_t>(t.nrho)), rhor(static_cast<std::size_t>(t.nr));
        z[a].resize(static_cast<std::size_t>(t.nr));
        for (int m = 1; m <= t.nrho; ++m) frho[static_cast<std::size_t>(m - 1)] = lagrange4(f.frho, f.grid.drho, (m - 1) * t.drho);
        for (int m = 1; m <= t.nr; ++m) {
            const double r = (m - 1) * t.dr;
            rhor[static_cast<std::size_t>(m - 1)] = lagrange4(f.rhor, f.grid.dr, r);
            z[a][static_cast<std::size_t>(m - 1)] = lagrange4(f.zr, f.grid.dr, r);
        }
        t.embedding.push_back(std::move(frho));
        for (std::size_t i = 0; i < nn; ++i) t.density[i * nn + a] = rhor;  // density depends on the neighbour only
    }
    // phi_ab(r) = 27.2 * 0.529 Z_a(r) Z_b(r) / r: Hartree (eV) times Bohr (Angstrom), so r*phi
    // in eV Angstrom; LAMMPS's constants, kept for identical numbers.
    for (std::size_t i = 0; i < nn; ++i)
        for (std::size_t j = 0; j <= i; ++j) {
            std::vector<double> rp(static_cast<std::size_t>(t.nr));
            for (std::size_t m = 0; m < rp.size(); ++m) rp[m] = 27.2 * 0.529 * z[i][m] * z[j][m];
            t.r_phi[i * nn + j] = t.r_phi[j * nn + i] = std::move(rp);
        }
    return t;
}

EamTables read_eam_file(const std::string& path, EamFormat format) {
    switch (format) {
        case EamFormat::setfl: return read_eam_setfl(path, false);
        case EamFormat::finnis_sinclair: return read_eam_setfl(path, true);
        case EamFormat::funcfl: return read_eam_funcfl({path});
    }
    throw Error("read_eam_file: unknown format");
}

// ---------------------------------------------------------------------------------------------

// LAMMPS PairEAM::interpolate(): knot values y, knot slopes (per knot spacing) from 5-point
// central differences (one-sided at the ends), and on each interval the cubic Hermite
// polynomial through both knots with those slopes. The last knot's cubic is constant.
std::vector<Eam::Cubic> Eam::make_spline(const std::vector<double>& y) {
    const std::size_t n = y.size();
    std::vector<Cubic> s(n);
    for (std::size_t m = 0; m < n; ++m) s[m].c6 = y[m];
    s[0].c5 = s[1].c6 - s[0].c6;
    s[1].c5 = 0.5 * (s[2].c6 - s[0].c6);
    s[n - 2].c5 = 0.5 * (s[n - 1].c6 - s[n - 3].c6);
    s[n - 1].c5 = s[n - 1].c6 - s[n - 2].c6;
    for (std::size_t m = 2; m + 2 < n; ++m)
        s[m].c5 = ((s[m - 2].c6 - s[m + 2].c6) + 8.0 * (s[m + 1].c6 - s[m - 1].c6)) / 12.0;
    for (std::size_t m = 0; m + 1 < n; ++m) {
        s[m].c4 = 3.0 * (s[m + 1].c6 - s[m].c6) - 2.0 * s[m].c5 - s[m + 1].c5;
        s[m].c3 = s[m].c5 + s[m + 1].c5 - 2.0 * (s[m + 1].c6 - s[m].c6);
    }
    s[n - 1].c4 = 0.0;
    s[n - 1].c3 = 0.0;
    return s;
}

namespace {
inline double cubic_value(double c3, double c4, double c5, double c6, double p) {
    return ((c3 * p + c4) * p + c5) * p + c6;
}
inline double cubic_slope(double c3, double c4, double c5, double p) {  // per knot spacing
    return (3.0 * c3 * p + 2.0 * c4) * p + c5;
}
}  // namespace

Eam::Eam(EamTables tables) : tables_(std::move(tables)) {
    const EamTables& t = tables_;
    const std::string where = t.source.empty() ? std::string("eam") : fmt::format("eam {}", t.source);
    n_types_ = t.elements.size();
    if (n_types_ == 0) throw InputError(fmt::format("{}: no elements", where));
    if (t.nrho < 5 || t.nr < 5) throw InputError(fmt::format("{}: need at least 5 knots (Nrho = {}, Nr = {})", where, t.nrho, t.nr));
    if (!(t.drho > 0) || !(t.dr > 0) || !(t.cutoff > 0))
        throw InputError(fmt::format("{}: drho, dr and the cutoff must be positive", where));
    const auto nn = n_types_;
    const auto nrho = static_cast<std::size_t>(t.nrho), nr = static_cast<std::size_t>(t.nr);
    if (t.embedding.size() != nn || t.density.size() != nn * nn || t.r_phi.size() != nn * nn)
        throw InputError(fmt::format("{}: table counts do not match {} element(s)", where, nn));
    for (const auto& y : t.embedding)
        if (y.size() != nrho) throw InputError(fmt::format("{}: an F(rho) table has {} values, not Nrho = {}", where, y.size(), nrho));
    for (const auto* group : {&t.density, &t.r_phi})
        for (const auto& y : *group)
            if (y.size() != nr) throw InputError(fmt::format("{}: an r table has {} values, not Nr = {}", where, y.size(), nr));

    type_of_.fill(-1);
    for (std::size_t a = 0; a < nn; ++a) {
        const Species z = t.elements[a].species;
        (void)element(z);  // throws for an atomic number outside the table
        if (type_of_[z] >= 0) throw InputError(fmt::format("{}: element {} is given twice", where, symbol(z)));
        type_of_[z] = static_cast<int>(a);
        species_.push_back(z);
    }
    rdr_ = 1.0 / t.dr;
    rdrho_ = 1.0 / t.drho;

    for (const auto& y : t.embedding) embedding_splines_.push_back(make_spline(y));
    pair_knots_.resize(nn * nn * nr);
    for (std::size_t a = 0; a < nn; ++a)
        for (std::size_t b = 0; b < nn; ++b) {
            const auto rho_at_a = make_spline(t.density[a * nn + b]);
            const auto rho_at_b = make_spline(t.density[b * nn + a]);
            const auto r_phi = make_spline(t.r_phi[a * nn + b]);
            PairKnot* k = pair_knots_.data() + (a * nn + b) * nr;
            for (std::size_t m = 0; m < nr; ++m) k[m] = {rho_at_a[m], rho_at_b[m], r_phi[m]};
        }

    // Pair distances: from the lattices if the file names them, else the dimer minimum.
    pair_distance_.assign(nn * nn, 0.0);
    for (std::size_t a = 0; a < nn; ++a)
        for (std::size_t b = 0; b < nn; ++b) {
            const double da = nearest_neighbour_distance(t.elements[a]);
            const double db = nearest_neighbour_distance(t.elements[b]);
            if (da > 0 && db > 0) {
                pair_distance_[a * nn + b] = 0.5 * (da + db);
                continue;
            }
            const Species za = species_[a], zb = species_[b];
            double best_r = 0.5 * t.cutoff, best_e = std::numeric_limits<double>::infinity();
            for (int k = 1; k < 2000; ++k) {
                const double r = t.cutoff * k / 2000.0;
                const double e = embedding(za, density(za, zb, r).value).value +
                                 embedding(zb, density(zb, za, r).value).value + pair(za, zb, r).value;
                if (e < best_e) best_e = e, best_r = r;
            }
            pair_distance_[a * nn + b] = best_r;
        }
}

std::string Eam::description() const {
    std::string out = fmt::format("eam {}", join_symbols(species_, "-"));
    if (!tables_.name.empty()) out += fmt::format(" ({})", tables_.name);
    if (!tables_.source.empty()) out += fmt::format(" from {}", tables_.source);
    out += fmt::format(", cutoff {:.4f} A", tables_.cutoff);
    return out;
}

int Eam::type_index(Species z) const {
    const int t = z >= 0 && z <= max_atomic_number ? type_of_[static_cast<std::size_t>(z)] : -1;
    if (t < 0) throw InputError(fmt::format("{} has no tables for {}", description(), symbol(z)));
    return t;
}

double Eam::pair_distance(Species a, Species b) const {
    return pair_distance_[static_cast<std::size_t>(type_index(a)) * n_types_ + static_cast<std::size_t>(type_index(b))];
}

// F at density rho (LAMMPS PairEAM::compute, embedding loop): the index is clamped to the
// table, negative densities use the first interval's cubic, and above rhomax the value
// continues linearly with the slope at the table's end.
Eam::Value Eam::evaluate_embedding(int type, double rho) const {
    const int n = tables_.nrho;
    double p = rho * rdrho_ + 1.0;
    // int(p) as LAMMPS, guarded against p beyond int range (an exploded cluster).
    int m = p > 0.0 ? static_cast<int>(std::min(p, static_cast<double>(n))) : 0;
    m = std::max(1, std::min(m, n - 1));
    p -= m;
    p = std::min(p, 1.0);
    const Cubic& c = embedding_splines_[static_cast<std::size_t>(type)][static_cast<std::size_t>(m - 1)];
    const double fp = cubic_slope(c.c3, c.c4, c.c5, p) * rdrho_;
    double f = cubic_value(c.c3, c.c4, c.c5, c.c6, p);
    if (rho > tables_.rhomax) f += fp * (rho - tables_.rhomax);
    return {f, fp};
}

Eam::Value Eam::embedding(Species a, double rho) const { return evaluate_embedding(type_index(a), rho); }

Eam::Value Eam::density(Species a, Species b, double r) const {
    if (!(r < tables_.cutoff)) return {0, 0};
    const auto [m, p] = locate_r(r);
    const Cubic& c = pair_knots(type_index(a), type_index(b))[m - 1].rho_at_i;
    return {cubic_value(c.c3, c.c4, c.c5, c.c6, p), cubic_slope(c.c3, c.c4, c.c5, p) * rdr_};
}

Eam::Value Eam::pair(Species a, Species b, double r) const {
    if (!(r < tables_.cutoff)) return {0, 0};
    const auto [m, p] = locate_r(r);
    const Cubic& c = pair_knots(type_index(a), type_index(b))[m - 1].r_phi;
    const double phi = cubic_value(c.c3, c.c4, c.c5, c.c6, p) / r;
    return {phi, (cubic_slope(c.c3, c.c4, c.c5, p) * rdr_ - phi) / r};
}

std::unique_ptr<SiteSumForm> Eam::site_sum_form(const std::vector<Species>& species) const {
    for (Species z : species) (void)type_index(z);  // throws for a species without tables
    class Form final : public SiteSumForm {
    public:
        Form(const Eam& eam, const std::vector<Species>& species) : eam_(eam), species_(species) {
            for (Species z : species_) types_.push_back(eam_.type_index(z));
        }
        const std::vector<Species>& species() const override { return species_; }
        int channels() const override { return 2; }
        double range() const override { return eam_.tables_.cutoff; }
        void pair_terms(int a, int b, double r, double* out) const override {
            const Species za = species_[static_cast<std::size_t>(a)], zb = species_[static_cast<std::size_t>(b)];
            out[0] = 0.5 * eam_.pair(za, zb, r).value;
            out[1] = eam_.density(za, zb, r).value;
        }
        double site_energy(int a, const double* sums) const override {
            // Called for every atom a homotop trial touches: the table's type, looked up once.
            return eam_.evaluate_embedding(types_[static_cast<std::size_t>(a)], sums[1]).value + sums[0];
        }

    private:
        const Eam& eam_;
        std::vector<Species> species_;
        std::vector<int> types_;  // the tables' type of each form type
    };
    return std::make_unique<Form>(*this, species);
}

double Eam::compute(const Cluster& cluster, Eigen::Matrix3Xd* forces, Eigen::VectorXd* atom_energies) const {
    check_species(cluster);
    const auto n = static_cast<Eigen::Index>(cluster.size());
    std::vector<int> type(static_cast<std::size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i) type[static_cast<std::size_t>(i)] = type_of_[cluster.species[static_cast<std::size_t>(i)]];

    // Pass 1 over pairs: densities rho_i and half the pair energy per atom. The spline
    // derivatives of each pair are kept for pass 2 (O(N) pairs with the cutoff), so every
    // pair is located in the tables once; the forces need F'(rho) of both atoms, which is
    // known only once every density is complete.
    struct PairTerm {
        int i, j;
        double ux, uy, uz;  // (x_j - x_i) / r
        double drho_i;      // d(density at i due to j)/dr
        double drho_j;      // d(density at j due to i)/dr
        double dphi;        // dphi/dr
    };
    std::vector<PairTerm> terms;
    if (forces) terms.reserve(static_cast<std::size_t>(n) * 24);
    Eigen::VectorXd rho = Eigen::VectorXd::Zero(n);
    Eigen::VectorXd half_phi = Eigen::VectorXd::Zero(n);
    const CellGrid grid(cluster.positions, tables_.cutoff);
    grid.for_each_pair([&](int i, int j, const Eigen::Vector3d& d, double r) {
        const auto [m, p] = locate_r(r);
        const PairKnot& k = pair_knots(type[static_cast<std::size_t>(i)], type[static_cast<std::size_t>(j)])[m - 1];
        rho[i] += cubic_value(k.rho_at_i.c3, k.rho_at_i.c4, k.rho_at_i.c5, k.rho_at_i.c6, p);
        rho[j] += cubic_value(k.rho_at_j.c3, k.rho_at_j.c4, k.rho_at_j.c5, k.rho_at_j.c6, p);
        const double recip = 1.0 / r;
        const double phi = cubic_value(k.r_phi.c3, k.r_phi.c4, k.r_phi.c5, k.r_phi.c6, p) * recip;
        half_phi[i] += 0.5 * phi;
        half_phi[j] += 0.5 * phi;
        if (forces) {
            // phi = z/r with z = r phi tabulated: phi' = z'/r - phi/r.
            const double dphi = (cubic_slope(k.r_phi.c3, k.r_phi.c4, k.r_phi.c5, p) * rdr_ - phi) * recip;
            terms.push_back({i, j, d.x() * recip, d.y() * recip, d.z() * recip,
                             cubic_slope(k.rho_at_i.c3, k.rho_at_i.c4, k.rho_at_i.c5, p) * rdr_,
                             cubic_slope(k.rho_at_j.c3, k.rho_at_j.c4, k.rho_at_j.c5, p) * rdr_, dphi});
        }
    });

    double energy = 0.0;
    Eigen::VectorXd fp(n);  // F'(rho_i)
    if (atom_energies) atom_energies->resize(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        const Value f = evaluate_embedding(type[static_cast<std::size_t>(i)], rho[i]);
        fp[i] = f.derivative;
        const double e_i = f.value + half_phi[i];
        energy += e_i;
        if (atom_energies) (*atom_energies)[i] = e_i;
    }
    if (!forces) return energy;

    // Pass 2: dE/dr_ij = F'(rho_i) df_ab/dr + F'(rho_j) df_ba/dr + phi'(r): r_ij enters the
    // embedding energy of both atoms. Force on i is +dE/dr along the unit vector i -> j.
    forces->setZero(3, n);
    double* f = forces->data();
    for (const PairTerm& t : terms) {
        const double de_dr = fp[t.i] * t.drho_i + fp[t.j] * t.drho_j + t.dphi;
        const double fx = de_dr * t.ux, fy = de_dr * t.uy, fz = de_dr * t.uz;
        f[3 * t.i] += fx, f[3 * t.i + 1] += fy, f[3 * t.i + 2] += fz;
        f[3 * t.j] -= fx, f[3 * t.j + 1] -= fy, f[3 * t.j + 2] -= fz;
    }
    return energy;
}

std::unique_ptr<Potential> make_eam(const ParameterTable& table) {
    table.allow_only({"type", "name", "reference", "notes", "file", "files", "format"});
    const bool has_file = table.has("file"), has_files = table.has("files");
    if (has_file == has_files)
        throw table.error(has_file ? "files" : "file",
                          "give either `file` (one setfl, eam/fs or funcfl file) or `files` (funcfl files of an alloy)");
    const std::vector<std::string> formats{"setfl", "fs", "funcfl"};
    std::string format = table.get_string("format", "");
    if (!format.empty() && std::find(formats.begin(), formats.end(), format) == formats.end())
        throw table.error("format", fmt::format("must be one of {}, got \"{}\"{}", fmt::join(formats, ", "), format,
                                                did_you_mean(format, formats)));
    EamTables tables;
    if (has_files) {
        const auto files = table.get_string_array("files");
        if (files.empty()) throw table.error("files", "is empty");
        if (!format.empty() && format != "funcfl")
            throw table.error("format", "only funcfl files are combined with `files`; use `file` for setfl and eam/fs");
        for (const auto& f : files)
            if (!f.ends_with(".eam") && format.empty())
                throw table.error("files", fmt::format("'{}' is not a funcfl file (*.eam); set format = \"funcfl\" if it is", f));
        tables = read_eam_funcfl(files);
    } else {
        const std::string file = table.require_string("file");
        EamFormat f;
        if (format.empty()) {
            try {
                f = eam_format_from_name(file);
            } catch (const InputError& e) {
                throw table.error("file", e.what());
            }
        } else {
            f = format == "setfl" ? EamFormat::setfl : format == "fs" ? EamFormat::finnis_sinclair : EamFormat::funcfl;
        }
        tables = read_eam_file(file, f);
    }
    tables.name = table.get_string("name", "");
    return std::make_unique<Eam>(std::move(tables));
}

}  // namespace nanoscape
