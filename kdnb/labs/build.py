"""Student copies of the labs, with nbgrader's cell metadata.

A lab's source is ``labs/NN_name.py``, a jupytext percent notebook. Its conventions:

* a code cell holding ``### BEGIN SOLUTION`` … ``### END SOLUTION`` is a **solution cell**; its header names it,
  ``# %% grade_id="kd_loss"``. In the student copy each region becomes nbgrader's stub
  (``# YOUR CODE HERE`` / ``raise NotImplementedError()``, indented like the marker); the rest of the cell stays;
* a cell whose header gives ``points`` is a **grade cell** (``# %% grade_id="check_kd_loss" points=3``): an
  autograded check, read-only; ``### BEGIN HIDDEN TESTS`` … ``### END HIDDEN TESTS`` regions in it are removed
  from the student copy (nbgrader's hidden tests; the labs here draw their hidden inputs in ``kdnb.labs.checks``
  instead);
* every other cell is **read-only** (nbgrader's "locked" cells: prose, setup, experiments), so the autograder
  restores it before grading.

``instructor(py)`` is the notebook nbgrader calls the *source* version, ``student(nb)`` the *release* version
(what nbgrader's ``generate_assignment`` makes of it, cell for cell), and ``build`` writes both as an nbgrader
course folder: ``source/<lab>/<lab>.ipynb`` and ``release/<lab>/<lab>.ipynb``.
"""
from __future__ import annotations

import copy
import fnmatch
import hashlib
import re
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent.parent
LABS = REPO / "labs"

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")  # nbgrader's ClearSolutions.code_stub["python"]
SCHEMA_VERSION = 3  # nbgrader's cell-metadata schema
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
_JUPYTEXT_KEYS = ("lines_to_next_cell", "lines_to_end_of_cell_marker", "cell_marker", "title")
_GRADE_ID = re.compile(r"^[A-Za-z0-9_\-]+$")  # nbgrader's rule for grade ids

NBGRADER_CONFIG = '''\
# nbgrader's course folder for kdnb's labs (written by `python -m kdnb labs build`).
# source/<lab>/ holds the instructor's notebooks, release/<lab>/ the student copies.
c = get_config()  # noqa: F821
c.CourseDirectory.root = "."
c.CourseDirectory.db_url = "sqlite:///gradebook.db"
c.ExecutePreprocessor.timeout = 600  # a lab runs a few minutes at smoke scale
'''


class LabError(ValueError):
    """A lab source that breaks the conventions above (one line naming the lab and the cell)."""


def sources(only: str | None = None, root: Path = LABS) -> list[Path]:
    """The lab sources ``labs/NN_*.py``, optionally those whose name matches the glob ``only``."""
    found = sorted(Path(root).glob("[0-9][0-9]_*.py"))
    if only is None:
        return found
    pattern = Path(only).name
    return [p for p in found if fnmatch.fnmatch(p.name, pattern) or fnmatch.fnmatch(p.stem, pattern)]


def _regions(source: str, begin: str, end: str, where: str) -> list[tuple[int, int]]:
    """(begin line, end line) of each marked region; a nested or unclosed region is an error."""
    out, start = [], None
    for i, line in enumerate(source.split("\n")):
        if begin in line:
            if start is not None:
                raise LabError(f"{where}: nested {begin!r}")
            start = i
        elif end in line:
            if start is None:
                raise LabError(f"{where}: {end!r} without {begin!r}")
            out.append((start, i))
            start = None
    if start is not None:
        raise LabError(f"{where}: {begin!r} is never closed by {end!r}")
    return out


