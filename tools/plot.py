#!/usr/bin/python3
"""Plots of a nanoscape run directory (matplotlib from Debian python3-matplotlib).

    tools/plot.py RUN_DIR [--output DIR] [--format png|pdf|svg]

For a composition sweep (RUN_DIR/hull.csv):
  hull.png             excess energy against composition, the lower convex hull, its vertices
  trace.png            best energy per atom against reference evaluations, one line per composition
  hull_history.png     the hull after every k reference evaluations, and how far each snapshot
                       is from the final hull (the hull has converged when that stays at zero)
  hull_structures.png  every structure on the hull, atoms coloured by element
For a single run: trace.png (best and current energy against reference evaluations) and
best_structure.png. The pictures go to RUN_DIR/plots unless --output is given.
"""

import argparse
import csv
import json
import math
import os
import sys

import matplotlib
import numpy

matplotlib.use("Agg")  # files only: works without a display
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Circle  # noqa: E402

# Jmol colours and metallic radii (Angstrom) of the elements nanoscape's potentials cover.
COLOURS = {
    "Ag": "#c0c0c0", "Au": "#ffd123", "Cu": "#c88033", "Pt": "#d0d0e0", "Pd": "#006985", "Ni": "#50d050",
    "Co": "#f090a0", "Fe": "#e06633", "Al": "#bfa6a6", "Rh": "#0a7d8c", "Ir": "#175487", "Zn": "#7d80b0",
    "Ar": "#80d1e3", "Mg": "#8aff00", "Ti": "#bfc2c7", "Cr": "#8a99c7",
}
RADII = {"Ag": 1.44, "Au": 1.44, "Cu": 1.28, "Pt": 1.39, "Pd": 1.37, "Ni": 1.25, "Co": 1.25, "Fe": 1.26,
         "Al": 1.43, "Rh": 1.34, "Ir": 1.36, "Zn": 1.34, "Ar": 0.56, "Mg": 1.60, "Ti": 1.47, "Cr": 1.28}


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def read_xyz(path):
    """Frames of an extended XYZ file as (info dict, symbols, positions)."""
    frames = []
    with open(path) as f:
        lines = f.read().splitlines()
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        n = int(lines[i].split()[0])
        comment = lines[i + 1]
        info = parse_comment(comment)
        columns = parse_properties(info.get("Properties", "species:S:1:pos:R:3"))
        symbols, positions = [], []
        for line in lines[i + 2:i + 2 + n]:
            fields = line.split()
            symbols.append(fields[columns["species"]].capitalize())
            p = columns["pos"]
            positions.append([float(fields[p]), float(fields[p + 1]), float(fields[p + 2])])
        frames.append((info, symbols, positions))
        i += 2 + n
    return frames


def parse_comment(comment):
    info, key, value, quoted, reading_key = {}, "", "", False, True
    for ch in comment + " ":
        if quoted:
            if ch == '"':
                quoted = False
            else:
                value += ch
        elif ch == '"':
            quoted = True
        elif ch == "=" and reading_key:
            reading_key = False
        elif ch.isspace():
            if key:
                info[key] = value
            key, value, reading_key = "", "", True
        elif reading_key:
            key += ch
        else:
            value += ch
    return info


def parse_properties(text):
    parts = text.split(":")
    columns, at = {}, 0
    for k in range(0, len(parts) - 2, 3):
        columns[parts[k]] = at
        at += int(parts[k + 2])
    return columns


def cluster_extent(symbols, positions):
    """Half the side of a square that holds the cluster's picture, Angstrom."""
    xs = numpy.asarray(positions, dtype=float)
    r = numpy.linalg.norm(xs - xs.mean(axis=0), axis=1)
    return float(max(r[i] + 0.85 * RADII.get(s, 1.3) for i, s in enumerate(symbols)))


def draw_cluster(ax, symbols, positions, title=None, extent=None):
    """Atoms as shaded spheres seen along the cluster's smallest principal axis, far ones first.
    `extent` (Angstrom) fixes the scale, so several pictures can share one."""
    xs = numpy.asarray(positions, dtype=float)
    xs -= xs.mean(axis=0)
    # Principal axes of the gyration tensor, largest spread first: the picture looks along the
    # smallest, tilted a little so the layers do not hide each other.
    _, vectors = numpy.linalg.eigh(xs.T @ xs)
    e1, e2, e3 = vectors[:, 2], vectors[:, 1], vectors[:, 0]
    tilt = 0.45
    view = e3 * math.cos(tilt) + e2 * math.sin(tilt)
    up = e2 * math.cos(tilt) - e3 * math.sin(tilt)
    atoms = []
    for s, x in zip(symbols, xs):
        atoms.append((float(x @ view), float(x @ e1), float(x @ up), s))
    atoms.sort()
    depths = [a[0] for a in atoms]
    lo, hi = min(depths), max(depths)
    extent = extent or cluster_extent(symbols, positions)
    for depth, u, v, s in atoms:
        r = 0.85 * RADII.get(s, 1.3)  # a little smaller than touching, so the layer below shows
        shade = 0.55 + 0.45 * ((depth - lo) / (hi - lo) if hi > lo else 1.0)
        colour = matplotlib.colors.to_rgb(COLOURS.get(s, "#909090"))
        face = tuple(c * shade for c in colour)
        ax.add_patch(Circle((u, v), r, facecolor=face, edgecolor=tuple(c * 0.45 for c in colour), linewidth=0.6))
        ax.add_patch(Circle((u - 0.35 * r, v + 0.35 * r), 0.28 * r, facecolor=(1, 1, 1, 0.35 * shade), edgecolor="none"))
    ax.set_xlim(-extent, extent)
    ax.set_ylim(-extent, extent)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=9)


