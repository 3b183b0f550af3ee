// EAM tables: reading setfl, eam/fs and funcfl files, LAMMPS's interpolation, errors that name
// file and line, and the Gupta -> eam/fs -> Eam round trip. Agreement with LAMMPS itself is
// checked by tests/oracle/test_eam_lammps.py.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>

#include <fmt/format.h>

#include "nanoscape/geometry/builders.hpp"
#include "nanoscape/io/potential_loader.hpp"
#include "nanoscape/potentials/eam.hpp"
#include "nanoscape/potentials/eam_export.hpp"

namespace nanoscape {
namespace {

std::string data(const std::string& name) { return std::string(NANOSCAPE_SOURCE_DIR) + "/inputs/potentials/" + name; }

std::string write_temp(const std::string& name, const std::string& text) {
    const auto path = std::filesystem::temp_directory_path() / fmt::format("nanoscape_test_eam_{}", name);
    std::ofstream(path) << text;
    return path.string();
}

std::string message_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const InputError& e) {
        return e.what();
    }
    return "<no InputError>";
}

// n values of g at k*h, k = 0..n-1, five per line.
std::string column(int n, double h, const std::function<double(double)>& g) {
    std::string out;
    for (int k = 0; k < n; ++k) out += fmt::format("{:.17g}{}", g(k * h), (k % 5 == 4 || k + 1 == n) ? "\n" : " ");
    return out;
}

// Functions of a small synthetic table: cubics, which LAMMPS's spline reproduces exactly on
// interior intervals (5-point slopes are exact for quartics, Hermite cubics for cubics).
double f_cu(double r) { return 2.0 - 0.3 * r + 0.05 * r * r - 0.004 * r * r * r; }
double f_ni(double r) { return 1.0 + 0.1 * r - 0.02 * r * r + 0.001 * r * r * r; }
double embed_cu(double rho) { return -1.0 * rho + 0.1 * rho * rho - 0.01 * rho * rho * rho; }
double embed_ni(double rho) { return -2.0 * rho + 0.2 * rho * rho; }
double rphi(double r, double s) { return s * (3.0 - r) * (4.0 - r) * r; }

constexpr int n_knots = 41;
constexpr double dr = 0.125, drho = 0.25, cut = 4.9;

std::string setfl_text(bool truncated = false) {
    std::string t = "comment 1\ncomment 2\ncomment 3\n2 Cu Ni\n";
    t += fmt::format("{} {} {} {} {}\n", n_knots, drho, n_knots, dr, cut);
    t += "29 63.546 3.615 FCC\n" + column(n_knots, drho, embed_cu) + column(n_knots, dr, f_cu);
    t += "28 58.69 3.52 fcc\n" + column(n_knots, drho, embed_ni) + column(n_knots, dr, f_ni);
    t += column(n_knots, dr, [](double r) { return rphi(r, 1.0); });   // Cu-Cu
    t += column(n_knots, dr, [](double r) { return rphi(r, 0.5); });   // Ni-Cu
    if (truncated) return t;
    t += column(n_knots, dr, [](double r) { return rphi(r, 0.25); });  // Ni-Ni
    return t;
}

TEST(Eam_Setfl, Parse_ReadsGridElementsAndTables) {
    const auto tables = read_eam_setfl(write_temp("a.eam.alloy", setfl_text()), false);
    ASSERT_EQ(tables.elements.size(), 2u);
    EXPECT_EQ(tables.elements[0].species, 29);
    EXPECT_EQ(tables.elements[1].species, 28);
    EXPECT_DOUBLE_EQ(tables.elements[1].lattice_constant, 3.52);
    EXPECT_EQ(tables.nr, n_knots);
    EXPECT_DOUBLE_EQ(tables.cutoff, cut);
    EXPECT_DOUBLE_EQ(tables.rhomax, (n_knots - 1) * drho);
    EXPECT_DOUBLE_EQ(tables.density[0 * 2 + 1][8], f_ni(1.0));  // Ni neighbour at a Cu atom: f_Ni
    EXPECT_DOUBLE_EQ(tables.r_phi[0 * 2 + 1][8], rphi(1.0, 0.5));
    EXPECT_DOUBLE_EQ(tables.r_phi[1 * 2 + 1][8], rphi(1.0, 0.25));
}

