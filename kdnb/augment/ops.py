"""Primitive image ops, batched with independent parameters per image.

Every op takes float images ``x`` of shape (B, C, H, W) with values in [0, 1] (C = 1 or 3) on any device and
per-image parameters as tensors of shape (B,) (or Python numbers, shared by all images). The ``random_*``
wrappers draw those parameters from a ``torch.Generator`` on the data's device, one draw per image, so a seed
fixes the output. Semantics follow ``torchvision.transforms.v2.functional`` image kernels (tests compare them
image by image); only the batching differs.

Choosing a subset of images (``where_subset``): on CPU the selected images are gathered, transformed and
scattered back, so only they cost compute; on CUDA the op runs on the whole batch and ``torch.where`` keeps it
for the selected ones, so nothing waits on the device (no ``.item()``, no ``nonzero``). Both give the same
result for the same random draws.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

SELECT_MODE = "auto"  # "auto" (subset on CPU, where on CUDA), "subset" or "where"; tests force either one


# ----------------------------------------------------------------------------------------------------------
# helpers


def _vec(v, x: torch.Tensor) -> torch.Tensor:
    """A per-image parameter as a (B,) tensor on x's device (a Python number is shared by all images)."""
    if torch.is_tensor(v):
        return v.to(device=x.device, dtype=x.dtype).expand(x.shape[0])
    return x.new_full((x.shape[0],), float(v))


def _col(v, x: torch.Tensor) -> torch.Tensor:
    """A per-image parameter shaped (B, 1, 1, 1) to broadcast over an image batch."""
    return _vec(v, x).view(-1, 1, 1, 1)


def _fill_tensor(fill, x: torch.Tensor) -> torch.Tensor:
    """A scalar or per-channel fill value shaped (1, C, 1, 1)."""
    f = [float(v) for v in fill] if isinstance(fill, (tuple, list)) else [float(fill)]
    if len(f) not in (1, x.shape[1]):
        raise ValueError(f"fill/mean has {len(f)} values but the images have {x.shape[1]} channels")
    if len(f) == 1 or len(set(f)) == 1:
        return x.new_full((1, x.shape[1], 1, 1), f[0])
    return torch.stack([x.new_full((), v) for v in f]).view(1, -1, 1, 1)  # fill kernels: no host→device copy


def _mask(mask, x: torch.Tensor) -> torch.Tensor:
    """A per-image boolean mask (B,) (a Python bool applies to all images)."""
    if torch.is_tensor(mask):
        return mask.to(x.device).expand(x.shape[0])
    return torch.full((x.shape[0],), bool(mask), device=x.device)


def _uses_subsets(x: torch.Tensor) -> bool:
    return SELECT_MODE == "subset" or (SELECT_MODE == "auto" and x.device.type == "cpu")


def where_subset(x: torch.Tensor, mask: torch.Tensor, fn, *params) -> torch.Tensor:
    """``fn(x, *params)`` for the images where ``mask`` (B,) is true; the other images unchanged.

    Tensor params are per image (first dim B) and are subset along with x; other params pass through.
    """
    if _uses_subsets(x):
        idx = mask.nonzero().squeeze(1)
        if idx.numel() == 0:
            return x
        sub = [p.index_select(0, idx) if torch.is_tensor(p) and p.dim() > 0 else p for p in params]
        return x.index_copy(0, idx, fn(x.index_select(0, idx), *sub).to(x.dtype))
    return torch.where(mask.view(-1, 1, 1, 1), fn(x, *params).to(x.dtype), x)


def bernoulli(p: float, n: int, generator, device) -> torch.Tensor:
    """n independent coin flips with P(True) = p (one per image), as torchvision's ``torch.rand(1) < p``."""
    return torch.rand(n, generator=generator, device=device) < p


def grid_sample(x: torch.Tensor, grid: torch.Tensor, mode: str, fill=None) -> torch.Tensor:
    """torchvision's ``_apply_grid_transform``: sample x at grid; outside pixels get ``fill``.

    With a fill (even 0) torchvision samples a ones-mask alongside the image and blends to the fill with it,
    which for bilinear sampling also darkens border pixels; fill=None pads with zeros. Both are reproduced.
    """
    if fill is None or (mode == "nearest" and not any(_fill_list(fill))):
        return F.grid_sample(x, grid, mode=mode, padding_mode="zeros", align_corners=False)
    ones = x.new_ones(x.shape[0], 1, *x.shape[2:])
    out, mask = F.grid_sample(torch.cat([x, ones], 1), grid, mode=mode, padding_mode="zeros",
                              align_corners=False).split([x.shape[1], 1], dim=1)
    fill_t = _fill_tensor(fill, x)
    if mode == "nearest":
        return torch.where(mask < 0.5, fill_t, out)
    return (out - fill_t) * mask + fill_t


