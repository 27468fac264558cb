"""Objectives of the engine's updates: each maps a batch to a dict of named loss terms (mdistiller's convention).

``ce_objective`` trains a teacher on labelled images; ``kd_objective`` distils a student from a frozen teacher
that labels each (augmented, mixed) image the student sees — the batch transform runs before the objective.
"""
from __future__ import annotations

import torch
from torch import nn

from kdnb.config import require
from kdnb.engine import Batch
from kdnb.losses import kd_kl, soft_ce, teacher_targets

KD_LOSSES = ("kl", "soft_ce")  # paper A Eq. 2 (τ²·KL) | paper B Eq. 2 (soft cross-entropy at τ)
TARGETS = ("soft", "onehot", "smooth")  # the teacher's softmax | its argmax | argmax with label smoothing


def check_kd(owner: str, temperature, targets: str = "soft", loss: str = "kl") -> None:
    """One ``ConfigError`` line for a KD setting out of range: τ in (0, 1000), a known target mode and loss."""
    require(isinstance(temperature, (int, float)) and 0 < temperature < 1e3, owner, "temperature", temperature,
            "a temperature in (0, 1000)")
    require(targets in TARGETS, owner, "targets", targets, f"one of {list(TARGETS)}")
    require(loss in KD_LOSSES, owner, "loss", loss, f"one of {list(KD_LOSSES)}")


def ce_objective(model: nn.Module, labels: torch.Tensor):
    """Teacher training: one-hot cross-entropy (paper A §4) against ``labels[batch.index]``."""
    def objective(batch: Batch):
        return {"ce": nn.functional.cross_entropy(model(batch.x).float(), labels[batch.index])}
    return objective


def kd_objective(student: nn.Module, teacher: nn.Module, temperature: float, targets: str = "soft",
                 loss: str = "kl"):
    """Distillation from a frozen teacher that labels each image the student sees.

    loss='kl': τ²·KL (paper A Eq. 2, Hinton); loss='soft_ce': soft cross-entropy at τ (paper B Eq. 2).
    targets='onehot'/'smooth' replace the teacher's softmax by its argmax (paper A Table 4).
    """
    check_kd("kd_objective", temperature, targets, loss)
    teacher.eval().requires_grad_(False)

    def objective(batch: Batch):
        with torch.no_grad():
            t_logits = teacher(batch.x)
        s_logits = student(batch.x)
        if targets == "soft" and loss == "kl":
            return {"kd": kd_kl(s_logits, t_logits, temperature)}
        return {"kd": soft_ce(s_logits, teacher_targets(t_logits, targets, temperature), temperature)}
    return objective


__all__ = ["ce_objective", "kd_objective", "check_kd", "KD_LOSSES", "TARGETS"]
