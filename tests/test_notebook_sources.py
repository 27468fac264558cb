"""Each notebook's .ipynb holds the cells of its jupytext source notebooks/NN_*.py (no kernel is run here)."""
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat

from tools.sync_notebooks import FORMATS, check, drift, synced

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"


def test_every_source_has_its_notebook_and_every_notebook_its_source():
    sources = {p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.py")}
    notebooks = {p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")}
    assert sources == notebooks and "00_quickstart" in sources


def test_every_notebook_has_the_cells_of_its_source():
    assert check() == [], "run: python tools/sync_notebooks.py"
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        assert nb.metadata["jupytext"]["formats"] == FORMATS, path.name
        src = jupytext.read(path.with_suffix(".py"))
        assert [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in nb.cells] == \
               [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in src.cells], path.name


def _copy(tmp_path: Path, stem: str = "00_quickstart") -> tuple[Path, Path]:
    for ext in (".py", ".ipynb"):
        shutil.copy(NOTEBOOKS / f"{stem}{ext}", tmp_path)
    return tmp_path / f"{stem}.py", tmp_path / f"{stem}.ipynb"


def test_a_changed_source_is_reported_and_sync_keeps_ids_and_stored_outputs(tmp_path):
    py, ipynb = _copy(tmp_path)
    assert check(tmp_path) == []
    text = py.read_text()
    assert "\nseed = 0\n" in text
    py.write_text(text.replace("\nseed = 0\n", "\nseed = 1\n"))
    problems = check(tmp_path)
    assert len(problems) == 1 and "00_quickstart.ipynb cell 1 (code) differs" in problems[0], problems

    before = nbformat.read(ipynb, as_version=4)
    after = synced(py, ipynb)
    assert [c.source for c in after.cells] == [c.source for c in jupytext.read(py).cells]
    assert [c.get("id") for c in after.cells] == [c.get("id") for c in before.cells]
    assert [c.get("outputs") for c in after.cells] == [c.get("outputs") for c in before.cells]
    assert any(c.get("outputs") for c in after.cells)  # the checked cells' stored outputs survive


def test_check_mode_exits_nonzero_naming_every_drifted_pair_and_sync_repairs_them(tmp_path):
    py, _ = _copy(tmp_path)
    py.write_text(py.read_text() + "\n# %%\nprint('a new cell')\n")
    (tmp_path / "12_A_table2_stronger_teachers.py").write_text(
        (NOTEBOOKS / "12_A_table2_stronger_teachers.py").read_text())  # a source without its .ipynb
    tool = [sys.executable, str(REPO / "tools" / "sync_notebooks.py")]
    paths = sorted(str(p) for p in tmp_path.glob("*.py"))
    out = subprocess.run([*tool, "--check", *paths], capture_output=True, text=True)
    assert out.returncode == 1, out
    assert "00_quickstart.ipynb has 10 cells, 00_quickstart.py has 11" in out.stderr
    assert "12_A_table2_stronger_teachers.py has no notebook" in out.stderr

    out = subprocess.run([*tool, *paths], capture_output=True, text=True)
    assert out.returncode == 0, out
    assert check(tmp_path) == []


def test_a_notebook_without_its_source_or_its_pairing_is_drift(tmp_path):
    py, ipynb = _copy(tmp_path)
    nb = nbformat.read(ipynb, as_version=4)
    del nb.metadata["jupytext"]
    nbformat.write(nb, ipynb)
    assert "is not paired" in drift(py, ipynb)
    py.unlink()
    assert check(tmp_path) == [f"00_quickstart.ipynb has no source 00_quickstart.py "
                               f"(make it: jupytext --set-formats {FORMATS} 00_quickstart.ipynb)"]


def test_pytest_collects_the_authored_notebooks_only(tmp_path):
    """Not run_all.sh's executed copies, and never a jupytext source imported as a module (it would run)."""
    nbs = tmp_path / "notebooks"
    (nbs / "executed" / "smoke").mkdir(parents=True)
    shutil.copy(NOTEBOOKS / "conftest.py", nbs)
    _copy(nbs)
    shutil.copy(NOTEBOOKS / "00_quickstart.ipynb", nbs / "executed" / "smoke")
    pytest = [sys.executable, "-m", "pytest", "--nbval-lax", "--collect-only", "-q", "-p", "no:cacheprovider"]
    out = subprocess.run([*pytest, "notebooks"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert {ln.split("::")[0] for ln in out.stdout.splitlines() if "::" in ln} == {"notebooks/00_quickstart.ipynb"}
    out = subprocess.run([*pytest, "notebooks/00_quickstart.py"], capture_output=True, text=True, cwd=tmp_path,
                         timeout=120)
    assert out.returncode != 0 and "00_quickstart.py is a notebook's jupytext source" in out.stdout, out.stdout


def test_only_checked_cells_store_outputs():
    """What nbval compares is stored; nothing else (no figures, no machine paths from a JupyterLab session)."""
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        stray = [i for i, c in enumerate(nb.cells)
                 if c.cell_type == "code" and c.outputs and "NBVAL_CHECK_OUTPUT" not in c.source]
        assert not stray, f"{path.name}: cells {stray} store outputs; clear them (only checked cells keep theirs)"
