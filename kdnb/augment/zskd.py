"""ZSKD's offline augmentation (Nayak et al., ICML'19, ``vcl-iisc/ZSKD``, ``model_training/data_augmentation.py``),
which paper B very likely follows (official-code-notes §B), as batched tensor ops on the data's device.

ZSKD expands every mini-batch (``create_more_samples_using_augmentation``) into the originals and these copies,
then the teacher relabels every copy and the student takes ONE optimiser step on the whole expansion
(``train.py``: ``--data_augmentation`` replaces ``batch_xs`` by its expansion before ``sess.run``):

=====================  ======  ==============================================================================
copy                   ×n      what ZSKD does (images HWC in [0, 1]; here (B, C, H, W))
=====================  ======  ==============================================================================
original               1       the batch itself
scale                  3       ``central_scale_images``: ``tf.image.crop_and_resize`` of the central box of side
                               0.90 / 0.75 / 0.60 back to H×W, bilinear (TF samples y1·(H−1) + i·(y2−y1)·(H−1)
                               /(H−1), i.e. ``grid_sample(align_corners=True)`` on linspace(−s, s, H))
translate              4       ``translate_images``: left, right, top, bottom by 20 %; ``extract_glimpse`` of a
                               ⌈0.8·W⌉-wide window pasted on a canvas filled with **1.0**. At W = 32 the windows
                               start at column trunc(19.2 − 13) = 6 (left) and trunc(12.8 − 13) = 0 (right, pasted
                               at ⌊0.2·32⌋ = 6): exact shifts by W − ⌈0.8·W⌉ = 6 px (5 px at 28), the vacated
                               strip 1.0
rotate                 10      ``rotate_images_with_finer_angles(·, −90, 90, 10)``: −90, −70, …, 70, 90 degrees
                               (step 180/9), ``tf.contrib.image.rotate``: counter-clockwise, about ((W−1)/2,
                               (H−1)/2), nearest neighbour, outside → 0
flip                   3       ``flip_images``: ``flip_left_right``, ``flip_up_down``, ``transpose_image``
salt_pepper            1       ``add_salt_pepper_noise``: amount 0.004 of the H·W·C values, salt : pepper =
                               0.2 : 0.8, so ⌈0.004·H·W·C·0.2⌉ pixels set to 1 then ⌈0.004·H·W·C·0.8⌉ set to 0
                               (all channels; 3 + 10 pixels at 32×32×3, 1 + 4 at 32×32×1), rows and columns drawn
                               by ``np.random.randint(0, H − 1)`` (the last row / column never hit) after
                               ``np.random.seed(777)`` **before every image**: the same pixels in every image
gaussian               1       ``add_gaussian_noise``: ``cv2.addWeighted(x, 0.75, 0.25·u, 0.25, 0)`` = 0.75·x +
                               0.0625·u with u ~ U[0, 1) of shape (H, W, 1) (one plane for all channels) after
                               ``np.random.seed(777)`` before every image (the same u for every image), not
                               clipped (despite its name there is no Gaussian in it)
scale+translate        12      the 4 translations of the 3 scaled copies
translate+rotate       40      the 10 rotations of the 4 translated copies
scale+rotate           30      the 10 rotations of the 3 scaled copies
salt_pepper+gaussian   1       the noise blend of the salt-and-pepper copy
=====================  ======  ==============================================================================

That is 106 images per original (``EXPANSION``), "about 100×" in the notes. ZSKD adds the two noise copies only
``if dataset == 'cifar10'``, but ``train.py`` always passes ``'cifar10'``; ``noise=False`` drops them (103×).

Noise (``fixed_noise``). ZSKD reseeds numpy with 777 before every image, so its salt-and-pepper pixels and its
noise plane are the same for every image and every batch. ``fixed_noise=True`` (the default) reproduces that
exactly: the positions and the plane come from ``numpy.random.RandomState(777)`` with ZSKD's draws in ZSKD's order
(for C = 1 the draw of the channel index, which ZSKD's code would fail on — ``randint(0, 0)`` — is skipped).
``fixed_noise=False`` is OUR per-image variant: each image draws its own positions (same counts, same ranges)
and its own plane from the ``torch.Generator`` passed in, on the data's device.

Every op here takes float (B, C, H, W) in [0, 1] and returns its K copies stacked copy-major: copy k of image b
at row k·B + b (ZSKD stacks the scales and flips image-major instead; with one step on the whole expansion the
order changes nothing — the loss is a batch mean and BatchNorm sees the whole batch). All ops run on the data's
device with no per-image Python loop.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

SCALES = (0.90, 0.75, 0.60)
TRANSLATIONS = ("left", "right", "top", "bottom")
ANGLES = tuple(-90.0 + i * 180.0 / 9 for i in range(10))  # rotate_images_with_finer_angles(x, -90, 90, 10)
FLIPS = ("lr", "ud", "transpose")
COPIES = ("original", "scale", "translate", "rotate", "flip", "salt_pepper", "gaussian", "scale+translate",
          "translate+rotate", "scale+rotate", "salt_pepper+gaussian")
NOISE_COPIES = ("salt_pepper", "gaussian", "salt_pepper+gaussian")
MULTIPLICITY = {"original": 1, "scale": 3, "translate": 4, "rotate": 10, "flip": 3, "salt_pepper": 1, "gaussian": 1,
                "scale+translate": 12, "translate+rotate": 40, "scale+rotate": 30, "salt_pepper+gaussian": 1}
EXPANSION = sum(MULTIPLICITY.values())  # 106 images per original
ZSKD_SEED = 777


def _check(x: torch.Tensor) -> None:
    if x.dim() != 4 or not x.is_floating_point():
        raise ValueError(f"ZSKD ops expect float images (B, C, H, W) in [0, 1], got {x.dtype} {tuple(x.shape)}")


def _per_copy(x: torch.Tensor, k: int) -> torch.Tensor:
    """(B, C, H, W) → (k·B, C, H, W), copy-major: row j·B + b is image b."""
    return x.unsqueeze(0).expand(k, *x.shape).reshape(k * x.shape[0], *x.shape[1:])


def _sample(x: torch.Tensor, grids: torch.Tensor, mode: str) -> torch.Tensor:
    """Sample every image of x at each of the K grids (K, H, W, 2) (align_corners=True, zeros outside)."""
    k, b = grids.shape[0], x.shape[0]
    g = grids.to(x.dtype).repeat_interleave(b, dim=0)
    return F.grid_sample(_per_copy(x, k), g, mode=mode, padding_mode="zeros", align_corners=True)


# ------------------------------------------------------------------------------------------------- geometry


def central_scale(x: torch.Tensor, scales=SCALES) -> torch.Tensor:
    """ZSKD ``central_scale_images``: the central box of side s (a fraction of the image) resized to H×W, bilinear.

    ``tf.image.crop_and_resize`` with box [0.5 − s/2, 0.5 + s/2]² samples rows y1·(H−1) + i·(y2 − y1)·(H−1)/(H−1):
    normalised coordinates linspace(−s, s, H) under ``align_corners=True``. Returns (len(scales)·B, C, H, W).
    """
    _check(x)
    H, W = x.shape[-2:]
    grids = []
    for s in scales:
        ys = torch.linspace(-s, s, H, device=x.device, dtype=torch.float64)
        xs = torch.linspace(-s, s, W, device=x.device, dtype=torch.float64)
        gy, gx = torch.meshgrid(ys, xs, indexing="ij")
        grids.append(torch.stack([gx, gy], -1))
    return _sample(x, torch.stack(grids), "bilinear")


def translation_shift(size: int, fraction: float = 0.2) -> int:
    """Pixels ZSKD's 20 % translation moves an image of ``size`` px: size − ⌈0.8·size⌉ (6 at 32, 5 at 28)."""
    return size - math.ceil((1 - fraction) * size)