def _fill_list(fill):
    return list(fill) if isinstance(fill, (tuple, list)) else [fill]


# ----------------------------------------------------------------------------------------------------------
# flip, invert, pad-and-crop, random erasing


def hflip(x: torch.Tensor, mask) -> torch.Tensor:
    """Mirror left-right the images where mask is true."""
    return torch.where(_mask(mask, x).view(-1, 1, 1, 1), x.flip(-1), x)


def random_hflip(x: torch.Tensor, generator=None, p: float = 0.5) -> torch.Tensor:
    """torchvision ``RandomHorizontalFlip(p)``, one coin per image."""
    return hflip(x, bernoulli(p, x.shape[0], generator, x.device))


def invert(x: torch.Tensor, mask=True) -> torch.Tensor:
    """``1 - x`` for the images where mask is true (torchvision ``invert`` on float images)."""
    return torch.where(_mask(mask, x).view(-1, 1, 1, 1), 1.0 - x, x)


def random_invert(x: torch.Tensor, generator=None, p: float = 0.5) -> torch.Tensor:
    """torchvision ``RandomInvert(p)``, one coin per image."""
    return invert(x, bernoulli(p, x.shape[0], generator, x.device))


def pad_crop(x: torch.Tensor, padding: int, top: torch.Tensor, left: torch.Tensor, fill=0.0) -> torch.Tensor:
    """Pad by ``padding`` px with ``fill`` (scalar or per channel), then crop H×W at (top, left) per image.

    Equals torchvision ``crop(pad(x, padding, fill), top, left, H, W)``; top, left are in [0, 2·padding].
    """
    B, C, H, W = x.shape
    if padding == 0:
        return x
    canvas = _fill_tensor(fill, x).expand(B, C, H + 2 * padding, W + 2 * padding).clone()
    canvas[..., padding:padding + H, padding:padding + W] = x
    rows = top.long().view(-1, 1) + torch.arange(H, device=x.device)  # (B, H)
    cols = left.long().view(-1, 1) + torch.arange(W, device=x.device)  # (B, W)
    index = (rows[:, :, None] * (W + 2 * padding) + cols[:, None, :]).view(B, 1, H * W).expand(B, C, H * W)
    return canvas.flatten(2).gather(2, index).view(B, C, H, W)


def random_crop(x: torch.Tensor, generator=None, padding: int = 4, fill=0.0) -> torch.Tensor:
    """torchvision ``RandomCrop(size=H, padding=padding, fill=fill)``: a uniform offset per image."""
    offsets = torch.randint(0, 2 * padding + 1, (2, x.shape[0]), generator=generator, device=x.device)
    return pad_crop(x, padding, offsets[0], offsets[1], fill)


def erase(x: torch.Tensor, top, left, height, width, value=0.0) -> torch.Tensor:
    """Set the rectangle [top, top+height) × [left, left+width) of each image to ``value`` (height 0: no-op).

    Equals torchvision ``erase(x, i, j, h, w, v)`` image by image.
    """
    B, C, H, W = x.shape
    rows = torch.arange(H, device=x.device).view(1, H, 1)
    cols = torch.arange(W, device=x.device).view(1, 1, W)
    t, l, h, w = (_vec(v, x).long().view(-1, 1, 1) for v in (top, left, height, width))
    inside = (rows >= t) & (rows < t + h) & (cols >= l) & (cols < l + w)  # (B, H, W)
    return torch.where(inside.unsqueeze(1), _fill_tensor(value, x), x)


