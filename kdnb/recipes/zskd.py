"""Paper B's MNIST / FashionMNIST noise rows under the ZSKD reading (issue #12, part 1): the epoch sweep.

Paper B gives no schedule; the same authors' ZSKD code (official-code-notes §B) does: T²·soft-CE at T = 20,
Adam 1e-3, batch 64, 500 epochs by default, 32×32 LeNet-5 inputs, inputs in [0, 1] without normalisation,
and an offline expansion of every mini-batch relabelled by the teacher. The sweep: uniform noise at N = 5,000,
epochs 30 / 100 / 300 / 500, unbalanced and balanced (Algorithm 1), without and with the ZSKD expansion, three
seeds.

What runs with the existing run kinds (``sweep_rows``):

* **without augmentation**: ``BKDRun`` as it is — soft cross-entropy at τ = 20, Adam 1e-3 constant, batch 64,
  ``augment="none"``, the teacher on raw [0, 1] pixels (``unit_range``) at ``size`` px (32 = ZSKD's inputs,
  bilinear-resized; ``None`` = kdnb's 28 px zero-padded to 32 inside LeNet-5, the teacher notebook 21 runs now).
  Two differences from ZSKD remain, both small: BKDRun's loss lacks ZSKD's T² factor (under Adam a constant factor
  only divides ε by T² = 400), and the engine drops the last partial batch of an epoch (ZSKD keeps it).
  ``eval_every=1`` evaluates every epoch as ZSKD does, so ``test_acc_max`` is ZSKD's reported "best accuracy"
  (chosen on the test set, as ZSKD does); ``test_acc`` is the last epoch's.
* **with the ZSKD expansion**: no existing run kind can express it. ``Schedule.augment`` accepts only
  ``kdnb.augment.NAMES`` and the engine's ``TensorSource`` cuts its augmented chunk back into batches of the
  original size, so an augmentation that returns 106 images per image cannot go through ``fit``. These rows are
  ``Row(config=None)`` with a note, until a run kind exists: a ``BKDRun`` twin whose plan is
  ``engine.train(..., [Update("train", "model", "data", kdnb.zskd.zskd_objective(student, teacher, 20),
  transform=kdnb.zskd.zskd_transform())])`` over ``TensorSource(x, 64)`` without augmentation (the engine applies
  an update's transform to the drawn batch before the objective, so one step sees the whole expansion and the
  teacher relabels every copy — ``tests/test_zskd.py`` runs exactly that plan), registered in ``kdnb.runs.KINDS``.

Cost (CPU, LeNet-5-half): without augmentation ≈ 0.2 ms per image per epoch, so the 30…500-epoch sweep (930
epochs × 5,000 images) is ≈ 15 CPU-minutes per (balance, seed), plus one test pass per epoch; with the expansion
every step is 106× larger — GPU only.
"""
from __future__ import annotations

from dataclasses import replace

from kdnb.engine import Schedule
from kdnb.methods import BKDRun
from kdnb.recipes import paper_b
from kdnb.recipes.rows import Row

EPOCHS = (30, 100, 300, 500)
N = 5_000
SEEDS = (0, 1, 2)
TARGETS = ("MNIST", "FMNIST")
TEMPERATURE = 20.0
NEEDS_RUN_KIND = ("needs a ZSKD run kind (the expansion of every mini-batch, 106 images per image, relabelled by "
                  "the teacher in one step): not expressible with BKDRun")


def zskd_teacher(target: str = "MNIST", size: int | None = 32, scale: str = "lab"):
    """Paper B's teacher of ``target`` on raw [0, 1] pixels (paper B's ``zskd`` reading), at ``size`` px."""
    t = paper_b.teacher(scale, target, reading="zskd")
    return t if size is None else replace(t, size=size)


def zskd_schedule(epochs: int, batch_size: int = 64) -> Schedule:
    """ZSKD's student optimisation: Adam 1e-3, constant, batch 64, no weight decay, no kdnb augmentation."""
    return Schedule(epochs=epochs, batch_size=batch_size, lr=1e-3, momentum=0.0, weight_decay=0.0, optimizer="adam",
                    cosine=False, augment="none", mixup=False)


def sweep_config(target: str, balanced: bool, augment: bool, epochs: int, seed: int = 0, n: int = N,
                 size: int | None = 32, eval_every: int = 1, scale: str = "lab") -> BKDRun | None:
    """One cell's run: a ``BKDRun`` without augmentation; ``None`` with it (no run kind yet, see the module)."""
    if augment:
        return None
    transfer, _ = paper_b.arbitrary_set(scale, target, "noise", balanced, seed, reading="zskd")
    transfer = replace(transfer, teacher=zskd_teacher(target, size, scale), n=n)
    return BKDRun(transfer, paper_b.student_of(target), zskd_schedule(epochs), temperature=TEMPERATURE, seed=seed,
                  eval_every=eval_every)


def sweep_cells(targets=TARGETS, epochs=EPOCHS, seeds=SEEDS, augment=(False, True)) -> list[dict]:
    return [dict(target=t, balanced=b, augment=a, epochs=e, seed=s)
            for t in targets for a in augment for b in (False, True) for e in epochs for s in seeds]


def sweep_rows(targets=TARGETS, epochs=EPOCHS, seeds=SEEDS, augment=(False, True), n: int = N,
               size: int | None = 32, eval_every: int = 1, scale: str = "lab") -> list[Row]:
    """The sweep as rows for ``kdnb.recipes.rows.run_rows`` (key: (target, balanced, augment, epochs, seed)).

    FashionMNIST rows run wherever its data is on disk, and are ``missing: …`` rows elsewhere.
    """
    rows = []
    for c in sweep_cells(targets, epochs, seeds, augment):
        cfg = sweep_config(c["target"], c["balanced"], c["augment"], c["epochs"], c["seed"], n, size, eval_every,
                           scale)
        labels = {"target_dataset": c["target"], "transfer_set": "Random Noise", "balanced": c["balanced"],
                  "augmentation": "zskd" if c["augment"] else "none", "epochs": c["epochs"], "seed": c["seed"],
                  "n": n, "input_size": size or 28}
        rows.append(Row(labels, cfg, NEEDS_RUN_KIND if cfg is None else "",
                        key=(c["target"], c["balanced"], c["augment"], c["epochs"], c["seed"])))
    return rows


def describe(row: Row, m: dict) -> dict:
    """A swept student's last-epoch and best-epoch accuracy (ZSKD reports the best) and its transfer set."""
    tr = m.get("transfer", {})
    return {"accuracy": m.get("test_acc", float("nan")), "accuracy_best_epoch": m.get("test_acc_max", float("nan")),
            "teacher_accuracy": m.get("teacher_acc"), "size": tr.get("size"),
            "relative_entropy": tr.get("relative_entropy")}


__all__ = ["EPOCHS", "N", "SEEDS", "TARGETS", "describe", "sweep_cells", "sweep_config", "sweep_rows",
           "zskd_schedule", "zskd_teacher"]
