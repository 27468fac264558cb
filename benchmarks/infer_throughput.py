"""Teacher inference throughput by batch size, and the rate of Algorithm 1's noise draws.

Inference is most of what a transfer set costs: paper B's Algorithm 1 gives every drawn candidate one teacher
forward (millions of uniform-noise draws per MNIST set), and every KD run evaluates on the test split. This prints,
for each model, the forward rate of ``kdnb.engine.predict`` at several batch sizes, then the draw rate of the loop
``kdnb.selection.class_balanced.compose_balanced`` runs (a NoiseStream chunk of 4,096 → predict → argmax → host), at
``kdnb.engine.INFER_BATCH`` (the default) and at 1,024. ``kdnb.plan``'s CPU inference rate is this benchmark's.

    python benchmarks/infer_throughput.py [--device cpu|cuda] [--threads 1] [--models lenet5,alexnet,toy2d]
"""
from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402

import kdnb  # noqa: E402,F401
from kdnb.config import resolve_device  # noqa: E402
from kdnb.engine import INFER_BATCH, predict  # noqa: E402
from kdnb.models import build_model  # noqa: E402
from kdnb.sources.streams import NoiseStream  # noqa: E402

CHANNELS = {"alexnet": 3, "alexnet_half": 3}


def forward_rate(model, x: torch.Tensor, batch: int, repeats: int = 3) -> float:
    """Images per second of ``predict`` over ``x`` (best of ``repeats``; one warm-up pass)."""
    predict(model, x[:batch], batch)
    best = 0.0
    for _ in range(repeats):
        if x.device.type == "cuda":
            torch.cuda.synchronize()
        t = time.perf_counter()
        predict(model, x, batch).argmax(1).cpu()
        best = max(best, len(x) / (time.perf_counter() - t))
    return best


def draw_rate(model, device: torch.device, batch: int, draws: int) -> float:
    """Draws per second of Algorithm 1's loop on uniform noise (the teacher's labels go to the host each chunk)."""
    stream = NoiseStream("uniform", 1, 32, seed=0, limit=10 ** 9)
    t, n = time.perf_counter(), 0
    while n < draws:
        xb = stream.take(4096)
        predict(model, xb.to(device), batch).argmax(1).cpu().tolist()
        n += len(xb)
    return n / (time.perf_counter() - t)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--models", default="lenet5,alexnet,toy2d")
    ap.add_argument("--draws", type=int, default=200_000)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    dev = resolve_device(a.device)
    default = INFER_BATCH.get(dev.type, 1024)
    print(f"device {dev.type} · threads {torch.get_num_threads()} · 32×32 · INFER_BATCH {default}")
    for arch in a.models.split(","):
        ch = CHANNELS.get(arch, 1)
        model = build_model(arch, 10, ch, 32, (0.0,) * ch, (1.0,) * ch).to(dev)
        x = torch.randint(0, 256, (4096 if ch == 3 else 8192, ch, 32, 32), dtype=torch.uint8, device=dev)
        rates = {b: forward_rate(model, x, b) for b in (1024, 512, 256, 128)}
        print(f"{arch:>8} forward img/s: " + "  ".join(f"batch {b}: {r:,.0f}" for b, r in rates.items()), flush=True)
    lenet = build_model("lenet5", 10, 1, 32, (0.0,), (1.0,)).to(dev)
    for b in sorted({default, 1024}):
        print(f"Algorithm 1 draws (lenet5, uniform noise, chunk 4,096, batch {b}): "
              f"{draw_rate(lenet, dev, b, a.draws):,.0f} per second", flush=True)


if __name__ == "__main__":
    main()
