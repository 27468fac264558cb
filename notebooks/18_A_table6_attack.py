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
# # 18 · Paper A, Tables 6 and 7: distillation with the decision-boundary attack, and data-free methods
#
# Frank & Davis (CVPR'25), §4.1 "Adding Teacher Exploitation" (**Table 6**) and "Comparisons to Other Data Sources"
# (**Table 7**). Table 6 distils each teacher with four sets — the original data, the *worst* set of Table 1, Food and
# OpenGL shaders — without (✗) and with (✓) the attack of Fig. 3 (notebook 17). The paper's headline: the attack helps
# most where the set is worst (CIFAR-10 teacher with FGVC-Aircraft images: 11.39% → 88.14%), and a little elsewhere.
# Table 7 sets plain KD with surrogate sets beside data-free methods for a ResNet-34 → ResNet-18 CIFAR pair.
#
# **Our reading of "with the attack"** (the paper does not say when the attack runs): the selected transfer set is
# attacked **once, offline**; each input that yields an accepted pair adds its four images (post, pre, deeper(post),
# deeper(pre)) to the clean set; the student takes **the same number of steps** as without the attack, with the
# same augmentation, mixup and teacher relabelling of every augmented view (`kdnb/methods/attack_kd.py`). The official
# code's place for the attack — every augmented, mixed batch — is `AttackKDRun(mode="online")`; it costs the
# iteration budget in teacher passes per batch, so the tables here use the offline reading.
#
# * `smoke`: the digits teacher (LeNet-5 → LeNet-5-half), 256-image sets, a few epochs. Columns: the digits
#   themselves, Gaussian noise as *Worst* (its Table 1 student is at chance), Leaves (in place of Food, which kdnb does
#   not have) and shaders. **Stand-ins, labelled as such; the accuracies are too short-trained to compare.**
# * `lab`: the MNIST analogue (issue 10): MNIST, the worst pool by relative entropy (noise, notebook 13), Leaves and
#   shaders; three seeds, mean ± std.
# * `paper`: the paper's teachers; FGVC-Aircraft, EuroSAT and Food are not registered in kdnb, so their rows say so.
#
# **What to look for.** The gain of the ✓ row over the ✗ row per column, and whether it is largest for *Worst*.

# %% tags=["parameters"]
scale = "smoke"     # smoke | lab | paper
device = "auto"     # auto | cpu | cuda
data_root = None    # folder holding MNIST (lab) and CIFAR (paper); None: $KDNB_DATA or ./data
seed = 0

# %%
import kdnb.notebook
P = kdnb.notebook.setup(globals())
print(P.stamp())

# %% [markdown]
# ## The configs (fixed per scale; checked)

# %%
# NBVAL_CHECK_OUTPUT
from kdnb.recipes.paper_a import ATTACK, T6, T6_SEEDS, table6_configs
a = ATTACK[P.scale]
print(f"attack: eps={a.epsilon:g}/255, {a.iterations} iterations, step {a.step:g}/255 (x{a.grow:g} / x{a.shrink:g}), "
      f"tau={a.threshold:g}, deeper step {a.deeper_step:g}/255, targets={a.target}; seeds per cell: {T6_SEEDS[P.scale]}")
for t, col, d, attacked, s, c in table6_configs(P.scale, P.seed):
    if s == P.seed and not attacked:
        print(f"{t:>8} {col:>8} = {d:<8} {c.transfer.source:<16} n={c.transfer.n:<6} tau={c.temperature:g} "
              f"augment={c.schedule.augment} epochs={c.schedule.epochs} batch={c.schedule.batch_size}")

# %% [markdown]
# ## The attack's unstated values: a sweep of ε
#
# The attack alone on the selected *Original* and *Worst* sets of the first teacher: the fraction of inputs that
# yield an accepted pair, the mean iteration of success and the speed (image-iterations per second; an iteration is
# one forward and one backward pass of the teacher). The row marked `chosen` is the setting Table 6 uses.

