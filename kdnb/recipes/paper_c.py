"""Notebooks 30–34: paper C (Shin & Choi, AAAI'24, TA-DFKD), scale → configs and one call per experiment.

Protocol (paper C §"Training Details" and appendix; the official code's values where the paper is silent, never its
bugs — ``kdnb.methods.datafree`` says which is which): one generator engine, the methods as presets of it
(``PRESETS``), a teacher frozen from its own run, the student evaluated on the teacher's test set after every epoch;
acc_max = max over epochs and repeated runs, acc_last[k] = per-run mean of the last k evaluations, then mean ± std
over runs (**sample** std, ddof = 1; NaN for a single run).

Scales
  smoke: scikit-learn's digits (28 px, grey), teacher LeNet-5 with BatchNorm (``lenet5_bn``: BNS needs BN layers;
         plain LeNet-5 has none) → LeNet-5-half, generator width 16, z 64, batch 32, 8 epochs. DAFL keeps its joint
         step; DFAD and paper C's presets take 2 S + 1 G (not 5 or 10) and every student Adam 3e-3: with 120–160
         student steps in all, the generator needs the updates, and with SGD 0.01 the students stayed at or near chance
         (measured). One run per preset, seconds each on one CPU thread. Numbers beside the paper's CIFAR-10 rows
         are **stand-ins**.
  lab:   real MNIST, the same pair (as DAFL's MNIST LeNet-5 → LeNet-5-half), three teachers (seeds of one recipe,
         4 epochs, ≈ 99%), generator width 32, batch 64, z 100 (DAFL, DFAD) or 256 (paper C's family; the paper:
         1000), 16 epochs of equal student work for every preset: 480 student steps (DAFL: 30 joint steps per
         epoch; the others 10 iterations of 3 S + 1 G), students Adam (see ``_LAB_STUDENT``), acc_last over the last
         4 of 16 evaluations; 3 runs per cell. ~1 CPU-minute per run, ~65 for notebooks 30–34.
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
from kdnb.runs import Context, missing_status, run
from kdnb.selection import gmm

NAN = float("nan")
COMPARISON = ("DAFL", "DFAD", "DAFL+DFAD", "ADI-lite", "TA-DFKD")  # notebook 30 (paper C Table 3's rivals + Fig. 1a)
ABLATION = ("Baseline", "w/o class-prior", "TA-DFKD")  # notebook 31 (paper C Table 4)
TA_FAMILY = ("ADI-lite", "Baseline", "w/o class-prior", "TA-DFKD")  # paper C's own schedule

SCALE = {
    "smoke": dict(dataset="digits", teacher="lenet5_bn", student="lenet5_half", teacher_epochs=15, teacher_batch=64,
                  teacher_lr=0.05, teacher_augment="none", width=16, batch=32, epochs=8, runs=1, last_k=3,
                  iterations={"DAFL": 15, "DAFL+DFAD": 15, "DFAD": 10, "TA": 10}, z_dim={}, augment="none", teachers=1,
                  stand_in="stand-in: digits LeNet-5-BN → LeNet-5-half, 120–160 student steps of 32 images"),
    "lab": dict(dataset="mnist", teacher="lenet5_bn", student="lenet5_half", teacher_epochs=4, teacher_batch=128,
                teacher_lr=0.05, teacher_augment="none", width=32, batch=64, epochs=16, runs=3, teachers=3, last_k=4,
                iterations={"DAFL": 30, "DAFL+DFAD": 30, "DFAD": 10, "TA": 10}, z_dim={"TA": 256}, augment="none",
                stand_in="stand-in: MNIST LeNet-5-BN → LeNet-5-half, 480 student steps of 64 (the paper: CIFAR-10 "
                         "ResNets)"),
    "paper": dict(dataset="cifar10", teacher="resnet34", student="resnet18", teacher_epochs=200, teacher_batch=128,
                  teacher_lr=0.1, teacher_augment="standard", width=128, batch=1024, epochs=200, runs=4, last_k=10,
                  teachers=5, iterations=None, z_dim=1000, augment="crop_flip", stand_in=""),
}


# Lab: the students that the presets train with SGD 0.01 take Adam 3e-3 instead. With 480 student steps, TA-DFKD's
# student reached 46.1% with SGD and 67.2% with Adam (teacher seed 0, run 0, measured 2026-12-02); DAFL keeps
# its own Adam 2e-3.
_LAB_STUDENT = {f: dict(student_opt=Optim("adam", 3e-3)) for f in ("DFAD", "TA")}


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
        over.update(epochs=s["epochs"], iterations=s["iterations"][fam], **_LAB_STUDENT.get(fam, {}))
        if fam in s["z_dim"]:
            over["z_dim"] = s["z_dim"][fam]
        if not PRESETS[method].get("joint"):
            over.update(student_steps=3)
    else:
        over.update(epochs=s["epochs"], z_dim=s["z_dim"])
        if method in ("DAFL", "DAFL+DFAD"):  # DAFL's CIFAR values (public copies' header and README)
            over.update(terms=dict(PRESETS[method]["terms"], cls=0.05, act=0.01), generator_opt=Optim("adam", 0.02),
                        student_opt=Optim("sgd", 0.1, 0.9, 5e-4, True))
    return preset(method, teacher(scale, teacher_seed), s["student"], **over)


def teacher_names(scale: str) -> list[str]:
    """T1, T2, ...: the scale's teachers, seeds ``seed``, ``seed + 1``, ... of one recipe (paper C's are snapshots
    of one run; Table 3 has five on CIFAR-10)."""
    return [f"T{i + 1}" for i in range(SCALE[scale]["teachers"])]


def _rows(scale: str, methods, seed: int) -> list[Row]:
    """Every (teacher, method, run) cell: teacher T{i+1} has seed ``seed + i``, run r of every teacher seed
    ``seed + r``."""
    s = SCALE[scale]
    return [Row({"teacher": t, "method": m, "run": r}, method_config(scale, m, seed + r, seed + i), note=s["stand_in"])
            for i, t in enumerate(teacher_names(scale)) for m in methods for r in range(s["runs"])]


def comparison_rows(scale: str, seed: int = 0) -> list[Row]:
    return _rows(scale, COMPARISON, seed)


def ablation_rows(scale: str, seed: int = 0) -> list[Row]:
    return _rows(scale, ABLATION, seed)


def _describe(row: Row, m: dict) -> dict:
    return {"teacher_accuracy": m.get("teacher_acc"), "acc_max": m.get("acc_max"), "acc_last": m.get("acc_last"),
            "last_k": m.get("last_k"), "kept_first": m.get("kept_s_first", NAN), "kept_last": m.get("kept_s_last", NAN)}


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per (teacher, method): acc_max = max over epochs and runs; acc_last = mean over runs of each run's
    acc_last[k], with the sample std (ddof = 1) over runs; how many runs finished."""
    def one(g):
        return pd.Series({"teacher_accuracy": g["teacher_accuracy"].mean(), "acc_max": g["acc_max"].max(),
                          "acc_last": g["acc_last"].mean(), "acc_last_std": g["acc_last"].std(ddof=1),
                          "runs": int(g["acc_max"].notna().sum()), "kept_last": g["kept_last"].mean(),
                          "status": "; ".join(sorted(set(g["status"]) - {""}))})
    return runs.groupby(["teacher", "method"], sort=False).apply(one, include_groups=False).reset_index()


