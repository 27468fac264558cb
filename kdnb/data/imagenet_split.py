"""ImageNet in-domain (IN-ID) and out-of-domain (IN-OOD) subsets per teacher dataset (paper A §3.1, Table 1).

Paper A splits ImageNet by class overlap with the teacher's dataset: "When a teacher/dataset has complete overlap
of its classes with ImageNet (e.g., Pets), we extract the shared classes and consider them as ID, with any classes
remaining in ImageNet being considered OOD"; with incomplete overlap (CIFAR-100, EuroSAT) or a direct subset (Tiny)
there is no ID subset, only OOD. The paper does not publish the class lists; ours live as data in
``kdnb/data/imagenet_classes/overlap.json`` (each list's reasoning in its ``notes``; indices are the standard 0..999
order, names torchvision's ImageNet-1K categories, ``imagenet1k_names.json``).

Two datasets are registered for ``Transfer(source="dataset:imagenet_id" | "dataset:imagenet_ood",
source_params=params(teacher="cifar10", limit=50_000))``: the ILSVRC-2012 training images in ImageFolder layout
under ``<data_root>/imagenet/train/<wnid>/*.JPEG`` (1,000 folders in sorted-wnid order), ``limit`` images drawn
at random (paper A caps distillation sets at 50K, §4) and resized to 32 px (``load_dataset(size=...)``
conforms further). Without ImageNet on disk they raise :class:`~kdnb.data.DatasetMissing`.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from kdnb.data.imageset import DATASETS, DatasetMissing, ImageSet

_DIR = Path(__file__).resolve().parent / "imagenet_classes"
ALIASES = {"c10": "cifar10", "cifar10": "cifar10", "c100": "cifar100", "cifar100": "cifar100", "tiny": "tiny", "tinyimagenet": "tiny",
           "fgvca": "fgvca", "pets": "pets", "eurosat": "eurosat"}
HOWTO = ("download ILSVRC-2012 (image-net.org, login required) and unpack its training set as "
         "<data_root>/imagenet/train/<wnid>/*.JPEG (1,000 class folders)")


@lru_cache(maxsize=1)
def _overlap() -> dict:
    return json.loads((_DIR / "overlap.json").read_text())


@lru_cache(maxsize=1)
def imagenet_names() -> list[str]:
    """ImageNet-1K class names in index order (torchvision's list)."""
    return json.loads((_DIR / "imagenet1k_names.json").read_text())


def teacher_key(teacher: str) -> str:
    key = ALIASES.get(teacher.lower().replace("-", "").replace("_", ""))
    if key is None:
        raise KeyError(f"no ImageNet overlap recorded for teacher dataset {teacher!r}; known: {sorted(set(ALIASES.values()))}")
    return key


def entry(teacher: str) -> dict:
    """The JSON entry of a teacher dataset (id / ood_exclude_extra / notes)."""
    return _overlap()[teacher_key(teacher)]


def id_map(teacher: str) -> dict[str, list[int]] | None:
    """Teacher class → ImageNet class indices of its ID subset; None where the paper has no ID subset ('-')."""
    e = entry(teacher)
    if e["id"] is None:
        return None
    return {k: [i for i, _ in v] for k, v in e["id"].items()}


def id_classes(teacher: str) -> list[int] | None:
    """Sorted ImageNet class indices of the IN-ID subset, or None."""
    m = id_map(teacher)
    return None if m is None else sorted({i for v in m.values() for i in v})


def ood_classes(teacher: str, wnids: list[str] | None = None, data_root: str | Path | None = None) -> list[int]:
    """Sorted ImageNet class indices of the IN-OOD subset: all 1,000 minus ID and the recorded ambiguous classes.

    For Tiny-ImageNet the excluded classes are its own 200 wnids (``tiny-imagenet-200/wnids.txt`` under
    ``data_root``), which needs ``wnids`` (ImageNet's sorted folder names) to be matched.
    """
    e = entry(teacher)
    drop = set(id_classes(teacher) or []) | {i for i, _ in e["ood_exclude_extra"]}
    if e.get("ood_exclude_wnids_file"):
        path = Path(data_root or ".") / e["ood_exclude_wnids_file"]
        if wnids is None or not path.exists():
            raise DatasetMissing(f"the IN-OOD split for {teacher} needs {path} (Tiny-ImageNet's class list) and ImageNet's "
                                 f"folders; get Tiny-ImageNet from cs231n.stanford.edu/tiny-imagenet-200.zip and ImageNet: {HOWTO}")
        tiny = set(path.read_text().split())
        drop |= {i for i, w in enumerate(wnids) if w in tiny}
    return [i for i in range(1000) if i not in drop]


def _imagenet_files(root: Path) -> tuple[list[str], list[list[Path]]]:
    train = Path(root) / "imagenet" / "train"
    if not train.is_dir():
        raise DatasetMissing(f"ImageNet not found under {train} (no such folder); {HOWTO}, or point data_root / "
                             "$KDNB_DATA at a folder that holds it")
    wnids = sorted(p.name for p in train.iterdir() if p.is_dir())
    if len(wnids) != 1000:
        raise DatasetMissing(f"{train} holds {len(wnids)} class folders, not ImageNet-1K's 1,000; {HOWTO}")
    return wnids, [sorted((train / w).iterdir()) for w in wnids]


def load_subset(root: Path, classes: list[int], limit: int, seed: int, resolution: int, name: str,
                files=None) -> ImageSet:
    """``limit`` random training images of the given ImageNet classes, resized to ``resolution`` (labels = IN index)."""
    from PIL import Image

    wnids, per_class = files or _imagenet_files(root)
    pool = [(c, f) for c in classes for f in per_class[c]]
    rng = np.random.default_rng(seed)
    pick = rng.permutation(len(pool))[: min(limit, len(pool))]
    x = torch.empty(len(pick), 3, resolution, resolution, dtype=torch.uint8)
    y = torch.empty(len(pick), dtype=torch.int64)
    for j, k in enumerate(pick):
        c, f = pool[k]
        img = Image.open(f).convert("RGB").resize((resolution, resolution), Image.BICUBIC)
        x[j] = torch.from_numpy(np.asarray(img)).permute(2, 0, 1)
        y[j] = c
    names = imagenet_names()
    return ImageSet(name, x, y, tuple(names), meta={"classes": len(classes), "available": len(pool)})


@DATASETS.register("imagenet_id")
def imagenet_id(split: str, root: Path, teacher: str = "cifar10", limit: int = 50_000, seed: int = 0,
                resolution: int = 32, **_) -> ImageSet:
    """IN-ID for ``teacher`` (paper A §3.1): ImageNet training images of the overlapping classes."""
    classes = id_classes(teacher)
    if classes is None:
        raise ValueError(f"paper A has no IN-ID subset for {teacher} (incomplete overlap; Table 1 '-')")
    return load_subset(root, classes, limit, seed, resolution, f"imagenet-id[{teacher}]")


@DATASETS.register("imagenet_ood")
def imagenet_ood(split: str, root: Path, teacher: str = "cifar10", limit: int = 50_000, seed: int = 0,
                 resolution: int = 32, **_) -> ImageSet:
    """IN-OOD for ``teacher`` (paper A §3.1): ImageNet training images of the non-overlapping classes."""
    files = _imagenet_files(root)
    classes = ood_classes(teacher, wnids=files[0], data_root=root)
    return load_subset(root, classes, limit, seed, resolution, f"imagenet-ood[{teacher}]", files=files)


__all__ = ["id_map", "id_classes", "ood_classes", "imagenet_names", "entry", "teacher_key", "load_subset"]
