#include "nanoscape/io/xyz.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "nanoscape/core/error.hpp"
#include "nanoscape/core/rng.hpp"

namespace nanoscape {
namespace {

std::vector<XyzFrame> read_text(const std::string& text, const std::string& name = "test.xyz") {
    std::istringstream in(text);
    return read_xyz(in, name);
}

std::string write_text(const std::vector<XyzFrame>& frames) {
    std::ostringstream out;
    for (const auto& f : frames) write_xyz(out, f);
    return out.str();
}

// The message of the InputError that reading `text` as "bad.xyz" throws ("" if none).
std::string read_error(const std::string& text) {
    try {
        (void)read_text(text, "bad.xyz");
    } catch (const InputError& e) {
        return e.what();
    }
    return {};
}

// Fails unless reading `text` throws an InputError naming bad.xyz, `line` and `frame`, and
// containing `expected`.
void expect_read_error(const std::string& text, int line, int frame, const std::string& expected) {
    const std::string message = read_error(text);
    ASSERT_FALSE(message.empty()) << "no InputError for:\n" << text;
    // "bad.xyz:LINE:" (a column may follow), so line 4 does not match line 40.
    EXPECT_NE(message.find(fmt::format("bad.xyz:{}:", line)), std::string::npos) << message;
    EXPECT_NE(message.find(fmt::format("frame {}", frame)), std::string::npos) << message;
    EXPECT_NE(message.find(expected), std::string::npos) << message;
}

// A scratch directory unique to this process and test, removed at the end of the test.
class ScratchDir {
public:
    ScratchDir() {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        path_ = std::filesystem::path(::testing::TempDir()) /
                fmt::format("nanoscape_xyz_{}_{}", ::getpid(), info->name());
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~ScratchDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Doubles that stress the shortest round-trip formatting: exact binary fractions, values that
// are not, extremes, signed zero, integers.
double awkward_value(Rng& rng, int i) {
    static const double specials[] = {0.1,  -0.0,    1.0 / 3.0, 1e-300, -1.7976931348623157e308,
                                      5e-324, 123456789.0, 1e16, 2.5e-5, -7.0};
    if (i % 3 == 0) return specials[static_cast<std::size_t>(i / 3) % std::size(specials)];
    return (rng.uniform() - 0.5) * std::pow(10.0, static_cast<double>(i % 7) - 3.0);
}

XyzFrame make_frame(Rng& rng, int natoms, bool forces, bool energies) {
    static const Species pool[] = {78, 79, 29, 47};  // Pt Au Cu Ag
    XyzFrame f;
    f.cluster.positions.resize(3, natoms);
    for (int i = 0; i < natoms; ++i) {
        f.cluster.species.push_back(pool[static_cast<std::size_t>(i) % std::size(pool)]);
        for (int k = 0; k < 3; ++k) f.cluster.positions(k, i) = awkward_value(rng, 3 * i + k);
    }
    if (forces) {
        f.forces = Eigen::Matrix3Xd(3, natoms);
        for (int i = 0; i < natoms; ++i)
            for (int k = 0; k < 3; ++k) (*f.forces)(k, i) = awkward_value(rng, 3 * i + k + 1);
    }
    if (energies) {
        f.atom_energies = Eigen::VectorXd(natoms);
        for (int i = 0; i < natoms; ++i) (*f.atom_energies)(i) = awkward_value(rng, i + 2);
    }
    return f;
}

// Bit-for-bit equality, so -0.0 != 0.0 and NaN == NaN.
bool same_bits(double a, double b) {
    return std::signbit(a) == std::signbit(b) && (a == b || (std::isnan(a) && std::isnan(b)));
}

void expect_same_frame(const XyzFrame& a, const XyzFrame& b) {
    ASSERT_EQ(a.cluster.species, b.cluster.species);
    ASSERT_EQ(a.cluster.positions.cols(), b.cluster.positions.cols());
    for (Eigen::Index i = 0; i < a.cluster.positions.size(); ++i)
        EXPECT_TRUE(same_bits(a.cluster.positions.data()[i], b.cluster.positions.data()[i]))
            << fmt::format("{} vs {}", a.cluster.positions.data()[i], b.cluster.positions.data()[i]);
    ASSERT_EQ(a.forces.has_value(), b.forces.has_value());
    if (a.forces) {
        for (Eigen::Index i = 0; i < a.forces->size(); ++i)
            EXPECT_TRUE(same_bits(a.forces->data()[i], b.forces->data()[i]));
    }
    ASSERT_EQ(a.atom_energies.has_value(), b.atom_energies.has_value());
    if (a.atom_energies) {
        for (Eigen::Index i = 0; i < a.atom_energies->size(); ++i)
            EXPECT_TRUE(same_bits((*a.atom_energies)(i), (*b.atom_energies)(i)));
    }
    ASSERT_EQ(a.energy.has_value(), b.energy.has_value());
    if (a.energy) {
        EXPECT_TRUE(same_bits(*a.energy, *b.energy));
    }
}

// ---------------------------------------------------------------------------------------------
// Round trips

TEST(Xyz, RoundTripInMemory_IsBitExact) {
    Rng rng(12345);
    std::vector<XyzFrame> frames;
    frames.push_back(make_frame(rng, 13, true, true));
    frames.back().energy = -45.123456789012345;
    frames.push_back(make_frame(rng, 1, false, false));
    frames.push_back(make_frame(rng, 40, true, false));
    frames.back().energy = 1.0 / 7.0;
    frames.push_back(make_frame(rng, 7, false, true));
    frames.back().energy = -0.0;
    frames.back().set_info("label", "a \"quoted\" name with spaces");
    frames.back().set_info("path", "C:\\data\\x=1");
    frames.back().set_info("flag", "T");

    const std::string text = write_text(frames);
    const auto back = read_text(text);
    ASSERT_EQ(back.size(), frames.size());
    for (std::size_t i = 0; i < frames.size(); ++i) expect_same_frame(frames[i], back[i]);

    EXPECT_EQ(back[3].find_info("label"), "a \"quoted\" name with spaces");
    EXPECT_EQ(back[3].find_info("path"), "C:\\data\\x=1");
    EXPECT_EQ(back[3].find_info("flag"), "T");
    // A cluster gets pbc="F F F" like ASE writes for non-periodic atoms.
    EXPECT_EQ(back[0].find_info("pbc"), "F F F");
    // Writing what was read gives the same text: nothing drifts on repeated conversion.
    EXPECT_EQ(write_text(back), text);
}

TEST(Xyz, WriteFrame_CommentLineLikeAse) {
    XyzFrame f;
    f.cluster = Cluster(Eigen::Matrix3Xd::Zero(3, 2), {78, 79});
    f.cluster.positions(0, 1) = 2.75;
    f.forces = Eigen::Matrix3Xd::Zero(3, 2);
    f.atom_energies = Eigen::VectorXd::Constant(2, -1.0);
    f.energy = -2.0;
    f.set_info("name", "my cluster");
    f.set_info("step", "3");
    const std::string text = write_text({f});
    std::istringstream lines(text);
    std::string first_line, second_line;
    std::getline(lines, first_line);
    std::getline(lines, second_line);
    EXPECT_EQ(first_line, "2");
    EXPECT_EQ(second_line,
              "Properties=species:S:1:pos:R:3:forces:R:3:energies:R:1 energy=-2.0 name=\"my cluster\" "
              "step=3 pbc=\"F F F\"");
}

TEST(Xyz, WriteFrame_ColumnsLineUp) {
    XyzFrame f;
    f.cluster = Cluster(Eigen::Matrix3Xd::Zero(3, 3), {78, 79, 29});
    f.cluster.positions << 0.1, -12.345678901234567, 1e-300, 2.0, 3.0, 4.0, -0.5, 0.25, 100.125;
    f.forces = Eigen::Matrix3Xd::Constant(3, 3, 1.0 / 3.0);
    std::istringstream lines(write_text({f}));
    std::string line;
    std::getline(lines, line);
    std::getline(lines, line);
    std::vector<std::string> atom_lines;
    while (std::getline(lines, line)) atom_lines.push_back(line);
    ASSERT_EQ(atom_lines.size(), 3u);
    // Right-aligned: every field ends at the same offset on every line.
    const auto field_ends = [](const std::string& l) {
        std::vector<std::size_t> ends;
        for (std::size_t c = 0; c < l.size(); ++c)
            if (l[c] != ' ' && (c + 1 == l.size() || l[c + 1] == ' ')) ends.push_back(c);
        return ends;
    };
    const auto reference = field_ends(atom_lines[0]);
    EXPECT_EQ(reference.size(), 7u);
    for (const auto& l : atom_lines) EXPECT_EQ(field_ends(l), reference) << l;
    EXPECT_EQ(atom_lines[2].substr(0, 3), "Cu ");
}

TEST(Xyz, WriteFrame_PbcNotDuplicated) {
    XyzFrame f;
    f.cluster = Cluster(Eigen::Matrix3Xd::Zero(3, 1), {79});
    f.set_info("Lattice", "10.0 0.0 0.0 0.0 10.0 0.0 0.0 0.0 10.0");
    f.set_info("pbc", "T T T");
    const std::string text = write_text({f});
    EXPECT_EQ(text.find("pbc="), text.rfind("pbc=")) << text;
    EXPECT_NE(text.find("pbc=\"T T T\""), std::string::npos) << text;
    EXPECT_NE(text.find("Lattice=\"10.0 0.0 0.0 0.0 10.0 0.0 0.0 0.0 10.0\""), std::string::npos) << text;
}

TEST(Xyz, WriteFrame_MismatchedForces_Throws) {
    XyzFrame f;
    f.cluster = Cluster(Eigen::Matrix3Xd::Zero(3, 2), {79, 79});
    f.forces = Eigen::Matrix3Xd::Zero(3, 1);
    std::ostringstream out;
    EXPECT_THROW(write_xyz(out, f), Error);
}

TEST(Xyz, WriteFrame_EmptyInfoValue_Throws) {
    // ASE's reader would merge the next pair into an empty value, so it cannot be written.
    XyzFrame f;
    f.cluster = Cluster(Eigen::Matrix3Xd::Zero(3, 1), {79});
    f.set_info("empty", "");
    std::ostringstream out;
    EXPECT_THROW(write_xyz(out, f), Error);
}

TEST(Xyz, WriteFrame_LineBreakInInfo_Throws) {
    XyzFrame f;
    f.cluster = Cluster(Eigen::Matrix3Xd::Zero(3, 1), {79});
    f.set_info("note", "two\nlines");
    std::ostringstream out;
    EXPECT_THROW(write_xyz(out, f), Error);
}

// ---------------------------------------------------------------------------------------------
// Reading what other programs write

TEST(Xyz, ReadMultiFrame_AllFramesInOrder) {
    const auto frames = read_text(
        "2\nenergy=-1.5\nPt 0 0 0\nAu 1 2 3\n"
        "1\nenergy=-0.25 step=2\nCu 0.5 0.5 0.5\n"
        "3\n\nAg 0 0 0\nAg 1 0 0\nAg 0 1 0\n");
    ASSERT_EQ(frames.size(), 3u);
    EXPECT_EQ(frames[0].energy, -1.5);
    EXPECT_EQ(frames[0].cluster.species, (std::vector<Species>{78, 79}));
    EXPECT_EQ(frames[0].cluster.positions(2, 1), 3.0);
    EXPECT_EQ(frames[1].energy, -0.25);
    EXPECT_EQ(frames[1].find_info("step"), "2");
    EXPECT_EQ(frames[2].cluster.size(), 3u);
    EXPECT_FALSE(frames[2].energy.has_value());
    EXPECT_TRUE(frames[2].info.empty());
}

TEST(Xyz, ReadPlainXyz_SpeciesAndPositions) {
    // A classic XYZ file: free-text comment, extra trailing columns ignored (as ASE does).
    const auto frames = read_text("3\nPt3 cluster from somewhere\n"
                                  "  Pt   0.0   0.0   0.0\n"
                                  "\tpt\t2.77\t0.0\t0.0  extra\n"
                                  "PT 1.385 +2.39889 -1e-1\n");
    ASSERT_EQ(frames.size(), 1u);
    const auto& f = frames[0];
    EXPECT_EQ(f.cluster.species, (std::vector<Species>{78, 78, 78}));
    EXPECT_EQ(f.cluster.positions(0, 1), 2.77);
    EXPECT_EQ(f.cluster.positions(1, 2), 2.39889);
    EXPECT_EQ(f.cluster.positions(2, 2), -0.1);
    EXPECT_FALSE(f.forces.has_value());
    EXPECT_FALSE(f.atom_energies.has_value());
    // ASE reads every word of a free-text comment as a flag.
    EXPECT_EQ(f.find_info("Pt3"), "T");
    EXPECT_EQ(f.find_info("somewhere"), "T");
}

TEST(Xyz, ReadQuotedValues_TextWithoutQuotes) {
    const auto frames = read_text(
        "1\n"
        "Lattice=\"5.0 0.0 0.0 0.0 5.0 0.0 0.0 0.0 5.0\" Properties=species:S:1:pos:R:3 "
        "pbc=\"F F F\" name='single quoted' tags={a b c} list=[1 2] esc=\"say \\\"hi\\\"\" "
        "spaced = 4 have_energy energy=-3.25 name2=a=b\n"
        "Au 0 0 0\n");
    ASSERT_EQ(frames.size(), 1u);
    const auto& f = frames[0];
    EXPECT_EQ(f.energy, -3.25);
    EXPECT_EQ(f.find_info("Lattice"), "5.0 0.0 0.0 0.0 5.0 0.0 0.0 0.0 5.0");
    EXPECT_EQ(f.find_info("pbc"), "F F F");
    EXPECT_EQ(f.find_info("name"), "single quoted");
    EXPECT_EQ(f.find_info("tags"), "a b c");
    EXPECT_EQ(f.find_info("list"), "1 2");
    EXPECT_EQ(f.find_info("esc"), "say \"hi\"");
    EXPECT_EQ(f.find_info("spaced"), "4");
    EXPECT_EQ(f.find_info("have_energy"), "T");
    EXPECT_EQ(f.find_info("name2"), "a=b");
    EXPECT_FALSE(f.find_info("Properties").has_value());
    EXPECT_FALSE(f.find_info("energy").has_value());
    // Order of the comment line is kept.
    ASSERT_GE(f.info.size(), 3u);
    EXPECT_EQ(f.info[0].first, "Lattice");
    EXPECT_EQ(f.info[1].first, "pbc");
    EXPECT_EQ(f.info[2].first, "name");
}

TEST(Xyz, ReadRepeatedKey_LastValueFirstPosition) {
    const auto frames = read_text("1\na=1 b=2 a=3\nAu 0 0 0\n");
    ASSERT_EQ(frames[0].info.size(), 2u);
    EXPECT_EQ(frames[0].info[0], (std::pair<std::string, std::string>{"a", "3"}));
}

TEST(Xyz, ReadUnknownColumns_Skipped) {
    const auto frames = read_text(
        "2\nProperties=vel:R:3:species:S:1:tag:I:1:pos:R:3:fixed:L:1:forces:R:3:note:S:2:energies:R:1 "
        "energy=1\n"
        "9 9 9 Pt 4 0.5 1.5 2.5 T 0.1 0.2 0.3 x y -1.25\n"
        "8 8 8 Cu 5 -0.5 -1.5 -2.5 F -0.1 -0.2 -0.3 p q -2.5\n");
    ASSERT_EQ(frames.size(), 1u);
    const auto& f = frames[0];
    EXPECT_EQ(f.energy, 1.0);
    EXPECT_EQ(f.cluster.species, (std::vector<Species>{78, 29}));
    EXPECT_EQ(f.cluster.positions(1, 0), 1.5);
    EXPECT_EQ(f.cluster.positions(2, 1), -2.5);
    ASSERT_TRUE(f.forces.has_value());
    EXPECT_EQ((*f.forces)(0, 0), 0.1);
    EXPECT_EQ((*f.forces)(2, 1), -0.3);
    ASSERT_TRUE(f.atom_energies.has_value());
    EXPECT_EQ((*f.atom_energies)(1), -2.5);
}

TEST(Xyz, ReadAseAliases_PositionsSymbolsAndZ) {
    const auto a = read_text("1\nProperties=symbols:S:1:positions:R:3\nAg 1 2 3\n");
    EXPECT_EQ(a[0].cluster.species, (std::vector<Species>{47}));
    EXPECT_EQ(a[0].cluster.positions(2, 0), 3.0);
    const auto z = read_text("2\nProperties=Z:I:1:pos:R:3\n79 0 0 0\n29 1 1 1\n");
    EXPECT_EQ(z[0].cluster.species, (std::vector<Species>{79, 29}));
    // With both, ASE takes the atomic numbers.
    const auto both = read_text("1\nProperties=species:S:1:pos:R:3:Z:I:1\nAu 0 0 0 78\n");
    EXPECT_EQ(both[0].cluster.species, (std::vector<Species>{78}));
}

TEST(Xyz, ReadCrLfAndTrailingBlankLines_Accepted) {
    const auto frames = read_text("1\r\nenergy=2.5\r\nAu 0 0 0\r\n1\r\n\r\nCu 1 1 1\r\n\r\n   \n\n");
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0].energy, 2.5);
    EXPECT_EQ(frames[1].cluster.species, (std::vector<Species>{29}));
}

TEST(Xyz, ReadEmptyInput_NoFrames) {
    EXPECT_TRUE(read_text("").empty());
    EXPECT_TRUE(read_text("\n\n").empty());
}

TEST(Xyz, ReadZeroAtoms_EmptyFrame) {
    const auto frames = read_text("0\nenergy=0.0\n1\n\nAu 0 0 0\n");
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0].cluster.size(), 0u);
    EXPECT_EQ(frames[0].cluster.positions.cols(), 0);
}

