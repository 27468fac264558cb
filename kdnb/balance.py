"""Paper B (Nayak, Mopuri & Chakraborty, WACV'21): target-class-balanced arbitrary transfer sets.

* :func:`compose_balanced` — **Algorithm 1**: walk an ordered list of unlabelled pools D_1 … D_M, one teacher
  forward per drawn sample, keep a sample only while its predicted class holds fewer than ⌊N/C⌋ samples, stop as
  soon as every class is full or the pools are exhausted. Returns the set, the achieved per-class counts and the
  draws spent (per pool).
* ``SELECTORS["balanced"]`` — the same algorithm as a kdnb selector over one (already concatenated, ordered) pool,
  so a plain ``Transfer(select="balanced")`` works too.
* :class:`Pool`, :class:`ArbitrarySet` — a run kind that composes a transfer set from pools: ``balanced=True`` is
  Algorithm 1; ``balanced=False`` is the paper's unbalanced baseline, the same number of samples drawn at random
  from the first pool (the paper's "unbalanced" rows use D_1 alone: random noise, Clevr, SVHN).
* :class:`BKDRun` — distillation through an :class:`ArbitrarySet` with the paper's Eq. 2 (soft cross-entropy
  between teacher and student softmaxes at temperature τ, no hard-label term).

Where the paper is silent we follow the same authors' ZSKD code (official-code-notes §B): τ = 20, Adam lr 1e-3,
constant learning rate, inputs in [0, 1]; the teacher relabels every augmented image (kdnb's ``kd_objective``
queries the teacher on the augmented batch, as ZSKD's offline expansion did).

Reading choices (the paper does not say): ⌊N/C⌋ per class when C does not divide N; the chunked teacher forward
never looks past the point where Algorithm 1 could stop (a chunk is at most the number of free slots), so the
number of teacher forwards equals the number of draws exactly (``min_chunk`` > 1 trades that for speed and is
reported as ``forwards`` ≥ ``draws``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import torch

from kdnb.data import load_dataset
from kdnb.runs import EXPERIMENTS, Context, RunFolder, run
from kdnb.select import SELECTORS, class_counts, relative_entropy
from kdnb.train import Schedule, accuracy, fit, kd_objective, predict
from kdnb import pools_b as _pools_b  # noqa: F401  (registers paper B datasets and the binary teacher)
from kdnb.models import inception as _inception  # noqa: F401  (registers "inception_v3")

# ------------------------------------------------------------------------------------------------ pools as streams


class TensorPool:
    """A finite pool held as a uint8 tensor, drawn in order (shuffle it first for a random order)."""

    def __init__(self, x: torch.Tensor, name: str = "pool"):
        self.x, self.name, self.pos = x, name, 0

    def take(self, k: int) -> torch.Tensor:
        out = self.x[self.pos:self.pos + k]
        self.pos += len(out)
        return out

    def __len__(self) -> int:
        return len(self.x)


class NoiseStream:
    """Per-pixel noise drawn lazily in fixed blocks, so millions of candidates never sit in memory.

    kind 'uniform': U[0, 1] per pixel as uniform bytes 0..255 (paper B §4 "Random noise"); kind 'gaussian':
    N(mean, std) clipped to [0, 1] (paper B's CIFAR-100 pool, μ = 0.5, σ = 0.1). Block b is generated from the
    seed (seed, b), so the stream does not depend on how it is consumed. Same distributions as
    ``kdnb.sources``' uniform_noise / gaussian_noise, but a different (faster, torch) random stream.
    """

    BLOCK = 8192

    def __init__(self, kind: str, channels: int, size: int, seed: int, limit: int, mean: float = 0.5,
                 std: float = 0.1, name: str | None = None):
        if kind not in ("uniform", "gaussian"):
            raise ValueError(f"noise kind must be 'uniform' or 'gaussian', got {kind!r}")
        self.kind, self.shape, self.seed, self.limit = kind, (channels, size, size), seed, int(limit)
        self.mean, self.std, self.name = mean, std, name or f"{kind} noise"
        self.pos, self._block, self._buf = 0, -1, None

    def _make(self, b: int) -> torch.Tensor:
        g = torch.Generator().manual_seed(self.seed * 1_000_003 + b)
        if self.kind == "uniform":
            return torch.randint(0, 256, (self.BLOCK, *self.shape), generator=g, dtype=torch.uint8)
        x = torch.randn((self.BLOCK, *self.shape), generator=g).mul_(self.std).add_(self.mean)
        return x.clamp_(0, 1).mul_(255).round_().to(torch.uint8)

    def take(self, k: int) -> torch.Tensor:
        k = min(k, self.limit - self.pos)
        parts = []
        while k > 0:
            b, off = divmod(self.pos, self.BLOCK)
            if b != self._block:
                self._block, self._buf = b, self._make(b)
            got = self._buf[off:off + k]
            parts.append(got)
            self.pos += len(got)
            k -= len(got)
        return torch.cat(parts) if parts else torch.empty((0, *self.shape), dtype=torch.uint8)

    def __len__(self) -> int:
        return self.limit


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


@SELECTORS.register("balanced")
def balanced(pool, predict, n, num_classes, gen, chunk: int = 4096, min_chunk: int = 1, **_):
    """Paper B's Algorithm 1 over one pool taken in its given order (concatenate pools D_1, D_2, … in order)."""
    out = compose_balanced([TensorPool(pool)], predict, n, num_classes, chunk=chunk, min_chunk=min_chunk)
    index = torch.tensor([i for _, i in out.where], dtype=torch.long, device=pool.device)
    return index, {"labels": out.labels, **out.info()}


def random_subset(pools: Sequence, size: int) -> torch.Tensor:
    """The unbalanced baseline: the first ``size`` samples of the first pool (pools are drawn in a random order)."""
    x = pools[0].take(size)
    if len(x) < size:
        raise ValueError(f"the first pool holds {len(x)} samples, fewer than the {size} asked for")
    return x


# ------------------------------------------------------------------------------------------------ run kinds


@dataclass(frozen=True)
class Pool:
    """One unlabelled pool D_i: ``uniform_noise`` / ``gaussian_noise`` (streamed), another ``kdnb.sources`` name
    (rendered), or ``dataset:<name>`` (a registered dataset's training images, labels ignored, shuffled by seed).

    ``limit``: at most this many candidates (required for noise streams; for datasets, None = all of it).
    """

    source: str
    limit: int | None = None
    params: tuple = ()
    seed: int = 0

    @property
    def label(self) -> str:
        return self.source.split(":", 1)[-1]


def open_pool(pool: Pool, channels: int, size: int, ctx: Context, *, dataset_cache: dict | None = None):
    """The pool as a stream. Raises ``DatasetMissing`` (with how to get it) for a real dataset not on disk."""
    kw = dict(pool.params)
    if pool.source in ("uniform_noise", "gaussian_noise"):
        if not pool.limit:
            raise ValueError(f"a noise pool needs a limit (how many candidates at most), got {pool.limit}")
        kind = "uniform" if pool.source == "uniform_noise" else "gaussian"
        return NoiseStream(kind, channels, size, pool.seed, pool.limit, mean=kw.get("mean", 0.5),
                           std=kw.get("std", 0.1), name=pool.source)
    from kdnb.runs import cached_tensor
    if pool.source.startswith("dataset:"):
        name = pool.source.split(":", 1)[1]
        spec = {"dataset": name, "channels": channels, "size": size, "params": pool.params,
                "data_root": str(ctx.data_root)}
        x = cached_tensor("bpool", spec, lambda: load_dataset(name, "train", ctx.data_root, channels=channels,
                                                              size=size, **kw).x, ctx)
        g = torch.Generator().manual_seed(pool.seed)
        x = x[torch.randperm(len(x), generator=g)]
        return TensorPool(x[:pool.limit] if pool.limit else x, pool.label)
    from kdnb.sources import render
    if not pool.limit:
        raise ValueError(f"a rendered source pool needs a limit, got {pool.limit}")
    spec = {"source": pool.source, "count": pool.limit, "channels": channels, "size": size, "params": pool.params,
            "seed": pool.seed}
    x = cached_tensor("pool", spec, lambda: render(pool.source, pool.limit, size, pool.seed, channels=channels,
                                                   **kw), ctx)
    return TensorPool(x, pool.label)


@dataclass(frozen=True)
class ArbitrarySet:
    """A transfer set composed from arbitrary pools for the teacher of ``teacher`` (paper B §3.2, Algorithm 1).

    balanced=True: Algorithm 1 over ``pools`` in order, ⌊n/C⌋ per predicted class at most.
    balanced=False: the unbalanced baseline — random samples of the first pool; with ``match=True`` as many as
    the balanced twin achieved (equal size, the fair comparison), else ``n``.
    """

    teacher: object  # TeacherRun | kdnb.pools_b.BinaryTeacherRun
    pools: tuple[Pool, ...]
    n: int
    balanced: bool = True
    match: bool = True
    chunk: int = 4096
    min_chunk: int = 1

    def twin(self) -> "ArbitrarySet":
        return ArbitrarySet(self.teacher, self.pools, self.n, True, True, self.chunk, self.min_chunk)


def teacher_model(teacher_cfg, ctx: Context):
    from kdnb.experiments import load_model
    rec = run(teacher_cfg, ctx)
    return rec, load_model(rec, device=ctx.device)


@EXPERIMENTS.register("ArbitrarySet")
def run_arbitrary_set(cfg: ArbitrarySet, ctx: Context, folder: RunFolder):
    trec, teacher = teacher_model(cfg.teacher, ctx)
    spec = trec.metrics["model"]
    C, ch, size = spec["num_classes"], spec["in_channels"], spec["image_size"]
    streams = [open_pool(p, ch, size, ctx) for p in cfg.pools]

    def predict_fn(x):
        return predict(teacher, x.to(ctx.device)).argmax(1)

    if cfg.balanced:
        out = compose_balanced(streams, predict_fn, cfg.n, C, chunk=cfg.chunk, min_chunk=cfg.min_chunk,
                               progress=ctx.progress)
        x, info = out.x, out.info()
    else:
        size_ = run(cfg.twin(), ctx).metrics["size"] if cfg.match else cfg.n
        x = random_subset(streams, size_)
        counts = class_counts(predict_fn(x).cpu(), C) if len(x) else [0] * C
        info = {"class_counts": counts, "per_class": cfg.n // C, "draws": len(x), "forwards": len(x),
                "draws_per_pool": [len(x)] + [0] * (len(streams) - 1),
                "kept_per_pool": [len(x)] + [0] * (len(streams) - 1), "full": False,
                "empty_classes": [c for c, k in enumerate(counts) if k == 0],
                "short_classes": [c for c, k in enumerate(counts) if k < cfg.n // C]}
    folder.save("x.pt", x.cpu().contiguous())
    metrics = {"size": len(x), "relative_entropy": relative_entropy(info["class_counts"]) if len(x) else 0.0,
               "pools": [p.label for p in cfg.pools], "teacher_acc": trec.metrics["test_acc"], **info}
    return metrics, {}


@dataclass(frozen=True)
class BKDRun:
    """Distil ``student`` from the teacher through an :class:`ArbitrarySet` with paper B's Eq. 2.

    Eq. 2: θ_S* = argmin Σ_{x∈D̄} L_KD(T(x, θ_T, τ), S(x, θ_S, τ)), L_KD = cross-entropy between the softmaxes at
    temperature τ (``kd_objective(loss='soft_ce')``), no hard-label term. ZSKD defaults (official-code-notes §B):
    τ = 20, Adam 1e-3, constant lr. ``schedule.augment='nayak'`` is §4.2's augmentation (teacher relabels each
    augmented copy).
    """

    transfer: ArbitrarySet
    student: str
    schedule: Schedule = Schedule(epochs=200, batch_size=64, lr=1e-3, momentum=0.0, weight_decay=0.0,
                                  optimizer="adam", cosine=False, augment="none", mixup=False)
    temperature: float = 20.0
    seed: int = 0
    eval_every: int = 0


@EXPERIMENTS.register("BKDRun")
def run_bkd(cfg: BKDRun, ctx: Context, folder: RunFolder):
    from kdnb.experiments import make_model

    dev = ctx.device
    trec, teacher = teacher_model(cfg.transfer.teacher, ctx)
    srec = run(cfg.transfer, ctx)
    x = srec.load("x.pt").to(dev)
    test = cfg.transfer.teacher.data("test", ctx)
    xt, yt = test.x.to(dev), test.y.to(dev)
    spec = {**trec.metrics["model"], "arch": cfg.student}
    student = make_model(spec)
    if len(x) < 2:
        raise ValueError(f"the transfer set holds {len(x)} images; nothing to distil from")
    every = cfg.eval_every or max(1, cfg.schedule.epochs // 10)
    curves = fit(student, x, kd_objective(teacher, cfg.temperature, "soft", "soft_ce"), cfg.schedule,
                 seed=cfg.seed, evaluate=lambda m: {"test_acc": accuracy(m, xt, yt)}, eval_every=every,
                 checkpoint=folder.path("partial.pt"), desc=f"KD {cfg.student} ← {'+'.join(srec.metrics['pools'])}",
                 progress=ctx.progress)
    folder.save("model.pt", student.state_dict())
    folder.path("partial.pt").unlink(missing_ok=True)
    metrics = {"test_acc": curves["test_acc"][-1], "test_acc_max": max(curves["test_acc"]),
               "teacher_acc": trec.metrics["test_acc"], "transfer": srec.metrics, "model": spec}
    return metrics, curves


__all__ = ["TensorPool", "NoiseStream", "Composed", "compose_balanced", "balanced", "random_subset", "Pool",
           "open_pool", "ArbitrarySet", "BKDRun"]
