# ---
# jupyter:
#   jupytext:
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
# # Lab 3 · Which transfer set distils best? Paper A's relative entropy, then a short KD run
#
# Frank & Davis (CVPR'25, paper A) distil a teacher with images it was never trained on — other datasets, dead
# leaves, noise — and ask what makes a good set. Their §4.1 and **Table 3**: pass the candidate images through the
# teacher, count its argmax predictions per class (the *class-prediction histogram* p), and report the relative
# entropy **H(p) / H(U_C) = H(p) / log C**: 1 when the teacher predicts every class equally often, 0 when one class
# takes everything. Sets close to 1 distil well; sets the teacher maps to a few classes leave most of its decision
# function unsampled.
#
# In this lab you compute the histogram and its relative entropy, use them to **predict** how the candidate sets
# rank, and then **check** the prediction by distilling a student from each set (paper A's recipe at smoke scale:
# per-class selection of 256 images from each pool, 40 epochs, as in notebook 11).
#
# The checks compare your functions with kdnb's reference (`kdnb/selection/base.py`) on inputs you do not see.
# Smoke scale: the digits teacher of notebooks 11 and 13 and embedded candidate sets (digits themselves, photo
# crops, dead leaves, Gaussian noise; the OpenGL shaders are left out, they need an EGL driver). About a minute on
# a laptop CPU, most of it the four KD runs (cached: a second run is instant).

# %% tags=["parameters"]
scale = "smoke"     # smoke | lab (MNIST from data_root)
device = "auto"
data_root = None
seed = 0
sets = ["Original", "Photos", "Leaves", "Noise"]  # candidate transfer sets ("Original": the teacher's own images)

# %%
import kdnb.notebook
P = kdnb.notebook.setup(globals(), sets=list)
print(P.stamp())

import torch
import pandas as pd
import matplotlib.pyplot as plt
from kdnb.labs import checks

# %% [markdown]
# ## Task 1 · The class-prediction histogram
#
# Write `class_histogram(logits, num_classes)`: the number of rows of `logits` (a `(images, classes)` tensor of the
# teacher's outputs) whose argmax is each class — a list of `num_classes` integers, zeros included.

# %% grade_id="class_histogram"
def class_histogram(logits, num_classes):
    """Counts of the teacher's predicted class, one per class."""
    ### BEGIN SOLUTION
    return torch.bincount(logits.argmax(dim=1), minlength=num_classes).tolist()
    ### END SOLUTION


# %% grade_id="check_class_histogram" points=1
checks.check_class_histogram(class_histogram)

# %% [markdown]
# ## Task 2 · Relative entropy
#
# Write `relative_entropy(counts)` for a histogram (a list or tensor of C counts): H(p) / log C with p = counts /
# total and H(p) = −Σ p_c log p_c, where an empty class contributes 0 (the limit of p log p as p → 0).

# %% grade_id="relative_entropy"
def relative_entropy(counts):
    """H(p) / H(U_C) of a class histogram."""
    ### BEGIN SOLUTION
    c = torch.as_tensor(counts, dtype=torch.float64)
    q = c[c > 0] / c.sum()
    return float(-(q * q.log()).sum() / torch.log(torch.tensor(float(len(c)))))
    ### END SOLUTION


# %% grade_id="check_relative_entropy" points=3
checks.check_relative_entropy(relative_entropy)

# %% [markdown]
# ## The candidate sets through the teacher
#
# The teacher (LeNet-5 on digits at smoke) and the **raw candidates** of each set — before paper A's per-class
# selection, which would make every histogram nearly flat by construction (notebook 13 does the same).

# %%
from kdnb.engine import predict
from kdnb.methods.common import load_model
from kdnb.methods.kd import draw_pool
from kdnb.recipes import paper_a
from kdnb.runs import run

