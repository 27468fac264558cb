"""The package's layout: one module per concept, imports one way, every module importable alone, run kinds found
without upward imports."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from kdnb import codeid
from kdnb.runs import KINDS

# Lower layers never import higher ones; within a layer a module imports only its own package's modules.
LAYERS = [
    ("base", ("kdnb", "kdnb._torchvision", "kdnb.registry", "kdnb.config", "kdnb.io", "kdnb.codeid", "kdnb.claims")),
    ("quoted tables", ("kdnb.paper",)),
    ("datasets", ("kdnb.data",)),
    ("sources", ("kdnb.sources",)),
    ("selection, augmentation, models, losses", ("kdnb.selection", "kdnb.augment", "kdnb.models", "kdnb.losses",
                                                 "kdnb.fid", "kdnb.attack")),
    ("engine", ("kdnb.engine",)),
    ("objectives", ("kdnb.objectives", "kdnb.datafree", "kdnb.gan", "kdnb.zskd")),
    ("runs and cache", ("kdnb.runs",)),
    ("methods (run kinds)", ("kdnb.methods",)),
    ("recipes", ("kdnb.recipes",)),
    ("plots", ("kdnb.plots",)),
    ("plan: every run of the notebooks and its cost", ("kdnb.plan",)),
    ("sweep: the missing runs as jobs", ("kdnb.sweep",)),
    ("labs (student copies, their checks, grading)", ("kdnb.labs",)),
    ("notebook layer and commands", ("kdnb.notebook", "kdnb.cli", "kdnb.__main__")),
]


def place(module: str) -> tuple[int, str]:
    """(layer number, package) of a module: the longest matching prefix wins."""
    best = None
    for i, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and (best is None or len(p) > len(best[1])):
                best = (i, p)
    assert best is not None, f"{module} belongs to no layer; add it to LAYERS"
    return best


def test_no_import_cycle():
    assert codeid.find_cycle() is None


def test_imports_go_one_way():
    wrong = []
    for m in codeid.modules():
        lm, pm = place(m)
        for n in codeid.imports(m):
            ln, pn = place(n)
            if ln > lm or (ln == lm and pn != pm and ln != 0):  # base modules may use each other
                wrong.append(f"{m} ({LAYERS[lm][0]}) imports {n} ({LAYERS[ln][0]})")
    assert not wrong, "\n".join(wrong)


def test_layering_check_catches_an_upward_import(monkeypatch):
    """The rule above is not vacuous: a data module that imported the engine would be reported."""
    real = codeid.imports
    monkeypatch.setattr(codeid, "imports", lambda m: real(m) | {"kdnb.engine"} if m == "kdnb.data.real" else real(m))
    with pytest.raises(AssertionError, match="kdnb.data.real .* imports kdnb.engine"):
        test_imports_go_one_way()


def test_cycle_finder_reports_a_cycle(monkeypatch):
    real = codeid.imports
    monkeypatch.setattr(codeid, "imports", lambda m: real(m) | {"kdnb.methods.kd"} if m == "kdnb.runs" else real(m))
    cycle = codeid.find_cycle()
    assert cycle and cycle[0] == cycle[-1] and "kdnb.runs" in cycle


def test_no_module_named_after_a_paper():
    """Outside recipes and quoted tables, modules are named after concepts, not papers."""
    paperish = re.compile(r"(^|_)(paper|[abcd])($|_)")
    bad = [m for m in codeid.modules() if not m.startswith(("kdnb.recipes", "kdnb.paper"))
           and paperish.search(m.rpartition(".")[2])]
    assert not bad, bad


# Imports each module in a child forked from an interpreter that holds only third-party libraries (torch,
# torchvision through kdnb's shim, numpy, pandas, matplotlib), with every kdnb module then dropped: each child
# starts with no kdnb module loaded, as a fresh interpreter would, without paying torch's import per module.
_IMPORT_ALONE = """
import importlib, os, sys, traceback
import numpy, pandas, torch, matplotlib
matplotlib.use("Agg")
import kdnb, torchvision, sklearn, skimage, tqdm.auto
for k in [k for k in sys.modules if k == "kdnb" or k.startswith("kdnb.")]:
    del sys.modules[k]
failed = []
for m in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:
        assert not any(k == "kdnb" or k.startswith("kdnb.") for k in sys.modules)
        try:
            importlib.import_module(m)
            os._exit(0)
        except BaseException:
            traceback.print_exc()
            os._exit(1)
    if os.waitpid(pid, 0)[1] != 0:
        failed.append(m)
print(failed)
"""


def test_every_module_imports_alone_in_a_fresh_interpreter():
    mods = sorted(m for m in codeid.modules() if m != "kdnb.__main__")
    p = subprocess.run([sys.executable, "-c", _IMPORT_ALONE, *mods], capture_output=True, text=True, timeout=600,
                       env={**os.environ, "OMP_WAIT_POLICY": "PASSIVE", "MPLBACKEND": "Agg"})
    assert p.returncode == 0 and p.stdout.strip() == "[]", (p.stdout, p.stderr[-3000:])


def test_every_run_kind_is_found_from_its_name_alone():
    """A record's kind reruns in a fresh interpreter that imported nothing but kdnb.runs."""
    code = "import kdnb.runs as r\nfor k in r.KINDS:\n    r.runner_of(k)\nprint(sorted(r.EXPERIMENTS.names()))"
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert set(eval(p.stdout)) == set(KINDS)


def test_every_registered_kind_is_listed():
    import kdnb.methods  # noqa: F401
    from kdnb.runs import EXPERIMENTS

    ours = {k for k in EXPERIMENTS.names() if EXPERIMENTS[k].__module__.startswith("kdnb.")}
    assert ours == set(KINDS), ours ^ set(KINDS)
    for kind, module in KINDS.items():
        assert EXPERIMENTS[kind].__module__ == module
