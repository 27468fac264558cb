"""Wide ResNet (Zagoruyko & Komodakis 2016) for 32×32 inputs; WRN-40-2 is paper A's second CIFAR student."""
from __future__ import annotations

from torch import nn
import torch.nn.functional as F

from kdnb.models.base import MODELS


class WideBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.bn1, self.conv1 = nn.BatchNorm2d(cin), nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2, self.conv2 = nn.BatchNorm2d(cout), nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.shortcut = None if (cin == cout and stride == 1) else nn.Conv2d(cin, cout, 1, stride, bias=False)

    def forward(self, x):
        o = F.relu(self.bn1(x))
        y = self.conv2(F.relu(self.bn2(self.conv1(o))))
        return y + (x if self.shortcut is None else self.shortcut(o))


class WideResNet(nn.Module):
    def __init__(self, depth=40, widen=2, num_classes=10, in_channels=3, image_size=32):
        super().__init__()
        n = (depth - 4) // 6
        widths = (16, 16 * widen, 32 * widen, 64 * widen)
        self.conv1 = nn.Conv2d(in_channels, widths[0], 3, 1, 1, bias=False)
        blocks, cin = [], widths[0]
        for i, w in enumerate(widths[1:]):
            for j in range(n):
                blocks.append(WideBlock(cin, w, 2 if (i > 0 and j == 0) else 1))
                cin = w
        self.blocks = nn.Sequential(*blocks)
        self.bn = nn.BatchNorm2d(cin)
        self.fc = nn.Linear(cin, num_classes)

    def forward(self, x, features: bool = False):
        f = F.relu(self.bn(self.blocks(self.conv1(x)))).mean(dim=(2, 3))
        logits = self.fc(f)
        return (logits, f) if features else logits


MODELS.register("wrn40_2")(lambda **kw: WideResNet(40, 2, **kw))
