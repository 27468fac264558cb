"""Dead leaves ("Leaves", Baradad et al., NeurIPS'21 "Learning to see by looking at noise"), as used by paper A §3.2.

Each image is a stack of flat-coloured random shapes. Vectorised numpy rasterisation: every shape is tested only on a
small window of pixel centres around it (windows grouped by size), all images of a batch at once, and the per-pixel
occlusion order is resolved with ``np.minimum.at`` / ``np.maximum.at`` on (pixel, shape-index) pairs.

Provenance of each detail (official = ``mbaradad/learning_with_noise`` dead-leaves script, official-code-notes E.1):

==================================  ======================================================================
paper + official                     power-law radii, density ∝ r^-σ with σ = 3 on [0.03, 1] × image size;
                                     mixed shapes: circle, square, oriented (rotated) square, rectangle,
                                     triangle, quadrilateral, drawn uniformly; uniform random RGB colours;
                                     uniform random centres; no filtering.
official                             radius table: 200 radii linearly spaced in [0.03, 1], pdf r^-σ shifted so
                                     that p(r_max) = 0, a sample takes the radius whose CDF value is nearest to
                                     u ~ U(0,1); radius_px = max(int(r·res), 1); square side r·√2 (inscribed in
                                     the circle of radius r); rectangle corners (±r cos a, ±r sin a), a~U(0,π/2);
                                     triangle / quad = 3 / 4 sorted random angles on the circle of radius r;
                                     canvas starts black; each new shape is painted ON TOP (``order="top"``);
                                     stop as soon as no pixel is left uncovered, at most 5000 shapes.
kdnb choices                         continuous (sub-pixel) centres and the pixel-centre inside test instead of
                                     cv2's integer rasteriser; coverage is tracked exactly (the official script
                                     checks for black pixels); oriented-square rotation ~ U(0, π/2) (covers all
                                     orientations of a square); render directly at ``size`` (the official presets
                                     are 128/256 px JPEGs; how paper A resized them is not in code, notes A.8);
                                     ``supersample=k`` renders at k·size and area-averages (antialiasing, off by
                                     default — the official drawing is aliased; ``supersample=4`` at 32 px is the
                                     128-px preset box-downsampled to 32, minus JPEG); ``order="behind"`` paints each
                                     new shape behind the earlier ones, which with the same stopping rule gives an
                                     exact sample of the stationary dead-leaves model (optional, not the default).
==================================  ======================================================================

At 32 px with the official on-top order about 1.7 % of images are nearly one colour (a large shape drawn late covers
the canvas); like paper A we do not filter them (``kdnb.sources.shaders.is_degenerate`` would).
"""
from __future__ import annotations

import numpy as np
import torch

from kdnb.sources.base import SOURCES, area_downsample, image_rng, progress_bar, to_channels

SHAPES = ("circle", "square", "oriented_square", "rectangle", "triangle", "quadrilateral")
R_MIN, R_MAX, SIGMA, N_RADII = 0.03, 1.0, 3.0, 200
MAX_SHAPES = 5000
_CHUNK_SHAPES = 512  # shapes drawn per round per image (deterministic: fixed, independent of n)
_BATCH = 256  # images rasterised together
_NCOL = 11  # uniforms per shape: radius, cx, cy, type, 4 angles, r, g, b
_BIG = np.int32(2**30)

_radii = np.linspace(R_MIN, R_MAX, N_RADII)
_pdf = _radii ** (-SIGMA) - R_MAX ** (-SIGMA)
_cdf = np.cumsum(_pdf) / _pdf.sum()
_cdf32 = _cdf.astype(np.float32)


def sample_radius(u: np.ndarray) -> np.ndarray:
    """Radius fractions for uniforms u: the table radius whose CDF value is nearest to u (official rule)."""
    cdf = _cdf32 if u.dtype == np.float32 else _cdf
    j = np.clip(np.searchsorted(cdf, u), 1, N_RADII - 1)
    take_left = np.abs(cdf[j - 1] - u) <= np.abs(cdf[j] - u)
    return _radii.astype(u.dtype)[np.where(take_left, j - 1, j)]


def _windows(S: int) -> list[int]:
    """Window widths 3, 4, 6, 8, 12, 16, 24, ... below S, then S itself (the whole canvas)."""
    out, w = [3], 4
    while w < S:
        out.append(w)
        w = w * 3 // 2 if w & (w - 1) == 0 else w * 4 // 3
    return [x for x in out if x < S] + [S]


