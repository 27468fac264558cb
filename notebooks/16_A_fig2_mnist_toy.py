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
# # 16 · Paper A, Fig. 2: the MNIST toy — why some distillation sets fail
#
# Frank & Davis (CVPR'25), §4.1 "What influences successful distillation?" and **Fig. 2**: a small MNIST teacher
# (3 conv layers → global average pooling to **2** features → 3 fully-connected layers; "∼97%") is distilled into a
# student of the same architecture with MNIST, OpenGL shader images and CIFAR-10. Because the features are 2-D, one
# can *see* what the distillation data sample: the teacher's features of each set with its decision regions, and each
# student's features of the MNIST test set. Paper: the shader student reaches **92.89%**, the CIFAR-10 student
# **38.78%** — shaders are predicted in all of the teacher's class regions (relative entropy near 1), CIFAR-10 only in a
# few.
#
# Here: the same toy (`toy2d`), plus a Gaussian-noise student. Every set except MNIST is selected per
# teacher-predicted class (§3.2, Eq. 1) from a larger pool; classes the teacher never predicts cannot be selected.
#
# * `smoke`: scikit-learn digits teacher, a few hundred images, a few epochs — the students barely start learning;
#   only the teacher's coverage of each set is meaningful. **Stand-ins, labelled as such.**
# * `lab`: real MNIST; the natural out-of-domain set is the **embedded photo crops** (CIFAR-10 is not on disk here),
#   so the natural row is a stand-in for the paper's CIFAR-10 row. CPU minutes.
# * `paper`: MNIST with CIFAR-10 as the natural set.
#
# The paper gives no training schedule for the toy; ours is in `kdnb/recipes/paper_a.py` (`FIG2`), including why it
# uses Adam instead of paper A's SGD.
#
# **What to look for.** Rows of the top panel: how many of the teacher's class regions each set reaches. The shader
# student should beat the noise student (the paper's criterion: relative entropy of the teacher's predictions).

# %% tags=["parameters"]
scale = "smoke"     # smoke | lab | paper
device = "auto"     # auto | cpu | cuda
data_root = None    # folder holding MNIST (lab, paper) and CIFAR-10 (paper); None: $KDNB_DATA or ./data
seed = 0

# %%
import kdnb.notebook
P = kdnb.notebook.setup(globals())
print(P.stamp())

# %% [markdown]
# ## The configs (fixed per scale; checked)

# %%
# NBVAL_CHECK_OUTPUT
from kdnb.recipes.paper_a import FIG2_DISTS, fig2_distillation, fig2_teacher
t = fig2_teacher(P.scale)
print(f"teacher: {t.arch} on {t.dataset}, {t.schedule.epochs} epochs, {t.schedule.optimizer} lr={t.schedule.lr}")
for d in FIG2_DISTS:
    c = fig2_distillation(P.scale, d)
    print(f"{d:>8}: {c.transfer.source:<16} n={c.transfer.n:<6} pool={c.transfer.pool} select={c.transfer.select:<9} "
          f"tau={c.temperature:g} augment={c.schedule.augment} mixup={c.schedule.mixup} epochs={c.schedule.epochs}")

# %% [markdown]
# ## Run: the teacher and four students

# %%
from kdnb.recipes.paper_a import run_fig2
table, records = run_fig2(P.scale, P.ctx, seed=P.seed)
table.round(3)

# %% [markdown]
# ## Beside the paper
#
# The paper quotes only the teacher ("∼97%") and two students. Rows are matched only where the experiment is the
# paper's (an MNIST teacher): the photo-crop row is a stand-in for CIFAR-10 and has no paper number beside it.

# %%
from kdnb import paper
from kdnb.plots import save_table
side = paper.beside(table, "A_fig2", on=["model", "distillation_dataset"], value="accuracy", scale=P.scale)
save_table(side, "A_fig2", P.scale)
side.round(2)

