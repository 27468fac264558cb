"""Paper C's recipe beyond one teacher: the lab grid, the gaps of Tables A3/A4, the spread and the claims."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from kdnb.recipes import paper_c as C
from kdnb.recipes.rows import configs_of


def test_lab_grid_has_three_teachers_every_preset_and_three_runs():
    rows = C.comparison_rows("lab") + C.ablation_rows("lab")
    cells = {(r.labels["teacher"], r.labels["method"]) for r in rows}
    assert {t for t, _ in cells} == {"T1", "T2", "T3"}
    assert {m for _, m in cells} == set(C.COMPARISON) | set(C.ABLATION) == set(C.PRESETS)
    per_cell = pd.Series([(r.labels["teacher"], r.labels["method"]) for r in rows]).value_counts()
    assert (per_cell >= 3).all()
    # teacher T{i+1} is seed i for every preset; Fig. 1's runs are the comparison's T1/T2 run-0 cells
    assert all(r.config.teacher.seed == int(r.labels["teacher"][1:]) - 1 for r in rows)
    assert set(configs_of(C.fig1_rows("lab"))) <= set(configs_of(C.comparison_rows("lab")))
    # and the ablation's TA-DFKD runs are the comparison's
    ta = lambda rs: {r.config for r in rs if r.labels["method"] == "TA-DFKD"}
    assert ta(C.ablation_rows("lab")) == ta(C.comparison_rows("lab"))


def test_lab_gives_every_preset_the_same_student_work():
    steps = {m: C.method_config("lab", m).epochs * C.method_config("lab", m).iterations
             * C.method_config("lab", m).student_steps for m in C.PRESETS}
    assert set(steps.values()) == {480}, steps


def _runs(values):
    """A runs table: values[(teacher, method)] = list of (acc_max, acc_last), teacher accuracy 99."""
    return pd.DataFrame([{"teacher": t, "method": m, "run": r, "teacher_accuracy": 99.0, "acc_max": a, "acc_last": b,
                          "kept_last": math.nan, "status": ""}
                         for (t, m), v in values.items() for r, (a, b) in enumerate(v)])


def test_gaps_are_teacher_minus_peak_and_peak_minus_last():
    g = C.gaps(_runs({("T1", "DAFL"): [(90.0, 80.0), (94.0, 86.0)]}))
    row = g.iloc[0]
    assert row["teacher_minus_max"] == pytest.approx(99 - 94)  # acc_max is the max over runs
    assert row["max_minus_last"] == pytest.approx(94 - 83)  # acc_last the mean over runs


def test_spread_and_claims_read_the_runs():
    runs = _runs({("T1", "DAFL"): [(90, 85), (60, 12)], ("T2", "DAFL"): [(91, 90), (92, 91)],
                  ("T1", "TA-DFKD"): [(95, 94), (95, 94)], ("T2", "TA-DFKD"): [(96, 95), (95, 94)]})
    sp = C.spread(runs).set_index("method")
    assert sp.loc["DAFL", "collapsed"] == "T1:1 T2:0" and sp.loc["TA-DFKD", "collapsed"] == "T1:0 T2:0"
    assert sp.loc["TA-DFKD", "teacher_minus_max_std"] == pytest.approx(pd.Series([4, 4, 3, 4.0]).std())
    judged = C.claims(runs)
    v = judged["verdict"].tolist()
    assert v == ["holds"] * 4 and "DAFL" in judged["evidence"].iloc[0], judged
    # swap the roles: TA-DFKD now the uneven one; its spread is no longer the smallest, nor its acc_last the highest
    flipped = runs.assign(method=runs["method"].map({"DAFL": "TA-DFKD", "TA-DFKD": "DAFL"}))
    assert C.claims(flipped)["verdict"].tolist()[1:] == ["does not hold"] * 3


def test_claims_say_when_one_run_cannot_judge_a_spread():
    judged = C.claims(_runs({("T1", "DAFL"): [(90, 85)], ("T1", "TA-DFKD"): [(95, 94)]}))
    assert judged["verdict"].tolist() == ["does not hold", "not judged"]


def test_claims_judge_the_selection_rate():
    runs = _runs({("T1", "TA-DFKD"): [(95, 94)]})
    early = pd.DataFrame({"epoch": [1, 2], "kept_s": [0.62, 0.93], "runs": [1, 1]})
    assert C.claims(runs, early)["verdict"].iloc[-1] == "holds"
    assert C.claims(runs, early.assign(kept_s=[0.62, 0.7]))["verdict"].iloc[-1] == "does not hold"


def test_selection_rate_averages_runs_per_epoch():
    class Rec:
        def __init__(self, s, g):
            self.curves = {"epoch": [1, 2], "kept_s": s, "kept_g": g}
    rate = C.selection_rate({("T1", "TA-DFKD", 0): Rec([0.5, 0.9], [0.4, 0.8]),
                             ("T2", "TA-DFKD", 0): Rec([0.7, 1.0], [0.6, 1.0]),
                             ("T1", "DAFL", 0): None})
    assert rate["kept_s"].tolist() == pytest.approx([0.6, 0.95]) and rate["runs"].tolist() == [2, 2]
    assert rate["kept_g_std"].iloc[0] == pytest.approx(pd.Series([0.4, 0.6]).std())
    assert C.selection_rate({}).empty


def test_table_a1_rows_say_how_to_get_tiny_imagenet_below_paper_scale(tmp_path):
    from kdnb.runs import Context
    ctx = Context.make(device="cpu", data_root=tmp_path, cache_root=tmp_path / "runs", progress=False)
    side = C.beside_tableA1(C.run_tableA1("smoke", ctx)[0], "smoke")
    ours = side[side["method"].isin(C.TABLE_A1)]
    assert len(ours) == 2 * 2 * 2 and len(side) == 12  # 2 teachers × 2 metrics × (DAFL, TA-DFKD; PRE-DFKD quoted)
    assert side.loc[side["method"] == "PRE-DFKD", "status"].str.startswith("not run: needs a VAE").all()
    assert ours["status"].str.startswith("missing: tinyimagenet not found under <data_root>").all()
    assert str(tmp_path) not in " ".join(side["status"])
    assert side["accuracy (ours, smoke)"].isna().all() and not (tmp_path / "runs").exists()
    paper_rows = C.tableA1_rows("paper", None)
    assert {r.config.teacher.dataset for r in paper_rows} == {"tinyimagenet"} and len(paper_rows) == 4


def test_budget_check_reuses_notebook_30s_runs_and_triples_the_steps():
    assert C.budget_rows("smoke") == [] and C.budget_rows("paper") == []
    rows = C.budget_rows("lab")
    short = {r.config for r in rows if r.labels["epochs"] == 16}
    assert short <= set(configs_of(C.comparison_rows("lab")))
    steps = {(r.labels["method"], r.labels["epochs"]): r.labels["student_steps"] for r in rows}
    assert all(steps[(m, 48)] == 3 * steps[(m, 16)] == 1440 for m in ("DAFL", "ADI-lite", "TA-DFKD"))
