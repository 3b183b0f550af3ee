#include "nanoscape/io/xyz.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <istream>
#include <ostream>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

#include "nanoscape/core/error.hpp"

// The reference for every rule below is ASE 3.22 (ase/io/extxyz.py): what ASE accepts we
// accept, and what ASE writes we can read. Where ASE silently does something surprising
// (stops at a blank line, ignores a half-written Properties triplet) we report an error instead.

namespace nanoscape {

std::optional<std::string> XyzFrame::find_info(const std::string& key) const {
    for (const auto& [k, v] : info)
        if (k == key) return v;
    return std::nullopt;
}

void XyzFrame::set_info(const std::string& key, const std::string& value) {
    for (auto& [k, v] : info)
        if (k == key) {
            v = value;
            return;
        }
    info.emplace_back(key, value);
}

namespace {

// Python's str.isspace() on ASCII: what ASE splits atom lines and comment pairs on.
bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// Python's float(): an optional sign (from_chars rejects '+'), then what from_chars accepts,
// which includes inf, infinity and nan in any case.
bool parse_real(std::string_view text, double& value) {
    if (text.size() > 1 && text.front() == '+' && text[1] != '-' && text[1] != '+')
        text.remove_prefix(1);
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    return ec == std::errc{} && ptr == end && !text.empty();
}

// Python's int() for the atom count and the Z column: optional sign, decimal digits.
bool parse_integer(std::string_view text, std::int64_t& value) {
    if (text.size() > 1 && text.front() == '+' && text[1] != '-' && text[1] != '+')
        text.remove_prefix(1);
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    return ec == std::errc{} && ptr == end && !text.empty();
}

// ASE's `s.capitalize()` of the species column: "PT" and "pt" both mean Pt.
std::string capitalize(std::string_view s) {
    std::string out(s);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const auto c = static_cast<unsigned char>(out[i]);
        out[i] = static_cast<char>(i == 0 ? std::toupper(c) : std::tolower(c));
    }
    return out;
}

// A whitespace-separated field of an atom line and its 1-based column in the line.
struct Token {
    std::string_view text;
    int column;
};

std::vector<Token> split_fields(std::string_view line) {
    std::vector<Token> tokens;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && is_space(line[i])) ++i;
        const std::size_t start = i;
        while (i < line.size() && !is_space(line[i])) ++i;
        if (i > start)
            tokens.push_back({line.substr(start, i - start), static_cast<int>(start) + 1});
    }
    return tokens;
}

// Where the reader is, for messages: "file:line:column: frame k: ...".
struct Context {
    const std::string& name;
    int frame = 0;

    [[noreturn]] void fail(int line, int column, std::string_view message) const {
        throw InputError(SourceLocation{name, line, column}, fmt::format("frame {}: {}", frame, message));
    }
};

// The comment line as ASE's key_val_str_to_dict splits it, before any value conversion:
// whitespace separates pairs; '=' separates key from value (a further '=' stays in the value);
// "...", '...', {...} and [...] group text verbatim; a backslash takes the next character
// literally; a key without '=' is a flag with value "T". A repeated key keeps its first
// position and its last value, as in a Python dict.
std::vector<std::pair<std::string, std::string>> split_comment(std::string_view line,
                                                               const Context& ctx, int line_number) {
    line = trim(line);
    // Each pair is a list of '='-separated parts; part 0 is the key.
    std::vector<std::vector<std::string>> pairs{{std::string{}}};
    char closing = 0;
    bool escaped = false;
    for (const char c : line) {
        if (escaped) {
            pairs.back().back() += c;
            escaped = false;
        } else if (c == '\\') {
            escaped = true;
        } else if (closing != 0) {
            if (c == closing) closing = 0;
            else pairs.back().back() += c;
        } else if (c == '"' || c == '\'') {
            closing = c;
        } else if (c == '{') {
            closing = '}';
        } else if (c == '[') {
            closing = ']';
        } else if (is_space(c)) {
            // Runs of spaces, and spaces right after '=', start nothing new (so "a= 1" is a=1).
            if (!pairs.back().back().empty()) pairs.push_back({std::string{}});
        } else if (c == '=') {
            // "key = value": the space opened an empty pair; the '=' belongs to the key before it.
            if (pairs.back().size() == 1 && pairs.back()[0].empty()) pairs.pop_back();
            if (pairs.empty())
                ctx.fail(line_number, 0, "the comment line starts with '=' (a value without a key)");
            pairs.back().emplace_back();
        } else {
            pairs.back().back() += c;
        }
    }

    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& parts : pairs) {
        if (parts[0].empty() && parts.size() == 1) continue;  // nothing, or a lone ""
        std::string value = "T";
        if (parts.size() > 1) value = fmt::format("{}", fmt::join(parts.begin() + 1, parts.end(), "="));
        auto existing = std::find_if(out.begin(), out.end(), [&](const auto& kv) { return kv.first == parts[0]; });
        if (existing != out.end()) existing->second = std::move(value);
        else out.emplace_back(parts[0], std::move(value));
    }
    return out;
}

