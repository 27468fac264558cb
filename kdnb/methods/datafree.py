"""Generator-based data-free distillation as one run kind, ``DataFreeRun``, with the methods as named presets.

One engine (paper C, Eqs. 1–3; ``kdnb.datafree``): each iteration runs ``student_steps`` student updates on fresh
generated batches and ``generator_steps`` generator updates (DFAD, TA-DFKD), or one joint step in which the
generator and the student step on the same batch (``joint``, DAFL). The generator loss is the weighted sum of the
registered terms named in ``terms``; the student loss is L1 on logits or KL; ``select`` switches paper C's GMM
selection δ_τ on for the adversarial and KD terms. Training is the engine's: every term logged per epoch, the
non-finite guard, a checkpoint of generator, student, optimisers and random state after every epoch (a killed run
resumes to the same curves on a CPU).

Presets (``PRESETS``; :func:`preset` builds a config from one, nothing subclasses anything):

* ``DAFL`` (Chen et al. 2019; MNIST values of its code): 1·cls + 5·ie + 0.1·act, KL at T = 1, joint step,
  Adam lr_G 0.2, Adam lr_S 2e-3, batch 512, z 100, 120 iterations per epoch.
* ``DFAD`` (Fang et al. 2019; its MNIST script): −L1 adversarial, L1 student, 5 S + 1 G per iteration, SGD lr_S
  0.01 (momentum 0.9, wd 1e-4), Adam lr_G 1e-3, 50 iterations per epoch.
* ``DAFL+DFAD`` (paper C Fig. 1a): DAFL's terms plus −L1 (weight 1, not stated: ours), DAFL's step and KL.
* ``ADI-lite``: DeepInversion/ADI's terms (class prior, adversarial JSD, BNS, TV, L2; paper C Table 1) on paper
  C's generator with paper C's weights and schedule — ADI optimises images, not a generator; "lite" says so.
* ``Baseline`` and ``w/o class-prior`` (paper C Table 4/A2): α·cls + β·adv_jsd + γ·L_Rep with α = 1 (Table 2
  compares α ∈ {0, 1}), resp. α = 0; TA-DFKD's schedule, no selection.
* ``TA-DFKD`` (paper C, Eq. 3 and appendix; the official code's values where the paper is silent):
  1·adv_jsd (T = 3, selected) + 10·bns (all) + 6e-3·l2 + 1.5e-5·tv, L1 on the selected samples, τ = 0.5,
  36 iterations × (10 S + 1 G), batch 1024, z 1000, Adam lr_G 1e-3, SGD lr_S 0.01 momentum 0.9 wd 5e-4 with a
  cosine decay. The cosine is stepped per student step (the code steps a per-epoch cosine *before* the optimiser,
  shifting it by an epoch: a bug, official-code-notes C.5).

CMI and PRE-DFKD need a memory bank / a VAE replay (a second engine): their rows are quoted, not run.
Metrics follow paper C §"Evaluation Metrics": the test set is evaluated every ``eval_every`` epochs;
``acc_max`` is the peak over evaluations (the recipe then takes the max over repeated runs), ``acc_last`` the
mean over the last ``last_k`` evaluations of this run.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from kdnb.config import require
from kdnb.datafree import (AUGMENTS, GENERATOR_TERMS, STUDENT_LOSSES, BNStatistics, Selection, generator_objective,
                           student_objective)
from kdnb.engine import GeneratorSource, Schedule, Update, accuracy, learner, train
from kdnb.methods.common import classifier_metrics, make_model, params, trained_teacher
from kdnb.methods.teacher import TeacherRun
from kdnb.models import GENERATORS, MODELS, build_generator
from kdnb.runs import EXPERIMENTS, Context, RunFolder


@dataclass(frozen=True)
class Optim:
    """One learner's optimiser: ``optimizer`` 'adam' | 'sgd', lr, momentum (SGD), weight decay, cosine decay."""

    optimizer: str = "adam"
    lr: float = 1e-3
    momentum: float = 0.0
    weight_decay: float = 0.0
    cosine: bool = False

    def __post_init__(self):
        self.schedule(1, 1)  # validated as the engine's Schedule: one ConfigError line on a bad value

    def schedule(self, epochs: int, batch_size: int) -> Schedule:
        return Schedule(epochs=epochs, batch_size=batch_size, lr=self.lr, momentum=self.momentum,
                        weight_decay=self.weight_decay, optimizer=self.optimizer, cosine=self.cosine, augment="none")


