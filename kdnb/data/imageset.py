"""The one container every dataset, pool and transfer set uses."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import torch
import torch.nn.functional as F

from kdnb.registry import Registry

DATASETS: Registry = Registry("dataset")


class DatasetMissing(FileNotFoundError):
    """A real dataset is not on disk and cannot be downloaded; the message says where we looked and how to get it."""


@dataclass
class ImageSet:
    """Images as uint8 (N, C, H, W), labels as int64 (N,) or None for unlabelled pools.

    ``mean``/``std`` are per-channel statistics of the images in [0, 1]; models normalise inside
    (``kdnb.models``), so everything outside a model works in pixel space.
    """

    name: str
    x: torch.Tensor
    y: torch.Tensor | None
    classes: tuple[str, ...] = ()
    mean: tuple[float, ...] = ()
    std: tuple[float, ...] = ()
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.x.dtype != torch.uint8 or self.x.dim() != 4:
            raise ValueError(f"{self.name}: images must be uint8 (N,C,H,W), got {self.x.dtype} {tuple(self.x.shape)}")
        if self.y is not None and len(self.y) != len(self.x):
            raise ValueError(f"{self.name}: {len(self.x)} images but {len(self.y)} labels")
        if not self.mean:
            xf = self.x.float().div_(255)
            self.mean = tuple(xf.mean(dim=(0, 2, 3)).tolist())
            self.std = tuple(xf.std(dim=(0, 2, 3)).tolist())

    def __len__(self) -> int:
        return len(self.x)

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    @property
    def shape(self) -> tuple[int, int, int]:
        return tuple(self.x.shape[1:])

    def to(self, device) -> "ImageSet":
        return replace(self, x=self.x.to(device), y=None if self.y is None else self.y.to(device))

    def subset(self, index: torch.Tensor, name: str | None = None) -> "ImageSet":
        index = index.to(self.x.device)
        y = None if self.y is None else self.y[index]
        return replace(self, name=name or self.name, x=self.x[index], y=y)

    def conform(self, channels: int, size: int) -> "ImageSet":
        """Same images at another channel count / size (grey↔RGB by luma/replication, bilinear resize)."""
        return replace(self, x=conform(self.x, channels, size), mean=(), std=())


def conform(x: torch.Tensor, channels: int, size: int) -> torch.Tensor:
    """uint8 (N,C,H,W) → uint8 (N,channels,size,size)."""
    if x.shape[1] == channels and x.shape[-1] == size and x.shape[-2] == size:
        return x
    out = []
    for chunk in x.split(4096):
        xf = chunk.float()
        if xf.shape[1] == 3 and channels == 1:
            xf = (xf * torch.tensor([0.299, 0.587, 0.114], device=xf.device).view(1, 3, 1, 1)).sum(1, keepdim=True)
        elif xf.shape[1] == 1 and channels == 3:
            xf = xf.expand(-1, 3, -1, -1)
        if xf.shape[-1] != size or xf.shape[-2] != size:
            xf = F.interpolate(xf, size=(size, size), mode="bilinear", antialias=True, align_corners=False)
        out.append(xf.round_().clamp_(0, 255).to(torch.uint8))
    return torch.cat(out)


def load_dataset(name: str, split: str = "train", root: str | Path | None = None, *,
                 channels: int | None = None, size: int | None = None, download: bool = False, **kw) -> ImageSet:
    """Load a registered dataset split as an ImageSet on the CPU, optionally conformed to channels/size."""
    from kdnb.config import default_data_root

    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    root = Path(root) if root is not None else default_data_root()
    data = DATASETS[name](split=split, root=root, download=download, **kw)
    if channels is not None or size is not None:
        data = data.conform(channels or data.shape[0], size or data.shape[-1])
    return data
