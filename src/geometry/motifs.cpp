#include "nanoscape/geometry/motifs.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <numbers>
#include <set>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nanoscape/core/error.hpp"
#include "nanoscape/core/rng.hpp"
#include "nanoscape/geometry/builders.hpp"

namespace nanoscape {

namespace {

// Sites closer in distance from the centre than this (units of d) count as one shell.
constexpr double shell_tolerance = 1e-6;

Eigen::Matrix3Xd to_matrix(const std::vector<Eigen::Vector3d>& points) {
    Eigen::Matrix3Xd m(3, static_cast<Eigen::Index>(points.size()));
    for (std::size_t i = 0; i < points.size(); ++i) m.col(static_cast<Eigen::Index>(i)) = points[i];
    return m;
}

std::string display_name(Motif motif) {
    std::string name = to_string(motif);
    std::replace(name.begin(), name.end(), '_', ' ');
    return name;
}

// "a"/"an" + words, for messages; numbers by their sound ("an 8-shell", "an 11-atom", "an 18-atom").
std::string with_article(const std::string& words) {
    const std::size_t digits = words.find_first_not_of("0123456789");
    const std::string number = words.substr(0, digits);
    bool vowel_sound = false;
    if (!number.empty())
        vowel_sound = number.front() == '8' ||
                      ((number.size() % 3 == 2) && (number.starts_with("11") || number.starts_with("18")));
    else
        vowel_sound = !words.empty() && std::string_view("aeiou").find(words.front()) != std::string_view::npos;
    return fmt::format("{} {}", vowel_sound ? "an" : "a", words);
}

// Ino decahedron with K shells = ASE Decahedron(K + 1, K + 1, 0); same counts as the icosahedron.
std::int64_t shell_count(int k) {
    const std::int64_t kk = k;
    return (10 * kk * kk * kk + 15 * kk * kk + 11 * kk + 3) / 3;
}

// Shape given by `shells` as the (length, cutoff) of an octahedron-family motif.
std::pair<int, int> octahedron_shape(Motif motif, int shells) {
    switch (motif) {
        case Motif::octahedron: return {shells + 1, 0};
        case Motif::truncated_octahedron: return {3 * shells + 1, shells};
        case Motif::cuboctahedron: return {2 * shells + 1, shells};
        default: throw Error("octahedron_shape: not an octahedral motif");
    }
}

void check_shells(Motif motif, int shells) {
    if (motif == Motif::random)
        throw InputError("the random motif has no shells: ask for a size (number of atoms) instead");
    if (shells < 1) throw InputError(fmt::format("{}: shells must be >= 1, got {}", to_string(motif), shells));
    // Generous bound that keeps the cubic counts below in 64-bit range; max_build_atoms is the real limit.
    if (shells > 2000)
        throw InputError(
            fmt::format("a {}-shell {} has more than {} atoms", shells, display_name(motif), max_build_atoms));
}

void check_atom_limit(std::int64_t n, const std::string& what) {
    if (n > max_build_atoms)
        throw InputError(fmt::format("{} has {} atoms, more than the {} nanoscape builds", what, n, max_build_atoms));
}

void check_shape(Motif motif, const std::vector<int>& shape) {
    const auto fail = [&](const std::string& why) {
        throw InputError(
            fmt::format("shape {} for {}: {}", fmt::join(shape, ","), with_article(display_name(motif)), why));
    };
    switch (motif) {
        case Motif::decahedron:
            if (shape.size() != 3) fail("a decahedron takes three numbers p,q,r (ASE Decahedron(p, q, r))");
            if (shape[0] < 1 || shape[1] < 1 || shape[2] < 0) fail("need p >= 1, q >= 1, r >= 0");
            if (shape[0] > 1000 || shape[1] > 1000 || shape[2] > 1000) fail("too large");
            break;
        case Motif::octahedron:
            if (shape.size() != 1)
                fail("an octahedron takes one number, the atoms along an edge (ASE Octahedron(length))");
            if (shape[0] < 1 || shape[0] > 1000) fail("the edge length must be between 1 and 1000 atoms");
            break;
        case Motif::truncated_octahedron:
            if (shape.size() != 2)
                fail("a truncated octahedron takes two numbers length,cutoff (ASE Octahedron(length, cutoff))");
            if (shape[0] < 1 || shape[0] > 1000) fail("the edge length must be between 1 and 1000 atoms");
            if (shape[1] < 1 || 2 * shape[1] > shape[0] - 1)
                fail(fmt::format("the cutoff must be between 1 and (length - 1) / 2 = {}", (shape[0] - 1) / 2));
            break;
        default:
            fail(fmt::format("{} has no shape parameters; give shells or a size", with_article(display_name(motif))));
    }
}

// Atom count of decahedron_sites(p, q, r), counted without building it.
std::int64_t decahedron_size(int p, int q, int r) {
    const int reach = p - 1 + 2 * r, axis = p + q - 1 + 2 * r, side = p - 1 + r;
    std::int64_t n = axis;  // the five-fold axis
    for (int j = 1; j <= side; ++j)
        for (int l = 0; l <= side && j + l <= reach; ++l) n += 5 * std::max(0, axis - j - l);
    return n;
}

std::int64_t shape_size(Motif motif, const std::vector<int>& shape) {
    check_shape(motif, shape);
    if (motif == Motif::decahedron) return decahedron_size(shape[0], shape[1], shape[2]);
    return octahedron_size(shape[0], motif == Motif::octahedron ? 0 : shape[1]);
}

Eigen::Matrix3Xd shape_sites(Motif motif, const std::vector<int>& shape) {
    check_shape(motif, shape);
    if (motif == Motif::decahedron) return decahedron_sites(shape[0], shape[1], shape[2]);
    return octahedron_sites(shape[0], motif == Motif::octahedron ? 0 : shape[1]);
}

// The complete motif a `size` cut is taken from: the smallest with at least n atoms.
struct EnclosingMotif {
    int shells = 0;              ///< K-shell motif, or 0 for a truncation below
    int length = 0, cutoff = 0;  ///< truncated octahedron (length, cutoff)
    std::int64_t count = 0;      ///< atoms
    std::string description;     ///< "a 147-atom 3-shell icosahedron"
};

EnclosingMotif find_enclosing_motif(Motif motif, std::int64_t n) {
    EnclosingMotif e;
    if (motif == Motif::truncated_octahedron) {
        // Every truncation 1 <= c < (L - 1) / 2 (c = (L - 1) / 2 is the cuboctahedron). For fixed
        // L the count falls with c; the most truncated shape grows with L, so stop once it
        // exceeds the best count found.
        e.count = std::numeric_limits<std::int64_t>::max();
        for (int length = 4;; ++length) {
            const int max_cutoff = (length - 2) / 2;
            if (octahedron_size(length, max_cutoff) > e.count) break;
            for (int cutoff = max_cutoff; cutoff >= 1; --cutoff) {
                const std::int64_t count = octahedron_size(length, cutoff);
                if (count >= n) {
                    if (count < e.count) e.count = count, e.length = length, e.cutoff = cutoff;
                    break;
                }
            }
        }
        check_atom_limit(e.count, "the smallest enclosing truncated octahedron");
        e.description =
            fmt::format("a {}-atom truncated octahedron (length, cutoff) = ({}, {})", e.count, e.length, e.cutoff);
        return e;
    }
    for (e.shells = 1; motif_size(motif, e.shells) < n; ++e.shells) {
    }
    e.count = motif_size(motif, e.shells);
    e.description = fmt::format("a {}-atom {}-shell {}", e.count, e.shells, display_name(motif));
    return e;
}

// Atom indices ordered by distance from the origin; atoms at the same distance (within
// shell_tolerance x scale) come in a random order drawn from rng, so a cut through a shell or a
// core-shell boundary inside one picks a random subset of it.
std::vector<int> order_by_radius(const Eigen::Matrix3Xd& positions, double scale, Rng& rng) {
    const auto n = static_cast<int>(positions.cols());
    std::vector<double> radius(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) radius[static_cast<std::size_t>(i)] = positions.col(i).norm();
    std::vector<int> order(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        return radius[static_cast<std::size_t>(a)] < radius[static_cast<std::size_t>(b)];
    });
    for (std::size_t start = 0; start < order.size();) {
        std::size_t end = start + 1;
        while (end < order.size() &&
               radius[static_cast<std::size_t>(order[end])] - radius[static_cast<std::size_t>(order[start])] <
                   shell_tolerance * scale)
            ++end;
        for (std::size_t i = end - 1; i > start; --i)  // Fisher-Yates within the shell
            std::swap(order[i], order[start + rng.below(i - start + 1)]);
        start = end;
    }
    return order;
}

// Compact connected random cluster of n atoms at unit nearest-neighbour distance (see
// build_cluster). A cell grid (cells of the largest bond) keeps each overlap test O(1).
Eigen::Matrix3Xd random_compact_sites(std::int64_t n, Rng& rng) {
    constexpr double bond_min = 1.0, bond_max = 1.1, min_distance = 0.9;
    constexpr double volume_per_atom = 1.2;  // d^3; fcc has 0.71, random packings ~0.9
    constexpr int failures_before_widening = 1000;
    double radius = std::cbrt(3.0 * static_cast<double>(n) * volume_per_atom / (4.0 * std::numbers::pi)) + 0.5;

    std::vector<Eigen::Vector3d> points{Eigen::Vector3d::Zero()};
    points.reserve(static_cast<std::size_t>(n));
    const auto cell_of = [](const Eigen::Vector3d& p) {
        return std::array<long, 3>{std::lround(std::floor(p.x() / bond_max)), std::lround(std::floor(p.y() / bond_max)),
                                   std::lround(std::floor(p.z() / bond_max))};
    };
    // 21 bits per cell index: far more than a 10^6-atom sphere needs.
    const auto key = [](long x, long y, long z) {
        constexpr long offset = 1L << 20;
        return static_cast<std::int64_t>(((x + offset) << 42) | ((y + offset) << 21) | (z + offset));
    };
    std::unordered_map<std::int64_t, std::vector<int>> cells;
    const auto insert = [&](int i) {
        const auto c = cell_of(points[static_cast<std::size_t>(i)]);
        cells[key(c[0], c[1], c[2])].push_back(i);
    };
    const auto overlaps = [&](const Eigen::Vector3d& p) {
        const auto c = cell_of(p);
        for (long dx = -1; dx <= 1; ++dx)
            for (long dy = -1; dy <= 1; ++dy)
                for (long dz = -1; dz <= 1; ++dz) {
                    const auto it = cells.find(key(c[0] + dx, c[1] + dy, c[2] + dz));
                    if (it == cells.end()) continue;
                    for (int j : it->second)
                        if ((points[static_cast<std::size_t>(j)] - p).squaredNorm() < min_distance * min_distance)
                            return true;
                }
        return false;
    };
    insert(0);
    int failures = 0;
    while (static_cast<std::int64_t>(points.size()) < n) {
        const auto parent = points[rng.below(points.size())];
        const auto direction = three_draws<Eigen::Vector3d>([&] { return rng.normal(); });
        const double length = direction.norm();
        if (!(length > 1e-12)) continue;
        const Eigen::Vector3d p = parent + direction * (rng.uniform(bond_min, bond_max) / length);
        if (p.norm() > radius || overlaps(p)) {
            // The sphere is (locally) full: widen it rather than loop forever.
            if (++failures >= failures_before_widening) {
                radius *= 1.05;
                failures = 0;
            }
            continue;
        }
        failures = 0;
        points.push_back(p);
        insert(static_cast<int>(points.size()) - 1);
    }
    return to_matrix(points);
}

std::string normalised_name(const std::string& name) {
    std::string s;
    for (char ch : name) s += ch == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
}

std::string trim(const std::string& s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string::npos) return {};
    return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

}  // namespace

