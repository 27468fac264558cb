"""Plan, sweep and claims: the smoke plan is what the smoke notebooks run; a local two-worker sweep makes the same
records as a sequential run; two processes on one config make one record; a killed worker's claim is taken over."""
from __future__ import annotations

import io
import json
import os
import pickle
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kdnb import claims
from kdnb.engine import Schedule
from kdnb.methods import KDRun, TeacherRun, Transfer
from kdnb.plan import closure, format_plan, make_plan, notebook_configs, plan_of, recipe_modules, resources
from kdnb.runs import Context, RunPending, claim_path, config_key, lookup, run
from kdnb.sweep import critical_path, sweep

REPO = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "OMP_WAIT_POLICY": "PASSIVE", "PYTHONPATH": str(REPO)}


def small(epochs: int = 2) -> list:
    """A tiny smoke plan: a digits teacher and two students (original images, noise), a few CPU-seconds each."""
    t = TeacherRun("digits", "lenet5", Schedule(epochs=epochs, batch_size=64, lr=0.05, augment="none"))
    sched = Schedule(epochs=2, batch_size=64, lr=3e-3, momentum=0.0, weight_decay=0.0, optimizer="adam")
    return [t, KDRun(t, "lenet5_half", Transfer("dataset:digits", 600), sched, temperature=4.0),
            KDRun(t, "lenet5_half", Transfer("gaussian_noise", 600), sched, temperature=4.0)]


def _records(root: Path) -> dict[str, dict]:
    return {p.parent.name: json.loads(p.read_text()) for p in root.glob("*/*/record.json")}


def _debris(root: Path) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.name.endswith((".tmp", ".claim", ".takeover")) or ".corrupt-" in p.name]


# ------------------------------------------------------------------------------------------------ the plan


def test_every_notebook_that_imports_a_recipe_is_declared_in_its_notebooks_table():
    mods = recipe_modules()
    stems = {p.stem for p in (REPO / "notebooks").glob("[0-9][0-9]_*.py")}
    undeclared = []
    for nb in sorted(stems):
        src = (REPO / "notebooks" / f"{nb}.py").read_text()
        for name in set(re.findall(r"kdnb\.recipes\.(\w+)|from kdnb\.recipes import (\w+)", src)):
            name = name[0] or name[1]
            if name in mods and nb not in getattr(mods[name], "NOTEBOOKS", {}):
                undeclared.append(f"{nb} imports kdnb.recipes.{name}, whose NOTEBOOKS lacks it")
    assert not undeclared, undeclared
    for name, mod in mods.items():
        assert set(getattr(mod, "NOTEBOOKS", {})) <= stems, (name, set(mod.NOTEBOOKS) - stems)


@pytest.mark.parametrize("scale", ["smoke", "paper"])
def test_plan_per_notebook_is_exactly_each_recipes_configs(scale, ctx):
    """The notebooks' declared runs are, together, each recipe's configs(scale); the plan holds them and every run
    they need (teachers, twins), dependencies first, once each."""
    by_nb = notebook_configs(scale)
    assert not [nb for nb in by_nb if nb.endswith(".configs")], "configs that no NOTEBOOKS entry declares"
    for name, mod in recipe_modules().items():
        declared = {c for nb in getattr(mod, "NOTEBOOKS", {}) for c in by_nb[nb]}
        assert declared == set(mod.configs(scale)), name
    plan = make_plan(scale, ctx, check_cache=False)
    want = {config_key(c) for mod in recipe_modules().values() for c in closure(mod.configs(scale))}
    assert set(plan.keys()) == want and len(plan.keys()) == len(want)
    pos = {k: i for i, k in enumerate(plan.keys())}
    assert all(pos[d] < pos[e.key] for e in plan.entries for d in e.deps)
    if scale == "paper":
        assert all(e.seconds("h200") is not None for e in plan.entries)
        text = format_plan(plan, "h200", runs=False)
        assert "24_B_table4_unbalanced_teachers" in text and "measured" in text


def test_unbalanced_sets_depend_on_their_balanced_twin(ctx):
    plan = make_plan("smoke", ctx, only="24_*", check_cache=False)
    sets = [e for e in plan.entries if e.kind == "ArbitrarySet" and not e.cfg.balanced]
    assert sets and all(config_key(e.cfg.twin()) in e.deps for e in sets)


