#pragma once
/// @file Derivative-free minimisation for a handful of hyperparameters.

#include <functional>
#include <vector>

namespace nanoscape {

/// Minimises f from x0 with the Nelder-Mead simplex (Nelder & Mead, Comput. J. 7, 308 (1965);
/// standard coefficients 1, 2, 1/2, 1/2). The initial simplex steps each coordinate by `step`.
/// Stops after `max_evaluations` calls or when the spread of f over the simplex falls below
/// `tolerance` (absolute). Deterministic. Returns the best point found.
[[nodiscard]] std::vector<double> nelder_mead(const std::function<double(const std::vector<double>&)>& f,
                                              std::vector<double> x0, double step, int max_evaluations,
                                              double tolerance);

}  // namespace nanoscape
