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
# # 00 · Quickstart: knowledge distillation in three runs
#
# Knowledge distillation (KD; Hinton et al., 2015) trains a small **student** to match the softened outputs of a
# trained **teacher**. This notebook shows the whole kdnb workflow on one example:
#
# 1. train a LeNet-5 teacher on handwritten digits;
# 2. distil a LeNet-5-half student from **(a)** the teacher's own training images and **(b)** Gaussian noise
#    with the same per-channel mean and standard deviation (the "noise" source of Frank & Davis, CVPR'25, §3.2);
# 3. compare test accuracies, and look at *which classes the teacher sees* in each transfer set.
#
# **What to look for.** The student distilled from real digits should come close to the teacher. The noise
# student is far worse, and the histogram shows why (paper A's argument): the teacher maps noise to only a few
# classes, so most of its decision function is never sampled.
#
# At `scale="smoke"` (the default) everything runs on scikit-learn's bundled 8×8 digits in seconds on a CPU; at
# `scale="lab"` on real MNIST from `data_root`.

# %% tags=["parameters"]
scale = "smoke"     # smoke | lab | paper
device = "auto"     # auto | cpu | cuda
data_root = None    # folder with real datasets (lab/paper); None: $KDNB_DATA or ./data
seed = 0

# %%
import kdnb.notebook
P = kdnb.notebook.setup(globals())
print(P.stamp())

# %% [markdown]
# ## The runs
#
# Each experiment is a frozen config; `run` returns its record from the cache, or trains it once and stores it.
# The configs for every scale are in `kdnb/recipes/quickstart.py`.

# %%
from kdnb.recipes.quickstart import run_quickstart, distillation
table, records = run_quickstart(P.scale, P.ctx, seed=P.seed)
table.round(2)

# %%
# NBVAL_CHECK_OUTPUT
# What the two transfer sets are (fixed by the config, so this output is checked by nbval).
for source in ("original", "noise"):
    t = distillation(P.scale, source).transfer
    print(f"{source:>8}: {t.source}, {t.n} images")

# %% [markdown]
# ## Which classes does the teacher see?
#
# The teacher's predicted class of every transfer image. A flat histogram samples the whole decision function;
# a peaked one (relative entropy H(p)/H(U) far below 1) leaves classes the student never learns.

# %%
import matplotlib.pyplot as plt
from kdnb.plots import class_histogram, save_figure, save_table

fig, axes = plt.subplots(1, 3, figsize=(12, 3.2))
for ax, source in zip(axes[:2], ("original", "noise")):
    tr = records[source].metrics["transfer"]
    class_histogram(ax, tr["class_counts"], title=f"{source}: relative entropy {tr['relative_entropy']:.2f}",
                    color="C0" if source == "original" else "C3")
    ax.set_xlabel("teacher-predicted class")
ax = axes[2]
for source, color in (("original", "C0"), ("noise", "C3")):
    c = records[source].curves
    ax.plot(c["eval_epoch"], c["test_acc"], color=color, label=source)
ax.axhline(records["teacher"].metrics["test_acc"], color="k", ls="--", lw=1, label="teacher")
ax.set_xlabel("epoch"); ax.set_ylabel("student test accuracy (%)"); ax.legend()
save_figure(fig, "00_quickstart", P.scale, P.stamp())
save_table(table, "00_quickstart", P.scale)
plt.show()

# %% [markdown]
# ## Check
#
# At every scale the student distilled from the original data must beat the noise student and must not sit at
# chance (a collapsed student is flagged in its record); at lab and paper scale it must also come within 10 points
# of the teacher. `tools/check_smoke.py` checks that this holds for seeds 0–4 and 1 or 2 torch threads.

# %%
# NBVAL_CHECK_OUTPUT
acc = dict(zip(["teacher", "original", "noise"], table["test accuracy (%)"]))
assert acc["original"] > acc["noise"], acc
assert not records["original"].metrics["at_chance"], acc
if P.scale != "smoke":
    assert acc["original"] > acc["teacher"] - 10, acc
print("original-data student beats the noise student")
