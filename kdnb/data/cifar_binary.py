"""CIFAR-10 in the official *binary version* layout, and the lossy JPEG-derived copy kept under its own name.

The binary version (https://www.cs.toronto.edu/~kriz/cifar.html, ``cifar-10-binary.tar.gz``, which unpacks to
``cifar-10-batches-bin/``) holds ``data_batch_1.bin`` … ``data_batch_5.bin`` (train, in that order) and
``test_batch.bin``; each is a run of records of 1 label byte followed by 3,072 pixel bytes: the red plane, then
green, then blue, each 32×32 in row-major order. ``batches.meta.txt`` names the classes, one per line. A record
reshaped to (3, 32, 32) is therefore already kdnb's channel-first layout: ``read_split`` returns uint8
(N, 3, 32, 32), exactly what the python-pickle loader (``kdnb.data.real``, via torchvision) gives.

Two datasets read this layout:

* ``cifar10`` (``kdnb.data.real``) falls back to ``<root>/cifar-10-batches-bin`` when torchvision's
  ``cifar-10-batches-py`` is absent. It refuses a folder that is the lossy copy (``LOSSY_MD5`` or a README
  that says LOSSY), so a lossy copy renamed or linked there is never taken for CIFAR-10.
* ``cifar10_jpeg`` (registered here) reads ``<root>/cifar-10-batches-bin-lossy``: CIFAR-10 rebuilt from public
  copies, labels and order exact, 4,929 of 60,000 images pixel-exact and the rest decoded from a JPEG copy
  (mean absolute error about 6/255). Its display name is ``"CIFAR-10 (JPEG copy)"`` (``DISPLAY_NAMES``,
  ``display_name``, and ``ImageSet.meta["display_name"]``): every row or label from it must say so. Its files
  are checked against the md5s of its README.txt (``LOSSY_MD5``) unless ``verify=False``.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from kdnb.data.imageset import DATASETS, DatasetMissing, ImageSet

RECORD = 1 + 3 * 32 * 32
TRAIN_FILES = tuple(f"data_batch_{i}.bin" for i in range(1, 6))
TEST_FILES = ("test_batch.bin",)
BINARY_FOLDER = "cifar-10-batches-bin"  # the official tarball's folder: what ``cifar10`` looks for
LOSSY_FOLDER = "cifar-10-batches-bin-lossy"  # what ``cifar10_jpeg`` looks for, and nothing else does
# md5 of each file of the lossy copy, from its README.txt.
LOSSY_MD5 = {
    "data_batch_1.bin": "fb844f0c8abf3ee2867bc0b66db76e34", "data_batch_2.bin": "50d9a7a5a8cae0ef656c8fc09b944505",
    "data_batch_3.bin": "2bd7ad5148c6c6fc3dbef1309cb3a87b", "data_batch_4.bin": "2e9c5d152943093d677c32ca67b6ce45",
    "data_batch_5.bin": "bf799e9a3688b34109efdc860bcbfd55", "test_batch.bin": "2ac46259f200dd5c72001894c3429b49",
}
DISPLAY_NAMES = {"cifar10": "CIFAR-10", "cifar10_jpeg": "CIFAR-10 (JPEG copy)"}
BINARY_HOWTO = ("download https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz on a machine with a network and "
                "unpack it into {root} (it makes {root}/" + BINARY_FOLDER + ")")
LOSSY_HOWTO = ("it is not downloadable: copy the folder " + LOSSY_FOLDER + " (CIFAR-10 in the binary layout rebuilt "
               "from public copies, see its README.txt) into {root}, or point data_root / $KDNB_DATA at a folder "
               "that holds it")


def display_name(dataset) -> str:
    """How a dataset is labelled in tables and listings: ``"CIFAR-10 (JPEG copy)"`` for ``cifar10_jpeg``.

    ``dataset``: a registered name or an ``ImageSet`` (its ``meta["display_name"]`` wins); unknown names are
    returned unchanged.
    """
    if isinstance(dataset, ImageSet):
        return dataset.meta.get("display_name") or dataset.name
    return DISPLAY_NAMES.get(dataset, dataset)


def files_for(split: str) -> tuple[str, ...]:
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    return TRAIN_FILES if split == "train" else TEST_FILES


@lru_cache(maxsize=32)
def _md5(path: str, size: int, mtime_ns: int) -> str:
    h = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def md5(path: Path) -> str:
    """md5 of a file, cached per (path, size, modification time)."""
    st = Path(path).stat()
    return _md5(str(path), st.st_size, st.st_mtime_ns)


def read_records(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """One ``.bin`` file → (uint8 (N, 3, 32, 32) images, int64 (N,) labels)."""
    raw = np.fromfile(path, dtype=np.uint8)
    if raw.size == 0 or raw.size % RECORD:
        raise ValueError(f"{path.name} holds {raw.size} bytes, not a whole number of {RECORD}-byte records")
    rec = raw.reshape(-1, RECORD)
    return rec[:, 1:].reshape(-1, 3, 32, 32), rec[:, 0].astype(np.int64)


def read_classes(folder: Path) -> tuple[str, ...]:
    """The class names of ``batches.meta.txt`` (one per line, blank lines dropped)."""
    names = tuple(s.strip() for s in (folder / "batches.meta.txt").read_text().splitlines() if s.strip())
    if not names:
        raise ValueError("batches.meta.txt names no class")
    return names


def is_lossy_copy(folder: Path) -> bool:
    """True if ``folder`` is the lossy copy: its README says LOSSY, or a file's md5 is one of ``LOSSY_MD5``."""
    readme = folder / "README.txt"
    if readme.is_file() and "LOSSY" in readme.read_text(errors="replace"):
        return True
    return any((folder / f).is_file() and md5(folder / f) == h for f, h in LOSSY_MD5.items())