@dataclass(frozen=True)
class DataFreeRun:
    """Distil ``student`` from the teacher of ``teacher`` with generated images only (paper C Eqs. 1–3).

    ``terms``: the generator loss as ``params(name=weight, ...)`` over ``kdnb.datafree.GENERATOR_TERMS``;
    ``method``: the preset's name (a label). See the module docstring for the presets' values and sources.
    """

    teacher: TeacherRun
    student: str
    terms: tuple
    method: str = "custom"
    student_loss: str = "l1"  # 'l1' (DFAD, TA-DFKD) | 'kl' (DAFL)
    kd_temperature: float = 1.0  # of the KL student loss
    adv_temperature: float = 3.0  # of the adversarial JSD / KL (paper C code: 3)
    select: bool = False  # paper C's δ_τ on the adversarial and KD terms
    tau: float = 0.5
    epochs: int = 200
    iterations: int = 36  # per epoch
    student_steps: int = 10  # per iteration
    generator_steps: int = 1
    joint: bool = False  # one generator step and one student step on the same batch (DAFL)
    batch_size: int = 1024
    z_dim: int = 1000
    generator: str = "dcgan"
    generator_width: int = 128
    bn_eps: float = 0.8  # DAFL's BatchNorm2d(c, 0.8) quirk in the generator
    generator_opt: Optim = Optim("adam", 1e-3)
    student_opt: Optim = Optim("sgd", 0.01, 0.9, 5e-4, True)
    augment: str = "none"  # 'none' | 'crop_flip' (paper C's CIFAR train view, per image)
    seed: int = 0
    eval_every: int = 1
    last_k: int = 10  # acc_last[k]: k = 10 for CIFAR-10, 20 otherwise (paper C)

    def __post_init__(self):
        o = "DataFreeRun"
        require(self.student in MODELS, o, "student", self.student, f"one of {MODELS.names()}")
        require(self.generator in GENERATORS, o, "generator", self.generator, f"one of {GENERATORS.names()}")
        try:
            w = dict(self.terms) if isinstance(self.terms, tuple) else None
        except (TypeError, ValueError):  # not a tuple of (name, weight) pairs
            w = None
        require(w is not None and all(k in GENERATOR_TERMS for k in w), o, "terms", self.terms,
                f"params(name=weight, ...) with names from {GENERATOR_TERMS.names()}")
        require(all(isinstance(v, (int, float)) and math.isfinite(v) and v >= 0 for v in w.values())
                and any(v > 0 for v in w.values()), o, "terms", self.terms,
                "finite weights ≥ 0, at least one of them positive")
        require(self.student_loss in STUDENT_LOSSES, o, "student_loss", self.student_loss, f"one of {STUDENT_LOSSES}")
        for name in ("kd_temperature", "adv_temperature"):
            v = getattr(self, name)
            require(isinstance(v, (int, float)) and 0 < v < 1e3, o, name, v, "a temperature in (0, 1000)")
        require(isinstance(self.tau, (int, float)) and 0 <= self.tau < 1, o, "tau", self.tau, "a threshold in [0, 1)")
        for name in ("epochs", "iterations", "student_steps", "generator_steps", "batch_size", "z_dim", "eval_every",
                     "last_k"):
            v = getattr(self, name)
            require(isinstance(v, int) and not isinstance(v, bool) and v >= 1, o, name, v, "an integer ≥ 1")
        require(self.batch_size >= 2, o, "batch_size", self.batch_size, "at least 2 (BatchNorm and the GMM need a batch)")
        require(not self.joint or (self.student_steps == 1 and self.generator_steps == 1), o, "joint", self.joint,
                "a joint step is one generator and one student step (student_steps = generator_steps = 1)")
        require(self.generator_width >= 2 and self.generator_width % 2 == 0, o, "generator_width",
                self.generator_width, "an even integer ≥ 2")
        require(0 < self.bn_eps < 10, o, "bn_eps", self.bn_eps, "a value in (0, 10)")
        require(self.augment in AUGMENTS, o, "augment", self.augment, f"one of {AUGMENTS}")
        require(isinstance(self.generator_opt, Optim) and isinstance(self.student_opt, Optim), o, "student_opt",
                (self.generator_opt, self.student_opt), "Optim(...) for both learners")

    @property
    def weights(self) -> dict[str, float]:
        return {k: float(v) for k, v in self.terms if v}


