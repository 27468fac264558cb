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
# # Lab 2 · Target-class balancing (paper B, Algorithm 1) and what it costs
#
# Nayak, Mopuri & Chakraborty (WACV'21, paper B) distil a teacher with *arbitrary* images — random noise, synthetic
# scenes, unrelated photos — and find that what matters most is that the transfer set is **balanced over the
# teacher's classes**. Their Algorithm 1 builds such a set from an ordered list of unlabelled pools D_1, D_2, …:
#
# > for each pool in order, while some class holds fewer than ⌊N/C⌋ samples and the pool is not empty: draw the next
# > sample, let the teacher label it, keep it if its class is not yet full; stop as soon as every class is full.
#
# Every draw costs one teacher forward. In this lab you write Algorithm 1, then find what its **draw count** depends
# on, and measure it for a digits teacher fed uniform noise (the paper's "random noise" transfer set).
#
# The checks compare your code with kdnb's reference (`kdnb/selection/class_balanced.py`) on pools you do not see.
# Smoke scale: scikit-learn's digits teacher (trained once and cached, ~10 s), about a minute on a laptop CPU.

# %% tags=["parameters"]
scale = "smoke"     # smoke | lab (MNIST from data_root) | paper
device = "auto"
data_root = None
seed = 0

# %%
import kdnb.notebook
P = kdnb.notebook.setup(globals())
print(P.stamp())

import torch
import matplotlib.pyplot as plt
from kdnb.labs import checks

# %% [markdown]
# ## Task 1 · Algorithm 1
#
# Write `algorithm1(pools, predict, n, num_classes)`.
#
# * `pools`: a list of pools in order; `pool.take(k)` returns the next (at most) `k` images as a uint8 tensor, an
#   empty one when the pool is exhausted.
# * `predict(x)`: the teacher's predicted class of each image of `x` (one teacher forward per image).
# * Return a dict: `"where"`, the list of `(pool number, position in that pool)` of every kept sample in the order
#   kept; `"class_counts"`, the number kept per class; `"draws"`, how many samples were taken out of the pools.
#
# Keep ⌊N/C⌋ per class. Taking one image at a time is correct but slow (a teacher forward each); you may take up
# to as many images as there are free slots left, since Algorithm 1 cannot stop before it has drawn that many.

# %% grade_id="algorithm1"
def algorithm1(pools, predict, n, num_classes):
    """Paper B, Algorithm 1: a target-class-balanced transfer set from ordered pools."""
    ### BEGIN SOLUTION
    cap = n // num_classes
    counts = [0] * num_classes
    where, draws = [], 0
    for p, pool in enumerate(pools):
        position = 0
        while min(counts) < cap:
            free = sum(cap - k for k in counts)  # Algorithm 1 cannot stop before `free` more draws
            x = pool.take(free)
            if len(x) == 0:
                break
            for c in predict(x).tolist():
                draws += 1
                if counts[c] < cap:
                    counts[c] += 1
                    where.append((p, position))
                position += 1
        if min(counts) >= cap:
            break
    return {"where": where, "class_counts": counts, "draws": draws}
    ### END SOLUTION


# %% grade_id="check_algorithm1" points=4
checks.check_algorithm1(algorithm1)

# %% [markdown]
# ## Task 2 · The draw count, without running the algorithm
#
# On a single pool whose teacher labels are `labels` (a 1-D tensor, in pool order), Algorithm 1 stops right after
# the sample that fills the *last* class. Write `draws_needed(labels, n, num_classes)` returning the number of
# draws it makes — `len(labels)` when some class never reaches ⌊N/C⌋ — without a Python loop over the samples.
# (Hint: where is the ⌊N/C⌋-th sample of each class?)

# %% grade_id="draws_needed"
def draws_needed(labels, n, num_classes):
    """Draws Algorithm 1 makes on one pool with these teacher labels (all of them if it never fills)."""
    ### BEGIN SOLUTION
    cap = n // num_classes
    last = 0
    for c in range(num_classes):
        at = (labels == c).nonzero().flatten()
        if len(at) < cap:
            return len(labels)
        last = max(last, int(at[cap - 1]) + 1)
    return last
    ### END SOLUTION


