"""kdnb's command line.

* ``python -m kdnb cache --stale`` lists the cached records that older code made (see ``kdnb.runs``);
* ``python -m kdnb plan`` lists every run the notebooks execute at a scale, with its estimated cost and whether it
  is cached (``kdnb.plan``); ``python -m kdnb sweep`` makes the missing ones as submitit jobs, locally or on Slurm
  (``kdnb.sweep``);
* ``python -m kdnb labs build [--out DIR] [--only GLOB]`` writes the labs' instructor and student notebooks as an
  nbgrader course folder (see ``kdnb.labs``);
* ``python -m kdnb labs check NOTEBOOK…`` grades student notebooks headlessly against their lab's source and prints
  the points of every check (exit status 1 when a check failed).
"""
from __future__ import annotations

import argparse
import sys

from kdnb.config import SCALES
from kdnb.runs import default_cache_root, stale_records


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kdnb", description="kdnb's command line")
    sub = ap.add_subparsers(dest="command", required=True)
    cache = sub.add_parser("cache", help="inspect the run cache")
    cache.add_argument("--stale", action="store_true", help="list records made by older code")
    cache.add_argument("--cache", default=None, help="cache folder (default $KDNB_CACHE, else ./runs)")
    for name, text in (("plan", "list every run the notebooks execute, its cost and whether it is cached"),
                       ("sweep", "make the runs the cache lacks, as jobs (submitit: local or Slurm)")):
        p = sub.add_parser(name, help=text)
        p.add_argument("--scale", default="smoke", choices=SCALES)
        p.add_argument("--only", default=None, help="glob on notebook names, e.g. '*_B_*' or '21_*'")
        p.add_argument("--cache", default=None, help="cache folder (default $KDNB_CACHE, else ./runs)")
        p.add_argument("--data-root", default=None, help="folder holding real datasets (default $KDNB_DATA)")
        p.add_argument("--seed", type=int, default=0)
    plan = sub.choices["plan"]
    plan.add_argument("--rates", default="h200", choices=("h200", "cpu"), help="which measured rates to cost with")
    plan.add_argument("--totals", action="store_true", help="print only the totals per notebook")
    sw = sub.choices["sweep"]
    sw.add_argument("--executor", default="local", choices=("local", "slurm"))
    sw.add_argument("--workers", type=int, default=None, help="jobs at a time (local: 1; slurm: no limit)")
    sw.add_argument("--device", default="auto", help="the jobs' device: auto | cpu | cuda")
    sw.add_argument("--partition", default=None, help="Slurm partition (e.g. your GPU partition)")
    sw.add_argument("--threads", type=int, default=None, help="torch threads per job (default: torch's)")
    labs = sub.add_parser("labs", help="instructors' labs: build student copies, grade them")
    lsub = labs.add_subparsers(dest="labs_command", required=True)
    b = lsub.add_parser("build", help="write source/ (instructor) and release/ (student) notebooks, nbgrader's layout")
    b.add_argument("--out", default=None, help="course folder to write (default labs/build)")
    b.add_argument("--only", default=None, help="glob on lab names, e.g. '02_*'")
    c = lsub.add_parser("check", help="run student notebooks and report the points of each check")
    c.add_argument("notebooks", nargs="+", help="student notebooks (.ipynb); their lab is found by file name")
    c.add_argument("--lab", default=None, help="the lab source (labs/NN_name.py) when the file name differs")
    c.add_argument("--engine", default="kernel", choices=("kernel", "inline"),
                   help="kernel: a python3 Jupyter kernel (default); inline: in this process, faster")
    c.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE",
                   help="override a parameter of the lab (VALUE is a Python literal), e.g. -p \"sets=['Original', 'Noise']\"")
    c.add_argument("--timeout", type=int, default=600, help="per-cell timeout of the kernel engine, seconds")
    args = ap.parse_args(argv)
    if args.command == "labs":
        return _labs(args)
    root = args.cache or default_cache_root()
    if args.command == "cache":
        rows = stale_records(root)
        if not rows:
            print(f"no stale records under {root}")
            return 0
        print(f"{len(rows)} record(s) under {root} made by other code than today's (they are never loaded as current):")
        for r in rows:
            print(f"  {r['kind']:<16} {r['folder']}  code {r['made_by']} → now {r['current']}  "
                  f"(commit {str(r.get('commit', '?'))[:10]}; {r['why']})")
        return 0

    from pathlib import Path

    from kdnb.plan import format_plan, make_plan
    from kdnb.runs import Context

    data_root = str(Path(args.data_root).expanduser().resolve()) if args.data_root else None
    ctx = Context.make("cpu", data_root, Path(root).expanduser().resolve(), progress=False)
    plan_ = make_plan(args.scale, ctx, args.only, args.seed)
    if not plan_.by_notebook:
        print(f"python -m kdnb {args.command}: no notebook matches --only {args.only!r}", file=sys.stderr)
        return 2
    if args.command == "plan":
        print(format_plan(plan_, args.rates, runs=not args.totals))
        return 0
    from kdnb.config import ParameterError, resolve_device
    from kdnb.sweep import SweepError, sweep

    if args.executor == "local" and args.device != "auto":
        try:
            resolve_device(args.device)
        except ParameterError as e:
            print(f"python -m kdnb sweep: {e}", file=sys.stderr)
            return 2
    try:
        out = sweep(plan_, ctx, args.executor, args.workers, args.device, args.partition, args.threads)
    except SweepError as e:
        print(f"python -m kdnb sweep: {e}", file=sys.stderr)
        return 2
    print(out.summary())
    return 130 if out.interrupted else 1 if out.failed else 0


def _labs(args) -> int:
    import ast
    from pathlib import Path

    from kdnb.labs.build import LABS, LabError, build, instructor, sources

    try:
        if args.labs_command == "build":
            written = build(args.out, args.only)
            root = written[0][0].parent.parent.parent
            for src, rel in written:
                print(f"{src.stem}: {src.relative_to(root)} (instructor), {rel.relative_to(root)} (student)")
            print(f"course folder {root}: students get release/; grade with nbgrader (README) or "
                  f"python -m kdnb labs check")
            return 0
        from kdnb.labs.grade import grade_file

        params = {}
        for item in args.parameter:
            name, sep, value = item.partition("=")
            if not sep:
                raise LabError(f"-p {item!r}: write NAME=VALUE")
            try:
                params[name.strip()] = ast.literal_eval(value)
            except (ValueError, SyntaxError):
                params[name.strip()] = value
        failed = 0
        for nb in args.notebooks:
            path = Path(nb)
            if not path.is_file():
                raise LabError(f"{nb}: no such notebook")
            lab = Path(args.lab) if args.lab else next(iter(sources(path.stem, LABS)), None)
            if lab is None:
                raise LabError(f"{path.name}: no lab source labs/{path.stem}.py; name it with --lab")
            report = grade_file(path, instructor(lab), engine=args.engine, params=params or None,
                                timeout=args.timeout)
            print("\n".join(report.lines()))
            failed += len(report.failed())
        return 1 if failed else 0
    except LabError as e:
        print(f"labs: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
