"""Transfer sets composed from arbitrary unlabelled pools, and distillation through them (Nayak et al., WACV'21).

* :class:`Pool` — one unlabelled pool D_i (a noise stream, a rendered source or a dataset's images).
* :class:`ArbitrarySet` — a run kind that composes a transfer set from pools: ``balanced=True`` is Algorithm 1
  (``kdnb.selection.class_balanced``); ``balanced=False`` is the paper's unbalanced baseline, the same number of
  samples drawn at random from the first pool (the paper's "unbalanced" rows use D_1 alone: random noise,
  Clevr, SVHN).
* :class:`BKDRun` — distillation through an :class:`ArbitrarySet` with the paper's Eq. 2 (soft cross-entropy
  between teacher and student softmaxes at temperature τ, no hard-label term).

Where the paper is silent we follow the same authors' ZSKD code (official-code-notes §B): τ = 20, Adam lr 1e-3,
constant learning rate, inputs in [0, 1]; the teacher relabels every augmented image (the KD objective queries
the teacher on the augmented batch, as ZSKD's offline expansion did).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from kdnb.data import load_dataset
from kdnb.config import require
from kdnb.engine import Schedule, accuracy, fit, predict
from kdnb.methods.common import classifier_metrics, eval_every, load_model, make_model
from kdnb.methods.kd import check_source
from kdnb.models import MODELS
from kdnb.objectives import check_kd, kd_objective
from kdnb.runs import EXPERIMENTS, Context, RunFolder, cached_tensor, run
from kdnb.selection import class_counts, relative_entropy
from kdnb.selection.class_balanced import compose_balanced, random_subset
from kdnb.sources.streams import NoiseStream, TensorPool

@dataclass(frozen=True)
class Pool:
    """One unlabelled pool D_i: ``uniform_noise`` / ``gaussian_noise`` (streamed), another ``kdnb.sources`` name
    (rendered), or ``dataset:<name>`` (a registered dataset's training images, labels ignored, shuffled by seed).

    ``limit``: at most this many candidates (required for noise streams; for datasets, None = all of it).
    """

    source: str
    limit: int | None = None
    params: tuple = ()
    seed: int = 0

    def __post_init__(self):
        if self.source not in ("uniform_noise", "gaussian_noise"):
            check_source("Pool", self.source)
        require(self.limit is None or self.limit >= 1, "Pool", "limit", self.limit, "None or an integer ≥ 1")

    @property
    def label(self) -> str:
        return self.source.split(":", 1)[-1]


def open_pool(pool: Pool, channels: int, size: int, ctx: Context, *, dataset_cache: dict | None = None):
    """The pool as a stream. Raises ``DatasetMissing`` (with how to get it) for a real dataset not on disk."""
    kw = dict(pool.params)
    if pool.source in ("uniform_noise", "gaussian_noise"):
        if not pool.limit:
            raise ValueError(f"a noise pool needs a limit (how many candidates at most), got {pool.limit}")
        kind = "uniform" if pool.source == "uniform_noise" else "gaussian"
        return NoiseStream(kind, channels, size, pool.seed, pool.limit, mean=kw.get("mean", 0.5),
                           std=kw.get("std", 0.1), name=pool.source)
    if pool.source.startswith("dataset:"):
        name = pool.source.split(":", 1)[1]
        spec = {"dataset": name, "channels": channels, "size": size, "params": pool.params,
                "data_root": str(ctx.data_root)}
        x = cached_tensor("bpool", spec, lambda: load_dataset(name, "train", ctx.data_root, channels=channels,
                                                              size=size, **kw).x, ctx)
        g = torch.Generator().manual_seed(pool.seed)
        x = x[torch.randperm(len(x), generator=g)]
        return TensorPool(x[:pool.limit] if pool.limit else x, pool.label)
    from kdnb.sources import render
    if not pool.limit:
        raise ValueError(f"a rendered source pool needs a limit, got {pool.limit}")
    spec = {"source": pool.source, "count": pool.limit, "channels": channels, "size": size, "params": pool.params,
            "seed": pool.seed}
    x = cached_tensor("pool", spec, lambda: render(pool.source, pool.limit, size, pool.seed, channels=channels,
                                                   **kw), ctx)
    return TensorPool(x, pool.label)


@dataclass(frozen=True)
class ArbitrarySet:
    """A transfer set composed from arbitrary pools for the teacher of ``teacher`` (paper B §3.2, Algorithm 1).

    balanced=True: Algorithm 1 over ``pools`` in order, ⌊n/C⌋ per predicted class at most.
    balanced=False: the unbalanced baseline — random samples of the first pool; with ``match=True`` as many as
    the balanced twin achieved (equal size, the fair comparison), else ``n``.
    """

    teacher: object  # TeacherRun | BinaryTeacherRun
    pools: tuple[Pool, ...]
    n: int
    balanced: bool = True
    match: bool = True
    chunk: int = 4096
    min_chunk: int = 1

    def __post_init__(self):
        require(len(self.pools) >= 1, "ArbitrarySet", "pools", self.pools, "at least one Pool")
        require(isinstance(self.n, int) and self.n >= 1, "ArbitrarySet", "n", self.n, "an integer ≥ 1")
        require(self.chunk >= 1 and self.min_chunk >= 1, "ArbitrarySet", "chunk", (self.chunk, self.min_chunk),
                "chunk and min_chunk ≥ 1")

    def twin(self) -> "ArbitrarySet":
        return ArbitrarySet(self.teacher, self.pools, self.n, True, True, self.chunk, self.min_chunk)


def teacher_model(teacher_cfg, ctx: Context):
    rec = run(teacher_cfg, ctx)
    return rec, load_model(rec, device=ctx.device)


@EXPERIMENTS.register("ArbitrarySet")
def run_arbitrary_set(cfg: ArbitrarySet, ctx: Context, folder: RunFolder):
    trec, teacher = teacher_model(cfg.teacher, ctx)
    spec = trec.metrics["model"]
    C, ch, size = spec["num_classes"], spec["in_channels"], spec["image_size"]
    streams = [open_pool(p, ch, size, ctx) for p in cfg.pools]

    def predict_fn(x):
        return predict(teacher, x.to(ctx.device)).argmax(1)

    if cfg.balanced:
        out = compose_balanced(streams, predict_fn, cfg.n, C, chunk=cfg.chunk, min_chunk=cfg.min_chunk,
                               progress=ctx.progress)
        x, info = out.x, out.info()
    else:
        size_ = run(cfg.twin(), ctx).metrics["size"] if cfg.match else cfg.n
        x = random_subset(streams, size_)
        counts = class_counts(predict_fn(x).cpu(), C) if len(x) else [0] * C
        info = {"class_counts": counts, "per_class": cfg.n // C, "draws": len(x), "forwards": len(x),
                "draws_per_pool": [len(x)] + [0] * (len(streams) - 1),
                "kept_per_pool": [len(x)] + [0] * (len(streams) - 1), "full": False,
                "empty_classes": [c for c, k in enumerate(counts) if k == 0],
                "short_classes": [c for c, k in enumerate(counts) if k < cfg.n // C]}
    folder.save("x.pt", x.cpu().contiguous())
    metrics = {"size": len(x), "relative_entropy": relative_entropy(info["class_counts"]) if len(x) else 0.0,
               "pools": [p.label for p in cfg.pools], "teacher_acc": trec.metrics["test_acc"], **info}
    return metrics, {}


@dataclass(frozen=True)
class BKDRun:
    """Distil ``student`` from the teacher through an :class:`ArbitrarySet` with paper B's Eq. 2.

    Eq. 2: θ_S* = argmin Σ_{x∈D̄} L_KD(T(x, θ_T, τ), S(x, θ_S, τ)), L_KD = cross-entropy between the softmaxes at
    temperature τ (``kd_objective(loss='soft_ce')``), no hard-label term. ZSKD defaults (official-code-notes §B):
    τ = 20, Adam 1e-3, constant lr. ``schedule.augment='nayak'`` is §4.2's augmentation (teacher relabels each
    augmented copy).
    """

    transfer: ArbitrarySet
    student: str
    schedule: Schedule = Schedule(epochs=200, batch_size=64, lr=1e-3, momentum=0.0, weight_decay=0.0,
                                  optimizer="adam", cosine=False, augment="none", mixup=False)
    temperature: float = 20.0
    seed: int = 0
    eval_every: int = 0

    def __post_init__(self):
        require(self.student in MODELS, "BKDRun", "student", self.student, f"one of {MODELS.names()}")
        check_kd("BKDRun", self.temperature)
        require(self.eval_every >= 0, "BKDRun", "eval_every", self.eval_every, "0 (automatic) or ≥ 1")


@dataclass
class Distillation:
    """What a distillation through an :class:`ArbitrarySet` starts from (shared by BKDRun and ZSKDRun)."""

    trec: object  # the teacher's record
    teacher: torch.nn.Module
    srec: object  # the transfer set's record
    x: torch.Tensor  # the transfer set, uint8, on the device
    xt: torch.Tensor  # the teacher dataset's test split
    yt: torch.Tensor
    spec: dict  # the student's model spec (the teacher's, with the student's arch)
    student: torch.nn.Module

    def test_accuracy(self) -> float:
        return accuracy(self.student, self.xt, self.yt)

    def finish(self, folder: RunFolder, curves: dict) -> tuple[dict, dict]:
        """Save the trained student, drop the resume checkpoint; the run's metrics and curves."""
        folder.save("model.pt", self.student.state_dict())
        folder.path("partial.pt").unlink(missing_ok=True)
        metrics = {**classifier_metrics(curves, self.spec["num_classes"]), "teacher_acc": self.trec.metrics["test_acc"],
                   "transfer": self.srec.metrics, "model": self.spec}
        return metrics, curves


