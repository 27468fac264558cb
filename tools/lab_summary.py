"""The README's "What the lab runs show" section, written from the committed lab CSVs (figures/lab/*.csv).

Every number in that section is read from a CSV a lab notebook saved; nothing is typed by hand. After a lab run
(``./run_all.sh --scale lab``), regenerate it:

    python tools/lab_summary.py            # rewrite the section of README.md between the markers
    python tools/lab_summary.py --check    # exit 1 when README.md and the CSVs disagree (the test suite runs this)

A CSV that is not there yet gives a line saying which notebook makes it, never a number.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from kdnb import paper
from kdnb.recipes.rows import the_row

REPO = Path(__file__).resolve().parent.parent
BEGIN = "<!-- lab-summary:begin (tools/lab_summary.py writes this section from figures/lab/*.csv) -->"
END = "<!-- lab-summary:end -->"
OURS = "accuracy (ours, lab)"
PAPER = "accuracy (paper)"


class Missing(Exception):
    pass


def _csv(folder: Path, name: str, notebook: str) -> pd.DataFrame:
    path = folder / f"{name}.csv"
    if not path.exists():
        raise Missing(f"`{name}.csv` is not there yet: run notebook {notebook} at lab scale")
    return pd.read_csv(path)


def _one(df: pd.DataFrame, **where) -> pd.Series:
    try:
        return the_row(df, where)
    except KeyError as e:
        raise Missing(e.args[0]) from None


def _lines(*parts) -> list[str]:
    """Each part's lines, or the one line saying which notebook makes the CSV it lacks."""
    out = []
    for part in parts:
        try:
            out += part()
        except Missing as e:
            out.append(f"- {e}.")
    return out


def _pm(mean: float, std: float, n: int) -> str:
    return f"{mean:.1f} ± {std:.1f}% ({n} seeds)" if n > 1 else f"{mean:.1f}% (1 seed)"


def _pm_of(row: pd.Series) -> str:
    """``_pm`` of a row of a seeds table (``rows.spread``: mean, std, seeds)."""
    return _pm(row["mean"], row["std"], int(row["seeds"]))


