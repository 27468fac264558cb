"""Bad input and faults: each case asserts the one line the user sees, the exit code where there is one, and that
nothing already computed (cache records, figures) is lost or overwritten.

Groups: configs validated when built; notebook parameters; the ``run_all.sh`` command line; a corrupt cache
(records, artefacts, checkpoints, tensors) set aside and remade; missing or unreadable data; figures never
replaced by less complete ones; the environment script. The notebook-level cases (a lab notebook on a missing
data folder, a cell timeout) run papermill and take ~15 s each.
"""
from __future__ import annotations

import json
import math
import os
import pickle
import struct
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from kdnb import plots, runs
from kdnb.config import ConfigError, ParameterError, check_params, default_cache_root, default_data_root
from kdnb.data import DatasetMissing, load_dataset
from kdnb.engine import Schedule
from kdnb.io import CacheError, checked_load
from kdnb.methods import KDRun, TeacherRun, Transfer

REPO = Path(__file__).resolve().parent.parent
QUICK = Schedule(epochs=1, batch_size=64, lr=0.05, augment="none")
TEACHER = TeacherRun("digits", "tiny", QUICK)


def one_line(msg: str) -> str:
    assert "\n" not in msg.strip(), f"more than one line: {msg!r}"
    return msg


# ------------------------------------------------------------------------------- configs, validated when built

CONFIG_CASES = {
    "lr huge": (lambda: Schedule(lr=1e6), "Schedule.lr=1000000.0 is not allowed; a finite learning rate"),
    "lr nan": (lambda: Schedule(lr=math.nan), "Schedule.lr=nan"),
    "lr zero": (lambda: Schedule(lr=0), "Schedule.lr=0"),
    "lr negative": (lambda: Schedule(lr=-0.1), "Schedule.lr=-0.1"),
    "epochs zero": (lambda: Schedule(epochs=0), "Schedule.epochs=0 is not allowed; an integer ≥ 1"),
    "epochs float": (lambda: Schedule(epochs=2.5), "Schedule.epochs=2.5"),
    "batch zero": (lambda: Schedule(batch_size=0), "Schedule.batch_size=0"),
    "momentum one": (lambda: Schedule(momentum=1.0), "Schedule.momentum=1.0 is not allowed; a value in [0, 1)"),
    "weight decay negative": (lambda: Schedule(weight_decay=-1e-4), "Schedule.weight_decay=-0.0001"),
    "optimizer unknown": (lambda: Schedule(optimizer="rmsprop"), "Schedule.optimizer='rmsprop' is not allowed; one of"),
    "augment unknown": (lambda: Schedule(augment="heavy"), "Schedule.augment='heavy' is not allowed; one of"),
    "transfer n zero": (lambda: Transfer("gaussian_noise", 0), "Transfer.n=0 is not allowed; an integer ≥ 1"),
    "transfer pool below n": (lambda: Transfer("gaussian_noise", 10, pool=5), "Transfer.pool=5 is not allowed; None or ≥ n=10"),
    "transfer source unknown": (lambda: Transfer("perlin", 10), "Transfer.source='perlin'"),
    "transfer dataset unknown": (lambda: Transfer("dataset:tiny", 10), "Transfer.source='dataset:tiny'"),
    "transfer selector unknown": (lambda: Transfer("gaussian_noise", 10, select="best"), "Transfer.select='best'"),
    "temperature zero": (lambda: KDRun(TEACHER, "tiny_half", Transfer("gaussian_noise", 10), QUICK, temperature=0),
                         "KDRun.temperature=0 is not allowed; a temperature in (0, 1000)"),
    "temperature negative": (lambda: KDRun(TEACHER, "tiny_half", Transfer("gaussian_noise", 10), QUICK, temperature=-1),
                             "KDRun.temperature=-1"),
    "temperature inf": (lambda: KDRun(TEACHER, "tiny_half", Transfer("gaussian_noise", 10), QUICK, temperature=math.inf),
                        "KDRun.temperature=inf"),
    "kd loss unknown": (lambda: KDRun(TEACHER, "tiny_half", Transfer("gaussian_noise", 10), QUICK, loss="bogus"),
                        "KDRun.loss='bogus' is not allowed; one of ['kl', 'soft_ce']"),
    "kd targets unknown": (lambda: KDRun(TEACHER, "tiny_half", Transfer("gaussian_noise", 10), QUICK, targets="hard"),
                           "KDRun.targets='hard'"),
    "student unknown": (lambda: KDRun(TEACHER, "resnet9000", Transfer("gaussian_noise", 10), QUICK),
                        "KDRun.student='resnet9000'"),
    "teacher dataset unknown": (lambda: TeacherRun("mnits", "tiny", QUICK), "TeacherRun.dataset='mnits'"),
    "teacher arch unknown": (lambda: TeacherRun("digits", "lenet6", QUICK), "TeacherRun.arch='lenet6'"),
}


