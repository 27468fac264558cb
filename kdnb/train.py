"""One training loop for teachers and students.

The data are uint8 tensors on the training device; shuffled batches are sliced there, converted to float in
[0, 1] and augmented on the device with independent random parameters per image (``kdnb.augment``), several
batches per call; each then takes one optimiser step. On CUDA the step runs under bf16 autocast with channels_last tensors. Loss
terms are accumulated on the device and read once per epoch: no host synchronisation per step.

A step's objective returns a dict of named loss terms (``{"ce": ...}``, ``{"kd": ...}``); their sum is
minimised and each is logged.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import torch
from torch import nn
from tqdm.auto import tqdm

from kdnb import augment
from kdnb.losses import kd_kl, soft_ce, teacher_targets

Objective = Callable[[nn.Module, torch.Tensor, torch.Tensor], dict[str, torch.Tensor]]


@dataclass(frozen=True)
class Schedule:
    """Optimisation settings. Defaults are paper A's (§4): SGD, momentum 0.9, wd 1e-4, lr 0.1, batch 256,
    half-period cosine schedule."""

    epochs: int = 400
    batch_size: int = 256
    lr: float = 0.1
    momentum: float = 0.9
    weight_decay: float = 1e-4
    optimizer: str = "sgd"  # 'sgd' | 'adam'
    cosine: bool = True
    augment: str = "standard"
    mixup: bool = False


def _amp(device: torch.device):
    return torch.autocast("cuda", dtype=torch.bfloat16) if device.type == "cuda" else torch.autocast("cpu", enabled=False)


def _prepare(x: torch.Tensor, device: torch.device) -> torch.Tensor:
    x = x.float().div_(255)
    return x.contiguous(memory_format=torch.channels_last) if device.type == "cuda" else x


def make_optimizer(model: nn.Module, s: Schedule, steps: int, device: torch.device):
    fused = {"fused": True} if device.type == "cuda" else {}
    if s.optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=s.lr, momentum=s.momentum, weight_decay=s.weight_decay, **fused)
    elif s.optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=s.lr, weight_decay=s.weight_decay, **fused)
    else:
        raise ValueError(f"optimizer must be 'sgd' or 'adam', got {s.optimizer!r}")
    # Half-period cosine, stepped every batch (not every epoch: the official code of paper A stepped an
    # epoch-length cosine every batch — a bug noted in official-code-notes A.2).
    lam = (lambda i: 0.5 * (1 + math.cos(math.pi * i / steps))) if s.cosine else (lambda i: 1.0)
    return opt, torch.optim.lr_scheduler.LambdaLR(opt, lam)


@torch.no_grad()
def predict(model: nn.Module, x: torch.Tensor, batch_size: int = 1024, features: bool = False):
    """Logits (and penultimate features) of uint8 images, in eval mode, on x's device. Returns float32 tensors."""
    was_training = model.training
    model.eval()
    device = x.device
    logits, feats = [], []
    with _amp(device):
        for xb in x.split(batch_size):
            out = model(_prepare(xb, device), features=features)
            if features:
                logits.append(out[0].float()); feats.append(out[1].float())
            else:
                logits.append(out.float())
    model.train(was_training)
    return (torch.cat(logits), torch.cat(feats)) if features else torch.cat(logits)


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 1024) -> float:
    """Top-1 accuracy in % (one host sync)."""
    return (predict(model, x, batch_size).argmax(1) == y).float().mean().item() * 100


def ce_objective(labels: torch.Tensor) -> Objective:
    """Teacher training: one-hot cross-entropy (paper A §4)."""
    def step(model, xb, idx):
        return {"ce": nn.functional.cross_entropy(model(xb).float(), labels[idx])}
    return step


def kd_objective(teacher: nn.Module, temperature: float, targets: str = "soft", loss: str = "kl") -> Objective:
    """Distillation from a frozen teacher that labels each (augmented, mixed) image the student sees.

    loss='kl': τ²·KL (paper A Eq. 2, Hinton); loss='soft_ce': soft cross-entropy at τ (paper B Eq. 2).
    targets='onehot'/'smooth' replace the teacher's softmax by its argmax (paper A Table 4).
    """
    teacher.eval().requires_grad_(False)

    def step(model, xb, idx):
        with torch.no_grad():
            t_logits = teacher(xb)
        s_logits = model(xb)
        if targets == "soft" and loss == "kl":
            return {"kd": kd_kl(s_logits, t_logits, temperature)}
        q = teacher_targets(t_logits, targets, temperature)
        return {"kd": soft_ce(s_logits, q, temperature)}
    return step


def make_step(model: nn.Module, objective: Objective, opt, sched, mixup: bool):
    """One optimisation step on an augmented float batch: mixup → objective → SGD.

    Everything stays on the batch's device and nothing is read back to the host.
    """
    device = next(model.parameters()).device

    def step(xb: torch.Tensor, idx: torch.Tensor, gen: torch.Generator) -> dict[str, torch.Tensor]:
        if mixup:
            xb = augment.mixup(xb, gen)
        with _amp(device):
            terms = objective(model, xb, idx)
        opt.zero_grad(set_to_none=True)
        sum(terms.values()).backward()
        opt.step()
        sched.step()
        return terms

    return step


