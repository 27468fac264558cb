"""LeNet-5, AlexNet (32×32) and their halves; paper A's 2-D toy net; a tiny net for the smoke scale."""
from __future__ import annotations

from torch import nn
import torch.nn.functional as F

from kdnb.models.base import MODELS


class _Classifier(nn.Module):
    """body → flatten → head; the input of the last linear layer is the penultimate feature."""

    def forward(self, x, features: bool = False):
        f = self.penultimate(x)
        logits = self.fc(f)
        return (logits, f) if features else logits


class LeNet5(_Classifier):
    """LeNet-5 (LeCun et al. 1998) as used by ZSKD/DAFL and paper B: conv5(6)-pool-conv5(16)-pool-fc120-fc84-fc.

    ``width`` 0.5 gives LeNet-5-half (3, 8 filters; 60, 42 units), the student of paper B. Inputs of 28 px are
    zero-padded to 32 px, as the original LeNet-5 expects 32×32.

    ``bn=True`` adds BatchNorm after every hidden layer (``lenet5_bn``): a teacher whose BN statistics a
    data-free generator can match (BNS, Yin et al. 2020; paper C's L_Rep). The plain LeNet-5 has no BN layer.
    """

    def __init__(self, num_classes=10, in_channels=1, image_size=32, width=1.0, bn=False):
        super().__init__()
        c1, c2, f1, f2 = (max(1, round(v * width)) for v in (6, 16, 120, 84))
        self.pad = max(0, (32 - image_size) // 2)
        side = ((image_size + 2 * self.pad - 4) // 2 - 4) // 2
        self.conv1, self.conv2 = nn.Conv2d(in_channels, c1, 5), nn.Conv2d(c1, c2, 5)
        self.fc1, self.fc2 = nn.Linear(c2 * side * side, f1), nn.Linear(f1, f2)
        self.fc = nn.Linear(f2, num_classes)
        norm2, norm1 = (nn.BatchNorm2d, nn.BatchNorm1d) if bn else (lambda c: nn.Identity(),) * 2
        self.bn1, self.bn2, self.bn3, self.bn4 = norm2(c1), norm2(c2), norm1(f1), norm1(f2)

    def penultimate(self, x):
        x = F.pad(x, (self.pad,) * 4) if self.pad else x
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        return F.relu(self.bn4(self.fc2(F.relu(self.bn3(self.fc1(x.flatten(1)))))))


class AlexNet32(_Classifier):
    """AlexNet for 32×32 inputs as in ZSKD/DeGAN/paper B: 5 conv (48, 128, 192, 192, 128; BN) + fc 512, 256.

    ``width`` 0.5 gives AlexNet-half, paper B's CIFAR-10 student.
    """

    def __init__(self, num_classes=10, in_channels=3, image_size=32, width=1.0):
        super().__init__()
        w = [max(1, round(c * width)) for c in (48, 128, 192, 192, 128, 512, 256)]

        def block(i, o, k, pool):
            layers = [nn.Conv2d(i, o, k, padding=k // 2), nn.BatchNorm2d(o), nn.ReLU(inplace=True)]
            return layers + ([nn.MaxPool2d(3, 2, 1)] if pool else [])

        self.body = nn.Sequential(*block(in_channels, w[0], 5, True), *block(w[0], w[1], 5, True),
                                  *block(w[1], w[2], 3, False), *block(w[2], w[3], 3, False),
                                  *block(w[3], w[4], 3, True))
        side = image_size // 8
        self.head = nn.Sequential(nn.Linear(w[4] * side * side, w[5]), nn.BatchNorm1d(w[5]), nn.ReLU(inplace=True),
                                  nn.Linear(w[5], w[6]), nn.BatchNorm1d(w[6]), nn.ReLU(inplace=True))
        self.fc = nn.Linear(w[6], num_classes)

    def penultimate(self, x):
        return self.head(self.body(x).flatten(1))


class Toy2D(_Classifier):
    """Paper A's Fig. 2 network: 3 conv layers → global average pool to **2** features → 3 FC layers.

    The paper gives only that shape ("3 convolutional layers resulting in 2 GAP features, followed by 3
    fully-connected layers (with ReLU activations)", trained "to ∼97%"); widths (32, 64, 2 channels; FC 32, 32) and
    the third conv's kernel are ours. The third conv spans the whole 7×7 map left by two poolings (kernel
    ``image_size // 4``, no padding), so each of the 2 features sees the whole digit before GAP; a 3×3 third conv
    averaged over the 7×7 map (our first reading) made the 2 features a linear map of position-averaged local
    features and stopped at 90.6% after 12 epochs. Probes (Adam 3e-3, cosine, batch 128, MNIST): whole-map kernel
    93.9% after 4 epochs; 5×5 kernel (3×3 map) 69.4% after 1 epoch against 90.1% for the whole-map kernel.
    The 2-D GAP output is the feature plotted with the teacher's decision regions.
    """

    def __init__(self, num_classes=10, in_channels=1, image_size=28, hidden=32):
        super().__init__()
        side = image_size // 4  # the map after two 2×2 poolings
        self.body = nn.Sequential(
            nn.Conv2d(in_channels, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(inplace=True), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(inplace=True), nn.MaxPool2d(2),
            nn.Conv2d(64, 2, side))
        self.fc = nn.Sequential(nn.Linear(2, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, hidden),
                                nn.ReLU(inplace=True), nn.Linear(hidden, num_classes))

    def penultimate(self, x):
        return self.body(x).mean(dim=(2, 3))


class Tiny(_Classifier):
    """A two-conv net for the smoke scale (seconds on a CPU)."""

    def __init__(self, num_classes=10, in_channels=1, image_size=28, width=16):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(in_channels, width, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2),
                                  nn.Conv2d(width, 2 * width, 3, padding=1), nn.ReLU(inplace=True),
                                  nn.AdaptiveAvgPool2d(1))
        self.fc = nn.Linear(2 * width, num_classes)

    def penultimate(self, x):
        return self.body(x).flatten(1)


MODELS.register("lenet5")(LeNet5)
MODELS.register("lenet5_half")(lambda **kw: LeNet5(width=0.5, **kw))
MODELS.register("lenet5_bn")(lambda **kw: LeNet5(bn=True, **kw))
MODELS.register("alexnet")(AlexNet32)
MODELS.register("alexnet_half")(lambda **kw: AlexNet32(width=0.5, **kw))
MODELS.register("toy2d")(Toy2D)
MODELS.register("tiny")(Tiny)
MODELS.register("tiny_half")(lambda **kw: Tiny(width=8, **kw))
