// Acceptance targets of the surrogates on Pt-Au 38 with EMT (docs/surrogates.md): GPR energy
// MAE <= 5 meV/atom from at most 300 training structures, with calibrated uncertainties
// (fraction of test errors within 2 predicted sigma between 0.85 and 0.99).

#include <gtest/gtest.h>

#include "nanoscape/surrogate/selection.hpp"
#include "support/surrogate_accuracy.hpp"

namespace nanoscape {
namespace {

TEST(SurrogateAccuracy, GprOnPtAu38WithEmt) {
    const auto pool = test::ptau38_dataset(200, 1);
    const auto test_set = test::ptau38_dataset(70, 2);
    ParameterTable table("surrogate");
    table.set("type", ParameterValue::of("gpr"));
    auto model = create_surrogate(table, {78, 79});
    SelectionOptions options;
    options.count = 300;
    options.seed = 3;
    std::vector<Sample> training;
    for (const auto i : select_training_set(pool, options, nullptr, nullptr)) training.push_back(pool[i]);
    model->fit(training);
    const auto a = test::accuracy(*model, test_set);
    RecordProperty("mae_mev_per_atom", std::to_string(1e3 * a.mae_per_atom));
    EXPECT_LE(a.mae_per_atom, 5e-3) << model->description();
    EXPECT_GE(a.coverage2, 0.85);
    EXPECT_LE(a.coverage2, 0.99);
    std::cout << "gpr: MAE " << 1e3 * a.mae_per_atom << " meV/atom, coverage " << a.coverage1 << " (1 sigma), "
              << a.coverage2 << " (2 sigma)\n";
}

}  // namespace
}  // namespace nanoscape
