"""Dataset registry: every dataset is an :class:`ImageSet` of uint8 images held as one tensor.

Real datasets come through torchvision's loaders (``kdnb.data.real``; CIFAR-10's binary version and its lossy
JPEG copy ``cifar10_jpeg``, labelled "CIFAR-10 (JPEG copy)", through ``kdnb.data.cifar_binary``); embedded
ones ship inside installed packages and need no network (``kdnb.data.embedded``): scikit-learn's digits as a
real 10-class teacher dataset for the smoke scale, and crops of the photos bundled with scikit-learn and
scikit-image as a natural out-of-domain pool. Image folders (``folders``), derived views and relabellings (``derived``) and
ImageNet's in-/out-of-domain subsets (``imagenet_split``) register here too.
"""
from __future__ import annotations

from kdnb.data.imageset import DatasetMissing, ImageSet, DATASETS, load_dataset
from kdnb.data import embedded as _embedded  # noqa: F401  (registers)
from kdnb.data import real as _real  # noqa: F401  (registers)
from kdnb.data import folders as _folders, derived as _derived, imagenet_split as _imagenet_split  # noqa: F401,E501

__all__ = ["DatasetMissing", "ImageSet", "DATASETS", "load_dataset"]
