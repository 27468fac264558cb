"""Paper B's noise rows under the ZSKD reading (issue #12, part 1): an epoch sweep, and the readings table.

Paper B gives no schedule; the same authors' ZSKD code (official-code-notes §B) does: T²·soft-CE at T = 20,
Adam 1e-3 constant, batch 64, 500 epochs by default, 32×32 LeNet-5 inputs in [0, 1] without normalisation, and an
offline expansion of every mini-batch (106 copies per image) relabelled by the teacher. The sweep: uniform noise at
N = 5,000 (lab), unbalanced and balanced (Algorithm 1), without and with the expansion, read at 30 / 100 / 300 /
500 epochs.

**One run per (augmentation, balance, seed), read at every epoch.** The learning rate is constant and the data
order is drawn epoch by epoch from the run's seed, so the first E epochs of a 500-epoch run ARE the E-epoch run
(``tests/test_zskd.py`` checks this on the engine). Each run evaluates after every epoch (ZSKD does), and a cell
at E epochs reads the run's curve: ``accuracy_best`` = the best test accuracy over epochs 1…E (what ZSKD
reports, chosen on the test set), ``accuracy_last`` = the accuracy after epoch E.

Run kinds: without augmentation ``BKDRun`` (soft-CE at τ = 20; without ZSKD's constant factor T², which under Adam
only divides ε by 400), with it ``ZSKDRun(expand=True)`` (ZSKD's loss and expansion, one step per expanded
mini-batch). The teacher is paper B's raw-pixel LeNet-5 at 32 px (``zskd_teacher``).

What each scale runs (``RUNS``: reading → seed → epochs of its one run):

* smoke: the digits stand-in teacher, N = 128, seconds.
* lab (CPU, measured on the 2-core lab machine): without augmentation ≈ 2 s per epoch of 5,000 images with its test
  pass, so seed 0 runs all 500 epochs (≈ 17 CPU-min per balance) and seeds 1, 2 run 100 (the 30- and 100-epoch
  cells have three seeds, 300 and 500 one). With the expansion one epoch is 78 steps of 6,784 images, ≈ 2.6 s per
  step (≈ 3.4 CPU-min per epoch): seed 0 runs 3 epochs; 30 epochs would be ≈ 1.7 CPU-hours per cell, so the
  30…500-epoch cells with the expansion are not run on a CPU (they are minutes on a GPU).
* paper: N = 60,000 (the teacher's training-set size, §4.1), 500 epochs, three seeds, both readings — GPU.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from kdnb.engine import Schedule
from kdnb.methods import BKDRun, ZSKDRun
from kdnb.recipes import paper_b
from kdnb.recipes.rows import Row, run_rows
from kdnb.runs import Context

EPOCHS = (30, 100, 300, 500)
TARGETS = ("MNIST", "FMNIST")
TEMPERATURE = 20.0
AUGMENTATIONS = ("none", "zskd")
N = {"smoke": 128, "lab": 5_000, "paper": 60_000}
RUNS = {
    "smoke": {"none": {0: 4, 1: 4, 2: 4}, "zskd": {0: 1}},
    "lab": {"none": {0: 500, 1: 100, 2: 100}, "zskd": {0: 3}},
    "paper": {"none": {0: 500, 1: 500, 2: 500}, "zskd": {0: 500, 1: 500, 2: 500}},
}
NOT_RUN = {"smoke": "not run at smoke", "lab": "not run on a CPU (see kdnb.recipes.zskd: GPU minutes, CPU hours)",
           "paper": "not run"}


def _check(scale: str):
    if scale not in RUNS:
        raise ValueError(f"scale must be one of {tuple(RUNS)}, got {scale!r}")
    return RUNS[scale]


def zskd_teacher(target: str = "MNIST", size: int | None = 32, scale: str = "lab"):
    """Paper B's teacher of ``target`` on raw [0, 1] pixels (paper B's ``zskd`` reading), at ``size`` px."""
    t = paper_b.teacher(scale, target, reading="zskd")
    return t if size is None else replace(t, size=size)


def zskd_schedule(epochs: int, batch_size: int = 64) -> Schedule:
    """ZSKD's student optimisation: Adam 1e-3, constant, batch 64, no weight decay, no kdnb augmentation."""
    return Schedule(epochs=epochs, batch_size=batch_size, lr=1e-3, momentum=0.0, weight_decay=0.0, optimizer="adam",
                    cosine=False, augment="none", mixup=False)