@pytest.fixture(scope="module")
def notebook_cache(tmp_path_factory):
    """The cache that notebook 00's own call (``run_quickstart``) writes at smoke scale."""
    from kdnb.recipes.quickstart import run_quickstart

    root = tmp_path_factory.mktemp("nb00")
    run_quickstart("smoke", Context.make("cpu", cache_root=root, progress=False))
    return root


def test_smoke_plan_keys_are_the_records_the_notebook_writes(notebook_cache):
    ctx = Context.make("cpu", cache_root=notebook_cache, progress=False)
    plan = make_plan("smoke", ctx, only="00_quickstart")
    assert set(plan.keys()) == set(_records(notebook_cache))
    assert all(e.cached for e in plan.entries)
    assert "00_quickstart" in format_plan(plan, "cpu")


# ------------------------------------------------------------------------------------------------ the sweep


def test_local_sweep_with_two_workers_makes_the_same_records_as_a_sequential_run(tmp_path):
    seq = Context.make("cpu", cache_root=tmp_path / "seq", progress=False)
    for c in small():
        run(c, seq)
    par = Context.make("cpu", cache_root=tmp_path / "par", progress=False)
    plan = plan_of({"small": small()}, par, "smoke")
    assert [e.kind for e in plan.entries] == ["TeacherRun", "KDRun", "KDRun"] and not plan.entries[0].deps
    assert plan.entries[1].deps == plan.entries[2].deps == [plan.entries[0].key]
    out = sweep(plan, par, "local", workers=2, device="cpu", threads=1, poll_s=0.2)
    assert len(out.finished) == 3 and not out.failed and not out.pending, out.summary()
    a, b = _records(tmp_path / "seq"), _records(tmp_path / "par")
    assert set(a) == set(b) == set(plan.keys())
    for k in a:
        assert a[k]["metrics"] == b[k]["metrics"], k
    assert not _debris(tmp_path / "par")
    again = sweep(plan_of({"small": small()}, par, "smoke"), par, "local", workers=2, device="cpu", poll_s=0.2)
    assert not again.finished and len(again.cached) == 3  # a rerun submits nothing that is cached


def test_ready_runs_go_longest_chain_first(tmp_path):
    ctx = Context.make("cpu", cache_root=tmp_path / "runs", progress=False)
    long_teacher = TeacherRun("digits", "lenet5", Schedule(epochs=8, batch_size=64, lr=0.05, augment="none"))
    plan = plan_of({"small": small(), "long": [long_teacher]}, ctx, "smoke")
    t, kd_digits, kd_noise, lt = (plan.entry(config_key(c)) for c in [*small(), long_teacher])
    length = critical_path(plan, "cpu")
    assert length[kd_noise.key] == pytest.approx(kd_noise.seconds("cpu"))
    assert length[t.key] == pytest.approx(t.seconds("cpu") + max(kd_digits.seconds("cpu"), kd_noise.seconds("cpu")))
    assert length[lt.key] == pytest.approx(lt.seconds("cpu")) and length[lt.key] > length[t.key]  # 8 epochs > 2 + 2
    assert [e.key for e in plan.entries].index(lt.key) == 3  # the plan lists it last; plan order alone would start it last
    out = io.StringIO()
    res = sweep(plan, ctx, "local", workers=1, device="cpu", threads=1, poll_s=0.2, out=out)
    assert len(res.finished) == 4, res.summary()
    started = re.findall(r"submitted \w+ (\w+)", out.getvalue())
    assert started[0] == lt.key and started[1] == t.key, out.getvalue()


def test_a_failed_job_gets_one_line_and_its_dependents_stay_pending(tmp_path):
    ctx = Context.make("cpu", data_root=tmp_path / "nodata", cache_root=tmp_path / "runs", progress=False)
    t = TeacherRun("mnist", "lenet5", Schedule(epochs=1, batch_size=64, augment="none"))  # MNIST is not there
    kd = KDRun(t, "lenet5_half", Transfer("gaussian_noise", 100), Schedule(epochs=1, batch_size=64))
    out = sweep(plan_of({"x": [kd]}, ctx), ctx, "local", workers=2, device="cpu", poll_s=0.2)
    assert [e.kind for e, _ in out.failed] == ["TeacherRun"] and "\n" not in out.failed[0][1]
    assert "mnist" in out.failed[0][1].lower()
    assert [e.kind for e, _ in out.pending] == ["KDRun"] and "blocked" in out.pending[0][1]