def translate(x: torch.Tensor, fraction: float = 0.2, fill: float = 1.0, directions=TRANSLATIONS) -> torch.Tensor:
    """ZSKD ``translate_images``: shift left / right / up / down by ``translation_shift`` px, vacated strip = 1.0.

    "left" moves the content left (column j ← column j + d; the right strip is ``fill``), "top" moves it up.
    Returns (len(directions)·B, C, H, W).
    """
    _check(x)
    H, W = x.shape[-2:]
    dx, dy = translation_shift(W, fraction), translation_shift(H, fraction)
    out = []
    for d in directions:
        canvas = torch.full_like(x, fill)
        if d == "left":
            canvas[..., :, :W - dx] = x[..., :, dx:]
        elif d == "right":
            canvas[..., :, dx:] = x[..., :, :W - dx]
        elif d == "top":
            canvas[..., :H - dy, :] = x[..., dy:, :]
        elif d == "bottom":
            canvas[..., dy:, :] = x[..., :H - dy, :]
        else:
            raise ValueError(f"unknown translation {d!r}; choose from {TRANSLATIONS}")
        out.append(canvas)
    return torch.cat(out)


def rotate_grid(angles_deg, H: int, W: int, device=None) -> torch.Tensor:
    """Sampling grids (K, H, W, 2) of ``tf.contrib.image.rotate``: counter-clockwise about ((W−1)/2, (H−1)/2).

    TF's projective map (``angles_to_projective_transforms``) reads output pixel (x, y) from input
    (cos·x' − sin·y' + cx, sin·x' + cos·y' + cy), x' = x − cx, y' = y − cy, in pixel units.
    """
    a = torch.as_tensor([math.radians(float(v)) for v in angles_deg], dtype=torch.float64, device=device)
    cx, cy = (W - 1) / 2, (H - 1) / 2
    ys = torch.arange(H, dtype=torch.float64, device=device) - cy
    xs = torch.arange(W, dtype=torch.float64, device=device) - cx
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")
    c, s = torch.cos(a).view(-1, 1, 1), torch.sin(a).view(-1, 1, 1)
    src_x = c * gx - s * gy + cx
    src_y = s * gx + c * gy + cy
    # pixel → normalised (align_corners=True); TF rounds half away from zero, grid_sample to even: the rounding
    # differs only on exact .5 source coordinates, which these angles produce only through float error.
    return torch.stack([2 * src_x / max(W - 1, 1) - 1, 2 * src_y / max(H - 1, 1) - 1], -1)