# -------------------------------------------------------------------------------------------------- presets

_REP = dict(bns=10.0, l2=6e-3, tv=1.5e-5)  # paper C appendix (γ = 10) and code (L2 6e-3, TV 1.5e-5)
_DAFL = dict(cls=1.0, ie=5.0, act=0.1)  # DAFL's MNIST defaults (oh, ie, a)
_TA_STEPS = dict(student_loss="l1", iterations=36, student_steps=10, generator_steps=1, batch_size=1024, z_dim=1000,
                 generator_opt=Optim("adam", 1e-3), student_opt=Optim("sgd", 0.01, 0.9, 5e-4, True))
_DAFL_STEPS = dict(student_loss="kl", kd_temperature=1.0, joint=True, iterations=120, student_steps=1,
                   generator_steps=1, batch_size=512, z_dim=100, generator_opt=Optim("adam", 0.2),
                   student_opt=Optim("adam", 2e-3))
_DFAD_STEPS = dict(student_loss="l1", iterations=50, student_steps=5, generator_steps=1, batch_size=512, z_dim=100,
                   generator_opt=Optim("adam", 1e-3), student_opt=Optim("sgd", 0.01, 0.9, 1e-4, False))

PRESETS: dict[str, dict] = {
    "DAFL": dict(terms=_DAFL, **_DAFL_STEPS),
    "DFAD": dict(terms=dict(adv_l1=1.0), **_DFAD_STEPS),
    "DAFL+DFAD": dict(terms=dict(_DAFL, adv_l1=1.0), **_DAFL_STEPS),
    "ADI-lite": dict(terms=dict(cls=1.0, adv_jsd=1.0, **_REP), **dict(_TA_STEPS, student_loss="kl")),
    "Baseline": dict(terms=dict(cls=1.0, adv_jsd=1.0, **_REP), **_TA_STEPS),
    "w/o class-prior": dict(terms=dict(adv_jsd=1.0, **_REP), **_TA_STEPS),
    "TA-DFKD": dict(terms=dict(adv_jsd=1.0, **_REP), select=True, tau=0.5, **_TA_STEPS),
}
NOT_RUN = {  # paper C's other baselines and why kdnb has no preset of them
    "CMI": "not run: needs a contrastive memory bank and a second training phase (a second engine)",
    "PRE-DFKD": "not run: needs a VAE pseudo-replay memory (a second engine)",
}


def preset(name: str, teacher: TeacherRun, student: str, **overrides) -> DataFreeRun:
    """The config of preset ``name`` for ``teacher`` → ``student``; ``overrides`` set any other field (a scale's
    epochs, batch, widths; never the method's terms unless given explicitly)."""
    if name not in PRESETS:
        raise KeyError(f"unknown data-free preset {name!r}; known: {sorted(PRESETS)}")
    fields_ = {**PRESETS[name], **overrides}
    if isinstance(fields_["terms"], dict):
        fields_["terms"] = params(**fields_["terms"])
    return DataFreeRun(teacher, student, method=name, **fields_)


def components(cfg: DataFreeRun) -> dict:
    """Paper C Table 1's view of a config: which of class-prior, adversarial and representation losses it uses, and
    the representation variant ('BNS' or 'activ.')."""
    w = cfg.weights
    rep = "BNS" if "bns" in w else ("activ." if "act" in w else "")
    return {"Cls.": ("cls" in w or "ie" in w, ""), "Adv.": (any(k.startswith("adv") for k in w), ""),
            "Rep.": (bool(rep), rep)}


# --------------------------------------------------------------------------------------------------- runner


def fixed_samples(generator, z_dim: int, n: int, seed: int, device) -> torch.Tensor:
    """``n`` images (uint8, CPU) from fixed latents, the generator in training mode as it was used."""
    g = torch.Generator(device=device).manual_seed(seed)
    with torch.no_grad():
        x = generator(torch.randn(n, z_dim, device=device, generator=g)).float()
    return (x.clamp(0, 1) * 255).round().to(torch.uint8).cpu()


