"""``python -m kdnb.cli`` — what run_all.sh runs: every notebook, headless, at one scale, with a summary."""
from __future__ import annotations

import argparse
import contextlib
import fnmatch
import hashlib
import json
import logging
import os
import sys
import time
from pathlib import Path

from kdnb.config import SCALES

REPO = Path(__file__).resolve().parent.parent


def notebooks(only: str | None) -> list[Path]:
    found = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if only is None:
        return found
    pattern = Path(only).name  # a path (notebooks/21_*.ipynb) matches by its file name
    return [p for p in found if fnmatch.fnmatch(p.name, pattern) or fnmatch.fnmatch(p.stem, pattern)]


def data_listing(root: str | None, scale: str, limit: int = 20_000) -> list:
    """What the data folder holds (relative path, size, modification time of up to ``limit`` entries, three levels
    deep): part of a notebook's stamp, so data that appears (or changes) reruns it. Smoke reads no data folder."""
    if scale == "smoke":
        return []
    from kdnb.config import default_data_root

    base = Path(root) if root else default_data_root()
    if not base.is_dir():
        return [str(base), "absent"]
    out = []
    for depth in range(1, 4):
        for p in sorted(base.glob("/".join(["*"] * depth))):
            st = p.stat()
            out.append((str(p.relative_to(base)), st.st_size if p.is_file() else -1, st.st_mtime_ns))
            if len(out) >= limit:
                return out
    return out


def fingerprint(nb: Path, params: dict) -> str:
    """Hash of the notebook, its parameters, kdnb's sources and what the data folder holds: a notebook is re-run
    when any of them changes."""
    h = hashlib.sha256(nb.read_bytes())
    h.update(json.dumps(params, sort_keys=True).encode())
    h.update(json.dumps(data_listing(params["data_root"], params["scale"])).encode())
    for src in sorted((REPO / "kdnb").rglob("*")):
        if src.suffix in (".py", ".frag", ".csv", ".json") and src.is_file():
            h.update(src.read_bytes())
    return h.hexdigest()


def executed_root() -> Path:
    """Where executed notebooks go: $KDNB_EXECUTED, else the repository's notebooks/executed/ (its lab copies are
    committed, so the test command points this at a scratch folder)."""
    env = os.environ.get("KDNB_EXECUTED")
    return Path(env) if env else REPO / "notebooks" / "executed"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="run_all.sh", description="Execute kdnb's notebooks headlessly at one scale.")
    ap.add_argument("--scale", default="smoke", choices=SCALES)
    ap.add_argument("--only", default=None, help="glob on notebook file names, e.g. '*_B_*' or '21_*'")
    ap.add_argument("--device", default="auto", help="auto | cpu | cuda | cuda:N")
    ap.add_argument("--data-root", default=None, help="folder holding real datasets (torchvision layout)")
    ap.add_argument("--force", action="store_true", help="re-execute notebooks even if unchanged")
    ap.add_argument("--list", action="store_true", help="list the notebooks and exit")
    ap.add_argument("--timeout", type=int, default=None, help="per-cell timeout in seconds (default none)")
    args = ap.parse_args(argv)

    nbs = notebooks(args.only)
    if not nbs:
        print(f"run_all.sh: no notebook matches --only {args.only!r}", file=sys.stderr)
        return 2
    if args.list:
        print("\n".join(p.name for p in nbs))
        return 0
    import papermill as pm
    from kdnb.config import ParameterError, resolve_device

    try:
        resolve_device(args.device)
    except ParameterError as e:
        print(f"run_all.sh: {e}", file=sys.stderr)
        return 2
    # A relative --data-root means the caller's folder, not notebooks/ (where the kernels run).
    data_root = str(Path(args.data_root).expanduser().resolve()) if args.data_root else None
    params = {"scale": args.scale, "device": args.device, "data_root": data_root}
    out_dir = executed_root() / args.scale
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in ("papermill", "nbclient", "traitlets"):  # their tracebacks would bury the one line below
        logging.getLogger(name).setLevel(logging.CRITICAL)
    # The kernels inherit bootstrap's MPLBACKEND=Agg (right for scripts and tests), under which plt.show() draws
    # nothing and the executed copies would hold no figure; Jupyter's inline backend embeds each one as a PNG.
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    rows, notes = [], []
    for nb in nbs:
        out, stamp = out_dir / nb.name, out_dir / f".{nb.stem}.done"
        fp = fingerprint(nb, params)
        if not args.force and stamp.exists() and stamp.read_text() == fp and out.exists():
            rows.append((nb.name, "cached", 0.0))
            continue
        print(f"── {nb.name} (scale={args.scale})", flush=True)
        report = out_dir / f".{nb.stem}.report.jsonl"
        report.unlink(missing_ok=True)
        os.environ["KDNB_REPORT"] = str(report)  # kdnb.plots appends a line per figure or table saved
        t0 = time.perf_counter()
        try:
            with _stderr_to(out_dir / f".{nb.stem}.stderr.log"):  # the kernel's own noise, not the user's console
                pm.execute_notebook(str(nb), str(out), parameters=params, kernel_name="python3", cwd=str(nb.parent),
                                    progress_bar=False, execution_timeout=args.timeout)
            stamp.write_text(fp)
            status, note = _saved_status(report, data_root)
        except Exception as e:  # papermill raises PapermillExecutionError with the cell's error
            stamp.unlink(missing_ok=True)
            status, note = "FAILED", f"{failure_line(e, args.timeout)} (the executed notebook: {out})"
        finally:
            os.environ.pop("KDNB_REPORT", None)
        if note:
            print(f"   {note}", file=sys.stderr, flush=True)
            notes.append(f"{nb.name}: {note}")
        rows.append((nb.name, status, time.perf_counter() - t0))
    width = max(len(r[0]) for r in rows)
    print(f"\n{'notebook'.ljust(width)}  status   wall time")
    for name, status, t in rows:
        print(f"{name.ljust(width)}  {status:<7}  {t:7.1f} s")
    if notes:
        print("\n" + "\n".join(notes))
    from kdnb.plots import figures_root

    failed = [r for r in rows if r[1] == "FAILED"]
    print(f"\n{len(rows) - len(failed)} ok, {len(failed)} failed · figures in {figures_root() / args.scale}/ · "
          f"executed notebooks in {out_dir}/")
    return 1 if failed else 0


