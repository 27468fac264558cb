"""Distillation with the decision-boundary attack's images added to the transfer set (paper A §4.1, Table 6).

Table 6 compares students distilled "with and without" the attack ("the inclusion of our adversarial perturbation
strategy"); when the attack runs during distillation the paper does not say. The official code attacks each
augmented, mixed batch, but only in an analysis script; whether its images replace the batch, join it or are
precomputed is not visible (official-code-notes A.6). Our reading, stated in notebook 18:

* **offline, once**: the selected transfer set (before augmentation, without mixup) is attacked once; the successful
  inputs' four images each (post, pre, deeper(post), deeper(pre)) are **added** to the clean set;
* the student takes the **same number of steps** as the run without the attack: the epoch length stays that of the
  clean set, so each epoch draws a random part of the larger set, and the schedule, the learning-rate curve and the
  evaluations are those of the plain run. The augmentation and mixup of the plain run apply to every image, and the
  teacher labels every augmented view, as in plain KD (so the attack's own labels are not used by training).

The attacked images are stored as uint8 like every transfer set: rounding moves a pixel by ≤ 0.5/255, far less than
ε and the augmentation; the record says how many pairs still straddle the boundary after rounding.

``mode='online'`` is the official code's place for the attack: every (augmented, mixed) batch is attacked before the
student's step and the successful inputs' four images each join it (float, not rounded), so a step sees up to five
times as many images; the number of steps is again the plain run's. It costs K teacher forward and backward passes
per batch (an accelerator's option) and reads the number of successes once per batch.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import torch

from kdnb import augment
from kdnb.attack import KINDS, BoundaryAttack, attack_in_chunks, boundary_attack
from kdnb.config import require
from kdnb.engine import TensorSource, Update, accuracy, learner, predict, train
from kdnb.methods.common import classifier_metrics, eval_every, make_model, trained_teacher
from kdnb.methods.kd import KDRun, build_transfer
from kdnb.objectives import kd_objective
from kdnb.runs import EXPERIMENTS, Context, RunFolder
from kdnb.selection import class_counts, relative_entropy

MODES = ("offline", "online")  # when the attack runs: once, on the selected set | on every batch


@dataclass(frozen=True)
class AttackKDRun(KDRun):
    """A :class:`KDRun` whose transfer set also holds the boundary attack's images (paper A Table 6, "✓" rows).

    Every field of the KD run keeps its meaning; ``attack`` sets the attack, ``mode`` when it runs ('offline': once,
    before training; 'online': on every batch).
    The attack's random targets are drawn from ``seed``.
    """

    attack: BoundaryAttack = BoundaryAttack()
    mode: str = "offline"

    def __post_init__(self):
        super().__post_init__()
        require(isinstance(self.attack, BoundaryAttack), "AttackKDRun", "attack", self.attack, "a BoundaryAttack")
        require(self.mode in MODES, "AttackKDRun", "mode", self.mode, f"one of {list(MODES)}")


def with_attack(cfg: KDRun, attack: BoundaryAttack = BoundaryAttack(), mode: str = "offline") -> AttackKDRun:
    """The run ``cfg`` with the attack's images added to its transfer set."""
    fields = {f: getattr(cfg, f) for f in KDRun.__dataclass_fields__}
    return AttackKDRun(**fields, attack=attack, mode=mode)


def to_uint8(x: torch.Tensor) -> torch.Tensor:
    """Float images in [0, 1] → uint8 (rounded), the storage of every transfer set."""
    return x.mul(255).round_().clamp_(0, 255).to(torch.uint8)


@torch.no_grad()
def attacked_transfer(cfg: AttackKDRun, teacher, teacher_spec: dict, ctx: Context, chunk: int = 1024):
    """The clean transfer set and the attack's images added to it: ``(x_clean, x_attack, summary)``, uint8 on
    ctx.device. ``summary`` is the clean set's, with ``attack``: success rate, mean iterations, images added, the
    teacher's class counts of them, how many pairs still straddle after rounding, and the attack's speed."""
    x, summary = build_transfer(cfg.transfer, teacher, teacher_spec, ctx)
    gen = torch.Generator(device=ctx.device).manual_seed(cfg.seed)
    t0 = time.perf_counter()
    res = attack_in_chunks(teacher, x.float().div(255), cfg.attack, gen=gen, chunk=chunk)
    xa, ya, kind = res.images()
    seconds = time.perf_counter() - t0
    xa8 = to_uint8(xa)
    pred8 = predict(teacher, xa8).argmax(1)
    s = int(res.success.sum())
    t = res.target[res.success]
    straddle = (pred8[:s] == t) & (pred8[s:2 * s] != t)  # post on t's side, pre not, after rounding
    counts = class_counts(ya.cpu(), teacher_spec["num_classes"])
    summary = {**summary, "attack": {
        "inputs": len(x), "successes": s, "success_rate": res.success_rate, "mean_iterations": res.mean_iterations,
        "images": len(xa8), "kinds": list(KINDS), "class_counts": counts, "relative_entropy": relative_entropy(counts),
        "straddle_after_rounding": float(straddle.float().mean()) if s else float("nan"),
        "labels_kept_after_rounding": float((pred8 == ya).float().mean()) if s else float("nan"),
        "image_iterations": res.image_iterations, "seconds": seconds,
        "image_iterations_per_s": res.image_iterations / max(seconds, 1e-9)}}
    return x, xa8, summary


