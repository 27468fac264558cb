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
# # 20 · Paper B, Fig. 2: how a teacher labels arbitrary data
#
# Nayak, Mopuri & Chakraborty (WACV'21) §3.2, Fig. 2: a CIFAR-10 AlexNet labels random noise, Clevr and SVHN with
# distributions "far from uniform" — deep nets partition arbitrary input space into very unequal class regions.
# That imbalance is the paper's motivation for Algorithm 1 (notebook 21).
#
# **What to look for.** Peaked histograms: a few classes take most samples, some get (almost) none. The paper gives
# Fig. 2 only as a picture, so there are no quoted numbers to sit beside ours; we report the largest class share
# and the relative entropy H(p)/H(U) (1 = uniform) of every pool.
#
# At `smoke` the teacher is LeNet-5 on scikit-learn's digits and the synthetic / natural pools are embedded
# stand-ins (dead leaves, photo crops); at `lab` the teacher is LeNet-5 on MNIST (the CIFAR-10 rows show as
# missing unless CIFAR-10, Clevr and SVHN are on disk).

# %% tags=["parameters"]
scale = "smoke"     # smoke | lab | paper
device = "auto"     # auto | cpu | cuda
data_root = None    # folder with real datasets (lab/paper); None: $KDNB_DATA or ./data
seed = 0

# %%
import kdnb.notebook
P = kdnb.notebook.setup(globals())
print(P.stamp())

# %%
# NBVAL_CHECK_OUTPUT
from kdnb.recipes import paper_b as B
for name, (target, pool, note) in B.fig2_pools(P.scale).items():
    print(f"{name}: {pool.limit:,} samples from {pool.source} {note}")

# %% [markdown]
# ## Label the pools (one teacher forward per sample, no selection)

# %%
fig2, recs = B.run_fig2(P.scale, P.ctx, seed=P.seed)
fig2.drop(columns=["class_counts"], errors="ignore").round(3)

# %%
import matplotlib.pyplot as plt
from kdnb.plots import class_histogram, save_figure, save_table

done = fig2[fig2["status"].str.startswith("missing") == False]
fig, axes = plt.subplots(1, max(1, len(done)), figsize=(3.3 * max(1, len(done)), 3), squeeze=False)
if done.empty:  # no pool's data is on disk: say so in the figure rather than draw nothing
    axes[0, 0].axis("off")
    axes[0, 0].text(0, 0.5, "no pool could be labelled here:\n" + "\n".join(fig2["status"]), fontsize=7, va="center")
for ax, (_, r) in zip(axes[0], done.iterrows()):
    counts = r["class_counts"]
    class_histogram(ax, [100 * c / sum(counts) for c in counts], color="C3",
                    title=f"{r['pool']}\nH/H_U={r['relative_entropy']:.2f}")
    ax.set_ylabel("% of samples"); ax.set_xlabel("teacher-predicted class")
fig.tight_layout()
save_figure(fig, "B_fig2", P.scale, P.stamp())
save_table(fig2, "B_fig2", P.scale)
plt.show()

# %% [markdown]
# ## Check
#
# The paper's observation: arbitrary pools are labelled far from uniformly. Every pool we could label must have a
# largest class share above 1.5/C (smoke) or 2/C (lab, paper), i.e. 50 % or 100 % more than a uniform share.

# %%
# NBVAL_CHECK_OUTPUT
margin = 1.5 if P.scale == "smoke" else 2.0
for _, r in done.iterrows():
    C = len(r["class_counts"])
    assert r["max_share"] > margin / C, (r["pool"], r["max_share"])
print(f"all {len(done)} labelled pools are far from uniform (largest share > {margin}/C)")
