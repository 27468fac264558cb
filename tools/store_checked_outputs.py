"""Store the smoke-scale outputs of checked cells (``# NBVAL_CHECK_OUTPUT``) in the source notebooks.

nbval compares a checked cell's fresh output with the output stored in the notebook; a cell stored without
output would compare against nothing. The workflow: edit the source ``notebooks/NN_*.py``, bring the .ipynb in
step with ``python tools/sync_notebooks.py``, then run

    PYTHONPATH=. python tools/store_checked_outputs.py [notebooks/NN_*.ipynb ...]

It executes each notebook at smoke scale (papermill, a scratch cache) and copies only the checked cells' text
outputs back; every other cell stays output-free, so the notebooks stay small and free of machine paths.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import nbformat
import papermill as pm

REPO = Path(__file__).resolve().parent.parent


def store(path: Path, scratch: Path) -> int:
    out = scratch / path.name
    pm.execute_notebook(str(path), str(out), parameters={"scale": "smoke"}, kernel_name="python3",
                        cwd=str(path.parent), progress_bar=False)
    ran = nbformat.read(out, as_version=4)
    src = nbformat.read(path, as_version=4)
    by_id = {c.get("id"): c for c in ran.cells}
    stored = 0
    for cell in src.cells:
        if cell.cell_type == "code" and "NBVAL_CHECK_OUTPUT" in cell.source:
            done = by_id[cell.get("id")]
            cell.outputs = [o for o in done.outputs if o.output_type == "stream" or
                            (o.output_type == "execute_result" and "text/plain" in o.get("data", {}))]
            for o in cell.outputs:
                if o.output_type == "execute_result":
                    o.data = {"text/plain": o.data["text/plain"]}
                    o.metadata = {}
            cell.execution_count = done.execution_count  # nbval skips "unrun" cells that hold outputs
            stored += 1
    nbformat.write(src, path)
    return stored


def main(paths: list[str]) -> None:
    targets = [Path(p) for p in paths] or sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update(KDNB_CACHE=f"{tmp}/runs", KDNB_FIGURES=f"{tmp}/figures", KDNB_PROGRESS="0")
        for p in targets:
            print(f"{p.name}: stored {store(p, Path(tmp))} checked cell output(s)", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
