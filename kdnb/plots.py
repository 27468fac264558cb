"""One style for every figure; figures and tables saved under ``figures/<scale>/``.

Figures: PNG (for the notebook and the README) and PDF (for papers); tables: CSV. Each figure carries a small
stamp with the scale it came from, so a smoke-scale picture is never mistaken for a paper-scale one.
"""
from __future__ import annotations

import os
from pathlib import Path

import matplotlib.pyplot as plt  # headless machines fall back to Agg by themselves
import pandas as pd

STYLE = {"figure.dpi": 110, "savefig.dpi": 150, "axes.spines.top": False, "axes.spines.right": False,
         "axes.grid": True, "grid.alpha": 0.3, "font.size": 10, "axes.titlesize": 11, "legend.frameon": False,
         "pdf.fonttype": 42, "svg.hashsalt": "kdnb", "path.simplify": True}
plt.rcParams.update(STYLE)


def figures_root() -> Path:
    """$KDNB_FIGURES, else the repository's figures/ (an editable install), else ./figures."""
    if env := os.environ.get("KDNB_FIGURES"):
        return Path(env)
    repo = Path(__file__).resolve().parent.parent
    return repo / "figures" if (repo / "pyproject.toml").exists() else Path.cwd() / "figures"


def out_dir(scale: str) -> Path:
    d = figures_root() / scale
    d.mkdir(parents=True, exist_ok=True)
    return d


def save_figure(fig, name: str, scale: str, stamp: str | None = None) -> Path:
    """Save ``fig`` as figures/<scale>/<name>.png and .pdf, stamped with the scale; returns the PNG path."""
    fig.text(0.995, 1.0, stamp or f"kdnb · scale={scale}", ha="right", va="bottom", fontsize=7, color="0.45")
    d = out_dir(scale)
    fig.savefig(d / f"{name}.png", bbox_inches="tight")
    fig.savefig(d / f"{name}.pdf", bbox_inches="tight", metadata={"CreationDate": None, "ModDate": None})
    return d / f"{name}.png"


def save_table(df: pd.DataFrame, name: str, scale: str) -> Path:
    """Save a table as figures/<scale>/<name>.csv (with a `scale` column so the file says where it came from)."""
    d = out_dir(scale)
    out = df.copy()
    if "scale" not in out.columns:
        out.insert(0, "scale", scale)
    out.to_csv(d / f"{name}.csv", index=False)
    return d / f"{name}.csv"


def image_grid(ax, x, nrow: int = 8, title: str | None = None):
    """Show uint8 images (N,C,H,W) as a grid on ``ax``."""
    import torch

    x = torch.as_tensor(x)[: nrow * max(1, (len(x) + nrow - 1) // nrow)]
    n, c, h, w = x.shape
    rows = (n + nrow - 1) // nrow
    canvas = torch.full((c, rows * (h + 1) + 1, nrow * (w + 1) + 1), 255, dtype=torch.uint8)
    for i in range(n):
        r, q = divmod(i, nrow)
        canvas[:, 1 + r * (h + 1):1 + r * (h + 1) + h, 1 + q * (w + 1):1 + q * (w + 1) + w] = x[i]
    img = canvas.permute(1, 2, 0).numpy()
    ax.imshow(img[..., 0] if c == 1 else img, cmap="gray" if c == 1 else None, vmin=0, vmax=255)
    ax.set_axis_off()
    if title:
        ax.set_title(title)


def class_histogram(ax, counts, classes=None, title: str | None = None, color="C0"):
    """A bar chart of per-class counts (e.g. the teacher-predicted labels of a transfer set)."""
    labels = classes or [str(i) for i in range(len(counts))]
    ax.bar(range(len(counts)), counts, color=color)
    ax.set_xticks(range(len(counts)), labels, rotation=0 if len(counts) <= 12 else 90, fontsize=8)
    ax.set_ylabel("images")
    if title:
        ax.set_title(title)
