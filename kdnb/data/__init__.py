"""Dataset registry: every dataset is an :class:`ImageSet` of uint8 images held as one tensor.

Real datasets come through torchvision's loaders (``kdnb.data.real``); embedded ones ship inside installed
packages and need no network (``kdnb.data.embedded``): scikit-learn's digits as a real 10-class teacher
dataset for the smoke scale, and crops of the photos bundled with scikit-learn and scikit-image as a
natural out-of-domain pool.
"""
from __future__ import annotations

from kdnb.data.imageset import DatasetMissing, ImageSet, DATASETS, load_dataset
from kdnb.data import embedded as _embedded  # noqa: F401  (registers)
from kdnb.data import real as _real  # noqa: F401  (registers)

__all__ = ["DatasetMissing", "ImageSet", "DATASETS", "load_dataset"]
