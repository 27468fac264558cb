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
# # 21 · Paper B, Table 1 + Fig. 3: unbalanced vs target-class-balanced arbitrary transfer sets
#
# Nayak, Mopuri & Chakraborty (WACV'21) distil a teacher through **arbitrary** data — random noise, synthetic
# images (Clevr, + Mid-Air), unrelated natural images (SVHN, + TinyImageNet) — and claim that making the set
# **target-class balanced** (Algorithm 1: keep a sample only while the teacher's predicted class has fewer than
# N/C) improves the student in every case (Fig. 3), and that augmentation (§4.2) helps further (Table 1).
#
# **What to look for.**
# * The histograms: the unbalanced sets pile onto a few teacher classes; Algorithm 1's sets are flat (≤ N/C each)
#   — and how many teacher forwards ("draws") that took.
# * Table 1 beside the paper: MNIST · random noise is 81.62 → 92.88 (unbalanced → balanced) without augmentation
#   and 89.01 → 95.76 with it. Fig. 3 is the balanced − unbalanced gain.
# * At `lab`, the readings we tried for the noise rows (teacher input normalisation, Gaussian noise) and which of
#   them, if any, reproduces the paper's ≈ 11-point gain.
#
# At `smoke` everything is an embedded stand-in (digits teacher; dead leaves for Clevr; photo crops for SVHN) and
# labelled so in the `status` column; the accuracies are near chance there and say nothing about the paper.
# Datasets that are not on disk appear as `missing: …` rows with how to get them.

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
# ## The configurations
#
# Every number that goes into a run is in `kdnb/recipes/paper_b.py` (protocol: ZSKD's, where paper B is silent —
# τ = 20, Adam 1e-3, soft cross-entropy of Eq. 2, teachers on raw [0, 1] pixels).

# %%
# NBVAL_CHECK_OUTPUT
from kdnb.recipes import paper_b as B
s = B.SCALE[P.scale]
print(f"targets: {', '.join(s['targets'])}")
print(f"transfer-set size N: {s['n']}; noise draws at most {s['noise_limit']:,}; KD epochs {s['kd_epochs']}")
for c in B.table1_cells(P.scale)[:4]:
    cfg, note = B.table1_config(P.scale, c["target"], c["stimulus"], c["balanced"], c["augment"], P.seed)
    print(c["stimulus"], "balanced" if c["balanced"] else "unbalanced", "aug" if c["augment"] else "no aug",
          "→ pools", [p.source for p in cfg.transfer.pools], "| student", cfg.student, "| τ", cfg.temperature)

# %% [markdown]
# ## Table 1: run every cell

# %%
table1, recs = B.run_table1(P.scale, P.ctx, seed=P.seed)
table1[["target_dataset", "transfer_set", "balanced", "augmentation", "accuracy", "size", "draws",
        "relative_entropy", "status"]].round(3)

# %% [markdown]
# ## The transfer sets: teacher-predicted class histograms
#
# Every set used above (augmentation does not change the set). Title: size, draws spent (teacher forwards) and
# relative entropy H(p)/H(U) (1 = flat).

# %%
import matplotlib.pyplot as plt
from kdnb.plots import class_histogram, save_figure, save_table

sets = table1[(~table1["augmentation"]) & table1["accuracy"].notna()]
if len(sets):
    fig, axes = plt.subplots(len(sets) // 2 + len(sets) % 2, 2, figsize=(11, 2.6 * ((len(sets) + 1) // 2)),
                             squeeze=False)
    for ax, (_, r) in zip(axes.flat, sets.iterrows()):
        class_histogram(ax, r["class_counts"], color="C2" if r["balanced"] else "C3",
                        title=f"{r['target_dataset']} · {r['transfer_set']} · {'balanced' if r['balanced'] else 'unbalanced'}\n"
                              f"{int(r['size']):,} images, {int(r['draws']):,} draws, H/H_U={r['relative_entropy']:.2f}")
    for ax in list(axes.flat)[len(sets):]:
        ax.set_axis_off()
    fig.tight_layout()
    save_figure(fig, "B_table1_histograms", P.scale, P.stamp())
    plt.show()

# %% [markdown]
# ## Table 1 beside the paper

# %%
from kdnb import paper
side = paper.beside(table1, "B_table1", on=["transfer_set", "balanced", "target_dataset", "augmentation"],
                    value="accuracy", scale=P.scale)
save_table(side, "B_table1", P.scale)
side.round(2)