def _sort_columns(cols: list[np.ndarray]) -> list[np.ndarray]:
    """Element-wise sort of a few equal-length arrays (a compare-exchange network; no per-row numpy sort)."""
    c = list(cols)
    pairs = {3: [(0, 1), (1, 2), (0, 1)], 4: [(0, 1), (2, 3), (0, 2), (1, 3), (1, 2)]}[len(c)]
    for i, j in pairs:
        c[i], c[j] = np.minimum(c[i], c[j]), np.maximum(c[i], c[j])
    return c


def _geometry(U: np.ndarray, S: int, allowed: np.ndarray):
    """Shapes from their uniforms U (11, M) (one row per parameter): centre, radius in px, circle flag,
    vertices (4, M) sorted by angle (so the polygon is convex and counter-clockwise), colour (M, 3)."""
    rho = np.maximum((sample_radius(U[0]) * S).astype(np.int32), 1).astype(np.float32)
    cx = U[1] * np.float32(S)
    cy = U[2] * np.float32(S)
    kind = allowed[np.minimum((U[3] * len(allowed)).astype(np.int32), len(allowed) - 1)]
    pi = np.float32(np.pi)
    a0 = U[4] * (pi / 2)
    quarter = np.arange(4, dtype=np.float32)[:, None] * (pi / 2)
    ang = np.where(kind == 1, pi / 4, a0) + quarter  # square: axis aligned; oriented square: rotated by a0
    rect = np.stack([a0, pi - a0, pi + a0, 2 * pi - a0])  # corners (±r cos a, ±r sin a)
    tri = _sort_columns([U[4], U[5], U[6]])
    tri = np.stack(tri + [tri[2]]) * (2 * pi)  # 4th vertex repeats the 3rd: a zero-length edge
    quad = np.stack(_sort_columns([U[4], U[5], U[6], U[7]])) * (2 * pi)
    ang = np.where(kind == 3, rect, np.where(kind == 4, tri, np.where(kind == 5, quad, ang)))
    vx = cx + rho * np.cos(ang)
    vy = cy + rho * np.sin(ang)
    colour = np.minimum((U[8:11].T * 256).astype(np.int32), 255).astype(np.uint8)
    return cx, cy, rho, kind == 0, vx, vy, colour


