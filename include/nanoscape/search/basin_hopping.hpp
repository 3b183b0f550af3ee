#pragma once
/// @file Basin hopping (Wales & Doye, J. Phys. Chem. A 101, 5111 (1997); Li & Scheraga,
/// PNAS 84, 6611 (1987)): a Metropolis walk on the landscape of local minima.
///
/// Each step: a move (random displacement of all atoms, surface-atom relocation, or a swap of
/// unlike atoms, drawn by weight), a local relaxation, and acceptance with probability
/// min(1, exp(-(E_new - E_old) / kT)). The displacement radius adapts toward a target
/// acceptance ratio; a walker that has not improved for `reseed_after` steps restarts from a
/// new random structure. Several walkers run in parallel, each with its own random stream.

#include "nanoscape/search/runner.hpp"

namespace nanoscape {

/// The basin-hopping driver.
class BasinHopping final : public Driver {
public:
    [[nodiscard]] std::string name() const override { return "basin_hopping"; }
    void initialize(SearchState& state, const SearchEnvironment& env, std::vector<StepRecord>& records) override;
    void advance(SearchState& state, const SearchEnvironment& env, long max_steps,
                 std::vector<StepRecord>& records) override;
};

}  // namespace nanoscape
