// Homotop Monte Carlo on Mackay icosahedra: the surface segregation the literature reports and
// one best energy over five seeds.
//   Ag-Cu 55 (Gupta, Ferrando): Ag, larger and of lower surface energy, takes the surface and Cu
//   the core (Rossi et al., PRL 93, 105503 (2004); Rapallo et al., JCP 122, 194308 (2005)).
//   Pt-Au 147 (EMT): Au segregates to the surface (Deng et al., J. Phys. Chem. C 2009 on Pt-Au
//   nanoalloys; the lower surface energy of Au).

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "nanoscape/geometry/chemical_order.hpp"
#include "support/search_harness.hpp"

namespace nanoscape {
namespace {

struct Case {
    std::string spec;
    std::string surface_element, core_element;
    int n_surface_element, n_core_element;
};

void expect_segregation(const Case& c, const std::string& keys, long steps) {
    const Species s = species_from_symbol(c.surface_element), k = species_from_symbol(c.core_element);
    std::vector<double> best;
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
        std::vector<Species> species(static_cast<std::size_t>(c.n_surface_element), s);
        species.insert(species.end(), static_cast<std::size_t>(c.n_core_element), k);
        std::sort(species.begin(), species.end());
        testing::SearchSetup setup = testing::setup_for(load_potential_spec(c.spec, ""), species, seed);
        setup.problem.start.kind = "icosahedron";
        setup.problem.start.element_order = {s, k};
        setup.engine.stop.max_steps = steps;
        setup.search = "driver = \"homotop_mc\"\n" + keys;
        const auto out = testing::run_in_memory(setup, 1);
        const Minimum& gm = out.archive.minima().front();
        const ChemicalOrder order = chemical_order(gm.cluster, {s, k}, [&](Species a, Species b) {
            return setup.potential->pair_distance(a, b);
        });
        // Every atom of the surface element on the surface (there are more surface sites than
        // atoms of it), none in the inner shells.
        const double surface_sites = order.shell_size.front();
        EXPECT_NEAR(order.surface_fraction[0], std::min(1.0, c.n_surface_element / surface_sites), 1e-12)
            << c.spec << " seed " << seed;
        for (std::size_t shell = 1; shell < order.shell_fraction.size(); ++shell)
            EXPECT_EQ(order.shell_fraction[shell][0], 0.0) << c.spec << " seed " << seed << " shell " << shell;
        // The trace's radial profile of the lowest row agrees: none of the element below the surface.
        for (const auto& row : out.rows)
            if (row.energy == gm.energy) {
                EXPECT_EQ(row.extra[out.column("subsurface_" + c.surface_element)], 0.0) << c.spec << " seed " << seed;
                EXPECT_EQ(row.extra[out.column("inner_" + c.surface_element)], 0.0) << c.spec << " seed " << seed;
                EXPECT_EQ(row.extra[out.column("surface_" + c.surface_element)], order.surface_fraction[0]);
                break;
            }
        best.push_back(gm.energy);
        fmt::print("{} {}{}{}{} seed {}: best {:.8f} eV, surface {} fraction {:.4f}\n", c.spec, c.surface_element,
                   c.n_surface_element, c.core_element, c.n_core_element, seed, gm.energy, c.surface_element,
                   order.surface_fraction[0]);
    }
    for (double e : best) EXPECT_NEAR(e, best.front(), 1e-9) << c.spec;
}

TEST(HomotopMcSegregation, AgCu55Icosahedron_AgOnTheSurfaceSameBestOverSeeds) {
    const std::string spec = std::string(NANOSCAPE_SOURCE_DIR) + "/inputs/potentials/gupta_agcu_ferrando.toml";
    const std::string keys = "temperature = 800.0\nschedule = \"geometric\"\nfinal_temperature = 10.0\nsweeps_per_block = 10\n"
                             "anneal_blocks = 200\n";
    expect_segregation({spec, "Ag", "Cu", 42, 13}, keys, 200);
    expect_segregation({spec, "Ag", "Cu", 30, 25}, keys, 200);
}

TEST(HomotopMcSegregation, PtAu147Icosahedron_AuOnTheSurfaceSameBestOverSeeds) {
    const std::string keys = "temperature = 1000.0\nschedule = \"geometric\"\nfinal_temperature = 10.0\nsweeps_per_block = 10\n"
                             "anneal_blocks = 200\n";
    expect_segregation({"emt", "Au", "Pt", 73, 74}, keys, 200);
}

}  // namespace
}  // namespace nanoscape