// One `name:type:count` entry of Properties.
struct Column {
    std::string name;
    char type;       // S, R, I or L
    int count;       // number of fields
    int first;       // index of its first field on an atom line
};

// Which columns nanoscape uses, as indices into Layout::columns (-1 = absent).
struct Layout {
    std::vector<Column> columns;
    int fields = 0;  // fields an atom line must have
    int species = -1;
    int numbers = -1;
    int positions = -1;
    int forces = -1;
    int energies = -1;
};

Layout parse_properties(std::string_view text, const Context& ctx, int line_number) {
    const auto bad = [&](std::string_view why) {
        ctx.fail(line_number, 0, fmt::format("malformed Properties '{}': {}", text, why));
    };
    std::vector<std::string_view> parts;
    for (std::size_t start = 0;;) {
        const std::size_t colon = text.find(':', start);
        parts.push_back(text.substr(start, colon == std::string_view::npos ? colon : colon - start));
        if (colon == std::string_view::npos) break;
        start = colon + 1;
    }
    if (parts.size() % 3 != 0) bad("expected name:type:count triplets");

    Layout layout;
    for (std::size_t i = 0; i < parts.size(); i += 3) {
        const std::string name(parts[i]);
        const std::string_view type = parts[i + 1];
        std::int64_t count = 0;
        if (name.empty()) bad(fmt::format("property {} has no name", i / 3 + 1));
        if (type.size() != 1 || std::string_view("SRIL").find(type[0]) == std::string_view::npos)
            bad(fmt::format("type '{}' of '{}' is not one of S, R, I, L", type, name));
        if (!parse_integer(parts[i + 2], count) || count < 1)
            bad(fmt::format("count '{}' of '{}' is not a positive integer", parts[i + 2], name));
        if (count > 100000) bad(fmt::format("count {} of '{}' is implausibly large", count, name));
        const int index = static_cast<int>(layout.columns.size());
        layout.columns.push_back({name, type[0], static_cast<int>(count), layout.fields});
        layout.fields += static_cast<int>(count);

        // ASE's aliases: pos/positions, species/symbols, Z/numbers.
        const auto claim = [&](int& slot, char want_type, int want_count, std::string_view role) {
            if (slot >= 0)
                bad(fmt::format("'{}' and '{}' both give the {}", layout.columns[static_cast<std::size_t>(slot)].name,
                                name, role));
            if (type[0] != want_type || count != want_count)
                bad(fmt::format("'{}' must be {}:{}:{}, found {}:{}:{}", name, name, want_type, want_count,
                                name, type, count));
            slot = index;
        };
        if (name == "species" || name == "symbols") claim(layout.species, 'S', 1, "species");
        else if (name == "Z" || name == "numbers") claim(layout.numbers, 'I', 1, "atomic numbers");
        else if (name == "pos" || name == "positions") claim(layout.positions, 'R', 3, "positions");
        else if (name == "forces") claim(layout.forces, 'R', 3, "forces");
        else if (name == "energies") claim(layout.energies, 'R', 1, "per-atom energies");
        else {
            for (int j = 0; j < index; ++j)
                if (layout.columns[static_cast<std::size_t>(j)].name == name) bad(fmt::format("'{}' appears twice", name));
        }
    }
    if (layout.positions < 0) bad("no 'pos:R:3' column");
    if (layout.species < 0 && layout.numbers < 0) bad("no 'species:S:1' (or 'Z:I:1') column");
    return layout;
}

// Lines of the input with their 1-based numbers; "\r\n" reads as "\n", as in Python text mode.
class LineSource {
public:
    explicit LineSource(std::istream& in) : in_(in) {}

