"""Datasets paper B needs beyond kdnb's registry, and its Table 4 binary teachers.

* Folder datasets (torchvision ImageFolder layout under ``data_root``; each missing one raises ``DatasetMissing``
  with how to get it): ``tinyimagenet``, ``fruits360``, ``clevr``, ``midair``, ``celeba`` — paper B §4 and §4.4.
* ``cifar100_nonoverlap`` — CIFAR-100 without the classes that overlap CIFAR-10 (Table 3; DeGAN's 90 classes).
* ``unit_range`` — any registered dataset with the model-side normalisation switched off (mean 0, std 1), i.e. a
  teacher that sees raw pixels in [0, 1] as ZSKD's code does (official-code-notes §B: "Inputs are in [0,1] with no
  mean/std normalisation"). kdnb's default models normalise by the dataset's statistics; which of the two the
  paper used is not stated, and it changes how a teacher labels uniform noise, so both are run (notebook 21).
* ``binary`` + :class:`BinaryTeacherRun` — Table 4 (§4.5): MNIST/FashionMNIST classes 0–2 vs 3–9 (3 : 7),
  teacher trained with balanced mini-batches, balanced test set.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import torch

from kdnb.data.imageset import DATASETS, DatasetMissing, ImageSet, load_dataset
from kdnb.data.real import image_folder

# ------------------------------------------------------------------------------------------- folder datasets

FOLDERS = {
    # key: (folder under data_root, how to get it)
    "tinyimagenet": ("tiny-imagenet-200/train",
                     "the zip at http://cs231n.stanford.edu/tiny-imagenet-200.zip, unzipped into {root} "
                     "(train/<wnid>/images/*.JPEG is an ImageFolder)"),
    "fruits360": ("fruits-360/Training",
                  "the Fruits-360 dataset (Mureşan & Oltean; https://github.com/Horea94/Fruit-Images-Dataset or "
                  "Kaggle 'moltean/fruits'), unpacked so that {root}/fruits-360/Training/<class>/*.jpg exists"),
    "clevr": ("CLEVR_v1.0/images",
              "CLEVR v1.0 (https://dl.fbaipublicfiles.com/clevr/CLEVR_v1.0.zip), unzipped into {root} "
              "(images/{{train,val,test}} act as three classes; labels are ignored)"),
    "midair": ("midair",
               "Mid-Air (Fonder & Van Droogenbroeck, https://midair.ulg.ac.be/), colour frames of any trajectories "
               "copied into {root}/midair/<any-subfolder>/*.jpg"),
    "celeba": ("celeba",
               "CelebA aligned images (img_align_celeba.zip from https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html), "
               "unzipped so that {root}/celeba/img_align_celeba/*.jpg exists"),
}


def _register_folder(key: str, folder: str, howto: str):
    @DATASETS.register(key)
    def load(split: str, root: Path, limit: int | None = None, **_):
        # Paper B uses only the training images of these pools; 'test' returns the same images.
        return image_folder(key, Path(root), folder, howto.format(root=root), size=32, limit=limit)

    load.__doc__ = f"{key}: folder dataset under data_root/{folder}, resized to 32×32 (paper B pool)."


for _k, (_f, _h) in FOLDERS.items():
    _register_folder(_k, _f, _h)

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


# --------------------------------------------------------------------------------------- Table 4: binary tasks


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


@dataclass(frozen=True)
class BinaryTeacherRun:
    """Paper B §4.5 teacher: LeNet-5 on a 3 : 7 binary task with balanced mini-batches.

    Balanced mini-batches (our reading): every epoch the minority class is oversampled (repeated with a random
    remainder) to the majority count, so each shuffled batch holds the two classes in equal proportion in
    expectation. ``unit``: raw [0, 1] inputs as ZSKD (no normalisation).
    """

    dataset: str = "mnist"
    arch: str = "lenet5"
    schedule: object = None
    minority: tuple = (0, 1, 2)
    unit: bool = True
    seed: int = 0

    def data(self, split: str, ctx) -> ImageSet:
        return load_dataset("binary", split, ctx.data_root, of=self.dataset, minority=self.minority, unit=self.unit)


def _register_binary_runner():
    from kdnb.experiments import make_model, model_spec
    from kdnb.runs import EXPERIMENTS
    from kdnb.train import accuracy, ce_objective, fit

    @EXPERIMENTS.register("BinaryTeacherRun")
    def run_binary_teacher(cfg: BinaryTeacherRun, ctx, folder):
        train, test = cfg.data("train", ctx), cfg.data("test", ctx)
        g = torch.Generator().manual_seed(cfg.seed)
        pos, neg = (train.y == 1).nonzero().squeeze(1), (train.y == 0).nonzero().squeeze(1)
        small, big = (pos, neg) if len(pos) < len(neg) else (neg, pos)
        reps = len(big) // len(small)
        extra = small[torch.randperm(len(small), generator=g)[: len(big) - reps * len(small)]]
        index = torch.cat([big, small.repeat(reps), extra])
        spec = model_spec(cfg.arch, train)
        model = make_model(spec)
        dev = ctx.device
        x, y = train.x[index].to(dev), train.y[index].to(dev)
        xt, yt = test.x.to(dev), test.y.to(dev)
        curves = fit(model, x, ce_objective(y), cfg.schedule, seed=cfg.seed,
                     evaluate=lambda m: {"test_acc": accuracy(m, xt, yt)},
                     eval_every=max(1, cfg.schedule.epochs // 5), checkpoint=folder.path("partial.pt"),
                     desc=f"binary teacher {cfg.arch}/{cfg.dataset}", progress=ctx.progress)
        folder.save("model.pt", model.state_dict())
        folder.path("partial.pt").unlink(missing_ok=True)
        metrics = {"test_acc": curves["test_acc"][-1], "train_size": len(train), "balanced_train_size": len(index),
                   "train_class_counts": [len(neg), len(pos)], "test_size": len(test), "model": spec}
        return metrics, curves


_register_binary_runner()

__all__ = ["FOLDERS", "CIFAR100_OVERLAP", "BinaryTeacherRun", "DatasetMissing"]
