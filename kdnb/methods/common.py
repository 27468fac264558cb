"""What every run kind shares: frozen keyword parameters, model specs stored in records, the chance flag."""
from __future__ import annotations

from typing import Any

from kdnb.data import ImageSet
from kdnb.models import build_model
from kdnb.runs import run

CHANCE_MARGIN = 5.0  # points above 100/C below which a classifier counts as "at chance"


def params(**kw) -> tuple[tuple[str, Any], ...]:
    """Keyword parameters as a sorted tuple of pairs: hashable and frozen, for configs."""
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in kw.items()))


def model_spec(arch: str, data: ImageSet) -> dict:
    c, h, _ = data.shape
    return {"arch": arch, "num_classes": data.num_classes, "in_channels": c, "image_size": h,
            "mean": list(data.mean), "std": list(data.std)}


def make_model(spec: dict):
    return build_model(spec["arch"], spec["num_classes"], spec["in_channels"], spec["image_size"],
                       tuple(spec["mean"]), tuple(spec["std"]))


def load_model(record, name: str = "model.pt", device="cpu"):
    """Rebuild a trained model from its run record (weights loaded with weights_only=True)."""
    model = make_model(record.metrics["model"])
    model.load_state_dict(record.load(name))
    return model.to(device).eval()


def trained_teacher(teacher_cfg, ctx):
    """``(record, model)`` of a teacher run: made or loaded from the cache, the model frozen, in eval mode, on
    ``ctx.device`` — what every student-side run kind starts from."""
    rec = run(teacher_cfg, ctx)
    return rec, load_model(rec, device=ctx.device).requires_grad_(False)


def eval_every(every: int, epochs: int, evaluations: int = 20) -> int:
    """``every`` if set, else about ``evaluations`` evaluations per run."""
    return every or max(1, epochs // evaluations)


def at_chance(accuracy: float, num_classes: int) -> bool:
    """True when a test accuracy (%) is within ``CHANCE_MARGIN`` points of guessing (100/C): a collapsed model."""
    return accuracy < 100.0 / num_classes + CHANCE_MARGIN


def classifier_metrics(curves: dict, num_classes: int) -> dict:
    """Final and best test accuracy of a trained classifier, and whether it ended at chance."""
    acc = curves["test_acc"][-1]
    return {"test_acc": acc, "test_acc_max": max(curves["test_acc"]), "at_chance": at_chance(acc, num_classes)}


__all__ = ["params", "model_spec", "make_model", "load_model", "eval_every", "at_chance", "classifier_metrics",
           "CHANCE_MARGIN"]
