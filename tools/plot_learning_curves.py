#!/usr/bin/python3
"""Plot learning curves written by `nanoscape fit --learning-curve` (learning_curve.csv).

Usage: plot_learning_curves.py OUT.png CURVE.csv [CURVE.csv ...]
One panel per file (titled by its model directory), energy MAE (meV/atom) against the number
of training structures on log-log axes, one line per selection method.
"""
import csv
import sys
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main() -> None:
    out, files = sys.argv[1], sys.argv[2:]
    fig, axes = plt.subplots(1, len(files), figsize=(5 * len(files), 4), squeeze=False)
    for ax, name in zip(axes[0], files):
        curves = defaultdict(list)
        with open(name) as f:
            for row in csv.DictReader(f):
                curves[row["method"]].append((int(row["n_train"]), 1e3 * float(row["energy_mae_per_atom"])))
        for method, points in curves.items():
            points.sort()
            ax.plot([p[0] for p in points], [p[1] for p in points], "o-", label=method)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("training structures")
        ax.set_ylabel("energy MAE (meV/atom)")
        ax.set_title(Path(name).parent.name.replace(".model", "") + ": Pt19Au19, EMT")
        ax.axhline(5.0, color="grey", lw=0.8, ls="--")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