def sweep_config(target: str, balanced: bool, augment: bool, epochs: int, seed: int = 0, scale: str = "lab",
                 n: int | None = None, size: int | None = 32):
    """One run of the sweep: ``BKDRun`` without the expansion, ``ZSKDRun(expand=True)`` with it; evaluated every
    epoch."""
    transfer, _ = paper_b.arbitrary_set(scale, target, "noise", balanced, seed, reading="zskd")
    transfer = replace(transfer, teacher=zskd_teacher(target, size, scale), n=n or N[scale])
    student = paper_b.student_of(target)
    if augment:
        return ZSKDRun(transfer, student, zskd_schedule(epochs), TEMPERATURE, expand=True, seed=seed, eval_every=1)
    return BKDRun(transfer, student, zskd_schedule(epochs), temperature=TEMPERATURE, seed=seed, eval_every=1)


def sweep_rows(scale: str, targets=TARGETS) -> list[Row]:
    """One row per run (key: (target, augmentation, balanced, seed)); FashionMNIST rows run wherever its data is
    on disk and are ``missing: …`` rows elsewhere."""
    rows = []
    for t in targets:
        for aug in AUGMENTATIONS:
            for bal in (False, True):
                for seed, epochs in _check(scale)[aug].items():
                    labels = {"target_dataset": t, "transfer_set": "Random Noise", "augmentation": aug,
                              "balanced": bal, "seed": seed, "run_epochs": epochs, "n": N[scale]}
                    rows.append(Row(labels, sweep_config(t, bal, aug == "zskd", epochs, seed, scale),
                                    key=(t, aug, bal, seed)))
    return rows


def cell_epochs(scale: str) -> tuple[int, ...]:
    """The epochs the table reads: the paper's sweep and every run's own length."""
    lengths = {e for by_seed in _check(scale).values() for e in by_seed.values()}
    return tuple(sorted(set(EPOCHS) | lengths))


def read_curve(curves: dict, epochs: int) -> tuple[float, float]:
    """(best over epochs 1…E, accuracy after epoch E) from a run evaluated every epoch."""
    at = dict(zip(curves["eval_epoch"], curves["test_acc"]))
    if epochs not in at:
        raise ValueError(f"the run was not evaluated after epoch {epochs} (evaluated: {sorted(at)[:5]}…)")
    return max(v for e, v in at.items() if e <= epochs), at[epochs]


def run_sweep(scale: str, ctx: Context, targets=TARGETS) -> tuple[pd.DataFrame, dict]:
    """Every run of the sweep, read at ``cell_epochs``: one row per (target, augmentation, balanced, seed, epochs)
    with ``accuracy_best`` and ``accuracy_last``; epochs beyond a run's length are not rows."""
    rows = sweep_rows(scale, targets)
    runs, recs = run_rows(rows, ctx, lambda row, m: {"teacher_accuracy": m.get("teacher_acc"),
                                                    "size": m.get("transfer", {}).get("size")})
    out = []
    for row, (_, r) in zip(rows, runs.iterrows()):
        rec = recs[row.name]
        for e in cell_epochs(scale):
            if e > row.labels["run_epochs"]:
                continue
            best, last = read_curve(rec.curves, e) if rec is not None else (np.nan, np.nan)
            out.append({**r.to_dict(), "epochs": e, "accuracy_best": best, "accuracy_last": last})
    return pd.DataFrame(out), recs