TEST(Eam_Interpolation, KnotsAndInteriorPointsOfCubics_AreExact) {
    const Eam eam(read_eam_setfl(write_temp("b.eam.alloy", setfl_text()), false));
    const Species cu = 29, ni = 28;
    for (double r : {1.0, 1.3, 2.0 + 1.0 / 3.0, 3.77}) {
        EXPECT_NEAR(eam.density(cu, ni, r).value, f_ni(r), 1e-13) << r;
        EXPECT_NEAR(eam.density(ni, ni, r).value, f_ni(r), 1e-13) << r;
        EXPECT_NEAR(eam.density(ni, cu, r).value, f_cu(r), 1e-13) << r;
        EXPECT_NEAR(eam.density(ni, cu, r).derivative, -0.3 + 0.1 * r - 0.012 * r * r, 1e-12) << r;
        EXPECT_NEAR(eam.pair(cu, ni, r).value, rphi(r, 0.5) / r, 1e-13) << r;
        // phi = 0.5 (3 - r)(4 - r): phi' = 0.5 (2 r - 7)
        EXPECT_NEAR(eam.pair(cu, ni, r).derivative, 0.5 * (2 * r - 7), 1e-12) << r;
    }
    for (double rho : {1.0, 2.6, 7.1}) {
        EXPECT_NEAR(eam.embedding(cu, rho).value, embed_cu(rho), 1e-12) << rho;
        EXPECT_NEAR(eam.embedding(ni, rho).derivative, -2.0 + 0.4 * rho, 1e-12) << rho;
    }
    EXPECT_EQ(eam.density(cu, cu, cut).value, 0.0);  // the cutoff is exclusive
}

TEST(Eam_Interpolation, NearTheTableEnds_MatchesLammpsSpline) {
    // First interval: one-sided slopes y1 - y0 and (y2 - y0)/2, so a cubic is not exact there.
    // Value at p = 0.5 of the Hermite cubic with those slopes, as LAMMPS's interpolate() builds it.
    const Eam eam(read_eam_setfl(write_temp("c.eam.alloy", setfl_text()), false));
    const double y0 = f_cu(0), y1 = f_cu(dr), y2 = f_cu(2 * dr);
    const double s0 = y1 - y0, s1 = 0.5 * (y2 - y0);
    const double hermite = 0.5 * (y0 + y1) + 0.125 * (s0 - s1);
    EXPECT_NEAR(eam.density(29, 29, 0.5 * dr).value, hermite, 1e-14);
}

TEST(Eam_Embedding, AboveRhomax_ContinuesLinearly) {
    const Eam eam(read_eam_setfl(write_temp("d.eam.alloy", setfl_text()), false));
    const double rhomax = (n_knots - 1) * drho;
    const auto end = eam.embedding(29, rhomax);
    const auto beyond = eam.embedding(29, rhomax + 3.0);
    EXPECT_NEAR(beyond.derivative, end.derivative, 1e-12);
    EXPECT_NEAR(beyond.value, end.value + 3.0 * end.derivative, 1e-12);
}

TEST(Eam_Fs, DensityBlocks_AreNeighbourMajor) {
    // Block of element b, array a: density of a b-atom at an a-atom. Constants 1..4 tell them apart.
    std::string t = "c\nc\nc\n2 Cu Ni\n";
    t += fmt::format("{} {} {} {} {}\n", n_knots, drho, n_knots, dr, cut);
    const auto constant = [](double v) { return column(n_knots, dr, [v](double) { return v; }); };
    t += "29 63.546 3.615 fcc\n" + column(n_knots, drho, embed_cu) + constant(1) + constant(2);
    t += "28 58.69 3.52 fcc\n" + column(n_knots, drho, embed_ni) + constant(3) + constant(4);
    t += constant(0) + constant(0) + constant(0);
    const Eam eam(read_eam_setfl(write_temp("e.eam.fs", t), true));
    EXPECT_DOUBLE_EQ(eam.density(29, 29, 2.0).value, 1.0);  // Cu block, array Cu
    EXPECT_DOUBLE_EQ(eam.density(28, 29, 2.0).value, 2.0);  // Cu neighbour at a Ni atom
    EXPECT_DOUBLE_EQ(eam.density(29, 28, 2.0).value, 3.0);  // Ni neighbour at a Cu atom
    EXPECT_DOUBLE_EQ(eam.density(28, 28, 2.0).value, 4.0);
}