@contextlib.contextmanager
def _stderr_to(path: Path):
    """Send this process's stderr (file descriptor 2, which kernels inherit) to ``path`` while a notebook runs:
    the kernel's warnings and the tracebacks of a killed kernel go there; the summary prints the one line."""
    sys.stderr.flush()
    saved = os.dup(2)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.dup2(fd, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(fd)
        os.close(saved)


def _saved_status(report: Path, data_root: str | None) -> tuple[str, str]:
    """'ok', or 'partial' with one line when some runs lacked their data (and what was kept)."""
    lines = [json.loads(ln) for ln in report.read_text().splitlines()] if report.exists() else []
    report.unlink(missing_ok=True)
    missing = max((r["missing"] for r in lines), default=0)
    if not missing:
        return "ok", ""
    kept = sorted({Path(r["file"]).name.replace(".incomplete", "") for r in lines if r["kept_older"]})
    from kdnb.config import default_data_root

    note = (f"{missing} run(s) lacked their data in {data_root or default_data_root()} "
            "(the notebook's 'missing:' rows say what to get and how)")
    if kept:
        note += f"; kept the more complete {', '.join(kept)} on disk, wrote *.incomplete.* beside them"
    return "partial", note


def failure_line(e: Exception, timeout: int | None = None) -> str:
    """One line saying what failed: the cell and its error, or which cell timed out."""
    if type(e).__name__ == "CellTimeoutError":
        text = str(e).splitlines()
        after = text[text.index("-------------------") + 1:] if "-------------------" in text else []
        first = next((ln.strip() for ln in after if ln.strip() and not ln.startswith("#")), "?")
        return f"a cell ran past --timeout {timeout} s: `{first}`"
    if hasattr(e, "ename") and hasattr(e, "evalue"):  # papermill's PapermillExecutionError
        evalue = (str(e.evalue).strip().splitlines() or [""])[0]
        return f"cell {e.exec_count}: {e.ename}: {evalue}"
    return f"{type(e).__name__}: {_last_line(e)}"


def _last_line(e: Exception) -> str:
    lines = [ln for ln in str(e).strip().splitlines() if ln.strip()]
    return lines[-1] if lines else repr(e)


if __name__ == "__main__":
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    sys.exit(main())
