"""The one training engine: several learners, batch sources, objectives of named loss terms, resumable.

A method is a *plan* over this engine (Fast-Datafree's "methods as presets of one engine"):

* a :class:`Learner` is a model with its optimiser and learning-rate schedule;
* a batch *source* hands out float batches in [0, 1] on the device: :class:`TensorSource` (a fixed uint8
  tensor, shuffled per epoch and augmented on the device with independent random parameters per image, several
  batches per call), :class:`GeneratorSource` (a generator that samples on the fly) or :class:`MixSource`
  (one batch from each of several sources, concatenated — e.g. real plus synthetic images);
* an :class:`Update` is one optimiser step of one learner: a batch from its source, an optional batch
  transform (mixup), then its objective, which returns a dict of named loss terms (``{"kd": ...}``); their sum
  is minimised and every term is logged (an objective may also return ``(terms, stats)``: stats are logged,
  not minimised). An update can repeat (paper C: k student steps per generator step) or be *shared*: step on the
  batch the previous update drew (DAFL's joint generator and student step).

Each iteration runs the plan's updates in order; an epoch is ``steps_per_epoch`` iterations. On CUDA every
step runs under bf16 autocast with channels_last models. Loss terms are accumulated on the device and read once
per epoch, together with a non-finite guard kept on the device: no host synchronisation per step. A loss that
becomes non-finite stops training at the end of that epoch with one line naming the run, the term, the epoch and
the step (:class:`NonFiniteLoss`), and nothing is recorded as a result.

``checkpoint``: after every epoch the engine saves every learner's model, optimiser and scheduler, the
engine's random generator, torch's global random state (dropout) and the curves, atomically; a killed run
resumes from there and, on a CPU, ends with the same curves as an uninterrupted one. ``fit`` is the plan of
one learner over a fixed tensor (teachers and students).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Mapping

import torch
from torch import nn
from tqdm.auto import tqdm

from kdnb import augment
from kdnb.config import require
from kdnb.io import CacheError, atomic_save, checked_load, set_aside

Terms = dict[str, torch.Tensor]
OPTIMIZERS = ("adam", "sgd")


class NonFiniteLoss(FloatingPointError):
    """Training produced a NaN or infinite loss; the message is one line naming run, term, epoch and step."""


@dataclass(frozen=True)
class Schedule:
    """Optimisation settings. Defaults are paper A's (§4): SGD, momentum 0.9, wd 1e-4, lr 0.1, batch 256,
    half-period cosine schedule. Validated when built: every field's range and the augmentation's name."""

    epochs: int = 400
    batch_size: int = 256
    lr: float = 0.1
    momentum: float = 0.9
    weight_decay: float = 1e-4
    optimizer: str = "sgd"  # 'sgd' | 'adam'
    cosine: bool = True
    augment: str = "standard"
    mixup: bool = False

    def __post_init__(self):
        o = "Schedule"
        require(isinstance(self.epochs, int) and self.epochs >= 1, o, "epochs", self.epochs, "an integer ≥ 1")
        require(isinstance(self.batch_size, int) and self.batch_size >= 1, o, "batch_size", self.batch_size,
                "an integer ≥ 1")
        require(isinstance(self.lr, (int, float)) and math.isfinite(self.lr) and 0 < self.lr <= 10, o, "lr",
                self.lr, "a finite learning rate in (0, 10]")
        require(0 <= self.momentum < 1, o, "momentum", self.momentum, "a value in [0, 1)")
        require(0 <= self.weight_decay < 1, o, "weight_decay", self.weight_decay, "a value in [0, 1)")
        require(self.optimizer in OPTIMIZERS, o, "optimizer", self.optimizer, f"one of {sorted(OPTIMIZERS)}")
        require(self.augment in augment.NAMES, o, "augment", self.augment, f"one of {sorted(augment.NAMES)}")


def amp(device: torch.device):
    """bf16 autocast on CUDA; a disabled context on CPU (float32 there)."""
    return torch.autocast("cuda", dtype=torch.bfloat16) if device.type == "cuda" else torch.autocast("cpu", enabled=False)


def prepare(x: torch.Tensor, device: torch.device) -> torch.Tensor:
    """uint8 images → float in [0, 1] (channels_last on CUDA)."""
    x = x.float().div_(255)
    return x.contiguous(memory_format=torch.channels_last) if device.type == "cuda" else x


def make_optimizer(model: nn.Module, s: Schedule, steps: int, device: torch.device):
    """The optimiser and per-step schedule of ``s`` for ``model`` over ``steps`` optimiser steps."""
    fused = {"fused": True} if device.type == "cuda" else {}
    if s.optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=s.lr, momentum=s.momentum, weight_decay=s.weight_decay, **fused)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=s.lr, weight_decay=s.weight_decay, **fused)
    # Half-period cosine, stepped every batch (not every epoch: the official code of paper A stepped an
    # epoch-length cosine every batch — a bug noted in official-code-notes A.2).
    lam = (lambda i: 0.5 * (1 + math.cos(math.pi * min(i, steps) / steps))) if s.cosine else (lambda i: 1.0)
    return opt, torch.optim.lr_scheduler.LambdaLR(opt, lam)


# Inference batch by device. On CPU a small batch keeps the activations in cache: one thread of the 2-core AMD EPYC lab
# machine ran a LeNet-5 teacher at 13,550 img/s at 1,024 and 22,216 at 256 (AlexNet 439 → 481, Toy2D 1,866 → 2,553),
# and Algorithm 1's noise draws went from 8,740 to 23,022 per second.
INFER_BATCH = {"cuda": 1024, "cpu": 256}


@torch.no_grad()
def predict(model: nn.Module, x: torch.Tensor, batch_size: int | None = None, features: bool = False):
    """Logits (and penultimate features) of uint8 images, in eval mode, on x's device. Returns float32 tensors.
    ``batch_size``: default ``INFER_BATCH`` for x's device (the batch size never changes which images are seen)."""
    was_training = model.training
    model.eval()
    device = x.device
    batch_size = batch_size or INFER_BATCH.get(device.type, 1024)
    logits, feats = [], []
    with amp(device):
        for xb in x.split(batch_size):
            out = model(prepare(xb, device), features=features)
            if features:
                logits.append(out[0].float()); feats.append(out[1].float())
            else:
                logits.append(out.float())
    model.train(was_training)
    return (torch.cat(logits), torch.cat(feats)) if features else torch.cat(logits)


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int | None = None) -> float:
    """Top-1 accuracy in % (one host sync)."""
    return (predict(model, x, batch_size).argmax(1) == y).float().mean().item() * 100