TEST(Xyz, ReadAseWrittenFile_MatchesGenerator) {
    // tests/data/ase_written.xyz comes from tools/make_ase_test_data.py; the numbers here are
    // the ones in that script.
    const auto frames = read_xyz(fmt::format("{}/tests/data/ase_written.xyz", NANOSCAPE_SOURCE_DIR));
    ASSERT_EQ(frames.size(), 3u);

    const auto& a = frames[0];
    EXPECT_EQ(a.cluster.species, (std::vector<Species>{78, 78, 78, 79}));
    Eigen::Matrix3Xd pos(3, 4);
    pos << 0.0, 2.77, 1.385, 1.385, 0.0, 0.0, 2.39889, 0.79963, 0.0, 0.0, 0.0, 2.26168;
    EXPECT_EQ(a.cluster.positions, pos);
    EXPECT_EQ(a.energy, -21.123456789012345);
    ASSERT_TRUE(a.forces.has_value());
    Eigen::Matrix3Xd forces(3, 4);
    forces << 0.1, -0.125, 0.5, -0.475, -0.2, 0.0, 0.25, -0.05, 0.3, 1e-05, -0.75, 0.44999;
    EXPECT_EQ(*a.forces, forces);
    ASSERT_TRUE(a.atom_energies.has_value());
    EXPECT_EQ(*a.atom_energies, (Eigen::Vector4d(-5.25, -5.5, -5.125, -5.24845679)));
    EXPECT_EQ(a.find_info("label"), "Pt3Au test cluster");
    EXPECT_EQ(a.find_info("step"), "7");
    EXPECT_EQ(a.find_info("pbc"), "F F F");

    const auto& b = frames[1];
    EXPECT_EQ(b.cluster.species, (std::vector<Species>{29, 29}));
    EXPECT_EQ(b.cluster.positions(0, 1), 1.78);
    EXPECT_EQ(b.energy, -7.0);
    ASSERT_TRUE(b.forces.has_value());
    EXPECT_EQ((*b.forces)(1, 1), -0.02);
    EXPECT_EQ(b.find_info("Lattice"), "10.0 0.0 0.0 0.0 11.0 0.0 0.0 0.0 12.5");
    EXPECT_EQ(b.find_info("pbc"), "T T T");

    const auto& c = frames[2];
    EXPECT_EQ(c.cluster.species, (std::vector<Species>{79}));
    EXPECT_EQ(c.cluster.positions, (Eigen::Matrix3Xd(Eigen::Vector3d(-1.5, 2.25, -3.125))));
    EXPECT_FALSE(c.energy.has_value());
    EXPECT_FALSE(c.forces.has_value());
    EXPECT_FALSE(c.atom_energies.has_value());
}

