// A composition sweep reaches a known global minimum: Ag-Cu 34 (Gupta, Ferrando) over n_Ag =
// 0, 7, 27, 34 with the example input's genetic algorithm. Ag27Cu7's global minimum,
// -90.165963 eV, is the perfect core-shell polyicosahedron with every Cu inside (Rossi et al.,
// PRL 93, 105503 (2004); structures/ag27cu7_ferrando_gm.xyz), and it is the deepest point of
// the Ag-Cu 34 hull.

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "nanoscape/io/sweep.hpp"

namespace nanoscape {
namespace {

namespace fs = std::filesystem;

TEST(SweepRegression, AgCu34_ReachesTheAg27Cu7GlobalMinimumOnTheHull) {
    const fs::path out = fs::temp_directory_path() / fmt::format("nanoscape_sweep_regression_{}", ::getpid());
    fs::remove_all(out);
    RunOverrides overrides;
    overrides.output = out.string();
    RunConfig config = load_run_config(std::string(NANOSCAPE_SOURCE_DIR) + "/inputs/agcu34_sweep.toml", overrides);
    config.sweep->counts = {0, 7, 27, 34};
    {
        SweepRunner sweep(config, RunDirectoryMode::fresh, 2);
        ASSERT_EQ(sweep.run(nullptr), "finished");
    }
    const HullInput input = read_hull_input({out.string()});
    const ConvexHull hull = hull_of(input, 1e-6);
    ASSERT_EQ(hull.rows.size(), 4u);
    const HullRow& ag27cu7 = hull.rows[2];
    ASSERT_EQ(ag27cu7.n, 27);
    EXPECT_NEAR(ag27cu7.energy, -90.165963, 2e-6);
    EXPECT_TRUE(ag27cu7.vertex);
    for (const auto& r : hull.rows) EXPECT_GE(r.excess_energy, ag27cu7.excess_energy);
    // Every Cu atom inside: none on the surface.
    std::ifstream in(out / "compositions" / "Ag27Cu7" / "summary.json");
    const auto summary = nlohmann::json::parse(in);
    EXPECT_EQ(summary.at("best_chemical_order").at("surface_fraction").at("Cu").get<double>(), 0.0);
    fs::remove_all(out);
}

}  // namespace
}  // namespace nanoscape
