"""OpenGL shader images (paper A §3.2, Fig. 1): real GLSL fragment shaders rendered headlessly with moderngl (EGL).

Paper A rendered the 1089 TwiGL shaders of Baradad et al.'s shaders21k collection ("procedural image programs") and
removed constant or simple frames. Those shader sources are offline (official-code-notes E.2), so kdnb bundles its own
library of procedural shaders written for kdnb (``kdnb/sources/shaders/NNN_<slug>.frag``, same spirit: one-tweet-style
programs animated by time) and also renders any folder of user shaders (``folder=``), e.g. a local copy of shaders21k.

What follows the paper / the official renderer (``mbaradad/shaders21k``) and what is kdnb's choice:

* official: ModernGL, headless EGL standalone context, full-screen quad, RGB read back and flipped vertically;
  each image = one shader chosen uniformly at random and one frame at t ~ U(0.1, 10) s ("random" temporal sampling);
  Shadertoy uniforms iResolution = (res, res, ·), iTime = t, iMouse = 0, iFrame = frame index, fixed iDate,
  iTimeDelta = 1/fps (fps = 10); TwiGL uniforms r = (res, res), m = 0, t = time, f = frame.
* paper: constant frames (one colour) and simple frames (two colours, or few coloured pixels) are removed
  (:func:`is_degenerate`; thresholds are ours, the paper gives none). A rejected frame is redrawn with a new shader
  and time, deterministically: image i tries attempts 0, 1, 2, … each seeded by (seed, i, attempt).
* kdnb: the bundled shader library (written for kdnb); rendering straight at the requested size with ``supersample``
  (default 2): each image is rendered at 2·size (the shader sees r = (2·size, 2·size)) and area-averaged down, a cheap
  antialias standing in for the official high-resolution render (256–512 px) that paper A then resized;
  many images per framebuffer read (a grid of viewports, one tile per image); an optional random per-image view
  (``jitter``: zoom and offset, off by default); shaders that fail to compile are skipped with one warning.

Conventions accepted for a ``.frag`` file (detected automatically):

* **kdnb / TwiGL "geek"** (the bundled files): a ``void main()`` that reads ``FC`` or ``gl_FragCoord`` (pixel coordinate),
  ``r`` (vec2 resolution), ``t`` (float time in s), optionally ``m`` / ``f`` / ``s`` / ``b``, and writes ``o`` (vec4).
  Undeclared uniforms among these are declared by the wrapper; ``gl_FragColor`` and an own ``out vec4`` also work,
  as do TwiGL "classic" uniforms ``time``, ``resolution``, ``mouse``.
* **Shadertoy**: ``void mainImage(out vec4 fragColor, in vec2 fragCoord)`` with iResolution, iTime, iTimeDelta, iFrame,
  iFrameRate, iMouse, iDate, iSampleRate, iChannelTime, iChannelResolution; iChannel0..3 are bound to a fixed
  256×256 RGBA noise texture (single-pass shaders only, like shaders21k).
* **TwiGL "geeker"/"geekest"**: a bare function body (no ``main``); TwiGL's helpers ``hsv``, ``rotate2D``,
  ``rotate3D``, ``snoise2D/3D/4D``, ``fsnoise``, ``PI``, ``PI2`` are provided (kdnb's own noise, not TwiGL's numbers).

Every program also gets kdnb's helper prelude (``k_hash12``, ``k_vnoise``, ``k_gnoise``, ``k_fbm``, ``k_rot``, ``k_hsv``,
``k_pal``, …; the ``k_`` prefix avoids clashes with user code).

Determinism: the same arguments give the same bytes on the same GL driver (llvmpipe here; the NVIDIA driver on a GPU
machine gives slightly different bytes because transcendental functions differ between drivers).
"""
from __future__ import annotations

import hashlib
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from kdnb.sources.base import SOURCES, area_downsample, image_rng, progress_bar, to_channels