// ---------------------------------------------------------------------------------------------
// Malformed input: every error names file, line and frame

TEST(Xyz, ReadNonIntegerCount_ErrorNamesFrameAndLine) {
    expect_read_error("1\n\nAu 0 0 0\nabc\n\nAu 0 0 0\n", 4, 2, "expected the number of atoms, found 'abc'");
    expect_read_error("2.5\n\nAu 0 0 0\n", 1, 1, "number of atoms");
}

TEST(Xyz, ReadNegativeCount_ErrorNamesFrameAndLine) {
    expect_read_error("-3\ncomment\n", 1, 1, "must not be negative");
}

TEST(Xyz, ReadMissingComment_ErrorNamesFrameAndLine) {
    expect_read_error("1\n\nAu 0 0 0\n2", 5, 2, "comment line");
}

TEST(Xyz, ReadTruncatedFile_ErrorNamesFrameAndLine) {
    expect_read_error("1\n\nAu 0 0 0\n3\nenergy=1\nPt 0 0 0\nPt 1 0 0\n", 8, 2, "ends after 2 of 3 atom lines");
}

TEST(Xyz, ReadTooFewColumns_ErrorNamesFrameAndLine) {
    expect_read_error("2\n\nAu 0 0 0\nAu 1 1\n", 4, 1, "atom 2 has 3 fields, expected 4");
    expect_read_error("1\nProperties=species:S:1:pos:R:3:forces:R:3\nAu 0 0 0 1 1\n", 3, 1, "expected 7");
}

