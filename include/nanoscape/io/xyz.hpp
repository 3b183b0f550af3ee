#pragma once
/// @file Extended XYZ, read and written exactly as ASE (ase.io.extxyz) does.
///
/// Comment line: `Properties=species:S:1:pos:R:3[:forces:R:3][:energies:R:1] energy=-1.5 pbc="F F F"`
/// plus any other key=value pairs. Plain XYZ (no Properties) reads as species + positions.
///
/// Reading follows ASE 3.22 (`ase.io.extxyz.read_xyz`, `key_val_str_to_dict`):
/// - comment line: whitespace-separated `key=value` pairs; values may be grouped with "...",
///   '...', {...} or [...]; `\` escapes the next character; a key without `=` is a flag with
///   value "T"; a repeated key keeps its first position and its last value;
/// - column aliases `pos`/`positions`, `species`/`symbols`, `Z`/`numbers`; when both species
///   and Z are given, Z wins (as in ASE); symbols are capitalised ("PT" reads as Pt); forces
///   are only the column `forces` (ASE 3.22 has no `force` alias), per-atom energies only
///   `energies`; other columns are skipped, as are fields beyond the declared ones;
/// - an empty file has no frames; blank lines may end the file. Stricter than ASE: a blank
///   line followed by more data (ASE silently stops there) and a Properties value that is not
///   whole name:type:count triplets are errors.
/// Writing: info keys `Properties` and `energy` are ignored (the columns and
/// XyzFrame::energy own them); `pbc="F F F"` is added unless info has `pbc`; an empty info
/// value or one with a line break cannot be represented and throws Error.

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "nanoscape/geometry/cluster.hpp"

namespace nanoscape {

/// One frame of an (extended) XYZ file.
struct XyzFrame {
    Cluster cluster;                              ///< species and positions (Angstrom)
    std::optional<double> energy;                 ///< `energy=` of the comment line, eV
    std::optional<Eigen::Matrix3Xd> forces;       ///< `forces:R:3` column, eV/Angstrom
    std::optional<Eigen::VectorXd> atom_energies; ///< `energies:R:1` column, eV
    /// Other key=value pairs of the comment line, in order, values as text without quotes
    /// (Lattice and pbc of periodic files included; nanoscape treats every frame as a cluster).
    std::vector<std::pair<std::string, std::string>> info;

    /// Value of an info key, if present.
    [[nodiscard]] std::optional<std::string> find_info(const std::string& key) const;
    /// Sets (or replaces) an info key.
    void set_info(const std::string& key, const std::string& value);
};

/// Reads every frame of `path`. Throws InputError naming the file, frame (1-based) and line
/// (1-based) of anything malformed: bad atom count, missing columns, unparsable numbers,
/// unknown elements, a truncated last frame. Unknown per-atom columns are skipped.
[[nodiscard]] std::vector<XyzFrame> read_xyz(const std::string& path);

/// Same, from a stream; `name` is used in messages.
[[nodiscard]] std::vector<XyzFrame> read_xyz(std::istream& in, const std::string& name);

/// Writes frames to `path`. The file is written to a temporary name and renamed, so an
/// existing file is never left half-written. With `append` the frames are added at the end.
void write_xyz(const std::string& path, const std::vector<XyzFrame>& frames, bool append = false);

/// Length (bytes) of the first complete frame at the start of `text`: its count line, comment
/// line and that many atom lines, each ended by a newline. 0 if the text is a frame still
/// incomplete, -1 if it cannot start one (the first line is not a count).
[[nodiscard]] long xyz_frame_length(std::string_view text);

/// Writes one frame to a stream. Floats use the shortest representation that reads back to
/// the same double, so a round trip through nanoscape or ASE is exact.
void write_xyz(std::ostream& out, const XyzFrame& frame);

}  // namespace nanoscape