    bool next(std::string& line) {
        if (!std::getline(in_, line)) return false;
        ++number_;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return true;
    }
    [[nodiscard]] int number() const { return number_; }

private:
    std::istream& in_;
    int number_ = 0;
};

std::string describe(const Layout& layout) {
    std::vector<std::string> parts;
    for (const auto& c : layout.columns) parts.push_back(fmt::format("{}:{}:{}", c.name, c.type, c.count));
    return fmt::format("{}", fmt::join(parts, ":"));
}

XyzFrame read_frame(LineSource& lines, std::int64_t natoms, const Context& ctx) {
    XyzFrame frame;
    std::string line;
    if (!lines.next(line))
        ctx.fail(lines.number() + 1, 0,
                 "expected the comment line after the atom count, found the end of the file");
    const int comment_line = lines.number();

    std::string properties = "species:S:1:pos:R:3";  // plain XYZ
    for (auto& [key, value] : split_comment(line, ctx, comment_line)) {
        if (key == "Properties") {
            properties = std::move(value);
        } else if (key == "energy") {
            double e = 0.0;
            if (!parse_real(value, e))
                ctx.fail(comment_line, 0, fmt::format("energy '{}' is not a number", value));
            frame.energy = e;
        } else {
            frame.info.emplace_back(std::move(key), std::move(value));
        }
    }
    const Layout layout = parse_properties(properties, ctx, comment_line);
    const auto column_of = [&](int index) { return layout.columns[static_cast<std::size_t>(index)]; };

    const auto n = static_cast<Eigen::Index>(natoms);
    std::vector<double> positions, forces, energies;
    std::vector<Species> species;
    const int first_atom_line = lines.number() + 1;
    for (Eigen::Index i = 0; i < n; ++i) {
        if (!lines.next(line))
            ctx.fail(lines.number() + 1, 0,
                     fmt::format("the file ends after {} of {} atom lines (expected lines {}-{})", i, natoms,
                                 first_atom_line, first_atom_line + natoms - 1));
        const int number = lines.number();
        const auto tokens = split_fields(line);
        if (static_cast<int>(tokens.size()) < layout.fields)
            ctx.fail(number, 0, fmt::format("atom {} has {} fields, expected {} ({})", i + 1, tokens.size(),
                                            layout.fields, describe(layout)));

        const auto read_reals = [&](int index, std::vector<double>& out) {
            const Column c = column_of(index);
            for (int k = 0; k < c.count; ++k) {
                const Token& t = tokens[static_cast<std::size_t>(c.first + k)];
                double v = 0.0;
                if (!parse_real(t.text, v))
                    ctx.fail(number, t.column,
                             fmt::format("expected a real number in column '{}', found '{}'", c.name, t.text));
                out.push_back(v);
            }
        };
        read_reals(layout.positions, positions);
        if (layout.forces >= 0) read_reals(layout.forces, forces);
        if (layout.energies >= 0) read_reals(layout.energies, energies);

        // ASE lets Z override species when both are given; we do the same.
        if (layout.numbers >= 0) {
            const Token& t = tokens[static_cast<std::size_t>(column_of(layout.numbers).first)];
            std::int64_t z = 0;
            if (!parse_integer(t.text, z))
                ctx.fail(number, t.column, fmt::format("expected an atomic number, found '{}'", t.text));
            if (z < 1 || z > max_atomic_number)
                ctx.fail(number, t.column,
                         fmt::format("atomic number {} is outside the element table (1-{})", z, max_atomic_number));
            species.push_back(static_cast<Species>(z));
        } else {
            const Token& t = tokens[static_cast<std::size_t>(column_of(layout.species).first)];
            try {
                species.push_back(species_from_symbol(capitalize(t.text)));
            } catch (const InputError& e) {
                ctx.fail(number, t.column, e.what());
            }
        }
    }

    frame.cluster.species = std::move(species);
    frame.cluster.positions = Eigen::Map<const Eigen::Matrix3Xd>(positions.data(), 3, n);
    if (layout.forces >= 0) frame.forces = Eigen::Map<const Eigen::Matrix3Xd>(forces.data(), 3, n);
    if (layout.energies >= 0) frame.atom_energies = Eigen::Map<const Eigen::VectorXd>(energies.data(), n);
    return frame;
}

