#pragma once
/// @file Random-number streams that do not depend on the thread count or the C++ library.
///
/// Every stochastic component takes an Rng made by make_stream(seed, key): a candidate, walker
/// or sample gets its own stream from a structured key (purpose, composition, index, round),
/// so which thread runs it does not matter and no two components share numbers.
/// The distributions are written out here (not std::*_distribution, whose algorithms differ
/// between standard libraries) so a seed gives the same numbers everywhere.

#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <span>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace nanoscape {

/// SplitMix64 (Steele, Lea, Flood, OOPSLA 2014): a bijective 64-bit mixer.
[[nodiscard]] constexpr std::uint64_t splitmix64(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

/// xoshiro256** (Blackman & Vigna 2018): small, fast, statistically strong generator.
class Rng {
public:
    using result_type = std::uint64_t;

    /// The stream of seed 0.
    Rng() : Rng(0) {}
    /// Seeds the four state words from `seed` through SplitMix64.
    explicit Rng(std::uint64_t seed) {
        for (auto& word : state_) word = seed = splitmix64(seed);
    }
    static constexpr result_type min() { return 0; }
    static constexpr result_type max() { return ~result_type{0}; }

    /// Next 64 random bits.
    result_type operator()() {
        const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
        const std::uint64_t t = state_[1] << 17;
        state_[2] ^= state_[0];
        state_[3] ^= state_[1];
        state_[1] ^= state_[2];
        state_[0] ^= state_[3];
        state_[2] ^= t;
        state_[3] = rotl(state_[3], 45);
        return result;
    }

    /// Uniform in [0, 1), 53 random bits.
    double uniform() { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }
    /// Uniform in [lo, hi).
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    /// Uniform integer in [0, n), n > 0 (Lemire's nearly-divisionless method is overkill here:
    /// the modulo bias of 64-bit draws is below 2^-40 for any n we use).
    std::uint64_t below(std::uint64_t n) { return (*this)() % n; }
    /// Standard normal deviate (Box-Muller; one value per call keeps the stream simple).
    double normal() {
        double u1 = uniform();
        while (u1 <= 0.0) u1 = uniform();
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    }

    /// The four state words, for checkpoints.
    [[nodiscard]] std::array<std::uint64_t, 4> state() const { return {state_[0], state_[1], state_[2], state_[3]}; }
    /// Restores a state saved with state(); the stream continues exactly where it was.
    void set_state(const std::array<std::uint64_t, 4>& s) {
        for (int k = 0; k < 4; ++k) state_[k] = s[static_cast<std::size_t>(k)];
    }

private:
    static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t state_[4]{};
};

/// Vector(x, y, z) of three values of `draw()` (e.g. three_draws<Eigen::Vector3d>), drawn z
/// first, then y, then x. C++ leaves the order in which a call's arguments are evaluated
/// unspecified: `Vector3d(draw(), draw(), draw())` gives other vectors with clang than with g++
/// (which evaluates them right to left), and so another search from the same seed. The order is
/// fixed here as g++ had it, for every compiler, so results of the g++ builds of earlier
/// versions stay as they were.
template <class Vector, class Draw>
[[nodiscard]] Vector three_draws(Draw&& draw) {
    const double z = draw();
    const double y = draw();
    const double x = draw();
    return Vector(x, y, z);
}

/// Shuffles `items` in place (Fisher-Yates, last position first, on our own stream, so the
/// order is the same with any standard library).
template <class T>
void shuffle(std::span<T> items, Rng& rng) {
    for (std::size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[rng.below(i)]);
}

/// Index i drawn with probability weights[i] / sum(weights) (the roulette wheel), from one
/// uniform draw; entries with weight <= 0 are never drawn (on round-off the last positive one
/// is returned). Throws std::invalid_argument if no weight is positive.
[[nodiscard]] inline std::size_t draw_weighted(std::span<const double> weights, Rng& rng) {
    double total = 0.0;
    for (const double w : weights)
        if (w > 0) total += w;
    if (!(total > 0)) throw std::invalid_argument("draw_weighted: no positive weight");
    double x = rng.uniform() * total;
    std::size_t chosen = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        if (!(weights[i] > 0)) continue;
        chosen = i;
        if (x < weights[i]) break;
        x -= weights[i];
    }
    return chosen;
}

/// FNV-1a 64-bit hash of a string (Fowler, Noll, Vo): turns a stream purpose into a number.
[[nodiscard]] constexpr std::uint64_t fnv1a64(std::string_view text) {
    std::uint64_t h = 0xCBF29CE484222325ULL;
    for (const char c : text) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001B3ULL;
    }
    return h;
}

/// What a random stream is for. Two streams of one run seed are the same only if every field
/// is the same, so the walkers of basin hopping, the candidates of a random search, the runs
/// of a composition sweep and the members of a committee never share numbers.
struct StreamKey {
    std::string_view purpose;       ///< who draws, e.g. "basin_hopping.walker"; "" for a plain stream id
    std::uint64_t composition = 0;  ///< which composition (a hash of the species counts; 0: not tied to one)
    std::uint64_t index = 0;        ///< which walker, candidate, sample or member
    std::uint64_t round = 0;        ///< which round, generation or restart
};

/// The stream of run seed `seed` for `key`. For a key with only an index it is the plain
/// stream `index` (make_stream(seed, index)); otherwise the fields are chained through
/// SplitMix64, which is bijective, so for fixed purpose, composition and round distinct
/// indices always give distinct streams.
[[nodiscard]] inline Rng make_stream(std::uint64_t seed, const StreamKey& key) {
    std::uint64_t id = key.index;
    if (!key.purpose.empty() || key.composition != 0 || key.round != 0)
        id = splitmix64(splitmix64(splitmix64(fnv1a64(key.purpose) ^ key.composition) ^ key.round) ^ key.index);
    return Rng(splitmix64(seed ^ splitmix64(id + 0x632BE59BD9B4E019ULL)));
}

/// The independent stream number `stream` of run seed `seed` (a StreamKey with only an index).
[[nodiscard]] inline Rng make_stream(std::uint64_t seed, std::uint64_t stream) {
    return make_stream(seed, StreamKey{{}, 0, stream, 0});
}

}  // namespace nanoscape
