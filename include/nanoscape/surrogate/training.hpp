#pragma once
/// @file Pieces every surrogate model shares: descriptor features of a training set, the
/// per-element reference energies a model's local energies are measured from, and checks of
/// labelled data.

#include <span>
#include <vector>

#include <Eigen/Core>

#include "nanoscape/descriptors/descriptor.hpp"
#include "nanoscape/surrogate/sample.hpp"

namespace nanoscape {

/// Descriptor features (F x N_s) of every sample, in order. OpenMP over samples; identical for
/// any thread count.
[[nodiscard]] std::vector<Eigen::MatrixXd> compute_features(const Descriptor& descriptor,
                                                            std::span<const Sample> samples);

/// Per-element energies e_Z (eV/atom) minimising sum_s (E_s - sum_Z n_sZ e_Z)^2 over the
/// samples: the prior mean every model subtracts, so the learnt local energies are small
/// and data of several compositions share one baseline. A tiny ridge (1e-8 relative) keeps
/// the solution unique when all samples have the same composition (it then splits the mean
/// energy per atom equally). Indexed like `species`.
[[nodiscard]] Eigen::VectorXd fit_element_energies(std::span<const Sample> samples,
                                                   const std::vector<Species>& species);

/// sum_Z n_Z e_Z for `cluster` (eV).
[[nodiscard]] double element_energy_sum(const Cluster& cluster, const std::vector<Species>& species,
                                        const Eigen::VectorXd& element_energies);

/// Throws InputError if `samples` is empty, an energy is not finite, forces have the wrong
/// shape, or a sample has a species outside `species` (naming the sample, 1-based).
void check_samples(std::span<const Sample> samples, const std::vector<Species>& species);

}  // namespace nanoscape
