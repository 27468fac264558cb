"""Datasets that ship inside installed packages: usable with no network and no files on disk."""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F

from kdnb.data.imageset import DATASETS, ImageSet

DIGIT_CLASSES = tuple(str(i) for i in range(10))


@lru_cache(maxsize=None)
def _digits() -> tuple[torch.Tensor, torch.Tensor]:
    from sklearn.datasets import load_digits

    d = load_digits()
    # 8×8 images with 17 grey levels (0..16) → 28×28 uint8 like MNIST: 2-px border, bilinear ×3 upsampling.
    x = torch.from_numpy(d.images.astype(np.float32) / 16.0).unsqueeze(1)
    x = F.interpolate(x, size=(24, 24), mode="bilinear", align_corners=False)
    x = F.pad(x, (2, 2, 2, 2))
    x = (x.clamp(0, 1) * 255).round().to(torch.uint8)
    return x, torch.from_numpy(d.target.astype(np.int64))


@DATASETS.register("digits")
def digits(split: str, **_) -> ImageSet:
    """scikit-learn's 1,797 handwritten digits (UCI), 28×28 grey; a fixed stratified split: about 1,440 train / 355 test (a fifth of each class).

    The smoke-scale stand-in for MNIST: a real 10-class dataset that needs nothing on disk.
    """
    x, y = _digits()
    g = torch.Generator().manual_seed(0)
    test_mask = torch.zeros(len(y), dtype=torch.bool)
    for c in range(10):
        idx = (y == c).nonzero().squeeze(1)
        idx = idx[torch.randperm(len(idx), generator=g)]
        test_mask[idx[: len(idx) // 5]] = True
    keep = test_mask if split == "test" else ~test_mask
    return ImageSet(f"digits-{split}", x[keep], y[keep], DIGIT_CLASSES)


def _photos() -> list[np.ndarray]:
    """Every colour photo bundled with scikit-learn and scikit-image, as HxWx3 uint8 arrays."""
    from sklearn.datasets import load_sample_images
    import skimage.data as sd

    photos = list(load_sample_images().images)
    for name in ("astronaut", "coffee", "chelsea", "rocket", "immunohistochemistry", "retina", "hubble_deep_field",
                 "colorwheel", "cat"):
        fn = getattr(sd, name, None)
        if fn is None:
            continue
        try:
            img = np.asarray(fn())
        except Exception:  # an image needing pooch (a download) is skipped
            continue
        if img.ndim == 3 and img.shape[2] >= 3 and img.dtype == np.uint8:
            photos.append(img[..., :3])
    return photos


@DATASETS.register("photos")
def photos(split: str, n: int = 10_000, resolution: int = 64, seed: int = 0, **_) -> ImageSet:
    """Random square crops (side 1/8 to 1/2 of the shorter edge) of the photos shipped with scikit-learn and
    scikit-image, resized to ``resolution`` (``load_dataset(size=...)`` then conforms them): a real natural-image, out-of-domain pool with no labels.

    Train and test splits are disjoint halves of each photo (left/right), so a test crop never overlaps a train crop.
    """
    rng = np.random.default_rng([seed, 0 if split == "train" else 1])
    pics = [torch.from_numpy(np.array(p)).permute(2, 0, 1).float() for p in _photos()]
    half = [(p[:, :, : p.shape[2] // 2] if split == "train" else p[:, :, p.shape[2] // 2:]) for p in pics]
    size = resolution
    out = torch.empty(n, 3, size, size, dtype=torch.uint8)
    for i in range(n):
        p = half[rng.integers(len(half))]
        h, w = p.shape[1:]
        side = int(rng.uniform(1 / 8, 1 / 2) * min(h, w))
        top, left = rng.integers(0, h - side + 1), rng.integers(0, w - side + 1)
        crop = p[:, top:top + side, left:left + side].unsqueeze(0)
        crop = F.interpolate(crop, size=(size, size), mode="bilinear", antialias=True, align_corners=False)
        out[i] = crop[0].round().clamp(0, 255).to(torch.uint8)
    return ImageSet(f"photos-{split}", out, None, meta={"photos": len(pics)})