# ------------------------------------------------------------------------------------------------ learners


@dataclass
class Learner:
    """A model trained by the engine, with its optimiser and (optional) per-step learning-rate schedule."""

    model: nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None

    def state(self) -> dict:
        return {"model": self.model.state_dict(), "opt": self.optimizer.state_dict(),
                "sched": self.scheduler.state_dict() if self.scheduler else {}}

    def load(self, state: dict) -> None:
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["opt"])
        if self.scheduler:
            self.scheduler.load_state_dict(state["sched"])

    def lr(self) -> float:
        return self.optimizer.param_groups[0]["lr"]


def learner(model: nn.Module, schedule: Schedule, steps: int, device: torch.device) -> Learner:
    """A learner for ``model`` with ``schedule``'s optimiser over ``steps`` optimiser steps, on ``device``."""
    model.to(device).train()
    if device.type == "cuda":
        model.to(memory_format=torch.channels_last)
    opt, sched = make_optimizer(model, schedule, max(steps, 1), device)
    return Learner(model, opt, sched)


# ------------------------------------------------------------------------------------------------- sources


@dataclass
class Batch:
    """Float images in [0, 1] on the device; ``index``: rows of a fixed tensor; ``z``: a generator's latents;
    ``parts``: sizes of the concatenated pieces of a mixed batch."""

    x: torch.Tensor
    index: torch.Tensor | None = None
    z: torch.Tensor | None = None
    parts: tuple[int, ...] = ()


AUGMENT_CHUNK = 4096  # images augmented per call: per-image randomness is unchanged, kernel launches are fewer


