"""The run cache: hits, misses, atomic writes under a crash, weights_only loading, determinism, resume."""
import json
from dataclasses import dataclass

import pytest
import torch

from kdnb.engine import Schedule
from kdnb.io import atomic_save
from kdnb.methods import KDRun, TeacherRun, Transfer, load_model
from kdnb.runs import EXPERIMENTS, config_key, lookup, run

CALLS = []


@dataclass(frozen=True)
class Counted:
    value: int
    seed: int = 0


@EXPERIMENTS.register("Counted")
def _counted(cfg, ctx, folder):
    CALLS.append(cfg.value)
    folder.save("weights.pt", {"w": torch.full((2,), float(cfg.value))})
    if cfg.value < 0:
        raise RuntimeError("simulated crash after the artefact, before the record")
    return {"double": 2 * cfg.value}, {"x": [1, 2]}


def test_cache_miss_then_hit(ctx):
    CALLS.clear()
    r1 = run(Counted(3), ctx)
    r2 = run(Counted(3), ctx)
    assert CALLS == [3] and r1.metrics == r2.metrics == {"double": 6}
    run(Counted(4), ctx)
    assert CALLS == [3, 4]  # a different config is a different key
    assert config_key(Counted(3)) != config_key(Counted(4))
    run(Counted(3), ctx, force=True)
    assert CALLS == [3, 4, 3]


def test_record_contents_and_weights_only_loading(ctx):
    r = run(Counted(5), ctx)
    data = json.loads((r.folder / "record.json").read_text())
    assert data["config"] == {"kind": "Counted", "value": 5, "seed": 0}
    assert set(data["meta"]) >= {"seed", "versions", "wall_time_s", "device", "code", "git"}
    assert data["meta"]["versions"]["torch"] == torch.__version__
    assert torch.equal(r.load("weights.pt")["w"], torch.tensor([5.0, 5.0]))


def test_a_crashed_run_leaves_no_record_and_reruns(ctx):
    CALLS.clear()
    with pytest.raises(RuntimeError, match="simulated crash"):
        run(Counted(-1), ctx)
    assert lookup(Counted(-1), ctx) is None  # no half-written record
    with pytest.raises(RuntimeError):
        run(Counted(-1), ctx)
    assert CALLS == [-1, -1]  # it was not mistaken for a finished run


