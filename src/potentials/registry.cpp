#include "nanoscape/potentials/registry.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nanoscape/potentials/eam.hpp"
#include "nanoscape/potentials/emt.hpp"
#include "nanoscape/potentials/gupta.hpp"
#include "nanoscape/potentials/lennard_jones.hpp"

namespace nanoscape {

const Registry<PotentialEntry>& potential_registry() {
    // One line per potential: key, summary, factory, default parameter file, test elements.
    static const Registry<PotentialEntry> registry("potential type", "valid types", {
        {"lj", "Lennard-Jones, reduced units by default (epsilon = sigma = 1)", make_lennard_jones, "", {"Ar"}},
        {"gupta", "Gupta / RGL / SMATB second-moment tight binding", make_gupta,
         "gupta_cleri_rosato.toml", {"Pt", "Au"}},
        {"eam", "Embedded-atom method from LAMMPS tables (setfl, eam/fs, funcfl)", make_eam,
         "eam_agcu_ferrando_gupta.toml", {"Ag", "Cu"}},
        {"emt", "Effective-medium theory (ASE 3.22 EMT: Al Cu Ag Au Ni Pd Pt)", make_emt, "", {"Pt", "Au"}},
    });
    return registry;
}

std::unique_ptr<Potential> create_potential(const ParameterTable& table) {
    if (!table.has("type")) throw table.error("type", fmt::format("is required (one of: {})",
                                                                  fmt::join(potential_registry().keys(), ", ")));
    return potential_registry().get(table.require_string("type"), table.where("type")).create(table);
}

}  // namespace nanoscape