TEST(Xyz, ReadUnparsableNumber_ErrorNamesFrameAndLine) {
    expect_read_error("1\n\nAu 0 0 0\n1\n\nAu 0 1.2.3 0\n", 6, 2, "found '1.2.3'");
    // The column of the bad field is part of the location.
    EXPECT_NE(read_error("1\n\nAu 0 0x 0\n").find("bad.xyz:3:6:"), std::string::npos);
    expect_read_error("1\nProperties=species:S:1:pos:R:3:energies:R:1\nAu 0 0 0 nope\n", 3, 1, "'energies'");
    expect_read_error("1\nenergy=abc\nAu 0 0 0\n", 2, 1, "energy 'abc' is not a number");
    expect_read_error("1\nProperties=Z:I:1:pos:R:3\n7.5 0 0 0\n", 3, 1, "atomic number");
    expect_read_error("1\nProperties=Z:I:1:pos:R:3\n200 0 0 0\n", 3, 1, "outside the element table");
}

TEST(Xyz, ReadUnknownElement_MessageSuggestsClosest) {
    const std::string message = read_error("2\n\nPt 0 0 0\nPq 1 1 1\n");
    EXPECT_NE(message.find("bad.xyz:4"), std::string::npos) << message;
    EXPECT_NE(message.find("frame 1"), std::string::npos) << message;
    EXPECT_NE(message.find("Pq"), std::string::npos) << message;
    EXPECT_NE(message.find("did you mean"), std::string::npos) << message;
}

