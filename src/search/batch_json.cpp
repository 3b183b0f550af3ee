#include "nanoscape/search/batch_json.hpp"

#include "nanoscape/core/error.hpp"
#include "nanoscape/search/state_json.hpp"

namespace nanoscape {

namespace {

// An enumerator from its integer form; InputError outside [0, last].
template <typename Enum>
Enum enum_from_json(const nlohmann::json& j, Enum last, const char* what) {
    const int v = j.get<int>();
    if (v < 0 || v > static_cast<int>(last)) throw InputError(std::string("unknown ") + what);
    return static_cast<Enum>(v);
}

}  // namespace

nlohmann::json candidate_to_json(const Candidate& c) {
    return {{"cluster", cluster_to_json(c.cluster)},
            {"action", static_cast<int>(c.action)},
            {"origin", c.origin},
            {"move", c.move},
            {"initial", c.initial},
            {"archive", c.archive},
            {"prior_evaluations", c.prior_evaluations},
            {"local_updates", c.local_updates},
            {"snapshots", c.snapshots},
            {"max_relax_steps", c.max_relax_steps}};
}

Candidate candidate_from_json(const nlohmann::json& j) {
    Candidate c;
    c.cluster = cluster_from_json(j.at("cluster"));
    c.action = enum_from_json(j.at("action"), CandidateAction::single_point, "candidate action");
    c.origin = j.at("origin").get<int>();
    c.move = j.at("move").get<std::string>();
    c.initial = j.at("initial").get<bool>();
    c.archive = j.at("archive").get<bool>();
    c.prior_evaluations = j.at("prior_evaluations").get<long>();
    c.local_updates = j.at("local_updates").get<long>();
    c.snapshots = j.at("snapshots").get<int>();
    c.max_relax_steps = j.at("max_relax_steps").get<int>();
    return c;
}

nlohmann::json evaluation_to_json(const Evaluation& e) {
    nlohmann::json snapshots = nlohmann::json::array();
    for (const Sample& s : e.snapshots) {
        nlohmann::json sj = {{"cluster", cluster_to_json(s.cluster)}, {"energy", real_to_json(s.energy)}};
        if (s.forces) sj["forces"] = vectors_to_json(*s.forces);
        snapshots.push_back(std::move(sj));
    }
    return {{"cluster", cluster_to_json(e.cluster)},
            {"energy", real_to_json(e.energy)},
            {"status", static_cast<int>(e.status)},
            {"evaluations", e.evaluations},
            {"relaxations", e.relaxations},
            {"local_updates", e.local_updates},
            {"message", e.message},
            {"predicted_energy", real_to_json(e.predicted_energy)},
            {"predicted_sigma", real_to_json(e.predicted_sigma)},
            {"start_energy", real_to_json(e.start_energy)},
            {"snapshots", std::move(snapshots)}};
}

Evaluation evaluation_from_json(const nlohmann::json& j) {
    Evaluation e;
    e.cluster = cluster_from_json(j.at("cluster"));
    e.energy = real_from_json(j.at("energy"));
    e.status = enum_from_json(j.at("status"), EvaluationStatus::screened, "evaluation status");
    e.evaluations = j.at("evaluations").get<long>();
    e.relaxations = j.at("relaxations").get<int>();
    e.local_updates = j.at("local_updates").get<long>();
    e.message = j.at("message").get<std::string>();
    e.predicted_energy = real_from_json(j.at("predicted_energy"));
    e.predicted_sigma = real_from_json(j.at("predicted_sigma"));
    e.start_energy = real_from_json(j.at("start_energy"));
    for (const auto& sj : j.at("snapshots")) {
        Sample s;
        s.cluster = cluster_from_json(sj.at("cluster"));
        s.energy = real_from_json(sj.at("energy"));
        if (sj.contains("forces")) s.forces = vectors_from_json(sj.at("forces"), "a force");
        e.snapshots.push_back(std::move(s));
    }
    return e;
}

}  // namespace nanoscape