@pytest.mark.parametrize("case", sorted(CONFIG_CASES))
def test_bad_config_is_one_line_naming_the_field(case, tmp_path, monkeypatch):
    monkeypatch.setenv("KDNB_CACHE", str(tmp_path))
    build, expected = CONFIG_CASES[case]
    with pytest.raises(ConfigError) as e:
        build()
    assert expected in one_line(str(e.value))
    assert not any(tmp_path.iterdir()), "a rejected config must leave nothing in the cache"


# ------------------------------------------------------------------------------------------ notebook parameters

PARAMS = {"scale": "smoke", "device": "auto", "data_root": None, "seed": 0}
PARAM_CASES = {
    "misspelt name": ({**PARAMS, "scael": "lab"}, "unknown parameter(s) ['scael']"),
    "unknown scale": ({**PARAMS, "scale": "huge"}, "parameter scale='huge' is not allowed"),
    "seed as text": ({**PARAMS, "seed": "1"}, "parameter seed='1' is not allowed; expected int"),
    "seed as bool": ({**PARAMS, "seed": True}, "parameter seed=True is not allowed"),
    "device gpu": ({**PARAMS, "device": "gpu"}, "device='gpu' is not a device; use 'auto', 'cpu', 'cuda' or 'cuda:N'"),
    "device mps": ({**PARAMS, "device": "mps"}, "device='mps' is not supported"),
}


@pytest.mark.parametrize("case", sorted(PARAM_CASES))
def test_bad_notebook_parameter_is_one_line(case):
    params, expected = PARAM_CASES[case]
    with pytest.raises(ParameterError) as e:
        check_params(params, {})
    assert expected in one_line(str(e.value))


@pytest.mark.skipif(torch.cuda.is_available(), reason="asks for CUDA where there is none")
def test_cuda_without_cuda_is_one_line():
    with pytest.raises(ParameterError, match="torch sees no CUDA device here"):
        check_params({**PARAMS, "device": "cuda"}, {})


@pytest.mark.parametrize("var,default", [("KDNB_CACHE", default_cache_root), ("KDNB_DATA", default_data_root)])
def test_empty_variable_means_its_default(var, default, monkeypatch):
    monkeypatch.setenv(var, "")
    assert default() == REPO / {"KDNB_CACHE": "runs", "KDNB_DATA": "data"}[var]


# ------------------------------------------------------------------------------- the run_all.sh command line


def cli(*args, env=None, timeout=300):
    e = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE", "KDNB_PROGRESS": "0", **(env or {})}
    return subprocess.run([sys.executable, "-m", "kdnb.cli", *args], capture_output=True, text=True, env=e,
                          cwd=REPO, timeout=timeout)


CLI_CASES = {
    "unknown scale": (["--scale", "huge"], 2, "argument --scale: invalid choice: 'huge'"),
    "no notebook matches": (["--only", "99_*"], 2, "run_all.sh: no notebook matches --only '99_*'"),
    "device gpu": (["--device", "gpu", "--only", "00_*"], 2, "run_all.sh: device='gpu' is not a device"),
    "timeout not a number": (["--timeout", "soon"], 2, "argument --timeout: invalid int value: 'soon'"),
    "unknown option": (["--sclae", "lab"], 2, "unrecognized arguments: --sclae lab"),
}


