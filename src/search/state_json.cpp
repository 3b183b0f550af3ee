#include "nanoscape/search/state_json.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include <fmt/format.h>

#include "nanoscape/core/error.hpp"

namespace nanoscape {

nlohmann::json vectors_to_json(const Eigen::Matrix3Xd& vectors) {
    nlohmann::json out = nlohmann::json::array();
    for (Eigen::Index i = 0; i < vectors.cols(); ++i) out.push_back({vectors(0, i), vectors(1, i), vectors(2, i)});
    return out;
}

Eigen::Matrix3Xd vectors_from_json(const nlohmann::json& j, const char* what) {
    Eigen::Matrix3Xd out(3, static_cast<Eigen::Index>(j.size()));
    for (std::size_t i = 0; i < j.size(); ++i) {
        const auto& v = j[i];
        if (v.size() != 3) throw InputError(fmt::format("{} does not have three coordinates", what));
        for (int k = 0; k < 3; ++k) out(k, static_cast<Eigen::Index>(i)) = v[static_cast<std::size_t>(k)].get<double>();
    }
    return out;
}

nlohmann::json cluster_to_json(const Cluster& cluster) {
    nlohmann::json species = nlohmann::json::array();
    for (const Species z : cluster.species) species.push_back(symbol(z));
    return {{"species", std::move(species)}, {"positions", vectors_to_json(cluster.positions)}};
}

Cluster cluster_from_json(const nlohmann::json& j) {
    const auto& species = j.at("species");
    const auto& positions = j.at("positions");
    if (species.size() != positions.size()) throw InputError("a structure has different numbers of species and positions");
    std::vector<Species> z;
    z.reserve(species.size());
    for (const auto& s : species) z.push_back(species_from_symbol(s.get<std::string>()));
    return Cluster(vectors_from_json(positions, "a position"), std::move(z));
}

nlohmann::json sample_to_json(const Sample& s) {
    nlohmann::json j = {{"cluster", cluster_to_json(s.cluster)}, {"energy", real_to_json(s.energy)}};
    if (s.forces) j["forces"] = vectors_to_json(*s.forces);
    return j;
}

Sample sample_from_json(const nlohmann::json& j) {
    Sample s;
    s.cluster = cluster_from_json(j.at("cluster"));
    s.energy = real_from_json(j.at("energy"));
    if (j.contains("forces")) {
        s.forces = vectors_from_json(j.at("forces"), "a force");
        if (static_cast<std::size_t>(s.forces->cols()) != s.cluster.size())
            throw InputError("a training sample has forces for another number of atoms");
    }
    return s;
}

void check_composition(const Cluster& cluster, const std::vector<Species>& composition, const std::string& what) {
    std::vector<Species> a = cluster.species, b = composition;
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    if (a != b) {
        throw InputError(fmt::format("{} is {} but the run is {}", what, cluster.formula(), species_only(b).formula()));
    }
    if (!cluster.positions.allFinite())
        throw InputError(fmt::format("{} has a coordinate that is not a finite number", what));
}

nlohmann::json rng_to_json(const Rng& rng) {
    const auto s = rng.state();
    return nlohmann::json::array({s[0], s[1], s[2], s[3]});
}

Rng rng_from_json(const nlohmann::json& j) {
    if (!j.is_array() || j.size() != 4) throw InputError("a random-stream state is not four integers");
    std::array<std::uint64_t, 4> s{};
    for (std::size_t k = 0; k < 4; ++k) s[k] = json_to_unsigned(j[k], "a random-stream state word");
    Rng rng;
    rng.set_state(s);
    return rng;
}

nlohmann::json real_to_json(double x) {
    if (std::isnan(x)) return "nan";
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    return x;
}

double real_from_json(const nlohmann::json& j) {
    if (j.is_string()) {
        const auto s = j.get<std::string>();
        if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
        if (s == "inf") return std::numeric_limits<double>::infinity();
        if (s == "-inf") return -std::numeric_limits<double>::infinity();
        throw InputError(fmt::format("expected a number, found \"{}\"", s));
    }
    return j.get<double>();
}

std::vector<std::string> identity_differences(const nlohmann::json& checkpoint, const nlohmann::json& run) {
    const auto shown = [](const nlohmann::json& j) -> std::string {  // "42", "Ag27Cu7", "none"
        if (j.is_null()) return "none";
        if (j.is_string()) return j.get<std::string>();
        return j.dump();
    };
    const auto name = [](const std::string& pointer) {  // "/relax/fmax" -> "relax.fmax"
        if (pointer.empty()) return std::string("the identity");  // not an object at all
        std::string n = pointer.substr(1);
        std::replace(n.begin(), n.end(), '/', '.');
        return n;
    };
    // flatten() gives {"": null} for an empty object: no fields.
    const auto fields = [](const nlohmann::json& j) {
        nlohmann::json f = j.flatten();
        if (j.is_object() && j.empty()) f = nlohmann::json::object();
        return f;
    };
    const nlohmann::json mine = fields(run);
    const nlohmann::json theirs = fields(checkpoint);
    std::vector<std::string> differences;
    for (const auto& [key, value] : mine.items()) {
        const nlohmann::json other = theirs.contains(key) ? theirs.at(key) : nlohmann::json(nullptr);
        if (other != value)
            differences.push_back(fmt::format("{} is {} in the checkpoint, {} in this run", name(key), shown(other), shown(value)));
    }
    for (const auto& [key, value] : theirs.items())
        if (!mine.contains(key))
            differences.push_back(fmt::format("{} is {} in the checkpoint, not set in this run", name(key), shown(value)));
    return differences;
}

nlohmann::json parameter_value_to_json(const ParameterValue& value) {
    using Kind = ParameterValue::Kind;
    switch (value.kind) {
        case Kind::boolean: return {{"bool", value.boolean}};
        case Kind::integer: return {{"int", value.integer}};
        case Kind::real: return {{"real", real_to_json(value.real)}};
        case Kind::string: return {{"string", value.string}};
        case Kind::array: {
            nlohmann::json a = nlohmann::json::array();
            for (const auto& v : value.array) a.push_back(parameter_value_to_json(v));
            return {{"array", std::move(a)}};
        }
        case Kind::table: {
            nlohmann::json t = nlohmann::json::array();
            for (const auto& [key, v] : value.table) t.push_back({key, parameter_value_to_json(v)});
            return {{"table", std::move(t)}};
        }
    }
    throw Error("unknown parameter kind");
}

std::uint64_t json_to_unsigned(const nlohmann::json& j, const char* what) {
    if (j.is_number_unsigned()) return j.get<std::uint64_t>();
    if (j.is_number_integer() && j.get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(j.get<std::int64_t>());
    throw InputError(fmt::format("{} is {}, not an integer from 0 to 2^64-1", what, j.dump()));
}

void check_json_numbers(const nlohmann::json& j) {
    constexpr double limit = 9223372036854775808.0;  // 2^63
    if (j.is_number_float()) {
        if (!(std::abs(j.get<double>()) < limit))
            throw InputError(fmt::format("the number {} is out of range", j.dump()));
        return;
    }
    if (j.is_structured())
        for (const auto& v : j) check_json_numbers(v);
}

ParameterValue parameter_value_from_json(const nlohmann::json& j) {
    if (!j.is_object() || j.size() != 1) throw InputError("a configuration value is not a one-key object");
    // The key and value straight from an iterator of `j`: a structured binding of
    // *j.items().begin() would refer into the items() proxy, a temporary gone at the semicolon
    // (AddressSanitizer: stack-use-after-scope).
    const auto first = j.begin();
    const std::string kind = first.key();
    const nlohmann::json& v = first.value();
    if (kind == "bool") return ParameterValue::of(v.get<bool>());
    if (kind == "int") return ParameterValue::of(v.get<std::int64_t>());
    if (kind == "real") return ParameterValue::of(real_from_json(v));
    if (kind == "string") return ParameterValue::of(v.get<std::string>());
    ParameterValue out;
    if (kind == "array") {
        out.kind = ParameterValue::Kind::array;
        for (const auto& e : v) out.array.push_back(parameter_value_from_json(e));
        return out;
    }
    if (kind == "table") {
        out.kind = ParameterValue::Kind::table;
        for (const auto& e : v) {
            if (!e.is_array() || e.size() != 2) throw InputError("a configuration table entry is not [key, value]");
            out.table.emplace_back(e[0].get<std::string>(), parameter_value_from_json(e[1]));
        }
        return out;
    }
    throw InputError(fmt::format("unknown configuration value kind '{}'", kind));
}

}  // namespace nanoscape