def gaps(runs: pd.DataFrame) -> pd.DataFrame:
    """Paper C Tables A3 and A4 (the values of Figs. 7 and 8), per (teacher, method) from our runs: teacher
    accuracy − acc_max, and acc_max − acc_last[k] (acc_max over runs, acc_last the mean over runs)."""
    s = summarise(runs)
    return s.assign(teacher_minus_max=s["teacher_accuracy"] - s["acc_max"],
                    max_minus_last=s["acc_max"] - s["acc_last"])[
        ["teacher", "method", "teacher_accuracy", "teacher_minus_max", "max_minus_last", "status"]]


def beside_gaps(g: pd.DataFrame, scale: str) -> pd.DataFrame:
    """Ours (``gaps``) beside paper C Tables A3 (teacher − acc_max) and A4 (acc_max − acc_last), CIFAR-10 rows;
    at smoke and lab ours are stand-ins (the status says so)."""
    out = []
    for col, name in (("teacher_minus_max", "C_tableA3"), ("max_minus_last", "C_tableA4")):
        ours = g.assign(dataset="CIFAR-10", gap=g[col])[["dataset", "teacher", "method", "gap", "status"]]
        side = paper.beside(ours, name, on=["dataset", "teacher", "method"], value="gap", scale=scale)
        side = side[(side["dataset"] == "CIFAR-10") & side["teacher"].isin(set(g["teacher"]))]
        out.append(_not_run_reasons(side.assign(table=name[2:])))
    return pd.concat(out, ignore_index=True)