def cli_in_process(args, capsys) -> tuple[int, str, str]:
    """``run_all.sh ARGS`` without a new interpreter: (exit code, stdout, stderr)."""
    from kdnb.cli import main

    try:
        code = main(list(args))
    except SystemExit as e:  # argparse
        code = e.code
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("case", sorted(CLI_CASES))
def test_bad_command_line_is_one_line(case, capsys):
    args, code, expected = CLI_CASES[case]
    got, _, err = cli_in_process(args, capsys)
    assert got == code, err
    assert expected in err.strip().splitlines()[-1]


@pytest.mark.skipif(torch.cuda.is_available(), reason="asks for CUDA where there is none")
def test_cuda_on_a_cpu_machine_is_one_line(capsys):
    code, _, err = cli_in_process(["--device", "cuda", "--only", "00_*"], capsys)
    assert code == 2 and "torch sees no CUDA device here" in err.strip().splitlines()[-1]


@pytest.mark.parametrize("only,listed", [
    ("0*", ["00_quickstart.ipynb"]),                                  # a glob, not a substring (10_, 20_ not run)
    ("notebooks/21_*.ipynb", ["21_B_table1_fig3_balanced_vs_unbalanced.ipynb"]),   # a path matches its file name
    ("*_B_table3*", ["23_B_table3_arbitrary_sets.ipynb"]),
])
def test_only_is_a_glob_on_file_names(only, listed, capsys):
    code, out, _ = cli_in_process(["--list", "--only", only], capsys)
    assert code == 0 and out.split() == listed


# ----------------------------------------------------------------------------------- a corrupt cache, set aside


@pytest.fixture
def ctx(tmp_path):
    return runs.Context(device=torch.device("cpu"), cache_root=tmp_path / "runs", progress=False)


def set_aside_copies(folder: Path) -> list[Path]:
    return sorted(folder.parent.glob(f"{folder.name}.corrupt-*"))


class Evil:
    """Unpickling this would run code: ``weights_only=True`` must refuse it."""

    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


def corrupt(kind: str, folder: Path) -> None:
    if kind == "truncated model.pt":
        p = folder / "model.pt"
        p.write_bytes(p.read_bytes()[:100])
    elif kind == "model.pt replaced by a malicious pickle":
        (folder / "model.pt").write_bytes(pickle.dumps(Evil()))
    elif kind == "model.pt deleted":
        (folder / "model.pt").unlink()
    elif kind == "record.json not JSON":
        (folder / "record.json").write_text('{"config": {')
    elif kind == "record.json lacks its metrics":
        d = json.loads((folder / "record.json").read_text())
        del d["metrics"]
        (folder / "record.json").write_text(json.dumps(d))
    elif kind == "record.json empty":
        (folder / "record.json").write_text("")


CORRUPTIONS = ["truncated model.pt", "model.pt replaced by a malicious pickle", "model.pt deleted",
               "record.json not JSON", "record.json lacks its metrics", "record.json empty"]


@pytest.mark.parametrize("kind", CORRUPTIONS)
def test_corrupt_record_is_set_aside_and_the_run_made_again(kind, ctx, capsys):
    first = runs.run(TEACHER, ctx)
    corrupt(kind, first.folder)
    capsys.readouterr()
    again = runs.run(TEACHER, ctx)
    line = one_line(capsys.readouterr().err.strip())
    assert line.startswith(f"kdnb: {first.folder}: ") and "set aside as" in line and "made again" in line
    copies = set_aside_copies(first.folder)
    assert len(copies) == 1 and (copies[0] / "record.json").exists(), "the corrupt folder is kept, not deleted"
    assert again.metrics["test_acc"] == pytest.approx(first.metrics["test_acc"])  # made again, same numbers
    assert runs.lookup(TEACHER, ctx) is not None and checked_load(again.folder / "model.pt")