def _rasterise(img, key, cx, cy, rho, circ, vx, vy, S: int):
    """(pixel, key) pairs of all pixel centres inside each shape; pixel = img*S*S + y*S + x.

    Shapes are grouped by window width W ≥ 2ρ+1 (a W×W block of pixels always contains every pixel centre of a
    shape of radius ρ) and by circle/polygon; arrays are laid out (W, W, shapes) so numpy's inner loops run over
    shapes.
    """
    widths = np.array(_windows(S))
    bucket = np.minimum(np.searchsorted(widths, 2 * rho + 1), len(widths) - 1)
    group = bucket * 2 + (~circ)
    order = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[order], np.arange(2 * len(widths) + 1))
    pix_out, key_out = [], []
    for g in range(2 * len(widths)):
        sel = order[bounds[g]:bounds[g + 1]]
        if len(sel) == 0:
            continue
        W, is_circle = int(widths[g // 2]), g % 2 == 0
        ar = np.arange(W, dtype=np.float32)[:, None] + np.float32(0.5)
        c_x, c_y, r = cx[sel], cy[sel], rho[sel]
        x0 = np.clip(np.floor(c_x - r), 0, S - W).astype(np.int32)
        y0 = np.clip(np.floor(c_y - r), 0, S - W).astype(np.int32)
        xs = x0.astype(np.float32) + ar  # (W, Nb) pixel-centre coordinates
        ys = y0.astype(np.float32) + ar
        if is_circle:
            dx2 = (xs - c_x) ** 2
            dy2 = (ys - c_y) ** 2
            inside = dy2[:, None, :] + dx2[None, :, :] <= r * r
        else:
            px, py = vx[:, sel], vy[:, sel]  # (4, Nb)
            inside = None
            for k in range(4):
                ex = px[(k + 1) % 4] - px[k]
                ey = py[(k + 1) % 4] - py[k]
                # inside ⇔ ex·(y − vy) − ey·(x − vx) ≥ 0 for every edge (vertices sorted by angle)
                e = (ex * (ys - py[k]))[:, None, :] >= (ey * (xs - px[k]))[None, :, :]
                inside = e if inside is None else np.logical_and(inside, e, out=inside)
        yy, xx, j = np.nonzero(inside)
        sj = sel[j]
        pix_out.append(img[sj] * (S * S) + (y0[j] + yy) * S + (x0[j] + xx))
        key_out.append(key[sj])
    if not pix_out:
        return np.zeros(0, np.int64), np.zeros(0, np.int32)
    return np.concatenate(pix_out), np.concatenate(key_out)


def render_batch(seed: int, indices, S: int, allowed: np.ndarray, order: str = "top",
                 max_shapes: int = MAX_SHAPES, return_stats: bool = False):
    """Rasterise images ``indices`` at S×S: (B, S, S, 3) uint8 (and, if asked, coverage and shapes used)."""
    B = len(indices)
    rngs = [image_rng(seed, int(i), "leaves") for i in indices]
    HW = S * S
    first = np.full(B * HW, _BIG, dtype=np.int32)  # index of the first shape covering each pixel
    last = np.full(B * HW, -1, dtype=np.int32)  # index of the last shape (before the stop) covering it
    stop = np.full(B, max_shapes, dtype=np.int64)  # shapes used per image
    colours = []
    active = np.arange(B)
    n_rounds = -(-max_shapes // _CHUNK_SHAPES)
    for rnd in range(n_rounds):
        if len(active) == 0:
            break
        C = _CHUNK_SHAPES
        U = np.concatenate([rngs[b].random((_NCOL, C), dtype=np.float32) for b in active], axis=1)  # (11, A·C)
        cx, cy, rho, circ, vx, vy, col = _geometry(U, S, allowed)
        chunk_col = np.zeros((B, C, 3), np.uint8)
        chunk_col[active] = col.reshape(len(active), C, 3)
        colours.append(chunk_col)
        img = np.repeat(active, C)
        key = (rnd * C + np.tile(np.arange(C), len(active))).astype(np.int32)
        if key.max() >= max_shapes:  # the last round may run past the cap
            keep = key < max_shapes
            img, key, cx, cy, rho, circ = (a[keep] for a in (img, key, cx, cy, rho, circ))
            vx, vy = vx[:, keep], vy[:, keep]
        pix, k = _rasterise(img, key, cx, cy, rho, circ, vx, vy, S)
        np.minimum.at(first, pix, k)
        f_act = first.reshape(B, HW)[active]
        covered = (f_act < _BIG).all(axis=1)
        stop_act = np.where(covered, f_act.max(axis=1).astype(np.int64) + 1, max_shapes)
        if order == "top":
            lim = np.full(B, max_shapes, dtype=np.int64)
            lim[active] = stop_act
            sel = k < lim[pix // HW]
            np.maximum.at(last, pix[sel], k[sel])
        stop[active] = stop_act
        active = active[~covered]
    ref = first if order == "behind" else last
    ok = (ref >= 0) & (ref < _BIG)
    table = np.concatenate(colours, axis=1)  # (B, rounds*C, 3)
    out = np.zeros((B * HW, 3), np.uint8)
    pix = np.nonzero(ok)[0]
    out[pix] = table[pix // HW, ref[pix]]
    out = out.reshape(B, S, S, 3)
    if return_stats:
        return out, ok.reshape(B, S, S), stop
    return out


@SOURCES.register("leaves")
def leaves(n: int, size: int, seed: int, channels: int = 3, shapes="mixed", order: str = "top",
           supersample: int = 1, max_shapes: int = MAX_SHAPES, progress: bool | None = None) -> torch.Tensor:
    """Dead-leaves images (see the module docstring for what follows the paper, the official script, or us).

    shapes: "mixed" (all six, uniformly) or one name / a list of names from ``SHAPES``.
    order: "top" (official: each new shape painted over the earlier ones) or "behind" (exact dead-leaves model).
    supersample: render at k·size and area-average down (antialiasing); 1 = aliased like the official drawing.
    """
    names = SHAPES if shapes == "mixed" else ((shapes,) if isinstance(shapes, str) else tuple(shapes))
    bad = [s for s in names if s not in SHAPES]
    if bad or not names:
        raise ValueError(f"unknown shape(s) {bad}; choose 'mixed' or from {SHAPES}")
    if order not in ("top", "behind"):
        raise ValueError(f"order must be 'top' or 'behind', got {order!r}")
    if supersample < 1 or int(supersample) != supersample:
        raise ValueError(f"supersample must be a positive int, got {supersample!r}")
    allowed = np.array([SHAPES.index(s) for s in names])
    ss = int(supersample)
    S = size * ss
    out = np.empty((n, channels, size, size), np.uint8)
    with progress_bar(n, "leaves", progress) as bar:
        for start in range(0, n, _BATCH):
            idx = range(start, min(n, start + _BATCH))
            rgb = area_downsample(render_batch(seed, idx, S, allowed, order, max_shapes), ss)
            out[start:start + len(idx)] = to_channels(rgb.transpose(0, 3, 1, 2), channels)
            bar.update(len(idx))
    return torch.from_numpy(out)