Eigen::Matrix3Xd decahedron_sites(int p, int q, int r) {
    check_shape(Motif::decahedron, {p, q, r});
    // Five fcc segments share the five-fold axis (z). In segment k a site is j c_k + l c_{k+1}
    // in the plane plus a height z, with c_k = (sqrt(3)/2)(cos 72k deg, sin 72k deg, 0) the
    // in-plane part of a bond from the axis into twin plane k. Along the axis the fcc (110)
    // layers are 1/2 apart, so a site at in-plane step s = j + l sits half a layer off the axis
    // sites for odd s: heights z = m - (n - 1) / 2 with n = axis - s sites per column, which
    // makes the top and bottom (111) facets. reach = s of the outer (100) facets; side bounds j
    // and l, cutting the Marks notches (depth r) where the twin planes meet the surface.
    const int reach = p - 1 + 2 * r, axis = p + q - 1 + 2 * r, side = p - 1 + r;
    const double rho = std::sqrt(3.0) / 2.0;
    std::vector<Eigen::Vector3d> points;
    for (int m = 0; m < axis; ++m) points.emplace_back(0.0, 0.0, m - (axis - 1) / 2.0);
    for (int k = 0; k < 5; ++k) {
        const double a0 = 2.0 * std::numbers::pi * k / 5.0, a1 = 2.0 * std::numbers::pi * (k + 1) / 5.0;
        const Eigen::Vector2d c0(rho * std::cos(a0), rho * std::sin(a0)), c1(rho * std::cos(a1), rho * std::sin(a1));
        // j >= 1: sites on twin plane k + 1 (j = 0) belong to the next segment, so each is made once.
        for (int j = 1; j <= side; ++j)
            for (int l = 0; l <= side && j + l <= reach; ++l) {
                const int n = axis - j - l;
                const Eigen::Vector2d xy = j * c0 + l * c1;
                for (int m = 0; m < n; ++m) points.emplace_back(xy.x(), xy.y(), m - (n - 1) / 2.0);
            }
    }
    return to_matrix(points);
}