def read_split(folder: Path, split: str, name: str, howto: str, verify_md5: dict[str, str] | None = None
               ) -> tuple[torch.Tensor, torch.Tensor, tuple[str, ...]]:
    """Images (uint8 (N, 3, 32, 32)), labels (int64 (N,)) and class names of ``split`` from a binary-layout folder.

    Train concatenates data_batch_1..5 in order. A missing folder or file raises one :class:`DatasetMissing`
    line naming ``name``, the path searched and ``howto``; an unreadable file, a label outside the classes or an
    md5 that differs from ``verify_md5`` (file → md5) raises one saying the file is corrupt.
    """
    folder = Path(folder)
    wanted = files_for(split)
    absent = [f for f in wanted + ("batches.meta.txt",) if not (folder / f).is_file()]
    if absent:
        what = "no such folder" if not folder.is_dir() else f"{', '.join(absent)} absent"
        raise DatasetMissing(f"{name} not found under {folder} ({what}); get it: {howto}")
    try:
        classes = read_classes(folder)
        xs, ys = [], []
        for f in wanted:
            if verify_md5 is not None and md5(folder / f) != verify_md5[f]:
                raise ValueError(f"{f}: md5 {md5(folder / f)} differs from {verify_md5[f]}")
            x, y = read_records(folder / f)
            if y.max() >= len(classes):
                raise ValueError(f"{f}: label {int(y.max())} but batches.meta.txt names {len(classes)} classes")
            xs.append(x)
            ys.append(y)
    except (OSError, ValueError, UnicodeDecodeError) as e:
        raise DatasetMissing(f"{name} under {folder} is unreadable ({str(e)[:160]}): a file is truncated or "
                             f"corrupt; get it again: {howto}") from None
    return torch.from_numpy(np.concatenate(xs)), torch.from_numpy(np.concatenate(ys)), classes


def binary_imageset(key: str, folder: Path, split: str, name: str, howto: str, exclude_classes=(),
                    verify_md5=None, meta=None) -> ImageSet:
    """``read_split`` as an ImageSet named ``<key>-<split>`` (optionally without the classes in ``exclude_classes``)."""
    x, y, classes = read_split(folder, split, name, howto, verify_md5)
    data = ImageSet(f"{key}-{split}", x.contiguous(), y, classes, meta=dict(meta or {}))
    if exclude_classes:
        drop = torch.tensor([c in exclude_classes for c in classes])
        data = data.subset((~drop[data.y]).nonzero().squeeze(1), name=f"{key}-{split}-minus-{len(exclude_classes)}")
    return data


@DATASETS.register("cifar10_jpeg")
def cifar10_jpeg(split: str, root: Path, download: bool = False, verify: bool = True,
                 exclude_classes: tuple[str, ...] = (), **_):
    """CIFAR-10 (JPEG copy): the lossy rebuild of CIFAR-10 in ``<root>/cifar-10-batches-bin-lossy``, 32×32 RGB.

    Not CIFAR-10: labels and order are exact, 4,929 images pixel-exact, the rest decoded from JPEG. Label every
    result "CIFAR-10 (JPEG copy)" (``meta["display_name"]``). ``verify`` checks the README's md5s (about half
    a second, once per file and process). Not downloadable; ``download`` is ignored.
    """
    root = Path(root)
    return binary_imageset("cifar10_jpeg", root / LOSSY_FOLDER, split, "cifar10_jpeg (CIFAR-10 (JPEG copy))",
                           LOSSY_HOWTO.format(root=root), exclude_classes, LOSSY_MD5 if verify else None,
                           meta={"display_name": DISPLAY_NAMES["cifar10_jpeg"], "lossy": True})


def cifar10_binary(split: str, root: Path, exclude_classes=()) -> ImageSet:
    """Real CIFAR-10 from the official binary version under ``<root>/cifar-10-batches-bin`` (``cifar10``'s fallback).

    Refuses the lossy copy (``is_lossy_copy``) with one line that points at ``cifar10_jpeg``.
    """
    folder = Path(root) / BINARY_FOLDER
    if folder.is_dir() and is_lossy_copy(folder):
        raise DatasetMissing(f"CIFAR10 under {folder} is the lossy JPEG copy, not CIFAR-10 (its README or md5s say "
                             f"so); load it as 'cifar10_jpeg' from {Path(root) / LOSSY_FOLDER} instead")
    return binary_imageset("cifar10", folder, split, "CIFAR10 (binary version)", BINARY_HOWTO.format(root=root),
                           exclude_classes)


__all__ = ["BINARY_FOLDER", "DISPLAY_NAMES", "LOSSY_FOLDER", "LOSSY_MD5", "binary_imageset", "cifar10_binary",
           "cifar10_jpeg", "display_name", "is_lossy_copy", "read_records", "read_split"]
