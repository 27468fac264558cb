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
# * At `lab`, the readings we tried for the noise rows (teacher input normalisation, Gaussian noise, the ZSKD code's
#   schedule and augmentation over 30…500 epochs), which comes closest to the paper and by how much.
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
# ## The ZSKD reading: an epoch sweep
#
# Paper B gives no schedule. The same authors' ZSKD code, which paper B very likely follows (official-code-notes
# §B), trains a student with T²·soft-CE at T = 20, Adam 1e-3 (constant), batch 64, **500 epochs by default**, on
# 32×32 LeNet-5 inputs, and its augmentation is an **offline expansion of every mini-batch** — scales, 20 %
# translations on a white background, 10 rotations, three flips, salt-and-pepper, a fixed noise blend and four
# combinations, 106 images per image — each copy relabelled by the teacher, one optimiser step per expanded batch
# (`kdnb.augment.zskd`, `kdnb.methods.ZSKDRun`). Table 1's noise rows under that reading, at 30 / 100 / 300 / 500
# epochs, unbalanced and balanced, without and with the expansion.
#
# One run per (augmentation, balance, seed), evaluated after every epoch; the constant learning rate makes the
# first E epochs of a longer run the E-epoch run, so every cell reads the run's curve: **best** over epochs 1…E
# (what ZSKD reports) and **last** (after epoch E). What runs at this scale (reading → seed → epochs) and why is in
# `kdnb/recipes/paper_b.py` (`ZSKD_RUNS`): on the shared 2-core lab machine 3 epochs of the expansion took ≈ 1,400 s,
# so only its first epochs run there.

# %%
print("runs (augmentation → seed → epochs):", B.ZSKD_RUNS[P.scale], "| N =", B.ZSKD_N[P.scale])
zruns, zrecs = B.run_zskd_sweep(P.scale, P.ctx)
zcells = B.zskd_cells(zruns, zrecs, P.scale)
zsum = B.zskd_spread(zcells)
save_table(zcells, "B_table1_zskd_sweep", P.scale)
zsum.round(2)

# %% [markdown]
# Every run's test accuracy after each epoch (thin: one seed; the dashed lines are the paper's Table 1 rows of the
# same augmentation).

# %%
ran = zruns[[zrecs[k] is not None for k in zip(zruns["target_dataset"], zruns["augmentation"], zruns["balanced"],
                                             zruns["seed"])]]
fig, axes = plt.subplots(1, 2, figsize=(11, 3.4), squeeze=False)
for ax, aug in zip(axes.flat, B.ZSKD_AUGMENTATIONS):
    for _, r in ran[(ran["augmentation"] == aug) & (ran["target_dataset"] == "MNIST")].iterrows():
        c = zrecs[(r["target_dataset"], aug, r["balanced"], r["seed"])].curves
        ax.plot(c["eval_epoch"], c["test_acc"], color="C2" if r["balanced"] else "C3", lw=0.9,
                label=f"{'balanced' if r['balanced'] else 'unbalanced'}, seed {r['seed']}")
    for bal in (False, True):
        ax.axhline(B.paper_noise_value("MNIST", bal, aug == "zskd"), color="C2" if bal else "C3", ls="--", lw=1)
    ax.set_xscale("log"); ax.set_xlabel("epoch"); ax.set_ylabel("student accuracy (%)")
    ax.set_title(f"MNIST noise, ZSKD reading, {'with the 106× expansion' if aug == 'zskd' else 'no augmentation'}",
                 fontsize=9)
    ax.legend(fontsize=7)
fig.tight_layout()
save_figure(fig, "B_table1_zskd_sweep", P.scale, P.stamp())
plt.show()

# %% [markdown]
# ## Every reading beside the paper
#
# One row per reading: kdnb's Table 1 recipe above (Eq. 2, 30 epochs, one seed) and the ZSKD reading at each epoch
# count, four cells each (MNIST and FashionMNIST × unbalanced and balanced; mean ± std over seeds, the number of
# seeds in brackets), the paper's value and Δ = ours − paper. A reading with augmentation is compared with the
# paper's rows with augmentation. FashionMNIST is not on the lab machine: its cells say `missing` there and run
# wherever it is on disk.

# %%
from kdnb.recipes.paper_b import ZSKD_TARGETS
ours_t1 = table1[(table1["stimulus"] == "noise") & table1["target_dataset"].isin(ZSKD_TARGETS)]
recipe_rows = ours_t1.assign(
    reading=["kdnb recipe: Eq. 2, 30 epochs, 'nayak' augmentation" if a else "kdnb recipe: Eq. 2, 30 epochs"
             for a in ours_t1["augmentation"]],
    augmented=ours_t1["augmentation"], mean=ours_t1["accuracy"], std=float("nan"),
    seeds=ours_t1["accuracy"].notna().astype(int))
