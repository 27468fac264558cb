"""Notebooks 30–32: paper C (Shin & Choi, AAAI'24, TA-DFKD), scale → configs and one call per experiment.

Protocol (paper C §"Training Details" and appendix; the official code's values where the paper is silent, never its
bugs — ``kdnb.methods.datafree`` says which is which): one generator engine, the methods as presets of it
(``PRESETS``), a teacher frozen from its own run, the student evaluated on the teacher's test set after every epoch;
acc_max = max over epochs and repeated runs, acc_last[k] = per-run mean of the last k evaluations, then mean ± std
over runs (**sample** std, ddof = 1; NaN for a single run).

Scales
  smoke: scikit-learn's digits (28 px, grey), teacher LeNet-5 with BatchNorm (``lenet5_bn``: BNS needs BN layers;
         plain LeNet-5 has none) → LeNet-5-half, generator width 16, z 64, batch 32, 8 epochs. DAFL keeps its joint
         step; DFAD and paper C's presets take 2 S + 1 G (not 5 or 10) and every student Adam 3e-3: with a few
         hundred steps in all, the generator needs the updates and SGD 0.01 leaves every student at chance
         (measured). One run per preset, seconds each on one CPU thread. Numbers beside the paper's CIFAR-10 rows
         are **stand-ins**.
  lab:   real MNIST, the same pair (as DAFL's MNIST LeNet-5 → LeNet-5-half), generator width 32, batch 256,
         each preset's own batch/latent otherwise; ~250 TA/DFAD iterations or ~1,000 DAFL joint steps per run
         (specs §1.9: ≈ 6 CPU-minutes each), 3 runs per cell.
  paper: CIFAR-10, ResNet-34 → ResNet-18, generator width 128, z 1000, batch 1024, 200 epochs × 36 iterations ×
         (10 S + 1 G), crop+flip train view per image, 4 runs; DAFL with its CIFAR loss weights (oh 0.05, ie 5,
         a 0.01), lr_G 0.02, SGD lr_S 0.1 (its README); DFAD with its MNIST step structure and 200 epochs (its CIFAR
         values are not in our notes: marked in the row's note). GPU only.
"""
from __future__ import annotations

from dataclasses import replace

import pandas as pd
import torch

from kdnb import paper
from kdnb.engine import Schedule, predict
from kdnb.fid import feature_fid
from kdnb.methods import TeacherRun, load_model, params
from kdnb.methods.datafree import NOT_RUN, PRESETS, Optim, components, preset
from kdnb.models import build_generator
from kdnb.recipes.rows import Row, configs_of, run_rows
from kdnb.runs import Context, run
from kdnb.selection import gmm

NAN = float("nan")
COMPARISON = ("DAFL", "DFAD", "DAFL+DFAD", "ADI-lite", "TA-DFKD")  # notebook 30 (paper C Table 3's rivals + Fig. 1a)
ABLATION = ("Baseline", "w/o class-prior", "TA-DFKD")  # notebook 31 (paper C Table 4)
TA_FAMILY = ("ADI-lite", "Baseline", "w/o class-prior", "TA-DFKD")  # paper C's own schedule

SCALE = {
    "smoke": dict(dataset="digits", teacher="lenet5_bn", student="lenet5_half", teacher_epochs=15, teacher_batch=64,
                  teacher_lr=0.05, teacher_augment="none", width=16, batch=32, epochs=8, runs=1, last_k=3,
                  iterations={"DAFL": 15, "DAFL+DFAD": 15, "DFAD": 10, "TA": 10}, z_dim=None, augment="none",
                  stand_in="stand-in: digits LeNet-5-BN → LeNet-5-half, a few hundred student steps"),
    "lab": dict(dataset="mnist", teacher="lenet5_bn", student="lenet5_half", teacher_epochs=10, teacher_batch=128,
                teacher_lr=0.05, teacher_augment="none", width=32, batch=256, epochs=None, runs=3, last_k=3,
                iterations=None, lab_epochs={"DAFL": 8, "DAFL+DFAD": 8, "DFAD": 5, "TA": 7}, z_dim=None,
                augment="none", stand_in="stand-in: MNIST LeNet-5-BN → LeNet-5-half (the paper: CIFAR-10 ResNets)"),
    "paper": dict(dataset="cifar10", teacher="resnet34", student="resnet18", teacher_epochs=200, teacher_batch=128,
                  teacher_lr=0.1, teacher_augment="standard", width=128, batch=1024, epochs=200, runs=4, last_k=10,
                  iterations=None, z_dim=1000, augment="crop_flip", stand_in=""),
}