def rotate(x: torch.Tensor, angles=ANGLES) -> torch.Tensor:
    """ZSKD ``rotate_images_with_finer_angles(x, −90, 90, 10)``: each angle (degrees, counter-clockwise), nearest
    neighbour, outside the image 0. Returns (len(angles)·B, C, H, W)."""
    _check(x)
    H, W = x.shape[-2:]
    return _sample(x, rotate_grid(angles, H, W, x.device), "nearest")


def flip(x: torch.Tensor, kinds=FLIPS) -> torch.Tensor:
    """ZSKD ``flip_images``: ``flip_left_right`` (mirror columns), ``flip_up_down`` (mirror rows) and
    ``transpose_image`` (swap rows and columns; needs H = W). Returns (len(kinds)·B, C, H, W)."""
    _check(x)
    ops = {"lr": lambda v: v.flip(-1), "ud": lambda v: v.flip(-2), "transpose": lambda v: v.transpose(-1, -2)}
    unknown = [k for k in kinds if k not in ops]
    if unknown:
        raise ValueError(f"unknown flips {unknown}; choose from {FLIPS}")
    if "transpose" in kinds and x.shape[-1] != x.shape[-2]:
        raise ValueError(f"transpose_image keeps the size only for square images, got {tuple(x.shape[-2:])}")
    return torch.cat([ops[k](x) for k in kinds])


# ------------------------------------------------------------------------------------------------- noise


def salt_pepper_counts(shape, amount: float = 0.004, salt_vs_pepper: float = 0.2) -> tuple[int, int]:
    """ZSKD's numbers of salt and pepper pixels: ⌈amount·H·W·C·ratio⌉ and ⌈amount·H·W·C·(1 − ratio)⌉."""
    size = int(np.prod(shape))
    return (int(np.ceil(amount * size * salt_vs_pepper)), int(np.ceil(amount * size * (1.0 - salt_vs_pepper))))


