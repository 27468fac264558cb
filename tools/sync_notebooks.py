"""Bring each notebook's .ipynb in step with its jupytext source, or check that they match.

Every notebook is authored as a jupytext percent script ``notebooks/NN_name.py`` (``# %%`` starts a code cell,
``# %% [markdown]`` a markdown cell of ``#`` comments, ``# %% tags=["parameters"]`` the papermill cell), paired
with ``notebooks/NN_name.ipynb`` (``formats: ipynb,py:percent``), which is what Jupyter, papermill, run_all.sh and
nbval read and which holds the stored outputs of the checked cells (``# NBVAL_CHECK_OUTPUT``).

    python tools/sync_notebooks.py            # rewrite every .ipynb's cells from its .py, keeping outputs and ids
    python tools/sync_notebooks.py --check    # change nothing; exit 1 naming every pair that has drifted
    python tools/sync_notebooks.py notebooks/00_quickstart.py ...   # only these

Syncing is ``jupytext --update``: the cells (type, source, tags) come from the .py, and each cell that jupytext
matches to one in the old .ipynb keeps its id and outputs. A new .py gets a new .ipynb. A checked cell whose
source changed keeps its old output until ``tools/store_checked_outputs.py`` stores the new one. Editing the
.ipynb in Jupyter with jupytext installed writes both files itself.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jupytext
import nbformat
from jupytext.combine import combine_inputs_with_outputs

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
FORMATS = "ipynb,py:percent"
PATTERN = "[0-9][0-9]_*"


def _cells(nb) -> list[tuple[str, str, list]]:
    return [(c.cell_type, c.source, list(c.metadata.get("tags", []))) for c in nb.cells]


def synced(py: Path, ipynb: Path):
    """The notebook ``ipynb`` should be: the cells of ``py``, with the ids and outputs of the old ``ipynb``."""
    nb = jupytext.read(py, fmt="py:percent")
    if ipynb.exists():
        nb = combine_inputs_with_outputs(nb, nbformat.read(ipynb, as_version=4), fmt="py:percent")
    nb.metadata.setdefault("jupytext", {})["formats"] = FORMATS
    return nb


def drift(py: Path, ipynb: Path) -> str | None:
    """Why ``ipynb`` does not match its source ``py`` (missing, unpaired, or which cell differs), or None."""
    if not py.exists():
        return f"{ipynb.name} has no source {py.name} (make it: jupytext --set-formats {FORMATS} {ipynb.name})"
    if not ipynb.exists():
        return f"{py.name} has no notebook {ipynb.name}"
    nb = nbformat.read(ipynb, as_version=4)
    formats = nb.metadata.get("jupytext", {}).get("formats")
    if formats != FORMATS:
        return f"{ipynb.name} is not paired with its .py (jupytext formats {formats!r}, want {FORMATS!r})"
    want, have = _cells(jupytext.read(py, fmt="py:percent")), _cells(nb)
    for i, (w, h) in enumerate(zip(want, have)):
        if w != h:
            return f"{ipynb.name} cell {i} ({h[0]}) differs from {py.name}"
    if len(want) != len(have):
        return f"{ipynb.name} has {len(have)} cells, {py.name} has {len(want)}"
    return None


def pairs(folder: Path = NOTEBOOKS) -> list[tuple[Path, Path]]:
    """(source, notebook) for every authored notebook in ``folder``, whichever of the two exists."""
    stems = sorted({p.stem for ext in ("py", "ipynb") for p in folder.glob(f"{PATTERN}.{ext}")})
    return [(folder / f"{s}.py", folder / f"{s}.ipynb") for s in stems]


def check(folder: Path = NOTEBOOKS) -> list[str]:
    """One line for every drifted pair in ``folder``; empty when all match."""
    return [why for py, ipynb in pairs(folder) if (why := drift(py, ipynb))]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only report drifted pairs (exit 1 if any)")
    ap.add_argument("paths", nargs="*", type=Path, help="notebooks/NN_*.py or .ipynb (default: all)")
    args = ap.parse_args(argv)
    todo = [(p.with_suffix(".py"), p.with_suffix(".ipynb")) for p in args.paths] or pairs()
    problems = []
    for py, ipynb in todo:
        why = drift(py, ipynb)
        if why and not args.check and py.exists():
            jupytext.write(synced(py, ipynb), ipynb, fmt="ipynb")
            print(f"{ipynb.name}: updated from {py.name}")
        elif why:
            problems.append(why)
    for why in problems:
        print(f"drift: {why}", file=sys.stderr)
    if problems and args.check:
        print("run: python tools/sync_notebooks.py  (then tools/store_checked_outputs.py for changed checked cells)",
              file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
