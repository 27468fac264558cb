"""Data-free distillation step cost, and what paper C's GMM selection adds to it.

One TA-DFKD iteration (``kdnb.methods.datafree``): ``k`` student steps (generator sample → teacher → GMM δ_τ →
L1 on the selected samples) and one generator step (generator → teacher with BN hooks → student → 1 − JSD on the
selected samples + BNS + TV + L2), built with the engine's ``make_step`` exactly as ``kdnb.engine.train`` runs them.
Timed twice in the same process, interleaved window by window: with the selection, and the same plan without it
(w/o class-prior). Also timed: the selection alone (per-sample loss + 10 EM iterations) on one batch of logits.

Prints img/s of the generator step and of the student steps, the iteration time, and the selection's share of an
iteration, measured both ways: (t_with − t_without) / t_with and (k + 1) · t_select / t_with. The issue's target:
selection ≤ 10% of an iteration.

    python benchmarks/datafree_step.py                     # CPU: LeNet-5-BN → LeNet-5-half, 32 px grey, width 32
    python benchmarks/datafree_step.py --device cuda       # ResNet-34 → ResNet-18, 32 px RGB, width 128, batch 1024
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402

import kdnb  # noqa: E402,F401
from kdnb.config import resolve_device  # noqa: E402
from kdnb.datafree import BNStatistics, Selection, generator_objective, student_objective  # noqa: E402
from kdnb.engine import GeneratorSource, Schedule, Update, learner, make_step  # noqa: E402
from kdnb.models import build_generator, build_model  # noqa: E402
from kdnb.selection import gmm  # noqa: E402

WEIGHTS = dict(adv_jsd=1.0, bns=10.0, l2=6e-3, tv=1.5e-5)  # paper C Eq. 3 with the code's weights


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def build(args, device, select: bool):
    torch.manual_seed(0)
    c = args.channels
    teacher = build_model(args.teacher, 10, c, args.size).to(device).eval().requires_grad_(False)
    student = build_model(args.student, 10, c, args.size)
    gen = build_generator("dcgan", args.z, c, args.size, args.width)
    opt_g = Schedule(epochs=1, batch_size=args.batch, lr=1e-3, optimizer="adam", momentum=0, weight_decay=0,
                     cosine=False, augment="none")
    opt_s = Schedule(epochs=1, batch_size=args.batch, lr=0.01, weight_decay=5e-4, augment="none")
    lg, ls = learner(gen, opt_g, 10_000, device), learner(student, opt_s, 10_000, device)
    if device.type == "cuda":
        teacher.to(memory_format=torch.channels_last)
    sel = Selection(select)
    src = GeneratorSource(gen, args.z, args.batch)
    g_step = make_step(lg, Update("g", "g", "s", generator_objective(teacher, student, WEIGHTS, selection=sel,
                                                                   bns=BNStatistics(teacher)),
                                  grad_through_source=True), torch.Generator(device=device))
    s_step = make_step(ls, Update("s", "s", "s", student_objective(student, teacher, "l1", selection=sel)),
                       torch.Generator(device=device))
    rng = torch.Generator(device=device).manual_seed(0)
    return teacher, src, g_step, s_step, rng


def timed(fn, device, n):
    sync(device)
    t = time.perf_counter()
    for _ in range(n):
        fn()
    sync(device)
    return (time.perf_counter() - t) / n


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="auto")
    ap.add_argument("--teacher"), ap.add_argument("--student")
    ap.add_argument("--channels", type=int), ap.add_argument("--size", type=int, default=32)
    ap.add_argument("--width", type=int), ap.add_argument("--batch", type=int), ap.add_argument("--z", type=int)
    ap.add_argument("--k", type=int, default=10, help="student steps per generator step (paper C: 10)")
    ap.add_argument("--windows", type=int, default=5), ap.add_argument("--iterations", type=int)
    args = ap.parse_args(argv)
    device = resolve_device(args.device)
    cuda = device.type == "cuda"
    defaults = (dict(teacher="resnet34", student="resnet18", channels=3, width=128, batch=1024, z=1000, iterations=5)
                if cuda else dict(teacher="lenet5_bn", student="lenet5_half", channels=1, width=32, batch=256, z=100,
                                  iterations=1))
    for k, v in defaults.items():
        if getattr(args, k) is None:
            setattr(args, k, v)
    if cuda:
        torch.backends.cudnn.benchmark = True
    print(f"device {device} · threads {torch.get_num_threads()} · {args.teacher} → {args.student} · "
          f"{args.channels}×{args.size}² · generator width {args.width} · batch {args.batch} · z {args.z} · "
          f"k = {args.k}")
    plans = {name: build(args, device, select) for name, select in (("with selection", True), ("without", False))}

    def iteration(name):
        _, src, g_step, s_step, rng = plans[name]
        for _ in range(args.k):
            s_step(src.draw(rng))
        g_step(src.draw(rng, grad=True))

    teacher, src, g_step, s_step, rng = plans["with selection"]
    for name in plans:  # warm-up (cudnn autotuning, allocator)
        iteration(name)
    times = {name: [] for name in plans}
    g_times, s_times, sel_times = [], [], []
    with torch.no_grad():
        logits = teacher(src.draw(rng).x)
    for _ in range(args.windows):
        for name in plans:
            times[name].append(timed(lambda: iteration(name), device, args.iterations))
        g_times.append(timed(lambda: g_step(src.draw(rng, grad=True)), device, args.iterations))
        s_times.append(timed(lambda: s_step(src.draw(rng)), device, args.iterations))
        sel_times.append(timed(lambda: gmm.select(gmm.confidence_loss(logits)), device, 20))
    t_with, t_without = statistics.median(times["with selection"]), statistics.median(times["without"])
    t_g, t_s, t_sel = statistics.median(g_times), statistics.median(s_times), statistics.median(sel_times)
    print(f"generator step: {args.batch / t_g:8.0f} img/s ({t_g * 1e3:.1f} ms)")
    print(f"student step:   {args.batch / t_s:8.0f} img/s ({t_s * 1e3:.1f} ms, incl. sampling and teacher)")
    print(f"iteration ({args.k} S + 1 G): {t_with * 1e3:.1f} ms with selection, {t_without * 1e3:.1f} ms without")
    print(f"selection alone (one batch): {t_sel * 1e3:.2f} ms")
    print(f"selection share of an iteration: {(t_with - t_without) / t_with:.1%} (difference), "
          f"{(args.k + 1) * t_sel / t_with:.1%} ((k+1) × selection alone)")


if __name__ == "__main__":
    main()