// Python's repr of a float: fmt's shortest round-trip digits, plus ".0" on integral values so
// they still look (and, on ASE's comment line, parse) like reals.
std::string format_real(double value) {
    std::string text = fmt::format("{}", value);
    if (text.find_first_not_of("-0123456789") == std::string::npos) text += ".0";
    return text;
}

// Key or value of a comment-line pair, quoted when ASE's reader would otherwise split or
// unquote it.
std::string quote_if_needed(const std::string& text, std::string_view what) {
    if (text.empty()) throw Error(fmt::format("{} is empty, which extended XYZ cannot represent", what));
    if (text.find_first_of("\n\r") != std::string::npos)
        throw Error(fmt::format("{} '{}' contains a line break", what, text));
    const bool plain = std::none_of(text.begin(), text.end(), [](char c) {
        return is_space(c) || std::string_view("\"'{}[]\\=").find(c) != std::string_view::npos;
    });
    if (plain) return text;
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
    return out;
}

void append_frame(std::string& out, const XyzFrame& frame) {
    const Cluster& cluster = frame.cluster;
    const auto n = static_cast<Eigen::Index>(cluster.size());
    if (cluster.positions.cols() != n)
        throw Error(fmt::format("the cluster has {} positions but {} species", cluster.positions.cols(), n));
    if (frame.forces && frame.forces->cols() != n)
        throw Error(fmt::format("{} atoms but {} force vectors", n, frame.forces->cols()));
    if (frame.atom_energies && frame.atom_energies->size() != n)
        throw Error(fmt::format("{} atoms but {} per-atom energies", n, frame.atom_energies->size()));

    std::vector<std::string> symbols;
    std::size_t symbol_width = 2;
    for (Eigen::Index i = 0; i < n; ++i) {
        const Species z = cluster.species[static_cast<std::size_t>(i)];
        if (z < 1 || z > max_atomic_number) throw Error(fmt::format("atom {} has invalid species {}", i + 1, z));
        symbols.push_back(symbol(z));
        symbol_width = std::max(symbol_width, symbols.back().size());
    }

    // All numbers of the frame share one width, so columns line up however long the shortest
    // round-trip representation of each number is.
    const int per_atom = 3 + (frame.forces ? 3 : 0) + (frame.atom_energies ? 1 : 0);
    std::vector<std::string> numbers;
    numbers.reserve(static_cast<std::size_t>(n * per_atom));
    std::size_t width = 1;
    for (Eigen::Index i = 0; i < n; ++i) {
        for (int k = 0; k < 3; ++k) numbers.push_back(format_real(cluster.positions(k, i)));
        if (frame.forces)
            for (int k = 0; k < 3; ++k) numbers.push_back(format_real((*frame.forces)(k, i)));
        if (frame.atom_energies) numbers.push_back(format_real((*frame.atom_energies)(i)));
    }
    for (const auto& s : numbers) width = std::max(width, s.size());

    fmt::format_to(std::back_inserter(out), "{}\nProperties=species:S:1:pos:R:3{}{}", n,
                   frame.forces ? ":forces:R:3" : "", frame.atom_energies ? ":energies:R:1" : "");
    if (frame.energy) fmt::format_to(std::back_inserter(out), " energy={}", format_real(*frame.energy));
    bool has_pbc = false;
    for (const auto& [key, value] : frame.info) {
        // Properties and energy are generated from the frame's own fields above.
        if (key == "Properties" || key == "energy") continue;
        has_pbc = has_pbc || key == "pbc";
        fmt::format_to(std::back_inserter(out), " {}={}", quote_if_needed(key, "an info key"),
                       quote_if_needed(value, fmt::format("the value of info key '{}'", key)));
    }
    // ASE always writes pbc; a cluster is periodic in no direction.
    if (!has_pbc) out += " pbc=\"F F F\"";
    out += '\n';

    for (Eigen::Index i = 0; i < n; ++i) {
        fmt::format_to(std::back_inserter(out), "{:<{}}", symbols[static_cast<std::size_t>(i)], symbol_width);
        for (int k = 0; k < per_atom; ++k)
            fmt::format_to(std::back_inserter(out), " {:>{}}", numbers[static_cast<std::size_t>(i * per_atom + k)],
                           width);
        out += '\n';
    }
}

std::string errno_text(int error) { return std::generic_category().message(error); }

}  // namespace

