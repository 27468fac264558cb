"""Image-folder datasets (torchvision ImageFolder layout under ``data_root``), resized to 32×32.

``tinyimagenet`` (paper A's Tiny teacher and distillation set, paper B's pools), ``fruits360``, ``clevr``,
``midair``, ``celeba`` (paper B §4 and §4.4). Each missing one raises ``DatasetMissing`` with how to get it.

Splits: Tiny-ImageNet's ``test`` split is its labelled validation set (``val/images`` with
``val_annotations.txt``; the official test set has no labels), so a Tiny teacher is never tested on its training
images. The other folders are unlabelled pools for which only training images are used: their ``test`` split
is refused rather than silently equal to the training images.
"""
from __future__ import annotations

from pathlib import Path

import torch

from kdnb.data.imageset import DATASETS, DatasetMissing, ImageSet
from kdnb.data.real import image_folder

TINY = "tiny-imagenet-200"
FOLDERS = {
    # key: (training folder under data_root, how to get it)
    "tinyimagenet": (f"{TINY}/train",
                     "the zip at http://cs231n.stanford.edu/tiny-imagenet-200.zip, unzipped into {root} "
                     "(train/<wnid>/images/*.JPEG is an ImageFolder; val/ holds the labelled test images)"),
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


def tiny_val(root: Path, classes: tuple[str, ...], howto: str, size: int = 32, limit: int | None = None) -> ImageSet:
    """Tiny-ImageNet's labelled validation images (val/images/*.JPEG, labels in val/val_annotations.txt)."""
    from PIL import Image
    import torchvision.transforms.v2 as T

    val = Path(root) / TINY / "val"
    notes = val / "val_annotations.txt"
    if not notes.is_file():
        raise DatasetMissing(f"tinyimagenet test split not found under {val} (no val_annotations.txt); get it with "
                             f"{howto}, or point data_root / $KDNB_DATA at a folder that holds it")
    index = {w: i for i, w in enumerate(classes)}
    rows = [ln.split("\t")[:2] for ln in notes.read_text().splitlines() if ln.strip()]
    rows = rows if limit is None else rows[:limit]
    tf = T.Compose([T.PILToTensor(), T.Resize((size, size), antialias=True)])
    x = torch.stack([tf(Image.open(val / "images" / f).convert("RGB")) for f, _ in rows])
    y = torch.tensor([index[w] for _, w in rows])
    return ImageSet("tinyimagenet-test", x, y, classes)


def _register_folder(key: str, folder: str, howto: str):
    @DATASETS.register(key)
    def load(split: str, root: Path, limit: int | None = None, **_):
        train = image_folder(key, Path(root), folder, howto.format(root=root), size=32, limit=limit)
        if split == "train":
            return train
        if key == "tinyimagenet":
            return tiny_val(Path(root), train.classes, howto.format(root=root), limit=limit)
        raise ValueError(f"{key} is used as an unlabelled pool: it has a 'train' split only, not {split!r}")

    load.__doc__ = f"{key}: folder dataset under data_root/{folder}, resized to 32×32."


for _k, (_f, _h) in FOLDERS.items():
    _register_folder(_k, _f, _h)

__all__ = ["FOLDERS", "tiny_val"]
