"""Inception-v3 (Szegedy et al., CVPR'16) for 32×32 inputs: paper B's CIFAR-100 teacher (§4, after DeGAN).

Neither paper B nor DeGAN gives the 32×32 adaptation. OUR READING follows the common CIFAR port
(e.g. weiaicunzai/pytorch-cifar100 ``inceptionv3``): the ImageNet stem's strides and max-pools are removed
(3×3 convs 64 → 64 → 192 at full resolution), then the standard blocks 3×InceptionA (35×35-type) → InceptionB
(grid reduction 32 → 15) → 4×InceptionC (17×17-type, 7×1/1×7 factorised) → InceptionD (15 → 7) → 2×InceptionE
(8×8-type) → global average pool → dropout 0.5 → fc. No auxiliary classifier. BatchNorm after every conv.
"""
from __future__ import annotations

import torch
from torch import nn

from kdnb.models.base import MODELS


class BasicConv(nn.Sequential):
    def __init__(self, i, o, **kw):
        super().__init__(nn.Conv2d(i, o, bias=False, **kw), nn.BatchNorm2d(o), nn.ReLU(inplace=True))


class InceptionA(nn.Module):
    def __init__(self, i, pool_features):
        super().__init__()
        self.b1 = BasicConv(i, 64, kernel_size=1)
        self.b5 = nn.Sequential(BasicConv(i, 48, kernel_size=1), BasicConv(48, 64, kernel_size=5, padding=2))
        self.b3 = nn.Sequential(BasicConv(i, 64, kernel_size=1), BasicConv(64, 96, kernel_size=3, padding=1),
                                BasicConv(96, 96, kernel_size=3, padding=1))
        self.bp = nn.Sequential(nn.AvgPool2d(3, 1, 1), BasicConv(i, pool_features, kernel_size=1))

    def forward(self, x):
        return torch.cat([self.b1(x), self.b5(x), self.b3(x), self.bp(x)], 1)


class InceptionB(nn.Module):  # grid reduction
    def __init__(self, i):
        super().__init__()
        self.b3 = BasicConv(i, 384, kernel_size=3, stride=2)
        self.b3d = nn.Sequential(BasicConv(i, 64, kernel_size=1), BasicConv(64, 96, kernel_size=3, padding=1),
                                 BasicConv(96, 96, kernel_size=3, stride=2))
        self.pool = nn.MaxPool2d(3, 2)

    def forward(self, x):
        return torch.cat([self.b3(x), self.b3d(x), self.pool(x)], 1)


class InceptionC(nn.Module):  # factorised 7×7
    def __init__(self, i, c7):
        super().__init__()
        self.b1 = BasicConv(i, 192, kernel_size=1)
        self.b7 = nn.Sequential(BasicConv(i, c7, kernel_size=1), BasicConv(c7, c7, kernel_size=(1, 7), padding=(0, 3)),
                                BasicConv(c7, 192, kernel_size=(7, 1), padding=(3, 0)))
        self.b7d = nn.Sequential(BasicConv(i, c7, kernel_size=1),
                                 BasicConv(c7, c7, kernel_size=(7, 1), padding=(3, 0)),
                                 BasicConv(c7, c7, kernel_size=(1, 7), padding=(0, 3)),
                                 BasicConv(c7, c7, kernel_size=(7, 1), padding=(3, 0)),
                                 BasicConv(c7, 192, kernel_size=(1, 7), padding=(0, 3)))
        self.bp = nn.Sequential(nn.AvgPool2d(3, 1, 1), BasicConv(i, 192, kernel_size=1))

    def forward(self, x):
        return torch.cat([self.b1(x), self.b7(x), self.b7d(x), self.bp(x)], 1)


class InceptionD(nn.Module):  # grid reduction
    def __init__(self, i):
        super().__init__()
        self.b3 = nn.Sequential(BasicConv(i, 192, kernel_size=1), BasicConv(192, 320, kernel_size=3, stride=2))
        self.b7 = nn.Sequential(BasicConv(i, 192, kernel_size=1),
                                BasicConv(192, 192, kernel_size=(1, 7), padding=(0, 3)),
                                BasicConv(192, 192, kernel_size=(7, 1), padding=(3, 0)),
                                BasicConv(192, 192, kernel_size=3, stride=2))
        self.pool = nn.MaxPool2d(3, 2)

    def forward(self, x):
        return torch.cat([self.b3(x), self.b7(x), self.pool(x)], 1)


class InceptionE(nn.Module):  # expanded filter bank
    def __init__(self, i):
        super().__init__()
        self.b1 = BasicConv(i, 320, kernel_size=1)
        self.b3 = BasicConv(i, 384, kernel_size=1)
        self.b3a = BasicConv(384, 384, kernel_size=(1, 3), padding=(0, 1))
        self.b3b = BasicConv(384, 384, kernel_size=(3, 1), padding=(1, 0))
        self.b3d = nn.Sequential(BasicConv(i, 448, kernel_size=1), BasicConv(448, 384, kernel_size=3, padding=1))
        self.b3da = BasicConv(384, 384, kernel_size=(1, 3), padding=(0, 1))
        self.b3db = BasicConv(384, 384, kernel_size=(3, 1), padding=(1, 0))
        self.bp = nn.Sequential(nn.AvgPool2d(3, 1, 1), BasicConv(i, 192, kernel_size=1))

    def forward(self, x):
        a = self.b3(x)
        d = self.b3d(x)
        return torch.cat([self.b1(x), self.b3a(a), self.b3b(a), self.b3da(d), self.b3db(d), self.bp(x)], 1)


class InceptionV3(nn.Module):
    """Inception-v3 for 32×32 (see module docstring); ``forward(x, features=True)`` → (logits, 2048-d features)."""

    def __init__(self, num_classes=100, in_channels=3, image_size=32):
        super().__init__()
        self.stem = nn.Sequential(BasicConv(in_channels, 64, kernel_size=3, padding=1),
                                  BasicConv(64, 64, kernel_size=3, padding=1),
                                  BasicConv(64, 80, kernel_size=1), BasicConv(80, 192, kernel_size=3, padding=1))
        self.blocks = nn.Sequential(InceptionA(192, 32), InceptionA(256, 64), InceptionA(288, 64), InceptionB(288),
                                    InceptionC(768, 128), InceptionC(768, 160), InceptionC(768, 160),
                                    InceptionC(768, 192), InceptionD(768), InceptionE(1280), InceptionE(2048))
        self.drop = nn.Dropout(0.5)
        self.fc = nn.Linear(2048, num_classes)

    def forward(self, x, features: bool = False):
        f = torch.flatten(nn.functional.adaptive_avg_pool2d(self.blocks(self.stem(x)), 1), 1)
        logits = self.fc(self.drop(f))
        return (logits, f) if features else logits


@MODELS.register("inception_v3")
def inception_v3(num_classes=100, in_channels=3, image_size=32):
    return InceptionV3(num_classes, in_channels, image_size)