AUGMENT_CHUNK = 4096  # images augmented per call: per-image randomness is unchanged, kernel launches are fewer


def augmented_batches(x: torch.Tensor, perm: torch.Tensor, batch_size: int, steps: int, aug, gen: torch.Generator,
                      chunk: int = AUGMENT_CHUNK):
    """Yield ``steps`` (augmented float batch, index) pairs over ``perm``.

    Augmentation runs on several batches at once (``chunk`` images): on a GPU the augmentation of one batch of
    256 is bound by kernel launches (12 ms on an H200, vs 3 ms per batch when four are augmented together —
    benchmarks/step_breakdown.py), and every image still draws its own random parameters.
    """
    per_chunk = max(1, chunk // batch_size)
    for first in range(0, steps, per_chunk):
        k = min(per_chunk, steps - first)
        idx = perm[first * batch_size:(first + k) * batch_size]
        xa = aug(_prepare(x[idx], x.device), gen)
        for j in range(k):
            yield xa[j * batch_size:(j + 1) * batch_size], idx[j * batch_size:(j + 1) * batch_size]


def fit(model: nn.Module, x: torch.Tensor, objective: Objective, schedule: Schedule, *, seed: int,
        evaluate: Callable[[nn.Module], dict[str, float]] | None = None, eval_every: int = 1,
        checkpoint: str | Path | None = None, desc: str = "train", progress: bool = True) -> dict[str, list]:
    """Train ``model`` on uint8 images ``x`` (already on the training device) with ``objective``.

    Returns per-epoch curves: each loss term's mean, the learning rate, and whatever ``evaluate`` returns.
    ``checkpoint``: a path where the loop saves its state (model, optimiser, RNG, curves) after every epoch,
    atomically, and from which it resumes — a killed long run continues where it stopped and, on a CPU, ends
    with the same numbers as an uninterrupted run.
    """
    device = x.device
    n = len(x)
    bs = min(schedule.batch_size, n)
    steps_per_epoch = n // bs  # drop the last partial batch: static shapes
    total = steps_per_epoch * schedule.epochs
    model.to(device).train()
    if device.type == "cuda":
        model.to(memory_format=torch.channels_last)
    opt, sched = make_optimizer(model, schedule, max(total, 1), device)
    aug = augment.build(schedule.augment, image_size=x.shape[-1], mean=_mean_of(model, x))
    step = make_step(model, objective, opt, sched, schedule.mixup)
    gen = torch.Generator(device=device).manual_seed(seed)
    curves: dict[str, list] = {"epoch": [], "lr": []}
    start = 0
    if checkpoint and Path(checkpoint).exists():
        state = torch.load(checkpoint, map_location=device, weights_only=True)
        model.load_state_dict(state["model"]); opt.load_state_dict(state["opt"]); sched.load_state_dict(state["sched"])
        gen.set_state(state["gen"].cpu())
        curves, start = _unflatten(state["curves"]), int(state["epoch"])
    bar = tqdm(total=total, initial=start * steps_per_epoch, desc=desc, disable=not progress, leave=False,
               unit="step", mininterval=1.0)
    for epoch in range(start, schedule.epochs):
        sums: dict[str, torch.Tensor] = {}
        perm = torch.randperm(n, device=device, generator=gen)
        for xb, idx in augmented_batches(x, perm, bs, steps_per_epoch, aug, gen):
            terms = step(xb, idx, gen)
            for k, v in terms.items():
                sums[k] = sums.get(k, 0) + v.detach().float()
            bar.update(1)
        curves["epoch"].append(epoch + 1)
        curves["lr"].append(sched.get_last_lr()[0])
        for k, v in sums.items():  # one host sync per epoch
            curves.setdefault(k, []).append(float(v) / max(steps_per_epoch, 1))
        if evaluate is not None and ((epoch + 1) % eval_every == 0 or epoch + 1 == schedule.epochs):
            curves.setdefault("eval_epoch", []).append(epoch + 1)
            for k, v in evaluate(model).items():
                curves.setdefault(k, []).append(v)
            bar.set_postfix({k: f"{curves[k][-1]:.2f}" for k in curves if k not in ("epoch", "lr", "eval_epoch")})
            model.train()
        if checkpoint:
            atomic_save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
                         "gen": gen.get_state(), "curves": _flatten(curves), "epoch": epoch + 1}, checkpoint)
    bar.close()
    return curves


def _mean_of(model: nn.Module, x: torch.Tensor) -> tuple[float, ...]:
    """The fill value for padding/rotations: the model's input mean if it normalises, else mid-grey."""
    mean = getattr(model, "mean", None)
    return tuple(mean.flatten().tolist()) if mean is not None else (0.5,) * x.shape[1]


def _flatten(curves: dict[str, list]) -> dict[str, torch.Tensor]:
    # weights_only loading accepts tensors and plain containers; curves of unequal length stay separate tensors.
    return {k: torch.tensor(v, dtype=torch.float64) for k, v in curves.items()}


def _unflatten(state: dict[str, torch.Tensor]) -> dict[str, list]:
    return {k: [int(a) if k.endswith("epoch") else float(a) for a in v.tolist()] for k, v in state.items()}


def atomic_save(obj, path: str | Path) -> None:
    """torch.save to a temporary file in the same folder, fsync, then rename: a crash leaves the old file or none."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        torch.save(obj, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
