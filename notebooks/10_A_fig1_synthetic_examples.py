# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 10 · Paper A, Fig. 1: what synthetic distillation images look like
#
# Frank & Davis (CVPR'25), **Fig. 1**: "Example OpenGL shader (first column), Leaves (middle column), and noise (last
# column) images." These are the three *unnatural* distillation sets of §3.2:
#
# * **OpenGL shaders** — frames of procedural GLSL fragment shaders. The paper rendered the 1,089 TwiGL shaders of
#   shaders21k, whose sources are now offline; kdnb renders its own bundled shader library with moderngl/EGL and drops
#   near-constant frames (`kdnb.sources.shaders`).
# * **Leaves** — dead-leaves images: random flat-coloured circles, squares, rectangles, triangles and quadrilaterals
#   painted on top of each other (Baradad et al. 2021; `kdnb.sources.leaves`).
# * **Noise** — every pixel drawn from N(μ_c, σ_c), the teacher dataset's per-channel statistics (here CIFAR-10's).
#
# **What to look for.** The paper's argument (§4.1) is that the three differ in *primitive features and texture*:
# noise has none, Leaves has edges and corners but flat colours, shaders add texture and far more diversity — and the
# distillation results follow that order. This notebook also writes the committed `figures/A_fig1.png`.

# %% tags=["parameters"]
scale = "smoke"     # smoke | lab | paper  (the figure is the same at every scale: it only renders images)
device = "auto"     # auto | cpu | cuda
data_root = None    # unused here: the three sources are synthetic
seed = 0

# %%
import kdnb.notebook
P = kdnb.notebook.setup(globals())
print(P.stamp())

# %% [markdown]
# ## Render four images of each source (128 px, seed-determined)

# %%
from kdnb.recipes.paper_a import fig1_images
images = fig1_images(P.scale, rows=4, size=128, seed=P.seed)
{k: tuple(v.shape) for k, v in images.items()}

# %%
# NBVAL_CHECK_OUTPUT
# Shapes and dtypes are fixed by the call (checked by nbval).
for name, x in images.items():
    print(f"{name:>15}: {tuple(x.shape)} {x.dtype}")

# %%
import matplotlib.pyplot as plt
from kdnb.plots import figures_root, image_grid, save_figure

fig, axes = plt.subplots(4, 3, figsize=(6, 8))
for col, (name, x) in enumerate(images.items()):
    for row in range(4):
        image_grid(axes[row, col], x[row:row + 1], nrow=1, title=name if row == 0 else None)
fig.suptitle("Paper A, Fig. 1 (ours): shader · Leaves · noise", y=0.995)
fig.tight_layout()
save_figure(fig, "A_fig1", P.scale, P.stamp())
fig.savefig(figures_root() / "A_fig1.png", bbox_inches="tight", dpi=80)  # the committed copy (same images at every scale)
plt.show()

# %% [markdown]
# ## Check
#
# Noise has no structure beyond its per-pixel statistics; Leaves and shaders have spatial structure. A simple proxy:
# the mean absolute difference between neighbouring pixels, relative to the image's overall spread. For i.i.d. noise
# neighbours are as different as random pixel pairs (ratio ≈ 1); structured images are smoother (ratio well below 1).

# %%
# NBVAL_CHECK_OUTPUT
import torch

def neighbour_ratio(x):
    x = x.float()
    nb = (x[..., 1:] - x[..., :-1]).abs().mean()
    rnd = (x.flatten(1)[:, torch.randperm(x[0].numel(), generator=torch.Generator().manual_seed(0))] - x.flatten(1)).abs().mean()
    return float(nb / rnd)

ratios = {k: neighbour_ratio(v) for k, v in images.items()}
assert ratios["Noise"] > 0.9, ratios
assert ratios["Leaves"] < 0.5 and ratios["OpenGL shaders"] < 0.7, ratios
print("noise is unstructured; Leaves and shaders have spatial structure")