TEST(Xyz, ReadMalformedProperties_ErrorNamesFrameAndLine) {
    const std::string atom = "Au 0 0 0\n";
    expect_read_error("1\nProperties=species:S:1:pos:R\n" + atom, 2, 1, "triplets");
    expect_read_error("1\nProperties=species:S:1:pos:X:3\n" + atom, 2, 1, "not one of S, R, I, L");
    expect_read_error("1\nProperties=species:S:1:pos:R:three\n" + atom, 2, 1, "not a positive integer");
    expect_read_error("1\nProperties=species:S:1:pos:R:0\n" + atom, 2, 1, "not a positive integer");
    expect_read_error("1\nProperties=species:S:1:pos:R:2\n" + atom, 2, 1, "must be pos:R:3");
    expect_read_error("1\nProperties=species:S:1:vel:R:3\n" + atom, 2, 1, "no 'pos:R:3' column");
    expect_read_error("1\nProperties=pos:R:3\n0 0 0\n", 2, 1, "no 'species:S:1'");
    expect_read_error("1\nProperties=species:S:1:pos:R:3:positions:R:3\n" + atom, 2, 1, "both give");
    expect_read_error("1\nProperties=species:S:1:pos:R:3:forces:R:1\n" + atom, 2, 1, "forces:R:3");
    expect_read_error("1\nProperties=species:S:1:pos:R:3:a:R:1:a:R:1\n" + atom, 2, 1, "appears twice");
    expect_read_error("1\n=oops\n" + atom, 2, 1, "without a key");
}

