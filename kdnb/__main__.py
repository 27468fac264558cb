"""``python -m kdnb cache --stale`` lists the cached records that older code made (see ``kdnb.runs``)."""
from __future__ import annotations

import argparse
import sys

from kdnb.runs import default_cache_root, stale_records


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kdnb", description="kdnb's command line")
    sub = ap.add_subparsers(dest="command", required=True)
    cache = sub.add_parser("cache", help="inspect the run cache")
    cache.add_argument("--stale", action="store_true", help="list records made by older code")
    cache.add_argument("--cache", default=None, help="cache folder (default $KDNB_CACHE, else ./runs)")
    args = ap.parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
