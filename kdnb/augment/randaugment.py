"""RandAugment (Cubuk et al., CVPRW'20) with an independent op, sign and outcome per image.

Op list, 31-bin magnitude table, signs, nearest interpolation and fill are torchvision's
``transforms.v2.RandAugment`` (paper A trains its teachers and students with torchvision's RandAugment,
§4 "Teacher Training Details"). torchvision draws one op per call, i.e. per image when used in a DataLoader;
here every image of the batch draws its own op and sign for each of the ``num_ops`` slots.
"""
from __future__ import annotations

import math
from functools import lru_cache

import torch

from kdnb.augment.ops import (
    adjust_brightness, adjust_contrast, adjust_saturation, adjust_sharpness, autocontrast, equalize, posterize,
    solarize, warp, where_subset,
)

OPS = ("Identity", "ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate", "Brightness", "Color", "Contrast",
       "Sharpness", "Posterize", "Solarize", "AutoContrast", "Equalize")
INDEX = {name: i for i, name in enumerate(OPS)}
_ENHANCE = {"Brightness": adjust_brightness, "Color": adjust_saturation, "Contrast": adjust_contrast,
            "Sharpness": adjust_sharpness}  # PIL's ImageEnhance family: factor = 1 + signed magnitude


@lru_cache(maxsize=64)
def magnitudes(magnitude: int, height: int, width: int, num_bins: int = 31) -> dict[str, float]:
    """torchvision's ``RandAugment._AUGMENTATION_SPACE[op](num_bins, H, W)[magnitude]`` for each op (unsigned).

    Bins run 0..num_bins−1 (0..30 by default; m = 30 is the strongest, used by paper A's "extreme" regime).
    Cached: treat the returned dict as read-only.
    """
    if not 0 <= magnitude < num_bins:
        raise ValueError(f"RandAugment magnitude must be a bin in 0..{num_bins - 1}, got {magnitude}")
    lin = lambda hi: float(torch.linspace(0.0, hi, num_bins)[magnitude])  # noqa: E731  (float32, as torchvision)
    return {
        "ShearX": lin(0.3), "ShearY": lin(0.3),
        "TranslateX": lin(150.0 / 331.0 * width), "TranslateY": lin(150.0 / 331.0 * height),
        "Rotate": lin(30.0),
        "Brightness": lin(0.9), "Color": lin(0.9), "Contrast": lin(0.9), "Sharpness": lin(0.9),
        "Posterize": int((8 - (torch.arange(num_bins) / ((num_bins - 1) / 4))).round().int()[magnitude]),
        "Solarize": float(torch.linspace(1.0, 0.0, num_bins)[magnitude]),
    }


def _is(op: torch.Tensor, name: str) -> torch.Tensor:
    return op == INDEX[name]


def geometric_theta(op: torch.Tensor, sign: torch.Tensor, mag: dict, height: int, width: int) -> torch.Tensor:
    """Per-image sampling matrix (B, 2, 3) for ``F.affine_grid`` of the geometric op (identity for others).

    torchvision's inverse affine matrices, written out for the five ops (each image has at most one):
    ShearX/Y shear by angle atan(m) about the top-left corner; TranslateX/Y by int(m) px; Rotate by m degrees
    counter-clockwise about the centre. Pixel → normalised coordinates: x scales by 2/W, y by 2/H.
    """
    H, W, s = height, width, sign
    zero = torch.zeros_like(s)
    shx = torch.where(_is(op, "ShearX"), s * mag["ShearX"], zero)  # tan(atan(m)) = m
    shy = torch.where(_is(op, "ShearY"), s * mag["ShearY"], zero)
    tx = torch.where(_is(op, "TranslateX"), s * math.trunc(mag["TranslateX"]), zero)
    ty = torch.where(_is(op, "TranslateY"), s * math.trunc(mag["TranslateY"]), zero)
    rot = torch.where(_is(op, "Rotate"), s * math.radians(mag["Rotate"]), zero)
    cos, sin = torch.cos(rot), torch.sin(rot)
    row0 = torch.stack([cos, (shx - sin) * (H / W), shx * (H / W) - tx * (2 / W)], 1)
    row1 = torch.stack([(shy + sin) * (W / H), cos, shy * (W / H) - ty * (2 / H)], 1)
    return torch.stack([row0, row1], 1)


def apply_ops(x: torch.Tensor, op: torch.Tensor, sign: torch.Tensor, magnitude: int, num_bins: int = 31,
              fill=None) -> torch.Tensor:
    """Apply ``OPS[op[i]]`` at magnitude bin ``magnitude`` with sign ``sign[i]`` (±1) to image i.

    The five geometric ops run together, as one affine matrix per image and one nearest ``grid_sample``;
    each other op runs on its own images (``where_subset``).
    """
    H, W = x.shape[-2:]
    mag = magnitudes(magnitude, H, W, num_bins)
    s = sign.to(x.dtype)
    geometric = (op >= INDEX["ShearX"]) & (op <= INDEX["Rotate"])
    x = where_subset(x, geometric, lambda xs, th: warp(xs, th, "nearest", fill), geometric_theta(op, s, mag, H, W))
    for name, fn in _ENHANCE.items():
        x = where_subset(x, _is(op, name), fn, 1.0 + s * mag[name])
    x = where_subset(x, _is(op, "Posterize"), posterize, mag["Posterize"])
    x = where_subset(x, _is(op, "Solarize"), solarize, mag["Solarize"])
    x = where_subset(x, _is(op, "AutoContrast"), autocontrast)
    return where_subset(x, _is(op, "Equalize"), equalize)


def rand_augment(x: torch.Tensor, generator=None, num_ops: int = 2, magnitude: int = 9, num_bins: int = 31,
                 fill=None) -> torch.Tensor:
    """torchvision ``RandAugment(num_ops, magnitude, num_bins)``, drawn per image and per slot.

    For each of the ``num_ops`` slots every image draws an op uniformly from ``OPS`` and a sign (negative with
    probability 1/2, as torchvision's ``rand <= 0.5``); magnitude is fixed. fill=None: black outside.
    """
    magnitudes(magnitude, *x.shape[-2:], num_bins)  # validate before drawing
    B = x.shape[0]
    for _ in range(num_ops):
        op = torch.randint(0, len(OPS), (B,), generator=generator, device=x.device)
        negative = torch.rand(B, generator=generator, device=x.device) <= 0.5
        sign = torch.where(negative, -1.0, 1.0)
        x = apply_ops(x, op, sign, magnitude, num_bins, fill)
    return x