std::string funcfl_text(int z, int nrho, double drho_f, int nr, double dr_f, double cutoff, double charge_scale) {
    std::string t = fmt::format("funcfl test\n{} 1.0 4.0 FCC\n{} {} {} {} {}\n", z, nrho, drho_f, nr, dr_f, cutoff);
    t += column(nrho, drho_f, [](double rho) { return -rho + 0.05 * rho * rho; });
    t += column(nr, dr_f, [charge_scale](double r) { return charge_scale * (2.0 - 0.3 * r); });  // Z(r)
    t += column(nr, dr_f, [](double r) { return 1.0 - 0.1 * r + 0.01 * r * r; });                // f(r)
    return t;
}

TEST(Eam_Funcfl, TwoFiles_CombineOnTheCoarsestGridWithGeometricCharges) {
    const auto a = write_temp("Xa.eam", funcfl_text(79, 50, 0.1, 60, 0.1, 5.5, 1.0));
    const auto b = write_temp("Xb.eam", funcfl_text(78, 40, 0.2, 40, 0.125, 4.5, 1.5));
    const auto t = read_eam_funcfl({a, b});
    // LAMMPS: largest spacings, largest ranges, knots = range/spacing + 0.5 (rounded down).
    EXPECT_DOUBLE_EQ(t.dr, 0.125);
    EXPECT_DOUBLE_EQ(t.drho, 0.2);
    EXPECT_EQ(t.nr, static_cast<int>(59 * 0.1 / 0.125 + 0.5));
    EXPECT_EQ(t.nrho, static_cast<int>(39 * 0.2 / 0.2 + 0.5));
    EXPECT_DOUBLE_EQ(t.rhomax, 39 * 0.2);
    EXPECT_DOUBLE_EQ(t.cutoff, 5.5);
    // Quadratics and lines are exact under 4-point Lagrange interpolation: phi_ab at a knot is
    // 27.2 * 0.529 Z_a Z_b / r.
    const double r = 16 * 0.125;
    EXPECT_NEAR(t.r_phi[0 * 2 + 1][16], 27.2 * 0.529 * (2.0 - 0.3 * r) * 1.5 * (2.0 - 0.3 * r), 1e-12);
    const Eam eam(t);
    EXPECT_NEAR(eam.pair(79, 78, r).value, 27.2 * 0.529 * 1.5 * std::pow(2.0 - 0.3 * r, 2) / r, 1e-12);
    EXPECT_NEAR(eam.density(79, 78, 1.3).value, 1.0 - 0.13 + 0.0169, 1e-12);
}

TEST(Eam_Funcfl, SameElementTwice_IsAnError) {
    const auto a = write_temp("Ya.eam", funcfl_text(79, 50, 0.1, 60, 0.1, 5.5, 1.0));
    const auto msg = message_of([&] { (void)read_eam_funcfl({a, a}); });
    EXPECT_NE(msg.find("a second file for Au"), std::string::npos) << msg;
    EXPECT_NE(msg.find(a + ":2"), std::string::npos) << msg;
}

TEST(Eam_Errors, TruncatedFile_NamesFileAndLastLine) {
    const std::string text = setfl_text(true);
    const auto path = write_temp("trunc.eam.alloy", text);
    const auto lines = std::count(text.begin(), text.end(), '\n');
    const auto msg = message_of([&] { (void)read_eam_setfl(path, false); });
    EXPECT_NE(msg.find(fmt::format("{}:{}", path, lines)), std::string::npos) << msg;
    EXPECT_NE(msg.find("file ends inside r*phi(r) of Ni-Ni"), std::string::npos) << msg;
}

