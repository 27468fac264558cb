"""Generator-based data-free distillation: the generator's loss terms, BN-statistics hooks, and the two objectives.

Paper C (Shin & Choi, AAAI'24) frames DAFL, DFAD, DeepInversion/ADI, CMI, PRE-DFKD and TA-DFKD as one engine
(its Table 1, Eqs. 1–3): a generator θ_G, a frozen teacher θ_T and a student θ_S;

* Eq. 1, the student: L_KD = E_z[D(θ_T(θ_G(z)), θ_S(θ_G(z)))] with D the L1 distance of logits (DFAD, TA-DFKD)
  or the KL of softmaxes (DAFL);
* Eq. 2, the generator: L_G = α L_Cls + β L_Adv + γ L_Rep, a weighted sum of the terms in ``GENERATOR_TERMS``.

Every term is a registered function of one :class:`Forward` — what the generator step computed once (teacher and
student logits, teacher features, BN statistics, the selection mask) — and is logged under its own name, weighted
as minimised. TA-DFKD (Eq. 3) drops L_Cls and applies the GMM selection δ_τ (``kdnb.selection.gmm``) to L_Adv and
L_KD, while L_Rep uses every sample (paper C §"Overall Process"; the official code's hooks took BN statistics of the
selected subset only — a bug, official-code-notes C.3 — kdnb follows the paper).

Terms (weights are the presets' business, ``kdnb.methods.datafree``):

========== =================================================================== ==========================
name       value                                                               source
========== =================================================================== ==========================
cls        CE(θ_T(x̂), argmax θ_T(x̂)), all samples                              C §Revisiting Class-Prior
ie         Σ_c p̄_c log10 p̄_c, p̄ = batch-mean teacher softmax (neg. entropy)    DAFL Eq. 6 (code's log10)
act        −mean |f_T(x̂)|, teacher penultimate features                        DAFL Eq. 5
adv_l1     −L1(θ_S(x̂), θ_T(x̂)), selected samples                               DFAD
adv_jsd    1 − clamp(JSD_T(θ_T, θ_S), 0, 1), T = 3, selected samples            C §Proposed Method
adv_kl     −KL(p_T ‖ p_S) at T, selected samples                               adversarial KL (ADI-style)
bns        Σ_l ‖μ_l(x̂) − μ_l‖₂ + ‖σ²_l(x̂) − σ²_l‖₂, all samples                C ℓ_bns, DeepInversion
tv         Σ of the L2 norms of 4 finite-difference maps of the batch          DeepInversion / C code
l2         ‖x̂‖₂ of the batch                                                    DeepInversion / C code
========== =================================================================== ==========================

TV and L2 act on the normalised images (the teacher's mean/std), as the code's weights 1.5e-5 and 6e-3 were set
for; they are norms of the whole batch, not means (the code's). Paper C writes ℓ_rep = ℓ_bns + λℓ_var +
(1−λ)ℓ_l2 but never gives λ; the code's independent weights stand in (specs §1.10 item 1).
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from kdnb.augment.ops import random_crop, random_hflip
from kdnb.engine import Batch
from kdnb.losses import kd_kl
from kdnb.registry import Registry
from kdnb.selection import gmm

GENERATOR_TERMS: Registry = Registry("generator loss term")
ADVERSARIAL = ("adv_l1", "adv_jsd", "adv_kl")  # the terms that need the student's logits
STUDENT_LOSSES = ("l1", "kl")
AUGMENTS = ("none", "crop_flip")  # paper C's train view: RandomCrop(pad 4) + HFlip, drawn per image (not per batch)


# ------------------------------------------------------------------------------------------------ BN statistics


class BNStatistics:
    """Forward hooks on every BatchNorm layer of ``model``: while :meth:`recording`, each layer's input batch
    statistics are compared with its running statistics (DeepInversion's ``r_feature``).

    ℓ_bns = Σ_l ‖μ_l(x̂) − μ_l‖₂ + ‖σ²_l(x̂) − σ²_l‖₂ (paper C, L2 norms, not squared; biased batch variance as
    DeepInversion). Outside ``recording()`` the hooks do nothing, so the student steps' teacher forwards cost no more.
    """

    def __init__(self, model: nn.Module):
        self.layers = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
        self._on, self._terms = False, []
        self._handles = [m.register_forward_hook(self._hook) for m in self.layers]

    def _hook(self, module, inputs, output):
        if not self._on:
            return
        x = inputs[0].float()
        dims = [d for d in range(x.dim()) if d != 1]
        mean, var = x.mean(dim=dims), x.var(dim=dims, unbiased=False)
        self._terms.append(torch.linalg.vector_norm(mean - module.running_mean)
                           + torch.linalg.vector_norm(var - module.running_var))

    @contextmanager
    def recording(self):
        self._on, self._terms = True, []
        try:
            yield self
        finally:
            self._on = False

    def loss(self) -> torch.Tensor:
        """ℓ_bns of the last recorded forward (0 for a model without BatchNorm)."""
        return torch.stack(self._terms).sum() if self._terms else torch.zeros(())

    def remove(self) -> None:
        for h in self._handles:
            h.remove()


# ------------------------------------------------------------------------------------------------------- terms


@dataclass
class Forward:
    """What one generator step computed once; every term reads it.

    ``x``: the images the networks saw, in [0, 1], graph kept; ``normed``: the same normalised by the teacher's
    mean/std; ``teacher``/``student``: logits (student None when no adversarial term asks for it); ``features``:
    teacher penultimate features (None unless ``act`` is used); ``bns``: ℓ_bns of the whole batch; ``keep``: float
    selection mask (1 = selected; all ones without selection); ``temperature``: of the adversarial JSD/KL.
    """

    x: torch.Tensor
    normed: torch.Tensor
    teacher: torch.Tensor
    student: torch.Tensor | None = None
    features: torch.Tensor | None = None
    bns: torch.Tensor | None = None
    keep: torch.Tensor | None = None
    temperature: float = 3.0


def masked_mean(per_sample: torch.Tensor, keep: torch.Tensor | None) -> torch.Tensor:
    """Mean over the selected samples (E_{z: δ_τ=1}); 0 when none is selected (no host sync, no NaN)."""
    if keep is None:
        return per_sample.mean()
    return (per_sample * keep).sum() / keep.sum().clamp_min(1.0)


def jsd(p_logits: torch.Tensor, q_logits: torch.Tensor, temperature: float = 3.0, clamp: float = 0.01) -> torch.Tensor:
    """Per-sample Jensen–Shannon divergence of softmax(p/T) and softmax(q/T), divided by the number of classes.

    JSD = ½ KL(P ‖ M) + ½ KL(Q ‖ M), M = (P + Q)/2 (the paper's JS divergence). From the official code (via
    PRE-DFKD): T = 3; P, Q, M clamped to [0.01, 0.99]; ``KLDivLoss``'s default 'mean' reduction, i.e. the sum
    over classes divided by C — kept, since the weights β = 1, γ = 10 were tuned with it (specs §1.10 item 7).
    The code computes KL(M ‖ P) + KL(M ‖ Q) (``kl_div(log P, M)``), which is not the JS divergence; kdnb uses the
    paper's definition.
    """
    p = F.softmax(p_logits.float() / temperature, dim=1)
    q = F.softmax(q_logits.float() / temperature, dim=1)
    m = (0.5 * (p + q)).clamp(clamp, 1 - clamp)
    p, q = p.clamp(clamp, 1 - clamp), q.clamp(clamp, 1 - clamp)
    kl = lambda a: (a * (a.log() - m.log())).sum(dim=1)  # noqa: E731
    return 0.5 * (kl(p) + kl(q)) / p.shape[1]


def total_variation(x: torch.Tensor) -> torch.Tensor:
    """DeepInversion's ``loss_var_l2``: the L2 norms of the horizontal, vertical and two diagonal differences."""
    d1 = x[:, :, :, :-1] - x[:, :, :, 1:]
    d2 = x[:, :, :-1, :] - x[:, :, 1:, :]
    d3 = x[:, :, 1:, :-1] - x[:, :, :-1, 1:]
    d4 = x[:, :, :-1, :-1] - x[:, :, 1:, 1:]
    return sum(torch.linalg.vector_norm(d) for d in (d1, d2, d3, d4))


@GENERATOR_TERMS.register("cls")
def class_prior(f: Forward) -> torch.Tensor:
    """L_Cls = E_z[ℓ_ce(θ_T(θ_G(z)), ŷ_z)], ŷ_z the teacher's argmax (paper C; DAFL's one-hot loss)."""
    return F.cross_entropy(f.teacher.float(), f.teacher.detach().argmax(1))


@GENERATOR_TERMS.register("ie")
def information_entropy(f: Forward) -> torch.Tensor:
    """DAFL's information-entropy loss: Σ_c p̄_c log10 p̄_c of the batch-mean softmax (minimised: balanced classes)."""
    p = F.softmax(f.teacher.float(), dim=1).mean(dim=0)
    return (p * torch.log10(p)).sum()


@GENERATOR_TERMS.register("act")
def activation(f: Forward) -> torch.Tensor:
    """DAFL's activation loss: −mean |f_T(x̂)| of the teacher's penultimate features."""
    return -f.features.float().abs().mean()


@GENERATOR_TERMS.register("adv_l1")
def adversarial_l1(f: Forward) -> torch.Tensor:
    """DFAD's adversarial loss: −L1(θ_S(x̂), θ_T(x̂)) (mean over classes), on the selected samples."""
    return -masked_mean((f.student.float() - f.teacher.float()).abs().mean(dim=1), f.keep)


@GENERATOR_TERMS.register("adv_jsd")
def adversarial_jsd(f: Forward) -> torch.Tensor:
    """Paper C's L_Adv = E_{z: δ_τ=1}[1 − JSD(θ_T(x̂), θ_S(x̂))] at T = 3, clamped to [0, 1] as the code."""
    return masked_mean(1 - jsd(f.teacher, f.student, f.temperature).clamp(0, 1), f.keep)


@GENERATOR_TERMS.register("adv_kl")
def adversarial_kl(f: Forward) -> torch.Tensor:
    """−KL(p_T ‖ p_S) at temperature T, on the selected samples (maximise the student's KD loss)."""
    t = f.temperature
    log_ps = F.log_softmax(f.student.float() / t, dim=1)
    log_pt = F.log_softmax(f.teacher.float() / t, dim=1)
    return -masked_mean((log_pt.exp() * (log_pt - log_ps)).sum(dim=1), f.keep)


@GENERATOR_TERMS.register("bns")
def bn_statistics(f: Forward) -> torch.Tensor:
    """ℓ_bns over every sample of the batch (paper C §"Overall Process": L_Rep without selection)."""
    return f.bns


@GENERATOR_TERMS.register("tv")
def tv(f: Forward) -> torch.Tensor:
    """ℓ_var: total variation of the (normalised) batch."""
    return total_variation(f.normed.float())


@GENERATOR_TERMS.register("l2")
def l2(f: Forward) -> torch.Tensor:
    """ℓ_l2: the L2 norm of the (normalised) batch."""
    return torch.linalg.vector_norm(f.normed.float())


# --------------------------------------------------------------------------------------------------- objectives


@contextmanager
def frozen(model: nn.Module):
    """Build no graph to ``model``'s weights (gradients still flow through it to its input)."""
    flags = [p.requires_grad for p in model.parameters()]
    model.requires_grad_(False)
    try:
        yield model
    finally:
        for p, f in zip(model.parameters(), flags):
            p.requires_grad_(f)


def train_view(augment: str) -> Callable[[torch.Tensor], torch.Tensor]:
    """Paper C's train view (official code): RandomCrop(size, pad = size/8) + HFlip; random per image, torch's
    default generator (the engine checkpoints its CPU state). The code drew one crop and flip per batch (a bug).
    The networks' losses (and BNS) use this view; the selection uses the teacher on the un-augmented images (the
    code's test view)."""
    if augment == "none":
        return lambda x: x
    if augment == "crop_flip":
        return lambda x: random_crop(random_hflip(x), padding=max(1, x.shape[-1] // 8))
    raise ValueError(f"augment must be one of {AUGMENTS}, got {augment!r}")


def _normalise(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    mean, std = getattr(model, "mean", None), getattr(model, "std", None)
    return (x - mean) / std if mean is not None else x


@dataclass(frozen=True)
class Selection:
    """δ_τ on or off, and its τ. The objectives apply the mask to L_Adv and L_KD, never to L_Rep (paper C)."""

    on: bool = False
    tau: float = gmm.TAU

    def mask(self, teacher_logits: torch.Tensor) -> torch.Tensor | None:
        return gmm.select(gmm.confidence_loss(teacher_logits), self.tau).float() if self.on else None


def generator_objective(teacher: nn.Module, student: nn.Module, weights: dict[str, float], *,
                        selection: Selection = Selection(), temperature: float = 3.0, augment: str = "none",
                        bns: BNStatistics | None = None):
    """The generator's objective: ``{term: weight · value}`` for every term of positive weight (Eq. 2 / Eq. 3).

    One teacher forward over the whole batch gives the logits (for the class-prior, the GMM selection — from the
    un-augmented images when ``augment`` sets a train view — and the adversarial terms) and, through the hooks,
    ℓ_bns of every sample. Gradients flow through the frozen teacher and student into the generator (as the code:
    the teacher is not detached). Stats: ``kept_g``, the fraction selected.
    """
    unknown = sorted(set(weights) - set(GENERATOR_TERMS.names()))
    if unknown:
        raise KeyError(f"unknown generator loss term(s) {unknown}; known: {GENERATOR_TERMS.names()}")
    active = {k: w for k, w in weights.items() if w}
    if "bns" in active and bns is None:
        raise ValueError("the bns term needs BNStatistics hooks on the teacher")
    teacher.eval().requires_grad_(False)
    view = train_view(augment)
    want_features, want_student = "act" in active, any(k in active for k in ADVERSARIAL)

    def objective(batch: Batch):
        x = view(batch.x)
        with (bns.recording() if bns is not None else _nothing()):
            out = teacher(x, features=True) if want_features else teacher(x)
        t_logits, feats = out if want_features else (out, None)
        s_logits = None
        if want_student:
            with frozen(student):
                s_logits = student(x)
        keep = selection.mask(t_logits if x is batch.x else _clean_logits(teacher, batch.x))
        f = Forward(x, _normalise(teacher, x), t_logits, s_logits, feats,
                    bns.loss().to(x.device) if bns is not None else None, keep, temperature)
        terms = {f"g_{k}": w * GENERATOR_TERMS[k](f) for k, w in active.items()}
        return terms, ({"kept_g": keep.mean()} if keep is not None else {})

    return objective


def student_objective(student: nn.Module, teacher: nn.Module, loss: str = "l1", *, temperature: float = 1.0,
                      selection: Selection = Selection(), augment: str = "none"):
    """The student's objective, Eq. 1: ``{"kd": D(θ_T(x̂), θ_S(x̂))}`` on the selected samples.

    loss='l1': mean |θ_T − θ_S| over classes (DFAD, TA-DFKD; ``F.l1_loss``); loss='kl': KL(p_T ‖ p_S) at
    ``temperature``, batch mean (DAFL's ``kdloss`` at T = 1; ``kdnb.losses.kd_kl``). Without a train view the
    selection uses the teacher's logits of this very forward (no second forward). The code refills until exactly B selected images are
    collected; kdnb averages over the selected part of one batch (an effective batch of ≈ rate × B, and no host
    sync). Stats: ``kept_s``.
    """
    if loss not in STUDENT_LOSSES:
        raise ValueError(f"student loss must be one of {STUDENT_LOSSES}, got {loss!r}")
    teacher.eval().requires_grad_(False)
    view = train_view(augment)

    def objective(batch: Batch):
        x = view(batch.x)
        with torch.no_grad():
            t = teacher(x).float()
        s = student(x).float()
        keep = selection.mask(t if x is batch.x else _clean_logits(teacher, batch.x))
        if loss == "l1":
            value = masked_mean((s - t).abs().mean(dim=1), keep)
        elif keep is None:
            value = kd_kl(s, t, temperature)
        else:
            log_ps, log_pt = F.log_softmax(s / temperature, 1), F.log_softmax(t / temperature, 1)
            value = masked_mean((log_pt.exp() * (log_pt - log_ps)).sum(1), keep) * temperature ** 2
        return {"kd": value}, ({"kept_s": keep.mean()} if keep is not None else {})

    return objective


@contextmanager
def _nothing():
    yield


def _clean_logits(teacher: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The teacher's logits of the un-augmented images: with a train view, the code selects on the test view
    (official-code-notes C.3), which costs this one extra forward; without augmentation the step's own are used."""
    with torch.no_grad():
        return teacher(x)


__all__ = ["GENERATOR_TERMS", "ADVERSARIAL", "STUDENT_LOSSES", "AUGMENTS", "BNStatistics", "Forward", "Selection",
           "masked_mean", "jsd", "total_variation", "frozen", "train_view", "generator_objective",
           "student_objective"]
