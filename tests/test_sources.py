"""Synthetic image sources: noise, dead leaves, GLSL shaders (kdnb.sources)."""
from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest
import torch

import kdnb  # noqa: F401  (makes torchvision importable; harmless here)
from kdnb.sources import SOURCES, names, render
from kdnb.sources import leaves as L
from kdnb.sources import noise as N
from kdnb.sources import shaders as S


def _gl_reason() -> str | None:
    try:
        S.gl()
    except RuntimeError as e:
        return str(e)
    return None


_NO_GL = _gl_reason()
needs_gl = pytest.mark.skipif(_NO_GL is not None, reason=f"no EGL/OpenGL context on this machine: {_NO_GL}")

ALL = ["gaussian_noise", "uniform_noise", "leaves", "shaders"]


def _params(name):
    return {"shaders": dict(supersample=1)}.get(name, {})


def _skip_if_gl(name):
    if name == "shaders" and _NO_GL is not None:
        pytest.skip(f"no EGL/OpenGL context on this machine: {_NO_GL}")


# ------------------------------------------------------------------------------------------------ common contract


def test_registry_lists_all_sources():
    assert set(ALL) <= set(names())
    assert names() == SOURCES.names()


@pytest.mark.parametrize("name", ALL)
def test_shape_dtype_and_channels(name):
    _skip_if_gl(name)
    x = render(name, 5, 16, 0, **_params(name))
    assert x.dtype == torch.uint8 and tuple(x.shape) == (5, 3, 16, 16) and x.device.type == "cpu"
    g = render(name, 3, 12, 0, channels=1, **_params(name))
    assert g.dtype == torch.uint8 and tuple(g.shape) == (3, 1, 12, 12)
    assert render(name, 0, 8, 0, **_params(name)).shape == (0, 3, 8, 8)


@pytest.mark.parametrize("name", ALL)
def test_deterministic_and_chunk_independent(name):
    _skip_if_gl(name)
    a = render(name, 12, 16, 7, **_params(name))
    b = render(name, 12, 16, 7, **_params(name))
    assert torch.equal(a, b), "same arguments must give identical bytes"
    c = render(name, 5, 16, 7, **_params(name))
    assert torch.equal(a[:5], c), "image i must not depend on n"
    d = render(name, 12, 16, 8, **_params(name))
    assert not torch.equal(a, d), "a different seed must give different images"
    assert not torch.equal(a[0], a[1]), "images within a batch must differ"


def test_grey_is_bt601_luma_of_rgb():
    rgb = render("leaves", 4, 16, 3)
    grey = render("leaves", 4, 16, 3, channels=1)
    c = rgb.numpy().astype(np.int64)
    expect = (299 * c[:, 0] + 587 * c[:, 1] + 114 * c[:, 2] + 500) // 1000
    assert np.array_equal(grey.numpy()[:, 0], expect)


def test_render_validates_arguments():
    with pytest.raises(ValueError, match="channels"):
        render("uniform_noise", 2, 8, 0, channels=2)
    with pytest.raises(ValueError, match="size"):
        render("uniform_noise", 2, 0, 0)
    with pytest.raises(KeyError, match="unknown source"):
        render("no_such_source", 2, 8, 0)


# ------------------------------------------------------------------------------------------------ noise


def _clipped_normal_moments(mu, sd):
    """Mean and std of clip(N(mu, sd), 0, 1), by numerical integration."""
    x = np.linspace(mu - 8 * sd, mu + 8 * sd, 200001)
    pdf = np.exp(-0.5 * ((x - mu) / sd) ** 2) / (sd * math.sqrt(2 * math.pi))
    y = np.clip(x, 0, 1)
    dx = x[1] - x[0]
    m = float((y * pdf).sum() * dx)
    v = float(((y - m) ** 2 * pdf).sum() * dx)
    return m, math.sqrt(v)


def test_gaussian_noise_matches_parameters():
    mean, std = (0.3, 0.5, 0.7), (0.05, 0.1, 0.08)
    x = render("gaussian_noise", 200, 32, 0, mean=mean, std=std).numpy().astype(np.float64) / 255
    for c in range(3):
        assert abs(x[:, c].mean() - mean[c]) < 0.003
        assert abs(x[:, c].std() - std[c]) < 0.003