COLLAPSE = 20.0  # a run "collapsed" when its acc_last[k] is at most this (chance on 10 classes is 10%)


def run_gaps(runs: pd.DataFrame) -> pd.DataFrame:
    """The runs with each run's teacher − acc_max, acc_max − acc_last (the values Figs. 7–8 box) and whether it
    collapsed (acc_last ≤ ``COLLAPSE``)."""
    return runs.assign(teacher_minus_max=runs["teacher_accuracy"] - runs["acc_max"],
                       max_minus_last=runs["acc_max"] - runs["acc_last"], collapsed=runs["acc_last"] <= COLLAPSE)


def spread(runs: pd.DataFrame) -> pd.DataFrame:
    """Per method, over every (teacher, run) of :func:`run_gaps`: the mean and sample std of teacher − acc_max and
    of acc_max − acc_last, and how many runs collapsed with each teacher."""
    def one(g):
        per_teacher = g.groupby("teacher", sort=False)["collapsed"].sum()
        return pd.Series({"teacher_minus_max": g["teacher_minus_max"].mean(),
                          "teacher_minus_max_std": g["teacher_minus_max"].std(ddof=1),
                          "max_minus_last": g["max_minus_last"].mean(),
                          "max_minus_last_std": g["max_minus_last"].std(ddof=1),
                          "runs": len(g), "collapsed": " ".join(f"{t}:{int(n)}" for t, n in per_teacher.items())})
    return run_gaps(runs).groupby("method", sort=False).apply(one, include_groups=False).reset_index()


def claims(runs: pd.DataFrame, rate: pd.DataFrame | None = None) -> pd.DataFrame:
    """Paper C's claims about teacher dependence (Fig. 1, Figs. 7–8, Table 3) and the selection rate (§"Ablation
    Study"), each judged on our runs: one row per claim with ``verdict`` ('holds', 'does not hold' or 'not
    judged') and the numbers behind it (``evidence``). ``rate``: :func:`selection_rate` of the runs."""
    sp = spread(runs)
    out = []
    def say(claim, verdict, evidence):
        out.append({"claim": claim, "verdict": verdict, "evidence": evidence})
    frac = run_gaps(runs).groupby(["method", "teacher"], sort=False)["collapsed"].mean().unstack("teacher")
    uneven = [m for m, f in frac.iterrows() if (f > 0).any() and (f == 0).any()]
    everywhere = [m for m, f in frac.iterrows() if (f > 0).all()]
    say(f"a preset collapses (acc_last ≤ {COLLAPSE:g}%) with one teacher but not with another (Fig. 1a)",
        "holds" if uneven else "does not hold",
        (", ".join(f"{m} ({' '.join(f'{t} {v:.0%}' for t, v in frac.loc[m].items())} of runs)" for m in uneven)
         if uneven else "no preset does")
        + (f"; collapsing with every teacher: {', '.join(everywhere)}" if everywhere else ""))
    if (sp["runs"] < 2).any() or "TA-DFKD" not in set(sp["method"]) or len(sp) < 2:
        say("TA-DFKD has the smallest spread of teacher − acc_max and of acc_max − acc_last (Figs. 7–8)",
            "not judged", f"needs TA-DFKD, another preset and ≥ 2 runs of each (fewest here: {int(sp['runs'].min())})")
    else:
        for col, what in (("teacher_minus_max", "teacher − acc_max"), ("max_minus_last", "acc_max − acc_last")):
            std = sp.set_index("method")[f"{col}_std"]
            rival = std.drop("TA-DFKD").idxmin()
            say(f"TA-DFKD has the smallest spread of {what} ({'Fig. 7' if col == 'teacher_minus_max' else 'Fig. 8'})",
                "holds" if std.idxmin() == "TA-DFKD" else "does not hold",
                f"std over every teacher and run: TA-DFKD {std['TA-DFKD']:.2f} points, the smallest of the others "
                f"{std[rival]:.2f} ({rival})")
        mean_last = runs.groupby("method", sort=False)["acc_last"].agg(["mean", "std"])
        best = mean_last["mean"].idxmax()
        say("TA-DFKD has the highest acc_last over the teachers (Table 3)",
            "holds" if best == "TA-DFKD" else "does not hold",
            f"mean ± std over every teacher and run: TA-DFKD {mean_last.loc['TA-DFKD', 'mean']:.1f} ± "
            f"{mean_last.loc['TA-DFKD', 'std']:.1f}%"
            + ("" if best == "TA-DFKD" else f", {best} {mean_last.loc[best, 'mean']:.1f} ± {mean_last.loc[best, 'std']:.1f}%"))
    if rate is not None and len(rate):
        first, last = float(rate["kept_s"].iloc[0]), float(rate["kept_s"].iloc[-1])
        say("the selection keeps ≈ 60% of a batch early and > 90% late (§Ablation Study)",
            "holds" if abs(first - 0.6) <= 0.15 and last > 0.9 else "does not hold",
            f"first epoch {first:.0%}, last epoch {last:.0%} of each student batch (mean of "
            f"{int(rate['runs'].max())} runs)")
    return pd.DataFrame(out, columns=["claim", "verdict", "evidence"])


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
    """Ours beside paper C Table 3's CIFAR-10 rows of the same teachers (acc_max and acc_last[10]); at smoke and
    lab ours are stand-ins on digits / MNIST, which each row's status says."""
    rows = []
    for _, r in summary.iterrows():
        for metric in ("acc_max", "acc_last"):
            rows.append({"dataset": "CIFAR-10", "teacher": r["teacher"], "method": r["method"], "metric": metric,
                         "accuracy": r[metric], "status": r["status"]})
    side = paper.beside(pd.DataFrame(rows), "C_table3", on=["dataset", "teacher", "method", "metric"],
                        value="accuracy", scale=scale)
    side = side[(side["dataset"] == "CIFAR-10") & side["teacher"].isin(set(summary["teacher"]))]
    return _not_run_reasons(side.reset_index(drop=True))


