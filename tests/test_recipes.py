"""Every recipe's configs resolve against every registry at every scale, without running anything; every table
keeps every row (missing data and chance-level models say so in the row's status)."""
from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import pytest

import kdnb.data.imagenet_split as ins
from kdnb import augment
from kdnb.data import DATASETS, load_dataset
from kdnb.config import ConfigError
from kdnb.engine import Schedule
from kdnb.methods import BKDRun, HistogramRun, KDRun, Pool, TeacherRun
from kdnb.models import GENERATORS, MODELS
from kdnb.recipes import paper_a as A
from kdnb.recipes import paper_b as B
from kdnb.recipes import paper_c as C
from kdnb.recipes import paper_d as D
from kdnb.recipes import quickstart as Q
from kdnb.recipes import rows as R
from kdnb.runs import KINDS, Record
from kdnb.selection import SELECTORS
from kdnb.sources import SOURCES

RECIPES = {"quickstart": Q, "paper_a": A, "paper_b": B, "paper_c": C, "paper_d": D}
SCALES = ("smoke", "lab", "paper")
NOISE_POOLS = ("uniform_noise", "gaussian_noise")
PARTS = ("Schedule", "Transfer", "Pool", "Optim", "Collected", "BoundaryAttack")  # parts of a run, not runs themselves


def _source(owner: str, source: str, noise_ok: bool = False) -> list[str]:
    if source.startswith("dataset:"):
        return [] if source[8:] in DATASETS else [f"{owner}: unregistered dataset {source!r}"]
    if source in SOURCES or (noise_ok and source in NOISE_POOLS):
        return []
    return [f"{owner}: unregistered source {source!r}"]


def _imagenet_split(owner: str, source: str, source_params: tuple) -> list[str]:
    """IN-ID / IN-OOD need an overlap entry for their teacher (and IN-ID an ID subset)."""
    if source not in ("dataset:imagenet_id", "dataset:imagenet_ood"):
        return []
    teacher = dict(source_params).get("teacher")
    try:
        ins.entry(teacher)
    except KeyError as e:
        return [f"{owner}: {source} for teacher {teacher!r}: {e}"]
    if source == "dataset:imagenet_id" and ins.id_classes(teacher) is None:
        return [f"{owner}: {source} asked for teacher {teacher!r}, which has no ID subset"]
    return []


def unresolved(cfg, path: str = "") -> list[str]:
    """What in ``cfg`` (recursively: dataclasses, tuples) names nothing registered; [] when all resolves."""
    out: list[str] = []
    if isinstance(cfg, (tuple, list)):
        for i, v in enumerate(cfg):
            out += unresolved(v, f"{path}[{i}]")
        return out
    if not (dataclasses.is_dataclass(cfg) and not isinstance(cfg, type)):
        return out
    kind = type(cfg).__name__
    here = f"{path or kind}"
    if kind not in KINDS and kind not in PARTS:
        out.append(f"{here}: {kind} is neither a run kind in kdnb.runs.KINDS nor a part of one")
    if kind in ("TeacherRun", "BinaryTeacherRun"):
        if cfg.dataset not in DATASETS:
            out.append(f"{here}: unregistered dataset {cfg.dataset!r}")
        if cfg.arch not in MODELS:
            out.append(f"{here}: unregistered model {cfg.arch!r}")
        of = dict(getattr(cfg, "dataset_params", ())).get("of")
        if of is not None and of not in DATASETS:
            out.append(f"{here}: unregistered dataset of={of!r}")
    if kind in ("KDRun", "BKDRun", "AttackKDRun", "DataFreeRun", "HybridRun") and cfg.student not in MODELS:
        out.append(f"{here}: unregistered model {cfg.student!r}")
    if kind == "DataFreeRun":
        from kdnb.datafree import GENERATOR_TERMS

        if cfg.generator not in GENERATORS:
            out.append(f"{here}: unregistered generator {cfg.generator!r}")
        out += [f"{here}: unregistered generator loss term {k!r}" for k, _ in cfg.terms if k not in GENERATOR_TERMS]
    if kind == "Transfer":
        out += _source(here, cfg.source) + _imagenet_split(here, cfg.source, cfg.source_params)
        if cfg.select not in SELECTORS:
            out.append(f"{here}: unregistered selector {cfg.select!r}")
    if kind == "Pool":
        out += _source(here, cfg.source, noise_ok=True)
    if kind == "Collected":
        out += [p for source, _ in cfg.pools if source != "held_out" for p in _source(here, source)]
        if cfg.select not in SELECTORS:
            out.append(f"{here}: unregistered selector {cfg.select!r}")
    if kind == "Schedule" and cfg.augment not in augment.NAMES:
        out.append(f"{here}: unknown augmentation {cfg.augment!r}")
    for f in dataclasses.fields(cfg):
        out += unresolved(getattr(cfg, f.name), f"{here}.{f.name}")
    return out


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("recipe", sorted(RECIPES))
def test_every_config_resolves_against_every_registry(recipe, scale):
    cfgs = RECIPES[recipe].configs(scale)
    assert cfgs, (recipe, scale)
    assert all(type(c).__name__ in KINDS for c in cfgs)
    problems = [p for c in cfgs for p in unresolved(c)]
    assert not problems, "\n".join(problems[:20])


