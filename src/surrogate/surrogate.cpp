#include "nanoscape/surrogate/surrogate.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace nanoscape {

double Prediction::sigma() const { return std::sqrt(std::max(variance, 0.0)); }

std::unique_ptr<PairSumModel> Surrogate::pair_sum_model(const std::vector<Species>&) const { return nullptr; }

std::vector<Species> unique_species(const std::vector<Sample>& samples) {
    std::vector<Species> all;
    for (const auto& s : samples) all.insert(all.end(), s.cluster.species.begin(), s.cluster.species.end());
    return unique_species(all);
}

const std::vector<std::string>& common_surrogate_keys() {
    static const std::vector<std::string> keys{"type", "descriptor", "selection", "training_size", "seed"};
    return keys;
}

ParameterTable check_surrogate_keys(const ParameterTable& table, const std::vector<std::string>& model_keys) {
    std::vector<std::string> allowed = common_surrogate_keys();
    allowed.insert(allowed.end(), model_keys.begin(), model_keys.end());
    table.allow_only(allowed);
    ParameterTable common(table.name());
    for (const char* k : {"selection", "training_size", "seed"})
        if (const auto* v = table.find(k)) common.set(k, *v);
    return common;
}

std::unique_ptr<Surrogate> create_surrogate(const ParameterTable& table, const std::vector<Species>& species) {
    const auto& registry = surrogate_registry();
    if (!table.has("type"))
        throw table.error("type", fmt::format("is required (one of: {})", fmt::join(registry.keys(), ", ")));
    const std::string key = table.require_string("type");
    const auto* entry = registry.find(key);
    if (!entry) throw table.error("type", registry.unknown_message(key));
    if (species.empty()) throw InputError(table.where(), "a surrogate needs at least one species");
    return entry->create(table, species);
}

}  // namespace nanoscape