def paper_b(folder: Path) -> list[str]:
    def table1():
        t1 = _csv(folder, "B_table1", "21")
        noise = t1[(t1["transfer_set"] == "Random Noise") & (t1["target_dataset"] == "MNIST") & ~t1["augmentation"]]
        unb, bal = _one(noise, balanced=False), _one(noise, balanced=True)
        gain, gain_p = bal[OURS] - unb[OURS], bal[PAPER] - unb[PAPER]
        sweep = _csv(folder, "B_table1_size_sweep", "21")
        big = sweep[sweep["N (requested)"] == sweep["N (requested)"].max()]
        sb, su = _one(big, balanced=True), _one(big, balanced=False)
        return [f"- **Paper B, Table 1 (MNIST, uniform noise, N = 5,000), kdnb's recipe (30 epochs, one seed):** "
                f"unbalanced {unb[OURS]:.1f}% (paper {unb[PAPER]:.2f}%), balanced {bal[OURS]:.1f}% (paper "
                f"{bal[PAPER]:.2f}%): class balancing {'helps' if gain > 0 else 'does not help'}, by {gain:+.1f} "
                f"points here and {gain_p:+.1f} in the paper. At N = {int(sb['N (requested)']):,} (notebook 21's "
                f"size sweep) balanced {sb['accuracy']:.1f}% and unbalanced {su['accuracy']:.1f}%."]

    def zskd():
        cells = _csv(folder, "B_table1_zskd_sweep", "21")
        mn = cells[(cells["target_dataset"] == "MNIST") & (cells["augmentation"] == "none")
                   & cells["accuracy_best"].notna()]
        e30 = mn[mn["epochs"] == 30].groupby("balanced")["accuracy_best"]
        mean, std, n = e30.mean(), e30.std(), e30.count()
        longest = mn[mn["epochs"] == mn["epochs"].max()].groupby("balanced")["accuracy_best"].mean()
        readings = _csv(folder, "B_table1_readings", "21")
        ran = readings[readings["cells run"] > 0]
        best = ran.loc[ran["mean |Δ|"].idxmin()]
        deltas = [c for c in ran.columns if c.endswith(" Δ")]
        plain = ran[~ran["augmented"].astype(bool)].iloc[0]  # the paper's cells without augmentation
        paper_u, paper_b = plain["MNIST unbalanced paper"], plain["MNIST balanced paper"]
        close = int((ran[deltas].abs() <= 3).sum().sum())
        return [f"- **Paper B, Table 1 under the ZSKD reading (T²·soft-CE, Adam 1e-3, batch 64, 32-px LeNet-5; "
                f"notebook 21):** after 30 epochs unbalanced {_pm(mean[False], std[False], n[False])}, balanced "
                f"{_pm(mean[True], std[True], n[True])} (paper {paper_u:.2f} → {paper_b:.2f}; best epoch so far, as ZSKD reports); "
                f"after {int(mn['epochs'].max())} epochs (1 seed) {longest[False]:.1f}% → {longest[True]:.1f}%. "
                f"Of {len(ran)} readings the closest is \"{best['reading']}\", mean |Δ| {best['mean |Δ|']:.1f} points "
                f"over {int(best['cells run'])} cells; {close} of all cells run are within 3 points of the paper."]

    def jpeg():
        jp = _csv(folder, "B_table1_cifar10_jpeg", "21")
        plain = jp[~jp["augmentation"].astype(bool)]
        u, b = _one(plain, balanced=False), _one(plain, balanced=True)
        return [f"- **Paper B, CIFAR-10 (JPEG copy) noise rows (AlexNet → AlexNet-half, CPU-reduced, one seed):** "
                f"teacher {u['teacher_accuracy']:.1f}%; unbalanced {u['accuracy']:.1f}%, balanced {b['accuracy']:.1f}% "
                f"(the paper's CIFAR-10: {u['paper (CIFAR-10)']:.2f} → {b['paper (CIFAR-10)']:.2f}); Algorithm 1 kept "
                f"{int(b['size']):,} images of {int(b['draws']):,} noise draws"
                + (", and the students are at chance." if "at chance" in str(b["status"]) else ".")]

    def table4():
        t4 = _csv(folder, "B_table4", "24")
        stand = t4[t4["status"].fillna("").str.contains("stand-in")]
        if not len(stand):
            return []
        piv = stand.pivot_table(index="transfer_set_size", columns="balanced", values=OURS)
        helps = int((piv[True] > piv[False]).sum())
        return [f"- **Paper B, Table 4 (Binary-MNIST):** SVHN is not on disk; with photo crops as the pool, the "
                f"balanced set beats the unbalanced one at {helps} of {len(piv)} sizes (the paper: balancing "
                f"helps at most sizes)."]

    return _lines(table1, zskd, jpeg, table4)