def beside_table4(summary: pd.DataFrame, scale: str) -> pd.DataFrame:
    """Ours (acc_max) beside paper C Table 4's columns of the same teachers (CIFAR-100 peak accuracies)."""
    ours = summary.assign(accuracy=summary["acc_max"])[["method", "teacher", "accuracy", "status"]]
    side = paper.beside(ours, "C_table4", on=["method", "teacher"], value="accuracy", scale=scale)
    return side[side["teacher"].isin(set(summary["teacher"]))].reset_index(drop=True)


def selection_rate(records: dict, method: str = "TA-DFKD") -> pd.DataFrame:
    """The fraction of each batch δ_τ kept, per epoch, over every run of ``method`` in ``records`` (keys
    (teacher, method, run)): mean, sample std and count of runs, for student and generator steps."""
    rows = [{"teacher": k[0], "run": k[2], "epoch": e, "kept_s": a, "kept_g": b}
            for k, rec in records.items() if k[1] == method and rec is not None
            for e, a, b in zip(rec.curves["epoch"], rec.curves["kept_s"], rec.curves["kept_g"])]
    if not rows:
        return pd.DataFrame(columns=["epoch", "kept_s", "kept_s_std", "kept_g", "kept_g_std", "runs"])
    g = pd.DataFrame(rows).groupby("epoch")
    return pd.DataFrame({"kept_s": g["kept_s"].mean(), "kept_s_std": g["kept_s"].std(ddof=1),
                         "kept_g": g["kept_g"].mean(), "kept_g_std": g["kept_g"].std(ddof=1),
                         "runs": g["kept_s"].count()}).reset_index()


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


FEATURE_VIEWS = ("class prior, no adversarial", "TA-DFKD")  # the generators of Fig. 4 and of Fig. 6


def feature_view_config(scale: str, which: str, seed: int = 0):
    """Fig. 4: a generator trained with the class prior and *without* the adversarial loss (cls + L_Rep, the
    Baseline's other weights); Fig. 6: TA-DFKD (the run of notebook 30)."""
    if which == "TA-DFKD":
        return method_config(scale, "TA-DFKD", seed, seed)
    if which == FEATURE_VIEWS[0]:
        base = method_config(scale, "Baseline", seed, seed)
        return replace(base, method=which, terms=params(**{k: v for k, v in base.terms if k != "adv_jsd"}))
    raise KeyError(f"unknown feature view {which!r}; known: {FEATURE_VIEWS}")


def feature_view_rows(scale: str, seed: int = 0) -> list[Row]:
    return [Row({"generator": w}, feature_view_config(scale, w, seed), note=SCALE[scale]["stand_in"])
            for w in FEATURE_VIEWS]


