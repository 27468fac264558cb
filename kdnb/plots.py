"""One style for every figure; figures and tables saved under ``figures/<scale>/``.

Figures: PNG (for the notebook and the README) and PDF (for papers); tables: CSV. Each figure carries a small
stamp with the scale it came from, so a smoke-scale picture is never mistaken for a paper-scale one.

A result is never replaced silently by a less complete one. ``figures/<scale>/.missing.json`` records, for each
saved name, how many runs its notebook could not make for lack of data (``kdnb.runs.missing_met``). A notebook
that met more missing data than the one that wrote the file on disk writes ``<name>.incomplete.<ext>`` beside it
instead, and says so in one line. When ``$KDNB_REPORT`` names a file, every save appends one JSON line to it (what
``run_all.sh`` summarises).
"""
from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import matplotlib.pyplot as plt  # headless machines fall back to Agg by themselves
import pandas as pd

from kdnb.io import atomic_write_bytes, atomic_write_text
from kdnb.runs import missing_met

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


MANIFEST = ".missing.json"


def _destination(d: Path, name: str, exts: tuple[str, ...]) -> str:
    """``name``, or ``name.incomplete`` when the files on disk came from a notebook that met less missing data."""
    manifest = d / MANIFEST
    try:
        written = json.loads(manifest.read_text()) if manifest.exists() else {}
    except (OSError, json.JSONDecodeError):
        written = {}
    now = missing_met()
    exists = any((d / f"{name}.{e}").exists() for e in exts)
    before = written[name] if name in written else _missing_rows_on_disk(d, name) if exists else 0
    kept = exists and now > before
    stem = f"{name}.incomplete" if kept else name
    if kept:
        print(f"kdnb: {name}: {now} run(s) lacked their data (the file on disk lacked {before}); "
              f"kept {d / name}.{exts[0]} and wrote {stem}.{exts[0]}", file=sys.stderr, flush=True)
    else:
        atomic_write_text(manifest, json.dumps({**written, name: now}, indent=1, sort_keys=True))
        for e in exts:
            (d / f"{name}.incomplete.{e}").unlink(missing_ok=True)
    if report := os.environ.get("KDNB_REPORT"):
        with open(report, "a") as f:
            f.write(json.dumps({"name": name, "file": str(d / f"{stem}.{exts[0]}"), "missing": now,
                                "kept_older": kept}) + "\n")
    return stem


def _missing_rows_on_disk(d: Path, name: str) -> int:
    """For files written before the manifest existed: the ``missing:`` rows of ``name``'s table, or of the table
    whose name is the longest prefix of ``name`` (a figure drawn from it); 0 if there is none."""
    tables = [p for p in d.glob("*.csv") if name.startswith(p.stem) and ".incomplete" not in p.stem]
    if not tables:
        return 0
    df = pd.read_csv(max(tables, key=lambda p: len(p.stem)), dtype=str)
    return int(df.apply(lambda col: col.str.startswith("missing:", na=False)).any(axis=1).sum())


def save_figure(fig, name: str, scale: str, stamp: str | None = None) -> Path:
    """Save ``fig`` as figures/<scale>/<name>.png and .pdf, stamped with the scale; returns the PNG path."""
    fig.text(0.995, 1.0, stamp or f"kdnb · scale={scale}", ha="right", va="bottom", fontsize=7, color="0.45")
    d = out_dir(scale)
    stem = _destination(d, name, ("png", "pdf"))
    for ext, extra in (("png", {}), ("pdf", {"metadata": {"CreationDate": None, "ModDate": None}})):
        buf = io.BytesIO()
        fig.savefig(buf, format=ext, bbox_inches="tight", **extra)
        atomic_write_bytes(d / f"{stem}.{ext}", buf.getvalue())
    return d / f"{stem}.png"


def save_table(df: pd.DataFrame, name: str, scale: str) -> Path:
    """Save a table as figures/<scale>/<name>.csv (with a `scale` column so the file says where it came from)."""
    d = out_dir(scale)
    out = df.copy()
    if "scale" not in out.columns:
        out.insert(0, "scale", scale)
    stem = _destination(d, name, ("csv",))
    atomic_write_text(d / f"{stem}.csv", out.to_csv(index=False))
    return d / f"{stem}.csv"


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
