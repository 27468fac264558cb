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
# # Lab 1 · Hinton's distillation loss and the temperature
#
# Knowledge distillation (Hinton, Vinyals & Dean, 2015) trains a student to match the teacher's *softened*
# class probabilities p^τ = softmax(z / τ). Frank & Davis (CVPR'25, paper A) write the loss as their Eq. 2:
#
# $$\mathcal{L}_{KD} = \tau^2 \cdot \mathrm{KL}\big(p_T^{\tau} \,\|\, p_S^{\tau}\big),$$
#
# averaged over the batch. Why the factor τ²? Hinton et al. §2: the gradient of the soft term scales as 1/τ², so
# without it the soft targets would count for less and less as τ grows. In this lab you
#
# 1. write the loss (stably: logits of a confident teacher are large),
# 2. derive its gradient with respect to the student's logits by hand and see the τ² at work,
# 3. find its high-temperature limit: distillation becomes *logit matching* (Hinton §2.1).
#
# Each task ends with a check cell. The checks compare your function with kdnb's reference (`kdnb/losses.py`) on
# inputs you do not see here; they print one line when they pass. Runs in seconds on a laptop CPU; no data.

# %% tags=["parameters"]
scale = "smoke"     # smoke | lab | paper (this lab is the same at every scale)
device = "cpu"
data_root = None
seed = 0

# %%
import kdnb.notebook
P = kdnb.notebook.setup(globals())
print(P.stamp())

import torch
import torch.nn.functional as F
import matplotlib.pyplot as plt
from kdnb.labs import checks

# %% [markdown]
# ## Task 1 · The loss
#
# Write `kd_loss(student_logits, teacher_logits, tau)`: both arguments are `(batch, classes)` tensors; return the
# scalar τ² · KL(p_T^τ ‖ p_S^τ), averaged over the batch. Use `F.log_softmax`, not `torch.log(F.softmax(...))`:
# at τ = 1 a logit gap of 100 makes a probability underflow to 0, and its log is −∞.

# %% grade_id="kd_loss"
def kd_loss(student_logits, teacher_logits, tau):
    """τ² · KL(softmax(teacher/τ) ‖ softmax(student/τ)), batch mean."""
    ### BEGIN SOLUTION
    log_ps = F.log_softmax(student_logits / tau, dim=1)
    log_pt = F.log_softmax(teacher_logits / tau, dim=1)
    return (log_pt.exp() * (log_pt - log_ps)).sum(dim=1).mean() * tau ** 2
    ### END SOLUTION


# %% grade_id="check_kd_loss" points=3
checks.check_kd_loss(kd_loss)

# %% [markdown]
# ## Task 2 · Its gradient, by hand
#
# Differentiate your loss with respect to the student's logits z_S. (Hint: ∂/∂z of −Σ q log softmax(z/τ) is
# (softmax(z/τ) − q)/τ.) Write `kd_gradient(student_logits, teacher_logits, tau)` returning that `(batch, classes)`
# tensor without autograd. The check compares it with autograd through kdnb's loss.

# %% grade_id="kd_gradient"
def kd_gradient(student_logits, teacher_logits, tau):
    """∂ kd_loss / ∂ student_logits, in closed form."""
    ### BEGIN SOLUTION
    ps = F.softmax(student_logits / tau, dim=1)
    pt = F.softmax(teacher_logits / tau, dim=1)
    return tau * (ps - pt) / student_logits.shape[0]
    ### END SOLUTION


# %% grade_id="check_kd_gradient" points=2
checks.check_kd_gradient(kd_gradient)

# %% [markdown]
# **Look.** The gradient's size as τ grows, with and without the τ² factor, for one fixed pair of logits. Without
# it the soft targets' gradient falls like 1/τ² (the dashed guide); with it, it levels off — that is why every
# distillation loss in kdnb (and paper A's code) multiplies by τ².

# %%
g = torch.Generator().manual_seed(P.seed)
zs, zt = torch.randn(32, 10, generator=g) * 3, torch.randn(32, 10, generator=g) * 3
taus = [1, 2, 4, 8, 16, 32]
try:
    with_t2 = [kd_gradient(zs, zt, t).norm().item() for t in taus]
    without = [w / t ** 2 for w, t in zip(with_t2, taus)]
    fig, ax = plt.subplots(figsize=(4.5, 3))
    ax.loglog(taus, with_t2, "o-", label="τ² · KL (Eq. 2)")
    ax.loglog(taus, without, "s-", label="KL alone")
    ax.loglog(taus, [without[0] / t ** 2 for t in taus], "k--", lw=0.8, label="∝ 1/τ²")
    ax.set_xlabel("temperature τ"); ax.set_ylabel("‖∂L/∂z_S‖"); ax.legend()
    plt.show()
except NotImplementedError:
    print("(finish Task 2 to see the plot)")

# %% [markdown]
# ## Task 3 · The high-temperature limit
#
# Hinton et al. §2.1: when τ is large compared with the logits, softmax(z/τ) ≈ (1 + z/τ)/C for zero-mean logits,
# and τ² · KL tends to ‖(z_S − z̄_S) − (z_T − z̄_T)‖² / (2C) per example (z̄ is the mean logit of the row): matching
# the logits themselves. Write `logit_matching_limit(student_logits, teacher_logits)` returning that, batch mean.

# %% grade_id="logit_matching_limit"
def logit_matching_limit(student_logits, teacher_logits):
    """lim_{τ→∞} τ² · KL(p_T^τ ‖ p_S^τ), batch mean."""
    ### BEGIN SOLUTION
    zs = student_logits - student_logits.mean(dim=1, keepdim=True)
    zt = teacher_logits - teacher_logits.mean(dim=1, keepdim=True)
    return ((zs - zt) ** 2).sum(dim=1).mean() / (2 * student_logits.shape[1])
    ### END SOLUTION


# %% grade_id="check_logit_matching" points=2
checks.check_logit_matching(logit_matching_limit)

# %% [markdown]
# **Look.** Your loss approaches the limit as τ grows (in float64, so rounding does not hide it). At small τ the
# loss is dominated by the teacher's top class; at large τ every logit counts equally — paper A picks τ per
# dataset for this reason.

# %%
try:
    zs64, zt64 = zs.double(), zt.double()
    taus = [1, 2, 4, 8, 16, 32, 64, 128]
    loss = [kd_loss(zs64, zt64, t).item() for t in taus]
    fig, ax = plt.subplots(figsize=(4.5, 3))
    ax.semilogx(taus, loss, "o-", label="τ² · KL")
    ax.axhline(logit_matching_limit(zs64, zt64).item(), color="k", ls="--", lw=0.8, label="logit matching (τ → ∞)")
    ax.set_xlabel("temperature τ"); ax.set_ylabel("loss"); ax.legend()
    plt.show()
except NotImplementedError:
    print("(finish Tasks 1 and 3 to see the plot)")