std::vector<XyzFrame> read_xyz(std::istream& in, const std::string& name) {
    std::vector<XyzFrame> frames;
    LineSource lines(in);
    std::string line;
    while (lines.next(line)) {
        Context ctx{name, static_cast<int>(frames.size()) + 1};
        const std::string_view header = trim(line);
        if (header.empty()) {
            // Blank lines may end the file. ASE stops reading at the first blank header and
            // silently drops whatever follows; we refuse rather than lose frames.
            const int blank = lines.number();
            while (lines.next(line))
                if (!trim(line).empty())
                    ctx.fail(blank, 0, fmt::format("expected the atom count, found a blank line (more "
                                                   "data follows on line {}; blank lines are allowed "
                                                   "only at the end of the file)", lines.number()));
            break;
        }
        std::int64_t natoms = 0;
        if (!parse_integer(header, natoms))
            ctx.fail(lines.number(), 0, fmt::format("expected the number of atoms, found '{}'", header));
        if (natoms < 0)
            ctx.fail(lines.number(), 0, fmt::format("the number of atoms must not be negative, found {}", natoms));
        frames.push_back(read_frame(lines, natoms, ctx));
    }
    if (in.bad()) throw InputError(fmt::format("cannot read {}: input/output error", name));
    return frames;
}

std::vector<XyzFrame> read_xyz(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw InputError(fmt::format("cannot read {}: {}", path, errno_text(EISDIR)));
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        const int error = errno;
        throw InputError(fmt::format("cannot read {}: {}", path, errno_text(error)));
    }
    return read_xyz(in, path);
}

void write_xyz(std::ostream& out, const XyzFrame& frame) {
    std::string text;
    append_frame(text, frame);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!out) throw Error("cannot write an XYZ frame: the stream is in a failed state");
}

void write_xyz(const std::string& path, const std::vector<XyzFrame>& frames, bool append) {
    // Format everything first: a bad frame then leaves the file untouched, and an append is
    // a single write.
    std::string text;
    for (std::size_t i = 0; i < frames.size(); ++i) {
        try {
            append_frame(text, frames[i]);
        } catch (const Error& e) {
            throw Error(fmt::format("cannot write {}: frame {}: {}", path, i + 1, e.what()));
        }
    }

    const auto write_all = [&](const std::string& target, std::ios::openmode mode) {
        std::ofstream out(target, std::ios::binary | mode);
        if (!out) {
            const int error = errno;
            throw Error(fmt::format("cannot write {}: {}", path, errno_text(error)));
        }
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        out.close();
        if (!out) {
            const int error = errno;
            throw Error(fmt::format("cannot write {}: {}", path, errno_text(error)));
        }
    };
    if (append) {
        write_all(path, std::ios::app);
        return;
    }
    const std::string temporary = fmt::format("{}.tmp", path);
    std::error_code ec;
    try {
        write_all(temporary, std::ios::trunc);
    } catch (const Error&) {
        std::filesystem::remove(temporary, ec);
        throw;
    }
    std::filesystem::rename(temporary, path, ec);
    if (ec) {
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        throw Error(fmt::format("cannot write {}: {}", path, ec.message()));
    }
}

long xyz_frame_length(std::string_view text) {
    std::size_t pos = 0;
    const auto next_line = [&](std::string_view& line) {
        const auto eol = text.find('\n', pos);
        if (eol == std::string_view::npos) return false;
        line = text.substr(pos, eol - pos);
        pos = eol + 1;
        return true;
    };
    std::string_view line;
    if (!next_line(line)) {
        // A first line in progress must be digits (with blanks around) to become a count.
        for (char c : text)
            if (!std::isdigit(static_cast<unsigned char>(c)) && !std::isspace(static_cast<unsigned char>(c))) return -1;
        return 0;
    }
    std::size_t start = line.find_first_not_of(" \t\r");
    std::size_t end = line.find_last_not_of(" \t\r");
    if (start == std::string_view::npos) return -1;
    long count = 0;
    for (std::size_t i = start; i <= end; ++i) {
        if (!std::isdigit(static_cast<unsigned char>(line[i]))) return -1;
        count = count * 10 + (line[i] - '0');
        if (count > 100000000) return -1;
    }
    for (long i = 0; i < count + 1; ++i)
        if (!next_line(line)) return 0;
    return static_cast<long>(pos);
}

}  // namespace nanoscape
