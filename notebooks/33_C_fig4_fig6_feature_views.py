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
# # 33 · Paper C, Figs. 4 and 6: where generated samples fall among the real ones, before and after selection
#
# Shin & Choi (AAAI'24). **Fig. 4**: a 2-D view of the teacher's features of real CIFAR-10 images and of images
# from a generator trained with the class prior but *without* the adversarial loss; even then, "unexpectedly
# low-quality" samples (×) fall outside their class's region, "approximately 7–8% per batch". **Fig. 6**: the
# same view for TA-DFKD's generator before and after the GMM selection δ_τ — after it, the samples sit inside the
# regions of their classes.
#
# Here: the teacher's penultimate features, projected on the first two principal axes of the *real* test
# features (the paper names no embedding; PCA is deterministic and fitted on real data only). Generated samples
# are coloured by the teacher's class; × marks the samples δ_τ discards (posterior of the low-loss component ≤ τ =
# 0.5) — the paper's × is "outside the boundary of its class", judged by eye, which is not the same criterion.
#
# * `smoke`: digits, LeNet-5-BN teacher (84-D features), 120–160 student steps of 32 images: **stand-ins**.
# * `lab`: MNIST. `paper`: CIFAR-10, ResNet-34 (512-D features).

# %% tags=["parameters"]
scale = "smoke"     # smoke | lab | paper
device = "auto"     # auto | cpu | cuda
data_root = None    # folder holding MNIST (lab) and CIFAR-10 (paper); None: $KDNB_DATA or ./data
seed = 0

# %%
import kdnb.notebook
P = kdnb.notebook.setup(globals())
print(P.stamp())

# %% [markdown]
# ## The two generators (fixed per scale; checked)

# %%
# NBVAL_CHECK_OUTPUT
from kdnb.recipes.paper_c import FEATURE_VIEWS, feature_view_config
for w in FEATURE_VIEWS:
    c = feature_view_config(P.scale, w, P.seed)
    print(f"{w}: L_G = " + " + ".join(f"{v:g}·{k}" for k, v in c.weights.items())
          + f"; selection {'GMM τ=%g' % c.tau if c.select else 'none'} in training")

# %% [markdown]
# ## Run, and the teacher's features of real and generated images

# %%
from kdnb.recipes.paper_c import feature_view, run_feature_views
table, records = run_feature_views(P.scale, P.ctx, seed=P.seed)
views = {w: feature_view(feature_view_config(P.scale, w, P.seed), P.ctx, n=512, seed=P.seed) for w in FEATURE_VIEWS}
table.assign(discarded=[float(1 - views[w]["keep"].float().mean()) for w in table["generator"]]).round(3)

# %% [markdown]
# ## Figs. 4 and 6 (ours)
#
# Grey: real test images, by class (light). Coloured: generated images, by the teacher's class; × = discarded by
# δ_τ. Left: Fig. 4's generator (class prior, no adversarial loss), every sample. Middle and right: TA-DFKD's
# generator before and after selection.

# %%
import matplotlib.pyplot as plt
from kdnb.plots import save_figure
cmap = plt.get_cmap("tab10")
fig, axes = plt.subplots(1, 3, figsize=(14, 4.4), sharex=True, sharey=True)
panels = [(FEATURE_VIEWS[0], "all", "Fig. 4: class prior, no adversarial loss"),
          ("TA-DFKD", "all", "Fig. 6a: TA-DFKD, before selection"), ("TA-DFKD", "kept", "Fig. 6b: after selection")]
for ax, (w, show, title) in zip(axes, panels):
    v = views[w]
    ax.scatter(v["real"][:, 0], v["real"][:, 1], c=cmap(v["labels"].numpy() % 10), s=6, alpha=0.35, linewidths=0)
    k = v["keep"].numpy()
    f, c = v["fake"].numpy(), cmap(v["pred"].numpy() % 10)
    ax.scatter(f[k, 0], f[k, 1], c=c[k], s=9, marker="o", linewidths=0)
    if show == "all":
        ax.scatter(f[~k, 0], f[~k, 1], c=c[~k], s=16, marker="x", linewidths=0.8)
    ax.set_title(f"{title}\n{int(k.sum() if show == 'kept' else len(k))} generated, {int((~k).sum()) if show == 'all' else 0} ×",
                 fontsize=9)
    ax.set_xticks([]); ax.set_yticks([])
axes[0].set_xlabel(f"PCA of the teacher's real-test features ({views['TA-DFKD']['explained']:.0%} of the variance in 2-D)",
                   fontsize=8, loc="left")
fig.tight_layout()
save_figure(fig, "C_fig4_fig6", P.scale, P.stamp())
plt.show()

# %% [markdown]
# ## Reading the result (numbers read from the runs)
#
# When the weighted BNS term is orders of magnitude above the class-prior and adversarial terms (the last lines
# below), the two generators are driven by nearly the same loss and their pictures look alike.

# %%
for w in FEATURE_VIEWS:
    k = views[w]["keep"]
    classes = int(views[w]["pred"].unique().numel())
    print(f"{w}: δ_τ discards {1 - k.float().mean():.0%} of the generated samples; the teacher assigns them to "
          f"{classes} of 10 classes")
print("paper, Fig. 4: ≈ 7–8% low-quality samples per batch (judged outside their class's region, not by δ_τ)")
for w in FEATURE_VIEWS:  # how much of each generator's last-epoch loss is which term (weighted, as minimised)
    c = records[(w,)].curves
    terms = {k[2:]: c[k][-1] for k in c if k.startswith("g_")}
    print(f"{w}: last-epoch generator terms " + ", ".join(f"{k} {v:.3g}" for k, v in terms.items()))

# %% [markdown]
# ## Check
#
# Both generators ran; the 2-D views are finite; δ_τ keeps a fraction in (0, 1] of the generated samples; the
# projection is fitted on real features only (their mean is the origin).

# %%
# NBVAL_CHECK_OUTPUT
import torch
assert all(r is not None for r in records.values()), table["status"]
for w, v in views.items():
    assert torch.isfinite(v["real"]).all() and torch.isfinite(v["fake"]).all(), w
    assert 0 < v["keep"].float().mean() <= 1, w
    assert v["real"].mean(0).abs().max() < 1e-3 * (1 + v["real"].abs().max()), w
print("both generators ran; finite 2-D views; δ_τ keeps a fraction in (0, 1]")