def acc_last(curve: list[float], k: int) -> float:
    """acc_last[k]: the mean of the last k evaluations (all of them when fewer)."""
    tail = curve[-k:]
    return sum(tail) / len(tail)


@EXPERIMENTS.register("DataFreeRun")
def run_datafree(cfg: DataFreeRun, ctx: Context, folder: RunFolder):
    dev = ctx.device
    trec, teacher = trained_teacher(cfg.teacher, ctx)
    tspec = trec.metrics["model"]
    test = cfg.teacher.data("test", ctx)
    xt, yt = test.x.to(dev), test.y.to(dev)
    spec = {**tspec, "arch": cfg.student}
    torch.manual_seed(cfg.seed)  # the student's and generator's initial weights from the run's seed alone
    student = make_model(spec)
    gspec = {"name": cfg.generator, "z_dim": cfg.z_dim, "channels": tspec["in_channels"],
             "image_size": tspec["image_size"], "width": cfg.generator_width, "bn_eps": cfg.bn_eps}
    gen = build_generator(**gspec)
    w = cfg.weights
    bns = BNStatistics(teacher) if "bns" in w else None
    if bns is not None and not bns.layers:
        raise ValueError(f"DataFreeRun: the teacher {tspec['arch']!r} has no BatchNorm layer, so the bns term has "
                         f"nothing to match; use a teacher with BN (e.g. lenet5_bn) or drop the term")
    sel = Selection(cfg.select, cfg.tau)
    total = cfg.epochs * cfg.iterations
    learners = {"generator": learner(gen, cfg.generator_opt.schedule(cfg.epochs, cfg.batch_size),
                                     total * cfg.generator_steps, dev),
                "student": learner(student, cfg.student_opt.schedule(cfg.epochs, cfg.batch_size),
                                   total * cfg.student_steps, dev)}
    sources = {"synthetic": GeneratorSource(gen, cfg.z_dim, cfg.batch_size, output="unit")}
    g_up = Update("generator", "generator", "synthetic",
                  generator_objective(teacher, student, w, selection=sel, temperature=cfg.adv_temperature,
                                      augment=cfg.augment, bns=bns),
                  repeat=cfg.generator_steps, grad_through_source=True)
    s_up = Update("student", "student", "synthetic",
                  student_objective(student, teacher, cfg.student_loss, temperature=cfg.kd_temperature,
                                    selection=sel, augment=cfg.augment),
                  repeat=cfg.student_steps, shared=cfg.joint)
    plan = [g_up, s_up] if cfg.joint else [s_up, g_up]  # DFAD / TA code: the student steps first
    curves = train(learners, sources, plan, epochs=cfg.epochs, steps_per_epoch=cfg.iterations, seed=cfg.seed,
                   evaluate=lambda: {"test_acc": accuracy(student, xt, yt)}, eval_every=cfg.eval_every,
                   checkpoint=folder.path("partial.pt"), desc=f"{cfg.method} {cfg.student} ← {tspec['arch']}",
                   progress=ctx.progress)
    if bns is not None:
        bns.remove()
    folder.save("model.pt", student.state_dict())
    folder.save("generator.pt", gen.state_dict())
    folder.save("samples.pt", fixed_samples(gen, cfg.z_dim, 64, cfg.seed, dev))
    folder.path("partial.pt").unlink(missing_ok=True)
    acc = curves["test_acc"]
    metrics = {**classifier_metrics(curves, spec["num_classes"]), "acc_max": max(acc),
               "acc_last": acc_last(acc, cfg.last_k), "last_k": min(cfg.last_k, len(acc)),
               "teacher_acc": trec.metrics["test_acc"], "model": spec, "generator": gspec,
               "student_images": total * cfg.student_steps * cfg.batch_size}
    for k in ("kept_s", "kept_g"):
        if k in curves:
            metrics[f"{k}_first"], metrics[f"{k}_last"] = curves[k][0], curves[k][-1]
    return metrics, curves


__all__ = ["Optim", "DataFreeRun", "PRESETS", "NOT_RUN", "preset", "components", "acc_last", "fixed_samples",
           "run_datafree"]