def paper_a(folder: Path) -> list[str]:
    def table3():
        t3 = _csv(folder, "A_table3", "13")
        out = []
        for teacher, name in (("MNIST", "MNIST LeNet-5"), ("C10 (JPEG copy)", "CIFAR-10 (JPEG copy) AlexNet")):
            mn = t3[t3["teacher_dataset"] == teacher].dropna(subset=["relative_entropy (ours, lab)"])
            if len(mn):
                order = mn.sort_values("relative_entropy (ours, lab)", ascending=False)
                out.append(f"- **Paper A, Table 3 ({name} teacher):** relative entropy of the teacher's predictions, "
                           "highest first: " + " > ".join(f"{r['distillation_dataset']} "
                                                          f"{r['relative_entropy (ours, lab)'] + 0.0:.3f}"
                                                          for _, r in order.iterrows()) + ".")
        return out

    def fig2():
        f2 = _csv(folder, "A_fig2", "16")
        teacher = _one(f2, model="teacher")
        seeds = _csv(folder, "A_fig2_seeds", "16").set_index("distillation_dataset")
        cov = _csv(folder, "A_fig2_shader_coverage", "16")
        frames = _one(cov, candidates="shader frames")
        m, sh, no = seeds.loc["MNIST"], seeds.loc["OpenGL"], seeds.loc["Noise"]
        return [f"- **Paper A, Fig. 2 (the 2-D toy):** the toy teacher reaches {teacher[OURS]:.1f}% (paper "
                f"≈ {teacher[PAPER]:.0f}%); its students, mean ± std over student seeds: distilled on MNIST "
                f"{_pm_of(m)}, on shaders {_pm_of(sh)} "
                f"(paper {sh['paper']:.2f}%), on noise {_pm_of(no)}. The teacher maps "
                f"{int(frames['n']):,} shader frames to {int(frames['classes reached'])} of its 10 classes."]

    def table1():
        sp = _csv(folder, "A_table1_seeds", "11")
        q = paper.quoted("A_table1")
        rng = {d: (q.loc[q["distillation_dataset"] == d, "accuracy"].min(),
                   q.loc[q["distillation_dataset"] == d, "accuracy"].max()) for d in ("OpenGL", "Noise")}
        out = []
        for (t, st), g in sp.groupby(["teacher_dataset", "student"], sort=False):
            g = g.set_index("distillation_dataset")
            cells = ", ".join(f"{'its own data' if d == t else d} {_pm_of(g.loc[d])}"
                              for d in (t, "OpenGL", "Noise"))
            out.append(f"- **Paper A, Table 1 ({t} teacher → {st}):** students distilled on {cells} "
                       f"(paper, over its teachers and students: OpenGL {rng['OpenGL'][0]:.0f}–{rng['OpenGL'][1]:.0f}%, "
                       f"noise {rng['Noise'][0]:.0f}–{rng['Noise'][1]:.0f}%).")
        return out

    def table4():
        sp = _csv(folder, "A_table4_seeds", "14")
        q = paper.quoted("A_table4").set_index(["experiment", "distillation_dataset"])["accuracy"]
        qb, ql = (q.xs(e, level="experiment") for e in ("20K Balanced Examples", "20K Long Tail Examples"))
        parts = []
        for d, g in sp.groupby("distillation_dataset", sort=False):
            g = g.set_index("experiment")
            b, lt = g.loc["20K Balanced Examples"], g.loc["20K Long Tail Examples"]
            parts.append(f"{d}: balanced {_pm_of(b)}, long tail "
                         f"{_pm_of(lt)}")
        gaps = ", ".join(f"{d} {qb[d] - ql[d]:+.2f}" for d in qb.index if d in ql.index)
        return ["- **Paper A, Table 4 (20K subsets without mixup, MNIST teacher):** " + "; ".join(parts)
                + f" (the paper's balanced − long tail: {gaps})."]

    def table5():
        sp = _csv(folder, "A_table5_seeds", "15")
        out = []
        for d, g in sp.groupby("distillation_dataset", sort=False):
            best = g.loc[g["mean"].idxmax()]
            none = g[(g["augmentation"] == "none") & ~g["mixup"].astype(bool)].iloc[0]
            out.append(f"{d}: none {_pm_of(none)}, best "
                       f"{best['augmentation']}{' + mixup' if best['mixup'] else ''} "
                       f"{_pm_of(best)}")
        return ["- **Paper A, Table 5 (augmentation × mixup, MNIST teacher):** " + "; ".join(out) + "."]

    return _lines(table1, table3, table4, table5, fig2)