def random_erasing(x: torch.Tensor, generator=None, p: float = 0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3),
                   value=0.0) -> torch.Tensor:
    """torchvision ``RandomErasing`` (Zhong et al., AAAI'20) with its defaults, drawn per image.

    As torchvision: with probability p, try up to 10 (area, log-aspect) draws and erase the first rectangle
    that fits; if none fits the image is left as is. The 10 tries are drawn at once for every image.
    """
    B, _, H, W = x.shape
    dev = x.device
    apply = bernoulli(p, B, generator, dev)
    area = H * W * (scale[0] + (scale[1] - scale[0]) * torch.rand(B, 10, generator=generator, device=dev))
    lo, hi = math.log(ratio[0]), math.log(ratio[1])
    aspect = torch.exp(lo + (hi - lo) * torch.rand(B, 10, generator=generator, device=dev))
    h = torch.sqrt(area * aspect).round().long()
    w = torch.sqrt(area / aspect).round().long()
    fits = (h < H) & (w < W)
    first = fits.int().argmax(1, keepdim=True)  # index of the first try that fits
    h, w = h.gather(1, first).squeeze(1), w.gather(1, first).squeeze(1)
    h = torch.where(apply & fits.any(1), h, 0)
    u = torch.rand(2, B, generator=generator, device=dev)
    top = (u[0] * (H - h + 1)).long().clamp(max=H - h)
    left = (u[1] * (W - w + 1)).long().clamp(max=W - w)
    return erase(x, top, left, h, w, value)


# ----------------------------------------------------------------------------------------------------------
# affine transforms (rotation, scale, translation, shear) via F.affine_grid / grid_sample


def affine_theta(x: torch.Tensor, angle=0.0, translate=(0.0, 0.0), scale=1.0, shear=(0.0, 0.0),
                 center=None) -> torch.Tensor:
    """Per-image sampling matrices (B, 2, 3) for ``F.affine_grid(..., align_corners=False)``.

    torchvision's ``_get_inverse_affine_matrix`` (M = T·C·R·S·Sh_y·Sh_x·C⁻¹, inverted), vectorised: angle
    and shear in degrees (clockwise, as torchvision ``affine``), translate in pixels, ``center`` in pixels from
    the top-left corner (default: image centre); then rescaled from pixel to normalised coordinates.
    """
    B, _, H, W = x.shape
    rot = torch.deg2rad(_vec(angle, x))
    sx, sy = torch.deg2rad(_vec(shear[0], x)), torch.deg2rad(_vec(shear[1], x))
    tx, ty = _vec(translate[0], x), _vec(translate[1], x)
    s = _vec(scale, x)
    cx = _vec(0.0, x) if center is None else _vec(center[0], x) - W * 0.5
    cy = _vec(0.0, x) if center is None else _vec(center[1], x) - H * 0.5
    a = torch.cos(rot - sy) / torch.cos(sy)
    b = -(a * torch.tan(sx) + torch.sin(rot))
    c = torch.sin(rot - sy) / torch.cos(sy)
    d = torch.cos(rot) - c * torch.tan(sx)
    m0, m1, m3, m4 = d / s, -b / s, -c / s, a / s
    m2 = cx - m0 * (cx + tx) - m1 * (cy + ty)
    m5 = cy - m3 * (cx + tx) - m4 * (cy + ty)
    row0 = torch.stack([m0, m1 * H / W, 2 * m2 / W], 1)
    row1 = torch.stack([m3 * W / H, m4, 2 * m5 / H], 1)
    return torch.stack([row0, row1], 1)


def affine(x: torch.Tensor, angle=0.0, translate=(0.0, 0.0), scale=1.0, shear=(0.0, 0.0), center=None,
           mode: str = "nearest", fill=None) -> torch.Tensor:
    """torchvision ``affine`` with per-image parameters, one ``grid_sample`` for the batch."""
    return warp(x, affine_theta(x, angle, translate, scale, shear, center), mode, fill)


def warp(x: torch.Tensor, theta: torch.Tensor, mode: str = "nearest", fill=None) -> torch.Tensor:
    """Resample each image with its own (2, 3) matrix: ``F.affine_grid`` (align_corners=False) + sampling."""
    return grid_sample(x, F.affine_grid(theta, list(x.shape), align_corners=False), mode, fill)


def rotate(x: torch.Tensor, angle, mode: str = "nearest", fill=None) -> torch.Tensor:
    """torchvision ``rotate`` (counter-clockwise degrees, about the centre, same size) per image."""
    return affine(x, angle=-_vec(angle, x), mode=mode, fill=fill)


# ----------------------------------------------------------------------------------------------------------
# elastic transform (torchvision ElasticTransform)