# %%
from kdnb.plots import save_table
from kdnb.recipes.paper_a import attack_sweep
sweep = attack_sweep(P.scale, P.ctx, seed=P.seed)
save_table(sweep, "A_table6_attack_sweep", P.scale)
sweep.round(3)

# %% [markdown]
# ## Run: Table 6 (✗ and ✓ per column and seed)

# %%
from kdnb.recipes.paper_a import run_table6, table6_summary
table, records = run_table6(P.scale, P.ctx, seed=P.seed)
summary = table6_summary(table)
cols = ["teacher_dataset", "distillation_dataset", "resolved_dataset", "attack", "accuracy", "accuracy_std", "seeds",
        "gain", "success_rate", "mean_iterations", "attack_images", "status"]
summary[cols].round(3)

# %% [markdown]
# ## Beside the paper
#
# Rows are matched only where the experiment is the paper's (its teachers): our digits / MNIST rows have no paper
# number beside them, and the paper's rows we cannot run stay, marked `not run`.

# %%
from kdnb import paper
side = paper.beside(summary, "A_table6", on=["teacher_dataset", "attack", "distillation_dataset"], value="accuracy",
                    scale=P.scale)
save_table(side, "A_table6", P.scale)
side.round(2)

# %% [markdown]
# ## Table 6 (ours beside the paper's gains)
#
# Left: our students' accuracy without and with the attack per column (mean ± std over seeds). Right: the paper's
# gain (✓ − ✗) per teacher and column, quoted.

# %%
import matplotlib.pyplot as plt
import numpy as np
from kdnb.plots import save_figure

q = paper.quoted("A_table6")
fig, (ax, axq) = plt.subplots(1, 2, figsize=(11, 3.8))
order = list(dict.fromkeys(summary["distillation_dataset"]))
xs = np.arange(len(order))
for j, (flag, name) in enumerate(((False, "without attack"), (True, "with attack"))):
    part = summary[summary["attack"] == flag].set_index("distillation_dataset").reindex(order)
    ax.bar(xs + (j - 0.5) * 0.38, part["accuracy"], 0.38, yerr=part["accuracy_std"].fillna(0), label=name, capsize=3)
ax.set_xticks(xs, [f"{c}\n({d})" for c, d in zip(order, summary.drop_duplicates("distillation_dataset")["resolved_dataset"])])
ax.set_ylabel("student test accuracy (%)")
ax.set_title(f"ours · {summary['teacher_dataset'].iloc[0]} teacher ({P.scale})", fontsize=10)
ax.legend(fontsize=8)
gains = q.pivot_table(index="teacher_dataset", columns=["distillation_dataset", "attack"], values="accuracy", sort=False)
qcols = ["Original", "Worst", "Food", "OpenGL"]
for j, teacher_name in enumerate(gains.index):
    g = [gains.loc[teacher_name, (c, True)] - gains.loc[teacher_name, (c, False)] for c in qcols]
    axq.bar(np.arange(4) + (j - 1.5) * 0.2, g, 0.2, label=teacher_name)
axq.set_xticks(np.arange(4), qcols)
axq.set_ylabel("gain with the attack (points)")
axq.set_title("paper A, Table 6 (quoted): ✓ − ✗", fontsize=10)
axq.legend(fontsize=8)
fig.tight_layout()
save_figure(fig, "A_table6", P.scale, P.stamp())
plt.show()

# %% [markdown]
# ## Reading the result
#
# The next cell states, from the numbers above, which column gains most from the attack and the attack's cost. At
# `smoke` the students are far too short-trained for the comparison to mean anything: it is printed, not meant.