std::int64_t octahedron_size(int length, int cutoff) {
    const std::int64_t l = length, c = cutoff;
    return (2 * l * l * l + l) / 3 - c * (c + 1) * (2 * c + 1);
}

Eigen::Matrix3Xd octahedron_sites(int length, int cutoff) {
    if (length < 1 || cutoff < 0 || 2 * cutoff > length - 1)
        throw InputError(fmt::format("octahedron: need length >= 1 and 0 <= cutoff <= (length - 1) / 2, got ({}, {})",
                                     length, cutoff));
    // fcc sites as integer points with an even coordinate sum (nearest neighbours (1, 1, 0),
    // length sqrt(2)). The octahedron is |x| + |y| + |z| <= length - 1; for even length its
    // centre is an octahedral hole, i.e. the points with an odd sum. A (100) vertex cut of
    // `cutoff` layers is max |x_i| <= length - 1 - cutoff.
    const int m = length - 1, parity = m % 2, edge = m - cutoff;
    std::vector<Eigen::Vector3d> points;
    points.reserve(static_cast<std::size_t>(octahedron_size(length, cutoff)));
    for (int x = -edge; x <= edge; ++x)
        for (int y = -edge; y <= edge; ++y)
            for (int z = -edge; z <= edge; ++z)
                if (((x + y + z) % 2 + 2) % 2 == parity && std::abs(x) + std::abs(y) + std::abs(z) <= m)
                    points.emplace_back(Eigen::Vector3d(x, y, z) / std::numbers::sqrt2);
    return to_matrix(points);
}