def _family(method: str) -> str:
    return "TA" if method in TA_FAMILY else method


def teacher(scale: str, seed: int = 0) -> TeacherRun:
    """The frozen teacher. Paper C's are snapshots of one long DAFL-recipe run; ours is one run of kdnb's recipe
    (SGD with a cosine schedule; at paper scale augmentation 'standard', paper A's, in place of DAFL's crop+flip)."""
    s = SCALE[scale]
    return TeacherRun(s["dataset"], s["teacher"], Schedule(epochs=s["teacher_epochs"], batch_size=s["teacher_batch"],
                                                           lr=s["teacher_lr"], weight_decay=5e-4,
                                                           augment=s["teacher_augment"]), seed=seed)


def method_config(scale: str, method: str, seed: int = 0, teacher_seed: int = 0):
    """The config of ``method`` (a preset) at ``scale``, run ``seed``: the preset's terms and step structure, the
    scale's sizes."""
    s = SCALE[scale]
    fam = _family(method)
    over = dict(generator_width=s["width"], batch_size=s["batch"], augment=s["augment"], last_k=s["last_k"], seed=seed)
    if scale == "smoke":
        over.update(epochs=s["epochs"], iterations=s["iterations"][fam], z_dim=64, student_opt=Optim("adam", 3e-3))
        if not PRESETS[method].get("joint"):
            over.update(student_steps=2)
    elif scale == "lab":
        over.update(epochs=s["lab_epochs"][fam])
    else:
        over.update(epochs=s["epochs"], z_dim=s["z_dim"])
        if method in ("DAFL", "DAFL+DFAD"):  # DAFL's CIFAR values (public copies' header and README)
            over.update(terms=dict(PRESETS[method]["terms"], cls=0.05, act=0.01), generator_opt=Optim("adam", 0.02),
                        student_opt=Optim("sgd", 0.1, 0.9, 5e-4, True))
    return preset(method, teacher(scale, teacher_seed), s["student"], **over)


def _rows(scale: str, methods, seed: int) -> list[Row]:
    s = SCALE[scale]
    return [Row({"method": m, "run": r}, method_config(scale, m, seed + r, seed), note=s["stand_in"])
            for m in methods for r in range(s["runs"])]


def comparison_rows(scale: str, seed: int = 0) -> list[Row]:
    return _rows(scale, COMPARISON, seed)


def ablation_rows(scale: str, seed: int = 0) -> list[Row]:
    return _rows(scale, ABLATION, seed)


def _describe(row: Row, m: dict) -> dict:
    return {"teacher_accuracy": m.get("teacher_acc"), "acc_max": m.get("acc_max"), "acc_last": m.get("acc_last"),
            "last_k": m.get("last_k"), "kept_first": m.get("kept_s_first", NAN), "kept_last": m.get("kept_s_last", NAN)}


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per method: acc_max = max over epochs and runs; acc_last = mean over runs of each run's acc_last[k],
    with the sample std (ddof = 1) over runs; how many runs finished."""
    def one(g):
        return pd.Series({"teacher_accuracy": g["teacher_accuracy"].mean(), "acc_max": g["acc_max"].max(),
                          "acc_last": g["acc_last"].mean(), "acc_last_std": g["acc_last"].std(ddof=1),
                          "runs": int(g["acc_max"].notna().sum()), "kept_last": g["kept_last"].mean(),
                          "status": "; ".join(sorted(set(g["status"]) - {""}))})
    order = list(dict.fromkeys(runs["method"]))
    out = runs.groupby("method", sort=False).apply(one, include_groups=False).reset_index()
    return out.set_index("method").loc[order].reset_index()


def run_comparison(scale: str, ctx: Context, seed: int = 0):
    """Every preset of notebook 30, every run: (per-run table, records by (method, run))."""
    return run_rows(comparison_rows(scale, seed), ctx, _describe)


def run_ablation(scale: str, ctx: Context, seed: int = 0):
    """Paper C Table 4's three rows (Baseline, w/o class-prior, TA-DFKD), every run."""
    return run_rows(ablation_rows(scale, seed), ctx, _describe)


