"""Teacher-guided conditional GAN training from few collected images, as named loss terms on the engine.

The losses of HiDFD (Tang, Chen & Gong, AAAI'25, Eqs. 1 and 8–13), read as follows (specs-C-D-A §2.2, §2.7):

* **ADCGAN (Eq. 1)**, with the printed sign error fixed — as printed, minimising L_adc_d would *lower* the
  classifier's likelihood; ADCGAN (Hou et al. 2022) and the official code train D to maximise it:
  D: CE(Ψ_D(x), 2y) + CE(Ψ_D(x̂), 2ŷ + 1);  G: CE(Ψ_D(x̂), 2ŷ) − CE(Ψ_D(x̂), 2ŷ + 1), one softmax over 2C logits.
  The adversarial part is the **hinge** loss, as the code uses (the paper prints the log loss):
  D: mean relu(1 − D(x)) + mean relu(1 + D(x̂));  G: −mean D(x̂).
* **L_trans (Eq. 9)** = E‖Φ_T(x) − h_D(x)‖₂ + E‖Φ_T(x̂) − h_D(x̂)‖₂: D's features (mapped to the teacher's width,
  the code's ``out_h``) mimic the frozen teacher's penultimate features on real and fake images.
* **L_blend (Eq. 8)** = 𝕀(p > q)·(E‖Φ_T(x) − h_D(x̂)‖₂ + E‖Φ_T(x̂) − h_D(x)‖₂): the cross-matched pairs. x̂ is
  generated with the real batch's labels, so x_i and x̂_i share the class y_i (Eq. 8's notation; the paper does not
  say how pairs are formed). **𝕀(p > q)**: p ~ U[0, 1] drawn once per discriminator step (per sample or per batch is
  not stated) and q = 0.7; the text says the term is "applied with a probability of q", while 𝕀(p > q) applies it
  with probability 1 − q. kdnb follows the text (applied when p < q, probability q) unless ``blend_printed``, which
  applies it when p > q as printed. p comes from torch's CPU generator, whose state the engine checkpoints.
* **L_reg (Eqs. 10–12)** = Σ_c p_T^c log p_T^c / n̂_c with p_T the batch-mean teacher softmax on the fakes and
  n̂ = n / Σn; after every generator step n_c ← (1 − γ) n_c + γ n̄_c, n̄_c the number of that batch's fakes the
  teacher assigns to class c (its **argmax**: with the conditioning labels the counts would be uniform), γ = 0.5.
  The counts are clamped at ≥ 1 (the code's clamp) so that 1/n̂_c stays finite for a class the teacher never
  predicts. The released code never calls its update, so its weights stay uniform; here the update runs every step.
* **Eq. 13**: L_D = L_adc_d + λ_d (L_blend + L_trans), L_G = L_adc_g + λ_g L_reg, λ_d = λ_g = 0.1; every term is
  logged under its own name (``d_adv``, ``d_adc``, ``d_trans``, ``d_blend``, ``g_adv``, ``g_adc``, ``g_reg``), the
  λ's already applied, so a ``w/o`` ablation is a weight of 0.

Batches: :class:`PairedSource` draws a real batch of the collected set with its labels and a generated batch with
the same labels (the discriminator step); :class:`ConditionalSource` draws generated images with uniformly drawn
labels (the generator step, as BigGAN's ``sample``).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
import torch.nn.functional as F

from kdnb.engine import Batch, TensorSource, amp
from kdnb.models.gan import ADCDiscriminator, TrackedGenerator, adc_targets

D_TERMS = ("adv", "adc", "trans", "blend")
G_TERMS = ("adv", "adc", "reg")


@dataclass
class GANBatch(Batch):
    """A batch of the GAN stage: ``x`` the real images (discriminator step) or the fakes (generator step), ``y``
    their labels, ``fake`` the generated images of the discriminator step (labels ``y``), ``t_real`` the teacher's
    penultimate features of ``x`` when known in advance (the collected set is fixed and not augmented)."""

    y: torch.Tensor | None = None
    fake: torch.Tensor | None = None
    t_real: torch.Tensor | None = None


class ConditionalSource:
    """Generated images of uniformly drawn classes: ``x = G(z, y)``, with the graph when ``grad``."""

    def __init__(self, generator: nn.Module, z_dim: int, num_classes: int, batch_size: int):
        self.g, self.z_dim, self.c, self.bs = generator, z_dim, num_classes, batch_size

    def start_epoch(self, gen: torch.Generator) -> None:
        pass

    def draw(self, gen: torch.Generator, grad: bool = False) -> GANBatch:
        device = next(self.g.parameters()).device
        y = torch.randint(self.c, (self.bs,), device=device, generator=gen)
        z = torch.randn(self.bs, self.z_dim, device=device, generator=gen)
        with torch.set_grad_enabled(grad), amp(device):
            x = self.g(z, y).float()
        return GANBatch(x if grad else x.detach(), z=z, y=y)


class PairedSource:
    """A real batch of the collected set (teacher labels ``labels``; teacher features ``features``, optional) and,
    detached, fakes of the same labels."""

    def __init__(self, real: TensorSource, labels: torch.Tensor, generator: nn.Module, z_dim: int,
                 features: torch.Tensor | None = None):
        self.real, self.labels, self.g, self.z_dim, self.features = real, labels, generator, z_dim, features

    @property
    def steps_per_epoch(self) -> int:
        return self.real.steps_per_epoch

    def start_epoch(self, gen: torch.Generator) -> None:
        self.real.start_epoch(gen)

    def draw(self, gen: torch.Generator, grad: bool = False) -> GANBatch:
        b = self.real.draw(gen)
        y = self.labels[b.index]
        z = torch.randn(len(y), self.z_dim, device=y.device, generator=gen)
        with torch.no_grad(), amp(y.device):
            fake = self.g(z, y).float()
        t = None if self.features is None else self.features[b.index]
        return GANBatch(b.x, b.index, z, y=y, fake=fake, t_real=t)


# --------------------------------------------------------------------------------------------------- losses


def hinge_d(real_logit: torch.Tensor, fake_logit: torch.Tensor) -> torch.Tensor:
    """The discriminator's hinge loss: mean relu(1 − D(x)) + mean relu(1 + D(x̂))."""
    return F.relu(1 - real_logit.float()).mean() + F.relu(1 + fake_logit.float()).mean()


