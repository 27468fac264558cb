"""Notebook 40: paper D (Tang, Chen & Gong, AAAI'25, HiDFD), scale → configs and one call per experiment.

HiDFD = a teacher-guided conditional GAN trained on a few collected real images (``kdnb.methods.hybrid.GANRun``;
the losses in ``kdnb.gan``), then a student distilled on the synthetic set plus the collected set inflated N times,
through the teacher's shared classifier (``HybridRun``). Rows:

* Table 1 (HiDFD rows): ρ = 0.1 and 1.0, the full method. The generation- and collection-based baselines are quoted
  (``beside`` marks them ``not run``).
* Table 2: the generation ablations at ρ = 0.1 (each teacher-guided term off; at smoke and lab four of the seven
  rows: each single term and all three) and the student-loss replacement VKD (vanilla KD on the same hybrid data,
  the student's own classifier).
* The data comparison of the issue: hybrid vs collected-only vs synthetic-only at ρ = 0.1, the same student steps.
* Fig. 2c: the HiDFD student on D_s + N·D_c for the scale's N (``inflations``; None = the paper's ⌊|D_s|/|D_c|⌋).
* :func:`claims`: each of the paper's claims as a Δ paired by seed, with whether it holds here.

ρ = |D_c| / |D_o|, D_o the teacher's training set. The collected pool comes from sources the teacher never trained
on: real images of its domain that its training subset left out (``held_out``, the stand-in for ImageNet's
CIFAR-like images), and distractors (photo crops, dead leaves; at lab also scikit-learn's digits, a different
scanner), filtered by the teacher's confidence.

Scales
  smoke: scikit-learn's digits; the teacher LeNet-5 trained on 700 of the 1,437 training digits (D_o), the other
         742 plus 500 photo crops and 200 dead-leaves images form the pool; ρ = 0.1 → |D_c| = 70, ρ = 1.0 → 700
         (then distractors must fill the set if the teacher is confident on them). GAN: batch 16, ~100 iterations
         whatever ρ (the paper's 500 epochs over D_c would be 10× more iterations at ρ = 1.0), widths 16/8, Adam
         lr 2e-3 for G and D (the code's equal rates, 10× larger: with the paper's 1e-4 / 4e-4 the teacher agreed
         with 15% of the samples' labels after 100 iterations, with 2e-3 48% — measured, seed 0); |D_s| =
         700; students LeNet-5-half, 4 epochs of the hybrid set (~80 steps), Adam 3e-3 (as paper C's smoke scale;
         the paper's SGD 0.05 was not tried at this length). Every number beside the paper's CIFAR-10 rows is a **stand-in**.
  lab:   real MNIST; the teacher LeNet-5 on 20,000 training images (D_o; 5 epochs, 98–99%), the pool = the other
         40,000 training images (real digits the teacher never saw) ∪ scikit-learn's digits (1,437, another scanner,
         upscaled) ∪ 5,000 photo crops ∪ 5,000 dead leaves, filtered by the teacher's confidence; ρ = 0.1 → |D_c| =
         2,000, ρ = 1.0 → 20,000. ρ thus means "collected images per image the teacher trained on", as in the
         paper; what the confidence filter keeps is mostly held-out MNIST (the teacher is most confident on it),
         and — the filter ranks by confidence, not per class — D_c is class-imbalanced (Fig. A-1's point). Sized
         for ~45 CPU-minutes on one core for every row × 3 seeds (measured, seed 0, 1 thread): the GAN at widths
         16/16, batch 64, z 32, ~0.11 s per iteration → ~370 iterations at ρ = 0.1 (12 passes over D_c) and 312 at
         ρ = 1.0 (one pass; the smoke rule's minimum of ``gan_logs`` passes would be 1,250 there), ~40 s per GAN;
         Adam lr 1e-3 for G and D (the paper's 1e-4 / 4e-4 reached 52% teacher agreement with the conditioning
         label after 310 iterations, 1e-3 reached 80%; width 32 cost 2.5× per iteration); EMA decay 0.99 from
         iteration 100. |D_s| = 10,000 (N = ⌊10,000 / 2,000⌋ = 5 at ρ = 0.1); students LeNet-5-half, 4 epochs of
         the hybrid set (~1,250 steps at ρ = 0.1), the paper's SGD 0.05 with its step decay as fractions (after 2
         epochs SGD reached 80.6%, Adam 1e-3 73.8% — so the paper's optimiser stays), ~2,500 img/s with the
         teacher's forward pass. VKD (Table 2's vanilla-KD row) at SGD lr 0.01: at the paper's 0.05 the τ² = 16
         of its KD term killed the LeNet-5-half (no BatchNorm) — 10.1%, chance, a constant loss (measured, seed 0);
         of {0.01, 0.005} tried, 0.01 learned best (77.6%, 75.6%). Table 2: the three single-term ablations and all-three-off (the pairs skipped);
         Fig. 2c: N ∈ {1, 2, 5 = auto, 10}; 3 seeds (teacher, pool draw, GAN and student all follow the seed).
  paper: CIFAR-10, ResNet-34 → ResNet-18; the pool is Tiny-ImageNet (an ImageNet subset: kdnb has no 32-px ImageNet
         copy), ρ = 0.1 / 1.0; GAN 500 epochs over D_c, batch 100, widths 128/64 (a DCGAN-style G, not BigGAN);
         |D_s| = 50,000; students 240 epochs, SGD 0.05, batch 64, crop + flip. GPU only.
"""
from __future__ import annotations

