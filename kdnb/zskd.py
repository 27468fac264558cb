"""ZSKD's distillation step (Nayak et al., ICML'19, ``vcl-iisc/ZSKD`` ``model_training/train.py``), which paper B
very likely follows (official-code-notes §B), as named pieces for the engine.

* ``zskd_loss`` — the student loss: T²·softCE(student_logits / T, teacher_softmax_T) with T = 20, batch mean
  (``tf.square(T) * reduce_mean(softmax_cross_entropy_with_logits_v2(logits / T, z))``; z is the teacher's softmax
  at T = 20). The hard-label term (λ = 0.3) is off for a student (``student_loss = False``). It differs from
  ``kdnb.losses.soft_ce`` at τ = 20 (paper B Eq. 2 as kdnb's ``BKDRun`` runs it) only by the factor T² = 400;
  under Adam that factor only divides Adam's ε by 400.
* ``zskd_transform`` — ZSKD's offline expansion of every mini-batch (``kdnb.augment.zskd``, 106 images per
  original) as an ``engine.Update.transform`` (called as ``transform(x, generator)`` before the objective), so the
  whole expansion is one optimiser step, as in ZSKD.
* ``zskd_objective`` — the teacher relabels every image of the (expanded) batch it is given, and the student
  learns ``zskd_loss`` on it: ``{"kd": ...}``.

ZSKD's other defaults (not set here): Adam lr 1e-3, batch 64, 500 epochs, constant learning rate, inputs in [0, 1]
without normalisation, 32×32 LeNet-5 inputs for MNIST; it reports the best test accuracy over epochs.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from kdnb.augment.zskd import zskd_expand
from kdnb.losses import soft_ce

ZSKD_TEMPERATURE = 20.0


def zskd_targets(teacher_logits: torch.Tensor, temperature: float = ZSKD_TEMPERATURE) -> torch.Tensor:
    """The teacher's softmax at T (ZSKD ``cifar_10_soft_logits_from_alexnet_teacher``: ``softmax(logits / 20)``)."""
    return F.softmax(teacher_logits.float() / temperature, dim=1)


def zskd_loss(student_logits: torch.Tensor, teacher_logits: torch.Tensor,
              temperature: float = ZSKD_TEMPERATURE) -> torch.Tensor:
    """T² · mean_i(−Σ_c p_T(c | x_i) log p_S(c | x_i)), both softmaxes at T (ZSKD ``train.py``, T = 20)."""
    t = float(temperature)
    return t * t * soft_ce(student_logits, zskd_targets(teacher_logits, t), t)


def zskd_transform(noise: bool = True, fixed_noise: bool = True):
    """``transform(x, generator) -> expanded x``: ZSKD's expansion (``kdnb.augment.zskd.zskd_expand``) for an
    ``engine.Update``; the objective after it sees the 106·B images."""
    def transform(x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        return zskd_expand(x, generator, noise=noise, fixed_noise=fixed_noise)
    return transform


def zskd_objective(student: nn.Module, teacher: nn.Module, temperature: float = ZSKD_TEMPERATURE):
    """The objective of ZSKD's student step: the frozen teacher labels every image of ``batch.x`` (after the
    expansion when ``zskd_transform`` is the update's transform) and the student learns ``zskd_loss``."""
    if not (isinstance(temperature, (int, float)) and 0 < temperature < 1e3):
        raise ValueError(f"temperature must be in (0, 1000), got {temperature!r}")
    teacher.eval().requires_grad_(False)

    def objective(batch):
        with torch.no_grad():
            t_logits = teacher(batch.x)
        return {"kd": zskd_loss(student(batch.x), t_logits, temperature)}
    return objective


__all__ = ["ZSKD_TEMPERATURE", "zskd_loss", "zskd_objective", "zskd_targets", "zskd_transform"]
