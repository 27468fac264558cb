"""Where a KD step's time goes on CUDA: augmentation, teacher forward, student forward/backward, optimiser.

    python benchmarks/step_breakdown.py [--batch 256] [--teacher resnet50 --student resnet18]

Times each part alone (CUDA events around 20 repeated calls after warm-up), eager and with torch.compile,
so a slow step can be traced to its part before anything is optimised.
"""
from __future__ import annotations

import argparse
import time

import torch

import kdnb  # noqa: F401
from kdnb import augment
from kdnb.losses import kd_kl
from kdnb.models import build_model


def timed(fn, reps=20, warm=5) -> float:
    for _ in range(warm):
        fn()
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(reps):
        fn()
    torch.cuda.synchronize()
    return (time.perf_counter() - t0) / reps * 1e3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--teacher", default="resnet50")
    ap.add_argument("--student", default="resnet18")
    a = ap.parse_args()
    dev = torch.device("cuda")
    torch.backends.cudnn.benchmark = True
    B = a.batch
    x8 = torch.randint(0, 256, (B, 3, 32, 32), dtype=torch.uint8, device=dev)
    x = (x8.float() / 255).contiguous(memory_format=torch.channels_last)
    g = torch.Generator(device=dev).manual_seed(0)
    teacher = build_model(a.teacher, 10).to(dev).eval().requires_grad_(False).to(memory_format=torch.channels_last)
    student = build_model(a.student, 10).to(dev).to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(student.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4, fused=True)
    aug = augment.build("high", 32, (0.5,) * 3)
    amp = lambda: torch.autocast("cuda", dtype=torch.bfloat16)  # noqa: E731

    def t_fwd(m=teacher):
        with torch.no_grad(), amp():
            return m(x)

    def s_step(m=student):
        with amp():
            t = t_fwd()
            loss = kd_kl(m(x), t, 4.0)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    def s_only(m=student):
        with amp():
            loss = m(x).float().logsumexp(1).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    rows = {"augment 'high'": timed(lambda: aug(x, g)), "augment 'high' ×4 batch": timed(
        lambda: aug(x.repeat(4, 1, 1, 1), g)) / 4, "teacher fwd (eager)": timed(t_fwd),
        "student fwd+bwd+SGD (eager)": timed(s_only), "KD step no aug (eager)": timed(s_step)}
    ct, cs = torch.compile(teacher), torch.compile(student)
    rows["teacher fwd (compiled)"] = timed(lambda: t_fwd(ct))
    rows["student fwd+bwd+SGD (compiled)"] = timed(lambda: s_only(cs))
    print(f"batch {B}, {a.teacher} → {a.student}, bf16 autocast, channels_last")
    for k, v in rows.items():
        print(f"{k:<34}{v:8.2f} ms   {B / v * 1e3:10.0f} img/s")


if __name__ == "__main__":
    main()