def legend_of(fig, symbols):
    handles = [plt.Line2D([], [], marker="o", linestyle="", markersize=9, markerfacecolor=COLOURS.get(s, "#909090"),
                          markeredgecolor="0.3", label=s) for s in symbols]
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False, fontsize=9)


def hull_plot(rows, elements, size, out):
    a = elements[0]
    x = [float(r[f"x_{a}"]) for r in rows]
    y = [float(r["excess_energy"]) for r in rows]
    on = [r for r in rows if r["on_hull"] == "1"]
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    ax.axhline(0.0, color="0.75", linewidth=0.8)
    ax.plot(x, y, "o", color="0.55", markersize=4, label="best found")
    ax.plot([float(r[f"x_{a}"]) for r in on], [float(r["excess_energy"]) for r in on], "-", color="C3", linewidth=1.4,
            label="convex hull")
    vertices = [r for r in on if r.get("vertex", "1") == "1"]
    ax.plot([float(r[f"x_{a}"]) for r in vertices], [float(r["excess_energy"]) for r in vertices], "o", color="C3",
            markersize=6)
    low = min(vertices, key=lambda r: float(r["excess_energy"]))
    ax.annotate(low["composition"], (float(low[f"x_{a}"]), float(low["excess_energy"])), textcoords="offset points",
                xytext=(0, -14), ha="center", fontsize=8, color="C3")
    ax.set_xlabel(f"x({a}) = n({a}) / {size}")
    ax.set_ylabel("excess energy Δ (eV)")
    ax.set_title(f"{elements[0]}-{elements[1]}, {size} atoms")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=150)
    plt.close(fig)


def sweep_trace_plot(run_dir, summary, out):
    a = summary["elements"][0]
    size = summary["size"]
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    cmap = plt.get_cmap("viridis")
    for c in summary["compositions"]:
        path = os.path.join(run_dir, "compositions", c["formula"], "trace.csv")
        if not os.path.exists(path):
            continue
        e, b = [], []
        for r in read_csv(path):
            if r["best"] not in ("nan", ""):
                e.append(int(r["reference_evaluations"]))
                b.append(float(r["best"]) / size)
        if e:
            ax.step(e, b, where="post", color=cmap(c["n"][a] / size), linewidth=0.9)
    sm = matplotlib.cm.ScalarMappable(cmap=cmap, norm=matplotlib.colors.Normalize(0, 1))
    fig.colorbar(sm, ax=ax, label=f"x({a})")
    ax.set_xscale("symlog", linthresh=10)
    ax.set_xlabel("reference evaluations (each composition)")
    ax.set_ylabel("best energy per atom (eV)")
    ax.set_title("search traces")
    fig.tight_layout()
    fig.savefig(out, dpi=150)
    plt.close(fig)


def run_trace_plot(run_dir, out):
    rows = read_csv(os.path.join(run_dir, "trace.csv"))
    e = [int(r["reference_evaluations"]) for r in rows]
    cur = [float(r["energy"]) if r["energy"] != "nan" else math.nan for r in rows]
    best = [float(r["best"]) if r["best"] != "nan" else math.nan for r in rows]
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    ax.plot(e, cur, ".", color="0.7", markersize=2, label="evaluated")
    ax.step(e, best, where="post", color="C3", label="best")
    ax.set_xlabel("reference evaluations")
    ax.set_ylabel("energy (eV)")
    finite = [b for b in best if not math.isnan(b)]
    if finite:
        spread = [c for c in cur if not math.isnan(c)]
        top = sorted(spread)[int(0.9 * (len(spread) - 1))] if spread else finite[0]
        ax.set_ylim(min(finite) - 0.05 * (top - min(finite) + 1e-9), top)
    ax.legend(frameon=False, fontsize=8)
    ax.set_title("search trace")
    fig.tight_layout()
    fig.savefig(out, dpi=150)
    plt.close(fig)


