#pragma once
/// @file The element table (H..Bi): symbol, atomic number, mass, covalent radius.

#include <string>
#include <string_view>
#include <vector>

namespace nanoscape {

/// A chemical species, stored as its atomic number Z (1..83).
using Species = int;

/// One row of the element table.
struct Element {
    const char* symbol;       ///< chemical symbol, e.g. "Au"
    int z;                    ///< atomic number
    double mass;              ///< standard atomic weight, amu (IUPAC 2016, as in ASE)
    double covalent_radius;   ///< Angstrom (Cordero et al., Dalton Trans. 2832 (2008))
};

/// Highest atomic number in the table (Bi).
inline constexpr int max_atomic_number = 83;

/// The table row for atomic number z; throws InputError if z is outside 1..83.
[[nodiscard]] const Element& element(Species z);

/// Species for a chemical symbol ("Au" -> 79). Throws InputError naming the symbol and the
/// closest valid one for anything that is not an element of the table.
[[nodiscard]] Species species_from_symbol(std::string_view symbol);

/// True if `symbol` is an element of the table.
[[nodiscard]] bool is_element_symbol(std::string_view symbol);

/// Chemical symbol of a species.
[[nodiscard]] std::string symbol(Species z);

/// Symbols of `species` joined by `separator` ("Ag-Cu", "Ag Cu").
[[nodiscard]] std::string join_symbols(const std::vector<Species>& species, std::string_view separator);

/// All symbols H..Bi, in order of Z.
[[nodiscard]] const std::vector<std::string>& element_symbols();

}  // namespace nanoscape
