"""Notebook 00: train a teacher, distil a student from (a) the original data and (b) Gaussian noise."""
from __future__ import annotations

import pandas as pd

from kdnb.engine import Schedule
from kdnb.methods import KDRun, TeacherRun, Transfer, params
from kdnb.recipes.rows import Row, configs_of, run_rows
from kdnb.runs import Context

# smoke: scikit-learn's digits (1,437 train images, 28×28) — seconds on a CPU.
# lab:   MNIST from data_root, LeNet-5 → LeNet-5-half, a few epochs — CPU minutes.
# paper: the same pair at a full schedule (the quickstart reproduces no table; this is the long version).
SCALE = {
    "smoke": dict(dataset="digits", teacher_epochs=10, kd_epochs=15, transfer=1400, batch=64, lr=0.05),
    "lab": dict(dataset="mnist", teacher_epochs=5, kd_epochs=5, transfer=20_000, batch=128, lr=0.05),
    "paper": dict(dataset="mnist", teacher_epochs=30, kd_epochs=50, transfer=60_000, batch=256, lr=0.05),
}


def teacher(scale: str, seed: int = 0) -> TeacherRun:
    s = SCALE[scale]
    return TeacherRun(s["dataset"], "lenet5", Schedule(epochs=s["teacher_epochs"], batch_size=s["batch"],
                                                         lr=s["lr"], augment="none"), seed=seed)


def distillation(scale: str, source: str, seed: int = 0) -> KDRun:
    """source 'original' (the teacher's own training images) or 'noise' (Gaussian, the data's mean/std)."""
    s = SCALE[scale]
    t = teacher(scale, seed)
    if source == "original":
        transfer = Transfer(f"dataset:{s['dataset']}", min(s["transfer"], 60_000), seed=seed)
    elif source == "noise":
        mean, std = (0.1307,), (0.3081,)  # MNIST's statistics (digits' are close: 0.22, 0.31); paper A §3.2
        transfer = Transfer("gaussian_noise", s["transfer"], source_params=params(mean=mean, std=std), seed=seed)
    else:
        raise ValueError(f"source must be 'original' or 'noise', got {source!r}")
    # Students train with Adam (3e-3, cosine). SGD at lr 0.05 with momentum 0.9 sat on a knife edge here: with
    # τ = 4 the KD gradient is τ times a cross-entropy's, and one seed × thread count collapsed the student to
    # chance on another CPU. tools/check_smoke.py shows the spread over seeds and thread counts.
    return KDRun(t, "lenet5_half", transfer,
                 Schedule(epochs=s["kd_epochs"], batch_size=s["batch"], lr=3e-3, momentum=0.0, weight_decay=0.0,
                          optimizer="adam", augment="standard", mixup=True),
                 temperature=4.0, seed=seed)


TRANSFER_SOURCES = ("original", "noise")


def quickstart_rows(scale: str, seed: int = 0) -> list[Row]:
    """The teacher, then one student per transfer source (records named 'teacher', 'original', 'noise')."""
    return [Row({"model": "teacher (LeNet-5)"}, teacher(scale, seed), key="teacher")] + [
        Row({"model": "student (LeNet-5-half)"}, distillation(scale, source, seed), key=source) for source in TRANSFER_SOURCES]


def _describe(row: Row, m: dict) -> dict:
    if row.key == "teacher":
        trained_on = row.config.dataset
    else:
        trained_on = f"KD · {row.key} ({m.get('transfer', {}).get('size', row.config.transfer.n)} images)"
    return {"trained on": trained_on, "test accuracy (%)": m.get("test_acc")}


def run_quickstart(scale: str, ctx: Context, seed: int = 0) -> tuple[pd.DataFrame, dict]:
    """Teacher, then both students. Returns the accuracy table and the records (for curves and histograms)."""
    return run_rows(quickstart_rows(scale, seed), ctx, _describe)


def configs(scale: str, seed: int = 0) -> list:
    """The runs notebook 00 executes at ``scale``: the teacher and both students."""
    return configs_of(quickstart_rows(scale, seed))


# Notebook (file stem) → the runs it executes: what ``python -m kdnb plan`` lists per notebook.
NOTEBOOKS = {"00_quickstart": configs}