# %% [markdown]
# ## Fig. 3: the gain of balancing (without augmentation)

# %%
import numpy as np
gains = B.fig3_gains(table1)
fig3 = paper.beside(gains, "B_fig3", on=["stimulus", "target_dataset"], value="accuracy_gain", scale=P.scale)
save_table(fig3, "B_fig3", P.scale)

done = gains[gains["accuracy_gain"].notna()]
fig, ax = plt.subplots(figsize=(8, 3.4))
labels = [f"{r.target_dataset}\n{r.stimulus}" for r in done.itertuples()]
xs = np.arange(len(done))
ax.bar(xs - 0.2, done["accuracy_unbalanced"], 0.4, color="C3", label="unbalanced (ours)")
ax.bar(xs + 0.2, done["accuracy_balanced"], 0.4, color="C2", label="balanced (ours)")
q = paper.quoted("B_fig3").set_index(["stimulus", "target_dataset"])
for x, r in zip(xs, done.itertuples()):
    if (r.stimulus, r.target_dataset) in q.index:
        pr = q.loc[(r.stimulus, r.target_dataset)]
        if np.isfinite(pr["accuracy_unbalanced"]):
            ax.plot([x - 0.4, x], [pr["accuracy_unbalanced"]] * 2, "k--", lw=1)
            ax.plot([x, x + 0.4], [pr["accuracy_balanced"]] * 2, "k-", lw=1.5)
ax.set_xticks(xs, labels, fontsize=8); ax.set_ylabel("student accuracy (%)")
ax.set_title("Fig. 3 · black lines: the paper's values where it gives them (dashed unbalanced, solid balanced)")
ax.legend(loc="lower right")
save_figure(fig, "B_fig3", P.scale, P.stamp())
plt.show()
fig3.round(2)

# %% [markdown]
# ## The MNIST noise rows under each plausible reading
#
# The paper does not say whether its LeNet-5 normalises its input, nor how many noise samples it drew. A teacher's
# input normalisation changes which classes uniform noise falls into, so we run the noise rows with:
# (1) raw-pixel teacher (ZSKD's convention, our primary), (2) kdnb's teacher that normalises by MNIST's mean/std,
# (3) Gaussian noise μ=0.5, σ=0.1 (what the paper used for CIFAR-100). Augmentation (§4.2) is the paper's own way
# of "topping up" rare classes; it is the `augmentation=True` rows. At smoke only the rows without augmentation run.

# %%
readings, rrecs = B.run_noise_readings(P.scale, P.ctx, seed=P.seed)  # augmentation: B.NOISE_READINGS_AUGMENT[scale]
save_table(readings.drop(columns=["class_counts"], errors="ignore"), "B_table1_noise_readings", P.scale)
pivot = readings.pivot_table(index=["reading", "augmentation"], columns="balanced", values="accuracy")
pivot.columns = ["unbalanced", "balanced"]
pivot["gain (balanced − unbalanced)"] = pivot["balanced"] - pivot["unbalanced"]
q1 = paper.quoted("B_table1")
q1 = q1[(q1["transfer_set"] == "Random Noise") & (q1["target_dataset"] == "MNIST")].set_index(["augmentation", "balanced"])["accuracy"]
paper_gain = {aug: q1[(aug, True)] - q1[(aug, False)] for aug in (False, True)}
pivot["paper gain"] = [paper_gain[aug] for _, aug in pivot.index]
pivot.round(2)