std::int64_t motif_size(Motif motif, int shells) {
    check_shells(motif, shells);
    std::int64_t n = 0;
    if (motif == Motif::icosahedron || motif == Motif::decahedron)
        n = shell_count(shells);
    else {
        const auto [length, cutoff] = octahedron_shape(motif, shells);
        n = octahedron_size(length, cutoff);
    }
    check_atom_limit(n, fmt::format("a {}-shell {}", shells, display_name(motif)));
    return n;
}

std::vector<std::int64_t> complete_sizes(Motif motif, std::int64_t max_atoms) {
    std::vector<std::int64_t> sizes;
    if (motif == Motif::random) return sizes;
    if (motif == Motif::truncated_octahedron) {
        std::set<std::int64_t> all;
        for (int length = 4; octahedron_size(length, (length - 2) / 2) <= max_atoms; ++length)
            for (int cutoff = 1; 2 * cutoff < length - 1; ++cutoff)
                if (const auto n = octahedron_size(length, cutoff); n <= max_atoms) all.insert(n);
        return {all.begin(), all.end()};
    }
    for (int shells = 1; shells <= 2000; ++shells) {
        std::int64_t count = 0;
        if (motif == Motif::icosahedron || motif == Motif::decahedron)
            count = shell_count(shells);
        else {
            const auto [length, cutoff] = octahedron_shape(motif, shells);
            count = octahedron_size(length, cutoff);
        }
        if (count > max_atoms) break;
        sizes.push_back(count);
    }
    return sizes;
}

Eigen::Matrix3Xd motif_sites(Motif motif, int shells) {
    (void)motif_size(motif, shells);  // validates
    switch (motif) {
        case Motif::icosahedron: return make_icosahedron(shells, 1.0, 1).positions;
        case Motif::decahedron: return decahedron_sites(shells + 1, shells + 1, 0);
        default: {
            const auto [length, cutoff] = octahedron_shape(motif, shells);
            return octahedron_sites(length, cutoff);
        }
    }
}