def run_feature_views(scale: str, ctx: Context, seed: int = 0):
    """The two generators of Figs. 4 and 6 (their students' acc_max, for the record)."""
    return run_rows(feature_view_rows(scale, seed), ctx, lambda row, m: {"acc_max": m.get("acc_max")})


def feature_view(cfg, ctx: Context, n: int = 512, seed: int = 0) -> dict:
    """Figs. 4 and 6: the teacher's penultimate features of the real test set and of ``n`` images of the final
    generator of ``cfg``, projected on the first two principal axes of the real features (the paper does not name
    its 2-D embedding; PCA is deterministic and fitted on real data only). Generated images come in batches of the
    training size with δ_τ (τ = 0.5) fitted per batch, as in training."""
    record = run(cfg, ctx)
    t = load_model(run(cfg.teacher, ctx), device=ctx.device)
    g = build_generator(**record.metrics["generator"]).to(ctx.device)
    g.load_state_dict(record.load("generator.pt", map_location=ctx.device))
    gen = torch.Generator(device=ctx.device).manual_seed(seed)
    feats, preds, keep = [], [], []
    with torch.no_grad():  # the generator in training mode, as it was used
        for _ in range(-(-n // cfg.batch_size)):
            logits, f = t(g(torch.randn(cfg.batch_size, cfg.z_dim, device=ctx.device, generator=gen)), features=True)
            feats.append(f.float()); preds.append(logits.argmax(1))
            keep.append(gmm.select(gmm.confidence_loss(logits), cfg.tau))
    test = cfg.teacher.data("test", ctx)
    _, real = predict(t, test.x.to(ctx.device), features=True)
    real, fake = real.double().cpu(), torch.cat(feats)[:n].double().cpu()
    centre = real.mean(0)
    _, sv, vt = torch.linalg.svd(real - centre, full_matrices=False)
    axes = vt[:2].T * torch.sign(vt[:2].sum(1))  # a fixed sign per axis: the same picture on every machine
    return {"real": ((real - centre) @ axes).float(), "labels": test.y, "fake": ((fake - centre) @ axes).float(),
            "pred": torch.cat(preds)[:n].cpu(), "keep": torch.cat(keep)[:n].cpu(),
            "explained": float((sv[:2] ** 2).sum() / (sv ** 2).sum())}


FIG1 = ("DAFL", "DFAD", "DAFL+DFAD")
FIG1_TEACHERS = 2  # paper C Fig. 1a: T1 (98.9%) and T2 (99.2%), "the same training recipe"


def fig1_rows(scale: str, seed: int = 0) -> list[Row]:
    """Paper C Fig. 1: DAFL, DFAD and DAFL+DFAD with two teachers of one recipe (ours: teacher seeds ``seed`` and
    ``seed + 1``; the paper took two snapshots of one run), run 0 of each: notebook 30's cells of T1 and T2."""
    return [Row({"teacher": t, "method": m}, method_config(scale, m, seed, seed + i), note=SCALE[scale]["stand_in"])
            for i, t in enumerate([f"T{i + 1}" for i in range(FIG1_TEACHERS)]) for m in FIG1]


def run_fig1(scale: str, ctx: Context, seed: int = 0):
    return run_rows(fig1_rows(scale, seed), ctx, _describe)


BUDGET = {"lab": (("DAFL", "ADI-lite", "TA-DFKD"), (16, 48))}  # presets × epochs of the budget check (lab only)


def budget_rows(scale: str, seed: int = 0) -> list[Row]:
    """Lab only: does the ranking of the presets move with three times the student steps? Teacher T1, run 0 of
    DAFL, ADI-lite (the best at 480 steps) and TA-DFKD, at the scale's 16 epochs (notebook 30's runs) and 48."""
    if scale not in BUDGET:
        return []
    methods, epochs = BUDGET[scale]
    rows = []
    for m in methods:
        cfg = method_config(scale, m, seed, seed)
        rows += [Row({"method": m, "epochs": e, "student_steps": e * cfg.iterations * cfg.student_steps},
                     replace(cfg, epochs=e), note=SCALE[scale]["stand_in"]) for e in epochs]
    return rows


def run_budget(scale: str, ctx: Context, seed: int = 0):
    return run_rows(budget_rows(scale, seed), ctx, _describe)


TABLE_A1 = ("DAFL", "TA-DFKD")  # paper C Table A1's rows kdnb has presets of (PRE-DFKD: quoted)


def tableA1_rows(scale: str, ctx: Context | None, seed: int = 0) -> list[Row]:
    """Paper C Table A1 (Tiny-ImageNet, two ResNet-34 teachers → ResNet-18, k = 20). Paper scale only: there the
    rows are the paper-scale presets on kdnb's Tiny-ImageNet (its 32-px copy; the paper does not give the
    resolution). At smoke and lab no row runs; each says whether Tiny-ImageNet is on disk and how to get it."""
    if scale == "paper":
        rows = []
        for i, t in enumerate(("T1", "T2")):
            for m in TABLE_A1:
                cfg = method_config(scale, m, seed, seed + i)
                cfg = replace(cfg, teacher=replace(cfg.teacher, dataset="tinyimagenet"), last_k=20)
                rows.append(Row({"teacher": t, "method": m}, cfg, note="kdnb's 32-px Tiny-ImageNet"))
        return rows
    from kdnb.data import DatasetMissing, load_dataset
    try:
        load_dataset("tinyimagenet", "test", ctx.data_root if ctx is not None else None)
        note = "not run: Tiny-ImageNet ResNets run at paper scale only (GPU)"
    except DatasetMissing as e:
        note = missing_status(e, ctx)
    return [Row({"teacher": t, "method": m}, None, note=note) for t in ("T1", "T2") for m in TABLE_A1]


def run_tableA1(scale: str, ctx: Context, seed: int = 0):
    """Table A1's rows: (per-row table, records); rows run at paper scale only (``tableA1_rows``)."""
    return run_rows(tableA1_rows(scale, ctx, seed), ctx, _describe)


def beside_tableA1(table: pd.DataFrame, scale: str) -> pd.DataFrame:
    """Table A1 beside the paper: ours where the rows ran (paper scale), else each row's reason."""
    rows = []
    for _, r in table.iterrows():
        for metric in ("acc_max", "acc_last"):
            rows.append({"dataset": "Tiny-ImageNet", "teacher": r["teacher"], "method": r["method"],
                         "metric": metric, "accuracy": r.get(metric, NAN), "status": r["status"]})
    side = paper.beside(pd.DataFrame(rows), "C_tableA1", on=["dataset", "teacher", "method", "metric"],
                        value="accuracy", scale=scale)
    return _not_run_reasons(side)


def configs(scale: str, seed: int = 0) -> list:
    """The runs notebooks 30–34 execute at ``scale`` (their teacher sits inside each)."""
    return configs_of(comparison_rows(scale, seed), ablation_rows(scale, seed), fid_rows(scale, seed),
                      feature_view_rows(scale, seed), fig1_rows(scale, seed),
                      tableA1_rows(scale, None, seed) if scale == "paper" else [], budget_rows(scale, seed))


# notebook → the runs it executes (``python -m kdnb plan`` / ``sweep``)
NOTEBOOKS = {
    "30_C_table1_datafree_comparison": lambda scale, seed=0: configs_of(
        comparison_rows(scale, seed), tableA1_rows(scale, None, seed) if scale == "paper" else [],
        budget_rows(scale, seed)),
    "31_C_table4_ablation": lambda scale, seed=0: configs_of(ablation_rows(scale, seed)),
    "32_C_table2_fig2_class_prior_fid": lambda scale, seed=0: configs_of(fid_rows(scale, seed)),
    "33_C_fig4_fig6_feature_views": lambda scale, seed=0: configs_of(feature_view_rows(scale, seed)),
    "34_C_fig1_teacher_dependence": lambda scale, seed=0: configs_of(fig1_rows(scale, seed)),
}


__all__ = ["SCALE", "COMPARISON", "ABLATION", "teacher", "method_config", "comparison_rows", "ablation_rows",
           "summarise", "gaps", "beside_gaps", "COLLAPSE", "run_gaps", "spread", "claims", "selection_rate", "teacher_names",
           "run_comparison", "run_ablation", "selection_view", "table1", "beside_table1", "beside_table3", "beside_table4",
           "ALPHAS", "alpha_config", "fid_rows", "generator_fid", "run_fid", "FEATURE_VIEWS",
           "feature_view_config", "feature_view_rows", "run_feature_views", "feature_view", "FIG1", "fig1_rows",
           "run_fig1", "BUDGET", "budget_rows", "run_budget", "TABLE_A1", "tableA1_rows", "run_tableA1", "beside_tableA1", "configs", "NOTEBOOKS"]
