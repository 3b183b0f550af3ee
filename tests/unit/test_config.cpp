// TOML reading and the potential loader: messages must name file, line, column and key.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "nanoscape/geometry/cluster.hpp"
#include "nanoscape/io/potential_loader.hpp"
#include "nanoscape/io/toml_reader.hpp"

namespace nanoscape {
namespace {

std::string message_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const InputError& e) {
        return e.what();
    }
    return "<no InputError>";
}

std::string write_temp(const std::string& name, const std::string& text) {
    const auto path = std::filesystem::temp_directory_path() / ("nanoscape_test_" + name);
    std::ofstream(path) << text;
    return path.string();
}

TEST(TomlReader, SyntaxError_NamesFileLineAndColumn) {
    const auto msg = message_of([] { (void)parse_toml("a = 1\nb = = 2\n", "run.toml"); });
    EXPECT_NE(msg.find("run.toml:2:"), std::string::npos) << msg;
}

TEST(TomlReader, Values_KeepTheirLocations) {
    const auto t = parse_toml("[relax]\nfmax = 0.05\n", "run.toml");
    const auto relax = t.get_table("relax");
    EXPECT_EQ(relax.where("fmax").line, 2);
    EXPECT_EQ(relax.where("fmax").file, "run.toml");
    EXPECT_DOUBLE_EQ(relax.require_real("fmax"), 0.05);
}

TEST(TomlReader, WrongType_ErrorNamesTableKeyAndTypes) {
    const auto t = parse_toml("[relax]\nfmax = \"small\"\n", "run.toml").get_table("relax");
    const auto msg = message_of([&] { (void)t.require_real("fmax"); });
    EXPECT_NE(msg.find("run.toml:2:"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[relax] key 'fmax'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("expected a number, got a string"), std::string::npos) << msg;
}

TEST(TomlReader, MissingFile_IsAnInputError) {
    const auto msg = message_of([] { (void)read_toml_file("/nonexistent/run.toml"); });
    EXPECT_NE(msg.find("cannot read /nonexistent/run.toml"), std::string::npos) << msg;
}

TEST(PotentialLoader, UnknownType_SuggestsClosestKey) {
    const auto path = write_temp("bad_type.toml", "[potential]\ntype = \"gupat\"\n");
    const auto msg = message_of([&] { (void)load_potential_spec(path, ""); });
    EXPECT_NE(msg.find(":2:"), std::string::npos) << msg;
    EXPECT_NE(msg.find("did you mean 'gupta'"), std::string::npos) << msg;
}

TEST(PotentialLoader, UnknownSpecKey_SuggestsClosestKey) {
    const auto msg = message_of([] { (void)load_potential_spec("guptaa", ""); });
    EXPECT_NE(msg.find("did you mean 'gupta'"), std::string::npos) << msg;
}

TEST(PotentialLoader, MisspeltKeyInParameterFile_NamesFileAndLine) {
    const auto path = write_temp("bad_key.toml",
                                 "type = \"gupta\"\n[[pair]]\nelements = [\"Au\", \"Au\"]\nA = 0.2\nxii = 1.8\n"
                                 "p = 10.2\nq = 4.0\nr0 = 2.88\n");
    const auto msg = message_of([&] { (void)load_potential_spec(path, ""); });
    EXPECT_NE(msg.find("bad_key.toml:5:"), std::string::npos) << msg;
    EXPECT_NE(msg.find("did you mean 'xi'"), std::string::npos) << msg;
}

TEST(PotentialLoader, UnknownElementInParameterFile_SuggestsClosest) {
    const auto path = write_temp("bad_element.toml",
                                 "type = \"gupta\"\n[[pair]]\nelements = [\"Au\", \"Ax\"]\nA = 0.2\nxi = 1.8\n"
                                 "p = 10.2\nq = 4.0\nr0 = 2.88\n");
    const auto msg = message_of([&] { (void)load_potential_spec(path, ""); });
    EXPECT_NE(msg.find("bad_element.toml:3:"), std::string::npos) << msg;
    EXPECT_NE(msg.find("unknown element 'Ax'"), std::string::npos) << msg;
}

TEST(PotentialLoader, RunFileParametersKey_ResolvesFromDataDirectory) {
    const auto path = write_temp("run_with_params.toml",
                                 "[potential]\ntype = \"gupta\"\nparameters = \"gupta_pdau_pittaway.toml\"\n"
                                 "variant = \"dft_fit\"\n");
    const auto potential = load_potential_spec(path, "");
    EXPECT_NE(potential->description().find("dft_fit"), std::string::npos) << potential->description();
}

TEST(PotentialLoader, MissingParameterFile_ListsPlacesTried) {
    const auto path = write_temp("run_missing.toml", "[potential]\ntype = \"gupta\"\nparameters = \"nope.toml\"\n");
    const auto msg = message_of([&] { (void)load_potential_spec(path, ""); });
    EXPECT_NE(msg.find("run_missing.toml:3:"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'nope.toml' not found"), std::string::npos) << msg;
}

TEST(Elements, UnknownSymbol_SuggestsClosest) {
    const auto msg = message_of([] { (void)species_from_symbol("Pb2"); });
    EXPECT_NE(msg.find("unknown element 'Pb2'"), std::string::npos) << msg;
    EXPECT_EQ(species_from_symbol("Bi"), 83);
    EXPECT_NEAR(element(79).mass, 196.966569, 1e-9);
}

}  // namespace
}  // namespace nanoscape
