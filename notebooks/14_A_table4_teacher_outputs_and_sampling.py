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
# # 14 · Paper A, Table 4: teacher outputs and how the distillation set samples the teacher
#
# Frank & Davis (CVPR'25), §4.1 and **Table 4** (CIFAR-10 ResNet-50 → ResNet-18, distilled with CIFAR-10 or OpenGL
# shaders):
#
# * **One-Hot / Label Smoothing** — the student learns the teacher's argmax (optionally smoothed, ε = 0.1) instead of its
#   temperature-scaled softmax. Paper: little change with CIFAR-10, a 2-point loss with shaders (decision-boundary
#   information matters more for out-of-domain data).
# * **20K long tail vs 20K balanced** — subsets of the distillation set with the same size, chosen by the teacher's
#   predicted class: balanced (N_i = 2K per class) or long-tailed (ours: exponential, n_max/n_min = 10, since the
#   paper does not give the shape; `kdnb.selection.per_class`). Starred rows add mixup. Paper: balanced beats long-tail by
#   ~1.3 points without mixup and ~0.7 with it.
#
# * `smoke`: digits teacher → LeNet-5-half, a few epochs (**stand-ins**; accuracies are not meaningful, the subsets are).
# * `lab`: MNIST LeNet-5 → LeNet-5-half (CIFAR-10 is not on disk here); `paper`: the paper's setting.
#
# Our rows carry the teacher's dataset in their name where it is not the paper's, so no stand-in is set beside a
# paper number; the *effects* (differences between rows) are compared instead.
#
# **What to look for.** Balanced ≥ long tail; mixup narrows the gap; soft targets ≥ one-hot for shaders.

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
# ## The runs (checked)

# %%
# NBVAL_CHECK_OUTPUT
from kdnb.recipes.paper_a import table4_configs
for e, d, c in table4_configs(P.scale):
    print(f"{e:<25} {d:<8} n={c.transfer.n:<6} select={c.transfer.select:<9} targets={c.targets:<6} mixup={c.schedule.mixup}")

# %%
from kdnb.recipes.paper_a import run_table4
table, records = run_table4(P.scale, P.ctx, seed=P.seed)
table.round(3)

# %% [markdown]
# ## Beside the paper

# %%
from kdnb import paper
from kdnb.plots import save_table
teacher = records and next(iter(r for r in records.values() if r is not None), None)
ours = table.copy()
if P.scale != "paper":  # a different teacher: keep our rows apart from the paper's
    tname = teacher.config["teacher"]["dataset"] if teacher else "?"
    ours["distillation_dataset"] = ours["distillation_dataset"] + f" ({tname} teacher)"
side = paper.beside(ours, "A_table4", on=["experiment", "distillation_dataset"], value="accuracy", scale=P.scale)
save_table(side, "A_table4", P.scale)
side.round(2)

# %% [markdown]
# ### The effects, ours beside the paper's
#
# Differences between rows of the same distillation set transfer across teachers better than the raw numbers.

# %%
import pandas as pd
def effects(df, dcol="distillation_dataset", val="accuracy"):
    out = []
    for d, g in df.groupby(dcol, sort=False):
        a = dict(zip(g.experiment, g[val]))
        out.append({"set": d,
                    "balanced − long tail": a["20K Balanced Examples"] - a["20K Long Tail Examples"],
                    "balanced − long tail (mixup)": a["20K Balanced Examples*"] - a["20K Long Tail Examples*"],
                    "soft − one-hot": a["Original"] - a["One-Hot"],
                    "soft − label smoothing": a["Original"] - a["Label Smoothing"]})
    return pd.DataFrame(out)
eff = pd.concat([effects(paper.quoted("A_table4")).assign(source="paper"),
                 effects(table.dropna(subset=["accuracy"])).assign(source=f"ours ({P.scale})")], ignore_index=True)
save_table(eff, "A_table4_effects", P.scale)
eff.round(2)

# %%
import matplotlib.pyplot as plt
from kdnb.plots import class_histogram, save_figure
pairs = [(k, r) for k, r in records.items() if r is not None and k[0].startswith("20K") and not k[0].endswith("*")]
fig, axes = plt.subplots(1, max(1, len(pairs)), figsize=(3 * max(1, len(pairs)), 2.6), squeeze=False)
for ax, ((e, d), r) in zip(axes[0], pairs):
    tr = r.metrics["transfer"]
    class_histogram(ax, tr["class_counts"], title=f"{d} · {e.replace(' Examples', '')}\nH/H_U = {tr['relative_entropy']:.2f}")
fig.tight_layout()
save_figure(fig, "A_table4", P.scale, P.stamp())
plt.show()

# %% [markdown]
# ## Seeds behind the check
#
# The two 20K subsets without mixup once per seed of `kdnb.recipes.rows.claim_seeds` (three at `lab`, teacher,
# subsets and student seeded together; one at `smoke`), as mean ± std over seeds.

# %%
from kdnb.recipes.paper_a import run_table4_seeds
from kdnb.recipes.rows import claim_seeds, gap, spread
seed_runs, _ = run_table4_seeds(P.scale, P.ctx, seed=P.seed)
t4_spread = spread(seed_runs, ["distillation_dataset", "experiment"])
save_table(t4_spread, "A_table4_seeds", P.scale)
t4_spread.round(2)

# %% [markdown]
# ## Check
#
# At every scale the subsets are what Table 4 says: same size, the balanced one uniform over the teacher's predicted
# classes (relative entropy ≥ 0.99), the long-tail one clearly less uniform. At `lab`/`paper` the balanced student is
# at least as good as the long-tail one on the mean over seeds, within 1 point or two standard errors of the
# difference, whichever is wider (the paper's gap is 1.3 without mixup).

# %%
# NBVAL_CHECK_OUTPUT
for d, g in table.dropna(subset=["accuracy"]).groupby("distillation_dataset"):
    a = g.set_index("experiment")
    assert a.loc["20K Balanced Examples", "images"] == a.loc["20K Long Tail Examples", "images"]
    assert a.loc["20K Balanced Examples", "relative_entropy"] >= 0.99, a.relative_entropy
    assert a.loc["20K Long Tail Examples", "relative_entropy"] < a.loc["20K Balanced Examples", "relative_entropy"] - 0.02
print("balanced and long-tail subsets have equal size; only the balanced one samples every class equally")
if P.scale != "smoke":
    for d, g in t4_spread.groupby("distillation_dataset"):
        assert g["seeds"].min() >= len(claim_seeds(P.scale)), g
        diff, two_se = gap(g, {"experiment": "20K Balanced Examples"}, {"experiment": "20K Long Tail Examples"})
        print(f"{d}: balanced − long tail {diff:+.2f} over {int(g['seeds'].min())} seeds (2 s.e. {two_se:.2f})")
        assert diff > -max(1, two_se), (d, diff, two_se)