def _zskd_positions(H: int, W: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns ZSKD draws after ``np.random.seed(777)``: one randint(0, dim − 1, n) per axis (H, W, C)."""
    rs = np.random.RandomState(ZSKD_SEED)
    rows, cols = rs.randint(0, H - 1, n), rs.randint(0, W - 1, n)
    return rows, cols  # ZSKD then draws the channel index, unused (it sets all channels)


def salt_pepper_masks(x: torch.Tensor, generator=None, fixed: bool = True, amount: float = 0.004,
                      salt_vs_pepper: float = 0.2) -> tuple[torch.Tensor, torch.Tensor]:
    """Boolean (B, 1, H, W) masks of the salt and the pepper pixels (see ``salt_pepper``)."""
    B, C, H, W = x.shape
    n_salt, n_pepper = salt_pepper_counts((H, W, C), amount, salt_vs_pepper)
    masks = []
    for n in (n_salt, n_pepper):
        m = torch.zeros(B, H * W, dtype=torch.bool, device=x.device)
        if fixed:
            r, c = _zskd_positions(H, W, n)
            idx = torch.as_tensor(r * W + c, device=x.device).view(1, -1).expand(B, -1)
        else:
            r = torch.randint(0, H - 1, (B, n), generator=generator, device=x.device)
            c = torch.randint(0, W - 1, (B, n), generator=generator, device=x.device)
            idx = r * W + c
        masks.append(m.scatter(1, idx, True).view(B, 1, H, W))
    return masks[0], masks[1]


def salt_pepper(x: torch.Tensor, generator=None, fixed: bool = True, amount: float = 0.004,
                salt_vs_pepper: float = 0.2) -> torch.Tensor:
    """ZSKD ``add_salt_pepper_noise``: salt (1.0) on ⌈amount·H·W·C·0.2⌉ pixels, then pepper (0.0) on
    ⌈amount·H·W·C·0.8⌉ pixels (pepper wins where both fall), every channel of a pixel alike; rows in [0, H − 2]
    and columns in [0, W − 2] as ZSKD's ``randint(0, i − 1)``, drawn with replacement.

    ``fixed=True``: ZSKD's own pixels (``RandomState(777)``, the same in every image); ``fixed=False``: each image
    draws its own from ``generator`` (ours). Returns (B, C, H, W).
    """
    _check(x)
    salt, pepper = salt_pepper_masks(x, generator, fixed, amount, salt_vs_pepper)
    return torch.where(pepper, 0.0, torch.where(salt, 1.0, x)).to(x.dtype)


def noise_plane(x: torch.Tensor, generator=None, fixed: bool = True) -> torch.Tensor:
    """The U[0, 1) plane of ZSKD's noise blend, (1, 1, H, W) (``fixed``: ``RandomState(777).random_sample((H, W, 1))``,
    ZSKD's) or (B, 1, H, W) (one per image from ``generator``)."""
    B, _, H, W = x.shape
    if fixed:
        u = np.random.RandomState(ZSKD_SEED).random_sample((H, W, 1)).astype(np.float32)
        return torch.as_tensor(u[..., 0], device=x.device).view(1, 1, H, W)
    return torch.rand(B, 1, H, W, generator=generator, device=x.device)


def noise_blend(x: torch.Tensor, generator=None, fixed: bool = True, weight: float = 0.75,
                noise_scale: float = 0.25, noise_weight: float = 0.25) -> torch.Tensor:
    """ZSKD ``add_gaussian_noise``: ``cv2.addWeighted(x, 0.75, 0.25·u, 0.25, 0)`` = 0.75·x + 0.0625·u, u ~ U[0, 1)
    one plane for all channels, not clipped. ``fixed``: ZSKD's plane (seed 777) for every image; else per image."""
    _check(x)
    u = noise_plane(x, generator, fixed).to(x.dtype)
    return weight * x + noise_weight * (noise_scale * u)


# ------------------------------------------------------------------------------------------------- expansion


def zskd_parts(x: torch.Tensor, generator=None, noise: bool = True, fixed_noise: bool = True
               ) -> dict[str, torch.Tensor]:
    """Every copy group of ZSKD's expansion of x, in ZSKD's order (``COPIES``), each (k·B, C, H, W)."""
    _check(x)
    scaled, moved = central_scale(x), translate(x)
    parts = {"original": x, "scale": scaled, "translate": moved, "rotate": rotate(x), "flip": flip(x)}
    if noise:
        peppered = salt_pepper(x, generator, fixed_noise)
        parts["salt_pepper"] = peppered
        parts["gaussian"] = noise_blend(x, generator, fixed_noise)
    parts["scale+translate"] = translate(scaled)
    parts["translate+rotate"] = rotate(moved)
    parts["scale+rotate"] = rotate(scaled)
    if noise:
        parts["salt_pepper+gaussian"] = noise_blend(peppered, generator, fixed_noise)
    return parts


def zskd_expand(x: torch.Tensor, generator=None, noise: bool = True, fixed_noise: bool = True) -> torch.Tensor:
    """ZSKD's offline expansion of one mini-batch: (B, C, H, W) → (106·B, C, H, W) (103·B with ``noise=False``).

    The originals come first (rows 0..B−1), then the groups of ``COPIES`` in order. The teacher must relabel every
    row (``kdnb.zskd.zskd_objective``); dtype and device are kept.
    """
    return torch.cat(list(zskd_parts(x, generator, noise, fixed_noise).values()))


def expansion(noise: bool = True) -> int:
    """Images per original: 106 (103 without the noise copies)."""
    return EXPANSION - (0 if noise else sum(MULTIPLICITY[c] for c in NOISE_COPIES))


__all__ = ["ANGLES", "COPIES", "EXPANSION", "FLIPS", "MULTIPLICITY", "SCALES", "TRANSLATIONS", "central_scale",
           "expansion", "flip", "noise_blend", "noise_plane", "rotate", "rotate_grid", "salt_pepper",
           "salt_pepper_counts", "salt_pepper_masks", "translate", "translation_shift", "zskd_expand", "zskd_parts"]