def test_atomic_save_keeps_the_old_file_when_interrupted(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.pt"
    atomic_save({"v": torch.tensor(1)}, path)

    def boom(*a, **k):
        raise KeyboardInterrupt("killed mid-write")

    monkeypatch.setattr(torch, "save", boom)
    with pytest.raises(KeyboardInterrupt):
        atomic_save({"v": torch.tensor(2)}, path)
    monkeypatch.undo()
    assert torch.load(path, weights_only=True)["v"].item() == 1


def _tiny_kd(epochs=3):
    teacher = TeacherRun("digits", "lenet5", Schedule(epochs=6, batch_size=64, lr=0.05, augment="none"))
    return KDRun(teacher, "lenet5_half", Transfer("dataset:digits", 512),
                 Schedule(epochs=epochs, batch_size=128, lr=0.1, augment="standard", mixup=True), temperature=4.0)


def test_same_seed_on_cpu_gives_identical_metrics(ctx, tmp_path):
    from kdnb.runs import Context

    other = Context.make("cpu", cache_root=tmp_path / "other", progress=False)
    a, b = run(_tiny_kd(), ctx), run(_tiny_kd(), other)
    assert a.curves == b.curves and a.metrics["test_acc"] == b.metrics["test_acc"]
    assert a.metrics["teacher_acc"] > 50  # the digits teacher learned something
    student = load_model(a)
    assert sum(p.numel() for p in student.parameters()) < sum(p.numel() for p in load_model(
        lookup(_tiny_kd().teacher, ctx)).parameters())


def test_a_killed_training_resumes_to_the_same_result(ctx, tmp_path, killed_after):
    """Kill a run after its 2nd epoch (checkpoint written), rerun: the result equals an uninterrupted run."""
    from kdnb.runs import Context

    full = run(_tiny_kd(epochs=4), Context.make("cpu", cache_root=tmp_path / "full", progress=False))
    with killed_after(2, only="KDRun"):
        run(_tiny_kd(epochs=4), ctx)
    assert lookup(_tiny_kd(epochs=4), ctx) is None
    resumed = run(_tiny_kd(epochs=4), ctx)
    assert resumed.curves == full.curves


def test_run_or_missing_turns_a_missing_dataset_into_a_status_line(ctx):
    from kdnb.runs import run_or_missing

    cfg = TeacherRun("cifar10", "tiny", Schedule(epochs=1, augment="none"))
    rec, status = run_or_missing(cfg, ctx)
    assert rec is None and status.startswith("missing: CIFAR10 not found under <data_root>")
    assert str(ctx.data_root) not in status and "\n" not in status
    assert not (ctx.cache_root / "TeacherRun").exists() or not any((ctx.cache_root / "TeacherRun").iterdir())


@pytest.mark.parametrize("select,forwards", [("per_class", 300), ("first", 100)])
def test_build_transfer_runs_one_teacher_forward_per_image(ctx, select, forwards):
    """A selector that predicted its candidates hands back their labels: no second forward over the chosen set."""
    from kdnb.data import load_dataset
    from kdnb.engine import predict
    from kdnb.methods import build_transfer, make_model, model_spec
    from kdnb.selection import class_counts

    spec = model_spec("tiny", load_dataset("digits"))
    teacher = make_model(spec).eval()
    pool = 300 if select == "per_class" else None
    x, summary = build_transfer(Transfer("dataset:digits", 100, pool=pool, select=select), teacher, spec, ctx)
    assert summary["teacher_forwards"] == forwards
    assert summary["class_counts"] == class_counts(predict(teacher, x).argmax(1), 10)
    assert "labels" not in summary and len(x) == 100


def test_a_fingerprint_ignores_prose_but_not_code():
    import ast

    from kdnb.codeid import _strip_docstrings

    def digest(src):
        return ast.dump(_strip_docstrings(ast.parse(src)))

    a = 'def f(x):\n    """Old words."""\n    return x + 1  # a comment\n'
    assert digest(a) == digest('def f(x):\n    """New words."""\n    return x + 1\n')
    assert digest(a) != digest('def f(x):\n    """Old words."""\n    return x + 2\n')


def test_results_of_older_code_are_never_loaded_as_current(ctx, monkeypatch):
    """A record made by other code than today's is not found (the run reruns) and is listed as stale."""
    from kdnb import runs
    from kdnb.runs import stale_records

    cfg = TeacherRun("digits", "tiny", Schedule(epochs=1, batch_size=64, lr=0.05, augment="none"))
    old = run(cfg, ctx)
    assert old.meta["code"] == runs.code_of(cfg) and set(old.meta["git"]) == {"commit", "dirty"}
    assert stale_records(ctx.cache_root) == []
    runs._kinds_fingerprint.cache_clear()
    monkeypatch.setattr(runs.codeid, "fingerprint", lambda *m: "fixedcode123")  # "the code changed"
    assert lookup(cfg, ctx) is None  # a notebook asking for it now reruns it
    stale = stale_records(ctx.cache_root)
    assert [s["folder"] for s in stale] == [str(old.folder)] and stale[0]["made_by"] == old.meta["code"]
    new = run(cfg, ctx)
    assert new.folder != old.folder and old.folder.exists()  # nothing overwritten
    runs._kinds_fingerprint.cache_clear()


def test_a_kd_run_depends_on_the_code_of_its_teacher_kind_too():
    from kdnb.runs import _nested_kinds

    assert _nested_kinds(_tiny_kd()) == {"KDRun", "TeacherRun"}


def test_stale_command_lists_records(tmp_path, capsys):
    from kdnb.__main__ import main

    assert main(["cache", "--stale", "--cache", str(tmp_path)]) == 0
    assert "no stale records" in capsys.readouterr().out
