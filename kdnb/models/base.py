"""The model registry and the normalising wrapper every model is built in."""
from __future__ import annotations

import torch
from torch import nn

from kdnb.registry import Registry

MODELS: Registry = Registry("model")


class Normalized(nn.Module):
    """Input normalisation folded into the model; ``net`` must accept ``features=``."""

    def __init__(self, net: nn.Module, mean, std):
        super().__init__()
        self.net = net
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(1, -1, 1, 1))

    def forward(self, x: torch.Tensor, features: bool = False):
        return self.net((x - self.mean) / self.std, features=features)


def build_model(name: str, num_classes: int, in_channels: int = 3, image_size: int = 32,
                mean=None, std=None) -> Normalized:
    mean = mean if mean is not None else (0.5,) * in_channels
    std = std if std is not None else (0.5,) * in_channels
    net = MODELS[name](num_classes=num_classes, in_channels=in_channels, image_size=image_size)
    return Normalized(net, mean, std)


__all__ = ["MODELS", "build_model", "Normalized"]
