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
# # Lab 4 · Keeping the samples the teacher is sure of: paper C's GMM selection
#
# Shin & Choi (AAAI'24, paper C, TA-DFKD) train a generator to produce a transfer set, and not every generated
# image is worth distilling on. Their quality control (§"Quality Control via Sample Selection"): for each batch,
# take the per-sample loss ℓ_i = ℓ_ce(θ_T(x̂_i), y_T(x̂_i)) — the teacher's cross-entropy against its own argmax,
# low when the teacher is confident — fit a **two-component 1-D Gaussian mixture** to the batch's losses and keep
# x̂_i when its posterior under the *smaller-mean* component exceeds τ:
#
# $$\delta_\tau(\hat x_i) = \mathbb{1}\big[\Pr(G_{small} \mid \ell_i) > \tau\big], \qquad \tau = 0.5.$$
#
# The official code fits scikit-learn's `GaussianMixture(2, max_iter=10, tol=1e-2, reg_covar=5e-4)` on the losses
# min-max normalised to [0, 1]; kdnb runs the same EM in torch, batched, with a deterministic start
# (`kdnb/selection/gmm.py`). In this lab you write the loss, one EM iteration and the selection, then watch the
# selection sort a batch of real digits from images the teacher has never seen.
#
# The checks compare your code with kdnb's reference on losses you do not see. Smoke scale: the digits teacher of
# notebooks 11 and 13 (trained once and cached), well under a minute on a laptop CPU.

# %% tags=["parameters"]
scale = "smoke"     # smoke | lab (MNIST from data_root)
device = "auto"
data_root = None
seed = 0

# %%
import kdnb.notebook
P = kdnb.notebook.setup(globals())
print(P.stamp())

import math
import torch
import matplotlib.pyplot as plt
from kdnb.labs import checks
from kdnb.selection import gmm

# %% [markdown]
# ## Task 1 · The per-sample loss
#
# Write `confidence_loss(logits)`: for each row of the teacher's logits, the cross-entropy against the row's own
# argmax, i.e. −log max softmax. Keep it stable for large logits (`torch.logsumexp` helps) and return a 1-D tensor.

# %% grade_id="confidence_loss"
def confidence_loss(logits):
    """ℓ_ce(θ_T(x), y_T(x)) per sample."""
    ### BEGIN SOLUTION
    return torch.logsumexp(logits, dim=1) - logits.max(dim=1).values
    ### END SOLUTION


# %% grade_id="check_confidence_loss" points=1
checks.check_confidence_loss(confidence_loss)

# %% [markdown]
# ## Task 2 · One EM iteration
#
# Write `em_step(v, means, variances, weights)` for 1-D data `v` (N values) and a two-component mixture (each
# parameter a tensor of 2):
#
# * **E-step:** responsibilities r_ik ∝ w_k · N(v_i; μ_k, σ²_k), normalised over k (work with log densities);
# * **M-step**, as scikit-learn: n_k = Σ_i r_ik + 10·ε (ε = `torch.finfo(v.dtype).eps`), μ_k = Σ_i r_ik v_i / n_k,
#   σ²_k = Σ_i r_ik (v_i − μ_k)² / n_k + 5e-4 (`reg_covar`), w_k = n_k / Σ_k n_k.
#
# Return the new `(means, variances, weights)`.

# %% grade_id="em_step"
def em_step(v, means, variances, weights, reg_covar=5e-4):
    """One EM iteration of a two-component 1-D Gaussian mixture."""
    ### BEGIN SOLUTION
    d = v[:, None] - means[None, :]
    log_p = -0.5 * (math.log(2 * math.pi) + variances.log()[None, :] + d * d / variances[None, :])
    log_p = log_p + weights.log()[None, :]
    resp = (log_p - torch.logsumexp(log_p, dim=1, keepdim=True)).exp()
    nk = resp.sum(dim=0) + 10 * torch.finfo(resp.dtype).eps
    new_means = (resp * v[:, None]).sum(dim=0) / nk
    new_var = (resp * (v[:, None] - new_means[None, :]) ** 2).sum(dim=0) / nk + reg_covar
    return new_means, new_var, nk / nk.sum()
    ### END SOLUTION


# %% grade_id="check_em_step" points=3
checks.check_em_step(em_step)

