#pragma once
/// @file The one registry mechanism: a string-keyed table of implementations of an interface.
///
/// Every extension point (potentials, descriptors, surrogates, relaxers, training-set selection
/// methods, moves, drivers) keeps one `Registry<Entry>` built from a literal list in its
/// module's registry source, so adding an implementation is one header, one source and one
/// line there. An Entry is any struct with `std::string key` and `std::string summary`
/// members plus whatever its factory needs (LAMMPS's pair-style table, made type safe).
/// Lookup of a misspelt key is an InputError that names the closest valid key.

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nanoscape/core/error.hpp"

namespace nanoscape {

/// Registered implementations of one interface, in registration order.
template <class Entry>
class Registry {
public:
    /// @param kind what a key names, for messages ("potential type", "driver")
    /// @param list_label heading of the list of valid keys in messages ("valid types", "drivers")
    /// @param entries one per implementation; keys must be unique
    Registry(std::string kind, std::string list_label, std::vector<Entry> entries)
        : kind_(std::move(kind)), list_label_(std::move(list_label)), entries_(std::move(entries)) {}

    /// What a key names ("driver").
    [[nodiscard]] const std::string& kind() const { return kind_; }
    /// All entries, in registration order.
    [[nodiscard]] const std::vector<Entry>& entries() const { return entries_; }
    /// Iteration over the entries.
    [[nodiscard]] auto begin() const { return entries_.begin(); }
    /// End of the entries.
    [[nodiscard]] auto end() const { return entries_.end(); }
    /// Number of entries.
    [[nodiscard]] std::size_t size() const { return entries_.size(); }

    /// The keys, in registration order.
    [[nodiscard]] std::vector<std::string> keys() const {
        std::vector<std::string> out;
        out.reserve(entries_.size());
        for (const auto& e : entries_) out.push_back(e.key);
        return out;
    }

    /// The entry for `key`, or nullptr.
    [[nodiscard]] const Entry* find(std::string_view key) const {
        const auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.key == key; });
        return it == entries_.end() ? nullptr : &*it;
    }

    /// The entry for `key`; InputError located at `where` naming the closest key otherwise:
    /// "unknown driver 'basin_hoping' (did you mean 'basin_hopping'?); drivers: ...".
    [[nodiscard]] const Entry& get(std::string_view key, const SourceLocation& where = {}) const {
        if (const Entry* e = find(key)) return *e;
        throw InputError(where, unknown_message(key));
    }

    /// The message get() throws for an unknown key.
    [[nodiscard]] std::string unknown_message(std::string_view key) const {
        const std::string name(key);
        return fmt::format("unknown {} '{}'{}; {}: {}", kind_, name, did_you_mean(name, keys()), list_label_,
                           fmt::join(keys(), ", "));
    }

private:
    std::string kind_;
    std::string list_label_;
    std::vector<Entry> entries_;
};

}  // namespace nanoscape
