"""Datasets derived from registered ones: views and relabellings that papers' experiments need.

* ``cifar100_nonoverlap`` — CIFAR-100 without the classes that overlap CIFAR-10 (paper B Table 3; DeGAN's 90).
* ``unit_range`` — any registered dataset with the model-side normalisation switched off (mean 0, std 1), i.e. a
  teacher that sees raw pixels in [0, 1] as ZSKD's code does (official-code-notes §B: "Inputs are in [0,1] with no
  mean/std normalisation"). kdnb's default models normalise by the dataset's statistics; which of the two paper B
  used is not stated, and it changes how a teacher labels uniform noise, so both are run (notebook 21).
* ``binary`` — paper B Table 4 (§4.5): MNIST/FashionMNIST classes 0–2 vs 3–9 (3 : 7), balanced test set. Its
  teacher (balanced mini-batches) is ``kdnb.methods.teacher.BinaryTeacherRun``.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import torch

from kdnb.data.imageset import DATASETS, load_dataset

# CIFAR-100 classes that overlap CIFAR-10's (DeGAN, Addepalli et al. AAAI'20, removes 10 of them to keep 90):
# vehicles and animals with a CIFAR-10 counterpart. DeGAN's exact list is not in paper B; this is our reading.
CIFAR100_OVERLAP = ("bus", "pickup_truck", "streetcar", "tractor", "train", "fox", "leopard", "lion", "tiger", "wolf")


@DATASETS.register("cifar100_nonoverlap")
def cifar100_nonoverlap(split: str, root: Path, download: bool = False, **_):
    """CIFAR-100 minus the 10 classes that overlap CIFAR-10 (paper B Table 3; our reading of DeGAN's list)."""
    return DATASETS["cifar100"](split=split, root=root, download=download, exclude_classes=CIFAR100_OVERLAP)


@DATASETS.register("unit_range")
def unit_range(split: str, root: Path, of: str = "mnist", download: bool = False, **kw):
    """Dataset ``of`` with mean 0 / std 1: models built on it see raw pixels in [0, 1] (ZSKD's convention)."""
    d = load_dataset(of, split, root, download=download, **kw)
    c = d.shape[0]
    return replace(d, name=f"{d.name}-unit", mean=(0.0,) * c, std=(1.0,) * c)


@DATASETS.register("binary")
def binary(split: str, root: Path, of: str = "mnist", minority: tuple = (0, 1, 2), unit: bool = True,
           download: bool = False, **kw):
    """Paper B §4.5: ``of`` relabelled 1 for classes in ``minority`` (0, 1, 2) and 0 for the rest (3 : 7).

    Train: all training images (unbalanced). Test: every minority test image plus as many majority images,
    an equal number from each majority class (the paper: "equal number of samples from the constituent labels
    (3 to 9)"); the first ones of each class in a fixed shuffled order (seed 0).
    """
    d = DATASETS["unit_range" if unit else of](split=split, root=root, of=of, download=download, **kw)
    minority = tuple(int(c) for c in minority)
    is_min = torch.isin(d.y, torch.tensor(minority))
    y = is_min.long()
    classes = ("majority (" + ",".join(str(c) for c in range(10) if c not in minority) + ")",
               "minority (" + ",".join(str(c) for c in minority) + ")")
    if split == "train":
        return replace(d, name=f"binary-{of}-train", y=y, classes=classes)
    g = torch.Generator().manual_seed(0)
    keep = [is_min.nonzero().squeeze(1)]
    majority = [c for c in range(len(d.classes)) if c not in minority]
    per = int(is_min.sum()) // len(majority)
    for c in majority:
        idx = (d.y == c).nonzero().squeeze(1)
        keep.append(idx[torch.randperm(len(idx), generator=g)][:per])
    keep = torch.cat(keep)
    return replace(d, name=f"binary-{of}-test", x=d.x[keep], y=y[keep], classes=classes)


__all__ = ["CIFAR100_OVERLAP", "cifar100_nonoverlap", "unit_range", "binary"]