def history_plot(rows, elements, final_rows, out):
    a = elements[0]
    snapshots = {}
    for r in rows:
        snapshots.setdefault(int(r["reference_evaluations"]), []).append(r)
    if not snapshots:
        return False
    final = {int(r[f"n_{a}"]): float(r["excess_energy"]) - float(r["distance_to_hull"]) for r in final_rows}
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(6.4, 6.4), gridspec_kw={"height_ratios": [3, 2]})
    cmap = plt.get_cmap("plasma")
    keys = sorted(snapshots)
    last = keys[-1]
    changes = []
    for k in keys:
        pts = sorted(snapshots[k], key=lambda r: int(r[f"n_{a}"]))
        on = [r for r in pts if r["on_hull"] == "1"]
        top.plot([float(r[f"x_{a}"]) for r in on], [float(r["excess_energy"]) for r in on], "-",
                 color=cmap(0.9 * k / last), linewidth=1.0, alpha=0.8)
        # The largest difference between this snapshot's hull and the final one, over every
        # composition of the final hull (the snapshot's hull interpolated between its corners).
        hx = [int(r[f"n_{a}"]) for r in on]
        hy = [float(r["excess_energy"]) for r in on]
        diff = max(abs(float(numpy.interp(n, hx, hy)) - value) for n, value in final.items())
        changes.append(diff)
    sm = matplotlib.cm.ScalarMappable(cmap=cmap, norm=matplotlib.colors.Normalize(0, last / 0.9))
    fig.colorbar(sm, ax=top, label="reference evaluations")
    top.set_xlabel(f"x({a})")
    top.set_ylabel("hull of Δ (eV)")
    top.set_title("hull history")
    floor = 1e-6
    bottom.semilogy(keys, [max(c, floor) for c in changes], "o-", color="C0", markersize=3)
    bottom.set_xlabel("reference evaluations (sweep, compositions in search order)")
    bottom.set_ylabel("largest change to final hull (eV)")
    bottom.axhline(floor, color="0.8", linewidth=0.8)
    fig.tight_layout()
    fig.savefig(out, dpi=150)
    plt.close(fig)
    return True


def structures_plot(frames, out, elements):
    n = len(frames)
    cols = min(n, 5)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(2.3 * cols, 2.7 * rows + 0.6), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    extent = max(cluster_extent(symbols, positions) for _, symbols, positions in frames)  # one scale for all
    for ax, (info, symbols, positions) in zip(axes.flat, frames):
        title = info.get("composition", "")
        if "excess_energy" in info:
            title += f"\nΔ = {float(info['excess_energy']):.3f} eV"
        draw_cluster(ax, symbols, positions, title, extent)
    fig.tight_layout(rect=(0, 0.08, 1, 0.94))
    legend_of(fig, elements)
    fig.savefig(out, dpi=150)
    plt.close(fig)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run_dir")
    parser.add_argument("--output", "-o", help="directory for the pictures (default: RUN_DIR/plots)")
    parser.add_argument("--format", default="png", choices=["png", "pdf", "svg"])
    args = parser.parse_args()
    run_dir = args.run_dir
    if not os.path.isdir(run_dir):
        print(f"plot.py: {run_dir} is not a directory", file=sys.stderr)
        return 2
    out_dir = args.output or os.path.join(run_dir, "plots")
    os.makedirs(out_dir, exist_ok=True)
    written = []

    def target(name):
        path = os.path.join(out_dir, f"{name}.{args.format}")
        written.append(path)
        return path

    summary_path = os.path.join(run_dir, "summary.json")
    summary = json.load(open(summary_path)) if os.path.exists(summary_path) else {}
    hull_path = os.path.join(run_dir, "hull.csv")
    if os.path.exists(hull_path):
        rows = read_csv(hull_path)
        header = list(rows[0].keys()) if rows else []
        counted = [h[2:] for h in header if h.startswith("n_")]
        elements = summary.get("elements", counted)
        size = int(rows[0][f"n_{counted[0]}"]) + int(rows[0][f"n_{counted[1]}"]) if rows else 0
        hull_plot(rows, elements, size, target("hull"))
        if summary.get("kind") == "sweep":
            sweep_trace_plot(run_dir, summary, target("trace"))
        history = os.path.join(run_dir, "hull_history.csv")
        if os.path.exists(history):
            if not history_plot(read_csv(history), elements, rows, target("hull_history")):
                written.pop()
        structures = os.path.join(run_dir, "hull.xyz")
        if os.path.exists(structures):
            frames = read_xyz(structures)
            if frames:
                structures_plot(frames, target("hull_structures"), elements)
    elif os.path.exists(os.path.join(run_dir, "trace.csv")):
        run_trace_plot(run_dir, target("trace"))
        best = os.path.join(run_dir, "best.xyz")
        if os.path.exists(best):
            info, symbols, positions = read_xyz(best)[0]
            fig, ax = plt.subplots(figsize=(3.2, 3.4))
            draw_cluster(ax, symbols, positions, f"{summary.get('formula', '')}  E = {float(info.get('energy', 'nan')):.4f} eV")
            fig.tight_layout(rect=(0, 0.08, 1, 1))
            legend_of(fig, sorted(set(symbols)))
            fig.savefig(target("best_structure"), dpi=150)
            plt.close(fig)
    else:
        print(f"plot.py: {run_dir} has neither hull.csv nor trace.csv: is it a nanoscape run directory?", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
