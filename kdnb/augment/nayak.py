"""Paper B's augmentation (Nayak et al., WACV'21, §4.2 "Augmentation Helps the Underrepresented Classes").

The paper: "Our augmentation includes scaling, rotation, flipping, adding random noise (Gaussian, salt and
pepper), and multiple combinations of them", applied during distillation. It gives no parameters; OUR CHOICES
(defaults below): scale ~ U(0.9, 1.1), rotation ~ U(−15°, 15°) (both one bilinear affine about the centre,
fill 0 = torchvision's default), horizontal flip, additive Gaussian noise σ = 0.1 clipped to [0, 1], and
salt-and-pepper on 5 % of the pixels (half set to 1, half to 0, all channels of a pixel alike).
"Combinations": each image independently applies each listed op with probability p (so it gets its own
random subset of ops); with ``combine=False`` each image applies exactly one op, chosen uniformly.
Order: geometry (scale, rotation) → flip → Gaussian noise → salt-and-pepper.
"""
from __future__ import annotations

import torch

from kdnb.augment.ops import affine, hflip, where_subset

NAYAK_OPS = ("scale", "rotate", "flip", "gaussian", "salt_pepper")


def nayak(x: torch.Tensor, generator=None, ops=NAYAK_OPS, combine: bool = True, p: float = 0.5,
          scale=(0.9, 1.1), degrees: float = 15.0, noise_std: float = 0.1, salt_pepper: float = 0.05,
          fill=0.0) -> torch.Tensor:
    """Paper B's augmentation with per-image random parameters and a per-image random subset of ``ops``."""
    unknown = [o for o in ops if o not in NAYAK_OPS]
    if unknown or not ops:
        raise ValueError(f"unknown or empty Nayak ops {list(unknown)}; choose from {NAYAK_OPS}")
    B, C, H, W = x.shape
    dev, g = x.device, generator
    if combine:
        chosen = torch.rand(B, len(ops), generator=g, device=dev) < p
    else:
        pick = torch.randint(0, len(ops), (B, 1), generator=g, device=dev)
        chosen = pick == torch.arange(len(ops), device=dev)
    on = {o: chosen[:, i] for i, o in enumerate(ops)}
    off = torch.zeros(B, dtype=torch.bool, device=dev)

    u = torch.rand(2, B, generator=g, device=dev, dtype=x.dtype)
    s = torch.where(on.get("scale", off), scale[0] + (scale[1] - scale[0]) * u[0], 1.0)
    angle = torch.where(on.get("rotate", off), degrees * (2 * u[1] - 1), 0.0)
    x = where_subset(x, on.get("scale", off) | on.get("rotate", off),
                     lambda xs, a, sc: affine(xs, angle=a, scale=sc, mode="bilinear", fill=fill), angle, s)
    if "flip" in on:
        x = hflip(x, on["flip"])
    if "gaussian" in on:
        noise = torch.randn(x.shape, generator=g, device=dev, dtype=x.dtype)
        x = where_subset(x, on["gaussian"], lambda xs, n: (xs + noise_std * n).clamp(0, 1), noise)
    if "salt_pepper" in on:
        v = torch.rand(B, 1, H, W, generator=g, device=dev, dtype=x.dtype)
        hit = (v < salt_pepper) & on["salt_pepper"].view(-1, 1, 1, 1)
        x = torch.where(hit, (v < salt_pepper / 2).to(x.dtype), x)  # salt (1) for the lower half, pepper (0)
    return x