def _forced(obj, **fields):
    """A copy of a frozen config with fields set past its validation (what a bug in a registry would leave)."""
    new = copy.copy(obj)
    for k, v in fields.items():
        object.__setattr__(new, k, v)
    return new


def test_checker_reports_each_kind_of_unregistered_name():
    kd = Q.distillation("smoke", "original")
    bad = _forced(kd, student="lenet9", teacher=_forced(kd.teacher, dataset="tiny", arch="vgg99"),
                  transfer=_forced(kd.transfer, source="dataset:tiny", select="best"),
                  schedule=_forced(kd.schedule, augment="wild"))
    got = "\n".join(unresolved(bad))
    for word in ("'lenet9'", "'tiny'", "'vgg99'", "'dataset:tiny'", "'best'", "'wild'"):
        assert word in got, (word, got)
    arb = B.table1_config("smoke", "MNIST", "noise", True, False)[0]
    pools = (Pool("uniform_noise", 10), _forced(Pool("leaves", 10), source="dead_leaves"))
    got = unresolved(_forced(arb, transfer=_forced(arb.transfer, pools=pools,
                                                   teacher=_forced(arb.transfer.teacher, dataset_params=(("of", "mnist2"),)))))
    assert len(got) == 2 and "'dead_leaves'" in got[0] + got[1] and "'mnist2'" in got[0] + got[1], got
    assert unresolved(Schedule()) == [] and unresolved(kd) == []


def test_unregistered_tiny_source_in_paper_a_is_caught(monkeypatch):
    """The bug that was: paper A named Tiny-ImageNet ``dataset:tiny``, which no dataset is registered as."""
    monkeypatch.setitem(A.DIST, "Tiny", (A.GENERAL, "dataset:tiny"))
    with pytest.raises(ConfigError, match="dataset:tiny"):
        A.configs("paper")
    # and with construction-time validation switched off, the resolution check alone reports the same rows
    import kdnb.methods.kd as kd

    monkeypatch.setattr(kd, "check_source", lambda owner, source: None)
    problems = [p for c in A.configs("paper") for p in unresolved(c)]
    assert problems and all("'dataset:tiny'" in p for p in problems), problems[:5]


def test_imagenet_splits_know_every_paper_teacher_that_asks_for_them():
    assert ins.teacher_key("tinyimagenet") == ins.teacher_key("Tiny") == "tiny"
    asked = {(c.transfer.source, dict(c.transfer.source_params)["teacher"]) for c in A.configs("paper")
             if isinstance(c, (KDRun, HistogramRun)) and c.transfer.source in ("dataset:imagenet_id", "dataset:imagenet_ood")}
    assert ("dataset:imagenet_ood", "tinyimagenet") in asked and ("dataset:imagenet_id", "cifar10") in asked
    for source, teacher in asked:
        assert ins.entry(teacher)["notes"], teacher
        if source == "dataset:imagenet_id":
            assert ins.id_classes(teacher), teacher
    with pytest.raises(KeyError):
        ins.teacher_key("tiny_imagenet_21k")


# --------------------------------------------------------------------------------------------- Tiny-ImageNet split


def _jpeg(path: Path, rgb):
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 8), rgb).save(path, "JPEG", quality=95)


