"""CPU proxy benchmark: paper A's ``high`` augmentation, per image, on 32×32×3 images.

(a) naive: torchvision.transforms.v2 on PIL images in a 2-worker DataLoader — RandAugment(4, 14),
    RandomApply(ElasticTransform(50, 5), 0.5), RandomInvert(0.1), RandomHorizontalFlip, RandomCrop(32, padding=4);
(b) kdnb: ``kdnb.augment.build("high", 32, mean)`` on the batch, one torch thread (CUDA when available).
Both draw independent random parameters per image. Prints the median img/s over several timed windows after a
warm-up, the ratio, and kdnb's rate for every regime.

    python benchmarks/augment_throughput.py [--batch 256] [--windows 5]
"""
from __future__ import annotations

import argparse
import statistics
import time

import kdnb  # noqa: F401  (before torchvision)
import numpy as np
import torch
import torchvision.transforms.v2 as T
from PIL import Image
from torch.utils.data import DataLoader, Dataset

from kdnb.augment import NAMES, build

MEAN = (0.4914, 0.4822, 0.4465)  # CIFAR-10


class PILImages(Dataset):
    """uint8 HWC arrays served as PIL images through a torchvision transform (the usual DataLoader pipeline)."""

    def __init__(self, arrays: np.ndarray, transform):
        self.arrays, self.transform = arrays, transform

    def __len__(self):
        return len(self.arrays)

    def __getitem__(self, i):
        return self.transform(Image.fromarray(self.arrays[i]))


def naive_high() -> T.Compose:
    return T.Compose([
        T.RandAugment(num_ops=4, magnitude=14),
        T.RandomApply([T.ElasticTransform(alpha=50.0, sigma=5.0)], p=0.5),
        T.RandomInvert(p=0.1),
        T.RandomHorizontalFlip(),
        T.RandomCrop(32, padding=4, fill=tuple(round(255 * m) for m in MEAN)),
        T.ToImage(), T.ToDtype(torch.float32, scale=True),
    ])


def median_rate(step, batch: int, windows: int, per_window: int, warmup: int, sync=lambda: None) -> float:
    """Median img/s over ``windows`` windows of ``per_window`` calls of ``step`` after ``warmup`` calls."""
    for _ in range(warmup):
        step()
    sync()
    rates = []
    for _ in range(windows):
        t = time.perf_counter()
        for _ in range(per_window):
            step()
        sync()
        rates.append(per_window * batch / (time.perf_counter() - t))
    return statistics.median(rates)


def bench_naive(arrays: np.ndarray, batch: int, windows: int) -> float:
    warmup, per_window = 2, 4
    need = batch * (warmup + windows * per_window + 4)  # one epoch covers the run (no epoch-boundary stall)
    arrays = np.resize(arrays, (max(need, len(arrays)),) + arrays.shape[1:])
    loader = DataLoader(PILImages(arrays, naive_high()), batch_size=batch, shuffle=True, num_workers=2,
                        drop_last=True)
    batches = iter(loader)
    rate = median_rate(lambda: next(batches), batch, windows, per_window, warmup)
    del batches  # shuts the workers down: no prefetching while (b) is timed (the machine has few cores)
    return rate


def bench_kdnb(arrays: np.ndarray, regime: str, batch: int, windows: int, device: torch.device) -> float:
    data = torch.from_numpy(arrays).permute(0, 3, 1, 2).contiguous().to(device)  # uint8 NCHW on the device
    gen = torch.Generator(device=device).manual_seed(0)
    aug = build(regime, 32, MEAN)
    n = data.shape[0]

    def step():
        idx = torch.randint(0, n, (batch,), generator=gen, device=device)
        aug(data[idx].float().div_(255), gen)

    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    per_window = 50 if device.type == "cuda" else max(2, 2048 // batch)
    return median_rate(step, batch, windows, per_window=per_window, warmup=3, sync=sync)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--windows", type=int, default=5)
    parser.add_argument("--images", type=int, default=10_000)
    args = parser.parse_args()

    torch.set_num_threads(1)
    arrays = np.random.default_rng(0).integers(0, 256, (args.images, 32, 32, 3), dtype=np.uint8)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    where = "CUDA" if device.type == "cuda" else "CPU, 1 thread"

    naive = bench_naive(arrays, args.batch, args.windows)
    ours = bench_kdnb(arrays, "high", args.batch, args.windows, device)
    print(f"high augmentation, 32x32x3, batch {args.batch}, median of {args.windows} windows")
    print(f"  (a) torchvision v2 per image on PIL, 2-worker DataLoader: {naive:10.0f} img/s")
    print(f"  (b) kdnb batched per image ({where}): {ours:10.0f} img/s")
    print(f"  ratio (b)/(a): {ours / naive:.1f}x")
    print(f"kdnb, every regime ({where}):")
    for regime in NAMES:
        rate = ours if regime == "high" else bench_kdnb(arrays, regime, args.batch, 3, device)
        print(f"  {regime:9s} {rate:12.0f} img/s")


if __name__ == "__main__":
    main()