# %% [markdown]
# ## Task 3 · The selection δ_τ
#
# Write `gmm_select(losses, tau=0.5)` returning a bool mask over the batch:
#
# 1. min-max normalise the losses to [0, 1]; if they are all equal, keep every sample (nothing is less clean than
#    anything else — and the normalisation would divide by zero);
# 2. start from `gmm.initial_parameters(v)` (kdnb's deterministic start: split at the mean, one M-step);
# 3. run up to 10 of your `em_step`s, stopping (as scikit-learn does) once the mean log-likelihood of the data
#    changes by less than 1e-2 between iterations;
# 4. compute the final responsibilities and keep sample i when that of the smaller-mean component exceeds τ.

# %% grade_id="gmm_select"
def gmm_select(losses, tau=0.5, max_iter=10, tol=1e-2):
    """δ_τ: True for the samples the low-loss component claims with probability above τ."""
    ### BEGIN SOLUTION
    lo, hi = losses.min(), losses.max()
    if hi - lo <= 1e-12 * (1 + hi.abs()):
        return torch.ones_like(losses, dtype=torch.bool)
    v = (losses - lo) / (hi - lo)

    def log_joint(means, variances, weights):
        d = v[:, None] - means[None, :]
        return -0.5 * (math.log(2 * math.pi) + variances.log() + d * d / variances) + weights.log()

    params = gmm.initial_parameters(v)
    previous = -math.inf
    for _ in range(max_iter):
        current = torch.logsumexp(log_joint(*params), dim=1).mean().item()
        params = em_step(v, *params)
        if abs(current - previous) < tol:
            break
        previous = current
    lj = log_joint(*params)
    resp = (lj - torch.logsumexp(lj, dim=1, keepdim=True)).exp()
    return resp[:, int(params[0].argmin())] > tau
    ### END SOLUTION


# %% grade_id="check_gmm_select" points=3
checks.check_gmm_select(gmm_select)

# %% [markdown]
# ## Experiment · real digits among images the teacher never saw
#
# A batch of 128 held-out digits, 64 dead-leaves images and 64 uniform-noise images, through the digits teacher.
# Which does the selection keep? (A generator early in training produces mostly the second kind; paper C's
# selection lets the student learn from the teacher's confident samples first.)

# %%
from kdnb.engine import predict
from kdnb.methods.common import load_model
from kdnb.recipes import paper_a
from kdnb.runs import run
from kdnb.sources import render

teacher_cfg = paper_a.teacher(P.scale, paper_a.SCALE[P.scale].teachers[0][0], seed=P.seed)
teacher_rec = run(teacher_cfg, P.ctx)
teacher = load_model(teacher_rec, device=P.device)
spec = teacher_rec.metrics["model"]
test = teacher_cfg.data("test", P.ctx)
g = torch.Generator().manual_seed(P.seed)
parts = {"digits": test.x[torch.randperm(len(test.x), generator=g)[:128]],
         "leaves": render("leaves", 64, spec["image_size"], P.seed, channels=spec["in_channels"], progress=False),
         "noise": torch.randint(0, 256, (64, spec["in_channels"], spec["image_size"], spec["image_size"]),
                                generator=g, dtype=torch.uint8)}
batch = torch.cat(list(parts.values()))
source = sum(([k] * len(v) for k, v in parts.items()), [])
logits = predict(teacher, batch.to(P.device)).cpu()
print(f"teacher: {teacher_rec.metrics['test_acc']:.1f}% on its test set; batch of {len(batch)}")

# %%
try:
    losses = confidence_loss(logits)
    keep = gmm_select(losses)
    for k in parts:
        idx = torch.tensor([s == k for s in source])
        print(f"{k:>7}: kept {int(keep[idx].sum()):>3} of {int(idx.sum())}, median loss {losses[idx].median():.3f}")
    reference = gmm.select(gmm.confidence_loss(logits))
    print(f"your selection agrees with kdnb's on {(keep == reference).float().mean():.0%} of the batch")
    fig, ax = plt.subplots(figsize=(5, 3))
    bins = torch.linspace(0, float(losses.max()) + 1e-6, 30)
    for k in parts:
        idx = torch.tensor([s == k for s in source])
        ax.hist(losses[idx].numpy(), bins=bins.numpy(), alpha=0.6, label=k)
    ax.set_xlabel("ℓ_ce(teacher, its argmax)"); ax.set_ylabel("images"); ax.legend()
    plt.show()
except NotImplementedError:
    print("(finish Tasks 1-3 to run the selection)")

# %% [markdown]
# **Think.** The selection is *relative*: it splits every batch in two, whatever the batch holds. What happens to a
# batch of only real digits, or only noise? Try it (slice `logits`). Paper C's ablation (Table 4, notebook 31)
# measures what the selection adds to the student's accuracy.