def test_tinyimagenet_test_split_is_the_labelled_validation_set(tmp_path):
    """The bug that was: the folder loader returned the training images for every split."""
    root = tmp_path / "tiny-imagenet-200"
    wnids = ("n01443537", "n01629819")
    for w, rgb in zip(wnids, ((220, 20, 20), (20, 220, 20))):
        for i in range(3):
            _jpeg(root / "train" / w / "images" / f"{w}_{i}.JPEG", rgb)
    val = [("val_0.JPEG", wnids[1]), ("val_1.JPEG", wnids[0]), ("val_2.JPEG", wnids[1]), ("val_3.JPEG", wnids[1])]
    for f, _ in val:
        _jpeg(root / "val" / "images" / f, (20, 20, 220))
    (root / "val" / "val_annotations.txt").write_text(
        "".join(f"{f}\t{w}\t0\t0\t8\t8\n" for f, w in val))

    train = load_dataset("tinyimagenet", "train", tmp_path)
    test = load_dataset("tinyimagenet", "test", tmp_path)
    assert len(train) == 6 and train.classes == wnids
    assert len(test) == 4 and test.classes == wnids
    assert test.y.tolist() == [1, 0, 1, 1]
    blue = test.x.float().mean((0, 2, 3))
    assert blue[2] > 150 and blue[0] < 80 and blue[1] < 80  # the val images, not the red/green training ones
    _jpeg(tmp_path / "fruits-360" / "Training" / "apple" / "0.jpg", (200, 200, 0))
    with pytest.raises(ValueError, match="train' split only"):  # unlabelled pools refuse a test split
        load_dataset("fruits360", "test", tmp_path)


# --------------------------------------------------------------------------------------------- every row, no run


NOTEBOOK_TABLES = {  # the table calls notebooks 00, 10–24, 30–34 and 40 make
    "quickstart": [Q.run_quickstart],
    "paper_a": [A.run_table1, A.run_table3, A.run_table4, A.run_table5, A.run_fig2, A.run_fig2_seeds],
    "paper_c": [C.run_comparison, C.run_ablation, C.run_fid, C.run_feature_views, C.run_fig1],
    "paper_d": [D.run_table1, D.run_table2, D.run_data, D.run_inflation],
    "paper_b": [B.run_fig2, B.run_table1, B.run_noise_readings, B.run_size_sweep, B.run_zskd_sweep, B.run_table2, B.run_table3,
                B.run_table4],
}


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("recipe", sorted(RECIPES))
def test_tables_keep_every_row_and_run_exactly_the_listed_configs(recipe, scale, monkeypatch, ctx):
    """With no dataset on disk, every table still has one row per cell (status 'missing: ...'), and what the
    tables ask to run is exactly ``configs(scale)``."""
    asked = []

    def nothing_on_disk(cfg, ctx):
        asked.append(cfg)
        return None, "missing: nothing on disk (test)"

    monkeypatch.setattr(R, "run_or_missing", nothing_on_disk)
    calls = [lambda f=f: f(scale, ctx) for f in NOTEBOOK_TABLES[recipe]]
    if recipe == "paper_a":
        calls += [lambda e=e: A.run_fig2(scale, ctx, teacher_epochs=e) for e in A.FIG2_TRIED[scale]]
        calls += [lambda: A.run_table6(scale, ctx)]  # notebook 18, after notebook 16's teacher schedules
    if recipe == "paper_c" and scale == "paper":
        calls += [lambda: C.run_tableA1(scale, ctx)]  # Tiny-ImageNet rows run at paper scale only
    if recipe == "paper_c" and scale == "lab":
        calls += [lambda: C.run_budget(scale, ctx)]  # notebook 30's budget check (no rows below or above lab)
    for call in calls:
        n = len(asked)
        out = call()
        table = out[0] if isinstance(out, tuple) else out  # Table 4: the per-repeat rows
        assert len(table) == len(asked) - n
        assert table["status"].str.startswith("missing: nothing on disk").all()
        assert not table["at_chance"].any()
    assert list(dict.fromkeys(asked)) == RECIPES[recipe].configs(scale)


# --------------------------------------------------------------------------------------------- chance flag


def _record(cfg, **metrics) -> Record:
    return Record({"kind": type(cfg).__name__}, {"test_acc": 50.0, "at_chance": False, **metrics}, {}, "k", Path("."),
                  {})


def test_rows_at_chance_say_so(monkeypatch, ctx):
    teacher_ok = Q.teacher("smoke")
    teacher_bad = TeacherRun("mnist", "lenet5", teacher_ok.schedule)
    student = Q.distillation("smoke", "original")
    rows = [R.Row({"name": "student at chance"}, student),
            R.Row({"name": "teacher at chance"}, KDRun(teacher_bad, student.student, student.transfer, student.schedule)),
            R.Row({"name": "fine"}, teacher_ok, note="stand-in"),
            R.Row({"name": "missing"}, teacher_bad),
            R.Row({"name": "cannot run"}, None, note="not implemented: no such experiment")]
    flags = {student: True}
    monkeypatch.setattr(R, "run_or_missing", lambda cfg, ctx: (None, "missing: mnist") if cfg == teacher_bad
                        else (_record(cfg, at_chance=flags.get(cfg, False)), ""))
    monkeypatch.setattr(R, "lookup", lambda cfg, ctx: _record(cfg, at_chance=cfg == teacher_bad))
    table, recs = R.run_rows(rows, ctx, lambda row, m: {"accuracy": m.get("test_acc")})
    t = table.set_index("name")
    assert t["at_chance"].tolist() == [True, True, False, False, False]
    assert t.loc["student at chance", "status"] == "at chance"
    assert t.loc["teacher at chance", "status"] == "teacher at chance"
    assert t.loc["fine", "status"] == "stand-in"
    assert t.loc["missing", "status"] == "missing: mnist" and recs[("missing",)] is None
    assert t.loc["cannot run", "status"] == "not implemented: no such experiment" and recs[("cannot run",)] is None
    assert R.configs_of(rows) == [student, rows[1].config, teacher_ok, teacher_bad]
    assert list(table.columns) == ["name", "accuracy", "status", "at_chance"]


