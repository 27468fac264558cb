"""Distillation through a transfer set: a pool of candidates, a selection rule, then KD from a frozen teacher.

``Transfer`` describes the set (source, size, rule), ``KDRun`` distils a student through it (paper A §3.4 /
Hinton KD), ``HistogramRun`` only measures the teacher's class histogram on the raw candidates (paper A
Table 3). All are frozen configs run by ``kdnb.runs.run``; notebooks build configs and never train by hand.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from kdnb.data import DATASETS, load_dataset
from kdnb.config import require
from kdnb.engine import Schedule, accuracy, fit, predict
from kdnb.methods.common import classifier_metrics, eval_every, make_model, trained_teacher
from kdnb.methods.teacher import TeacherRun
from kdnb.models import MODELS
from kdnb.objectives import check_kd, kd_objective
from kdnb.runs import EXPERIMENTS, Context, RunFolder, cached_tensor
from kdnb.selection import SELECTORS, class_counts, relative_entropy
from kdnb.sources import SOURCES


def check_source(owner: str, source: str) -> None:
    """A transfer source names a registered synthetic source or ``dataset:<registered dataset>``."""
    if source.startswith("dataset:"):
        name = source.split(":", 1)[1]
        require(name in DATASETS, owner, "source", source, f"'dataset:<name>' with a name among {DATASETS.names()}")
    else:
        require(source in SOURCES, owner, "source", source,
                f"a source among {SOURCES.names()} or 'dataset:<registered dataset>'")


@dataclass(frozen=True)
class Transfer:
    """A transfer set: ``pool`` candidates from ``source``, then ``select`` keeps ``n`` of them.

    source: a synthetic source registered in ``kdnb.sources`` ('gaussian_noise', 'leaves', 'shaders', ...)
            or ``dataset:<name>`` for a registered dataset's training images (labels ignored).
    pool:   how many candidates to draw (default n).
    """

    source: str
    n: int
    pool: int | None = None
    select: str = "first"
    source_params: tuple = ()
    select_params: tuple = ()
    seed: int = 0

    def __post_init__(self):
        check_source("Transfer", self.source)
        require(isinstance(self.n, int) and self.n >= 1, "Transfer", "n", self.n, "an integer ≥ 1")
        require(self.pool is None or self.pool >= self.n, "Transfer", "pool", self.pool, f"None or ≥ n={self.n}")
        require(self.select in SELECTORS, "Transfer", "select", self.select, f"one of {SELECTORS.names()}")


@dataclass(frozen=True)
class KDRun:
    """Distil ``student`` from the teacher of ``teacher`` through ``transfer`` (paper A §3.4 / Hinton KD)."""

    teacher: TeacherRun
    student: str
    transfer: Transfer
    schedule: Schedule = Schedule(augment="standard", mixup=True)
    temperature: float = 2.0
    targets: str = "soft"  # 'soft' | 'onehot' | 'smooth'  (paper A Table 4)
    loss: str = "kl"  # 'kl' (paper A Eq. 2) | 'soft_ce' (paper B Eq. 2)
    seed: int = 0
    eval_every: int = 0  # 0: about 20 evaluations per run

    def __post_init__(self):
        require(self.student in MODELS, "KDRun", "student", self.student, f"one of {MODELS.names()}")
        check_kd("KDRun", self.temperature, self.targets, self.loss)
        require(self.eval_every >= 0, "KDRun", "eval_every", self.eval_every, "0 (automatic) or ≥ 1")


def draw_pool(t: Transfer, count: int, channels: int, size: int, ctx: Context) -> torch.Tensor:
    """``count`` candidate images (uint8, CPU) from the transfer's source, cached by their spec."""
    spec = {"source": t.source, "count": count, "channels": channels, "size": size, "params": t.source_params,
            "seed": t.seed}

    def make():
        if t.source.startswith("dataset:"):
            d = load_dataset(t.source.split(":", 1)[1], "train", ctx.data_root, channels=channels, size=size,
                             **dict(t.source_params))
            if count > len(d):
                raise ValueError(f"{t.source} holds {len(d)} images, fewer than the {count} asked for")
            g = torch.Generator().manual_seed(t.seed)
            return d.x[torch.randperm(len(d), generator=g)[:count]]
        from kdnb.sources import render
        return render(t.source, count, size, t.seed, channels=channels, progress=None if ctx.progress else False,
                      **dict(t.source_params))

    return cached_tensor("pool", spec, make, ctx)


