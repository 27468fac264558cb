"""Augmentation batched on the training device, with independent random parameters per image.

``build(regime, image_size, mean)`` returns paper A's regimes (``REGIMES``: none, standard, high, extreme) or
paper B's (``"nayak"``) as ``augment(x, generator) -> x``; ``mixup`` is paper A's mixup. Inputs are float
(B, C, H, W) in [0, 1]; all randomness comes from the ``torch.Generator`` passed in (same device as x).
"""
from kdnb.augment.mixup import Mixed, mixup, mixup_with_params
from kdnb.augment.nayak import NAYAK_OPS, nayak
from kdnb.augment.ops import (
    adjust_brightness, adjust_contrast, adjust_saturation, adjust_sharpness, affine, autocontrast, elastic,
    equalize, erase, grayscale, hflip, invert, pad_crop, posterize, random_crop, random_elastic,
    random_erasing, random_hflip, random_invert, rotate, solarize,
)
from kdnb.augment.randaugment import OPS as RANDAUGMENT_OPS
from kdnb.augment.randaugment import apply_ops, rand_augment
from kdnb.augment.regimes import NAMES, REGIMES, Augment, build

__all__ = [
    "Augment", "Mixed", "NAMES", "NAYAK_OPS", "RANDAUGMENT_OPS", "REGIMES", "adjust_brightness", "adjust_contrast",
    "adjust_saturation", "adjust_sharpness", "affine", "apply_ops", "autocontrast", "build", "elastic", "equalize",
    "erase", "grayscale", "hflip", "invert", "mixup", "mixup_with_params", "nayak", "pad_crop", "posterize",
    "rand_augment", "random_crop", "random_elastic", "random_erasing", "random_hflip",
    "random_invert", "rotate", "solarize",
]
