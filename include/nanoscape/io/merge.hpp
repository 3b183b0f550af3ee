#pragma once
/// @file Merging run directories into one: the replicas of a run (`replicas` in [search]), the
/// tasks of a Slurm array (`--replica-index`), or runs of one system with other seeds or
/// drivers (`nanoscape merge`, docs/scale.md).
///
/// What merges: the minima (the union, lowest first, with the archive's test of sameness so a
/// minimum two runs found is kept once), the best structure, the counts (summed: the cost of
/// all the runs together) and, for sweeps, every composition's minima and the hull of the
/// merged compositions. Each merged frame names the directory it came from (`source=`). Only
/// the files are read, so runs on other machines merge as well as local ones.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nanoscape/search/minima_archive.hpp"

namespace nanoscape {

/// The run directories `directories` stand for: a directory with replicas (DIR/replicas/r<k>/,
/// written by a run with `replicas` or by `--replica-index`) or with slices of a sweep
/// (DIR/slices/s<k>/, `slices` in [sweep]) stands for them in order of k (also once they were
/// merged into it); any other directory for itself.
[[nodiscard]] std::vector<std::string> expand_replica_directories(const std::vector<std::string>& directories);

/// Merges `inputs` (all single runs of one composition, or all sweeps of one size and element
/// pair, on one potential) into the run directory `output` (created if needed; it must not
/// be one of the inputs): best.xyz, minima.xyz (at most `settings.capacity` minima, duplicates
/// by `settings` removed) and summary.json; for sweeps the same per composition in
/// compositions/<formula>/, then hull.csv and hull.xyz (`hull_tolerance`, eV). Returns the
/// summary written. InputError, naming the directory, if an input holds no run, or if the
/// inputs differ in composition, size, elements or potential.
nlohmann::ordered_json merge_run_directories(const std::vector<std::string>& inputs, const std::string& output,
                                             const ArchiveSettings& settings, double hull_tolerance = 1e-6);

}  // namespace nanoscape