# %%
ours = summary[summary["attack"]].set_index("distillation_dataset")
best = ours["gain"].idxmax()
worst_gain = ours.loc["Worst", "gain"]
pg = {t: (gains.loc[t, ("Worst", True)] - gains.loc[t, ("Worst", False)]) for t in gains.index}
print(f"paper: the Worst column gains {', '.join(f'{t} {g:+.2f}' for t, g in pg.items())} points")
print(f"ours ({P.scale}): the attack's gain is largest for {best} ({ours.loc[best, 'gain']:+.2f} points); "
      f"Worst gains {worst_gain:+.2f}; the attack "
      + ("helps most where the set is worst, as the paper claims" if best == "Worst"
         else "does not help most where the set is worst here"))
spread = summary.set_index(["distillation_dataset", "attack"])["accuracy_std"]
if summary["seeds"].min() > 1:
    noisy = max(spread.loc[("Worst", False)], spread.loc[("Worst", True)])
    print(f"the Worst gain ({worst_gain:+.2f}) is {'larger' if abs(worst_gain) > noisy else 'smaller'} than the larger "
          f"std over seeds of its two cells ({noisy:.2f}): " + ("a clear" if abs(worst_gain) > noisy else "not a clear")
          + " effect at this number of seeds")
losers = [c for c in ours.index if ours.loc[c, "gain"] < 0]
print("columns where the attack lowered the mean accuracy: " + (", ".join(losers) if losers else "none"))
speed = table["attack_img_iter_per_s"].dropna()
print(f"attack cost: {speed.median():.0f} image-iterations per second (median over the ✓ runs, "
      f"{P.ctx.device.type}, {table['images'].iloc[0]} inputs per set, mean {ours['mean_iterations'].mean():.1f} iterations "
      f"to success, success rate {ours['success_rate'].min():.2f}–{ours['success_rate'].max():.2f})")

# %% [markdown]
# ## Table 7: surrogate data and data-free methods
#
# Paper A's Table 7 (ResNet-34 → ResNet-18 on CIFAR-10/100) has no attack rows; its data-free rows (CMI, PRE-DFKD,
# Spaceship, FAST) and the single-image rows are **quoted**: kdnb has no data-free engine on this branch (paper C's generator
# engine is being built separately), so none of them is ours. Paper A's CMI and PRE-DFKD numbers are far below
# those papers C and D report for the same methods and a similar pair; both are shown, quoted, with their source.
# Our rows are Table 6's plain and attack students at this scale (a different teacher: not comparable with the
# paper's numbers, only with each other).

# %%
from kdnb.recipes.paper_a import table7
t7 = table7(P.scale, table)
save_table(t7, "A_table7", P.scale)
t7.drop(columns=["note"]).round(2)

# %%
q7 = t7[t7["source"].str.startswith("quoted") & (t7["t_data"] == "C10")]
for m in ("CMI", "PRE-DFKD"):
    rows = q7[q7["method"] == m]
    print(f"{m} on CIFAR-10: " + "; ".join(f"{r.accuracy:.2f} ({r.source})" for r in rows.itertuples()))

# %% [markdown]
# ## Check
#
# Facts that must hold on any machine: every ✓ run's attack found pairs for some inputs and added four images per
# success; both runs of a pair took the same number of student steps; our table keeps every paper row. At `lab`
# the attack must succeed for most inputs of every surrogate set (the teacher's own images, which it classifies
# confidently, are harder to move under τ inside the ball: see the sweep). Accuracies are not asserted.

# %%
# NBVAL_CHECK_OUTPUT
att = table[table["attack"]]
plain = table[~table["attack"]]
assert (att["success_rate"] > 0).all(), att["success_rate"]
assert (att["attack_images"] % 4 == 0).all() and (att["attack_images"] > 0).all()
assert (plain["attack_images"] == 0).all()
assert list(att["student_steps"]) == list(plain["student_steps"]), "✓ and ✗ runs must take the same student steps"
assert len(side) >= len(paper.quoted("A_table6"))
if P.scale != "smoke":  # on the surrogate sets (not the teacher's own, confidently classified data)
    assert (att.loc[att["distillation_dataset"] != "Original", "success_rate"] > 0.5).all(), att["success_rate"]
print("every attack run added pairs (4 images per success) and took the same student steps as its plain run")
