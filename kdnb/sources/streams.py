"""Unlabelled pools as streams: candidates drawn in order, so a selection rule can stop early (Algorithm 1 of
Nayak et al.) without materialising millions of candidates."""
from __future__ import annotations

import torch


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


__all__ = ["TensorPool", "NoiseStream"]