def test_slurm_jobs_get_the_plans_resources_and_wait_for_their_dependencies(ctx, tmp_path, monkeypatch):
    """The sbatch script submitit would submit for each job (a stand-in ``srun`` on PATH: no Slurm here)."""
    from submitit.slurm.slurm import _make_sbatch_string

    from kdnb.sweep import SweepError, configured

    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(SweepError, match="no Slurm here"):
        configured("slurm", None, "cuda", [], tmp_path / "logs")
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "srun").write_text("#!/bin/sh\nexit 1\n")
    (tmp_path / "bin" / "srun").chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    plan = plan_of({"small": small()}, ctx, "smoke", check_cache=False)
    teacher, kd = plan.entries[0], plan.entries[1]

    def script(entry, deps):
        ex = configured("slurm", entry, "cuda", deps, tmp_path / "logs", partition="gpu")
        return _make_sbatch_string(command="python -m job", folder=str(tmp_path / "logs" / "%j"),
                                   **ex._executor.parameters)

    s = script(kd, ["1234"])
    for line in ("--dependency=afterok:1234", "--gpus-per-node=1", "--partition=gpu", "--kill-on-invalid-dep=yes",
                 f"--time={resources(kd)['timeout_min']}", f"--job-name=kdnb-KDRun-{kd.key}"):
        assert line in s, (line, s)
    assert "--dependency" not in script(teacher, [])  # nothing left over from the previous job


# ------------------------------------------------------------------------------------------------ claims

_WORKER = """
import json, os, pickle, sys, time
from pathlib import Path
from kdnb.sweep import execute
cfg = pickle.loads(Path(sys.argv[1]).read_bytes())
Path(sys.argv[3] + ".ready").write_text("")
while not Path(sys.argv[4]).exists():
    time.sleep(0.01)
print(json.dumps(execute(cfg, "cpu", None, sys.argv[2], 1)))
"""