def distillation(transfer: ArbitrarySet, student: str, ctx: Context) -> Distillation:
    """The teacher, the transfer set, the test split and a fresh ``student``; refuses a set of fewer than 2 images."""
    trec, teacher = teacher_model(transfer.teacher, ctx)
    srec = run(transfer, ctx)
    x = srec.load("x.pt").to(ctx.device)
    if len(x) < 2:
        raise ValueError(f"the transfer set holds {len(x)} images; nothing to distil from")
    test = transfer.teacher.data("test", ctx)
    spec = {**trec.metrics["model"], "arch": student}
    return Distillation(trec, teacher, srec, x, test.x.to(ctx.device), test.y.to(ctx.device), spec, make_model(spec))


@EXPERIMENTS.register("BKDRun")
def run_bkd(cfg: BKDRun, ctx: Context, folder: RunFolder):
    d = distillation(cfg.transfer, cfg.student, ctx)
    curves = fit(d.student, d.x, kd_objective(d.student, d.teacher, cfg.temperature, "soft", "soft_ce"), cfg.schedule,
                 seed=cfg.seed, evaluate=lambda m: {"test_acc": d.test_accuracy()},
                 eval_every=eval_every(cfg.eval_every, cfg.schedule.epochs, 10), checkpoint=folder.path("partial.pt"),
                 desc=f"KD {cfg.student} ← {'+'.join(d.srec.metrics['pools'])}", progress=ctx.progress)
    return d.finish(folder, curves)


__all__ = ["Pool", "open_pool", "ArbitrarySet", "BKDRun", "teacher_model", "Distillation", "distillation"]
