"""Generators of data-free distillation: the DCGAN-style generator of DAFL / DFAD / CMI / paper C.

Shin & Choi (AAAI'24) §"Training Details" name a "DCGAN" generator; the official code (official-code-notes C.4)
uses DAFL's generator with a sigmoid output:

    Linear(z → w·s·s), s = image_size / 4 → BN(w) → LeakyReLU(0.2)
    → nearest ×2 → Conv3×3(w → w) → BN(w, eps=0.8) → LeakyReLU(0.2)
    → nearest ×2 → Conv3×3(w → w/2) → BN(w/2, eps=0.8) → LeakyReLU(0.2)
    → Conv3×3(w/2 → channels) → Sigmoid

with w = 128 and z of dimension 1000 (paper C, appendix). The output is in [0, 1]; kdnb's classifiers normalise
inside (``kdnb.models.Normalized``), as the code normalises the sigmoid's output before the teacher. ``width``
narrows w for CPU runs (the generator, not LeNet, sets a CPU step's cost: specs-C-D-A §"Speeds"). ``bn_eps=0.8`` is
DAFL's positional-argument quirk (``BatchNorm2d(128, 0.8)`` sets eps, not momentum); kept by default for fidelity.
"""
from __future__ import annotations

import torch
from torch import nn
import torch.nn.functional as F

from kdnb.registry import Registry

GENERATORS: Registry = Registry("generator")


class DCGANGenerator(nn.Module):
    """z (B, z_dim) → images (B, channels, image_size, image_size) in [0, 1]. ``image_size`` divisible by 4."""

    def __init__(self, z_dim: int = 1000, channels: int = 3, image_size: int = 32, width: int = 128,
                 bn_eps: float = 0.8):
        super().__init__()
        if image_size % 4 or width < 2:
            raise ValueError(f"the DCGAN generator needs image_size divisible by 4 and width ≥ 2, "
                             f"got image_size={image_size}, width={width}")
        self.z_dim, self.width, self.init = z_dim, width, image_size // 4
        self.l1 = nn.Linear(z_dim, width * self.init ** 2)
        self.bn0 = nn.BatchNorm2d(width)
        self.conv1, self.bn1 = nn.Conv2d(width, width, 3, 1, 1), nn.BatchNorm2d(width, eps=bn_eps)
        self.conv2, self.bn2 = nn.Conv2d(width, width // 2, 3, 1, 1), nn.BatchNorm2d(width // 2, eps=bn_eps)
        self.out = nn.Conv2d(width // 2, channels, 3, 1, 1)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = F.leaky_relu(self.bn0(self.l1(z).view(len(z), self.width, self.init, self.init)), 0.2)
        x = F.leaky_relu(self.bn1(self.conv1(F.interpolate(x, scale_factor=2, mode="nearest"))), 0.2)
        x = F.leaky_relu(self.bn2(self.conv2(F.interpolate(x, scale_factor=2, mode="nearest"))), 0.2)
        return torch.sigmoid(self.out(x))


GENERATORS.register("dcgan")(DCGANGenerator)


def build_generator(name: str, z_dim: int, channels: int, image_size: int, width: int, bn_eps: float = 0.8):
    return GENERATORS[name](z_dim=z_dim, channels=channels, image_size=image_size, width=width, bn_eps=bn_eps)


__all__ = ["GENERATORS", "DCGANGenerator", "build_generator"]
