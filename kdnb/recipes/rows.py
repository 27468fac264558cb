"""Rows of a paper's table, declared once, run by one runner.

A recipe declares each cell of a table as a :class:`Row` — its key columns as the paper names them, the frozen
config that produces it, and a note (what stands in for what) — and :func:`run_rows` runs them all:

* every row stays: a dataset not on disk gives status ``missing: <how to get it>``, never a gap;
* a row whose model ended at chance says so: column ``at_chance`` and ``at chance`` in its status (the run's own
  record, e.g. a student, or ``teacher at chance`` when a run it depends on is — ``metrics["at_chance"]``);
* :func:`configs_of` lists the configs of rows without running anything (for planners and resolution tests).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

import pandas as pd

from kdnb.runs import Context, lookup, nested_runs, run_or_missing


@dataclass(frozen=True)
class Row:
    """One row of a table: ``labels`` (its key columns), the ``config`` run for it, a ``note`` for its status.

    ``config=None``: a row of the paper that kdnb cannot run; its ``note`` says why. ``key`` names the row in the records dict :func:`run_rows` returns (default: the labels' values, a tuple).
    """

    labels: dict
    config: object
    note: str = ""
    key: object = field(default=None, compare=False)

    @property
    def name(self):
        return self.key if self.key is not None else tuple(self.labels.values())


def at_chance_status(cfg, rec, ctx: Context) -> str:
    """'' or why the row is at chance: its own record's flag, else that of a run its config holds (the teacher)."""
    if rec is not None and rec.metrics.get("at_chance"):
        return "at chance"
    if rec is not None and any((r := lookup(dep, ctx)) is not None and r.metrics.get("at_chance")
                               for dep in nested_runs(cfg)):
        return "teacher at chance"
    return ""


def run_rows(rows: Iterable[Row], ctx: Context | None, describe: Callable[[Row, dict], dict] = lambda row, m: {},
             progress: str | None = None) -> tuple[pd.DataFrame, dict]:
    """Run every row; one table row each: labels, ``describe(row, metrics)`` (metrics ``{}`` when the run could
    not start, so ``describe`` reads them with ``.get``), ``status`` and ``at_chance``.

    Returns the table and the records by row name (``None`` for a missing row). Columns no row could fill are NaN.
    """
    rows = list(rows)
    if progress:
        from tqdm.auto import tqdm
        rows_iter = tqdm(rows, desc=progress, leave=False)
    else:
        rows_iter = rows
    out, recs = [], {}
    for row in rows_iter:
        rec, missing = run_or_missing(row.config, ctx) if row.config is not None else (None, "")
        chance = at_chance_status(row.config, rec, ctx)
        status = "; ".join(s for s in (missing, row.note, chance) if s)
        out.append({**row.labels, **describe(row, rec.metrics if rec else {}), "status": status,
                    "at_chance": bool(chance)})
        recs[row.name] = rec
    table = pd.DataFrame(out)
    for c in table.columns:
        if table[c].isna().all():
            table[c] = float("nan")
    return table, recs


def configs_of(*row_lists: Iterable[Row]) -> list:
    """The distinct configs of the rows, in order (what running them would run; their teachers sit inside)."""
    return list(dict.fromkeys(r.config for rows in row_lists for r in rows if r.config is not None))


__all__ = ["Row", "run_rows", "configs_of", "at_chance_status"]