readings_zskd = B.zskd_readings_table(zsum, P.scale, extra=recipe_rows)
save_table(readings_zskd, "B_table1_readings", P.scale)
cells = [c for c in readings_zskd.columns if c.startswith(ZSKD_TARGETS) and not c.endswith(("Δ", "paper"))]
readings_zskd[["reading"] + cells + ["cells run", "mean |Δ|"]].round(2)

# %%
best = B.closest_reading(readings_zskd)
deltas = {c: best[f"{c} Δ"] for c in cells if best[f"{c} Δ"] == best[f"{c} Δ"]}
print(f"closest reading: {best['reading']} — mean |Δ| {best['mean |Δ|']:.1f} points over {best['cells run']} cell(s)")
for c, d in deltas.items():
    print(f"  {c}: ours {best[c]} vs paper {best[f'{c} paper']:.2f} (Δ {d:+.1f}: "
          f"{'reproduces, |Δ| ≤ 3' if abs(d) <= 3 else 'does not reproduce'})")

# %% [markdown]
# ## CIFAR-10 (JPEG copy): the noise rows
#
# At lab the CIFAR-10 rows run on CIFAR-10 rebuilt from a JPEG copy (`cifar10_jpeg`: labels exact, most pixels
# decoded from JPEG), AlexNet → AlexNet-half, with the reductions `kdnb/recipes/paper_b.py` lists in `LAB_CPU` (a
# 5-epoch teacher, 200,000 noise draws, 15 KD epochs, one seed). They are a different dataset from the paper's
# CIFAR-10, shown beside the paper's CIFAR-10 rows for scale, never in place of them.

# %%
jpeg = table1[(table1["target_dataset"] == B.JPEG) & (table1["stimulus"] == "noise")]
if len(jpeg):
    jp = jpeg[["target_dataset", "balanced", "augmentation", "accuracy", "teacher_accuracy", "size", "draws",
               "status"]].copy()
    jp["paper (CIFAR-10)"] = [B.paper_noise_value("CIFAR-10", b, a) for b, a in zip(jp["balanced"], jp["augmentation"])]
    save_table(jp, "B_table1_cifar10_jpeg", P.scale)
    display(jp.round(2))
else:
    print(f"CIFAR-10 (JPEG copy) rows run at lab only (this is {P.scale})")

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
# unbalanced ones. At lab and paper scale: the paper's finding on MNIST noise — balancing helps — is checked on
# the mean of three seeds of the ZSKD reading (30 epochs) with a margin of two standard errors; the cell then prints, from the numbers, which absolute accuracies
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
    # The claim on the mean of three seeds (the ZSKD reading at 30 epochs, the cells every seed ran), with a margin
    # of two standard errors of the difference: one seed hides a ±5-point spread.
    z30 = zsum[(zsum["target_dataset"] == "MNIST") & (zsum["augmentation"] == "none")
               & (zsum["epochs"] == 30)].set_index("balanced")
    zgain = z30.loc[True, "best_mean"] - z30.loc[False, "best_mean"]
    zse = ((z30["best_std"] ** 2 / z30["seeds"]).sum()) ** 0.5
    print(f"ZSKD reading, 30 epochs, {int(z30['seeds'].min())} seeds: unbalanced {z30.loc[False, 'best_mean']:.1f} ± "
          f"{z30.loc[False, 'best_std']:.1f}, balanced {z30.loc[True, 'best_mean']:.1f} ± {z30.loc[True, 'best_std']:.1f}"
          f" → gain {zgain:+.1f} (2 s.e. = {2 * zse:.1f}; paper {paper_gain[False]:+.2f})")
    assert z30["seeds"].min() >= 3 and zgain > 2 * zse, "balancing did not help on MNIST noise (3 seeds)"
    # What does not reproduce, stated from the numbers (not asserted: they are the paper's, not ours to fix).
    mn = side[(side["target_dataset"] == "MNIST") & (side["transfer_set"] == "Random Noise")]
    for _, r in mn.iterrows():
        d = r["Δ (ours − paper)"]
        print(f"balanced={r['balanced']!s:5} aug={r['augmentation']!s:5}: ours {r[f'accuracy (ours, {P.scale})']:.2f} vs paper "
              f"{r['accuracy (paper)']:.2f} → {'reproduces (|Δ| ≤ 5)' if abs(d) <= 5 else 'does NOT reproduce'} (Δ {d:+.2f})")
    for bal in (False, True):
        print(f"augmentation {'helps' if prim[(True, bal)] > prim[(False, bal)] else 'does NOT help'} the "
              f"{'balanced' if bal else 'unbalanced'} set here: {prim[(False, bal)]:.2f} → {prim[(True, bal)]:.2f}")
