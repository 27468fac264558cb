"""``python -m kdnb.cli`` — what run_all.sh runs: every notebook, headless, at one scale, with a summary."""
from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
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


def fingerprint(nb: Path, params: dict) -> str:
    """Hash of the notebook, its parameters and kdnb's sources: a notebook is re-run when any of them changes."""
    h = hashlib.sha256(nb.read_bytes())
    h.update(json.dumps(params, sort_keys=True).encode())
    for src in sorted((REPO / "kdnb").rglob("*")):
        if src.suffix in (".py", ".frag", ".csv", ".json") and src.is_file():
            h.update(src.read_bytes())
    return h.hexdigest()


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
    params = {"scale": args.scale, "device": args.device, "data_root": args.data_root}
    out_dir = REPO / "notebooks" / "executed" / args.scale
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for nb in nbs:
        out, stamp = out_dir / nb.name, out_dir / f".{nb.stem}.done"
        fp = fingerprint(nb, params)
        if not args.force and stamp.exists() and stamp.read_text() == fp and out.exists():
            rows.append((nb.name, "cached", 0.0))
            continue
        print(f"── {nb.name} (scale={args.scale})", flush=True)
        t0 = time.perf_counter()
        status = "ok"
        try:
            pm.execute_notebook(str(nb), str(out), parameters=params, kernel_name="python3", cwd=str(nb.parent),
                                progress_bar=False, execution_timeout=args.timeout)
            stamp.write_text(fp)
        except Exception as e:  # papermill raises PapermillExecutionError with the cell's error
            status = "FAILED"
            stamp.unlink(missing_ok=True)
            print(f"   {type(e).__name__}: {_last_line(e)}", file=sys.stderr)
        rows.append((nb.name, status, time.perf_counter() - t0))
    width = max(len(r[0]) for r in rows)
    print(f"\n{'notebook'.ljust(width)}  status   wall time")
    for name, status, t in rows:
        print(f"{name.ljust(width)}  {status:<7}  {t:7.1f} s")
    failed = [r for r in rows if r[1] == "FAILED"]
    print(f"\n{len(rows) - len(failed)} ok, {len(failed)} failed · figures in figures/{args.scale}/ · "
          f"executed notebooks in notebooks/executed/{args.scale}/")
    return 1 if failed else 0


def _last_line(e: Exception) -> str:
    lines = [ln for ln in str(e).strip().splitlines() if ln.strip()]
    return lines[-1] if lines else repr(e)


if __name__ == "__main__":
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    sys.exit(main())
