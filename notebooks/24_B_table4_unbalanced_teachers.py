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
# # 24 · Paper B, Table 4: teachers trained on unbalanced data
#
# Nayak et al. (WACV'21) §4.5: LeNet-5 teachers on binary MNIST / FashionMNIST — classes 0–2 ("minority") vs 3–9
# ("majority"), a 3 : 7 imbalance — trained with balanced mini-batches and tested on a balanced test set. Students
# are distilled through SVHN transfer sets of 500 … 16,000 images, unbalanced (random) vs balanced (Algorithm 1),
# mean ± std over 20 runs. The paper: balanced wins "in the vast majority of the cases".
#
# **What to look for.** The achieved class split of each transfer set, the accuracy per size beside the paper's,
# and the balanced − unbalanced difference relative to the spread across repeats.
#
# SVHN is the paper's pool. Where it is not on disk its rows say `missing: …`, and (below paper scale) embedded
# photo crops stand in for it — a different natural-image pool, labelled as a stand-in. At `smoke` the teacher is
# binary digits (0–2 vs 3–9) and the sizes are tiny.

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
s = B.SCALE[P.scale]
cfgs = B.table4_configs(P.scale, P.seed, targets=B.table4_targets(P.scale))  # binary MNIST; + FMNIST at paper
print(f"sizes {s['t4_sizes']}, repeats {s['t4_repeats']}, pools {sorted({c['pool'] for c in cfgs})}")
print(f"{len(cfgs)} distillation runs; KD epochs per size:",
      {c['transfer_set_size']: c['config'].schedule.epochs for c in cfgs})
t = B.binary_teacher(P.scale)
print(f"teacher: {t.arch} on binary {t.dataset}, minority classes {t.minority}, {t.schedule.epochs} epochs")

# %% [markdown]
# ## Run every repeat

# %%
runs, summary = B.run_table4(P.scale, P.ctx, seed=P.seed)  # targets: B.table4_targets(scale)
summary.round(2)

# %% [markdown]
# ## The transfer sets: teacher-predicted split (majority, minority), repeat 0

# %%
import matplotlib.pyplot as plt
import numpy as np
from kdnb.plots import save_figure, save_table

ok = runs[runs["accuracy"].notna()]
r0 = ok[ok["repeat"] == 0]
fig, ax = plt.subplots(figsize=(8, 3))
for i, (_, r) in enumerate(r0.iterrows()):
    maj, mino = r["class_counts"]
    ax.bar(i, maj, color="C0", label="majority (3–9)" if i == 0 else None)
    ax.bar(i, mino, bottom=maj, color="C1", label="minority (0–2)" if i == 0 else None)
ax.set_xticks(range(len(r0)), [f"{r.transfer_set_size}\n{'bal' if r.balanced else 'unb'}" for r in r0.itertuples()],
              fontsize=7)
ax.set_ylabel("images"); ax.legend(fontsize=8); ax.set_title("teacher-predicted split of each transfer set")
save_figure(fig, "B_table4_sets", P.scale, P.stamp())
plt.show()

# %% [markdown]
# ## Table 4 beside the paper (one comparison per pool)

# %%
from kdnb import paper
import pandas as pd
sides = []
for pool, g in summary.groupby("pool", sort=False):
    side = paper.beside(g.drop(columns=["pool"]), "B_table4", on=["target_dataset", "transfer_set_size", "balanced"],
                        value="accuracy", scale=P.scale)
    side.insert(0, "our pool", pool)
    std = g.set_index(["target_dataset", "transfer_set_size", "balanced"])["std"]
    side["std (ours)"] = [std.get(k, np.nan) for k in zip(side["target_dataset"], side["transfer_set_size"], side["balanced"])]
    sides.append(side)
table4 = pd.concat(sides, ignore_index=True)
save_table(table4, "B_table4", P.scale)
save_table(runs.drop(columns=["class_counts"], errors="ignore"), "B_table4_runs", P.scale)
table4.round(2)

# %%
q = paper.quoted("B_table4")
fig, axes = plt.subplots(1, 2, figsize=(11, 3.4))
for ax, target in zip(axes, ("Binary-MNIST", "Binary-FMNIST")):
    for bal, color in ((False, "C3"), (True, "C2")):
        pq = q[(q["target_dataset"] == target) & (q["balanced"] == bal)]
        ax.errorbar(pq["transfer_set_size"], pq["accuracy"], pq["std"], color=color, ls="--", marker="o", ms=3,
                    capsize=2, label=f"paper {'balanced' if bal else 'unbalanced'} (SVHN)")
        for pool, g in summary[(summary["target_dataset"] == target) & (summary["balanced"] == bal)].groupby("pool"):
            g = g[g["accuracy"].notna()]
            if len(g):
                ax.errorbar(g["transfer_set_size"], g["accuracy"], g["std"], color=color, marker="s", ms=4, capsize=2,
                            label=f"ours {'balanced' if bal else 'unbalanced'} ({pool})")
    ax.set_xscale("log"); ax.set_xlabel("transfer-set size"); ax.set_ylabel("student accuracy (%)")
    ax.set_title(target); ax.legend(fontsize=6)
fig.tight_layout()
save_figure(fig, "B_table4", P.scale, P.stamp())
plt.show()

# %% [markdown]
# ## Check
#
# Every scale: no balanced set holds more than N/2 of a class, and every balanced set is at least as even as its
# unbalanced twin of equal size. Lab/paper: the paper's finding — balanced ≥ unbalanced in most sizes — is checked
# as "balanced wins (mean over repeats) in at least half the sizes that ran" for the paper's pool (SVHN); for a
# stand-in pool the cell prints the same verdict, per size, without asserting it (it is not the paper's experiment).

# %%
# NBVAL_CHECK_OUTPUT
for _, r in ok[ok["balanced"]].iterrows():
    assert max(r["class_counts"]) <= r["transfer_set_size"] // 2, r
for (pool, size, rep), g in ok.groupby(["pool", "transfer_set_size", "repeat"]):
    if g["balanced"].nunique() == 2:
        b, u = g[g["balanced"]].iloc[0], g[~g["balanced"]].iloc[0]
        assert b["size"] == u["size"]
        assert min(b["class_counts"]) >= min(u["class_counts"])
print("balanced sets respect N/C, match their unbalanced twins in size and are at least as even")

# %%
if P.scale != "smoke":
    verdict = {}
    for (target, pool), gp in summary[summary["accuracy"].notna()].groupby(["target_dataset", "pool"], sort=False):
        wins, total = 0, 0
        for size, g in gp.groupby("transfer_set_size"):
            a = g.set_index("balanced")["accuracy"]
            if len(a) == 2:
                total += 1; wins += bool(a[True] > a[False])
                print(f"{target} · {pool} · {size:>6}: balanced − unbalanced = {a[True] - a[False]:+.2f}")
        verdict[(target, pool)] = (wins, total)
        q4 = paper.quoted("B_table4")
        q4 = q4[q4["target_dataset"] == target].pivot_table(index="transfer_set_size", columns="balanced", values="accuracy")
        print(f"→ {target} · {pool}: balanced wins {wins}/{total} sizes (paper, SVHN: {(q4[True] > q4[False]).sum()}/{len(q4)})"
              + ("" if wins >= total / 2 else "  ✗ the paper's finding does NOT reproduce with this pool"))
    # The paper's finding is asserted for the paper's pool (SVHN); a stand-in pool is reported, not asserted.
    for (target, pool), (wins, total) in verdict.items():
        if "stand-in" not in pool:
            assert wins >= total / 2, f"{target} · {pool}: balanced lost in most sizes"
