"""The two experiments every paper builds on: train a teacher, distil a student through a transfer set.

Both are frozen configs run by ``kdnb.runs.run``; notebooks build configs and never train by hand.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from kdnb.data import ImageSet, load_dataset
from kdnb.models import build_model
from kdnb.runs import EXPERIMENTS, Context, RunFolder, cached_tensor, config_dict, config_key, run
from kdnb.select import SELECTORS, class_counts, relative_entropy
from kdnb.train import Schedule, accuracy, ce_objective, fit, kd_objective, predict


def params(**kw) -> tuple[tuple[str, Any], ...]:
    """Keyword parameters as a sorted tuple of pairs: hashable and frozen, for configs."""
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in kw.items()))


@dataclass(frozen=True)
class TeacherRun:
    """Train ``arch`` on a registered dataset with one-hot cross-entropy (paper A §4, Teacher Training Details)."""

    dataset: str
    arch: str
    schedule: Schedule = Schedule()
    seed: int = 0
    channels: int | None = None  # conform the images (e.g. 1 for MNIST-style nets); None keeps the dataset's
    size: int | None = None
    train_limit: int | None = None  # use a stratified-random subset of this many training images
    dataset_params: tuple = ()

    def data(self, split: str, ctx: Context) -> ImageSet:
        d = load_dataset(self.dataset, split, ctx.data_root, channels=self.channels, size=self.size,
                         **dict(self.dataset_params))
        if split == "train" and self.train_limit and self.train_limit < len(d):
            g = torch.Generator().manual_seed(self.seed)
            d = d.subset(torch.randperm(len(d), generator=g)[: self.train_limit])
        return d


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


def model_spec(arch: str, data: ImageSet) -> dict:
    c, h, _ = data.shape
    return {"arch": arch, "num_classes": data.num_classes, "in_channels": c, "image_size": h,
            "mean": list(data.mean), "std": list(data.std)}


def make_model(spec: dict):
    return build_model(spec["arch"], spec["num_classes"], spec["in_channels"], spec["image_size"],
                       tuple(spec["mean"]), tuple(spec["std"]))


def load_model(record, name: str = "model.pt", device="cpu"):
    """Rebuild a trained model from its run record (weights loaded with weights_only=True)."""
    model = make_model(record.metrics["model"])
    model.load_state_dict(record.load(name))
    return model.to(device).eval()


def _eval_every(cfg_every: int, epochs: int) -> int:
    return cfg_every or max(1, epochs // 20)


@EXPERIMENTS.register("TeacherRun")
def run_teacher(cfg: TeacherRun, ctx: Context, folder: RunFolder):
    train, test = cfg.data("train", ctx), cfg.data("test", ctx)
    spec = model_spec(cfg.arch, train)
    model = make_model(spec)
    dev = ctx.device
    x, y = train.x.to(dev), train.y.to(dev)
    xt, yt = test.x.to(dev), test.y.to(dev)
    curves = fit(model, x, ce_objective(y), cfg.schedule, seed=cfg.seed,
                 evaluate=lambda m: {"test_acc": accuracy(m, xt, yt)},
                 eval_every=_eval_every(0, cfg.schedule.epochs), checkpoint=folder.path("partial.pt"),
                 desc=f"teacher {cfg.arch}/{cfg.dataset}", progress=ctx.progress)
    folder.save("model.pt", model.state_dict())
    folder.path("partial.pt").unlink(missing_ok=True)
    metrics = {"test_acc": curves["test_acc"][-1], "train_size": len(train), "model": spec}
    return metrics, curves


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
        return render(t.source, count, size, t.seed, channels=channels, **dict(t.source_params))

    return cached_tensor("pool", spec, make, ctx)


def build_transfer(t: Transfer, teacher, teacher_spec: dict, ctx: Context) -> tuple[torch.Tensor, dict]:
    """Draw the pool, let the teacher select ``n`` images; return them (uint8, on ctx.device) and a summary."""
    pool = draw_pool(t, t.pool or t.n, teacher_spec["in_channels"], teacher_spec["image_size"], ctx).to(ctx.device)
    calls = {"forwards": 0}

    def predict_fn(x):
        calls["forwards"] += len(x)
        return predict(teacher, x).argmax(1)

    gen = torch.Generator(device=ctx.device).manual_seed(t.seed)
    index, info = SELECTORS[t.select](pool, predict_fn, t.n, teacher_spec["num_classes"], gen, **dict(t.select_params))
    x = pool[index]
    labels = info.pop("labels", None)  # a selector that predicted its candidates already knows these
    if labels is None:
        labels = predict_fn(x)
    counts = class_counts(labels, teacher_spec["num_classes"])
    summary = {"size": len(x), "pool": len(pool), "class_counts": counts, "relative_entropy": relative_entropy(counts),
               "teacher_forwards": calls["forwards"], **info}
    return x, summary


@EXPERIMENTS.register("KDRun")
def run_kd(cfg: KDRun, ctx: Context, folder: RunFolder):
    dev = ctx.device
    teacher_rec = run(cfg.teacher, ctx)
    tspec = teacher_rec.metrics["model"]
    teacher = load_model(teacher_rec, device=dev)
    x, summary = build_transfer(cfg.transfer, teacher, tspec, ctx)
    test = cfg.teacher.data("test", ctx)
    xt, yt = test.x.to(dev), test.y.to(dev)
    spec = {**tspec, "arch": cfg.student}
    student = make_model(spec)
    curves = fit(student, x, kd_objective(teacher, cfg.temperature, cfg.targets, cfg.loss), cfg.schedule,
                 seed=cfg.seed, evaluate=lambda m: {"test_acc": accuracy(m, xt, yt)},
                 eval_every=_eval_every(cfg.eval_every, cfg.schedule.epochs), checkpoint=folder.path("partial.pt"),
                 desc=f"KD {cfg.student} ← {cfg.transfer.source}", progress=ctx.progress)
    folder.save("model.pt", student.state_dict())
    folder.path("partial.pt").unlink(missing_ok=True)
    metrics = {"test_acc": curves["test_acc"][-1], "test_acc_max": max(curves["test_acc"]),
               "teacher_acc": teacher_rec.metrics["test_acc"], "transfer": summary, "model": spec}
    return metrics, curves


# The papers' selectors, datasets and run kinds register on import, so any config runs wherever kdnb is imported.
from kdnb import balance as _balance, imagenet_split as _imagenet_split, selection_a as _selection_a  # noqa: E402,F401

__all__ = ["TeacherRun", "Transfer", "KDRun", "Schedule", "params", "load_model", "make_model", "model_spec",
           "build_transfer", "draw_pool", "config_key", "config_dict"]
