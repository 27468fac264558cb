"""Real datasets through torchvision's loaders, held as uint8 tensors.

Each is looked for under ``root`` in torchvision's layout; if absent and ``download`` is true, torchvision
downloads it (where a network exists). If it is neither on disk nor downloadable, :class:`DatasetMissing` says in
one line which dataset, the path searched and how to get it.

``cifar10`` also reads the official binary version (``<root>/cifar-10-batches-bin``) when torchvision's python
batches are absent (``kdnb.data.cifar_binary``, which also registers the lossy copy as ``cifar10_jpeg``).
"""
from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import torch

from kdnb.data.cifar_binary import BINARY_FOLDER, cifar10_binary
from kdnb.data.imageset import DATASETS, DatasetMissing, ImageSet

_HOWTO = {
    "MNIST": "torchvision.datasets.MNIST(root, download=True) on a machine with a network, then copy {root}/MNIST",
    "FashionMNIST": "torchvision.datasets.FashionMNIST(root, download=True) on a machine with a network, "
                    "then copy {root}/FashionMNIST",
    "CIFAR10": "torchvision.datasets.CIFAR10(root, download=True) on a machine with a network, "
               "then copy {root}/cifar-10-batches-py (or unpack the official binary version, "
               "cifar-10-binary.tar.gz, into {root}/cifar-10-batches-bin)",
    "CIFAR100": "torchvision.datasets.CIFAR100(root, download=True) on a machine with a network, "
                "then copy {root}/cifar-100-python",
    "SVHN": "torchvision.datasets.SVHN(root, split=..., download=True) on a machine with a network, "
            "then copy {root}/train_32x32.mat and test_32x32.mat",
    "FGVCAircraft": "torchvision.datasets.FGVCAircraft(root, download=True) on a machine with a network, "
                    "then copy {root}/fgvc-aircraft-2013b",
    "OxfordIIITPet": "torchvision.datasets.OxfordIIITPet(root, download=True) on a machine with a network, "
                     "then copy {root}/oxford-iiit-pet",
    "EuroSAT": "torchvision.datasets.EuroSAT(root, download=True) on a machine with a network, then copy {root}/eurosat",
    "Food101": "torchvision.datasets.Food101(root, download=True) on a machine with a network, then copy {root}/food-101",
}


def _torchvision_set(cls_name: str, root: Path, download: bool, **kw):
    """Instantiate a torchvision dataset; on absence turn its error into one DatasetMissing line."""
    import torchvision.datasets as tvd

    cls = getattr(tvd, cls_name)
    try:
        return cls(str(root), download=False, **kw)
    except FileNotFoundError as first:
        reason = str(first).splitlines()[0]
    except (RuntimeError, OSError, ValueError, EOFError) as first:
        reason = str(first).splitlines()[0] if str(first).strip() else type(first).__name__
        if "not found" not in reason.lower():  # its files are there but cannot be read: say so, not "not found"
            raise DatasetMissing(
                f"{cls_name} under {root} is unreadable ({reason[:160]}): a file is truncated or corrupt; copy it "
                "again with " + _HOWTO[cls_name].format(root=root)) from None
        reason = "its files are not there"
    if download:
        old = socket.getdefaulttimeout()
        socket.setdefaulttimeout(15)
        try:
            return cls(str(root), download=True, **kw)
        except Exception as e:  # no network, DNS failure, HTTP error, checksum mismatch...
            reason = f"download failed ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''})"
        finally:
            socket.setdefaulttimeout(old)
    raise DatasetMissing(
        f"{cls_name} not found under {root} ({reason}); get it with " + _HOWTO[cls_name].format(root=root)
        + ", or point data_root / $KDNB_DATA at a folder that holds it")


def _as_imageset(name: str, x, y, classes) -> ImageSet:
    x = torch.as_tensor(np.asarray(x))
    if x.dim() == 3:  # (N,H,W) grey
        x = x.unsqueeze(1)
    elif x.shape[-1] == 3:  # (N,H,W,C)
        x = x.permute(0, 3, 1, 2)
    return ImageSet(name, x.contiguous().to(torch.uint8), torch.as_tensor(np.asarray(y), dtype=torch.int64),
                    tuple(classes))


def _register_mnist_like(key: str, cls_name: str):
    @DATASETS.register(key)
    def load(split: str, root: Path, download: bool = False, **_):
        ds = _torchvision_set(cls_name, root, download, train=split == "train")
        return _as_imageset(f"{key}-{split}", ds.data, ds.targets, ds.classes)

    load.__doc__ = f"torchvision's {cls_name}, 28×28 grey, 10 classes."