def test_sound_record_is_loaded_not_rerun(ctx, capsys):
    first = runs.run(TEACHER, ctx)
    capsys.readouterr()
    again = runs.run(TEACHER, ctx)
    assert capsys.readouterr().err == "" and again.meta["finished"] == first.meta["finished"]
    assert set(first.meta["artefacts"]) == {"model.pt"}


@pytest.mark.parametrize("content,expected", [
    (pickle.dumps(Evil()), "refused to load: it holds objects other than tensors"),
    (b"PK\x03\x04 not really a zip", "corrupt or truncated"),
    (b"", "corrupt or truncated"),
])
def test_unsafe_or_corrupt_file_is_one_line_naming_it(content, expected, tmp_path):
    p = tmp_path / "model.pt"
    p.write_bytes(content)
    with pytest.raises(CacheError) as e:
        checked_load(p)
    msg = one_line(str(e.value))
    assert msg.startswith(f"{p}: ") and expected in msg and "weights_only=False" not in msg


def kd_config(epochs=3):
    return KDRun(TEACHER, "tiny_half", Transfer("dataset:digits", 256), replace(QUICK, epochs=epochs), temperature=4.0)


@pytest.mark.parametrize("kind", ["truncated", "malicious", "foreign"])
def test_unusable_checkpoint_is_set_aside_and_training_starts_again(kind, ctx, capsys):
    cfg = kd_config()
    reference = runs.run(cfg, ctx)
    ref_curves = reference.curves
    folder = reference.folder
    # an unfinished run of the same config, whose checkpoint is then damaged
    os.replace(folder, folder.with_name("done"))
    folder.mkdir()
    partial = folder / "partial.pt"
    content = {"truncated": b"PK\x03\x04" + b"\0" * 50, "malicious": pickle.dumps(Evil())}.get(kind)
    if content is None:  # a sound file that is not a checkpoint of these learners
        torch.save({"learners": {"someone else": {}}, "gen": torch.zeros(1), "torch_rng": torch.zeros(1),
                    "curves": {}, "epoch": torch.tensor(1)}, partial)
    else:
        partial.write_bytes(content)
    capsys.readouterr()
    again = runs.run(cfg, ctx)
    err = capsys.readouterr().err.strip()
    assert f"kdnb: {partial}: cannot resume from it" in one_line(err) and "training starts again" in err
    assert len(list(folder.glob("partial.pt.corrupt-*"))) == 1
    assert again.curves["test_acc"] == pytest.approx(ref_curves["test_acc"])


def test_corrupt_cached_tensor_is_remade(ctx, capsys):
    make = lambda: torch.arange(6.0)  # noqa: E731
    runs.cached_tensor("pool", {"n": 6}, make, ctx)
    (path,) = (ctx.cache_root / "tensors").glob("pool-*.pt")
    path.write_bytes(b"garbage")
    capsys.readouterr()
    assert torch.equal(runs.cached_tensor("pool", {"n": 6}, make, ctx), make())
    assert f"kdnb: {path}: " in one_line(capsys.readouterr().err.strip())
    assert len(list(path.parent.glob("pool-*.pt.corrupt-*"))) == 1


def test_stale_listing_skips_set_aside_folders(ctx):
    rec = runs.run(TEACHER, ctx)
    corrupt("record.json not JSON", rec.folder)
    runs.lookup(TEACHER, ctx)  # sets it aside
    assert runs.stale_records(ctx.cache_root) == []


# ---------------------------------------------------------------------------------------- missing or bad data


def write_idx(path: Path, arr: np.ndarray) -> None:
    with open(path, "wb") as f:
        f.write(struct.pack(">HBB", 0, 8, arr.ndim) + struct.pack(">" + "I" * arr.ndim, *arr.shape) + arr.tobytes())


