"""KD training throughput: kdnb's on-device batched augmentation vs a naive per-image PIL pipeline.

Both pipelines run the same KD training step (frozen teacher forward → student forward/backward → SGD, τ²·KL,
mixup) on the same models, batch and synthetic uint8 images; only the way augmented batches are produced
differs:

  naive  — torchvision.transforms.v2 per image on PIL images inside a DataLoader with worker processes
           (paper A's official pipeline), batches copied to the device, then the same step;
  kdnb   — images already on the device, ``kdnb.augment`` regime ``high`` with independent random parameters
           per image, bf16 autocast + channels_last on CUDA, no host sync per step (``kdnb.train.make_step``);
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
from kdnb.train import Schedule, augmented_batches, kd_objective, make_optimizer, make_step  # noqa: E402

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
        step(*next_batch())
    sync()
    rates = []
    for _ in range(windows):
        t0 = time.perf_counter()
        for _ in range(per_window):
            step(*next_batch())
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
    per_window = args.steps or (20 if cuda else 3)
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

    def kdnb_step(regime: str, compiled: bool = False):
        student = build_model(student_name, 10, 3, 32).to(device)
        if cuda:
            student.to(memory_format=torch.channels_last)
        opt, sched = make_optimizer(student, Schedule(), 10_000, device)
        objective = kd_objective(teacher, 4.0)
        model = torch.compile(student) if compiled else student
        return make_step(model, objective, opt, sched, mixup=True), augment.build(regime, 32, (0.5,) * 3)

    results = {}
    gen = torch.Generator(device=device).manual_seed(0)
    xd = x.to(device)

    def device_batches(aug):
        """kdnb's epoch loop: shuffle on the device, augment several batches per call (kdnb.train.fit)."""
        steps = n // args.batch
        while True:
            perm = torch.randperm(n, device=device, generator=gen)
            for xb, idx in augmented_batches(xd, perm, args.batch, steps, aug, gen):
                yield xb, idx, gen

    def kdnb_measure(regime, compiled=False):
        step, aug = kdnb_step(regime, compiled)
        batches = device_batches(aug)
        return measure(lambda: next(batches), step, device, warm, args.windows, per_window, args.batch)

    warm = 20 if cuda else 2
    results["kdnb"] = kdnb_measure("high")
    results["kdnb-noaug"] = kdnb_measure("none")
    if args.compile and cuda:
        results["kdnb-compiled"] = kdnb_measure("high", compiled=True)

    # Naive: augmented float batches come from the workers; the device step skips augmentation.
    student = build_model(student_name, 10, 3, 32).to(device)
    opt, sched = make_optimizer(student, Schedule(), 10_000, device)
    naive = make_step(student, kd_objective(teacher, 4.0), opt, sched, mixup=True)

    loader = naive_loader(x, args.batch, workers)
    it = iter(loader)

    def naive_batch():
        nonlocal it
        try:
            xb, idx = next(it)
        except StopIteration:
            it = iter(loader)
            xb, idx = next(it)
        return xb.to(device, non_blocking=True), idx.to(device), gen

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