def spread(cells: pd.DataFrame) -> pd.DataFrame:
    """Mean ± std (ddof 1; NaN for one seed) over seeds of every (target, augmentation, balanced, epochs) cell,
    and a ``not run`` row for each of ``EPOCHS`` a reading did not reach."""
    keys = ["target_dataset", "augmentation", "balanced", "epochs"]
    ok = cells[cells["accuracy_best"].notna()]
    g = ok.groupby(keys, sort=True)
    out = g.agg(best_mean=("accuracy_best", "mean"), best_std=("accuracy_best", "std"),
                last_mean=("accuracy_last", "mean"), last_std=("accuracy_last", "std"),
                seeds=("seed", "nunique")).reset_index()
    status = cells.groupby(keys)["status"].agg(lambda s: "; ".join(sorted(set(v for v in s if v)))).reset_index()
    return out.merge(status, on=keys, how="right")


def paper_value(target: str, balanced: bool, augmented: bool) -> float:
    from kdnb import paper
    q = paper.quoted("B_table1")
    q = q[(q["transfer_set"] == "Random Noise") & (q["target_dataset"] == target) & (q["balanced"] == balanced)
          & (q["augmentation"] == augmented)]
    return float(q["accuracy"].iloc[0]) if len(q) else np.nan


def readings_table(summary: pd.DataFrame, scale: str, extra: pd.DataFrame | None = None,
                   value: str = "best") -> pd.DataFrame:
    """One row per reading (augmentation × epochs, plus ``extra`` readings in the same long form), four cells
    (MNIST / FMNIST × unbalanced / balanced) as mean ± std over seeds beside the paper's, each cell's Δ = ours −
    paper, and ``mean |Δ|`` over the cells that ran. A reading with the ZSKD expansion is compared with the paper's
    rows *with* augmentation (§4.2), one without with the rows without it.

    ``summary``: ``spread``'s frame, or any frame with columns reading, target_dataset, balanced, augmented,
    mean, std, seeds, status (``extra``).
    """
    long = summary.assign(reading=[f"ZSKD, {'with' if a == 'zskd' else 'no'} augmentation, {e} epochs"
                                   for a, e in zip(summary["augmentation"], summary["epochs"])],
                          augmented=summary["augmentation"] == "zskd",
                          mean=summary[f"{value}_mean"], std=summary[f"{value}_std"])
    long = long[["reading", "target_dataset", "balanced", "augmented", "mean", "std", "seeds", "status"]]
    if extra is not None and len(extra):
        long = pd.concat([extra[long.columns], long], ignore_index=True)
    rows = []
    for reading, g in long.groupby("reading", sort=False):
        row = {"reading": reading, "augmented": bool(g["augmented"].iloc[0])}
        deltas = []
        for t in TARGETS:
            for bal in (False, True):
                col = f"{t} {'balanced' if bal else 'unbalanced'}"
                c = g[(g["target_dataset"] == t) & (g["balanced"] == bal)]
                p = paper_value(t, bal, row["augmented"])
                if len(c) and np.isfinite(c["mean"].iloc[0]):
                    m, s, k = c["mean"].iloc[0], c["std"].iloc[0], int(c["seeds"].iloc[0])
                    row[col] = f"{m:.1f} ± {s:.1f} ({k})" if k > 1 else f"{m:.1f} (1)"
                    row[f"{col} Δ"] = m - p
                    deltas.append(abs(m - p))
                else:
                    row[col] = (c["status"].iloc[0] if len(c) and c["status"].iloc[0] else "not run") or "not run"
                    row[f"{col} Δ"] = np.nan
                row[f"{col} paper"] = p
        row["cells run"] = len(deltas)
        row["mean |Δ|"] = float(np.mean(deltas)) if deltas else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def closest(table: pd.DataFrame) -> pd.Series:
    """The reading with the smallest mean |Δ| over the cells it ran."""
    ran = table[table["cells run"] > 0]
    return ran.loc[ran["mean |Δ|"].idxmin()]


__all__ = ["AUGMENTATIONS", "EPOCHS", "N", "RUNS", "TARGETS", "cell_epochs", "closest", "paper_value",
           "read_curve", "readings_table", "run_sweep", "spread", "sweep_config", "sweep_rows", "zskd_schedule",
           "zskd_teacher"]