# %%
sets = readings[~readings["augmentation"]]
fig, axes = plt.subplots(len(sets) // 2, 2, figsize=(11, 2.4 * (len(sets) // 2)), squeeze=False)
for ax, (_, r) in zip(axes.flat, sets.iterrows()):
    class_histogram(ax, r["class_counts"], color="C2" if r["balanced"] else "C3",
                    title=f"{r['reading'][:45]} · {'balanced' if r['balanced'] else 'unbalanced'}\n"
                          f"{int(r['size']):,} images, {int(r['draws']):,} draws, full={r['full']}")
fig.tight_layout()
save_figure(fig, "B_table1_noise_readings", P.scale, P.stamp())
plt.show()

# %% [markdown]
# ## Is the gap a matter of transfer-set size?
#
# The paper keeps each transfer set "approximately equal to the Teacher's training set" (§4.1): 60,000 images
# for MNIST. Our lab rows use 5,000. Here the MNIST uniform-noise rows (primary reading, no augmentation) run
# again at larger N, with the noise draw limit scaled to match. If the gap to the paper closes as N grows,
# the small lab set explains it. The gain from balancing should stay.
#
# The cell after the plot states, from the numbers, how much of the gap remains at the largest N.

# %%
sweep = B.run_size_sweep(P.scale, P.ctx, P.seed)
save_table(sweep, "B_table1_size_sweep", P.scale)
fig, ax = plt.subplots(figsize=(5, 3.2))
for bal, color in ((False, "C3"), (True, "C0")):
    g = sweep[sweep["balanced"] == bal]
    ax.plot(g["size"], g["accuracy"], "o-", color=color, label="balanced" if bal else "unbalanced")
    ax.axhline(q1[(False, bal)], color=color, ls="--", lw=1)  # the paper (quoted), no augmentation
ax.set_xscale("log"); ax.set_xlabel("transfer-set size N"); ax.set_ylabel("student accuracy (%)")
ax.set_title("MNIST, uniform noise, no augmentation (dashed: paper, N≈60K)"); ax.legend()
save_figure(fig, "B_table1_size_sweep", P.scale, P.stamp())
plt.show()
sweep[["N (requested)", "balanced", "size", "draws", "accuracy", "relative_entropy"]].round(3)

# %%
largest = sweep[sweep["N (requested)"] == sweep["N (requested)"].max()].set_index("balanced")["accuracy"]
smallest = sweep[sweep["N (requested)"] == sweep["N (requested)"].min()].set_index("balanced")["accuracy"]
for bal in (False, True):
    name = "balanced" if bal else "unbalanced"
    print(f"{name:>10}: {smallest[bal]:.2f} → {largest[bal]:.2f} as N grows "
          f"(paper {q1[(False, bal)]:.2f}; remaining gap {q1[(False, bal)] - largest[bal]:+.2f} points)")

# %% [markdown]
# ## Checks
#
# Every scale: Algorithm 1 never keeps more than N/C per class, and the balanced sets are at least as flat as the
# unbalanced ones. At lab and paper scale: the paper's finding on MNIST noise — balancing helps — is checked with
# a margin of 2 points for the primary reading; the cell then prints, from the numbers, which absolute accuracies
# reproduce the paper's (|Δ| ≤ 5) and whether augmentation helped. Lab scale trains on 5,000 images for 30 epochs
# (the paper: ≈ 60,000 images, schedule unstated), so absolute accuracies far below the paper's are expected there.

# %%
# NBVAL_CHECK_OUTPUT
done = table1[table1["accuracy"].notna()]
for _, r in done[done["balanced"]].iterrows():
    assert max(r["class_counts"]) <= B.SCALE[P.scale]["n"][r["target_dataset"]] // 10, r
for (t, st, a), g in done.groupby(["target_dataset", "stimulus", "augmentation"]):
    if g["balanced"].nunique() == 2:
        assert g[g["balanced"]]["relative_entropy"].iloc[0] >= g[~g["balanced"]]["relative_entropy"].iloc[0] - 1e-9
print("balanced sets: ≤ N/C per class and at least as flat as their unbalanced counterparts")

# %%
if P.scale != "smoke":
    prim = readings[readings["reading"].str.contains("primary")].set_index(["augmentation", "balanced"])["accuracy"]
    for aug in (False, True):
        gain = prim[(aug, True)] - prim[(aug, False)]
        print(f"MNIST noise, augmentation={aug}: gain {gain:+.2f} points (paper {paper_gain[aug]:+.2f})")
    assert prim[(False, True)] - prim[(False, False)] > 2.0, "balancing did not help on MNIST noise (no augmentation)"
    # What does not reproduce, stated from the numbers (not asserted: they are the paper's, not ours to fix).
    mn = side[(side["target_dataset"] == "MNIST") & (side["transfer_set"] == "Random Noise")]
    for _, r in mn.iterrows():
        d = r["Δ (ours − paper)"]
        print(f"balanced={r['balanced']!s:5} aug={r['augmentation']!s:5}: ours {r[f'accuracy (ours, {P.scale})']:.2f} vs paper "
              f"{r['accuracy (paper)']:.2f} → {'reproduces (|Δ| ≤ 5)' if abs(d) <= 5 else 'does NOT reproduce'} (Δ {d:+.2f})")
    for bal in (False, True):
        print(f"augmentation {'helps' if prim[(True, bal)] > prim[(False, bal)] else 'does NOT help'} the "
              f"{'balanced' if bal else 'unbalanced'} set here: {prim[(False, bal)]:.2f} → {prim[(True, bal)]:.2f}")
