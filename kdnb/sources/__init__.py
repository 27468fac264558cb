"""Synthetic image sources for distillation: noise, dead leaves and GLSL shaders (paper A §3.2, Fig. 1; paper B's pool).

Every source is registered in ``SOURCES`` as ``fn(n, size, seed, channels, **params) -> uint8 tensor`` and is
called through :func:`render`::

    from kdnb.sources import render, names
    x = render("shaders", n=1000, size=32, seed=0)                  # (1000, 3, 32, 32) uint8, CPU
    g = render("gaussian_noise", 500, 32, 0, mean=(0.49, 0.48, 0.45), std=(0.25, 0.24, 0.26))
    m = render("leaves", 100, 32, 0, channels=1)                    # grey (ITU-R BT.601 luma) for MNIST teachers

Contract shared by all sources:
  * output: ``torch.uint8`` of shape (n, channels, size, size) on the CPU;
  * deterministic per seed: the same arguments give identical bytes (for ``shaders``: on the same GL driver);
  * chunk independent: image i depends only on (seed, i), never on n or on batching, so
    ``render(s, 100, ...)[:10] == render(s, 10, ...)``;
  * ``channels=1`` converts to grey with the BT.601 luma weights (0.299, 0.587, 0.114);
  * ``progress=None`` shows a ``tqdm.auto`` bar only for n >= 2000 (True/False force it).
"""
from __future__ import annotations

from kdnb.sources.base import SOURCES, area_downsample, image_rng, names, progress_bar, render, to_channels
from kdnb.sources import leaves, noise, shaders  # noqa: F401  (each registers its sources)

__all__ = ["SOURCES", "names", "render", "image_rng", "to_channels", "progress_bar", "area_downsample"]