def table1() -> pd.DataFrame:
    """Paper C Table 1 derived from our presets' terms (which losses each uses), in the paper's long layout."""
    out = []
    for m in ("DAFL", "DFAD", "ADI-lite", "TA-DFKD"):
        for comp, (uses, variant) in components(method_config("smoke", m)).items():
            out.append({"method": "ADI" if m == "ADI-lite" else m, "component": comp, "uses": float(uses),
                        "variant": variant, "status": "lite: on paper C's generator" if m == "ADI-lite" else ""})
    return pd.DataFrame(out)


def beside_table1() -> pd.DataFrame:
    side = paper.beside(table1(), "C_table1", on=["method", "component"], value="uses", scale="config")
    return _not_run_reasons(side)


def _not_run_reasons(side: pd.DataFrame) -> pd.DataFrame:
    for m, why in NOT_RUN.items():
        side.loc[(side["method"] == m) & (side["status"] == paper.NOT_RUN), "status"] = why
    return side


def beside_table3(summary: pd.DataFrame, scale: str) -> pd.DataFrame:
    """Ours beside paper C Table 3's CIFAR-10 T1 rows (acc_max and acc_last[10]); at smoke and lab ours are
    stand-ins on digits / MNIST, which each row's status says."""
    rows = []
    for _, r in summary.iterrows():
        for metric in ("acc_max", "acc_last"):
            rows.append({"dataset": "CIFAR-10", "teacher": "T1", "method": r["method"], "metric": metric,
                         "accuracy": r[metric], "status": r["status"]})
    side = paper.beside(pd.DataFrame(rows), "C_table3", on=["dataset", "teacher", "method", "metric"],
                        value="accuracy", scale=scale)
    side = side[(side["dataset"] == "CIFAR-10") & (side["teacher"] == "T1")].reset_index(drop=True)
    return _not_run_reasons(side)


def beside_table4(summary: pd.DataFrame, scale: str) -> pd.DataFrame:
    """Ours (acc_max) beside paper C Table 4's T1 column (CIFAR-100 peak accuracies)."""
    ours = summary.assign(teacher="T1", accuracy=summary["acc_max"])[["method", "teacher", "accuracy", "status"]]
    side = paper.beside(ours, "C_table4", on=["method", "teacher"], value="accuracy", scale=scale)
    return side[side["teacher"] == "T1"].reset_index(drop=True)


def selection_view(cfg, ctx: Context, n: int = 256, seed: int = 0) -> dict:
    """Paper C Fig. 5(b) for the finished run of ``cfg``: one fresh batch of ``n`` images from its final generator,
    the teacher's per-sample losses ℓ_ce, min-max normalised as fitted, the fitted two-component GMM and δ_τ."""
    record = run(cfg, ctx)
    teacher_model = load_model(run(cfg.teacher, ctx), device=ctx.device)
    g = build_generator(**record.metrics["generator"]).to(ctx.device)
    g.load_state_dict(record.load("generator.pt", map_location=ctx.device))
    z = torch.randn(n, cfg.z_dim, device=ctx.device, generator=torch.Generator(device=ctx.device).manual_seed(seed))
    with torch.no_grad():
        logits = teacher_model(g(z))  # the generator in training mode, as it was used
    losses = gmm.confidence_loss(logits)
    v, flat = gmm.normalise(losses)
    mix = gmm.fit(v)
    return {"losses": losses.cpu(), "normalised": v.cpu(), "means": mix.means.cpu(), "variances": mix.variances.cpu(),
            "weights": mix.weights.cpu(), "small": int(mix.small), "posterior_small": mix.posterior_small().cpu(),
            "keep": gmm.select(losses, cfg.tau).cpu(), "tau": cfg.tau, "flat": bool(flat)}


