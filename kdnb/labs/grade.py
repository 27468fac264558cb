"""Run a lab notebook headlessly and count its points as nbgrader's autograder does.

Every code cell runs in order and errors do not stop the run (nbgrader executes with ``allow_errors``); a grade
cell earns its points when it ran without an error, nothing otherwise. Two engines:

* ``kernel`` — a ``python3`` Jupyter kernel through nbclient, as nbgrader and papermill run notebooks;
* ``inline`` — the cells ``exec``'d in one namespace of this process (no kernel start, torch already imported):
  what the tests use, many times faster for short labs. Lab cells use no IPython magics, so both agree.

Parameters are injected after the cell tagged ``parameters``, as papermill does.
"""
from __future__ import annotations

import contextlib
import copy
import io
import os
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import nbformat


@dataclass
class Check:
    grade_id: str
    points: float
    earned: float
    error: str = ""  # the error's last line, when the check failed


@dataclass
class Report:
    name: str
    checks: list[Check] = field(default_factory=list)
    errors: dict[int, str] = field(default_factory=dict)  # cell index → last line of its error (any cell)
    seconds: float = 0.0

    @property
    def points(self) -> float:
        return sum(c.points for c in self.checks)

    @property
    def earned(self) -> float:
        return sum(c.earned for c in self.checks)

    def passed(self) -> list[str]:
        return [c.grade_id for c in self.checks if c.earned == c.points]

    def failed(self) -> list[str]:
        return [c.grade_id for c in self.checks if c.earned < c.points]

    def lines(self) -> list[str]:
        out = [f"{self.name}: {self.earned:g} / {self.points:g} points ({self.seconds:.0f} s)"]
        for c in self.checks:
            mark = "ok  " if c.earned == c.points else "FAIL"
            out.append(f"  {mark} {c.grade_id:<28} {c.earned:g}/{c.points:g}" + (f"  {c.error}" if c.error else ""))
        return out


def with_parameters(nb: nbformat.NotebookNode, params: dict | None) -> nbformat.NotebookNode:
    """A copy with a cell assigning ``params`` after the one tagged ``parameters`` (papermill's injection)."""
    nb = copy.deepcopy(nb)
    if not params:
        return nb
    at = next((i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])), None)
    if at is None:
        raise ValueError("the notebook has no cell tagged 'parameters' to override")
    cell = nbformat.v4.new_code_cell("# Parameters (injected)\n" + "".join(f"{k} = {v!r}\n" for k, v in params.items()))
    cell.metadata["tags"] = ["injected-parameters"]
    nb.cells.insert(at + 1, cell)
    return nb


def _last_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1].strip()[:300] if lines else "error"


def run_inline(nb: nbformat.NotebookNode, cwd: Path | str | None = None, quiet: bool = True) -> dict[int, str]:
    """Execute the code cells in one fresh namespace of this process; cell index → its error's last line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    try:
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        display = print
    ns = {"__name__": "__main__", "display": display}
    errors = {}
    old = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            sink = io.StringIO()
            redirect = (contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink)) if quiet else ()
            with contextlib.ExitStack() as stack:
                for r in redirect:
                    stack.enter_context(r)
                try:
                    exec(compile(cell.source, f"<lab cell {i}>", "exec"), ns)
                except BaseException as e:  # noqa: BLE001  (as a kernel would: report, go on)
                    if isinstance(e, KeyboardInterrupt):
                        raise
                    errors[i] = _last_line("".join(traceback.format_exception_only(type(e), e)))
            plt.close("all")
    finally:
        os.chdir(old)
    return errors


def run_kernel(nb: nbformat.NotebookNode, cwd: Path | str | None = None, timeout: int = 600,
               kernel: str = "python3") -> tuple[nbformat.NotebookNode, dict[int, str]]:
    """Execute in a Jupyter kernel (nbclient, errors allowed); the executed notebook and cell index → error line."""
    from nbclient import NotebookClient

    nb = copy.deepcopy(nb)
    NotebookClient(nb, timeout=timeout, kernel_name=kernel, allow_errors=True,
                   resources={"metadata": {"path": str(cwd or Path.cwd())}}).execute()
    errors = {}
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "error":
                errors[i] = _last_line(f"{out.get('ename', 'Error')}: {out.get('evalue', '')}".rstrip(": "))
    return nb, errors


def grade(nb: nbformat.NotebookNode, name: str = "lab", *, engine: str = "kernel", params: dict | None = None,
          cwd: Path | str | None = None, timeout: int = 600) -> Report:
    """Run ``nb`` (already restored against its source, see ``kdnb.labs.build.restore``) and score its grade cells."""
    if engine not in ("kernel", "inline"):
        raise ValueError(f"engine must be 'kernel' or 'inline', got {engine!r}")
    nb = with_parameters(nb, params)
    t0 = time.perf_counter()
    if engine == "inline":
        errors = run_inline(nb, cwd)
    else:
        _, errors = run_kernel(nb, cwd, timeout)
    report = Report(name, errors=errors, seconds=time.perf_counter() - t0)
    for i, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and cell.cell_type == "code":
            pts = float(meta.get("points", 0))
            err = errors.get(i, "")
            report.checks.append(Check(meta["grade_id"], pts, 0.0 if err else pts, err))
    return report


def grade_file(path: Path | str, source_nb: nbformat.NotebookNode, **kw) -> Report:
    """Grade a student's notebook file against the lab's source: its read-only and grade cells are restored from
    the source first (an edited check earns nothing), as nbgrader's autograder does."""
    from kdnb.labs.build import restore

    from kdnb.labs.build import by_id

    path = Path(path)
    submission = nbformat.read(path, as_version=4)
    report = grade(restore(submission, source_nb), path.stem, cwd=kw.pop("cwd", path.parent), **kw)
    present = {c.grade_id for c in report.checks}
    for gid, cell in by_id(source_nb).items():  # a deleted check earns nothing, and still counts
        meta = cell.metadata["nbgrader"]
        if meta["grade"] and gid not in present:
            report.checks.append(Check(gid, float(meta["points"]), 0.0, "the check cell is missing"))
    return report


__all__ = ["Check", "Report", "with_parameters", "run_inline", "run_kernel", "grade", "grade_file"]