def _blur_matrix(n: int, sigma: float, x: torch.Tensor) -> torch.Tensor:
    """(n, n) matrix of a 1-D Gaussian blur with reflect padding, kernel as torchvision's ``gaussian_blur``.

    Kernel size ``int(8σ+1)`` (made odd), weights softmax(−(t/σ)²) on torchvision's grid; the reflect padding
    is folded into the matrix, so ``A @ v`` equals pad-then-convolve. Reflect padding needs pad < n, so on
    images smaller than the kernel's half-width + 1 the kernel is truncated (and renormalised).
    """
    k = int(8 * sigma + 1)
    k += 1 - k % 2
    half = min(k // 2, n - 1)
    lim = (k - 1) / (2.0 * math.sqrt(2.0))
    kernel = torch.softmax(-(torch.linspace(-lim, lim, k, device=x.device, dtype=x.dtype) / sigma) ** 2, 0)
    kernel = kernel[k // 2 - half:k // 2 + half + 1]
    kernel = kernel / kernel.sum()
    rows = torch.arange(n, device=x.device).view(-1, 1)
    src = rows + torch.arange(-half, half + 1, device=x.device).view(1, -1)  # (n, 2·half+1)
    src = torch.where(src < 0, -src, torch.where(src > n - 1, 2 * (n - 1) - src, src))  # reflect
    return x.new_zeros(n, n).index_put_((rows.expand_as(src), src), kernel.expand_as(src), accumulate=True)


def gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """torchvision ``gaussian_blur(x, [k, k], [σ, σ])`` with k = int(8σ+1) made odd, reflect padding.

    Computed as A_H · x · A_Wᵀ with the reflect-folded blur matrices (two small matmuls: ~50× faster on CPU
    than a 41-tap depthwise convolution at 32 px).
    """
    return _blur_matrix(x.shape[-2], sigma, x) @ x @ _blur_matrix(x.shape[-1], sigma, x).T


def blur_displacement(noise: torch.Tensor, alpha: float = 50.0, sigma: float = 5.0) -> torch.Tensor:
    """Noise (B, 2, H, W) → displacement (B, H, W, 2): Gaussian blur with σ px, scaled by α/size."""
    H, W = noise.shape[-2:]
    scale = torch.stack([noise.new_full((), alpha / W), noise.new_full((), alpha / H)]).view(1, 2, 1, 1)
    return (gaussian_blur(noise, sigma) * scale).permute(0, 2, 3, 1)


def elastic_noise(x: torch.Tensor, generator=None) -> torch.Tensor:
    """uniform(−1, 1) noise per pixel and axis, (B, 2, H, W), as torchvision ``ElasticTransform``."""
    B, _, H, W = x.shape
    return torch.rand(B, 2, H, W, generator=generator, device=x.device, dtype=x.dtype) * 2 - 1


def elastic(x: torch.Tensor, displacement: torch.Tensor, fill=0.0, mode: str = "bilinear") -> torch.Tensor:
    """torchvision ``elastic``: sample at identity grid + displacement (B, H, W, 2), bilinear, with fill."""
    B, _, H, W = x.shape
    gx = torch.linspace((1 - W) / W, (W - 1) / W, W, device=x.device, dtype=x.dtype)
    gy = torch.linspace((1 - H) / H, (H - 1) / H, H, device=x.device, dtype=x.dtype)
    identity = torch.stack(torch.broadcast_tensors(gx.view(1, W), gy.view(H, 1)), -1)  # (H, W, 2)
    return grid_sample(x, identity + displacement, mode, fill)


def random_elastic(x: torch.Tensor, generator=None, alpha: float = 50.0, sigma: float = 5.0, p: float = 1.0,
                   fill=0.0) -> torch.Tensor:
    """``RandomApply(ElasticTransform(alpha, sigma, fill=fill), p)`` with its own random field per image."""
    apply = bernoulli(p, x.shape[0], generator, x.device)
    noise = elastic_noise(x, generator)
    return where_subset(x, apply, lambda xs, n: elastic(xs, blur_displacement(n, alpha, sigma), fill), noise)


# ----------------------------------------------------------------------------------------------------------
# colour ops (torchvision functional semantics for float images), per-image factors


def grayscale(x: torch.Tensor) -> torch.Tensor:
    """ITU-R 601 luma (torchvision ``rgb_to_grayscale``), (B, 1, H, W); a 1-channel image is its own."""
    if x.shape[1] == 1:
        return x
    return (0.2989 * x[:, 0] + 0.587 * x[:, 1] + 0.114 * x[:, 2]).unsqueeze(1)


def blend(x: torch.Tensor, degenerate: torch.Tensor, factor) -> torch.Tensor:
    """``clamp(factor·x + (1−factor)·degenerate, 0, 1)`` per image — PIL's ImageEnhance family."""
    f = _col(factor, x)
    return (x * f + degenerate * (1 - f)).clamp_(0, 1)


def adjust_brightness(x: torch.Tensor, factor) -> torch.Tensor:
    return blend(x, torch.zeros_like(x), factor)


def adjust_saturation(x: torch.Tensor, factor) -> torch.Tensor:
    """Blend with the grayscale image; identity on 1-channel images (as PIL / torchvision)."""
    return x if x.shape[1] == 1 else blend(x, grayscale(x), factor)


def adjust_contrast(x: torch.Tensor, factor) -> torch.Tensor:
    """Blend with the image's mean grayscale value."""
    return blend(x, grayscale(x).mean((1, 2, 3), keepdim=True), factor)


def sharpness_degenerate(x: torch.Tensor) -> torch.Tensor:
    """The image smoothed by PIL's 3×3 kernel [[1,1,1],[1,5,1],[1,1,1]]/13; border pixels kept."""
    n = x.shape[1]
    if x.shape[-1] <= 2 or x.shape[-2] <= 2:
        return x.clone()
    centre = torch.arange(9, device=x.device).view(3, 3) == 4
    kernel = torch.where(centre, 5.0 / 13.0, 1.0 / 13.0).to(x.dtype)  # no item assignment: that syncs on CUDA
    out = x.clone()
    out[..., 1:-1, 1:-1] = F.conv2d(x, kernel.expand(n, 1, 3, 3), groups=n)
    return out


def adjust_sharpness(x: torch.Tensor, factor) -> torch.Tensor:
    if x.shape[-1] <= 2 or x.shape[-2] <= 2:
        return x
    return blend(x, sharpness_degenerate(x), factor)


def posterize(x: torch.Tensor, bits) -> torch.Tensor:
    """Keep ``bits`` bits per channel: floor(x·2^bits)/2^bits (torchvision's float kernel)."""
    levels = torch.exp2(_col(bits, x))
    return torch.minimum((x * levels).floor(), levels - 1) / levels


def solarize(x: torch.Tensor, threshold) -> torch.Tensor:
    """Invert the pixels ≥ threshold (per image)."""
    return torch.where(x >= _col(threshold, x), 1.0 - x, x)


def autocontrast(x: torch.Tensor) -> torch.Tensor:
    """Stretch each channel of each image to [0, 1]; constant channels unchanged."""
    lo, hi = x.amin((-2, -1), keepdim=True), x.amax((-2, -1), keepdim=True)
    flat = hi == lo
    lo = torch.where(flat, 0.0, lo)
    scale = torch.where(flat, 1.0, hi - lo)
    return ((x - lo) / scale).clamp_(0, 1)


def equalize(x: torch.Tensor) -> torch.Tensor:
    """Histogram-equalise each channel of each image, PIL's LUT rule, on uint8-quantised values.

    As torchvision: x → uint8 by ``x·(256 − 1e-3)`` truncation, a 256-bin histogram per (image, channel)
    via ``scatter_add``, lut = (cumhist + step//2) // step with step = (#pixels not of the top value) // 255,
    images with step 0 kept (quantised); the result back to float /255.
    """
    q = (x * (256.0 - 1e-3)).long().clamp_(0, 255).flatten(2)  # (B, C, HW)
    hist = torch.zeros(*q.shape[:2], 256, dtype=torch.int64, device=x.device)
    hist.scatter_add_(2, q, torch.ones_like(q))
    cum = hist.cumsum(2)
    top = hist.gather(2, cum.argmax(2, keepdim=True))  # count of the highest value present
    step = (q.shape[2] - top).div(255, rounding_mode="floor")
    lut = (cum[..., :-1] + step // 2).div(step.clamp(min=1), rounding_mode="floor").clamp_(0, 255)
    lut = torch.cat([torch.zeros_like(lut[..., :1]), lut], 2)
    out = torch.where(step > 0, lut.gather(2, q), q)
    return (out.to(x.dtype) / 255.0).view_as(x)
