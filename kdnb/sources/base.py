"""The source registry and what every source shares: per-image random streams, grey conversion, progress."""
from __future__ import annotations

import zlib

import numpy as np
import torch

from kdnb.registry import Registry

SOURCES = Registry("source")

PROGRESS_MIN_N = 2000  # below this many images no progress bar is shown by default


def names() -> list[str]:
    """Names of all registered sources (sorted)."""
    return SOURCES.names()


def render(name: str, n: int, size: int, seed: int, channels: int = 3, **params) -> torch.Tensor:
    """Render ``n`` images of ``size``×``size`` from source ``name``; uint8 (n, channels, size, size) on the CPU."""
    fn = SOURCES[name]
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a non-negative int, got {n!r}")
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
        raise ValueError(f"size must be a positive int, got {size!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 or 3, got {channels!r}")
    out = fn(int(n), int(size), int(seed), int(channels), **params)
    if not isinstance(out, torch.Tensor):
        out = torch.from_numpy(np.ascontiguousarray(out))
    expected = (int(n), int(channels), int(size), int(size))
    if out.dtype != torch.uint8 or tuple(out.shape) != expected:
        raise RuntimeError(f"source {name!r} returned {out.dtype} {tuple(out.shape)}, expected uint8 {expected}")
    return out


# ----------------------------------------------------------------------------------------------- helpers for sources


def image_rng(seed: int, index: int, tag: str, attempt: int = 0) -> np.random.Generator:
    """The random stream of image ``index`` (and redraw ``attempt``) of source ``tag`` under ``seed``.

    Derived only from (seed, index, attempt, tag) so that images do not depend on n or on batching, and
    different sources with the same seed are not correlated.
    """
    tag_code = zlib.crc32(tag.encode()) & 0xFFFFFFFF
    return np.random.default_rng(np.random.SeedSequence([int(seed), int(index), int(attempt), tag_code]))


def to_channels(rgb: np.ndarray, channels: int) -> np.ndarray:
    """(N, 3, H, W) uint8 → (N, channels, H, W) uint8; grey = round(0.299 R + 0.587 G + 0.114 B) (ITU-R BT.601)."""
    if channels == 3:
        return rgb
    if rgb.shape[1] == 1:
        return rgb
    c = rgb.astype(np.uint32)
    y = (299 * c[:, 0] + 587 * c[:, 1] + 114 * c[:, 2] + 500) // 1000
    return y.astype(np.uint8)[:, None]


def progress_bar(total: int, desc: str, progress: bool | None, unit: str = "img"):
    """A ``tqdm.auto`` bar over ``total`` images; shown when ``progress`` is True, or None and total >= 2000."""
    from tqdm.auto import tqdm

    show = total >= PROGRESS_MIN_N if progress is None else bool(progress)
    return tqdm(total=total, desc=desc, unit=unit, disable=not show, leave=False)


def area_downsample(x: np.ndarray, factor: int) -> np.ndarray:
    """Area-average (box filter) an (N, H, W, C) uint8 array by an integer ``factor``; exact integer rounding."""
    if factor == 1:
        return x
    n, h, w, c = x.shape
    f = int(factor)
    acc_t = np.uint16 if f <= 16 else np.uint32
    v = x.reshape(n, h // f, f, w // f, f * c)
    rows = v[:, :, 0].astype(acc_t)
    for dy in range(1, f):
        rows += v[:, :, dy]
    rows = rows.reshape(n, h // f, w // f, f, c)
    acc = rows[:, :, :, 0].copy()
    for dx in range(1, f):
        acc += rows[:, :, :, dx]
    acc += (f * f) // 2
    acc //= f * f
    return acc.astype(np.uint8)


__all__ = ["SOURCES", "names", "render", "image_rng", "to_channels", "progress_bar", "area_downsample"]
