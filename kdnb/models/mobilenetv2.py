"""MobileNetV2 (Sandler et al. 2018), CIFAR variant: stride-1 stem and first two stages at stride 1 for 32×32."""
from __future__ import annotations

from torch import nn

from kdnb.models.base import MODELS

# (expansion t, channels c, repeats n, stride s); the CIFAR variant sets the stem and the second stage to stride 1.
_CFG = ((1, 16, 1, 1), (6, 24, 2, 1), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1))


def _cbr(cin, cout, k=3, s=1, groups=1):
    return nn.Sequential(nn.Conv2d(cin, cout, k, s, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout),
                         nn.ReLU6(inplace=True))


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, t):
        super().__init__()
        hidden = cin * t
        layers = ([_cbr(cin, hidden, 1)] if t != 1 else []) + [
            _cbr(hidden, hidden, 3, stride, groups=hidden), nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout)]
        self.block = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        return x + self.block(x) if self.residual else self.block(x)


class MobileNetV2(nn.Module):
    def __init__(self, num_classes=10, in_channels=3, image_size=32):
        super().__init__()
        layers, cin = [_cbr(in_channels, 32, 3, 1)], 32
        for t, c, n, s in _CFG:
            for i in range(n):
                layers.append(InvertedResidual(cin, c, s if i == 0 else 1, t))
                cin = c
        layers.append(_cbr(cin, 1280, 1))
        self.features = nn.Sequential(*layers)
        self.fc = nn.Linear(1280, num_classes)

    def forward(self, x, features: bool = False):
        f = self.features(x).mean(dim=(2, 3))
        logits = self.fc(f)
        return (logits, f) if features else logits


MODELS.register("mobilenetv2")(MobileNetV2)