def online_attack(teacher, attack: BoundaryAttack, mixup: bool, counts: dict):
    """The batch transform of ``mode='online'``: mixup (if on), then the attack; the batch with the successful
    inputs' four images each appended. ``counts`` accumulates inputs and successes (on the device)."""
    def transform(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
        if mixup:
            x = augment.mixup(x, gen)
        r = boundary_attack(teacher, x, attack, gen=gen)
        counts["inputs"] += len(x)
        counts["successes"] = counts["successes"] + r.success.sum()
        counts["image_iterations"] += r.image_iterations
        return torch.cat([x, r.images()[0]])
    return transform


@EXPERIMENTS.register("AttackKDRun")
def run_attack_kd(cfg: AttackKDRun, ctx: Context, folder: RunFolder):
    dev = ctx.device
    teacher_rec, teacher = trained_teacher(cfg.teacher, ctx)
    tspec = teacher_rec.metrics["model"]
    counts = {"inputs": 0, "successes": torch.zeros((), device=dev, dtype=torch.long), "image_iterations": 0}
    if cfg.mode == "offline":
        x, xa, summary = attacked_transfer(cfg, teacher, tspec, ctx)
        transform = augment.mixup if cfg.schedule.mixup else None
    else:
        x, summary = build_transfer(cfg.transfer, teacher, tspec, ctx)
        xa = x[:0]
        transform = online_attack(teacher, cfg.attack, cfg.schedule.mixup, counts)
    test = cfg.teacher.data("test", ctx)
    xt, yt = test.x.to(dev), test.y.to(dev)
    spec = {**tspec, "arch": cfg.student}
    student = make_model(spec)
    s = cfg.schedule
    mean = tuple(student.mean.flatten().tolist())
    source = TensorSource(torch.cat([x, xa]), s.batch_size, augment.build(s.augment, image_size=x.shape[-1], mean=mean))
    steps = len(x) // min(s.batch_size, len(x))  # the plain run's epoch: the same number of student steps
    lrn = learner(student, s, steps * s.epochs, dev)
    plan = [Update("train", "model", "data", kd_objective(student, teacher, cfg.temperature, cfg.targets, cfg.loss),
                   transform=transform)]
    curves = train({"model": lrn}, {"data": source}, plan, epochs=s.epochs, steps_per_epoch=steps, seed=cfg.seed,
                   evaluate=lambda: {"test_acc": accuracy(student, xt, yt)},
                   eval_every=eval_every(cfg.eval_every, s.epochs), checkpoint=folder.path("partial.pt"),
                   desc=f"KD+attack {cfg.student} ← {cfg.transfer.source}", progress=ctx.progress)
    folder.save("model.pt", student.state_dict())
    folder.path("partial.pt").unlink(missing_ok=True)
    if cfg.mode == "online":  # over the batches of this process (a resumed run counts those after the resume)
        n = max(counts["inputs"], 1)
        summary = {**summary, "attack": {"inputs": counts["inputs"], "successes": int(counts["successes"]),
                                         "success_rate": int(counts["successes"]) / n,
                                         "images": 4 * int(counts["successes"]), "kinds": list(KINDS),
                                         "image_iterations": counts["image_iterations"]}}
    metrics = {**classifier_metrics(curves, spec["num_classes"]), "teacher_acc": teacher_rec.metrics["test_acc"],
               "transfer": summary, "model": spec, "student_steps": steps * s.epochs}
    return metrics, curves


__all__ = ["AttackKDRun", "with_attack", "attacked_transfer", "online_attack", "to_uint8", "MODES"]