# %% [markdown]
# ## Fig. 2 (ours)
#
# Top: the teacher's 2-D GAP features of each distillation set, coloured by the teacher's predicted class, over the
# teacher's decision regions. Bottom: each student's features of the test set, coloured by the true label, over the
# student's decision regions; the title gives its test accuracy.

# %%
import matplotlib.pyplot as plt
import numpy as np
from kdnb.recipes.paper_a import fig2_views
from kdnb.plots import save_figure

views = fig2_views(P.scale, records, P.ctx, seed=P.seed)
cmap = plt.get_cmap("tab10")
names = [d for d in FIG2_DISTS if d in views]
fig, axes = plt.subplots(2, len(names) + 1, figsize=(3.3 * (len(names) + 1), 6.6), squeeze=False)

def panel(ax, feats, colours, reg, title):
    ax.imshow(reg["classes"].numpy(), extent=reg["extent"], origin="lower", cmap=cmap, vmin=0, vmax=9, alpha=0.25,
              aspect="auto", interpolation="nearest")
    ax.scatter(feats[:, 0], feats[:, 1], c=cmap(colours.numpy() % 10), s=2, linewidths=0)
    ax.set_title(title, fontsize=9); ax.set_xticks([]); ax.set_yticks([])

tv = views["teacher"]
panel(axes[0, 0], tv["features"], tv["labels"], tv["regions"], f"teacher · test set ({records['teacher'].metrics['test_acc']:.1f}%)")
axes[1, 0].set_axis_off()
for j, d in enumerate(names, start=1):
    v = views[d]
    panel(axes[0, j], v["teacher_features"], v["teacher_pred"], v["teacher_regions"], f"teacher · {v['label']}")
    panel(axes[1, j], v["student_features"], v["labels"], v["student_regions"], f"student ({v['accuracy']:.1f}%)")
fig.tight_layout()
save_figure(fig, "A_fig2", P.scale, P.stamp())
plt.show()

# %% [markdown]
# ## Reading the result
#
# The paper's criterion is the relative entropy of the teacher's predictions on the candidates. A set that the
# teacher maps to few classes cannot teach the others, however much the per-class selection replicates them (the
# `predicted_classes` column). Whether shader images reach *all* class regions depends on the teacher: in the
# paper's figure the toy teacher's shader features fall in every region. The next cell counts, from the runs, how
# many of our teacher's classes a large fresh pool of shader frames reaches, and prints the teacher's and the
# students' accuracies beside the paper's. The optimiser, batch and architecture choices (the paper gives none) are
# recorded next to `FIG2` in `kdnb/recipes/paper_a.py` and in `kdnb.models.small.Toy2D`.

# %%
import pandas as pd
from kdnb.recipes.paper_a import FIG2, FIG2_TRIED, fig2_shader_coverage
runs = [table.assign(teacher_epochs=FIG2[P.scale]["teacher_epochs"])]
for epochs in FIG2_TRIED[P.scale]:
    other, _ = run_fig2(P.scale, P.ctx, P.seed, teacher_epochs=epochs)
    runs.append(other.assign(teacher_epochs=epochs))
tried = (pd.concat(runs).assign(distillation_dataset=lambda d: d["distillation_dataset"].fillna("teacher"))
         .pivot_table(index="teacher_epochs", columns="distillation_dataset", values="accuracy"))
coverage = fig2_shader_coverage(P.scale, P.ctx, P.seed)
save_table(coverage, "A_fig2_shader_coverage", P.scale)
display(tried.round(2), coverage.round(3))
acc_of = dict(zip(table["distillation_dataset"].fillna("teacher"), table["accuracy"]))
shader = next(v for k, v in acc_of.items() if k.startswith("OpenGL"))
noise = next(v for k, v in acc_of.items() if k.startswith("Noise"))
for _, c in coverage.iterrows():
    print(f"{c['candidates']}: the teacher predicts {int(c['classes reached'])} of its 10 classes on "
          f"{int(c['n']):,} frames (relative entropy {c['relative_entropy']:.3f})")