TEACHER, _, STUDENTS = paper_a.SCALE[P.scale].teachers[0]
histogram_runs = {d: cfg for t, d, cfg in paper_a.table3_configs(P.scale, seed=P.seed) if t == TEACHER}
unknown = [s for s in sets if s not in histogram_runs]
assert not unknown, f"unknown sets {unknown}; this scale has {sorted(histogram_runs)}"
teacher_rec = run(histogram_runs[sets[0]].teacher, P.ctx)
teacher = load_model(teacher_rec, device=P.device)
spec = teacher_rec.metrics["model"]
C = spec["num_classes"]
logits_of = {}
for name in sets:
    t = histogram_runs[name].transfer
    images = draw_pool(t, t.n, spec["in_channels"], spec["image_size"], P.ctx)
    logits_of[name] = predict(teacher, images.to(P.device)).cpu()
print(f"teacher: {teacher_rec.metrics['test_acc']:.1f}% on {TEACHER};",
      ", ".join(f"{k}: {len(v)} candidates" for k, v in logits_of.items()))

# %% [markdown]
# ## Task 3 · Predict
#
# With your two functions, compute each set's relative entropy and set `predicted_ranking` to the names of the
# sets, from the one you expect to distil best to the one you expect to distil worst, by paper A's criterion.

# %% grade_id="predicted_ranking"
### BEGIN SOLUTION
entropy = {name: relative_entropy(class_histogram(z, C)) for name, z in logits_of.items()}
predicted_ranking = sorted(entropy, key=entropy.get, reverse=True)
### END SOLUTION
print("predicted ranking:", " > ".join(predicted_ranking))

# %% grade_id="check_ranking" points=2
checks.check_ranking(predicted_ranking, logits_of)

# %% [markdown]
# ## Check the prediction: a short KD run per set
#
# One student per set, distilled with paper A's recipe at this scale (kdnb's `KDRun`, the configs of notebook 11,
# so the runs are shared with it through the cache). Then the measured ranking beside yours.

# %%
from kdnb.selection import class_counts, relative_entropy as reference_relative_entropy

dataset_of = {"Original": TEACHER}
rows = []
for name in sets:
    rec = run(paper_a.distillation(P.scale, TEACHER, STUDENTS[0], dataset_of.get(name, name), seed=P.seed), P.ctx)
    counts = class_counts(logits_of[name].argmax(1), C)  # kdnb's reference, so the table stands without Task 2
    rows.append({"set": name, "relative entropy (raw candidates)": reference_relative_entropy(counts),
                 "student accuracy (%)": rec.metrics["test_acc"], "at chance": rec.metrics.get("at_chance")})
result = pd.DataFrame(rows).set_index("set")
measured = list(result["student accuracy (%)"].sort_values(ascending=False).index)
predicted = list(globals().get("predicted_ranking", []))  # Task 3's answer, if there is one
result["predicted rank"] = [predicted.index(s) + 1 if s in predicted else None for s in result.index]
result["measured rank"] = [measured.index(s) + 1 for s in result.index]
display(result.round(3))

fig, ax = plt.subplots(figsize=(4.5, 3.2))
ax.scatter(result.iloc[:, 0], result["student accuracy (%)"])
for s, r in result.iterrows():
    ax.annotate(s, (r.iloc[0], r["student accuracy (%)"]), fontsize=8, xytext=(3, 3), textcoords="offset points")
ax.set_xlabel("relative entropy of the teacher's predictions"); ax.set_ylabel("student accuracy (%)")
plt.show()

# %% [markdown]
# **Did the prediction hold?** Compare the two rank columns. At smoke scale the teacher's own images usually come
# first by both measures, but the order of the others need not follow the relative entropy: the histogram says
# which classes a set *reaches*, not how much of the decision function between them it samples. Gaussian noise,
# for instance, can spread its argmax over many classes while teaching little. Paper A makes the same point with
# its "Worst" column and the augmentation study of Table 5. Which of your predictions failed, and what would you
# measure next to explain it?