TEST(Xyz, ReadBlankLineBetweenFrames_Error) {
    expect_read_error("1\n\nAu 0 0 0\n\n1\n\nAu 0 0 0\n", 4, 2, "blank line");
}

TEST(Xyz, ReadMissingFile_CannotRead) {
    try {
        (void)read_xyz("/nonexistent/dir/none.xyz");
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("cannot read /nonexistent/dir/none.xyz: "), std::string::npos)
            << e.what();
    }
}

TEST(Xyz, ReadDirectory_CannotRead) {
    ScratchDir dir;
    const std::string path = dir.file("");
    try {
        (void)read_xyz(path);
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find(fmt::format("cannot read {}: ", path)), std::string::npos) << e.what();
    }
}

// ---------------------------------------------------------------------------------------------
// Files

TEST(Xyz, WriteFile_ReplacesAtomicallyAndAppends) {
    ScratchDir dir;
    const std::string path = dir.file("out.xyz");
    Rng rng(7);
    std::vector<XyzFrame> first{make_frame(rng, 5, true, true), make_frame(rng, 2, false, false)};
    first[0].energy = -3.5;
    write_xyz(path, first);
    EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
    auto back = read_xyz(path);
    ASSERT_EQ(back.size(), 2u);
    expect_same_frame(first[0], back[0]);

    // Replacing, then appending.
    std::vector<XyzFrame> second{make_frame(rng, 3, false, true)};
    write_xyz(path, second);
    write_xyz(path, first, true);
    back = read_xyz(path);
    ASSERT_EQ(back.size(), 3u);
    expect_same_frame(second[0], back[0]);
    expect_same_frame(first[1], back[2]);
    EXPECT_EQ(slurp(path), write_text({second[0], first[0], first[1]}));
}

TEST(Xyz, WriteFile_BadFrameLeavesFileUntouched) {
    ScratchDir dir;
    const std::string path = dir.file("keep.xyz");
    Rng rng(3);
    write_xyz(path, {make_frame(rng, 2, false, false)});
    const std::string before = slurp(path);
    XyzFrame bad = make_frame(rng, 2, false, false);
    bad.forces = Eigen::Matrix3Xd::Zero(3, 5);
    try {
        write_xyz(path, {make_frame(rng, 1, false, false), bad});
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("frame 2"), std::string::npos) << e.what();
    }
    EXPECT_EQ(slurp(path), before);
}

TEST(Xyz, WriteToMissingDirectory_ErrorNamesPath) {
    XyzFrame f;
    f.cluster = Cluster(Eigen::Matrix3Xd::Zero(3, 1), {79});
    for (const bool append : {false, true}) {
        try {
            write_xyz("/nonexistent/dir/out.xyz", {f}, append);
            FAIL() << "no error";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find("cannot write /nonexistent/dir/out.xyz"), std::string::npos)
                << e.what();
        }
    }
}

}  // namespace
}  // namespace nanoscape
