"""``ZSKDRun``: distillation through an :class:`~kdnb.methods.arbitrary.ArbitrarySet` as the ZSKD code trains a
student (Nayak et al., ICML'19, ``vcl-iisc/ZSKD`` ``model_training/train.py``), the reading of paper B's silent
schedule that official-code-notes §B points to.

Against :class:`~kdnb.methods.arbitrary.BKDRun` (paper B's Eq. 2 as kdnb reads it) two things change:

* the loss is ZSKD's T²·softCE at T (``kdnb.zskd.zskd_loss``; BKDRun's lacks the T² factor);
* ``expand=True`` runs ZSKD's offline expansion of every mini-batch (``kdnb.augment.zskd``, 106 images per
  image; 103 with ``noise=False``) as the update's transform: the teacher relabels every copy and the student takes
  ONE optimiser step on the whole expansion, as ``train.py --data_augmentation`` does. ``expand=False`` is the same
  run without it.

Schedule (``kdnb.recipes.paper_b.zskd_schedule``): Adam 1e-3, constant, batch 64, no kdnb augmentation, no mixup; a
schedule with ``augment`` other than ``"none"`` or with mixup is refused (the expansion is the augmentation).
The engine drops the last partial batch of an epoch (ZSKD keeps it). ``eval_every=1`` evaluates every epoch, so
``test_acc_max`` is ZSKD's reported best accuracy (chosen on the test set, as ZSKD does).
"""
from __future__ import annotations

from dataclasses import dataclass

from kdnb.config import require
from kdnb.engine import Schedule, TensorSource, Update, learner, train
from kdnb.methods.arbitrary import ArbitrarySet, distillation
from kdnb.methods.common import eval_every
from kdnb.models import MODELS
from kdnb.objectives import check_kd
from kdnb.runs import EXPERIMENTS, Context, RunFolder
from kdnb.zskd import ZSKD_TEMPERATURE, zskd_objective, zskd_transform


@dataclass(frozen=True)
class ZSKDRun:
    """Distil ``student`` through ``transfer`` with ZSKD's loss, and with its mini-batch expansion if ``expand``."""

    transfer: ArbitrarySet
    student: str
    schedule: Schedule = Schedule(epochs=500, batch_size=64, lr=1e-3, momentum=0.0, weight_decay=0.0,
                                  optimizer="adam", cosine=False, augment="none", mixup=False)
    temperature: float = ZSKD_TEMPERATURE
    expand: bool = True
    noise: bool = True
    fixed_noise: bool = True
    seed: int = 0
    eval_every: int = 1

    def __post_init__(self):
        require(self.student in MODELS, "ZSKDRun", "student", self.student, f"one of {MODELS.names()}")
        check_kd("ZSKDRun", self.temperature)
        require(self.schedule.augment == "none" and not self.schedule.mixup, "ZSKDRun", "schedule",
                (self.schedule.augment, self.schedule.mixup),
                "augment='none' and no mixup (ZSKD's expansion is its augmentation: expand=True)")
        require(self.eval_every >= 0, "ZSKDRun", "eval_every", self.eval_every, "0 (automatic) or ≥ 1")


@EXPERIMENTS.register("ZSKDRun")
def run_zskd(cfg: ZSKDRun, ctx: Context, folder: RunFolder):
    d = distillation(cfg.transfer, cfg.student, ctx)
    source = TensorSource(d.x, cfg.schedule.batch_size)
    steps = source.steps_per_epoch
    lrn = learner(d.student, cfg.schedule, steps * cfg.schedule.epochs, ctx.device)
    transform = zskd_transform(cfg.noise, cfg.fixed_noise) if cfg.expand else None
    plan = [Update("train", "model", "data", zskd_objective(d.student, d.teacher, cfg.temperature), transform=transform)]
    curves = train({"model": lrn}, {"data": source}, plan, epochs=cfg.schedule.epochs, steps_per_epoch=steps,
                   seed=cfg.seed, evaluate=lambda: {"test_acc": d.test_accuracy()},
                   eval_every=eval_every(cfg.eval_every, cfg.schedule.epochs, 10), checkpoint=folder.path("partial.pt"),
                   desc=f"ZSKD {cfg.student} ← {'+'.join(d.srec.metrics['pools'])}{' ×106' if cfg.expand else ''}",
                   progress=ctx.progress)
    return d.finish(folder, curves)


__all__ = ["ZSKDRun"]