def test_gaussian_noise_with_cifar_stats_is_a_clipped_normal():
    mean, std = N.DATASET_STATS["cifar10"]
    x = render("gaussian_noise", 200, 32, 1, stats="cifar10").numpy().astype(np.float64) / 255
    assert x.min() == 0.0 and x.max() == 1.0  # σ≈0.25 reaches the clip bounds
    for c in range(3):
        m, s = _clipped_normal_moments(mean[c], std[c])
        assert abs(x[:, c].mean() - m) < 0.004, (c, x[:, c].mean(), m)
        assert abs(x[:, c].std() - s) < 0.004, (c, x[:, c].std(), s)
    # channels are independent draws
    assert abs(np.corrcoef(x[:, 0].ravel(), x[:, 1].ravel())[0, 1]) < 0.02


def test_paper_b_noise_pools():
    u = render("uniform_noise", 100, 32, 0).numpy().astype(np.float64)
    assert abs(u.mean() - 127.5) < 1.0 and abs(u.std() - 73.9) < 1.0
    assert u.min() == 0 and u.max() == 255
    g = render("gaussian_noise", 100, 32, 0, mean=0.5, std=0.1, channels=1).numpy() / 255
    assert abs(g.mean() - 0.5) < 0.003 and abs(g.std() - 0.1) < 0.003


# ------------------------------------------------------------------------------------------------ leaves


def test_leaves_cover_the_canvas_and_are_colourful():
    for order in ("top", "behind"):
        img, covered, used = L.render_batch(0, range(48), 32, np.arange(len(L.SHAPES)), order=order,
                                            return_stats=True)
        assert covered.all(), "dead leaves must paint every pixel (no background left)"
        assert (used < L.MAX_SHAPES).all()
        colours = [len(np.unique(a.reshape(-1, 3), axis=0)) for a in img]
        assert np.mean(np.array(colours) >= 3) >= 0.95
    x = render("leaves", 200, 32, 0).numpy()
    # paper A uses leaves unfiltered; with the official on-top painting a late large shape occasionally covers
    # nearly the whole 32-px canvas (≈1.7 % of images measured over 2000) — rare, so no filter is applied
    assert S.is_degenerate(x).mean() < 0.06


def test_leaves_radius_distribution_follows_the_power_law():
    u = np.random.default_rng(0).random(200000)
    rad = L.sample_radius(u)
    assert rad.min() >= L.R_MIN - 1e-9 and rad.max() <= L.R_MAX + 1e-9
    assert np.isin(np.round(rad, 9), np.round(L._radii, 9)).all()
    # the official rule: the table radius whose CDF value is nearest to u, so P(k) = (cdf[k+1] - cdf[k-1]) / 2
    cdf = np.concatenate([[-L._cdf[0]], L._cdf, [2 - L._cdf[-1]]])
    mid = (cdf[:-1] + cdf[1:]) / 2
    p = np.clip(mid[1:], 0, 1) - np.clip(mid[:-1], 0, 1)
    k = np.searchsorted(L._radii, rad - 1e-9)
    freq = np.bincount(k, minlength=L.N_RADII) / len(u)
    assert np.abs(freq - p).max() < 0.004
    # and the table itself follows p(r) ∝ r^-3 - r_max^-3 (σ = 3)
    pdf = np.diff(np.concatenate([[0], L._cdf]))
    ref = L._radii ** -3.0 - 1.0
    assert np.allclose(pdf, ref / ref.sum())
    assert (rad <= 0.06).mean() > 0.7  # most leaves are small


def test_leaves_windowed_rasteriser_matches_brute_force():
    S_ = 40
    U = np.random.default_rng(1).random((11, 400)).astype(np.float32)
    cx, cy, rho, circ, vx, vy, _ = L._geometry(U, S_, np.arange(len(L.SHAPES)))
    img = np.zeros(U.shape[1], np.int64)
    key = np.arange(U.shape[1], dtype=np.int32)
    pix, k = L._rasterise(img, key, cx, cy, rho, circ, vx, vy, S_)
    got = set(zip(pix.tolist(), k.tolist()))
    ys, xs = (np.indices((S_, S_)) + np.float32(0.5)).astype(np.float32)
    want = set()
    for j in range(U.shape[1]):
        if circ[j]:
            inside = (xs - cx[j]) ** 2 + (ys - cy[j]) ** 2 <= rho[j] ** 2
        else:
            inside = np.ones((S_, S_), bool)
            for e in range(4):
                ex, ey = vx[(e + 1) % 4, j] - vx[e, j], vy[(e + 1) % 4, j] - vy[e, j]
                inside &= ex * (ys - vy[e, j]) >= ey * (xs - vx[e, j])
        want |= {(int(q), j) for q in np.flatnonzero(inside)}
    assert got == want
    # a square of radius r is inscribed in the circle of radius r (side r·√2)
    sq = np.array([[L._cdf[10], 0.5, 0.5, 1 / 6 + 0.01, 0, 0, 0, 0, 0, 0, 0]], np.float32).T
    _, _, r7, _, sx, sy, _ = L._geometry(sq, 100, np.arange(len(L.SHAPES)))
    assert r7[0] == int(L._radii[10] * 100) == 7  # radius_px = int(r · res) as in the official script
    assert np.allclose(np.hypot(sx - 50, sy - 50), 7, atol=1e-4)  # vertices on the circle of radius r
    assert np.allclose(np.abs(sx - 50), 7 / np.sqrt(2), atol=1e-4)  # axis aligned: side r·√2


