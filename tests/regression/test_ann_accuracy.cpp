// Acceptance target of the ann_committee surrogate with its default settings (docs/surrogates.md):
// Pt-Au 38 with EMT -- random homotops of the truncated octahedron, perturbed homotops and
// relaxation snapshots (tests/support/surrogate_accuracy.hpp) -- energy MAE <= 10 meV/atom on a
// held-out set from at most 2000 training structures, and calibrated uncertainties: the fraction
// of test errors within 2 predicted sigma between 0.85 and 0.99. 600 training structures give
// about 2.6 meV/atom and 0.9 in about a minute of CPU time (docs/surrogates.md).

#include <chrono>
#include <iostream>

#include <gtest/gtest.h>

#include "nanoscape/surrogate/ann_committee.hpp"
#include "support/surrogate_accuracy.hpp"

namespace nanoscape {
namespace {

std::unique_ptr<Surrogate> default_committee() {
    ParameterTable table("surrogate");
    table.set("type", ParameterValue::of("ann_committee"));
    return create_surrogate(table, {78, 79});
}

void report(const char* what, const Surrogate& model, const test::Accuracy& a, double seconds) {
    std::cout << what << ": MAE " << 1e3 * a.mae_per_atom << " meV/atom, coverage " << a.coverage1 << " (1 sigma), "
              << a.coverage2 << " (2 sigma), training " << seconds << " s\n  " << model.description() << "\n";
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(AnnAccuracy, DefaultCommitteeOnPtAu38WithEmt) {
    const auto training = test::ptau38_dataset(200, 1);  // 600 structures
    const auto test_set = test::ptau38_dataset(100, 2);
    auto model = default_committee();
    const auto start = std::chrono::steady_clock::now();
    model->fit(training);
    const double seconds = seconds_since(start);
    const auto a = test::accuracy(*model, test_set);
    RecordProperty("mae_mev_per_atom", std::to_string(1e3 * a.mae_per_atom));
    RecordProperty("coverage_2sigma", std::to_string(a.coverage2));
    report("ann_committee (600 structures)", *model, a, seconds);
    EXPECT_LE(a.mae_per_atom, 10e-3) << model->description();
    EXPECT_GE(a.coverage2, 0.85);
    EXPECT_LE(a.coverage2, 0.99);
}

// The active-learning path: fit on part of the data, then update() with the rest. The warm
// start must reach the accuracy and calibration of a fit on everything.
TEST(AnnAccuracy, UpdatedCommitteeStaysAccurateAndCalibrated) {
    const auto first = test::ptau38_dataset(100, 1);   // 300 structures
    const auto second = test::ptau38_dataset(100, 3);  // 300 more
    const auto test_set = test::ptau38_dataset(100, 2);
    auto model = default_committee();
    model->fit(first);
    const auto before = test::accuracy(*model, test_set);
    const auto start = std::chrono::steady_clock::now();
    model->update(second);
    const double seconds = seconds_since(start);
    const auto a = test::accuracy(*model, test_set);
    report("ann_committee (300 + update 300)", *model, a, seconds);
    EXPECT_EQ(model->training_size(), 600u);
    EXPECT_LT(a.mae_per_atom, before.mae_per_atom);
    EXPECT_LE(a.mae_per_atom, 10e-3) << model->description();
    EXPECT_GE(a.coverage2, 0.85);
    EXPECT_LE(a.coverage2, 0.99);
}

}  // namespace
}  // namespace nanoscape
