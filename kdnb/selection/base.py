"""The selector registry, the two teacher-free rules, and class histograms with their relative entropy.

A selector is ``fn(pool, logits, n, num_classes, gen, **params) -> (index, info)``: ``logits(x)`` returns the
teacher's logits (float32, one teacher forward per image) of uint8 images ``x``, so a rule may use the whole
output (confidence, entropy, per-sample loss), not only the argmax; ``index`` are the chosen pool rows (repeats
allowed) and ``info`` is a JSON-able dict (e.g. draws spent). A selector that labelled its candidates adds
``labels`` (the teacher's class of each chosen row, a tensor): the caller then needs no second teacher forward.
"""
from __future__ import annotations

from typing import Callable

import torch

from kdnb.registry import Registry

SELECTORS: Registry = Registry("selector")
Logits = Callable[[torch.Tensor], torch.Tensor]


@SELECTORS.register("first")
def first(pool, logits, n, num_classes, gen, **_):
    """The first n candidates, no teacher involved (a pool drawn i.i.d. is already a random sample)."""
    if n > len(pool):
        raise ValueError(f"asked for {n} images from a pool of {len(pool)}")
    return torch.arange(n, device=pool.device), {"draws": n}


@SELECTORS.register("random")
def random(pool, logits, n, num_classes, gen, **_):
    """n candidates drawn uniformly without replacement: the unbalanced baseline at equal size."""
    if n > len(pool):
        raise ValueError(f"asked for {n} images from a pool of {len(pool)}")
    return torch.randperm(len(pool), generator=gen, device=gen.device)[:n].to(pool.device), {"draws": len(pool)}


def class_counts(pred: torch.Tensor, num_classes: int) -> list[int]:
    return torch.bincount(pred.flatten().long(), minlength=num_classes).tolist()


def relative_entropy(counts) -> float:
    """H(p)/H(U_C) of a class-prediction histogram (paper A Table 3): 1 for uniform, 0 for a single class."""
    c = torch.as_tensor(counts, dtype=torch.float64)
    p = c / c.sum()
    h = -(p[p > 0] * p[p > 0].log()).sum()
    return float(h / torch.log(torch.tensor(float(len(c)))))


__all__ = ["SELECTORS", "Logits", "first", "random", "class_counts", "relative_entropy"]