def hinge_g(fake_logit: torch.Tensor) -> torch.Tensor:
    """The generator's hinge loss: −mean D(x̂)."""
    return -fake_logit.float().mean()


def adc_d(real_cls: torch.Tensor, y_real: torch.Tensor, fake_cls: torch.Tensor, y_fake: torch.Tensor) -> torch.Tensor:
    """Eq. 1, D (sign fixed): CE(Ψ_D(x), 2y) + CE(Ψ_D(x̂), 2ŷ + 1) over the 2C logits."""
    return (F.cross_entropy(real_cls.float(), adc_targets(y_real, True))
            + F.cross_entropy(fake_cls.float(), adc_targets(y_fake, False)))


def adc_g(fake_cls: torch.Tensor, y_fake: torch.Tensor) -> torch.Tensor:
    """Eq. 1, G: CE(Ψ_D(x̂), 2ŷ) − CE(Ψ_D(x̂), 2ŷ + 1): look real *of class ŷ* and not fake of class ŷ."""
    logits = fake_cls.float()
    return F.cross_entropy(logits, adc_targets(y_fake, True)) - F.cross_entropy(logits, adc_targets(y_fake, False))


def l2_mean(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """E‖a − b‖₂: the batch mean of per-sample Euclidean distances (not squared)."""
    return (a.float() - b.float()).norm(dim=1).mean()


def trans_loss(t_real, h_real, t_fake, h_fake) -> torch.Tensor:
    """Eq. 9: E‖Φ_T(x) − h_D(x)‖₂ + E‖Φ_T(x̂) − h_D(x̂)‖₂."""
    return l2_mean(t_real, h_real) + l2_mean(t_fake, h_fake)


def blend_loss(t_real, h_real, t_fake, h_fake) -> torch.Tensor:
    """Eq. 8 without its indicator: E‖Φ_T(x) − h_D(x̂)‖₂ + E‖Φ_T(x̂) − h_D(x)‖₂ (pairs x_i, x̂_i share a label)."""
    return l2_mean(t_real, h_fake) + l2_mean(t_fake, h_real)


def blend_applies(p: float, q: float, printed: bool = False) -> bool:
    """Whether L_blend is applied this step: p < q (probability q, the text) or p > q (Eq. 8 as printed)."""
    return p > q if printed else p < q


def frequency_weights(counts: torch.Tensor) -> torch.Tensor:
    """Eq. 11 and the weights of Eq. 12: 1 / n̂_c with n̂ = n / Σ n."""
    c = counts.float()
    return c.sum() / c


def reg_loss(teacher_logits: torch.Tensor, counts: torch.Tensor) -> torch.Tensor:
    """Eq. 12: Σ_c p_T^c log(p_T^c) / n̂_c, p_T the batch-mean teacher softmax (a weighted negative entropy:
    minimising it spreads the fakes over the classes, rare ones first)."""
    p = F.softmax(teacher_logits.float(), dim=1).mean(0)
    return (p * torch.log(p.clamp_min(1e-12)) * frequency_weights(counts)).sum()


@torch.no_grad()
def update_counts(counts: torch.Tensor, teacher_logits: torch.Tensor, gamma: float, floor: float = 1.0) -> None:
    """Eq. 10 in place: n_c ← (1 − γ) n_c + γ n̄_c, n̄_c the teacher-argmax count of class c in this batch;
    clamped at ≥ ``floor``."""
    batch = torch.bincount(teacher_logits.argmax(1), minlength=len(counts)).to(counts.dtype)
    counts.mul_(1 - gamma).add_(batch, alpha=gamma).clamp_(min=floor)


# ----------------------------------------------------------------------------------------------- objectives


def discriminator_objective(disc: ADCDiscriminator, teacher: nn.Module, weights: dict[str, float], *,
                            blend_q: float = 0.7, blend_printed: bool = False):
    """L_D of Eq. 13 on a :class:`GANBatch` of real images and same-label fakes: ``weights`` holds the ADC weight
    (``adc``, the code's D_λ = 1), ``trans`` and ``blend`` (each λ_d, 0 to ablate). The adversarial hinge always
    runs. The stat ``blend_on`` is the fraction of steps L_blend was applied."""
    teacher.eval().requires_grad_(False)
    w = {k: float(weights.get(k, 0.0)) for k in ("adc", "trans", "blend")}

    def objective(batch: GANBatch):
        x, fake, y = batch.x, batch.fake, batch.y
        adv_r, cls_r, h_r = disc(x)
        adv_f, cls_f, h_f = disc(fake)
        terms = {"d_adv": hinge_d(adv_r, adv_f)}
        if w["adc"]:
            terms["d_adc"] = w["adc"] * adc_d(cls_r, y, cls_f, y)
        on = blend_applies(float(torch.rand(())), blend_q, blend_printed) if w["blend"] else False
        if w["trans"] or w["blend"]:
            with torch.no_grad():
                t_r = teacher(x, features=True)[1] if batch.t_real is None else batch.t_real
                _, t_f = teacher(fake, features=True)
            if w["trans"]:
                terms["d_trans"] = w["trans"] * trans_loss(t_r, h_r, t_f, h_f)
            if w["blend"]:
                b = blend_loss(t_r, h_r, t_f, h_f)
                terms["d_blend"] = w["blend"] * b if on else 0.0 * b
        stats = {"d_real_acc": (adv_r.detach() > 0).float().mean(), "d_fake_acc": (adv_f.detach() < 0).float().mean()}
        if w["blend"]:
            stats["blend_on"] = torch.tensor(float(on), device=x.device)
        return terms, stats
    return objective


def generator_objective(gen: TrackedGenerator, disc: ADCDiscriminator, teacher: nn.Module,
                        weights: dict[str, float], *, gamma: float = 0.5):
    """L_G of Eq. 13 on generated images (with the graph) of labels ``batch.y``: hinge, ``adc`` (G_λ = 1) and
    ``reg`` (λ_g). After the loss, the class counts of Eq. 10 are updated from the teacher's argmax on this batch
    (so step t's weights use the counts of steps < t, as Eq. 10 says), even when ``reg`` is 0 — they are logged.
    Stats: ``label_agreement`` (the fraction of fakes the teacher assigns to their conditioning class) and the
    normalised-count spread ``nhat_max`` (max_c n̂_c)."""
    teacher.eval().requires_grad_(False)
    w = {k: float(weights.get(k, 0.0)) for k in ("adc", "reg")}

    def objective(batch: GANBatch):
        x, y = batch.x, batch.y
        adv, cls, _ = disc(x)
        terms = {"g_adv": hinge_g(adv)}
        if w["adc"]:
            terms["g_adc"] = w["adc"] * adc_g(cls, y)
        t_logits = teacher(x)  # the teacher is frozen; gradients reach G through it
        if w["reg"]:
            terms["g_reg"] = w["reg"] * reg_loss(t_logits, gen.class_counts)
        update_counts(gen.class_counts, t_logits.detach(), gamma)
        counts = gen.class_counts
        stats = {"label_agreement": (t_logits.detach().argmax(1) == y).float().mean(),
                 "nhat_max": counts.max() / counts.sum()}
        return terms, stats
    return objective


__all__ = ["D_TERMS", "G_TERMS", "GANBatch", "ConditionalSource", "PairedSource", "hinge_d", "hinge_g", "adc_d",
           "adc_g", "l2_mean", "trans_loss", "blend_loss", "blend_applies", "frequency_weights", "reg_loss",
           "update_counts", "discriminator_objective", "generator_objective"]