std::int64_t requested_size(const BuildRequest& request) {
    if (request.motif == Motif::random && (request.shells != 0 || !request.shape.empty()))
        throw InputError("the random motif needs a size (number of atoms), not shells or a shape");
    const int given = (request.shells != 0) + (request.size != 0) + !request.shape.empty();
    if (given != 1)
        throw InputError(fmt::format("give exactly one of shells, size and shape for {} (got {})",
                                     with_article(display_name(request.motif)), given));
    if (request.size != 0) {
        if (request.size < 1) throw InputError(fmt::format("size must be >= 1 atom, got {}", request.size));
        check_atom_limit(request.size, fmt::format("a {}-atom cluster", request.size));
        return request.size;
    }
    if (request.shells != 0) return motif_size(request.motif, request.shells);
    const std::int64_t n = shape_size(request.motif, request.shape);
    check_atom_limit(n, describe_request(request));
    return n;
}

std::string describe_request(const BuildRequest& r) {
    const std::string name = display_name(r.motif);
    if (r.shells != 0) return with_article(fmt::format("{}-shell {}", r.shells, name));
    if (!r.shape.empty()) {
        switch (r.motif) {
            case Motif::decahedron: return fmt::format("a decahedron with (p, q, r) = ({})", fmt::join(r.shape, ", "));
            case Motif::octahedron:
                return fmt::format("an octahedron with {} atoms per edge", fmt::join(r.shape, ", "));
            case Motif::truncated_octahedron:
                return fmt::format("a truncated octahedron with (length, cutoff) = ({})", fmt::join(r.shape, ", "));
            default: return fmt::format("{} with shape {}", with_article(name), fmt::join(r.shape, ","));
        }
    }
    if (r.motif == Motif::random) return fmt::format("a random {}-atom cluster", r.size);
    const auto enclosing = find_enclosing_motif(r.motif, r.size);
    if (enclosing.count == r.size) return enclosing.description;
    return fmt::format("the {} atoms closest to the centre of {}", r.size, enclosing.description);
}

double default_pair_distance(Species a, Species b) { return element(a).covalent_radius + element(b).covalent_radius; }

double mean_pair_distance(const Composition& composition, const PairDistance& pair_distance) {
    const std::int64_t total = composition_size(composition);
    if (composition.empty() || total <= 0) throw InputError("empty composition");
    double d = 0.0;
    for (const auto& [a, na] : composition)
        for (const auto& [b, nb] : composition) {
            const double dab = pair_distance(a, b);
            if (!std::isfinite(dab) || dab <= 0.0)
                throw InputError(
                    fmt::format("pair distance {}-{} is {} A; it must be positive", symbol(a), symbol(b), dab));
            d += static_cast<double>(na) * static_cast<double>(nb) * dab;
        }
    return d / (static_cast<double>(total) * static_cast<double>(total));
}

Cluster build_cluster(const BuildRequest& request, const PairDistance& pair_distance, Rng& rng) {
    const std::int64_t n = requested_size(request);
    if (request.composition.empty()) throw InputError("empty composition: give species and counts, e.g. Pt=74,Au=73");
    std::set<Species> seen;
    for (const auto& [z, count] : request.composition) {
        if (count < 1)
            throw InputError(
                fmt::format("composition {}: the count of {} must be >= 1", to_string(request.composition), symbol(z)));
        if (!seen.insert(z).second)
            throw InputError(
                fmt::format("composition {}: {} is given twice", to_string(request.composition), symbol(z)));
    }
    const std::int64_t total = composition_size(request.composition);
    if (total != n) {
        if (request.size != 0)
            throw InputError(fmt::format("composition {} sums to {} but the requested size is {} atoms",
                                         to_string(request.composition), total, n));
        throw InputError(fmt::format("composition {} sums to {} but {} has {} atoms", to_string(request.composition),
                                     total, describe_request(request), n));
    }
    const double d = mean_pair_distance(request.composition, pair_distance);

    Eigen::Matrix3Xd sites;
    if (request.motif == Motif::random)
        sites = random_compact_sites(n, rng);
    else if (request.shells != 0)
        sites = motif_sites(request.motif, request.shells);
    else if (!request.shape.empty())
        sites = shape_sites(request.motif, request.shape);
    else {
        const auto enclosing = find_enclosing_motif(request.motif, n);
        const Eigen::Matrix3Xd complete = enclosing.shells != 0 ? motif_sites(request.motif, enclosing.shells)
                                                                : octahedron_sites(enclosing.length, enclosing.cutoff);
        const auto order = order_by_radius(complete, 1.0, rng);
        sites.resize(3, static_cast<Eigen::Index>(n));
        for (Eigen::Index i = 0; i < sites.cols(); ++i) sites.col(i) = complete.col(order[static_cast<std::size_t>(i)]);
    }

    Cluster cluster;
    cluster.positions = sites * d;
    cluster.species.assign(static_cast<std::size_t>(n), request.composition.front().first);
    cluster.center();
    // Atoms sorted by distance from the centre: the core-shell assignment below needs it, and
    // it makes every file read from the inside out.
    const auto order = order_by_radius(cluster.positions, d, rng);
    Eigen::Matrix3Xd sorted(3, cluster.positions.cols());
    for (Eigen::Index i = 0; i < sorted.cols(); ++i)
        sorted.col(i) = cluster.positions.col(order[static_cast<std::size_t>(i)]);
    // Centring leaves rounding noise of ~1e-16 d on coordinates that are zero by symmetry;
    // clear it so files show the symmetry.
    cluster.positions = sorted.unaryExpr([d](double x) { return std::abs(x) < 1e-12 * d ? 0.0 : x; });

    std::vector<Species> species;
    species.reserve(static_cast<std::size_t>(n));
    for (const auto& [z, count] : request.composition)
        species.insert(species.end(), static_cast<std::size_t>(count), z);
    if (request.ordering == Ordering::random)
        shuffle(std::span<Species>(species), rng);
    cluster.species = std::move(species);
    return cluster;
}

