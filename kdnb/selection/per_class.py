"""Selection per teacher-predicted class (Frank & Davis, CVPR'25, §3.2 Eq. 1; Table 4).

Two selectors are registered in ``SELECTORS`` (use them as ``Transfer(select=...)``):

``per_class`` — §3.2, Eq. 1: pass every candidate of the initial set D_S through the teacher; for every class
    c_i the teacher predicts, draw N_i of the images predicted as c_i at random. A class predicted 0 times is
    skipped and its share goes to the others (N_i = n / K over the K predicted classes; the remainder n mod K is
    given, one image each, to randomly chosen predicted classes). A class predicted fewer than N_i times (but
    more than 0) is replicated: all its images are taken as often as they fit, the rest drawn at random. Every
    chosen image then satisfies F_T(x_j) = y_j (Eq. 1).
    Table 4's "20K Balanced Examples" are this rule.
``longtail`` — Table 4 "20K Long Tail Examples": per-class counts decaying exponentially from the most to the
    least frequent class, n_i ∝ ρ^(−i/(C−1)), rescaled to sum to n. **The paper gives neither the shape nor ρ**;
    we use the CIFAR-LT convention (Cui et al. 2019) with ρ = 10, the largest round ratio for which 20K
    CIFAR-10 images fit in its 5,000 per class (n_max = 4,896). The order of the classes (which is the head) is a
    random permutation drawn from the selection's generator; classes with fewer predictions than their count are
    replicated as above.

Relative entropy of a class-prediction histogram (Table 3) is ``kdnb.selection.relative_entropy``.
"""
from __future__ import annotations

import torch

from kdnb.selection.base import SELECTORS, class_counts

LONGTAIL_RATIO = 10.0  # ours: ρ = n_max / n_min of the long-tail subset (the paper does not say)


def split_evenly(n: int, classes: list[int], gen: torch.Generator) -> dict[int, int]:
    """N_i for each class in ``classes``: n // K each, the remainder (n mod K) one each to random classes."""
    k = len(classes)
    if k == 0:
        raise ValueError("the teacher predicted no class at all (empty pool)")
    base, extra = divmod(n, k)
    lucky = set(torch.randperm(k, generator=gen, device=gen.device)[:extra].tolist())
    return {c: base + (1 if j in lucky else 0) for j, c in enumerate(classes)}


def longtail_counts(n: int, num_classes: int, ratio: float = LONGTAIL_RATIO) -> list[int]:
    """Counts n_0 ≥ n_1 ≥ … of an exponential long tail with n_0 / n_{C−1} ≈ ``ratio``, summing exactly to n."""
    if num_classes == 1:
        return [n]
    w = torch.tensor([ratio ** (-i / (num_classes - 1)) for i in range(num_classes)], dtype=torch.float64)
    raw = w / w.sum() * n
    counts = raw.floor().long()
    short = n - int(counts.sum())
    # largest remainders get the leftover images (ties: earlier, i.e. larger, classes first)
    order = torch.argsort(raw - counts, descending=True, stable=True)
    counts[order[:short]] += 1
    return counts.tolist()


def take_per_class(pred: torch.Tensor, want: dict[int, int], gen: torch.Generator) -> tuple[torch.Tensor, list[int]]:
    """Pool indices with ``want[c]`` images predicted as c: drawn without replacement, replicated if too few.

    Returns (index, replicated classes).
    """
    out, replicated = [], []
    for c, k in want.items():
        if k <= 0:
            continue
        members = (pred == c).nonzero().squeeze(1)
        if len(members) == 0:
            raise ValueError(f"class {c} was never predicted; cannot take {k} images of it")
        perm = members[torch.randperm(len(members), generator=gen, device=gen.device).to(members.device)]
        if len(members) >= k:
            out.append(perm[:k])
        else:  # replicate whole copies, then a random remainder
            replicated.append(c)
            reps, rest = divmod(k, len(members))
            out.append(torch.cat([members.repeat(reps), perm[:rest]]))
    return torch.cat(out) if out else torch.zeros(0, dtype=torch.long, device=pred.device), replicated


def _predict_all(pool: torch.Tensor, logits, chunk: int = 4096) -> torch.Tensor:
    """The teacher's predicted class of every candidate."""
    return torch.cat([logits(x).argmax(1) for x in pool.split(chunk)]).to(pool.device)


@SELECTORS.register("per_class")
def per_class(pool, logits, n, num_classes, gen, **_):
    """Paper A §3.2, Eq. 1: N_i = n / K images per teacher-predicted class (K classes predicted at least once)."""
    pred = _predict_all(pool, logits)
    pool_counts = class_counts(pred, num_classes)
    present = [c for c in range(num_classes) if pool_counts[c] > 0]
    want = split_evenly(n, present, gen)
    index, replicated = take_per_class(pred, want, gen)
    return index, {"labels": pred[index], "draws": len(pool), "pool_class_counts": pool_counts,
                   "predicted_classes": len(present),
                   "per_class": [want.get(c, 0) for c in range(num_classes)], "replicated_classes": replicated}


@SELECTORS.register("longtail")
def longtail(pool, logits, n, num_classes, gen, ratio: float = LONGTAIL_RATIO, **_):
    """Table 4's long-tail subset: exponentially decaying per-class counts over the predicted classes (ρ = ratio)."""
    pred = _predict_all(pool, logits)
    pool_counts = class_counts(pred, num_classes)
    present = [c for c in range(num_classes) if pool_counts[c] > 0]
    order = [present[i] for i in torch.randperm(len(present), generator=gen, device=gen.device).tolist()]
    want = dict(zip(order, longtail_counts(n, len(order), ratio)))
    index, replicated = take_per_class(pred, want, gen)
    return index, {"labels": pred[index], "draws": len(pool), "pool_class_counts": pool_counts,
                   "predicted_classes": len(present),
                   "per_class": [want.get(c, 0) for c in range(num_classes)], "replicated_classes": replicated,
                   "longtail_ratio": ratio}


__all__ = ["per_class", "longtail", "split_evenly", "longtail_counts", "take_per_class", "LONGTAIL_RATIO"]