def test_leaves_shape_subsets_and_batching(monkeypatch):
    circles = render("leaves", 4, 32, 0, shapes="circle")
    mixed = render("leaves", 4, 32, 0)
    assert not torch.equal(circles, mixed)
    with pytest.raises(ValueError, match="unknown shape"):
        render("leaves", 1, 8, 0, shapes="hexagon")
    full = render("leaves", 20, 16, 5)
    monkeypatch.setattr(L, "_BATCH", 7)
    assert torch.equal(render("leaves", 20, 16, 5), full), "batch size must not change the images"
    aa = render("leaves", 4, 16, 5, supersample=2)
    assert aa.shape == (4, 3, 16, 16) and not torch.equal(aa, full[:4])


# ------------------------------------------------------------------------------------------------ degeneracy filter


def test_degeneracy_filter():
    rng = np.random.default_rng(0)
    const = np.full((3, 32, 32), 120, np.uint8)
    two = np.zeros((3, 32, 32), np.uint8)
    two[:, :, 16:] = 255  # half black, half white
    checker = np.where((np.indices((32, 32)).sum(0) % 2 == 0)[None], np.uint8(200), np.uint8(30)).repeat(3, 0)
    sparse = np.zeros((3, 32, 32), np.uint8)
    idx = rng.choice(32 * 32, 20, replace=False)  # < 2 % coloured pixels
    sparse.reshape(3, -1)[:, idx] = rng.integers(0, 256, (3, 20), dtype=np.uint8)
    faint = (120 + rng.integers(0, 3, (3, 32, 32))).astype(np.uint8)  # near-constant
    noise = rng.integers(0, 256, (3, 32, 32), dtype=np.uint8)
    grad = np.broadcast_to(np.linspace(0, 255, 32).astype(np.uint8), (3, 32, 32)).copy()
    batch = np.stack([const, two, checker, sparse, faint, noise, grad])
    assert S.is_degenerate(batch).tolist() == [True, True, True, True, True, False, False]
    assert S.is_degenerate(torch.from_numpy(noise)) is False
    assert S.is_degenerate(const[:1]) is True  # grey frames too
    assert S.is_degenerate(np.zeros((0, 3, 8, 8), np.uint8)).shape == (0,)


# ------------------------------------------------------------------------------------------------ shaders

BUNDLED = S.shader_files()


def test_bundled_library_size_and_headers():
    assert len(BUNDLED) >= 50
    for p in BUNDLED:
        assert re.fullmatch(r"\d{3}_[a-z0-9_]+\.frag", p.name), p.name
        first = p.read_text().splitlines()[0]
        assert first.startswith("// ") and len(first) > 15, f"{p.name}: first line must say what it draws"