import math

import pandas as pd

from kdnb import paper
from kdnb.engine import Schedule
from kdnb.methods import TeacherRun, params
from kdnb.methods.hybrid import FULL, Collected, GANRun, HybridRun
from kdnb.recipes.rows import Row, configs_of, run_rows

NAN = float("nan")
RHOS = (0.1, 1.0)

# Table 2's generation rows: which teacher-guided terms are off
ABLATIONS = {
    "w/o L_blend": ("blend",), "w/o L_trans": ("trans",), "w/o L_reg": ("reg",),
    "w/o L_blend, L_trans": ("blend", "trans"), "w/o L_blend, L_reg": ("blend", "reg"),
    "w/o L_trans, L_reg": ("trans", "reg"), "w/o L_blend, L_trans, L_reg": ("blend", "trans", "reg"),
}
SMOKE_ABLATIONS = ("w/o L_blend", "w/o L_trans", "w/o L_reg", "w/o L_blend, L_trans, L_reg")

SCALE = {
    "smoke": dict(dataset="digits", teacher="lenet5", student="lenet5_half", train_limit=700, teacher_epochs=15,
                  teacher_batch=64, teacher_lr=0.05, teacher_augment="none",
                  pools=(("held_out", None), ("dataset:photos", 500), ("leaves", 200)),
                  gan=dict(batch_size=16, z_dim=16, g_width=16, d_width=8, d_features=32, ema_decay=0.95,
                           ema_start=20, g_lr=2e-3, d_lr=2e-3), gan_iterations=100, gan_logs=3,
                  train=dict(synthetic=700, epochs=4, optimizer="adam", lr=3e-3, weight_decay=0.0, eval_every=1),
                  runs=1, ablations=SMOKE_ABLATIONS, inflations=(1, None, 20),
                  stand_in="stand-in: digits LeNet-5 → LeNet-5-half, a ~100-iteration GAN, ~80 student steps"),
    "lab": dict(dataset="mnist", teacher="lenet5", student="lenet5_half", train_limit=20_000, teacher_epochs=5,
                teacher_batch=128, teacher_lr=0.05, teacher_augment="none",
                pools=(("held_out", None), ("dataset:digits", None), ("dataset:photos", 5_000), ("leaves", 5_000)),
                gan=dict(batch_size=64, z_dim=32, g_width=16, d_width=16, d_features=64, ema_decay=0.99,
                         ema_start=100, g_lr=1e-3, d_lr=1e-3), gan_iterations=400, gan_logs=4, gan_min_epochs=1,
                train=dict(synthetic=10_000, epochs=4, eval_every=1), kd_train=dict(lr=0.01), runs=3,
                ablations=SMOKE_ABLATIONS,
                inflations=(1, 2, None, 10),
                stand_in="stand-in: MNIST LeNet-5 → LeNet-5-half (the paper: CIFAR-10 ResNets, ImageNet as the pool)"),
    "paper": dict(dataset="cifar10", teacher="resnet34", student="resnet18", train_limit=None, teacher_epochs=200,
                  teacher_batch=128, teacher_lr=0.1, teacher_augment="standard",
                  pools=(("dataset:tinyimagenet", None),),
                  gan=dict(batch_size=100, z_dim=128, g_width=128, d_width=64, d_features=256, ema_decay=0.9999,
                           ema_start=1000), gan_iterations=None, gan_logs=50,
                  train=dict(synthetic=50_000, epochs=240, augment="standard", eval_every=10), runs=1,
                  ablations=tuple(ABLATIONS), inflations=(1, 2, 5, None, 20),
                  stand_in="pool: Tiny-ImageNet for ImageNet; DCGAN-style G for BigGAN"),
}