# %% grade_id="check_draws_needed" points=2
checks.check_draws_needed(draws_needed)

# %% [markdown]
# ## Experiment · a digits teacher fed uniform noise
#
# The teacher of notebook 21 (paper B's LeNet-5 on raw [0, 1] pixels; digits at smoke), and a stream of uniform
# noise images. First the teacher's class frequencies p on the noise: they are far from uniform.

# %%
from kdnb.engine import predict as teacher_forward
from kdnb.methods.common import load_model
from kdnb.recipes import paper_b
from kdnb.runs import run
from kdnb.sources.streams import NoiseStream

teacher_rec = run(paper_b.teacher(P.scale), P.ctx)
teacher = load_model(teacher_rec, device=P.device)
spec = teacher_rec.metrics["model"]
C, side = spec["num_classes"], spec["image_size"]
LIMIT = min(20_000, paper_b.SCALE[P.scale]["noise_limit"])  # noise candidates the pool may spend


def noise_pool():
    return NoiseStream("uniform", spec["in_channels"], side, P.seed, LIMIT)


def predict(x):
    return teacher_forward(teacher, x.to(P.device)).argmax(1).cpu()


labels = predict(noise_pool().take(LIMIT))
p = torch.bincount(labels, minlength=C).double() / len(labels)
print(f"teacher: {teacher_rec.metrics['test_acc']:.1f}% on digits; class frequencies on noise:",
      " ".join(f"{c}:{v:.3f}" for c, v in enumerate(p.tolist())))

# %% [markdown]
# Your Algorithm 1 on that stream, beside kdnb's, for a transfer set of N = 500 (paper B at smoke scale).

# %%
from kdnb.selection.class_balanced import compose_balanced

N = paper_b.SCALE[P.scale]["n"]["MNIST"]
ref = compose_balanced([noise_pool()], predict, N, C)
print(f"kdnb : {ref.draws:>6} draws, counts {ref.class_counts}, every class full: {ref.full}")
try:
    mine = algorithm1([noise_pool()], predict, N, C)
    print(f"yours: {mine['draws']:>6} draws, counts {list(mine['class_counts'])}")
except NotImplementedError:
    print("(finish Task 1 to compare)")

# %% [markdown]
# **The draw count.** Task 2 says the draws are set by the class that fills last — for a skewed teacher, the rarest
# one: about ⌊N/C⌋ / p_min draws. Below, measured draws (your `draws_needed` on the teacher's labels) against that
# estimate as N grows; a point at the pool's limit means some class never filled, and the transfer set stays
# unbalanced however long one draws. Which class is the bottleneck, and how many teacher forwards would a
# balanced set of 60,000 (paper B's MNIST size) need?

# %%
sizes = [C * k for k in (2, 5, 10, 20, 50, 100)]
estimate = [(n // C) / max(p.min().item(), 1e-12) for n in sizes]
try:
    measured = [draws_needed(labels, n, C) for n in sizes]
    fig, ax = plt.subplots(figsize=(4.8, 3.2))
    ax.loglog(sizes, measured, "o-", label="draws (your draws_needed)")
    ax.loglog(sizes, estimate, "k--", lw=0.8, label="⌊N/C⌋ / p_min")
    ax.axhline(LIMIT, color="C3", lw=0.8, label="pool limit")
    ax.set_xlabel("transfer-set size N"); ax.set_ylabel("teacher forwards"); ax.legend(fontsize=8)
    plt.show()
    print(f"rarest class {int(p.argmin())} (p = {p.min().item():.4f}); "
          f"N = 60,000 would need about {60_000 // C / max(p.min().item(), 1e-12):,.0f} draws")
except NotImplementedError:
    print("(finish Task 2 to see the plot)")