@needs_gl
@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_bundled_shader_compiles_and_renders(path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a compile failure warning would fail here
        frames = S.render_shader(path, [1.3, 4.7, 8.2], size=16, supersample=1)
    assert frames.shape == (3, 16, 16, 3)
    assert not S.is_degenerate(frames.transpose(0, 3, 1, 2)).all(), f"{path.name} renders only degenerate frames"


@needs_gl
def test_shaders_are_time_animated_and_chunking_does_not_matter(monkeypatch):
    p = S.shader_files(files=["plasma"])[0]
    a, b = S.render_shader(p, [1.0, 2.0], size=16)
    assert not np.array_equal(a, b)
    full = render("shaders", 10, 16, 3)
    monkeypatch.setattr(S.gl(), "max_side", 64)  # 2×2 tiles per framebuffer read
    assert torch.equal(render("shaders", 10, 16, 3), full)
    j1 = render("shaders", 4, 16, 3, jitter=0.5)
    assert torch.equal(j1, render("shaders", 4, 16, 3, jitter=0.5)) and not torch.equal(j1, full[:4])


SHADERTOY = """// a shadertoy-convention shader
void mainImage(out vec4 fragColor, in vec2 fragCoord) {
    vec2 uv = fragCoord / iResolution.xy;
    vec3 col = 0.5 + 0.5 * cos(iTime + uv.xyx * 6.0 + vec3(0, 2, 4));
    fragColor = vec4(col * (0.7 + 0.3 * texture(iChannel0, uv * 2.0).r), 1.0);
}
"""
GOOD = "// kdnb convention\nvoid main() { vec2 p = FC.xy / r; o = vec4(p, 0.5 + 0.5 * sin(t + p.x * 9.0), 1.0); }\n"
BROKEN = "void main() { o = vec4(undefined_thing, 1.0); }\n"
CONSTANT = "void main() { o = vec4(0.2, 0.4, 0.6, 1.0); }\n"
TWIGL_BODY = "vec2 p=(FC.xy*2.-r)/r.y;o=vec4(hsv(length(p)+t*.1,.8,1.),1.);o.rg*=rotate2D(t)*p*.5+.5;"
TWIGL_CLASSIC = """precision highp float;
uniform vec2 resolution;
uniform float time;
void main(void) {
    vec2 p = gl_FragCoord.xy / resolution;
    gl_FragColor = vec4(p, 0.5 + 0.5 * sin(time * 3.0 + p.y * 20.0), 1.0);
}
"""


@needs_gl
def test_user_folder_broken_shader_warns_once_and_others_render(tmp_path):
    (tmp_path / "good.frag").write_text(GOOD)
    (tmp_path / "toy.frag").write_text(SHADERTOY)
    (tmp_path / "broken.frag").write_text(BROKEN)
    with pytest.warns(UserWarning, match=r"broken\.frag") as rec:
        x = render("shaders", 12, 16, 0, folder=tmp_path)
    assert len([w for w in rec if "broken.frag" in str(w.message)]) == 1
    assert x.shape == (12, 3, 16, 16) and not S.is_degenerate(x).any()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # compiled once per process: no second warning
        render("shaders", 2, 16, 0, folder=tmp_path)


@needs_gl
@pytest.mark.parametrize("code,convention", [(SHADERTOY, "shadertoy"), (TWIGL_BODY, "body"),
                                             (TWIGL_CLASSIC, "main"), (GOOD, "main")])
def test_other_conventions_render(tmp_path, code, convention):
    path = tmp_path / "s.frag"
    path.write_text(code)
    assert S.wrap_source(code)[1] == convention
    frames = S.render_shader(path, [0.5, 2.5], size=16)
    assert not S.is_degenerate(frames.transpose(0, 3, 1, 2)).any()
    assert not np.array_equal(frames[0], frames[1]), "iTime / time / t must reach the shader"


@needs_gl
def test_filter_redraws_degenerate_frames(tmp_path):
    (tmp_path / "a_constant.frag").write_text(CONSTANT)
    (tmp_path / "b_good.frag").write_text(GOOD)
    raw = render("shaders", 16, 16, 0, folder=tmp_path, filter=False)
    assert S.is_degenerate(raw).any()  # some draws pick the constant shader
    kept = render("shaders", 16, 16, 0, folder=tmp_path)
    assert not S.is_degenerate(kept).any()
    good = ~S.is_degenerate(raw)
    assert torch.equal(kept[torch.from_numpy(good)], raw[torch.from_numpy(good)]), "accepted first draws are kept"
    only_const = tmp_path / "const_only"
    only_const.mkdir()
    (only_const / "c.frag").write_text(CONSTANT)
    with pytest.raises(RuntimeError, match="non-degenerate"):
        render("shaders", 2, 16, 0, folder=only_const, max_attempts=3)


def test_missing_gl_gives_one_clear_error(monkeypatch):
    def no_egl():
        raise Exception("libEGL.so.1 not loaded")

    monkeypatch.setattr(S, "_create_context", no_egl)
    monkeypatch.setattr(S, "_GL_STATE", None)
    with pytest.raises(RuntimeError) as err:
        render("shaders", 2, 16, 0)
    msg = str(err.value)
    assert "\n" not in msg
    assert "needs an OpenGL context" in msg and "libEGL.so.1 not loaded" in msg and "apt-get install" in msg