TEST(Eam_Errors, InconsistentFiles_NameFileAndLine) {
    // Element count that does not match the names (line 4).
    std::string bad = setfl_text();
    bad.replace(bad.find("2 Cu Ni"), 7, "3 Cu Ni");
    auto path = write_temp("count.eam.alloy", bad);
    auto msg = message_of([&] { (void)read_eam_setfl(path, false); });
    EXPECT_NE(msg.find(path + ":4"), std::string::npos) << msg;
    EXPECT_NE(msg.find("says 3 element(s) but names 2"), std::string::npos) << msg;

    // Nr one too large: the first block ends mid-line -> leftover values reported.
    bad = setfl_text();
    bad.replace(bad.find("41 0.25 41"), 10, "42 0.25 41");
    path = write_temp("nrho.eam.alloy", bad);
    msg = message_of([&] { (void)read_eam_setfl(path, false); });
    EXPECT_NE(msg.find("counts in the header do not match"), std::string::npos) << msg;
    EXPECT_NE(msg.find(path + ":"), std::string::npos) << msg;

    // A value that is not a number, on line 8.
    bad = setfl_text();
    const auto line8 = [&] {
        std::size_t pos = 0;
        for (int k = 0; k < 7; ++k) pos = bad.find('\n', pos) + 1;
        return pos;
    }();
    bad.replace(line8, bad.find(' ', line8) - line8, "1.0x");
    path = write_temp("nan.eam.alloy", bad);
    msg = message_of([&] { (void)read_eam_setfl(path, false); });
    EXPECT_NE(msg.find(path + ":8"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'1.0x' in F(rho) of Cu is not a finite number"), std::string::npos) << msg;

    // Extra tables after the last one.
    path = write_temp("extra.eam.alloy", setfl_text() + "1 2 3\n");
    msg = message_of([&] { (void)read_eam_setfl(path, false); });
    EXPECT_NE(msg.find("unexpected values after the last table"), std::string::npos) << msg;

    // Unknown element.
    bad = setfl_text();
    bad.replace(bad.find("2 Cu Ni"), 7, "2 Cu Xx");
    bad.replace(bad.find("28 58.69"), 2, "99");
    path = write_temp("elem.eam.alloy", bad);
    msg = message_of([&] { (void)read_eam_setfl(path, false); });
    EXPECT_NE(msg.find("'Xx' is not an element symbol"), std::string::npos) << msg;
}

TEST(Eam_Errors, MissingFileInToml_ListsPlacesTried) {
    const auto toml = write_temp("missing.toml", "type = \"eam\"\nfile = \"no_such.eam.alloy\"\n");
    const auto msg = message_of([&] { (void)load_potential_spec(toml, ""); });
    EXPECT_NE(msg.find("data file 'no_such.eam.alloy' not found"), std::string::npos) << msg;
    EXPECT_NE(msg.find(":2:"), std::string::npos) << msg;
}

// A 147-atom Ag-Cu cluster: fcc sites at a = 3.85 A nearest the origin, shaken by 0.1 A,
// species at random (fixed seed).
Cluster agcu_cluster(std::size_t n) {
    Cluster sphere = make_fcc_sphere(3.85, 12.0, 47);
    std::vector<Eigen::Index> order(sphere.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<Eigen::Index>(i);
    std::stable_sort(order.begin(), order.end(), [&](auto i, auto j) {
        return sphere.positions.col(i).squaredNorm() < sphere.positions.col(j).squaredNorm();
    });
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> shake(-0.1, 0.1);
    Cluster c;
    c.positions.resize(3, static_cast<Eigen::Index>(n));
    for (std::size_t i = 0; i < n; ++i) {
        c.positions.col(static_cast<Eigen::Index>(i)) = sphere.positions.col(order[i]);
        for (int k = 0; k < 3; ++k) c.positions(k, static_cast<Eigen::Index>(i)) += shake(rng);
        c.species.push_back(rng() % 2 ? 47 : 29);
    }
    return c;
}

TEST(Eam_Export, GuptaRoundTrip_ReproducesEnergyAndForcesWithinTabulationError) {
    // Tabulation error of the Ferrando Ag-Cu set with nr = nrho = 3000 (the shipped table):
    // ~1e-10 eV on this shaken 147-atom cluster and 1.4e-7 eV on a perfect 147-atom Mackay
    // icosahedron (whose distances sit near the tail's start); bounds with a margin.
    const auto potential = load_potential_spec(data("gupta_agcu_ferrando.toml"), "");
    const auto& gupta = dynamic_cast<const Gupta&>(*potential);
    const EamTables tables = tabulate_gupta(gupta, {});
    const auto path = (std::filesystem::temp_directory_path() / "nanoscape_test_agcu.eam.fs").string();
    write_eam_table(path, tables, EamFormat::finnis_sinclair);
    const EamTables reread = read_eam_setfl(path, true);
    EXPECT_EQ(reread.density, tables.density);  // 17 digits: exact round trip
    EXPECT_EQ(reread.r_phi, tables.r_phi);
    EXPECT_EQ(reread.embedding, tables.embedding);
    const Eam eam(reread);

    for (const Cluster& c : {agcu_cluster(147), [] {
             Cluster ico = make_icosahedron(3, 2.725, 47);
             for (std::size_t i = 0; i < ico.species.size(); ++i) ico.species[i] = i % 2 ? 29 : 47;
             return ico;
         }()}) {
        Eigen::Matrix3Xd f_gupta, f_eam;
        Eigen::VectorXd ea_gupta, ea_eam;
        const double e_gupta = gupta.compute(c, &f_gupta, &ea_gupta);
        const double e_eam = eam.compute(c, &f_eam, &ea_eam);
        EXPECT_NEAR(e_eam, e_gupta, 1e-6);
        EXPECT_LT((ea_eam - ea_gupta).cwiseAbs().maxCoeff(), 1e-6);
        EXPECT_LT((f_eam - f_gupta).cwiseAbs().maxCoeff(), 1e-5);
    }
    // The shipped table is this export.
    const auto shipped = load_potential_spec("eam", "");
    EXPECT_EQ(dynamic_cast<const Eam&>(*shipped).tables().r_phi, tables.r_phi);
    EXPECT_DOUBLE_EQ(shipped->pair_distance(29, 29), 2.56);  // fcc a = sqrt2 r0 in the file
    EXPECT_DOUBLE_EQ(shipped->pair_distance(47, 29), 0.5 * (2.89 + 2.56));
}

TEST(Eam_Export, SetflForAnAlloy_IsRefusedAndSingleSpeciesWorks) {
    const auto agcu = load_potential_spec(data("gupta_agcu_ferrando.toml"), "");
    const auto tables = tabulate_gupta(dynamic_cast<const Gupta&>(*agcu), {});
    const auto msg = message_of([&] { write_eam_table("/tmp/nanoscape_test_x.eam.alloy", tables, EamFormat::setfl); });
    EXPECT_NE(msg.find("eam/fs"), std::string::npos) << msg;

    const auto au = load_potential_spec(data("gupta_au_ferrando.toml"), "");
    const auto path = (std::filesystem::temp_directory_path() / "nanoscape_test_au.eam.alloy").string();
    write_eam_table(path, tabulate_gupta(dynamic_cast<const Gupta&>(*au), {}), EamFormat::setfl);
    const auto eam = load_potential_spec(path, "");
    const Cluster c = make_icosahedron(3, 2.88, 79);
    EXPECT_NEAR(eam->energy(c), au->energy(c), 1e-6);
}

TEST(Eam_Export, CutoffFreeSet_IsTruncatedWhereTermsAreBelowTolerance) {
    const auto ptpd = load_potential_spec(data("gupta_ptpd_johnston.toml"), "");
    const auto& gupta = dynamic_cast<const Gupta&>(*ptpd);
    const std::vector<Species> species{46, 78};
    const double rc = gupta_export_cutoff(gupta, species, 1e-6);
    double largest = 0;
    for (Species a : species)
        for (Species b : species) {
            const auto v = gupta.pair_values(a, b, rc);
            const double xi = std::sqrt(gupta.pair_values(a, b, gupta.pair_distance(a, b)).rho);
            largest = std::max({largest, 2 * v.phi, v.rho / (2 * xi)});
        }
    EXPECT_LE(largest, 1e-6);
    EXPECT_GT(largest, 0.99e-6);  // and not much further out
    EXPECT_NEAR(rc, 7.766, 0.01);
}

TEST(Eam_Spec, FuncflPairFromLammpsDirectory_Loads) {
    if (!std::filesystem::exists("/usr/share/lammps/potentials/Au_u3.eam")) GTEST_SKIP() << "LAMMPS potentials not installed";
    const auto eam = load_potential_spec("Au_u3.eam,Pt_u3.eam", "");
    EXPECT_EQ(eam->type(), "eam");
    EXPECT_EQ(eam->supported_species(), (std::vector<Species>{79, 78}));
    EXPECT_NEAR(eam->pair_distance(79, 79), 4.08 / std::sqrt(2.0), 1e-12);
    EXPECT_NEAR(eam->cutoff(), 5.55, 1e-12);  // the larger of the two files' cutoffs
}

}  // namespace
}  // namespace nanoscape
