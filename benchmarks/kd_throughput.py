"""KD training throughput: kdnb's on-device batched augmentation vs a naive per-image PIL pipeline.

Both pipelines run the same KD training step (frozen teacher forward → student forward/backward → SGD, τ²·KL,
mixup) on the same models, batch and synthetic uint8 images; only the way augmented batches are produced
differs:

  naive  — torchvision.transforms.v2 per image on PIL images inside a DataLoader with worker processes
           (paper A's official pipeline), batches copied to the device, then the same step;
  kdnb   — images already on the device, ``kdnb.augment`` regime ``high`` with independent random parameters
           per image, bf16 autocast + channels_last on CUDA, no host sync per step (``kdnb.engine``'s
           ``TensorSource`` and ``make_step``, exactly as ``kdnb.engine.train`` runs them);
  kdnb-train — ``kdnb.engine.train`` end to end (the same step plus the non-finite guard and loss sums);
  kdnb-noaug — the same step without augmentation: the ceiling the augmentation could reach.

Prints img/s (median over timed windows) for each and the kdnb/naive ratio. CPU default: LeNet-5 → LeNet-5-half
on 32×32×3 (≈ 1–2 min on 2 cores); CUDA default: ResNet-50 → ResNet-18, batch 256 (performance notes §5).

    python benchmarks/kd_throughput.py [--device auto|cpu|cuda] [--teacher resnet50 --student resnet18]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402

import kdnb  # noqa: E402,F401
from kdnb import augment  # noqa: E402
from kdnb.config import resolve_device  # noqa: E402
from kdnb.models import build_model  # noqa: E402
from kdnb.engine import Batch, Schedule, TensorSource, Update, learner, make_step  # noqa: E402
from kdnb.objectives import kd_objective  # noqa: E402

GFLOP_PER_IMG = {("resnet50", "resnet18"): 5.93}  # teacher fwd + student fwd/bwd, performance notes §1


def naive_loader(x_uint8: torch.Tensor, batch: int, workers: int):
    """Paper A's official pipeline: per-image v2 transforms on PIL, in DataLoader workers."""
    import torchvision.transforms.v2 as T
    from torchvision.transforms.v2.functional import to_pil_image

    size = x_uint8.shape[-1]
    tf = T.Compose([T.RandAugment(num_ops=4, magnitude=14), T.RandomApply([T.ElasticTransform(50.0, 5.0)], p=0.5),
                    T.RandomInvert(0.1), T.RandomHorizontalFlip(), T.RandomCrop(size, padding=round(size / 8)),
                    T.PILToTensor(), T.ToDtype(torch.float32, scale=True)])

    class DS(torch.utils.data.Dataset):
        def __init__(self):
            self.pil = [to_pil_image(img) for img in x_uint8]

        def __len__(self):
            return len(self.pil)

        def __getitem__(self, i):
            return tf(self.pil[i]), i

    return torch.utils.data.DataLoader(DS(), batch_size=batch, shuffle=True, num_workers=workers, drop_last=True,
                                       persistent_workers=workers > 0, pin_memory=torch.cuda.is_available())


