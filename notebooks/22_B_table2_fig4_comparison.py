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
# # 22 · Paper B, Table 2 + Fig. 4: arbitrary balanced sets vs data-free KD methods
#
# Nayak et al. (WACV'21) §4.3 compare their baseline (SVHN + TinyImageNet, balanced with Algorithm 1, with
# augmentation) with ZSKD, DeGAN (Table 2 left) and DAFL (Table 2 right, ResNet-34 → ResNet-18 on CIFAR-10).
#
# **What to look for.** The ZSKD / DeGAN / DAFL numbers are **quoted** from the paper (we do not rerun those
# methods); the Teacher, Student-KD (KD through the original training data) and Ours rows are our runs, beside the
# paper's. Fig. 4 plots the same comparison. The paper's Fig. 4 (DeGAN with *unrelated* sets) is given only as bars
# without numbers, so it is not transcribed; our bars stand beside the numbers the paper does print.
#
# At `smoke` only the MNIST column runs, with stand-ins (digits teacher; photo crops for SVHN + TinyImageNet).
# Rows whose data is not on disk show `missing: …` with how to get it.

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
for (target, algo), cfg in B.table2_configs(P.scale, P.seed).items():
    kind = type(cfg).__name__
    arch = getattr(cfg, "arch", None) or cfg.student
    print(f"{target:>18} · {algo:<10} {kind:<11} {arch}")

# %% [markdown]
# ## Our rows

# %%
table2, recs = B.run_table2(P.scale, P.ctx, seed=P.seed)
table2.round(2)

# %% [markdown]
# ## Table 2 beside the paper (ZSKD, DeGAN, DAFL: quoted only, `not run`)

# %%
from kdnb import paper
from kdnb.plots import save_figure, save_table
side = paper.beside(table2, "B_table2", on=["dataset", "teacher", "student", "algorithm"], value="accuracy",
                    scale=P.scale)
save_table(side, "B_table2", P.scale)
side.round(2)

# %%
import matplotlib.pyplot as plt
import numpy as np

q = paper.quoted("B_table2")
cols = [(d, t) for d, t in q[["dataset", "teacher"]].drop_duplicates().itertuples(index=False)]
algos = ["Teacher", "Student-KD", "ZSKD", "DeGAN", "DAFL", "Ours"]
fig, axes = plt.subplots(1, len(cols), figsize=(3.1 * len(cols), 3.4), sharey=True)
for ax, (d, t) in zip(axes, cols):
    pq = q[(q["dataset"] == d) & (q["teacher"] == t)].set_index("algorithm")["accuracy"]
    ours = table2[(table2["dataset"] == d) & (table2["teacher"] == t)].set_index("algorithm")["accuracy"]
    xs = np.arange(len(algos))
    ax.bar(xs - 0.2, [pq.get(a, np.nan) for a in algos], 0.4, color="0.6", label="paper (quoted)")
    ax.bar(xs + 0.2, [ours.get(a, np.nan) for a in algos], 0.4, color="C0", label=f"ours ({P.scale})")
    ax.set_xticks(xs, algos, rotation=60, fontsize=8); ax.set_title(f"{d} · {t}", fontsize=9)
axes[0].set_ylabel("accuracy (%)"); axes[0].legend(fontsize=7)
fig.tight_layout()
save_figure(fig, "B_fig4", P.scale, P.stamp())
plt.show()

# %% [markdown]
# ## Check
#
# Every scale: each run row has an accuracy or a `missing:` status (nothing silently dropped). At lab/paper scale,
# where our "Ours" row ran, it must come within 10 points of our Student-KD row — the paper's claim that arbitrary
# balanced sets are competitive.

# %%
# NBVAL_CHECK_OUTPUT
assert ((table2["accuracy"].notna()) | table2["status"].str.startswith("missing")).all()
if P.scale != "smoke":
    for d, g in table2.groupby(["dataset", "teacher"]):  # CIFAR-10 has two columns: AlexNet and ResNet-34
        a = g.set_index("algorithm")["accuracy"]
        if np.isfinite(a.get("Ours", np.nan)) and np.isfinite(a.get("Student-KD", np.nan)):
            assert a["Ours"] > a["Student-KD"] - 10, (d, a.to_dict())
print("every row ran or says why not")
