"""Per-pixel noise images: paper A's Gaussian noise with the teacher dataset's statistics, paper B's uniform pool.

* ``gaussian_noise`` — paper A §3.2: every pixel and channel is drawn from N(mean_c, std_c), the teacher dataset's
  per-channel statistics, clipped to [0, 1] (the clipping is our reading; A's code for it is not public, see
  official-code-notes A.8) and quantised to uint8 with round(255·x). Paper B's CIFAR-100 pool (μ=0.5, σ=0.1, clipped)
  is ``mean=0.5, std=0.1``.
  Note: paper A's text calls (0.5071, 0.2673) "CIFAR10's" red-channel statistics, but those are CIFAR-100's; CIFAR-10's
  are (0.4914, 0.2470). ``DATASET_STATS`` holds both; pass ``stats="cifar100"`` to reproduce the text's numbers.
* ``uniform_noise`` — paper B §4: U[0, 1] per pixel (quantised to the 256 levels: each byte uniform on 0..255).

``channels=1`` with one-value statistics samples one grey channel directly (what a MNIST teacher sees as noise);
three-value statistics with ``channels=1`` render RGB and convert with BT.601 luma like every other source.
"""
from __future__ import annotations

import numpy as np
import torch

from kdnb.sources.base import SOURCES, image_rng, progress_bar, to_channels

# Per-channel mean and std of the training images in [0, 1] (std over all pixels of the split).
DATASET_STATS: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    "cifar10": ((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)),
    "cifar100": ((0.5071, 0.4865, 0.4409), (0.2673, 0.2564, 0.2762)),
    "mnist": ((0.1307,), (0.3081,)),
    "fashion_mnist": ((0.2860,), (0.3530,)),
    "paper_b": ((0.5,), (0.1,)),  # paper B's Gaussian pool for CIFAR-100
}

_CHUNK = 512  # images generated per numpy call (output does not depend on it)


def _as_tuple(v, what: str) -> tuple[float, ...]:
    t = tuple(float(x) for x in np.atleast_1d(np.asarray(v, dtype=float)))
    if len(t) not in (1, 3):
        raise ValueError(f"{what} must have 1 or 3 values, got {len(t)}")
    return t


def _fill(n: int, size: int, seed: int, tag: str, planes: int, draw, progress) -> np.ndarray:
    out = np.empty((n, planes, size, size), dtype=np.uint8)
    with progress_bar(n, tag, progress) as bar:
        for start in range(0, n, _CHUNK):
            stop = min(n, start + _CHUNK)
            for i in range(start, stop):
                out[i] = draw(image_rng(seed, i, tag), (planes, size, size))
            bar.update(stop - start)
    return out


@SOURCES.register("gaussian_noise")
def gaussian_noise(n: int, size: int, seed: int, channels: int = 3, mean=None, std=None, stats: str | None = None,
                   progress: bool | None = None) -> torch.Tensor:
    """N(mean_c, std_c) per pixel, clipped to [0, 1]. Default statistics: CIFAR-10's (paper A's main teacher)."""
    if stats is not None:
        if mean is not None or std is not None:
            raise ValueError("give either stats=<name> or mean/std, not both")
        if stats not in DATASET_STATS:
            raise ValueError(f"unknown stats {stats!r}; known: {sorted(DATASET_STATS)}")
        mean, std = DATASET_STATS[stats]
    if mean is None and std is None:
        mean, std = DATASET_STATS["cifar10"] if channels == 3 else DATASET_STATS["mnist"]
    if mean is None or std is None:
        raise ValueError("gaussian_noise needs both mean and std (or stats=<name>)")
    m, s = _as_tuple(mean, "mean"), _as_tuple(std, "std")
    if min(s) < 0:
        raise ValueError(f"std must be >= 0, got {s}")
    planes = max(len(m), len(s), channels)
    if channels == 1 and len(m) == 1 and len(s) == 1:
        planes = 1
    mu = np.broadcast_to(np.asarray(m, np.float32), (planes,)).reshape(planes, 1, 1)
    sd = np.broadcast_to(np.asarray(s, np.float32), (planes,)).reshape(planes, 1, 1)

    def draw(rng, shape):
        x = rng.standard_normal(shape, dtype=np.float32) * sd + mu
        return np.rint(np.clip(x, 0.0, 1.0) * 255.0).astype(np.uint8)

    out = _fill(n, size, seed, "gaussian_noise", planes, draw, progress)
    return torch.from_numpy(to_channels(out, channels))


@SOURCES.register("uniform_noise")
def uniform_noise(n: int, size: int, seed: int, channels: int = 3, progress: bool | None = None) -> torch.Tensor:
    """U[0, 1] per pixel and channel (paper B), as uniform bytes 0..255; channels=1 samples grey directly."""

    def draw(rng, shape):
        return rng.integers(0, 256, size=shape, dtype=np.uint8)

    return torch.from_numpy(_fill(n, size, seed, "uniform_noise", channels, draw, progress))