DATA_ROWS = {"hybrid": "hybrid (D_s + N·D_c)", "collected": "collected only (D_c)", "synthetic": "synthetic only (D_s)"}


def teacher(scale: str, seed: int = 0) -> TeacherRun:
    s = SCALE[scale]
    return TeacherRun(s["dataset"], s["teacher"], Schedule(epochs=s["teacher_epochs"], batch_size=s["teacher_batch"],
                                                           lr=s["teacher_lr"], weight_decay=5e-4,
                                                           augment=s["teacher_augment"]),
                      seed=seed, train_limit=s["train_limit"])


def original_size(scale: str) -> int:
    """|D_o| (the teacher's training set) without loading it: the scale's train_limit, else the dataset's size."""
    s = SCALE[scale]
    return s["train_limit"] or {"cifar10": 50_000}[s["dataset"]]


def gan_config(scale: str, rho: float = 0.1, off: tuple = (), seed: int = 0) -> GANRun:
    """The full GAN at ``rho`` with the terms ``off`` set to 0. At smoke and lab the epochs over D_c are chosen so
    that every ρ gets about the scale's ``gan_iterations`` (a multiple of ``gan_logs`` passes, at least that many;
    with ``gan_min_epochs`` below it, a large D_c gets fewer whole passes instead); at paper scale the paper's 500
    epochs."""
    s = SCALE[scale]
    bs = s["gan"]["batch_size"]
    per_epoch = max(1, math.floor(rho * original_size(scale)) // bs)
    if s["gan_iterations"]:
        logs = s["gan_logs"]
        passes = s["gan_iterations"] / per_epoch
        if passes < logs and s.get("gan_min_epochs", logs) < logs:  # a large D_c: whole passes, one log each
            epochs = max(s["gan_min_epochs"], round(passes))
            log_every = 1
        else:
            epochs = max(logs, round(passes / logs) * logs)
            log_every = epochs // logs
    else:
        epochs, log_every = 500, 10
    terms = params(**{k: (0.0 if k in off else v) for k, v in FULL})
    return GANRun(teacher(scale, seed), Collected(rho, s["pools"], seed=seed), terms=terms, epochs=epochs,
                  log_every=log_every, seed=seed, **s["gan"])


def student_config(scale: str, gan: GANRun, data: str = "hybrid", loss: str = "align", seed: int = 0,
                   inflation: int | None = None) -> HybridRun:
    """The scale's student on ``gan``'s data; ``inflation`` N (None: ⌊|D_s|/|D_c|⌋, the paper's choice)."""
    s = SCALE[scale]
    train = {**s["train"], **(s.get("kd_train", {}) if loss == "kd" else {})}
    return HybridRun(gan, s["student"], data=data, loss=loss, seed=seed, inflation=inflation, **train)


def _runs(scale):
    return range(SCALE[scale]["runs"])


def table1_rows(scale: str, seed: int = 0) -> list[Row]:
    s = SCALE[scale]
    return [Row({"method": "HiDFD", "rho": rho, "run": r},
                student_config(scale, gan_config(scale, rho, seed=seed + r), seed=seed + r), note=s["stand_in"])
            for rho in RHOS for r in _runs(scale)]


def table2_rows(scale: str, seed: int = 0) -> list[Row]:
    s = SCALE[scale]
    names = s["ablations"]
    rows = []
    for r in _runs(scale):
        full = gan_config(scale, 0.1, seed=seed + r)
        rows.append(Row({"type": NAN, "algorithm": "HiDFD", "run": r}, student_config(scale, full, seed=seed + r),
                        note=s["stand_in"]))
        rows += [Row({"type": "Teacher-Guided Generation", "algorithm": a, "run": r},
                     student_config(scale, gan_config(scale, 0.1, ABLATIONS[a], seed + r), seed=seed + r),
                     note=s["stand_in"]) for a in names]
        rows.append(Row({"type": "Student Distillation", "algorithm": "VKD", "run": r},
                        student_config(scale, full, loss="kd", seed=seed + r), note=s["stand_in"]))
    return rows


def data_rows(scale: str, seed: int = 0) -> list[Row]:
    s = SCALE[scale]
    return [Row({"data": label, "run": r},
                student_config(scale, gan_config(scale, 0.1, seed=seed + r), data=d, seed=seed + r),
                note=s["stand_in"]) for d, label in DATA_ROWS.items() for r in _runs(scale)]


def inflation_label(n: int | None) -> str:
    return "auto" if n is None else str(n)


def inflation_rows(scale: str, seed: int = 0) -> list[Row]:
    """Fig. 2c: the full HiDFD student at ρ = 0.1 on D_s + N·D_c for the scale's ``inflations`` (None = auto,
    ⌊|D_s|/|D_c|⌋: the same config, so the same cached run, as Table 2's HiDFD row); the GAN of each seed shared."""
    s = SCALE[scale]
    return [Row({"N": inflation_label(n), "run": r},
                student_config(scale, gan_config(scale, 0.1, seed=seed + r), seed=seed + r, inflation=n),
                note=s["stand_in"]) for n in s["inflations"] for r in _runs(scale)]


def _describe(row: Row, m: dict) -> dict:
    gan = m.get("gan", {})
    return {"accuracy": m.get("test_acc"), "accuracy_max": m.get("test_acc_max"),
            "teacher_accuracy": m.get("teacher_acc"), "collected": m.get("collected_size"),
            "inflation": m.get("inflation"), "gan_agreement": gan.get("teacher_agreement_raw", NAN)}


def run_table1(scale: str, ctx, seed: int = 0):
    return run_rows(table1_rows(scale, seed), ctx, _describe)


def run_table2(scale: str, ctx, seed: int = 0):
    return run_rows(table2_rows(scale, seed), ctx, _describe)


def run_data(scale: str, ctx, seed: int = 0):
    return run_rows(data_rows(scale, seed), ctx, _describe)


def run_inflation(scale: str, ctx, seed: int = 0):
    return run_rows(inflation_rows(scale, seed), ctx, _describe)


def summarise(runs: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Mean and sample std (ddof = 1; NaN for one run) of the final accuracy over runs, per key."""
    def one(g):
        return pd.Series({"accuracy": g["accuracy"].mean(), "accuracy_std": g["accuracy"].std(ddof=1),
                          "teacher_accuracy": g["teacher_accuracy"].mean(), "gan_agreement": g["gan_agreement"].mean(),
                          "runs": int(g["accuracy"].notna().sum()),
                          "status": "; ".join(sorted(set(g["status"]) - {""}))})
    return runs.groupby(keys, sort=False, dropna=False).apply(one, include_groups=False).reset_index()


def paired(a: pd.DataFrame, b: pd.DataFrame) -> tuple[float, float, int]:
    """Δ = a − b of the final accuracy, paired by run (the same seed: teacher, pool, GAN and student): (mean,
    sample std (ddof = 1; NaN for one pair), number of pairs)."""
    d = (a.set_index("run")["accuracy"] - b.set_index("run")["accuracy"]).dropna()
    return float(d.mean()) if len(d) else NAN, float(d.std(ddof=1)) if len(d) > 1 else NAN, len(d)


def verdict(mean: float, std: float, n: int) -> str:
    """'holds' when Δ > 0 by more than twice its standard error (paired t > 2), 'same sign, within the spread'
    when Δ > 0 by less, 'does not hold' when Δ ≤ 0; 'not run' without a pair."""
    if n == 0 or not math.isfinite(mean):
        return "not run"
    if mean <= 0:
        return "does not hold"
    if n == 1:
        return "holds (one run)"
    return "holds" if mean > 2 * std / math.sqrt(n) else "same sign, within the spread"


def claims(t1_runs: pd.DataFrame, t2_runs: pd.DataFrame, data_runs: pd.DataFrame,
           inflation_runs: pd.DataFrame) -> pd.DataFrame:
    """The paper's claims, each as Δ = (the paper's better arm) − (the other) of our final accuracies paired by
    seed, beside the paper's Δ on CIFAR-10 where it prints one, with :func:`verdict` and a sentence."""
    def alg(name):
        return t2_runs[t2_runs["algorithm"] == name]

    q2 = paper.quoted("D_table2")
    q2 = q2[q2["dataset"] == "CIFAR10"].set_index("algorithm")["accuracy"]
    q1 = paper.quoted("D_table1")
    q1 = q1[(q1["dataset"] == "CIFAR10") & (q1["teacher"] == "ResNet34") & (q1["student"] == "ResNet18")
            & (q1["method"] == "HiDFD")].set_index("rho")["accuracy"]
    full = alg("HiDFD")
    out = []

    def add(claim, a, b, paper_delta=NAN, paper_text=""):
        m, sd, n = paired(a, b)
        v = verdict(m, sd, n)
        spread = f" ± {sd:.2f}" if math.isfinite(sd) else ""
        text = f"{v}: Δ = {m:+.2f}{spread} pp over {n} seed{'s' * (n != 1)}" if n else "not run"
        out.append({"claim": claim, "delta": m, "delta_std": sd, "runs": n, "verdict": v, "statement": text,
                    "paper delta (CIFAR-10)": paper_delta, "paper": paper_text})

    for a in [x for x in t2_runs["algorithm"].unique() if str(x).startswith("w/o")]:
        terms = a[len("w/o "):]
        add(f"{terms} help{'s' * (',' not in terms)}: HiDFD > {a}", full, alg(a),
            q2.get("HiDFD", NAN) - q2.get(a, NAN), "Table 2")
    if (t2_runs["algorithm"] == "VKD").any():
        add("classifier sharing + L_align > vanilla KD (VKD)", full, alg("VKD"),
            q2.get("HiDFD", NAN) - q2.get("VKD", NAN), "Table 2")
    for key, label in (("collected", DATA_ROWS["collected"]), ("synthetic", DATA_ROWS["synthetic"])):
        add(f"hybrid > {label}", data_runs[data_runs["data"] == DATA_ROWS["hybrid"]],
            data_runs[data_runs["data"] == label], NAN, "§ 3, Fig. 1 (no number printed)")
    if len(t1_runs):
        add("more collected data helps: HiDFD ρ = 1.0 > ρ = 0.1", t1_runs[t1_runs["rho"] == 1.0],
            t1_runs[t1_runs["rho"] == 0.1], q1.get(1.0, NAN) - q1.get(0.1, NAN), "Table 1")
    if len(inflation_runs):
        ns = [n for n in inflation_runs["N"].unique() if n != "auto"]
        auto = inflation_runs[inflation_runs["N"] == "auto"]
        below = [n for n in ns if int(n) < int(auto["inflation"].dropna().iloc[0])] if auto["inflation"].notna().any() else []
        above = [n for n in ns if n not in below]
        if below:
            add(f"inflating helps: N = auto > N = {min(below, key=int)}", auto,
                inflation_runs[inflation_runs["N"] == min(below, key=int)], NAN, "Fig. 2c: accuracy rises with N")
        if above:
            add(f"excessive inflation hurts: N = auto > N = {max(above, key=int)}", auto,
                inflation_runs[inflation_runs["N"] == max(above, key=int)], NAN,
                "Fig. 2c: best at N = 10 = ⌊|D_s|/|D_c|⌋, worse above")
    return pd.DataFrame(out)


def inflation_curve(inflation_runs: pd.DataFrame) -> pd.DataFrame:
    """Fig. 2c: mean ± sample std of the final accuracy per N (the resolved N, sorted), and which N is best."""
    g = inflation_runs.groupby("inflation")["accuracy"]
    curve = pd.DataFrame({"accuracy": g.mean(), "accuracy_std": g.std(ddof=1), "runs": g.count()}).reset_index()
    labels = inflation_runs.drop_duplicates("inflation").set_index("inflation")["N"]
    curve.insert(0, "N", curve["inflation"].map(labels))
    curve["best"] = curve["accuracy"] == curve["accuracy"].max()
    return curve.sort_values("inflation").reset_index(drop=True)


def load_student(record, cfg: HybridRun, ctx):
    """The trained student of a finished :class:`HybridRun` (behind the teacher's shared classifier for L_align),
    in eval mode on ``ctx.device``."""
    from kdnb.methods.common import trained_teacher
    from kdnb.methods.hybrid import student_model
    _, teacher = trained_teacher(cfg.gan.teacher, ctx)
    model = student_model(record.metrics["model"], cfg.loss, teacher)
    model.load_state_dict(record.load("model.pt"))
    return model.to(ctx.device).eval()


def per_class_accuracy(named: dict, ctx) -> pd.DataFrame:
    """Test accuracy (%) per class of each finished student ``{name: (record, HybridRun)}``: one column each."""
    from kdnb.engine import predict
    out = {}
    for name, (rec, cfg) in named.items():
        test = cfg.gan.teacher.data("test", ctx)
        pred = predict(load_student(rec, cfg, ctx), test.x.to(ctx.device)).argmax(1).cpu()
        y = test.y.cpu()
        out[name] = [float((pred[y == k] == k).float().mean() * 100) for k in range(int(y.max()) + 1)]
    return pd.DataFrame(out).rename_axis("class")


def beside_table1(summary: pd.DataFrame, scale: str) -> pd.DataFrame:
    """Ours (the HiDFD rows) beside paper D Table 1's CIFAR-10 ResNet-34 → ResNet-18 block."""
    ours = summary.assign(dataset="CIFAR10", teacher="ResNet34", student="ResNet18")
    side = paper.beside(ours, "D_table1", on=["dataset", "teacher", "student", "method", "rho"], scale=scale)
    keep = (side["dataset"] == "CIFAR10") & (side["teacher"] == "ResNet34") & (side["student"] == "ResNet18")
    return _with_spread(side[keep].reset_index(drop=True), summary, ["method", "rho"])


def beside_table2(summary: pd.DataFrame, scale: str) -> pd.DataFrame:
    """Ours beside paper D Table 2's CIFAR-10 column; the paper's drops recomputed as HiDFD − row."""
    ours = summary.assign(dataset="CIFAR10")
    side = paper.beside(ours, "D_table2", on=["type", "algorithm", "dataset"], scale=scale)
    side = side[side["dataset"] == "CIFAR10"].reset_index(drop=True)
    for col in [c for c in side.columns if c.startswith("accuracy (")]:
        full = side.loc[side["algorithm"] == "HiDFD", col]
        side[f"drop {col[len('accuracy '):]}"] = (full.iloc[0] if len(full) else NAN) - side[col]
    return _with_spread(side, summary, ["type", "algorithm"])


def _with_spread(side: pd.DataFrame, summary: pd.DataFrame, on: list[str]) -> pd.DataFrame:
    """``side`` with our sample std and run count beside our mean (NaN for the paper's rows we did not run)."""
    extra = summary[on + ["accuracy_std", "runs"]].rename(columns={"accuracy_std": "std (ours)", "runs": "runs (ours)"})
    return side.merge(extra, on=on, how="left")


def configs(scale: str, seed: int = 0) -> list:
    """The runs notebook 40 executes at ``scale`` (their GANs and teachers sit inside each)."""
    return configs_of(table1_rows(scale, seed), table2_rows(scale, seed), data_rows(scale, seed),
                      inflation_rows(scale, seed))


NOTEBOOKS = {"40_D_table1_table2_hybrid": configs}  # notebook → the runs it executes (python -m kdnb plan / sweep)


__all__ = ["NOTEBOOKS", "SCALE", "RHOS", "ABLATIONS", "SMOKE_ABLATIONS", "DATA_ROWS", "teacher", "original_size", "gan_config",
           "student_config", "table1_rows", "table2_rows", "data_rows", "inflation_rows", "inflation_label", "run_table1", "run_table2",
           "run_data", "run_inflation",
           "summarise", "load_student", "per_class_accuracy", "paired", "verdict", "claims", "inflation_curve", "beside_table1", "beside_table2", "configs"]