def test_chance_flag_reaches_paper_tables_and_summaries(monkeypatch, ctx):
    def chance_for_ours(cfg, ctx):
        balanced = isinstance(cfg, BKDRun) and cfg.transfer.balanced  # Table 2's "Ours", Table 4's balanced rows
        return _record(cfg, at_chance=balanced, transfer={"size": 10}), ""

    monkeypatch.setattr(R, "run_or_missing", chance_for_ours)
    monkeypatch.setattr(R, "lookup", lambda cfg, ctx: None)
    t2, _ = B.run_table2("smoke", ctx)
    ours = t2["algorithm"] == "Ours"
    assert t2.loc[ours, "at_chance"].all() and not t2.loc[~ours, "at_chance"].any()
    assert t2.loc[ours, "status"].str.endswith("at chance").all()
    runs, summary = B.run_table4("smoke", ctx)
    assert summary["at_chance"].tolist() == summary["balanced"].tolist()
    assert summary.loc[summary["balanced"], "status"].str.contains("at chance").all()
    assert not summary.loc[~summary["balanced"], "status"].str.contains("at chance").any()


# ------------------------------------------------------------------------------------------------ seeds and spread


def test_claim_seeds_rows_spread_and_gap_by_hand():
    assert R.claim_seeds("lab", 4) == (4, 5, 6) and R.claim_seeds("smoke", 4) == (4,)
    with pytest.raises(ValueError, match="scale must be one of"):
        R.claim_seeds("huge")
    rows = R.over_seeds(lambda s: [R.Row({"set": "a"}, ("cfg", s)), R.Row({"set": "b"}, ("cfg", s))], (0, 1, 2),
                        keep=lambda r: r.labels["set"] == "a")
    assert [(r.labels, r.config, r.name) for r in rows] == [({"set": "a", "seed": s}, ("cfg", s), (("a",), s))
                                                            for s in (0, 1, 2)]
    import pandas as pd
    t = pd.DataFrame({"set": ["a"] * 3 + ["b"] * 3, "accuracy": [10.0, 12.0, 14.0, 1.0, 2.0, float("nan")]})
    sp = R.spread(t, ["set"])
    assert sp.to_dict("list") == {"set": ["a", "b"], "mean": [12.0, 1.5], "std": [2.0, pytest.approx(0.5 ** 0.5)],
                                  "seeds": [3, 2]}  # the NaN run is no seed
    diff, two_se = R.gap(sp, {"set": "a"}, {"set": "b"})
    assert diff == 10.5 and two_se == pytest.approx(2 * (4 / 3 + 0.5 / 2) ** 0.5)
    one = R.spread(t[t.index.isin([0, 3])], ["set"])
    assert R.gap(one, {"set": "a"}, {"set": "b"}) == (9.0, 0.0)  # one seed each: no spread to judge by
    with pytest.raises(KeyError, match="0 rows"):
        R.gap(sp, {"set": "c"}, {"set": "a"})


@pytest.mark.parametrize("scale", ["smoke", "lab"])
def test_claim_seed_rows_are_the_tables_rows_for_the_notebooks_seed(scale):
    """Notebook 11/14/15's seed rows of the notebook's own seed are its table's rows (cache hits), the others new."""
    for table, seeds in ((A.table1_rows, A.table1_seed_rows), (A.table4_rows, A.table4_seed_rows),
                         (A.table5_rows, A.table5_seed_rows)):
        base = {r.config for r in table(scale, 0)}
        rows = seeds(scale, 0)
        assert {r.labels["seed"] for r in rows} == set(R.claim_seeds(scale))
        assert {r.config for r in rows if r.labels["seed"] == 0} <= base
        assert all(r.config not in base for r in rows if r.labels["seed"] != 0)
        assert len({r.config for r in rows}) == len(rows)
