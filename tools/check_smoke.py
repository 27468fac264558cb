"""Do the notebooks' smoke-scale assertions hold on any machine? Run them for several seeds and thread counts.

    python tools/check_smoke.py                       # seeds 0–4 × 1 and 2 torch threads, every notebook
    python tools/check_smoke.py --seeds 0,1 --threads 1 --only '0*'

Floating-point results differ across CPUs and thread counts, so a smoke assertion that passed once on one machine
says little. This script executes every notebook's jupytext source (``notebooks/NN_*.py``) at ``scale="smoke"``
with each seed, once per thread count, in a child process per thread count with its own scratch cache (the run
cache is keyed by config and code, not by thread count), and prints one table: pass/fail per notebook, seed and
thread count, with the numbers each notebook reports (its tables' accuracy and relative-entropy columns) and the
first line of every failure. It takes about 15 minutes on 2 cores, so it is not part of the test command.
"""
from __future__ import annotations

import argparse
import fnmatch
import json
import linecache
import os
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NUMBER_COLUMNS = ("test accuracy (%)", "accuracy", "relative_entropy", "acc_max", "acc_last", "kept_last")


def notebook_cells(path: Path) -> list[tuple[str, list[str]]]:
    """(source, tags) of each code cell of a jupytext percent-format notebook."""
    import jupytext

    nb = jupytext.read(path)
    return [(c.source, c.metadata.get("tags", [])) for c in nb.cells if c.cell_type == "code"]


def numbers(namespace: dict) -> dict[str, list[float]]:
    """The numeric result columns of every DataFrame a notebook left in its namespace, rounded."""
    import pandas as pd

    out = {}
    for name, v in namespace.items():
        if isinstance(v, pd.DataFrame) and not name.startswith("_"):
            for col in NUMBER_COLUMNS:
                if col in v.columns and pd.api.types.is_numeric_dtype(v[col]):
                    vals = [round(float(a), 2) for a in v[col].dropna().tolist()][:12]
                    if vals:
                        out[f"{name}.{col}"] = vals
    return out


def execute(path: Path, seed: int) -> dict:
    """Run one notebook's code cells in a fresh namespace with scale='smoke' and ``seed``."""
    ns: dict = {"__name__": "__main__", "display": lambda *a, **k: None}
    t0 = time.perf_counter()
    try:
        for i, (source, tags) in enumerate(notebook_cells(path)):
            name = f"{path.name}[cell {i}]"
            linecache.cache[name] = (len(source), None, source.splitlines(True), name)  # tracebacks show the line
            exec(compile(source, name, "exec"), ns)
            if "parameters" in tags:
                ns.update(scale="smoke", seed=seed, device="cpu")
        status, why = "pass", ""
    except AssertionError as e:
        status, why = "FAIL", f"{_where(e, path)}: assert failed {_first_line(e)}"
    except Exception as e:  # noqa: BLE001 — a crash is reported as such, with its one line
        status, why = "ERROR", f"{_where(e, path)}: {type(e).__name__}: {_first_line(e)}"
    import matplotlib.pyplot as plt
    plt.close("all")
    return {"status": status, "why": why[:300], "numbers": numbers(ns), "wall_s": round(time.perf_counter() - t0, 1)}


def _first_line(e: BaseException) -> str:
    lines = str(e).strip().splitlines()
    return lines[0] if lines else ""


def _where(e: BaseException, path: Path) -> str:
    """The notebook statement that raised (the last frame in the notebook's own code)."""
    frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename.startswith(path.name)]
    return f"`{frames[-1].line}`" if frames and frames[-1].line else path.name


def worker(threads: int, seeds: list[int], paths: list[Path]) -> None:
    import torch

    torch.set_num_threads(threads)
    os.chdir(REPO / "notebooks")
    for path in paths:
        for seed in seeds:
            row = {"notebook": path.stem, "seed": seed, "threads": threads, **execute(path, seed)}
            print("ROW " + json.dumps(row), flush=True)


def table(rows: list[dict], seeds: list[int], threads: list[int]) -> str:
    cols = [(t, s) for t in threads for s in seeds]
    head = "| notebook | " + " | ".join(f"{t}t s{s}" for t, s in cols) + " |"
    lines = [head, "|" + "---|" * (len(cols) + 1)]
    by = {(r["notebook"], r["threads"], r["seed"]): r for r in rows}
    for nb in sorted({r["notebook"] for r in rows}):
        cells = [by.get((nb, t, s), {}).get("status", "—") for t, s in cols]
        lines.append(f"| {nb} | " + " | ".join("✓" if c == "pass" else c for c in cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="0,1,2,3,4")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--only", default="*", help="glob on notebook names, e.g. '0*' or '*_B_*'")
    ap.add_argument("--json", default=None, help="also write every row (numbers included) to this JSON file")
    ap.add_argument("--worker", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    threads = [int(t) for t in args.threads.split(",")]
    paths = [p for p in sorted((REPO / "notebooks").glob("[0-9][0-9]_*.py"))
             if fnmatch.fnmatch(p.stem, args.only) or fnmatch.fnmatch(p.name, args.only)]
    if not paths:
        print(f"check_smoke: no notebook matches {args.only!r}", file=sys.stderr)
        return 2
    if args.worker is not None:
        worker(args.worker, seeds, paths)
        return 0
    rows = []
    for t in threads:
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "KDNB_CACHE": f"{tmp}/runs", "KDNB_FIGURES": f"{tmp}/figures", "KDNB_PROGRESS": "0",
                   "OMP_WAIT_POLICY": "PASSIVE", "MPLBACKEND": "Agg", "KDNB_THREADS": str(t)}
            cmd = [sys.executable, __file__, "--worker", str(t), "--seeds", args.seeds, "--only", args.only]
            with subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True) as p:
                for line in p.stdout:
                    if line.startswith("ROW "):
                        r = json.loads(line[4:])
                        rows.append(r)
                        print(f"  {r['notebook']:<45} threads={t} seed={r['seed']}  {r['status']:<5} "
                              f"{r['wall_s']:6.1f} s  {r['why']}", flush=True)
    print("\n" + table(rows, seeds, threads))
    bad = [r for r in rows if r["status"] != "pass"]
    for r in bad:
        print(f"- {r['notebook']} threads={r['threads']} seed={r['seed']}: {r['why']}")
    print("\nnumbers (per notebook: each table column's values, one list per run):")
    for nb in sorted({r["notebook"] for r in rows}):
        for r in (r for r in rows if r["notebook"] == nb):
            nums = "; ".join(f"{k}={v}" for k, v in r["numbers"].items())
            print(f"  {nb} t{r['threads']} s{r['seed']}: {nums}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    print(f"\n{len(rows) - len(bad)} passed, {len(bad)} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
