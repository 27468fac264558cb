"""The teacher's most confident candidates (DFND-style "learning in the wild" selection, HiDFD's collected set).

HiDFD (Tang et al. 2025, §"Experiments") only says it follows DFND (Chen et al. 2021b); its code keeps the
``num_select`` images with the smallest CE(teacher(x), argmax teacher(x)) (official-code-notes D.4), i.e. the
largest maximum softmax probability. The code scores RandomResizedCrop + flip views, so its selection is random;
kdnb scores the images themselves (deterministic). Labels are the teacher's argmax.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from kdnb.selection.base import SELECTORS


def confidence_loss(logits: torch.Tensor) -> torch.Tensor:
    """CE(softmax(logits), argmax): −log max_c softmax_c, per row (small = confident). In float64: in float32 every
    margin above ~17 gives exactly 0, and the ranking would fall back to pool order."""
    return -F.log_softmax(logits.double(), dim=1).max(dim=1).values


def margin(logits: torch.Tensor) -> torch.Tensor:
    """Top-1 minus top-2 logit, per row: it orders the candidates whose confidence loss is exactly 0 even in float64
    (a margin above ~37), which an over-confident teacher gives to many images."""
    top = logits.double().topk(2, dim=1).values
    return top[:, 0] - top[:, 1]


@SELECTORS.register("confident")
def confident(pool, logits, n, num_classes, gen, **_):
    """The ``n`` candidates with the smallest confidence loss, ties broken by the larger logit margin, then by pool
    order; with their labels."""
    if n > len(pool):
        raise ValueError(f"asked for {n} images from a pool of {len(pool)}")
    out = logits(pool)
    loss = confidence_loss(out)
    by_margin = torch.sort(-margin(out), stable=True).indices
    order = by_margin[torch.sort(loss[by_margin], stable=True).indices][:n]
    return order.to(pool.device), {"draws": len(pool), "labels": out[order].argmax(1),
                                   "max_loss_kept": float(loss[order].max())}


__all__ = ["confident", "confidence_loss", "margin"]
