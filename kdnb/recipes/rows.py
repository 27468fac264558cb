"""Rows of a paper's table, declared once, run by one runner.

A recipe declares each cell of a table as a :class:`Row` — its key columns as the paper names them, the frozen
config that produces it, and a note (what stands in for what) — and :func:`run_rows` runs them all:

* every row stays: a dataset not on disk gives status ``missing: <how to get it>``, never a gap;
* a row whose model ended at chance says so: column ``at_chance`` and ``at chance`` in its status (the run's own
  record, e.g. a student, or ``teacher at chance`` when a run it depends on is — ``metrics["at_chance"]``);
* :func:`configs_of` lists the configs of rows without running anything (for planners and resolution tests);
* :func:`over_seeds` repeats rows over the seeds behind a headline claim (``CLAIM_SEEDS``), :func:`spread` gives
  their mean ± std and :func:`gap` the difference of two means with two standard errors of it, the margin a claim
  on means is asserted with.
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


# ------------------------------------------------------------------------------------------------ seeds and spread

# Seeds behind each notebook's headline claim (issue #12): three at lab, where one seed hid a ±5-point spread; one at
# smoke, whose checks hold for every seed and thread count on their own; one at paper, the papers' own protocol
# (their tables report one run), so GPU hours are not tripled.
CLAIM_SEEDS = {"smoke": 1, "lab": 3, "paper": 1}


def claim_seeds(scale: str, seed: int = 0) -> tuple[int, ...]:
    """The seeds a claim at ``scale`` rests on: ``seed``, ``seed + 1``, … (``CLAIM_SEEDS[scale]`` of them)."""
    if scale not in CLAIM_SEEDS:
        raise ValueError(f"scale must be one of {tuple(CLAIM_SEEDS)}, got {scale!r}")
    return tuple(range(seed, seed + CLAIM_SEEDS[scale]))


def over_seeds(rows_of: Callable[[int], list[Row]], seeds: Iterable[int],
               keep: Callable[[Row], bool] | None = None) -> list[Row]:
    """The rows ``rows_of(s)`` declares for each seed ``s`` (those ``keep`` accepts), each with a ``seed`` label and
    named ``(row name, s)``. The rows of the notebook's own seed are its table's rows: their runs are cache hits."""
    return [Row({**r.labels, "seed": s}, r.config, r.note, key=(r.name, s))
            for s in seeds for r in rows_of(s) if keep is None or keep(r)]


def spread(table: pd.DataFrame, by: list[str], value: str = "accuracy") -> pd.DataFrame:
    """Mean, std (ddof 1; NaN for one seed) and number of seeds of ``value`` per ``by`` group, over the runs that
    produced a value (a missing or failed run is not counted as a seed)."""
    ok = table[table[value].notna()]
    return ok.groupby(by, sort=False)[value].agg(mean="mean", std="std", seeds="count").reset_index()


def the_row(table: pd.DataFrame, labels: dict) -> pd.Series:
    """The one row of ``table`` whose columns equal ``labels``; KeyError naming them when none or several match."""
    m = table
    for k, v in labels.items():
        m = m[m[k] == v]
    if len(m) != 1:
        raise KeyError(f"{labels}: {len(m)} rows match, expected 1")
    return m.iloc[0]


def gap(spread_table: pd.DataFrame, a: dict, b: dict) -> tuple[float, float]:
    """``mean(a) − mean(b)`` for the rows of ``spread_table`` matching the labels ``a`` and ``b``, and two standard
    errors of that difference (0 when a side has a single seed: no spread to judge it by)."""
    ra, rb = the_row(spread_table, a), the_row(spread_table, b)
    var = sum((r["std"] ** 2 / r["seeds"]) for r in (ra, rb) if r["seeds"] > 1)
    return float(ra["mean"] - rb["mean"]), float(2 * var ** 0.5)


__all__ = ["Row", "run_rows", "configs_of", "at_chance_status", "CLAIM_SEEDS", "claim_seeds", "over_seeds", "spread",
           "the_row", "gap"]