std::vector<std::string> motif_names() {
    return {"icosahedron", "decahedron", "octahedron", "truncated_octahedron", "cuboctahedron", "random"};
}

std::string to_string(Motif motif) { return motif_names()[static_cast<std::size_t>(motif)]; }

Motif parse_motif(const std::string& name) {
    const auto names = motif_names();
    const std::string key = normalised_name(trim(name));
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == key) return static_cast<Motif>(i);
    throw InputError(
        fmt::format("unknown motif '{}'{}; motifs: {}", name, did_you_mean(key, names), fmt::join(names, ", ")));
}

Ordering parse_ordering(const std::string& name) {
    const std::string key = normalised_name(trim(name));
    if (key == "random") return Ordering::random;
    if (key == "core_shell") return Ordering::core_shell;
    const std::vector<std::string> names{"random", "core-shell"};
    throw InputError(
        fmt::format("unknown ordering '{}'{}; orderings: random, core-shell", name, did_you_mean(trim(name), names)));
}

std::string to_string(Ordering ordering) { return ordering == Ordering::random ? "random" : "core-shell"; }

Composition parse_composition(const std::string& text) {
    Composition composition;
    const auto fail = [&](const std::string& why) { throw InputError(fmt::format("composition '{}': {}", text, why)); };
    if (trim(text).empty()) fail("empty; give species and counts, e.g. Pt=74,Au=73");
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        const std::string item = trim(text.substr(start, comma - start));
        start = comma + 1;
        const auto eq = item.find('=');
        if (item.empty() || eq == std::string::npos)
            fail(fmt::format("'{}' is not SYMBOL=COUNT (items are separated by commas, e.g. Pt=74,Au=73)", item));
        const std::string sym = trim(item.substr(0, eq)), count_text = trim(item.substr(eq + 1));
        Species z = 0;
        try {
            z = species_from_symbol(sym);
        } catch (const InputError& e) {
            fail(e.what());
        }
        long count = 0;
        std::size_t used = 0;
        try {
            count = std::stol(count_text, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (count_text.empty() || used != count_text.size())
            fail(fmt::format("the count of {} ('{}') is not an integer", sym, count_text));
        if (count < 1 || count > max_build_atoms)
            fail(fmt::format("the count of {} must be between 1 and {}, got {}", sym, max_build_atoms, count));
        for (const auto& [other, c] : composition)
            if (other == z) fail(fmt::format("{} is given twice", symbol(z)));
        composition.emplace_back(z, static_cast<int>(count));
    }
    return composition;
}

std::string to_string(const Composition& composition) {
    std::vector<std::string> items;
    for (const auto& [z, count] : composition) items.push_back(fmt::format("{}={}", symbol(z), count));
    return fmt::format("{}", fmt::join(items, ","));
}

std::int64_t composition_size(const Composition& composition) {
    std::int64_t n = 0;
    for (const auto& entry : composition) n += entry.second;
    return n;
}

}  // namespace nanoscape