print(f"teacher {acc_of['teacher']:.1f}% (paper ∼97%); shader student {shader:.1f}% (paper 92.89%) vs noise "
      f"student {noise:.1f}% ({shader - noise:+.1f} points)")

# %% [markdown]
# ## Three student seeds
#
# One seed hides the spread. The students of the same teacher again, once per student seed (`FIG2_STUDENT_SEEDS`:
# the seed draws the student's initialisation, its data order and the distillation set); the claims below are
# judged on the means.

# %%
from kdnb.recipes.paper_a import fig2_spread, run_fig2_seeds
seed_runs, seed_recs = run_fig2_seeds(P.scale, P.ctx, seed=P.seed)
spread = fig2_spread(seed_runs)
q2 = paper.quoted("A_fig2").set_index("distillation_dataset")["accuracy"]
spread["paper"] = [q2.get(d.split(" ")[0], float("nan")) for d in spread["distillation_dataset"]]
spread["Δ (mean − paper)"] = spread["mean"] - spread["paper"]
save_table(spread, "A_fig2_seeds", P.scale)
for _, r in spread.iterrows():
    verdict = "" if r["paper"] != r["paper"] else (
        " → reproduces (|Δ| ≤ 3)" if abs(r["Δ (mean − paper)"]) <= 3 else " → does not reproduce")
    print(f"{r['distillation_dataset']:>40}: {r['mean']:.1f} ± {r['std']:.1f} % ({int(r['seeds'])} seeds)"
          + (f", paper {r['paper']:.2f}{verdict}" if r["paper"] == r["paper"] else ""))
spread.round(2)

# %% [markdown]
# ## Check
#
# At `lab` and `paper`: the teacher is a usable toy (≥ 85%; the paper's is "∼97%"). On the mean over the student
# seeds, with a margin of two standard errors of the difference: the shader student beats the noise student (the
# paper's qualitative criterion), and the MNIST student beats the shader student. The relative-entropy comparison
# is printed, not asserted.
#
# At `smoke` the students are too short-trained to compare. What tiny data can show is the teacher's coverage:
# its predictions on real digits are close to uniform (relative entropy ≥ 0.95) and more even than on noise (by
# 0.09 to 0.77 over seeds 0–2 at 1 and 2 threads, so no larger margin is asserted).

# %%
# NBVAL_CHECK_OUTPUT
acc = acc_of  # the reading cell's accuracies by distillation set
ent = dict(zip(table["distillation_dataset"].fillna("teacher"), table["relative_entropy (candidates)"]))
key = {d: [k for k in acc if k.startswith(d)][0] for d in ("OpenGL", "Noise")}
if P.scale == "smoke":
    orig = [k for k in ent if k.startswith("digits")][0]
    assert ent[orig] >= 0.95 and ent[orig] > ent[key["Noise"]], ent
    print("smoke: the digits teacher's predictions on real digits are near-uniform, and more even than on noise")
else:
    assert acc["teacher"] >= 85, acc
    m = spread.set_index("distillation_dataset")
    assert m["seeds"].min() >= 3, m

    def beats(a, b):
        se = (m.loc[a, "std"] ** 2 / m.loc[a, "seeds"] + m.loc[b, "std"] ** 2 / m.loc[b, "seeds"]) ** 0.5
        return m.loc[a, "mean"] - m.loc[b, "mean"] > 2 * se

    assert beats(key["OpenGL"], key["Noise"]), m
    assert beats("MNIST", key["OpenGL"]), m
    print("on the mean of three student seeds: the shader student beats the noise student; the MNIST student "
          "beats both")
    print(f"relative entropy on the candidates: shaders {ent[key['OpenGL']]:.3f}, noise {ent[key['Noise']]:.3f}")
