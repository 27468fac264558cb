"""Mixup as paper A uses it for distillation (Frank & Davis, CVPR'25, §4 "Distillation Training Details").

Paper A: "for both real and synthetic distillation datasets we also included mixup [Zhang et al.] with
α ∈ U(0, 1), similar to [Beyer et al., 'function matching']". We read this as a mixing weight λ ~ U(0, 1)
(= Beta(1, 1)) drawn per image, with the partner taken from a random permutation of the batch. In KD as
function matching the teacher labels the mixed image, so no labels are mixed. Apply after augmentation.
"""
from __future__ import annotations

from typing import NamedTuple

import torch


class Mixed(NamedTuple):
    x: torch.Tensor      # (1 − λ)·x + λ·x[perm]
    lam: torch.Tensor    # (B,) mixing weight per image
    perm: torch.Tensor   # (B,) partner index per image


def mixup_with_params(x: torch.Tensor, generator=None) -> Mixed:
    """Mix each image with a random partner: x ← (1 − λ)·x + λ·x[perm], λ ~ U(0, 1) per image."""
    lam = torch.rand(x.shape[0], generator=generator, device=x.device, dtype=x.dtype)
    perm = torch.randperm(x.shape[0], generator=generator, device=x.device)
    w = lam.view(-1, *([1] * (x.dim() - 1)))
    return Mixed((1 - w) * x + w * x[perm], lam, perm)


def mixup(x: torch.Tensor, generator=None) -> torch.Tensor:
    """``mixup_with_params(x, generator).x``: the mixed batch only."""
    return mixup_with_params(x, generator).x