def _nbgrader(grade_id: str, *, solution=False, grade=False, locked=False, points=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA_VERSION,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def instructor(py: Path) -> nbformat.NotebookNode:
    """The instructor's notebook of a lab source: its cells with nbgrader's metadata (module docstring)."""
    import jupytext

    py = Path(py)
    nb = jupytext.read(py)
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    seen: set[str] = set()
    for i, cell in enumerate(nb.cells):
        where = f"{py.name} cell {i}"
        for k in _JUPYTEXT_KEYS:
            cell.metadata.pop(k, None)
        gid = cell.metadata.pop("grade_id", None)
        points = cell.metadata.pop("points", None)
        solutions = _regions(cell.source, BEGIN, END, where)
        hidden = _regions(cell.source, BEGIN_HIDDEN, END_HIDDEN, where)
        if (solutions or points is not None) and cell.cell_type != "code":
            raise LabError(f"{where}: only code cells are solution or grade cells here")
        if solutions and points is not None:
            raise LabError(f"{where}: a cell is either a solution (### BEGIN SOLUTION) or a check (points=…)")
        if hidden and points is None:
            raise LabError(f"{where}: hidden tests belong in a grade cell (give it points=…)")
        if (solutions or points is not None) and not gid:
            raise LabError(f'{where}: a solution or grade cell needs a name: # %% grade_id="..."')
        gid = gid or f"cell-{py.stem}-{i:02d}"
        if not _GRADE_ID.match(gid) or gid in seen:
            raise LabError(f"{where}: grade_id {gid!r} must be unique and use only letters, digits, '_' and '-'")
        seen.add(gid)
        if points is not None:
            if not isinstance(points, (int, float)) or isinstance(points, bool) or points <= 0:
                raise LabError(f"{where}: points={points!r} must be a positive number")
            cell.metadata["nbgrader"] = _nbgrader(gid, grade=True, locked=True, points=points)
        elif solutions:
            cell.metadata["nbgrader"] = _nbgrader(gid, solution=True)
        else:
            cell.metadata["nbgrader"] = _nbgrader(gid, locked=True)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    if not any(c.metadata["nbgrader"]["solution"] for c in nb.cells):
        raise LabError(f"{py.name}: no solution cell (### BEGIN SOLUTION … ### END SOLUTION)")
    if not any(c.metadata["nbgrader"]["grade"] for c in nb.cells):
        raise LabError(f"{py.name}: no grade cell (a cell with points=…)")
    return nb


def _replace(source: str, begin: str, end: str, stub: tuple[str, ...]) -> str:
    """nbgrader's ClearSolutions / ClearHiddenTests on one cell: each region → the stub, indented as its marker."""
    out, inside = [], False
    for line in source.split("\n"):
        if begin in line:
            inside = True
            indent = re.match(r"\s*", line).group(0)
            out.extend(indent + s for s in stub)
        elif end in line:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def checksum(cell) -> str:
    """nbgrader's ``compute_checksum``: md5 of the source, the cell type, its grade/solution/locked flags, its id
    and points (nbgrader.utils; the student copy carries it as nbgrader's release version does)."""
    meta = cell.metadata["nbgrader"]
    grade, solution = bool(meta.get("grade")), bool(meta.get("solution"))
    locked = False if solution else (True if grade else bool(meta.get("locked")))
    h = hashlib.md5()
    for part in (cell.source, cell.cell_type, str(grade), str(solution), str(locked), meta["grade_id"]):
        h.update(part.encode("utf-8"))
    if grade:
        h.update(str(float(meta["points"])).encode("utf-8"))
    return h.hexdigest()


def student(source_nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The student copy: solution regions → nbgrader's stub, hidden tests removed, cells locked as nbgrader
    locks them (grade and read-only cells neither deletable nor editable; solution cells not deletable)."""
    nb = copy.deepcopy(source_nb)
    for cell in nb.cells:
        meta = cell.metadata["nbgrader"]
        if meta["solution"]:
            cell.source = _replace(cell.source, BEGIN, END, CODE_STUB)
            cell.metadata["deletable"] = False
        else:
            if meta["grade"]:
                cell.source = _replace(cell.source, BEGIN_HIDDEN, END_HIDDEN, ())
            cell.metadata["deletable"] = False
            cell.metadata["editable"] = False
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        meta["cell_type"] = cell.cell_type
        meta["checksum"] = checksum(cell)
    return nb


def by_id(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if "nbgrader" in c.metadata}


def restore(submission: nbformat.NotebookNode, source_nb: nbformat.NotebookNode, *,
            solutions: bool = False) -> nbformat.NotebookNode:
    """A copy of ``submission`` whose read-only and grade cells are the source's again (nbgrader's OverwriteCells:
    an edited check earns nothing); with ``solutions=True`` its solution cells are the source's too (the
    instructor's answers filled back in)."""
    nb = copy.deepcopy(submission)
    src = by_id(source_nb)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader")
        if not meta or meta["grade_id"] not in src:
            continue
        if meta["solution"] and not solutions:
            continue
        ref = src[meta["grade_id"]]
        cell.source = ref.source
        cell.cell_type = ref.cell_type
        cell.metadata["nbgrader"] = copy.deepcopy(ref.metadata["nbgrader"])
    return nb


def solution_lines(source_nb: nbformat.NotebookNode) -> set[str]:
    """The stripped, non-blank lines inside the solution regions that appear nowhere else in the source: the text
    a student copy must not contain."""
    inside, outside = set(), set()
    for cell in source_nb.cells:
        lines = cell.source.split("\n")
        marked = set()
        for b, e in _regions(cell.source, BEGIN, END, "solution text"):
            marked.update(range(b, e + 1))
        for i, line in enumerate(lines):
            s = line.strip()
            if s:
                (inside if i in marked else outside).add(s)
    return {s for s in inside - outside if BEGIN not in s and END not in s}


def build(out: Path | str | None = None, only: str | None = None, root: Path = LABS) -> list[tuple[Path, Path]]:
    """Write every lab (or those matching ``only``) into the nbgrader course folder ``out`` (default labs/build):
    ``source/<lab>/<lab>.ipynb`` (instructor) and ``release/<lab>/<lab>.ipynb`` (student). Returns the pairs."""
    out = Path(out) if out is not None else Path(root) / "build"
    paths = sources(only, root)
    if not paths:
        raise LabError(f"no lab matches --only {only!r}" if only else f"no lab sources in {root}")
    written = []
    for py in paths:
        src = instructor(py)
        rel = student(src)
        pair = []
        for kind, nb in (("source", src), ("release", rel)):
            path = out / kind / py.stem / f"{py.stem}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, path)
            pair.append(path)
        written.append(tuple(pair))
    config = out / "nbgrader_config.py"
    if not config.exists():
        config.write_text(NBGRADER_CONFIG)
    return written


__all__ = ["LabError", "sources", "instructor", "student", "restore", "by_id", "solution_lines", "build", "LABS",
           "CODE_STUB"]