class TensorSource:
    """Shuffled batches of a fixed uint8 tensor on the device, augmented per image, ``chunk`` images per call.

    Augmentation runs on several batches at once: on a GPU the augmentation of one batch of 256 is bound by
    kernel launches (12 ms on an H200, vs 3 ms per batch when four are augmented together —
    benchmarks/step_breakdown.py), and every image still draws its own random parameters. The last partial
    batch of a pass is dropped (static shapes); a new pass starts with a fresh permutation.
    """

    def __init__(self, x: torch.Tensor, batch_size: int, aug: Callable | None = None, chunk: int = AUGMENT_CHUNK):
        if len(x) < 1:
            raise ValueError("a tensor source needs at least one image")
        self.x, self.bs = x, min(batch_size, len(x))
        self.aug = aug or (lambda xb, gen: xb)
        self.per_chunk = max(1, chunk // self.bs)
        self._it: Iterator[Batch] | None = None

    @property
    def steps_per_epoch(self) -> int:
        return len(self.x) // self.bs

    def start_epoch(self, gen: torch.Generator) -> None:
        self._it = self._pass(gen)

    def _pass(self, gen: torch.Generator) -> Iterator[Batch]:
        perm = torch.randperm(len(self.x), device=self.x.device, generator=gen)
        steps = self.steps_per_epoch
        for first in range(0, steps, self.per_chunk):
            k = min(self.per_chunk, steps - first)
            idx = perm[first * self.bs:(first + k) * self.bs]
            xa = self.aug(prepare(self.x[idx], self.x.device), gen)
            for j in range(k):
                yield Batch(xa[j * self.bs:(j + 1) * self.bs], idx[j * self.bs:(j + 1) * self.bs])

    def draw(self, gen: torch.Generator, grad: bool = False) -> Batch:
        if self._it is None:
            self.start_epoch(gen)
        try:
            return next(self._it)
        except StopIteration:  # a plan that draws more than one pass per epoch: start another pass
            self._it = self._pass(gen)
            return next(self._it)


class GeneratorSource:
    """Images sampled on the fly: ``generator(z)`` with ``z ~ N(0, I)`` of shape (batch_size, z_dim).

    ``draw(grad=True)`` keeps the graph (the generator's own update); otherwise the images are detached.
    A generator whose output is in [-1, 1] is mapped to [0, 1] by ``output='tanh'``.
    """

    def __init__(self, generator: nn.Module, z_dim: int, batch_size: int, output: str = "unit"):
        if output not in ("unit", "tanh"):
            raise ValueError(f"output must be 'unit' or 'tanh', got {output!r}")
        self.g, self.z_dim, self.bs, self.output = generator, z_dim, batch_size, output

    def start_epoch(self, gen: torch.Generator) -> None:
        pass

    def draw(self, gen: torch.Generator, grad: bool = False) -> Batch:
        device = next(self.g.parameters()).device
        z = torch.randn(self.bs, self.z_dim, device=device, generator=gen)
        with torch.set_grad_enabled(grad), amp(device):
            x = self.g(z)
        x = x.float()
        if self.output == "tanh":
            x = (x + 1) / 2
        return Batch(x if grad else x.detach(), z=z)


class MixSource:
    """One batch from each source, concatenated along the batch (e.g. collected real images + synthetic ones)."""

    def __init__(self, *sources):
        self.sources = sources

    def start_epoch(self, gen: torch.Generator) -> None:
        for s in self.sources:
            s.start_epoch(gen)

    def draw(self, gen: torch.Generator, grad: bool = False) -> Batch:
        parts = [s.draw(gen, grad) for s in self.sources]
        return Batch(torch.cat([p.x for p in parts]), parts=tuple(len(p.x) for p in parts))


# --------------------------------------------------------------------------------------------------- plans

Objective = Callable[[Batch], "Terms | tuple[Terms, dict[str, torch.Tensor]]"]


@dataclass
class Update:
    """One optimiser step of ``learner``: a batch from ``source``, ``transform`` (e.g. mixup), ``objective``.

    ``grad_through_source``: keep the graph through the source (a generator's own update). ``repeat``: how many
    such steps per iteration. ``shared``: step on the batch the previous update of the plan drew in this
    iteration (detached) instead of drawing one — a joint step, e.g. DAFL's generator and student on the same
    images. ``after``: called after every optimiser step of this update, with no gradient (an exponential moving
    average of the weights; any state it keeps must live in a learner's model to be checkpointed).
    """

    name: str
    learner: str
    source: str
    objective: Objective
    repeat: int = 1
    transform: Callable[[torch.Tensor, torch.Generator], torch.Tensor] | None = None
    grad_through_source: bool = False
    shared: bool = False
    after: Callable[[], None] | None = None  # run after each optimiser step (e.g. an EMA of the weights)


def make_step(learner: Learner, update: Update, gen: torch.Generator):
    """One optimisation step on a batch: transform → objective → backward → optimiser and scheduler step.

    Returns ``(terms, stats, loss)`` with every tensor still on the device: nothing is read back to the host.
    """
    device = next(learner.model.parameters()).device

    def step(batch: Batch):
        if update.transform is not None:
            batch = Batch(update.transform(batch.x, gen), batch.index, batch.z, batch.parts)
        with amp(device):
            out = update.objective(batch)
        terms, stats = out if isinstance(out, tuple) else (out, {})
        loss = sum(terms.values())
        learner.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        learner.optimizer.step()
        if learner.scheduler is not None:
            learner.scheduler.step()
        if update.after is not None:
            with torch.no_grad():
                update.after()
        return terms, stats, loss

    return step


@dataclass
class _Guard:
    """First step (per update) whose loss was not finite, kept on the device: -1 while all is well."""

    device: torch.device
    first_bad: dict[str, torch.Tensor] = field(default_factory=dict)

    def watch(self, name: str, loss: torch.Tensor, step: torch.Tensor) -> None:
        fb = self.first_bad.get(name)
        if fb is None:
            fb = self.first_bad[name] = torch.full((), -1, dtype=torch.long, device=self.device)
        torch.where((fb < 0) & ~torch.isfinite(loss.detach()), step, fb, out=fb)

    def check(self, desc: str, epoch: int, steps_per_epoch: int) -> None:
        for name, fb in self.first_bad.items():
            s = int(fb)
            if s >= 0:
                raise NonFiniteLoss(f"{desc}: the {name!r} loss became non-finite at epoch {epoch}, step "
                                    f"{s % max(steps_per_epoch, 1) + 1} of {steps_per_epoch} (global step {s + 1}); "
                                    "training stopped and nothing was recorded")


def train(learners: Mapping[str, Learner], sources: Mapping[str, object], plan: list[Update], *, epochs: int,
          steps_per_epoch: int, seed: int, evaluate: Callable[[], dict[str, float]] | None = None,
          eval_every: int = 1, checkpoint: str | Path | None = None, desc: str = "train",
          progress: bool = True) -> dict[str, list]:
    """Run ``plan`` for ``epochs`` × ``steps_per_epoch`` iterations; return per-epoch curves.

    Curves: ``epoch``; each learner's learning rate (``lr`` for a single learner, else ``lr.<name>``); every
    loss term's and stat's mean over the epoch; and, every ``eval_every`` epochs and at the last one, whatever
    ``evaluate()`` returns (``eval_epoch`` says when). A name logged by several updates is averaged over all their
    steps, so updates name their terms apart (``adv``, ``kd``, ...).
    """
    if plan and plan[0].shared:
        raise ValueError(f"update {plan[0].name!r} is shared, but no update before it draws a batch")
    for u in plan:
        if u.learner not in learners or u.source not in sources:
            raise ValueError(f"update {u.name!r} names learner {u.learner!r} and source {u.source!r}; the plan has "
                             f"learners {sorted(learners)} and sources {sorted(sources)}")
    device = next(next(iter(learners.values())).model.parameters()).device
    gen = torch.Generator(device=device).manual_seed(seed)
    curves: dict[str, list] = {"epoch": []}
    start = 0
    state = _resume_state(checkpoint, learners, device)
    if state is not None:
        for name, lrn in learners.items():
            lrn.load(state["learners"][name])
        gen.set_state(state["gen"].cpu())
        torch.set_rng_state(state["torch_rng"].cpu())
        curves, start = _unflatten(state["curves"]), int(state["epoch"])
    steps = {u.name: make_step(learners[u.learner], u, gen) for u in plan}
    guard = _Guard(device)
    counter = torch.zeros((), dtype=torch.long, device=device)  # global step, on the device (no host sync)
    counter += start * steps_per_epoch
    bar = tqdm(total=epochs * steps_per_epoch, initial=start * steps_per_epoch, desc=desc, disable=not progress,
               leave=False, unit="it", mininterval=1.0)
    for epoch in range(start, epochs):
        for s in sources.values():
            s.start_epoch(gen)
        sums: dict[str, torch.Tensor] = {}
        counts: dict[str, int] = {}  # steps that logged each name (host-side integers, no sync)
        for _ in range(steps_per_epoch):
            last = None
            for u in plan:
                for _ in range(u.repeat):
                    if u.shared:
                        batch = Batch(last.x.detach(), last.index, last.z, last.parts)
                    else:
                        batch = last = sources[u.source].draw(gen, u.grad_through_source)
                    terms, stats, loss = steps[u.name](batch)
                    guard.watch(u.name, loss, counter)
                    for k, v in (*terms.items(), *stats.items()):
                        sums[k] = sums.get(k, 0) + v.detach().float()
                        counts[k] = counts.get(k, 0) + 1
            counter += 1
            bar.update(1)
        guard.check(desc, epoch + 1, steps_per_epoch)  # the epoch's one host sync, with the sums below
        curves["epoch"].append(epoch + 1)
        for name, lrn in learners.items():
            curves.setdefault("lr" if len(learners) == 1 else f"lr.{name}", []).append(lrn.lr())
        for k, v in sums.items():
            curves.setdefault(k, []).append(float(v) / max(counts[k], 1))
        if evaluate is not None and ((epoch + 1) % eval_every == 0 or epoch + 1 == epochs):
            curves.setdefault("eval_epoch", []).append(epoch + 1)
            for k, v in evaluate().items():
                curves.setdefault(k, []).append(v)
            bar.set_postfix({k: f"{curves[k][-1]:.2f}" for k in curves if k not in ("epoch", "eval_epoch")
                             and not k.startswith("lr")})
            for lrn in learners.values():
                lrn.model.train()
        if checkpoint:
            atomic_save({"learners": {n: lrn.state() for n, lrn in learners.items()}, "gen": gen.get_state(),
                         "torch_rng": torch.get_rng_state(), "curves": _flatten(curves), "epoch": epoch + 1},
                        checkpoint)
    bar.close()
    return curves


def _resume_state(checkpoint, learners: Mapping[str, Learner], device: torch.device) -> dict | None:
    """The checkpoint to resume from, or None. One that cannot be loaded (truncated, corrupt, unsafe) or that does
    not hold these learners is set aside with one line, and training starts again from the beginning."""
    if not checkpoint or not Path(checkpoint).exists():
        return None
    try:
        state = checked_load(checkpoint, map_location=device)
    except CacheError as e:
        set_aside(checkpoint, f"cannot resume from it ({str(e).split(': ', 1)[-1]}); training starts again")
        return None
    lacks = [k for k in ("learners", "gen", "torch_rng", "curves", "epoch") if not isinstance(state, dict) or k not in state]
    lacks += [f"learner {n!r}" for n in learners if not lacks and n not in state["learners"]]
    if lacks:
        set_aside(checkpoint, f"cannot resume from it (it lacks {', '.join(lacks)}); training starts again")
        return None
    return state


def fit(model: nn.Module, x: torch.Tensor, objective: Objective, schedule: Schedule, *, seed: int,
        evaluate: Callable[[nn.Module], dict[str, float]] | None = None, eval_every: int = 1,
        checkpoint: str | Path | None = None, desc: str = "train", progress: bool = True) -> dict[str, list]:
    """Train one ``model`` on uint8 images ``x`` (already on the training device) with ``objective(batch)``.

    The plan of one learner over a :class:`TensorSource`: augmentation ``schedule.augment`` per image, mixup
    (when ``schedule.mixup``) applied before the objective, so a teacher inside the objective labels the mixed
    images.
    """
    device = x.device
    source = TensorSource(x, schedule.batch_size,
                          augment.build(schedule.augment, image_size=x.shape[-1], mean=_mean_of(model, x)))
    lrn = learner(model, schedule, source.steps_per_epoch * schedule.epochs, device)
    plan = [Update("train", "model", "data", objective, transform=augment.mixup if schedule.mixup else None)]
    return train({"model": lrn}, {"data": source}, plan, epochs=schedule.epochs,
                 steps_per_epoch=source.steps_per_epoch, seed=seed,
                 evaluate=(lambda: evaluate(model)) if evaluate else None, eval_every=eval_every,
                 checkpoint=checkpoint, desc=desc, progress=progress)


def _mean_of(model: nn.Module, x: torch.Tensor) -> tuple[float, ...]:
    """The fill value for padding/rotations: the model's input mean if it normalises, else mid-grey."""
    mean = getattr(model, "mean", None)
    return tuple(mean.flatten().tolist()) if mean is not None else (0.5,) * x.shape[1]


def _flatten(curves: dict[str, list]) -> dict[str, torch.Tensor]:
    # weights_only loading accepts tensors and plain containers; curves of unequal length stay separate tensors.
    return {k: torch.tensor(v, dtype=torch.float64) for k, v in curves.items()}


def _unflatten(state: dict[str, torch.Tensor]) -> dict[str, list]:
    return {k: [int(a) if k.endswith("epoch") else float(a) for a in v.tolist()] for k, v in state.items()}


__all__ = ["Schedule", "NonFiniteLoss", "Learner", "learner", "Batch", "TensorSource",
           "GeneratorSource", "MixSource", "Update", "make_step", "train", "fit", "predict", "accuracy", "amp",
           "prepare", "make_optimizer", "AUGMENT_CHUNK"]