def paper_c(folder: Path) -> list[str]:
    t3 = _csv(folder, "C_table3", "30")
    ours = t3.dropna(subset=[OURS])
    last = ours[ours["metric"] == "acc_last"]
    best = last.groupby("method")[OURS].mean().sort_values(ascending=False)
    claims = _csv(folder, "C_claims", "30")
    out = [f"- **Paper C (data-free, MNIST LeNet-5-BN → LeNet-5-half, {ours['teacher'].nunique()} teachers × "
           f"{len(best)} presets × 3 runs):** mean acc_last over the teachers, best first: "
           + ", ".join(f"{m} {v:.1f}%" for m, v in best.items()) + ". The paper's claims, judged on these runs:"]
    out += [f"  - {c['verdict']}: {c['claim']} — {c['evidence']}." for _, c in claims.iterrows()]
    budget = _csv(folder, "C_budget", "30")
    wide = budget.pivot(index="method", columns="student_steps", values="acc_last")
    lo, hi = wide.columns.min(), wide.columns.max()
    out.append(f"  - with {hi:,} student steps instead of {lo:,} (teacher T1, one run): "
               + ", ".join(f"{m} {r[lo]:.1f}% → {r[hi]:.1f}%" for m, r in wide.iterrows())
               + f"; {(wide[hi] - wide[lo]).idxmax()} gains the most ({(wide[hi] - wide[lo]).max():+.1f} points), so the "
               "480-step numbers above undersell the slower-starting presets.")
    return out


def paper_d(folder: Path) -> list[str]:
    t1 = _csv(folder, "D_table1_cifar10", "40")
    ours = t1[t1["method"] == "HiDFD"].dropna(subset=[OURS])
    claims = _csv(folder, "D_claims", "40")
    out = ["- **Paper D (HiDFD, MNIST LeNet-5 → LeNet-5-half, 3 seeds):** "
           + ", ".join(f"ρ = {r['rho']:g}: {r[OURS]:.1f} ± {r['std (ours)']:.1f}% (paper, CIFAR-10: {r[PAPER]:.2f}%)"
                       for _, r in ours.iterrows()) + ". The paper's claims, judged on these runs (Δ paired by seed):"]
    out += [f"  - {c['verdict']}: {c['claim']} — Δ = {c['delta']:+.2f} ± {c['delta_std']:.2f} "
            f"points over {int(c['runs'])} seeds"
            + (f" (paper {c['paper delta (CIFAR-10)']:+.2f})" if pd.notna(c["paper delta (CIFAR-10)"]) else "") + "."
            for _, c in claims.iterrows()]
    return out


PAPERS = (("A", paper_a), ("B", paper_b), ("C", paper_c), ("D", paper_d))


def render(folder: Path) -> str:
    lines = [BEGIN, "", "Generated by `tools/lab_summary.py` from `figures/lab/*.csv` (CPU, real MNIST); the notebooks say "
             "how each number was made, and their executed lab copies are in `notebooks/executed/lab/`.", ""]
    for name, fn in PAPERS:
        try:
            lines += fn(folder)
        except Missing as e:
            lines.append(f"- **Paper {name}:** {e}.")
    return "\n".join(lines + ["", END])


def splice(readme: str, section: str) -> str:
    if BEGIN not in readme or END not in readme:
        raise SystemExit(f"README.md lacks the markers {BEGIN!r} … {END!r}")
    head, rest = readme.split(BEGIN, 1)
    return head + section + rest.split(END, 1)[1]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if README.md is not what the CSVs give")
    ap.add_argument("--figures", type=Path, default=REPO / "figures" / "lab")
    ap.add_argument("--readme", type=Path, default=REPO / "README.md")
    a = ap.parse_args(argv)
    old = a.readme.read_text(encoding="utf-8")
    new = splice(old, render(a.figures))
    if a.check:
        if new != old:
            print(f"{a.readme.name}: the lab summary differs from {a.figures}; run python tools/lab_summary.py")
            return 1
        return 0
    if new != old:
        a.readme.write_text(new, encoding="utf-8")
        print(f"{a.readme.name}: lab summary rewritten from {a.figures}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