def _workers(cfg, cache: Path, tmp: Path, n: int, go: Path):
    blob = tmp / "cfg.pkl"
    blob.write_bytes(pickle.dumps(cfg))
    procs = [subprocess.Popen([sys.executable, "-c", _WORKER, str(blob), str(cache), str(tmp / f"w{i}"), str(go)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV) for i in range(n)]
    deadline = time.time() + 120
    while not all((tmp / f"w{i}.ready").exists() for i in range(n)):
        assert time.time() < deadline and all(p.poll() is None for p in procs), [p.communicate() for p in procs]
        time.sleep(0.05)
    return procs


def test_two_processes_on_one_config_make_one_complete_record(tmp_path):
    cfg = small(epochs=3)[0]
    cache = tmp_path / "runs"
    go = tmp_path / "go"
    procs = _workers(cfg, cache, tmp_path, 2, go)
    go.write_text("")  # both start run() within milliseconds
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    infos = [json.loads(o.strip().splitlines()[-1]) for o, _ in outs]
    assert sorted(i["made_here"] for i in infos) == [False, True]
    assert sum("being made by another worker" in e for _, e in outs) == 1
    recs = _records(cache)
    assert list(recs) == [config_key(cfg)]
    assert lookup(cfg, Context.make("cpu", cache_root=cache, progress=False)) is not None
    assert not _debris(cache)


def test_a_worker_killed_mid_run_leaves_a_claim_the_next_sweep_takes_over(tmp_path):
    cfg = small(epochs=5)[0]
    cache = tmp_path / "runs"
    ctx = Context.make("cpu", cache_root=cache, progress=False)
    go = tmp_path / "go"
    (proc,) = _workers(cfg, cache, tmp_path, 1, go)
    go.write_text("")
    path = claim_path(cfg, ctx)
    deadline = time.time() + 60
    while not path.exists():
        assert time.time() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert path.exists() and lookup(cfg, ctx) is None  # the dead worker's claim stays behind
    assert claims.why_stale(claims.read(path)).startswith("its worker")
    plan = plan_of({"killed": [cfg]}, ctx)
    assert plan.missing() and plan.entries[0].claimed is None  # stale: not counted as someone else's
    out = sweep(plan, ctx, "local", workers=1, device="cpu", threads=1, poll_s=0.2)
    assert len(out.finished) == 1 and not out.failed, out.summary()
    assert lookup(cfg, ctx) is not None and not path.exists()
    logs = "".join(p.read_text() for p in (cache / "sweeps").rglob("*.err"))
    assert "took over its claim (its worker (pid" in logs


def test_a_live_claim_is_reported_pending_and_a_silent_foreign_one_is_taken_over(tmp_path, monkeypatch, ctx):
    cfg = small()[0]
    path = claim_path(cfg, ctx)
    held, _, _ = claims.try_claim(path, "test")  # this live process holds it
    try:
        with pytest.raises(RunPending, match="being made by another worker"):
            run(cfg, ctx, wait=False)
        assert plan_of({"x": [cfg]}, ctx).entries[0].claimed["pid"] == os.getpid()
    finally:
        held.release()
    assert not path.exists()
    # A claim from another host whose heartbeat stopped longer ago than the timeout is taken over.
    path.write_text(json.dumps({"pid": 1, "host": "elsewhere", "time": "then", "token": "abc"}))
    assert claims.why_stale(claims.read(path)) is None  # fresh: its worker may be busy
    monkeypatch.setenv("KDNB_CLAIM_TIMEOUT", "5")
    old = time.time() - 60
    os.utime(path, (old, old))
    claim, holder, why = claims.try_claim(path, "test")
    assert claim is not None and "no heartbeat" in why
    assert claims.read(path)["host"] == socket.gethostname()
    claim.release()


def test_heartbeat_keeps_a_claim_fresh(tmp_path, monkeypatch):
    monkeypatch.setattr(claims, "HEARTBEAT_S", 0.05)
    path = tmp_path / "x.claim"
    claim, _, _ = claims.try_claim(path)
    old = time.time() - 1000
    os.utime(path, (old, old))
    time.sleep(0.3)
    assert claims.read(path)["age_s"] < 5
    claim.release()


_SWEEPER = """
import pickle, sys
from pathlib import Path
from kdnb.plan import plan_of
from kdnb.runs import Context
from kdnb.sweep import sweep
cfg = pickle.loads(Path(sys.argv[1]).read_bytes())
ctx = Context.make("cpu", cache_root=sys.argv[2], progress=False)
out = sweep(plan_of({"x": [cfg]}, ctx), ctx, "local", workers=1, device="cpu", threads=1, poll_s=0.1)
print(out.summary())
"""


@pytest.mark.parametrize("sigint", ["default", "ignored"])
def test_stopping_a_local_sweep_cancels_its_jobs(tmp_path, sigint):
    """SIGTERM (or Ctrl-C) to ``python -m kdnb sweep --executor local`` must not leave its jobs training on (the next
    sweep takes the dead job's claim over: test_a_worker_killed_mid_run_leaves_a_claim_the_next_sweep_takes_over),
    also when it was started as ``nohup … &`` from a script, which starts it with SIGINT ignored."""
    cfg = TeacherRun("digits", "lenet5", Schedule(epochs=400, batch_size=64, lr=0.05, augment="none"))
    cache = tmp_path / "runs"
    ctx = Context.make("cpu", cache_root=cache, progress=False)
    (tmp_path / "cfg.pkl").write_bytes(pickle.dumps(cfg))
    proc = subprocess.Popen([sys.executable, "-c", _SWEEPER, str(tmp_path / "cfg.pkl"), str(cache)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
                            preexec_fn=lambda: signal.signal(signal.SIGINT,  # explicit: pytest itself may run under nohup
                                                             signal.SIG_IGN if sigint == "ignored" else signal.SIG_DFL))
    path = claim_path(cfg, ctx)
    deadline = time.time() + 120
    while not path.exists():  # the job has started its run
        assert time.time() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    worker = claims.read(path)["pid"]
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=90)
    assert "sweep (interrupted)" in out and "cancelled (local job" in out, (out, err)
    for _ in range(100):  # the job's process is gone, its run unfinished
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"the job's process {worker} still runs after the sweep stopped")
    assert lookup(cfg, ctx) is None
    summary = json.loads(next((cache / "sweeps").rglob("summary.json")).read_text())
    assert list(summary["interrupted"]) == [config_key(cfg)]