@pytest.fixture
def fake_mnist(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for split, n in (("train", 60), ("t10k", 20)):
        write_idx(raw / f"{split}-images-idx3-ubyte", rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
        write_idx(raw / f"{split}-labels-idx1-ubyte", rng.integers(0, 10, (n,), dtype=np.uint8))
    return tmp_path


def test_mnist_in_torchvision_layout_loads(fake_mnist):
    assert load_dataset("mnist", "train", fake_mnist).x.shape == (60, 1, 28, 28)


@pytest.mark.parametrize("case", ["absent folder", "empty folder", "a file, not a folder"])
def test_missing_dataset_is_one_line_with_path_and_how(case, tmp_path):
    root = {"absent folder": tmp_path / "nowhere", "empty folder": tmp_path,
            "a file, not a folder": tmp_path / "file"}[case]
    if case == "a file, not a folder":
        root.write_text("x")
    with pytest.raises(DatasetMissing) as e:
        load_dataset("mnist", "train", root)
    msg = one_line(str(e.value))
    assert f"MNIST not found under {root}" in msg and "torchvision.datasets.MNIST(root, download=True)" in msg


def test_truncated_dataset_is_unreadable_not_missing(fake_mnist):
    p = fake_mnist / "MNIST" / "raw" / "train-images-idx3-ubyte"
    p.write_bytes(p.read_bytes()[:1000])
    with pytest.raises(DatasetMissing) as e:
        load_dataset("mnist", "train", fake_mnist)
    msg = one_line(str(e.value))
    assert f"MNIST under {fake_mnist} is unreadable" in msg and "truncated or corrupt" in msg and "not found" not in msg


def test_missing_data_becomes_a_row_and_is_counted(tmp_path):
    ctx = runs.Context(device=torch.device("cpu"), data_root=tmp_path / "nowhere", cache_root=tmp_path / "runs",
                       progress=False)
    before = runs.missing_met()
    rec, status = runs.run_or_missing(TeacherRun("mnist", "lenet5", QUICK), ctx)
    assert rec is None and status.startswith("missing: MNIST not found under <data_root>")
    assert runs.missing_met() == before + 1
    assert not (tmp_path / "runs" / "TeacherRun").exists() or not any((tmp_path / "runs" / "TeacherRun").iterdir())


def test_data_that_appears_changes_the_notebook_stamp(fake_mnist, tmp_path):
    from kdnb.cli import fingerprint

    nb = REPO / "notebooks" / "13_A_table3_relative_entropy.ipynb"
    root = tmp_path / "data"
    params = {"scale": "lab", "device": "cpu", "data_root": str(root)}
    absent = fingerprint(nb, params)
    root.mkdir()
    empty = fingerprint(nb, params)
    os.replace(fake_mnist / "MNIST", root / "MNIST")
    assert len({absent, empty, fingerprint(nb, params)}) == 3
    assert fingerprint(nb, {**params, "scale": "smoke"}) == fingerprint(nb, {**params, "scale": "smoke"})


# --------------------------------------------------------------------- results never replaced by worse ones


@pytest.fixture
def figures(tmp_path, monkeypatch):
    monkeypatch.setenv("KDNB_FIGURES", str(tmp_path / "figures"))
    monkeypatch.setenv("KDNB_REPORT", str(tmp_path / "report.jsonl"))
    return tmp_path / "figures" / "lab"


def table(missing: int) -> pd.DataFrame:
    return pd.DataFrame({"row": range(3), "status": ["missing: X not found"] * missing + [""] * (3 - missing)})


@pytest.mark.parametrize("on_disk,now,kept", [(0, 2, True), (2, 2, False), (2, 1, False), (None, 3, False)])
def test_a_less_complete_table_never_replaces_a_more_complete_one(on_disk, now, kept, figures, monkeypatch, capsys):
    if on_disk is not None:
        figures.mkdir(parents=True)
        table(on_disk).to_csv(figures / "T.csv", index=False)  # written before the manifest existed
    before = (figures / "T.csv").read_bytes() if on_disk is not None else None
    monkeypatch.setattr(runs, "_MISSING_MET", {f"k{i}" for i in range(now)})
    plots.save_table(table(now), "T", "lab")
    assert (figures / "T.incomplete.csv").exists() == kept
    if kept:
        assert (figures / "T.csv").read_bytes() == before
        assert "kept" in one_line(capsys.readouterr().err.strip())
    else:
        assert pd.read_csv(figures / "T.csv").status.fillna("").str.startswith("missing").sum() == now
    report = [json.loads(ln) for ln in Path(os.environ["KDNB_REPORT"]).read_text().splitlines()]
    assert report[-1]["kept_older"] == kept and report[-1]["missing"] == now


def test_a_figure_follows_the_manifest(figures, monkeypatch):
    import matplotlib.pyplot as plt

    monkeypatch.setattr(runs, "_MISSING_MET", set())
    fig = plt.figure()
    plots.save_figure(fig, "F", "lab")
    first = (figures / "F.png").read_bytes()
    monkeypatch.setattr(runs, "_MISSING_MET", {"a"})
    plots.save_figure(plt.figure(), "F", "lab")
    assert (figures / "F.png").read_bytes() == first and (figures / "F.incomplete.png").exists()
    monkeypatch.setattr(runs, "_MISSING_MET", set())
    plots.save_figure(plt.figure(), "F", "lab")  # complete again: written, the incomplete copy removed
    assert not (figures / "F.incomplete.png").exists()
    plt.close("all")


# ----------------------------------------------------------------------------------------- the environment


def test_sourcing_the_environment_leaves_shell_options_alone():
    if not (REPO / ".venv" / "bin" / "python").exists():
        pytest.skip("no .venv here (the test command creates it)")
    r = subprocess.run(["bash", "-c", "source tools/bootstrap.sh >/dev/null 2>&1; echo \"$-\"; false; echo still here"],
                       capture_output=True, text=True, cwd=REPO, timeout=120)
    flags, alive = r.stdout.split()[0], "still here" in r.stdout
    assert "e" not in flags and "u" not in flags and alive, r.stdout


# ------------------------------------------------------------------------- notebooks, end to end (papermill)


def test_lab_notebook_without_its_data_keeps_the_complete_result(tmp_path):
    """Notebook 20 at lab on a missing data folder: its 'missing:' rows, status 'partial', exit 0, the more
    complete table and figure already on disk untouched, this run's beside them."""
    figs = tmp_path / "figures" / "lab"
    figs.mkdir(parents=True)
    (figs / "B_fig2.csv").write_text("scale,pool,status\nlab,MNIST,\n")
    (figs / "B_fig2.png").write_bytes(b"a complete figure")
    r = cli("--scale", "lab", "--only", "20_*", "--data-root", str(tmp_path / "nowhere"), "--force",
            env={"KDNB_CACHE": str(tmp_path / "runs"), "KDNB_FIGURES": str(tmp_path / "figures"),
                 "KDNB_EXECUTED": str(tmp_path / "executed")})
    assert r.returncode == 0, r.stdout + r.stderr
    executed = tmp_path / "executed" / "lab" / "20_B_fig2_label_distribution.ipynb"  # not the committed copies
    outputs = [o for c in json.loads(executed.read_text())["cells"] for o in c.get("outputs", [])]
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the figure is in the copy a reader opens
    assert "partial" in r.stdout and f"lacked their data in {tmp_path / 'nowhere'}" in r.stdout
    assert (figs / "B_fig2.png").read_bytes() == b"a complete figure"
    assert (figs / "B_fig2.csv").read_text() == "scale,pool,status\nlab,MNIST,\n"
    assert (figs / "B_fig2.incomplete.csv").exists() and (figs / "B_fig2.incomplete.png").exists()
    assert "missing:" in (figs / "B_fig2.incomplete.csv").read_text()


def test_cell_timeout_names_the_cell(tmp_path):
    r = cli("--only", "00_*", "--timeout", "1", "--force", env={"KDNB_CACHE": str(tmp_path / "runs"),
                                                                "KDNB_FIGURES": str(tmp_path / "figures"),
                                                                "KDNB_EXECUTED": str(tmp_path / "executed")})
    assert r.returncode == 1
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "a cell ran past --timeout 1 s: `" in lines[0], r.stderr
    assert "Traceback" not in r.stderr + r.stdout