ALPHAS = {"smoke": (0.0, 0.5, 1.0), "lab": (0.0, 0.25, 0.5, 0.75, 1.0), "paper": (0.0, 0.25, 0.5, 0.75, 1.0)}
FID_SAMPLES = {"smoke": 512, "lab": 10_000, "paper": 10_000}


def alpha_config(scale: str, alpha: float, seed: int = 0):
    """Paper C Fig. 2 / Table 2: the Baseline (Eq. 2) with class-prior weight α, L_Adv and L_Rep fixed. α = 0 is
    the ``w/o class-prior`` preset and α = 1 the ``Baseline`` itself (the runs of notebook 31)."""
    if alpha == 0:
        return method_config(scale, "w/o class-prior", seed, seed)
    base = method_config(scale, "Baseline", seed, seed)
    return base if alpha == 1 else replace(base, terms=params(**dict(base.terms, cls=float(alpha))))


def fid_rows(scale: str, seed: int = 0) -> list[Row]:
    s = SCALE[scale]
    note = (s["stand_in"] + "; " if s["stand_in"] else "") + "FID from the teacher's penultimate features"
    return [Row({"alpha": float(a), "teacher": "T1"}, alpha_config(scale, a, seed), note=note) for a in ALPHAS[scale]]


def generator_fid(cfg, ctx: Context, n: int, seed: int = 0) -> float:
    """FID (teacher features) between ``n`` images of the final generator of ``cfg`` and the real test set: the
    teacher's penultimate features of both (Inception-v3 weights are not available offline; labelled so)."""
    record = run(cfg, ctx)
    t = load_model(run(cfg.teacher, ctx), device=ctx.device)
    g = build_generator(**record.metrics["generator"]).to(ctx.device)
    g.load_state_dict(record.load("generator.pt", map_location=ctx.device))
    gen = torch.Generator(device=ctx.device).manual_seed(seed)
    fake = []
    with torch.no_grad():  # batches of the training batch size, the generator in training mode as it was used
        for _ in range(-(-n // cfg.batch_size)):
            x = g(torch.randn(cfg.batch_size, cfg.z_dim, device=ctx.device, generator=gen)).clamp(0, 1)
            fake.append((x * 255).round().to(torch.uint8))
    _, f_fake = predict(t, torch.cat(fake)[:n], features=True)
    _, f_real = predict(t, cfg.teacher.data("test", ctx).x.to(ctx.device), features=True)
    return feature_fid(f_fake.cpu(), f_real.cpu())


def run_fid(scale: str, ctx: Context, seed: int = 0):
    """Table 2 / Fig. 2: per α the run, its student's acc_max and its generator's FID (teacher features)."""
    rows = fid_rows(scale, seed)
    table, records = run_rows(rows, ctx, lambda row, m: {"acc_max": m.get("acc_max")})
    table.insert(2, "fid", [generator_fid(r.config, ctx, FID_SAMPLES[scale], seed) if records[r.name] is not None
                            else NAN for r in rows])
    return table, records


def configs(scale: str, seed: int = 0) -> list:
    """The runs notebooks 30–32 execute at ``scale`` (their teacher sits inside each)."""
    return configs_of(comparison_rows(scale, seed), ablation_rows(scale, seed), fid_rows(scale, seed))


__all__ = ["SCALE", "COMPARISON", "ABLATION", "teacher", "method_config", "comparison_rows", "ablation_rows",
           "summarise", "run_comparison", "run_ablation", "selection_view", "table1", "beside_table1", "beside_table3", "beside_table4",
           "ALPHAS", "alpha_config", "fid_rows", "generator_fid", "run_fid", "configs"]
