"""Target-class balancing of a transfer set drawn from ordered pools (Nayak et al., WACV'21, Algorithm 1).

* :func:`compose_balanced` — **Algorithm 1**: walk an ordered list of unlabelled pools D_1 … D_M, one teacher
  forward per drawn sample, keep a sample only while its predicted class holds fewer than ⌊N/C⌋ samples, stop as
  soon as every class is full or the pools are exhausted. Returns the set, the achieved per-class counts and the
  draws spent (per pool).
* ``SELECTORS["class_balanced"]`` — the same algorithm as a selector over one (already concatenated, ordered)
  pool, so a plain ``Transfer(select="class_balanced")`` works too.
* :func:`random_subset` — the paper's unbalanced baseline: the same number of samples from the first pool.

Reading choices (the paper does not say): ⌊N/C⌋ per class when C does not divide N; the chunked teacher forward
never looks past the point where Algorithm 1 could stop (a chunk is at most the number of free slots), so the
number of teacher forwards equals the number of draws exactly (``min_chunk`` > 1 trades that for speed and is
reported as ``forwards`` ≥ ``draws``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import torch

from kdnb.selection.base import SELECTORS
from kdnb.sources.streams import TensorPool

# ----------------------------------------------------------------------------------------------------- Algorithm 1


@dataclass
class Composed:
    """What Algorithm 1 returns: the set and how it was obtained."""

    x: torch.Tensor  # uint8 (size, C, H, W), in the order accepted
    labels: torch.Tensor  # the teacher's predicted class of each kept sample
    where: list[tuple[int, int]]  # (pool number, position in that pool) of each kept sample
    class_counts: list[int]
    per_class: int  # ⌊N/C⌋
    draws: int  # samples taken out of the pools (each got one teacher forward)
    forwards: int  # teacher forwards actually made (== draws unless min_chunk > 1)
    draws_per_pool: list[int]
    kept_per_pool: list[int]
    full: bool  # every class reached ⌊N/C⌋

    def info(self) -> dict:
        empty = [c for c, k in enumerate(self.class_counts) if k == 0]
        return {"class_counts": self.class_counts, "per_class": self.per_class, "draws": self.draws,
                "forwards": self.forwards, "draws_per_pool": self.draws_per_pool,
                "kept_per_pool": self.kept_per_pool, "full": self.full, "empty_classes": empty,
                "short_classes": [c for c, k in enumerate(self.class_counts) if k < self.per_class]}


def compose_balanced(pools: Sequence, predict: Callable[[torch.Tensor], torch.Tensor], n: int, num_classes: int,
                     chunk: int = 4096, min_chunk: int = 1, progress: bool = False) -> Composed:
    """Algorithm 1 of paper B over ``pools`` (objects with ``take(k) -> uint8 tensor``, empty when exhausted).

    ``predict(x)`` returns the teacher's predicted classes (one forward per image). Lines 3–14 of Algorithm 1:
    for each pool in order, while some class has fewer than ⌊N/C⌋ samples and the pool is not empty, draw a
    sample, label it with the teacher and keep it if its class is not full; stop when all classes are full.
    """
    cap = n // num_classes
    if cap < 1:
        raise ValueError(f"N={n} gives fewer than one sample per class for C={num_classes}")
    counts = [0] * num_classes
    open_classes = num_classes  # classes with fewer than cap samples
    kept_x, kept_y, where = [], [], []
    draws_per_pool, kept_per_pool = [0] * len(pools), [0] * len(pools)
    draws = forwards = 0
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=cap * num_classes, desc="Algorithm 1", unit="kept", leave=False, mininterval=1.0)
    for p, pool in enumerate(pools):
        while open_classes > 0:
            free = sum(cap - k for k in counts)
            xb = pool.take(max(min_chunk, min(chunk, free)))  # never past the earliest possible stop
            if len(xb) == 0:
                break  # D_i = ∅
            labels = predict(xb).cpu().long().tolist()
            forwards += len(xb)
            used = len(xb)
            start = draws_per_pool[p]
            take = []
            for i, c in enumerate(labels):
                if counts[c] < cap:
                    counts[c] += 1
                    take.append(i)
                    if counts[c] == cap:
                        open_classes -= 1
                        if open_classes == 0:
                            used = i + 1  # Algorithm 1 stops here; the rest of the chunk is not drawn
                            break
            if take:
                idx = torch.tensor(take, dtype=torch.long)
                kept_x.append(xb[idx])
                kept_y.extend(labels[i] for i in take)
                where.extend((p, start + i) for i in take)
                kept_per_pool[p] += len(take)
                if bar is not None:
                    bar.update(len(take))
            draws_per_pool[p] += used
            draws += used
        if open_classes == 0:
            break
    if bar is not None:
        bar.close()
    shape = pools[0].take(0).shape[1:] if pools else ()
    x = torch.cat(kept_x) if kept_x else torch.empty((0, *shape), dtype=torch.uint8)
    return Composed(x, torch.tensor(kept_y, dtype=torch.long), where, counts, cap, draws, forwards,
                    draws_per_pool, kept_per_pool, open_classes == 0)


@SELECTORS.register("class_balanced")
def class_balanced(pool, logits, n, num_classes, gen, chunk: int = 4096, min_chunk: int = 1, **_):
    """Algorithm 1 over one pool taken in its given order (concatenate pools D_1, D_2, … in order)."""
    out = compose_balanced([TensorPool(pool)], lambda x: logits(x).argmax(1), n, num_classes, chunk=chunk,
                           min_chunk=min_chunk)
    index = torch.tensor([i for _, i in out.where], dtype=torch.long, device=pool.device)
    return index, {"labels": out.labels, **out.info()}


def random_subset(pools: Sequence, size: int) -> torch.Tensor:
    """The unbalanced baseline: the first ``size`` samples of the first pool (pools are drawn in a random order)."""
    x = pools[0].take(size)
    if len(x) < size:
        raise ValueError(f"the first pool holds {len(x)} samples, fewer than the {size} asked for")
    return x


__all__ = ["Composed", "compose_balanced", "class_balanced", "random_subset"]