def build_transfer(t: Transfer, teacher, teacher_spec: dict, ctx: Context) -> tuple[torch.Tensor, dict]:
    """Draw the pool, let the teacher select ``n`` images; return them (uint8, on ctx.device) and a summary.

    The selection rule sees the teacher's logits; ``teacher_forwards`` counts the images it labelled.
    """
    pool = draw_pool(t, t.pool or t.n, teacher_spec["in_channels"], teacher_spec["image_size"], ctx).to(ctx.device)
    calls = {"forwards": 0}

    def logits_fn(x):
        calls["forwards"] += len(x)
        return predict(teacher, x)

    gen = torch.Generator(device=ctx.device).manual_seed(t.seed)
    index, info = SELECTORS[t.select](pool, logits_fn, t.n, teacher_spec["num_classes"], gen, **dict(t.select_params))
    x = pool[index]
    labels = info.pop("labels", None)  # a selector that labelled its candidates already knows these
    if labels is None:
        labels = logits_fn(x).argmax(1)
    counts = class_counts(labels, teacher_spec["num_classes"])
    summary = {"size": len(x), "pool": len(pool), "class_counts": counts, "relative_entropy": relative_entropy(counts),
               "teacher_forwards": calls["forwards"], **info}
    return x, summary


@EXPERIMENTS.register("KDRun")
def run_kd(cfg: KDRun, ctx: Context, folder: RunFolder):
    dev = ctx.device
    teacher_rec, teacher = trained_teacher(cfg.teacher, ctx)
    tspec = teacher_rec.metrics["model"]
    x, summary = build_transfer(cfg.transfer, teacher, tspec, ctx)
    test = cfg.teacher.data("test", ctx)
    xt, yt = test.x.to(dev), test.y.to(dev)
    spec = {**tspec, "arch": cfg.student}
    student = make_model(spec)
    curves = fit(student, x, kd_objective(student, teacher, cfg.temperature, cfg.targets, cfg.loss), cfg.schedule,
                 seed=cfg.seed, evaluate=lambda m: {"test_acc": accuracy(m, xt, yt)},
                 eval_every=eval_every(cfg.eval_every, cfg.schedule.epochs), checkpoint=folder.path("partial.pt"),
                 desc=f"KD {cfg.student} ← {cfg.transfer.source}", progress=ctx.progress)
    folder.save("model.pt", student.state_dict())
    folder.path("partial.pt").unlink(missing_ok=True)
    metrics = {**classifier_metrics(curves, spec["num_classes"]), "teacher_acc": teacher_rec.metrics["test_acc"],
               "transfer": summary, "model": spec}
    return metrics, curves


@dataclass(frozen=True)
class HistogramRun:
    """The teacher's class-prediction histogram of a raw candidate set and its relative entropy (paper A Table 3)."""

    teacher: TeacherRun
    transfer: Transfer
    seed: int = 0


@EXPERIMENTS.register("HistogramRun")
def run_histogram(cfg: HistogramRun, ctx: Context, folder: RunFolder):
    teacher_rec, model = trained_teacher(cfg.teacher, ctx)
    _, summary = build_transfer(cfg.transfer, model, teacher_rec.metrics["model"], ctx)
    return {"class_counts": summary["class_counts"], "relative_entropy": summary["relative_entropy"],
            "size": summary["size"], "teacher_acc": teacher_rec.metrics["test_acc"]}, {}


__all__ = ["Transfer", "KDRun", "HistogramRun", "draw_pool", "build_transfer"]