def _register_cifar(key: str, cls_name: str, binary: bool = False):
    @DATASETS.register(key)
    def load(split: str, root: Path, download: bool = False, exclude_classes: tuple[str, ...] = (), **_):
        if binary and not (Path(root) / "cifar-10-batches-py").exists() and (Path(root) / BINARY_FOLDER).is_dir():
            return cifar10_binary(split, root, exclude_classes)  # the official binary version (not the lossy copy)
        ds = _torchvision_set(cls_name, root, download, train=split == "train")
        data = _as_imageset(f"{key}-{split}", ds.data, ds.targets, ds.classes)
        if exclude_classes:  # e.g. CIFAR-100 without the classes overlapping CIFAR-10 (paper B, Table 3)
            drop = torch.tensor([c in exclude_classes for c in ds.classes])
            data = data.subset((~drop[data.y]).nonzero().squeeze(1), name=f"{key}-{split}-minus-{len(exclude_classes)}")
        return data

    load.__doc__ = f"torchvision's {cls_name}, 32×32 RGB." + (
        f" Without torchvision's python batches, the official binary version in <root>/{BINARY_FOLDER}." if binary
        else "")


_register_mnist_like("mnist", "MNIST")
_register_mnist_like("fashionmnist", "FashionMNIST")
_register_cifar("cifar10", "CIFAR10", binary=True)
_register_cifar("cifar100", "CIFAR100")


@DATASETS.register("svhn")
def svhn(split: str, root: Path, download: bool = False, **_):
    """torchvision's SVHN (cropped digits), 32×32 RGB, 10 classes."""
    ds = _torchvision_set("SVHN", root, download, split=split)
    return ImageSet(f"svhn-{split}", torch.from_numpy(ds.data), torch.from_numpy(ds.labels.astype(np.int64)),
                    tuple(str(i) for i in range(10)))


def image_folder(name: str, root: Path, folder: str, howto: str, size: int = 32, limit: int | None = None) -> ImageSet:
    """A labelled image folder (torchvision ImageFolder layout) under ``root/folder``, resized to ``size``.

    For the datasets torchvision has no loader for (Tiny-ImageNet, Fruits-360, CLEVR, Mid-Air, ...).
    """
    import torchvision.datasets as tvd
    import torchvision.transforms.v2 as T

    path = Path(root) / folder
    if not path.is_dir():
        raise DatasetMissing(f"{name} not found under {path} (no such folder); get it with {howto}, or point "
                             "data_root / $KDNB_DATA at a folder that holds it")
    ds = tvd.ImageFolder(str(path))
    n = len(ds) if limit is None else min(limit, len(ds))
    tf = T.Compose([T.PILToTensor(), T.Resize((size, size), antialias=True)])
    x = torch.stack([tf(ds[i][0].convert("RGB")) for i in range(n)])
    y = torch.tensor([ds.targets[i] for i in range(n)])
    return ImageSet(name, x, y, tuple(ds.classes))


def _resized(ds, indices, size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Images of a PIL-returning torchvision dataset, resized (shorter side) and centre-cropped to size×size."""
    import torchvision.transforms.v2 as T

    tf = T.Compose([T.PILToTensor(), T.Resize(size, antialias=True), T.CenterCrop(size)])
    xs, ys = [], []
    for i in indices:
        img, label = ds[i]
        xs.append(tf(img.convert("RGB")))
        ys.append(int(label))
    return torch.stack(xs), torch.tensor(ys, dtype=torch.int64)


def _register_resized(key: str, cls_name: str, splits: dict[str, dict] | None, default_size: int, doc: str):
    """A fine-grained/domain dataset of paper A (Table 1) at ``size`` px; ``splits=None``: the dataset has one split
    and we hold out a fixed, seeded fifth of it as the test set (ours; the paper does not give its split)."""

    @DATASETS.register(key)
    def load(split: str, root: Path, download: bool = False, size: int = default_size, **_):
        if splits is None:
            ds = _torchvision_set(cls_name, root, download)
            g = torch.Generator().manual_seed(0)
            perm = torch.randperm(len(ds), generator=g).tolist()
            cut = len(perm) // 5
            idx = perm[cut:] if split == "train" else perm[:cut]
        else:
            ds = _torchvision_set(cls_name, root, download, **splits[split])
            idx = range(len(ds))
        x, y = _resized(ds, idx, size)
        return ImageSet(f"{key}-{split}", x, y, tuple(ds.classes))

    load.__doc__ = doc


_register_resized("fgvca", "FGVCAircraft", {"train": {"split": "trainval"}, "test": {"split": "test"}}, 64,
                  "FGVC-Aircraft (100 variants), trainval/test, resized to 64 px by default.")
_register_resized("pets", "OxfordIIITPet", {"train": {"split": "trainval"}, "test": {"split": "test"}}, 64,
                  "Oxford-IIIT Pets (37 breeds), trainval/test, resized to 64 px by default.")
_register_resized("food", "Food101", {"train": {"split": "train"}, "test": {"split": "test"}}, 64,
                  "Food-101, train/test, resized to 64 px by default.")
_register_resized("eurosat", "EuroSAT", None, 64,
                  "EuroSAT RGB (10 land-cover classes, 64 px); a seeded 80/20 train/test split (ours).")