BUNDLED_DIR = Path(__file__).resolve().parent / "shaders"
T_RANGE = (0.1, 10.0)  # shaders21k "random" temporal sampling, seconds
FPS = 10.0  # official renderer default; only used for iFrame / iTimeDelta
MAX_FB = 2048  # framebuffer side used for tiling many images into one read
SHADER_SUFFIXES = (".frag", ".glsl", ".fs")
EGL_PACKAGES = "libegl1 libgl1 libgl1-mesa-dri"  # Debian/Ubuntu packages providing libEGL, libGL and Mesa's drivers

# ------------------------------------------------------------------------------------------------- degeneracy filter

FILTER_DEFAULTS = dict(min_std=4.0, max_modal=0.95, max_top2=0.98, levels=16)


def is_degenerate(img, min_std: float = 4.0, max_modal: float = 0.95, max_top2: float = 0.98,
                  levels: int = 16):
    """True for frames that are constant or simple (paper A §3.2); batched.

    ``img``: uint8 (N, C, H, W) or (C, H, W), numpy or torch. A frame is rejected when any of
      * constant:  every channel's standard deviation is below ``min_std`` (0–255 scale);
      * few coloured pixels: the most frequent colour (each channel quantised to ``levels`` levels) covers more than
        ``max_modal`` of the pixels, i.e. fewer than 5 % of pixels differ from it;
      * two colours: the two most frequent quantised colours cover more than ``max_top2`` of the pixels (the 2 %
        slack lets antialiased edges between two flat colours still count as two colours).
    Returns a bool numpy array (N,), or a bool for a single frame.
    """
    x = img.numpy() if isinstance(img, torch.Tensor) else np.asarray(img)
    single = x.ndim == 3
    if single:
        x = x[None]
    if x.ndim != 4 or x.dtype != np.uint8:
        raise ValueError(f"is_degenerate expects uint8 (N, C, H, W) or (C, H, W), got {x.dtype} {x.shape}")
    if levels not in (2, 4, 8, 16, 32, 64, 128, 256):
        raise ValueError(f"levels must be a power of two in [2, 256], got {levels!r}")
    n, c, h, w = x.shape
    bad = np.zeros(n, bool)
    shift = 8 - int(np.log2(levels))
    nbins = levels ** c
    step = max(1, (1 << 20) // nbins)  # images per chunk: keeps the colour histogram table small
    for a in range(0, n, step):
        flat = x[a:a + step].reshape(-1, c, h * w)
        m = len(flat)
        std = flat.astype(np.float32).std(axis=2).max(axis=1)
        q = (flat >> shift).astype(np.int64)
        code = np.zeros((m, h * w), np.int64)
        for ch in range(c):
            code = code * levels + q[:, ch]
        counts = np.bincount((code + np.arange(m)[:, None] * nbins).ravel(), minlength=m * nbins).reshape(m, nbins)
        top2 = -np.partition(-counts, 1, axis=1)[:, :2] if nbins > 1 else np.concatenate([counts, 0 * counts], 1)
        frac1 = top2[:, 0] / (h * w)  # top2[:, 0] is the largest count (partition puts the minimum first)
        frac2 = (top2[:, 0] + top2[:, 1]) / (h * w)
        bad[a:a + m] = (std < min_std) | (frac1 > max_modal) | (frac2 > max_top2)
    return bool(bad[0]) if single else bad


# ------------------------------------------------------------------------------------------------- GLSL wrapping

PRELUDE = r"""
uint k_hu(uint x) { x ^= x >> 16; x *= 0x7feb352du; x ^= x >> 15; x *= 0x846ca68bu; x ^= x >> 16; return x; }
float k_hash11(float p) { return float(k_hu(uint(int(floor(p))))) * (1.0 / 4294967296.0); }
float k_hash12(vec2 p) { ivec2 i = ivec2(floor(p)); return float(k_hu(uint(i.x) ^ k_hu(uint(i.y) + 0x9e3779b9u))) * (1.0 / 4294967296.0); }
vec2 k_hash22(vec2 p) { ivec2 i = ivec2(floor(p)); uint h = k_hu(uint(i.x) ^ k_hu(uint(i.y) + 0x9e3779b9u));
    return vec2(float(h), float(k_hu(h ^ 0x85ebca6bu))) * (1.0 / 4294967296.0); }
vec3 k_hash32(vec2 p) { ivec2 i = ivec2(floor(p)); uint h = k_hu(uint(i.x) ^ k_hu(uint(i.y) + 0x9e3779b9u));
    uint g = k_hu(h ^ 0x85ebca6bu); return vec3(float(h), float(g), float(k_hu(g ^ 0xc2b2ae35u))) * (1.0 / 4294967296.0); }
float k_hash13(vec3 p) { ivec3 i = ivec3(floor(p));
    return float(k_hu(uint(i.x) ^ k_hu(uint(i.y) ^ k_hu(uint(i.z) + 0x9e3779b9u)))) * (1.0 / 4294967296.0); }
float k_vnoise(vec2 p) { vec2 i = floor(p), f = fract(p), u = f * f * (3.0 - 2.0 * f);
    return mix(mix(k_hash12(i), k_hash12(i + vec2(1, 0)), u.x), mix(k_hash12(i + vec2(0, 1)), k_hash12(i + vec2(1, 1)), u.x), u.y); }
float k_vnoise3(vec3 p) { vec3 i = floor(p), f = fract(p), u = f * f * (3.0 - 2.0 * f);
    float a = mix(mix(k_hash13(i), k_hash13(i + vec3(1, 0, 0)), u.x), mix(k_hash13(i + vec3(0, 1, 0)), k_hash13(i + vec3(1, 1, 0)), u.x), u.y);
    float b = mix(mix(k_hash13(i + vec3(0, 0, 1)), k_hash13(i + vec3(1, 0, 1)), u.x), mix(k_hash13(i + vec3(0, 1, 1)), k_hash13(i + vec3(1, 1, 1)), u.x), u.y);
    return mix(a, b, u.z); }
vec2 k_grad(vec2 i) { float a = 6.2831853 * k_hash12(i); return vec2(cos(a), sin(a)); }
float k_gnoise(vec2 p) { vec2 i = floor(p), f = fract(p), u = f * f * f * (f * (f * 6.0 - 15.0) + 10.0);
    float a = dot(k_grad(i), f), b = dot(k_grad(i + vec2(1, 0)), f - vec2(1, 0));
    float c = dot(k_grad(i + vec2(0, 1)), f - vec2(0, 1)), d = dot(k_grad(i + vec2(1, 1)), f - vec2(1, 1));
    return 1.4 * mix(mix(a, b, u.x), mix(c, d, u.x), u.y); }
vec3 k_grad3(vec3 i) { float z = 2.0 * k_hash13(i) - 1.0, a = 6.2831853 * k_hash13(i + 57.0);
    return vec3(sqrt(1.0 - z * z) * vec2(cos(a), sin(a)), z); }
float k_gnoise3(vec3 p) { vec3 i = floor(p), f = fract(p), u = f * f * (3.0 - 2.0 * f);
    float n000 = dot(k_grad3(i), f), n100 = dot(k_grad3(i + vec3(1, 0, 0)), f - vec3(1, 0, 0));
    float n010 = dot(k_grad3(i + vec3(0, 1, 0)), f - vec3(0, 1, 0)), n110 = dot(k_grad3(i + vec3(1, 1, 0)), f - vec3(1, 1, 0));
    float n001 = dot(k_grad3(i + vec3(0, 0, 1)), f - vec3(0, 0, 1)), n101 = dot(k_grad3(i + vec3(1, 0, 1)), f - vec3(1, 0, 1));
    float n011 = dot(k_grad3(i + vec3(0, 1, 1)), f - vec3(0, 1, 1)), n111 = dot(k_grad3(i + vec3(1, 1, 1)), f - vec3(1, 1, 1));
    return 1.5 * mix(mix(mix(n000, n100, u.x), mix(n010, n110, u.x), u.y), mix(mix(n001, n101, u.x), mix(n011, n111, u.x), u.y), u.z); }
mat2 k_rot(float a) { float c = cos(a), s = sin(a); return mat2(c, s, -s, c); }
float k_fbm(vec2 p) { float v = 0.0, a = 0.5; mat2 m = mat2(1.6, 1.2, -1.2, 1.6);
    for (int i = 0; i < 5; i++) { v += a * k_vnoise(p); p = m * p + 17.0; a *= 0.5; } return v / 0.96875; }
float k_fbm3(vec3 p) { float v = 0.0, a = 0.5;
    for (int i = 0; i < 4; i++) { v += a * k_vnoise3(p); p = p * 2.03 + 11.0; a *= 0.5; } return v / 0.9375; }
vec3 k_hsv(float h, float s, float v) { vec3 k = clamp(abs(fract(h + vec3(0.0, 2.0, 1.0) / 3.0) * 6.0 - 3.0) - 1.0, 0.0, 1.0);
    return v * mix(vec3(1.0), k, s); }
vec3 k_pal(float x, vec3 a, vec3 b, vec3 c, vec3 d) { return a + b * cos(6.2831853 * (c * x + d)); }
"""

TWIGL_HELPERS = r"""
#define PI 3.141592653589793
#define PI2 6.283185307179586
vec3 hsv(float h, float s, float v) { return k_hsv(h, s, v); }
mat2 rotate2D(float a) { return mat2(cos(a), sin(a), -sin(a), cos(a)); }
mat3 rotate3D(float a, vec3 ax) { ax = normalize(ax); float s = sin(a), c = cos(a), oc = 1.0 - c;
    return mat3(oc * ax.x * ax.x + c, oc * ax.x * ax.y + ax.z * s, oc * ax.z * ax.x - ax.y * s,
                oc * ax.x * ax.y - ax.z * s, oc * ax.y * ax.y + c, oc * ax.y * ax.z + ax.x * s,
                oc * ax.z * ax.x + ax.y * s, oc * ax.y * ax.z - ax.x * s, oc * ax.z * ax.z + c); }
float snoise2D(vec2 p) { return k_gnoise(p); }
float snoise3D(vec3 p) { return k_gnoise3(p); }
float snoise4D(vec4 p) { float w = floor(p.w);
    return mix(k_gnoise3(p.xyz + w * 17.0), k_gnoise3(p.xyz + (w + 1.0) * 17.0), smoothstep(0.0, 1.0, p.w - w)); }
float fsnoise(vec2 c) { return k_hash12(c * 1e3); }
"""

VERTEX_SHADER = """#version 330
in vec2 kdnb_pos;
void main() { gl_Position = vec4(kdnb_pos, 0.0, 1.0); }
"""

SHADERTOY_UNIFORMS = {
    "iResolution": "vec3", "iTime": "float", "iTimeDelta": "float", "iFrame": "int", "iFrameRate": "float",
    "iMouse": "vec4", "iDate": "vec4", "iSampleRate": "float", "iChannelTime": "float[4]",
    "iChannelResolution": "vec3[4]", "iChannel0": "sampler2D", "iChannel1": "sampler2D",
    "iChannel2": "sampler2D", "iChannel3": "sampler2D", "iGlobalTime": "float",
}
TWIGL_UNIFORMS = {
    "t": "float", "r": "vec2", "m": "vec2", "f": "float", "s": "float", "b": "sampler2D",
    "time": "float", "resolution": "vec2", "mouse": "vec2", "backbuffer": "sampler2D",
}
_TYPES = r"(?:float|int|uint|bool|[biud]?vec[234]|mat[234](?:x[234])?|sampler2D|void)"


def _strip_comments(code: str) -> str:
    code = re.sub(r"/\*.*?\*/", " ", code, flags=re.S)
    return re.sub(r"//[^\n]*", "", code)


def wrap_source(code: str, glsl_version: int = 330) -> tuple[str, str]:
    """Wrap a user/bundled fragment shader into a complete GLSL program; returns (source, convention).

    convention is "shadertoy" (mainImage), "main" (kdnb / TwiGL geek / classic) or "body" (TwiGL geeker/geekest).
    The wrapper owns ``main``: it maps the tile's pixel to the shader's coordinate (``kdnb_FragCoord``; gl_FragCoord
    in user code is rewritten to it) and then calls the user's entry point.
    """
    lines = code.replace("\r\n", "\n").split("\n")
    extensions = [ln for ln in lines if ln.strip().startswith("#extension")]
    body = "\n".join("" if ln.strip().startswith(("#version", "#extension")) else ln for ln in lines)
    body = re.sub(r"\bgl_FragCoord\b", "kdnb_FragCoord", body)
    body = re.sub(r"\btexture2D\s*\(", "texture(", body)
    bare = _strip_comments(body)
    declared = set(re.findall(r"\buniform\s+(?:(?:highp|mediump|lowp)\s+)?\w+\s+(\w+)", bare))

    if re.search(r"\bmainImage\s*\(", bare):
        convention = "shadertoy"
    elif re.search(r"\bvoid\s+main\s*\(", bare):
        convention = "main"
    else:
        convention = "body"

    head = [f"#version {glsl_version}" + (" core" if glsl_version >= 150 else ""), *extensions,
            "uniform vec2 kdnb_origin;  // tile origin in framebuffer pixels",
            "uniform vec2 kdnb_res;     // the shader's resolution (render pixels)",
            "uniform vec3 kdnb_view;    // per-image view: offset (x, y) in pixels, zoom",
            "vec4 kdnb_FragCoord;"]
    call = ""
    if convention == "shadertoy":
        for name, typ in SHADERTOY_UNIFORMS.items():
            if name not in declared:
                arr = re.match(r"(\w+)\[(\d+)\]", typ)
                head.append(f"uniform {arr.group(1)} {name}[{arr.group(2)}];" if arr else f"uniform {typ} {name};")
        head.append("out vec4 kdnb_out;")
        call = "vec4 c = vec4(0.0, 0.0, 0.0, 1.0); mainImage(c, kdnb_FragCoord.xy); kdnb_out = vec4(c.rgb, 1.0);"
    else:
        for name, typ in TWIGL_UNIFORMS.items():
            if name in declared or not re.search(rf"\b{name}\b", bare):
                continue
            if re.search(rf"(?m)^\s*(?:const\s+)?{_TYPES}\s+{name}\s*[;=(\[,]", bare) or \
                    re.search(rf"(?m)^\s*#\s*define\s+{name}\b", bare):
                continue  # the user declares a global/function/macro of that name
            head.append(f"uniform {typ} {name};")
        if re.search(r"\bFC\b", bare) and not re.search(r"(?m)^\s*#\s*define\s+FC\b", bare):
            head.append("#define FC kdnb_FragCoord")
        has_out = re.search(r"(?m)^\s*(?:layout\s*\([^)]*\)\s*)?out\s+(?:(?:highp|mediump|lowp)\s+)?vec4\s+\w+", bare)
        if not has_out:
            if re.search(r"\bgl_FragColor\b", bare):
                body = re.sub(r"\bgl_FragColor\b", "kdnb_out", body)
                head.append("out vec4 kdnb_out;")
            else:
                head.append("out vec4 o;")
        if convention == "main":
            body = re.sub(r"\bvoid\s+main\s*\(\s*(?:void)?\s*\)", "void kdnb_user_main()", body)
        else:
            body = "void kdnb_user_main() {\n" + body + "\n}"
        call = "kdnb_user_main();"
    head.append(PRELUDE)
    if convention == "body":
        head.append(TWIGL_HELPERS)
    first_line = 0 if convention == "body" else 1
    tail = ("\nvoid main() {\n"
            "    vec2 q = gl_FragCoord.xy - kdnb_origin - 0.5 * kdnb_res;\n"
            "    kdnb_FragCoord = vec4(q * kdnb_view.z + 0.5 * kdnb_res + kdnb_view.xy, gl_FragCoord.zw);\n"
            f"    {call}\n}}\n")
    src = "\n".join(head) + f"\n#line {first_line}\n" + body + tail
    return src, convention


# ------------------------------------------------------------------------------------------------- GL state


def _create_context():
    """The moderngl context factory (EGL, headless). Tests monkeypatch this to simulate a machine without GL."""
    import moderngl

    return moderngl.create_standalone_context(backend="egl")


@dataclass
class _Program:
    path: str
    prog: object
    vao: object
    convention: str
    uniforms: dict = field(default_factory=dict)


class _GL:
    """One EGL context per process, with the quad, the noise texture, framebuffers and compiled programs."""

    def __init__(self):
        try:
            ctx = _create_context()
        except Exception as e:  # noqa: BLE001 — any failure here means "no usable GL"
            reason = " ".join(str(e).split()) or type(e).__name__
            raise RuntimeError(
                f"kdnb 'shaders' source needs an OpenGL context: no EGL driver found (moderngl: {reason}). "
                f"On Debian/Ubuntu: apt-get install {EGL_PACKAGES}; elsewhere install Mesa's EGL or an NVIDIA driver."
            ) from None
        self.ctx = ctx
        self.pid = os.getpid()
        self.version = 330  # GLSL 3.30 core everywhere (NVIDIA's EGL context is 3.3 by default, Mesa's 4.5)
        self.renderer = ctx.info.get("GL_RENDERER", "?")
        quad = np.array([-1, -1, 1, -1, -1, 1, 1, 1], dtype="f4")
        self.vbo = ctx.buffer(quad.tobytes())
        noise = np.random.default_rng(0).integers(0, 256, (256, 256, 4), dtype=np.uint8)
        self.noise = ctx.texture((256, 256), 4, noise.tobytes())
        self.noise.build_mipmaps()
        self.noise.repeat_x = self.noise.repeat_y = True
        max_side = min(MAX_FB, int(ctx.info.get("GL_MAX_TEXTURE_SIZE", MAX_FB)),
                       *[int(v) for v in ctx.info.get("GL_MAX_VIEWPORT_DIMS", (MAX_FB, MAX_FB))])
        self.max_side = max_side
        self.fbos: dict[tuple[int, int], object] = {}
        self.programs: dict[tuple[str, str], _Program | None] = {}

    def fbo(self, w: int, h: int):
        key = (w, h)
        if key not in self.fbos:
            self.fbos.clear()  # keep one framebuffer alive
            self.fbos[key] = self.ctx.framebuffer(color_attachments=[self.ctx.texture((w, h), 4)])
        return self.fbos[key]

    def program(self, path: Path, code: str | None = None) -> _Program | None:
        """Compile (once per process) the shader at ``path``; None (and one warning) if it does not compile."""
        if code is None:
            code = Path(path).read_text(errors="replace")
        key = (str(path), hashlib.sha1(code.encode()).hexdigest())
        if key in self.programs:
            return self.programs[key]
        src, convention = wrap_source(code, self.version)
        try:
            prog = self.ctx.program(vertex_shader=VERTEX_SHADER, fragment_shader=src)
        except Exception as e:  # noqa: BLE001 — moderngl.Error; report and skip
            msg = [ln.strip() for ln in str(e).splitlines() if "error" in ln.lower() and ln.strip()]
            detail = msg[1] if len(msg) > 1 and "compiler failed" in msg[0].lower() else (msg[0] if msg else str(e))
            warnings.warn(f"kdnb shaders: skipping {path}: it does not compile ({detail[:200]})", stacklevel=3)
            self.programs[key] = None
            return None
        vao = self.ctx.vertex_array(prog, [(self.vbo, "2f", "kdnb_pos")])
        uniforms = {name: prog[name] for name in prog if hasattr(prog[name], "gl_type") and
                    type(prog[name]).__name__ == "Uniform"}
        self.programs[key] = _Program(str(path), prog, vao, convention, uniforms)
        return self.programs[key]


_GL_STATE: _GL | None = None


def gl() -> _GL:
    """The process's GL state (created on first use; re-created after a fork)."""
    global _GL_STATE
    if _GL_STATE is None or _GL_STATE.pid != os.getpid():
        _GL_STATE = _GL()
    return _GL_STATE


_SAMPLER_TYPES = {35678, 35679, 35680, 35682}  # sampler2D / 3D / Cube / 2DShadow


def _uniform_value(name: str, t: float, res: float):
    """Value of a known uniform for time t and square resolution res (None = leave default)."""
    frame = float(np.floor(t * FPS))
    return {
        "t": t, "time": t, "iTime": t, "iGlobalTime": t, "iChannelTime": (t,) * 4,
        "r": (res, res), "resolution": (res, res), "iResolution": (res, res, 1.0), "kdnb_res": (res, res),
        "m": (0.0, 0.0), "mouse": (0.0, 0.0), "iMouse": (0.0,) * 4, "s": 0.0,
        "f": frame, "iFrame": frame, "iTimeDelta": 1.0 / FPS, "iFrameRate": FPS, "iSampleRate": 44100.0,
        "iDate": (2021.0, 2.0, 10.0, 3600.0 * 12 + t), "iChannelResolution": (256.0, 256.0, 1.0) * 4,
    }.get(name)


def _set_uniform(u, value) -> None:
    if u.gl_type in _SAMPLER_TYPES or value is None:
        return
    fmt = (u.fmt or "1f")[-1]
    dtype = {"f": np.float32, "i": np.int32, "I": np.uint32, "u": np.uint32, "d": np.float64}.get(fmt)
    if dtype is None:
        return
    need = u.dimension * u.array_length
    v = np.resize(np.asarray(value, dtype=np.float64).ravel(), need)
    u.write(v.astype(dtype).tobytes())


# ------------------------------------------------------------------------------------------------- rendering


def shader_files(folder=None, files=None) -> list[Path]:
    """The shader files of ``folder`` (default: the bundled library), sorted; ``files`` selects some by name/stem."""
    root = BUNDLED_DIR if folder is None else Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(f"shader folder {str(root)!r} does not exist")
    found = sorted(p for p in root.rglob("*") if p.suffix in SHADER_SUFFIXES and p.is_file())
    if files is not None:
        want = [files] if isinstance(files, (str, Path)) else list(files)
        by_name = {}
        for p in found:
            by_name.setdefault(p.name, p)
            by_name.setdefault(p.stem, p)
            by_name.setdefault(p.stem.split("_", 1)[-1], p)
        missing = [w for w in want if str(w) not in by_name and not Path(w).is_file()]
        if missing:
            raise ValueError(f"shader(s) {missing} not found in {root}")
        found = [Path(w) if Path(w).is_file() else by_name[str(w)] for w in want]
    if not found:
        raise ValueError(f"no shader files ({', '.join(SHADER_SUFFIXES)}) in {root}")
    return found


def compile_shaders(paths) -> list[_Program]:
    """Compile every path (cached per process); the ones that fail are skipped with one warning each."""
    state = gl()
    return [p for p in (state.program(Path(x)) for x in paths) if p is not None]


def _render_tiles(programs: list[_Program], jobs, size: int, ss: int) -> np.ndarray:
    """Render jobs [(program index, t, (dx, dy, zoom))] into (len(jobs), size, size, 3) uint8."""
    state = gl()
    S = size * ss
    per_row = max(1, state.max_side // S)
    per_pass = per_row * per_row
    out = np.empty((len(jobs), size, size, 3), np.uint8)
    state.noise.use(0)
    for start in range(0, len(jobs), per_pass):
        chunk = jobs[start:start + per_pass]
        rows = -(-len(chunk) // per_row)
        fbo = state.fbo(per_row * S, per_row * S)
        fbo.use()
        fbo.viewport = (0, 0, per_row * S, per_row * S)
        fbo.clear(0.0, 0.0, 0.0, 1.0)
        order = sorted(range(len(chunk)), key=lambda k: chunk[k][0])
        current = None
        for k in order:
            pi, t, view = chunk[k]
            p = programs[pi]
            if pi != current:
                current = pi
                for name, u in p.uniforms.items():
                    if name not in ("kdnb_origin", "kdnb_view"):
                        _set_uniform(u, _uniform_value(name, float(t), float(S)))
            else:
                for name, u in p.uniforms.items():
                    if name in _TIME_UNIFORMS:
                        _set_uniform(u, _uniform_value(name, float(t), float(S)))
            gx, gy = k % per_row, k // per_row
            if "kdnb_origin" in p.uniforms:
                p.uniforms["kdnb_origin"].value = (float(gx * S), float(gy * S))
            if "kdnb_view" in p.uniforms:
                p.uniforms["kdnb_view"].value = (float(view[0]) * S, float(view[1]) * S, float(view[2]))
            fbo.viewport = (gx * S, gy * S, S, S)
            p.vao.render(5)  # 5 = GL_TRIANGLE_STRIP (moderngl.TRIANGLE_STRIP)
        raw = fbo.read(viewport=(0, 0, per_row * S, rows * S), components=3, alignment=1)
        arr = np.frombuffer(raw, np.uint8).reshape(rows, S, per_row, S, 3).transpose(0, 2, 1, 3, 4)
        tiles = arr.reshape(rows * per_row, S, S, 3)[: len(chunk), ::-1]  # GL rows run bottom-up
        out[start:start + len(chunk)] = area_downsample(np.ascontiguousarray(tiles), ss)
    return out


_TIME_UNIFORMS = {"t", "time", "iTime", "iGlobalTime", "iChannelTime", "f", "iFrame", "iDate"}


def render_shader(path, times, size: int = 64, supersample: int = 2, views=None) -> np.ndarray:
    """Render one shader file at the given times: (len(times), size, size, 3) uint8, no filtering.

    Raises ValueError if the shader does not compile (after the warning). Handy for figures and tests.
    """
    progs = compile_shaders([path])
    if not progs:
        raise ValueError(f"shader {path} does not compile")
    views = [(0.0, 0.0, 1.0)] * len(times) if views is None else views
    return _render_tiles(progs, [(0, float(t), v) for t, v in zip(times, views)], size, int(supersample))


def _draw(seed: int, i: int, attempt: int, n_prog: int, t_range, jitter: float):
    rng = image_rng(seed, i, "shaders", attempt)
    u = rng.random(5)
    pi = min(int(u[0] * n_prog), n_prog - 1)
    t = t_range[0] + u[1] * (t_range[1] - t_range[0])
    zoom = 2.0 ** (jitter * (2.0 * u[2] - 1.0))
    view = (jitter * (u[3] - 0.5), jitter * (u[4] - 0.5), zoom)
    return pi, t, view


@SOURCES.register("shaders")
def shaders(n: int, size: int, seed: int, channels: int = 3, folder=None, files=None, supersample: int = 2,
            t_range=T_RANGE, jitter: float = 0.0, filter: bool = True, filter_params: dict | None = None,
            max_attempts: int = 200, progress: bool | None = None) -> torch.Tensor:
    """GLSL shader frames: each image = a uniformly chosen shader at t ~ U(t_range); degenerate frames redrawn.

    folder: directory of ``.frag`` files (searched recursively; default: kdnb's bundled library).
    files: restrict to these file names / stems / slugs. supersample: render at k·size and area-average.
    jitter: 0 = the shader's own view (default); j > 0 = random zoom in [2^-j, 2^j] and offset up to ±j/2 image.
    filter: redraw frames that :func:`is_degenerate` rejects (``filter_params`` overrides its thresholds).
    """
    ss = int(supersample)
    if ss < 1 or ss != supersample:
        raise ValueError(f"supersample must be a positive int, got {supersample!r}")
    t_range = (float(t_range[0]), float(t_range[1]))
    paths = shader_files(folder, files)
    programs = compile_shaders(paths)
    if not programs:
        raise RuntimeError(f"none of the {len(paths)} shader(s) in {folder or BUNDLED_DIR} compiles")
    fparams = {**FILTER_DEFAULTS, **(filter_params or {})}
    out = np.empty((n, channels, size, size), np.uint8)
    state = gl()
    per_pass = max(1, state.max_side // (size * ss)) ** 2
    attempts = {}
    pending = list(range(n))
    with progress_bar(n, "shaders", progress) as bar:
        while pending:
            batch, pending = pending[:per_pass], pending[per_pass:]
            jobs = [_draw(seed, i, attempts.get(i, 0), len(programs), t_range, jitter) for i in batch]
            imgs = to_channels(_render_tiles(programs, jobs, size, ss).transpose(0, 3, 1, 2), channels)
            bad = is_degenerate(imgs, **fparams) if filter else np.zeros(len(batch), bool)
            done = 0
            for k, i in enumerate(batch):
                if bad[k]:
                    attempts[i] = attempts.get(i, 0) + 1
                    if attempts[i] >= max_attempts:
                        raise RuntimeError(f"shaders: no non-degenerate frame for image {i} after {max_attempts} "
                                           f"draws; the shader set ({len(programs)} programs) renders only "
                                           "constant/simple frames")
                    pending.append(i)
                else:
                    out[i] = imgs[k]
                    done += 1
            bar.update(done)
    return torch.from_numpy(out)
