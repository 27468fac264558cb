"""Paper A's augmentation regimes (Frank & Davis, CVPR'25), batched on the device, random per image.

§4 "Teacher Training Details": teachers (and students on real data) use RandAugment (n=2, m=14), random
horizontal flipping and random cropping with padding — ``standard``. §4 "Distillation Training Details": for
synthetic data "we employed stronger data augmentation by increasing the RandAugment amount from n=2 to n=4 and
also added random elastic and random inversion transforms" — ``high`` (official code: RandomApply(Elastic,
p=0.5), RandomInvert(p=0.1)). §5 / Table 5: ``extreme`` "expanded upon the high regime by increasing
RandAugment to n=8, m=30 and added random erasing"; ``none`` is no augmentation.

Order as the official code: RandAugment → elastic → invert → flip → pad-and-crop → random erasing.

Padding of the crop: the paper gives none; the official code defaults to 12 px at 224-px images. We use the
CIFAR convention instead, ``round(image_size / 8)`` px (4 px at 32 px, 4 at 28), filled with the dataset mean.
Elastic uses torchvision's defaults (α = 50, σ = 5 px, fill 0), erasing torchvision's RandomErasing defaults.

``build("nayak", ...)`` gives paper B's augmentation (see ``kdnb.augment.nayak``).
"""
from __future__ import annotations

from functools import partial

import torch

from kdnb.augment.nayak import nayak
from kdnb.augment.ops import random_crop, random_elastic, random_erasing, random_hflip, random_invert
from kdnb.augment.randaugment import rand_augment

REGIMES = ("none", "standard", "high", "extreme")  # paper A, Table 5
NAMES = REGIMES + ("nayak",)  # everything ``build`` accepts


class Augment:
    """A named sequence of per-image random steps, called as ``augment(x, generator) -> x``.

    x: float (B, C, H, W) in [0, 1] on any device; generator: a ``torch.Generator`` on the same device (or
    None for torch's default one). Shape, dtype and device are preserved (half inputs are computed in float32).
    """

    def __init__(self, name: str, steps: list[tuple[str, object]]):
        self.name, self.steps = name, steps

    def __call__(self, x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        if x.dim() != 4 or not x.is_floating_point():
            raise ValueError(f"augment expects float images (B, C, H, W) in [0, 1], got {x.dtype} {tuple(x.shape)}")
        if generator is not None and generator.device.type != x.device.type:
            raise ValueError(f"generator is on {generator.device} but the images are on {x.device}")
        y = x if x.dtype in (torch.float32, torch.float64) else x.float()
        for _, step in self.steps:
            y = step(y, generator)
        return y.to(x.dtype)

    def __repr__(self) -> str:
        return f"Augment({self.name!r}: " + " → ".join(label for label, _ in self.steps or [("identity", None)]) + ")"


def build(regime: str, image_size: int, mean: tuple) -> Augment:
    """The augmentation of a paper-A regime (``REGIMES``) or ``"nayak"`` for images of ``image_size`` px.

    ``mean`` (per channel, in [0, 1]; as many values as the images have channels) fills the padding of the
    random crop; ``"nayak"`` ignores it (zero fill, see ``kdnb.augment.nayak``).
    """
    pad = max(1, round(image_size / 8))
    fill = tuple(float(m) for m in mean)

    def ra(n, m):
        return (f"RandAugment(n={n}, m={m})", partial(rand_augment, num_ops=n, magnitude=m))

    flip_crop = [("HorizontalFlip(0.5)", partial(random_hflip, p=0.5)),
                 (f"RandomCrop(pad={pad}, fill=mean)", partial(random_crop, padding=pad, fill=fill))]
    strong = [("RandomApply(Elastic(50, 5), 0.5)", partial(random_elastic, alpha=50.0, sigma=5.0, p=0.5)),
              ("RandomInvert(0.1)", partial(random_invert, p=0.1))]
    steps = {
        "none": lambda: [],
        "standard": lambda: [ra(2, 14)] + flip_crop,
        "high": lambda: [ra(4, 14)] + strong + flip_crop,
        "extreme": lambda: [ra(8, 30)] + strong + flip_crop + [("RandomErasing(0.5)", random_erasing)],
        "nayak": lambda: [("Nayak(scale, rotate, flip, gaussian, salt_pepper)", nayak)],
    }
    if regime not in steps:
        raise ValueError(f"unknown augmentation regime {regime!r}; choose one of {', '.join(NAMES)}")
    return Augment(regime, steps[regime]())
