"""Teacher training: one-hot cross-entropy on a registered dataset (paper A §4, Teacher Training Details), and
paper B's binary-task teacher trained with balanced mini-batches (§4.5, Table 4)."""
from __future__ import annotations

from dataclasses import dataclass

import torch

from kdnb.data import DATASETS, ImageSet, load_dataset
from kdnb.config import require
from kdnb.engine import Schedule, accuracy, fit
from kdnb.methods.common import classifier_metrics, eval_every, make_model, model_spec
from kdnb.models import MODELS
from kdnb.objectives import ce_objective
from kdnb.runs import EXPERIMENTS, Context, RunFolder


def check_names(owner: str, dataset: str, arch: str) -> None:
    require(dataset in DATASETS, owner, "dataset", dataset, f"one of {DATASETS.names()}")
    require(arch in MODELS, owner, "arch", arch, f"one of {MODELS.names()}")


@dataclass(frozen=True)
class TeacherRun:
    """Train ``arch`` on a registered dataset with one-hot cross-entropy (paper A §4)."""

    dataset: str
    arch: str
    schedule: Schedule = Schedule()
    seed: int = 0
    channels: int | None = None  # conform the images (e.g. 1 for MNIST-style nets); None keeps the dataset's
    size: int | None = None
    train_limit: int | None = None  # use a stratified-random subset of this many training images
    dataset_params: tuple = ()

    def __post_init__(self):
        check_names("TeacherRun", self.dataset, self.arch)
        require(self.channels in (None, 1, 3), "TeacherRun", "channels", self.channels, "None, 1 or 3")
        require(self.size is None or self.size >= 8, "TeacherRun", "size", self.size, "None or an integer ≥ 8")
        require(self.train_limit is None or self.train_limit >= 1, "TeacherRun", "train_limit", self.train_limit,
                "None or an integer ≥ 1")

    def data(self, split: str, ctx: Context) -> ImageSet:
        d = load_dataset(self.dataset, split, ctx.data_root, channels=self.channels, size=self.size,
                         **dict(self.dataset_params))
        if split == "train" and self.train_limit and self.train_limit < len(d):
            g = torch.Generator().manual_seed(self.seed)
            d = d.subset(torch.randperm(len(d), generator=g)[: self.train_limit])
        return d

    def held_out(self, ctx: Context) -> ImageSet:
        """The training images ``train_limit`` left out: real images of the teacher's domain it never saw."""
        d = load_dataset(self.dataset, "train", ctx.data_root, channels=self.channels, size=self.size,
                         **dict(self.dataset_params))
        if not self.train_limit or self.train_limit >= len(d):
            raise ValueError(f"TeacherRun({self.dataset!r}) trains on all {len(d)} training images: none is held out "
                             "(set train_limit)")
        g = torch.Generator().manual_seed(self.seed)
        return d.subset(torch.randperm(len(d), generator=g)[self.train_limit:])


def train_classifier(spec: dict, x: torch.Tensor, y: torch.Tensor, test: ImageSet, schedule: Schedule, seed: int,
                     folder: RunFolder, ctx: Context, desc: str, evaluations: int = 20):
    """Train a classifier of ``spec`` on (x, y) with cross-entropy; save it; return (metrics, curves)."""
    model = make_model(spec)
    dev = ctx.device
    xt, yt = test.x.to(dev), test.y.to(dev)
    curves = fit(model, x.to(dev), ce_objective(model, y.to(dev)), schedule, seed=seed,
                 evaluate=lambda m: {"test_acc": accuracy(m, xt, yt)},
                 eval_every=eval_every(0, schedule.epochs, evaluations), checkpoint=folder.path("partial.pt"),
                 desc=desc, progress=ctx.progress)
    folder.save("model.pt", model.state_dict())
    folder.path("partial.pt").unlink(missing_ok=True)
    return {**classifier_metrics(curves, spec["num_classes"]), "model": spec}, curves


@EXPERIMENTS.register("TeacherRun")
def run_teacher(cfg: TeacherRun, ctx: Context, folder: RunFolder):
    train, test = cfg.data("train", ctx), cfg.data("test", ctx)
    metrics, curves = train_classifier(model_spec(cfg.arch, train), train.x, train.y, test, cfg.schedule, cfg.seed,
                                       folder, ctx, desc=f"teacher {cfg.arch}/{cfg.dataset}")
    return {**metrics, "train_size": len(train)}, curves


@dataclass(frozen=True)
class BinaryTeacherRun:
    """Paper B §4.5 teacher: LeNet-5 on a 3 : 7 binary task with balanced mini-batches.

    Balanced mini-batches (our reading): every epoch the minority class is oversampled (repeated with a random
    remainder) to the majority count, so each shuffled batch holds the two classes in equal proportion in
    expectation. ``unit``: raw [0, 1] inputs as ZSKD (no normalisation).
    """

    dataset: str = "mnist"
    arch: str = "lenet5"
    schedule: Schedule | None = None
    minority: tuple = (0, 1, 2)
    unit: bool = True
    seed: int = 0

    def __post_init__(self):
        check_names("BinaryTeacherRun", self.dataset, self.arch)
        require(isinstance(self.schedule, Schedule), "BinaryTeacherRun", "schedule", self.schedule, "a Schedule")

    def data(self, split: str, ctx) -> ImageSet:
        return load_dataset("binary", split, ctx.data_root, of=self.dataset, minority=self.minority, unit=self.unit)


@EXPERIMENTS.register("BinaryTeacherRun")
def run_binary_teacher(cfg: BinaryTeacherRun, ctx: Context, folder: RunFolder):
    train, test = cfg.data("train", ctx), cfg.data("test", ctx)
    g = torch.Generator().manual_seed(cfg.seed)
    pos, neg = (train.y == 1).nonzero().squeeze(1), (train.y == 0).nonzero().squeeze(1)
    small, big = (pos, neg) if len(pos) < len(neg) else (neg, pos)
    reps = len(big) // len(small)
    extra = small[torch.randperm(len(small), generator=g)[: len(big) - reps * len(small)]]
    index = torch.cat([big, small.repeat(reps), extra])
    metrics, curves = train_classifier(model_spec(cfg.arch, train), train.x[index], train.y[index], test,
                                       cfg.schedule, cfg.seed, folder, ctx,
                                       desc=f"binary teacher {cfg.arch}/{cfg.dataset}", evaluations=5)
    return {**metrics, "train_size": len(train), "balanced_train_size": len(index),
            "train_class_counts": [len(neg), len(pos)], "test_size": len(test)}, curves


__all__ = ["TeacherRun", "BinaryTeacherRun", "train_classifier"]