def measure(next_batch, step, device, warmup: int, windows: int, per_window: int, batch: int) -> float:
    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()

    for _ in range(warmup):
        step(next_batch())
    sync()
    rates = []
    for _ in range(windows):
        t0 = time.perf_counter()
        for _ in range(per_window):
            step(next_batch())
        sync()
        rates.append(per_window * batch / (time.perf_counter() - t0))
    return statistics.median(rates)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="auto")
    ap.add_argument("--teacher", default=None)
    ap.add_argument("--student", default=None)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--images", type=int, default=None)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--windows", type=int, default=5)
    ap.add_argument("--steps", type=int, default=None, help="steps per timed window")
    ap.add_argument("--compile", action="store_true", help="also time kdnb with torch.compile (CUDA)")
    args = ap.parse_args()
    device = resolve_device(args.device)
    cuda = device.type == "cuda"
    teacher_name = args.teacher or ("resnet50" if cuda else "lenet5")
    student_name = args.student or ("resnet18" if cuda else "lenet5_half")
    n = args.images or (50_000 if cuda else 4096)
    workers = args.workers if args.workers is not None else (min(8, os.cpu_count() or 1) if cuda else 2)
    # CPU windows span a whole pass over the images, so each includes its share of the chunked augmentation
    per_window = args.steps or (20 if cuda else n // args.batch)
    if cuda:
        torch.backends.cudnn.benchmark = True
    else:
        torch.set_num_threads(1)  # the kdnb side on one thread; the naive side gets its worker processes too
    torch.manual_seed(0)
    x = torch.randint(0, 256, (n, 3, 32, 32), dtype=torch.uint8)
    teacher = build_model(teacher_name, 10, 3, 32).to(device)
    print(f"device={device} ({torch.cuda.get_device_name() if cuda else f'{torch.get_num_threads()} thread'}), "
          f"{teacher_name} → {student_name}, batch {args.batch}, {n} images 32×32×3, regime 'high' + mixup, "
          f"naive workers={workers}")
    if cuda:
        teacher.to(memory_format=torch.channels_last)

    results = {}
    gen = torch.Generator(device=device).manual_seed(0)
    xd = x.to(device)

    def engine_step(compiled: bool = False):
        """The engine's KD update (kdnb.engine.fit's plan): mixup, τ²·KL against the teacher, SGD."""
        student = build_model(student_name, 10, 3, 32)
        lrn = learner(student, Schedule(), 10_000, device)
        model = torch.compile(student) if compiled else student
        update = Update("kd", "student", "data", kd_objective(model, teacher, 4.0), transform=augment.mixup)
        return make_step(lrn, update, gen)

    def kdnb_measure(regime, compiled=False):
        source = TensorSource(xd, args.batch, augment.build(regime, 32, (0.5,) * 3))
        return measure(lambda: source.draw(gen), engine_step(compiled), device, warm, args.windows, per_window,
                       args.batch)

    def engine_train(regime: str) -> float:
        """kdnb.engine.train end to end (sources, guard, loss sums, schedule): img/s over timed epochs."""
        from kdnb.engine import train
        student = build_model(student_name, 10, 3, 32)
        source = TensorSource(xd, args.batch, augment.build(regime, 32, (0.5,) * 3))
        lrn = learner(student, Schedule(), 10_000, device)
        plan = [Update("kd", "student", "data", kd_objective(student, teacher, 4.0), transform=augment.mixup)]
        spe = source.steps_per_epoch
        epochs = max(1, (args.windows * per_window) // spe)
        train({"student": lrn}, {"data": source}, plan, epochs=1, steps_per_epoch=spe, seed=0, progress=False)
        rates = []
        for _ in range(3):
            t0 = time.perf_counter()
            train({"student": lrn}, {"data": source}, plan, epochs=epochs, steps_per_epoch=spe, seed=0,
                  progress=False)
            if cuda:
                torch.cuda.synchronize()
            rates.append(epochs * spe * args.batch / (time.perf_counter() - t0))
        return statistics.median(rates)

    warm = 20 if cuda else 2
    results["kdnb"] = kdnb_measure("high")
    results["kdnb-train"] = engine_train("high")
    results["kdnb-noaug"] = kdnb_measure("none")
    if args.compile and cuda:
        results["kdnb-compiled"] = kdnb_measure("high", compiled=True)

    # Naive: augmented float batches come from the workers; the device step skips augmentation.
    naive = engine_step()

    loader = naive_loader(x, args.batch, workers)
    it = iter(loader)

    def naive_batch():
        nonlocal it
        try:
            xb, idx = next(it)
        except StopIteration:
            it = iter(loader)
            xb, idx = next(it)
        return Batch(xb.to(device, non_blocking=True), idx.to(device))

    results["naive"] = measure(naive_batch, naive, device, warm, args.windows, per_window, args.batch)
    print(f"\n{'pipeline':<15}{'img/s':>10}")
    for k, v in results.items():
        extra = ""
        if (teacher_name, student_name) in GFLOP_PER_IMG and cuda:
            extra = f"   {v * GFLOP_PER_IMG[(teacher_name, student_name)] / 790e3 * 100:5.1f}% of 790 TFLOP/s"
        print(f"{k:<15}{v:>10.0f}{extra}")
    print(f"\nratio kdnb / naive: {results['kdnb'] / results['naive']:.2f}×"
          f"   (kdnb-noaug / kdnb: {results['kdnb-noaug'] / results['kdnb']:.2f}×)")
    if "kdnb-compiled" in results:
        print(f"ratio kdnb-compiled / naive: {results['kdnb-compiled'] / results['naive']:.2f}×")


if __name__ == "__main__":
    main()
