"""Runs as pure functions of frozen configs, cached by config and code.

``run(config)`` returns a :class:`Record`. The record (config, metrics, curves, seed, library versions, wall
time, git commit and dirty flag, code fingerprint) and any artefacts (checkpoints, tensors) live in
``<cache>/<kind>/<key>/`` where ``key`` hashes the config *and* the fingerprint of the code its run kinds
depend on (``kdnb.codeid``): after a fix, results of the old code are never loaded as current — they stay
on disk, listed by ``python -m kdnb cache --stale``. A finished run is loaded, never recomputed. Artefacts are written first and ``record.json`` last, each
atomically (temporary file + fsync + rename), so a run killed at any point leaves either a complete record or
none; a rerun then starts (or, for training loops with a checkpoint, resumes) the unfinished work.

Workers sharing a cache folder (a sweep's jobs, two notebooks) make each run once: ``run`` holds a claim on the
run's key while it works (``kdnb.claims``: ``<cache>/<kind>/<key>.claim``). A second worker on the same config
waits for the first one's record (or, with ``wait=False``, raises :class:`RunPending`); a claim whose worker died
is taken over, and the run resumes from its checkpoint where it has one.

Where a run executes (device, data folder, cache folder) is a :class:`Context`, deliberately outside the hash.

Run kinds register their runner with ``EXPERIMENTS.register`` in the module that defines their config; the
table :data:`KINDS` names that module for every kind, so a record's kind can be rerun (or fingerprinted) without
anything importing upwards: the module is imported on first use.
"""
from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import os
import platform
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import torch

from kdnb import claims, codeid
from kdnb.config import default_cache_root, default_data_root, resolve_device
from kdnb.io import CacheError, atomic_save, atomic_write_text, checked_load, set_aside, sha256_file
from kdnb.registry import Registry

EXPERIMENTS: Registry = Registry("experiment")

# Every run kind → the module that defines its config and registers its runner (imported on first use).
KINDS = {
    "TeacherRun": "kdnb.methods.teacher",
    "BinaryTeacherRun": "kdnb.methods.teacher",
    "KDRun": "kdnb.methods.kd",
    "HistogramRun": "kdnb.methods.kd",
    "AttackKDRun": "kdnb.methods.attack_kd",
    "ArbitrarySet": "kdnb.methods.arbitrary",
    "BKDRun": "kdnb.methods.arbitrary",
    "ZSKDRun": "kdnb.methods.zskd_kd",
    "DataFreeRun": "kdnb.methods.datafree",
    "GANRun": "kdnb.methods.hybrid",
    "HybridRun": "kdnb.methods.hybrid",
}


def runner_of(kind: str) -> Callable:
    """The registered runner of ``kind``, importing its module first if nothing has yet."""
    if kind not in EXPERIMENTS:
        if kind not in KINDS:
            raise KeyError(f"unknown run kind {kind!r}; known: {', '.join(sorted(KINDS))}")
        importlib.import_module(KINDS[kind])
    return EXPERIMENTS[kind]


def nested_runs(cfg) -> list:
    """The run configs held inside ``cfg``, depth first, ``cfg`` itself left out (a KD run's teacher, an
    arbitrary set and its teacher, ...)."""
    out = []

    def walk(v, top: bool = False):
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            if not top and type(v).__name__ in KINDS:
                out.append(v)
            for f in dataclasses.fields(v):
                walk(getattr(v, f.name))
        elif isinstance(v, (tuple, list)):
            for a in v:
                walk(a)

    walk(cfg, top=True)
    return out


def _nested_kinds(cfg) -> set[str]:
    """The run kinds inside a config: its own and those of the configs it holds."""
    return {type(c).__name__ for c in (cfg, *nested_runs(cfg)) if type(c).__name__ in KINDS}


@lru_cache(maxsize=None)
def _kinds_fingerprint(kinds: frozenset[str]) -> str:
    return codeid.fingerprint(*sorted({KINDS[k] for k in kinds}))


def code_of(cfg) -> str:
    """Fingerprint of the code every run kind inside ``cfg`` depends on (``kdnb.codeid``)."""
    return _kinds_fingerprint(frozenset(_nested_kinds(cfg)))


@lru_cache(maxsize=1)
def git_state() -> dict:
    """The commit of kdnb's checkout and whether its tracked files differ from it (``unknown`` outside git)."""
    repo = codeid.PACKAGE.parent

    def git(*args):
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=10)

    try:
        head = git("rev-parse", "HEAD")
        if head.returncode != 0:
            return {"commit": "unknown", "dirty": None}
        dirty = git("status", "--porcelain", "--untracked-files=no", "--", "kdnb").stdout.strip() != ""
        return {"commit": head.stdout.strip(), "dirty": dirty}
    except (OSError, subprocess.SubprocessError):
        return {"commit": "unknown", "dirty": None}


@dataclass
class Context:
    """Where and how runs execute; not part of any run's identity."""

    device: torch.device = field(default_factory=lambda: resolve_device("auto"))
    data_root: Path = field(default_factory=default_data_root)
    cache_root: Path = field(default_factory=default_cache_root)
    progress: bool = True

    @classmethod
    def make(cls, device: str = "auto", data_root: str | Path | None = None, cache_root: str | Path | None = None,
             progress: bool = True) -> "Context":
        return cls(resolve_device(device), Path(data_root) if data_root else default_data_root(),
                   Path(cache_root) if cache_root else default_cache_root(), progress)


def config_dict(cfg) -> dict:
    """The config as plain JSON-able data; every nested config carries its ``kind`` too."""
    def plain(v):
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            return {"kind": type(v).__name__, **{f.name: plain(getattr(v, f.name)) for f in dataclasses.fields(v)}}
        if isinstance(v, (tuple, list)):
            return [plain(a) for a in v]
        if isinstance(v, dict):
            return {k: plain(a) for k, a in v.items()}
        return v
    return plain(cfg)


def config_key(cfg) -> str:
    """16 hex digits of the SHA-256 of the config's canonical JSON (kind included) and of its code fingerprint."""
    blob = json.dumps({"config": config_dict(cfg), "code": code_of(cfg)}, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


@dataclass
class Record:
    config: dict
    metrics: dict
    curves: dict
    key: str
    folder: Path
    meta: dict

    def artefact(self, name: str) -> Path:
        return self.folder / name

    def load(self, name: str, map_location="cpu"):
        """Load a stored artefact (tensors / state dicts) with ``weights_only=True``; a corrupt or unsafe file
        raises one :class:`kdnb.io.CacheError` line naming it."""
        return checked_load(self.folder / name, map_location=map_location)


class RunFolder:
    """The folder of one run while it executes: runners save artefacts here, atomically."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def path(self, name: str) -> Path:
        return self.folder / name

    def save(self, name: str, obj) -> Path:
        atomic_save(obj, self.folder / name)
        return self.folder / name


def _versions() -> dict:
    import numpy
    import kdnb

    return {"kdnb": kdnb.__version__, "torch": torch.__version__, "numpy": numpy.__version__,
            "python": platform.python_version()}


def folder_of(cfg, ctx: Context) -> Path:
    return ctx.cache_root / type(cfg).__name__ / config_key(cfg)


RECORD_FIELDS = ("config", "metrics", "curves", "key", "meta")
_SKIP = ("record.json", "partial.pt")  # the record itself and the checkpoint of an unfinished run


def _artefacts(folder: Path) -> dict[str, str]:
    """name → SHA-256 of every artefact a finished run left in its folder (stored in its record)."""
    return {p.name: sha256_file(p) for p in sorted(folder.iterdir())
            if p.is_file() and p.name not in _SKIP and not p.name.startswith(".")}


def _unsound(folder: Path) -> str | None:
    """Why the record in ``folder`` cannot be trusted, or None when it and every artefact it lists are sound."""
    try:
        data = json.loads((folder / "record.json").read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        return f"record.json is unreadable ({type(e).__name__})"
    if not isinstance(data, dict) or any(k not in data for k in RECORD_FIELDS):
        return "record.json lacks " + ", ".join(k for k in RECORD_FIELDS if not isinstance(data, dict) or k not in data)
    for name, digest in data["meta"].get("artefacts", {}).items():
        p = folder / name
        if not p.is_file():
            return f"its artefact {name} is missing"
        if sha256_file(p) != digest:
            return f"its artefact {name} does not match the hash in its record (corrupt or replaced)"
    return None


def lookup(cfg, ctx: Context | None = None) -> Record | None:
    """The finished record of ``cfg`` if the cache holds a sound one.

    A record that is unreadable, incomplete, or whose artefacts (checked against the SHA-256 stored in the record)
    are missing or changed is set aside — its folder renamed ``<key>.corrupt-<time>``, with one line saying so —
    and ``None`` is returned, so the run is made again.
    """
    ctx = ctx or Context()
    folder = folder_of(cfg, ctx)
    if not (folder / "record.json").exists():
        return None
    why = _unsound(folder)
    if why is not None:
        set_aside(folder, f"{why}; the run will be made again")
        return None
    data = json.loads((folder / "record.json").read_text())
    return Record(data["config"], data["metrics"], data["curves"], data["key"], folder, data["meta"])


class RunPending(RuntimeError):
    """Another live worker holds the claim on this run (``run(..., wait=False)``); the message names it."""


POLL_S = 1.0  # how often a worker waiting on another one's claim looks for its record


def claim_path(cfg, ctx: Context) -> Path:
    """Where the claim of ``cfg``'s run lives while a worker makes it: beside its folder."""
    folder = folder_of(cfg, ctx)
    return folder.with_name(folder.name + ".claim")


def _claim_or_record(cfg, ctx: Context, force: bool, wait: bool):
    """A :class:`kdnb.claims.Claim` on ``cfg``'s key, or the record another worker finished while this one waited."""
    path, name = claim_path(cfg, ctx), f"{type(cfg).__name__} {config_key(cfg)}"
    said = False
    while True:
        claim, holder, took_over = claims.try_claim(path, name)
        if claim is not None:
            if took_over:
                print(f"kdnb: {name}: took over its claim ({took_over})", file=sys.stderr, flush=True)
            return claim
        if not force and (rec := lookup(cfg, ctx)) is not None:
            return rec
        who = f"pid {holder.get('pid')} on {holder.get('host')}, since {holder.get('time')}" if holder else "?"
        if not wait:
            raise RunPending(f"{name} is being made by another worker ({who})")
        if not said:
            print(f"kdnb: {name} is being made by another worker ({who}); waiting for its record",
                  file=sys.stderr, flush=True)
            said = True
        time.sleep(POLL_S)


def run(cfg, ctx: Context | None = None, *, force: bool = False, wait: bool = True) -> Record:
    """Return the record of ``cfg``: from the cache when finished, else by running its registered runner.

    A runner is ``fn(cfg, ctx, folder: RunFolder) -> (metrics: dict, curves: dict)``; it writes its artefacts
    through ``folder`` and seeds everything from ``cfg.seed``. While it works this process holds the run's claim;
    if another live worker holds it, ``run`` waits for that worker's record (``wait=False``: raises
    :class:`RunPending`), and makes the run itself if that worker stops without one.
    """
    ctx = ctx or Context()
    if not force and (rec := lookup(cfg, ctx)) is not None:
        return rec
    claim = _claim_or_record(cfg, ctx, force, wait)
    if isinstance(claim, Record):
        return claim
    with claim:
        if not force and (rec := lookup(cfg, ctx)) is not None:  # finished between the lookup and the claim
            return rec
        return _make(cfg, ctx)


def _make(cfg, ctx: Context) -> Record:
    runner: Callable = runner_of(type(cfg).__name__)
    folder = RunFolder(folder_of(cfg, ctx))
    seed = getattr(cfg, "seed", 0)
    t0 = time.perf_counter()
    # A run leaves the caller's random state as it found it: a KD run's student is initialised identically
    # whether its teacher was trained just now (a nested run) or loaded from the cache.
    devices = [ctx.device.index or 0] if ctx.device.type == "cuda" else []
    try:
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(seed)
            metrics, curves = runner(cfg, ctx, folder)
    except BaseException:
        _remove_if_empty(folder.folder)  # e.g. a dataset missing: leave no empty folder behind
        raise
    meta = {"seed": seed, "versions": _versions(), "wall_time_s": round(time.perf_counter() - t0, 3),
            "device": str(ctx.device), "threads": torch.get_num_threads(), "machine": platform.machine(),
            "host": socket.gethostname(), "pid": os.getpid(),
            "finished": time.strftime("%Y-%m-%dT%H:%M:%S"), "code": code_of(cfg), "git": git_state(),
            "artefacts": _artefacts(folder.folder)}
    key = config_key(cfg)
    payload = {"config": config_dict(cfg), "metrics": metrics, "curves": curves, "key": key, "meta": meta}
    atomic_write_text(folder.path("record.json"), json.dumps(payload, indent=1, default=_jsonable))
    return Record(payload["config"], metrics, curves, key, folder.folder, meta)


_MISSING_MET: set[str] = set()  # config keys of the runs this process could not make for lack of data


def missing_met() -> int:
    """How many distinct runs this process (one notebook kernel) could not make because their data is missing."""
    return len(_MISSING_MET)


def run_or_missing(cfg, ctx: Context) -> tuple[Record | None, str]:
    """``(record, "")``, or ``(None, "missing: <one line>")`` when a dataset the run needs is not on disk here.

    For tables that must keep a row for every cell of the paper: a missing dataset becomes a visible status
    saying how to get it, never a silent gap. The data folder is shown as ``<data_root>`` so tables hold no machine
    paths; the notebook's stamp line (``kdnb.notebook.Params.stamp``) names the folder that was searched.
    """
    from kdnb.data import DatasetMissing

    try:
        return run(cfg, ctx), ""
    except DatasetMissing as e:
        _MISSING_MET.add(config_key(cfg))
        return None, missing_status(e, ctx)


def missing_status(error: Exception, ctx: Context | None) -> str:
    """A table row's status for a dataset that is not on disk: ``missing: <the error's first line>``, with the
    data folder shown as ``<data_root>`` so that tables hold no machine paths."""
    msg = str(error).strip("'\"").splitlines()[0]
    if ctx is not None and str(ctx.data_root) not in (".", ""):
        msg = msg.replace(str(ctx.data_root), "<data_root>")
    return f"missing: {msg}"


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()  # only succeeds when nothing (no checkpoint to resume from) was written
    except OSError:
        pass


def _jsonable(o: Any):
    if isinstance(o, torch.Tensor):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON-serialisable: {type(o).__name__}")


def cached_tensor(name: str, spec: dict, make: Callable[[], torch.Tensor], ctx: Context,
                  code: tuple[str, ...] = ("kdnb.sources", "kdnb.data")) -> torch.Tensor:
    """A tensor (e.g. a rendered pool of synthetic images) cached under a hash of ``spec`` and of the code of
    the modules ``code`` (those that make it)."""
    blob = json.dumps({"spec": spec, "code": codeid.fingerprint(*code)}, sort_keys=True, default=str)
    key = hashlib.sha256(blob.encode()).hexdigest()[:16]
    path = ctx.cache_root / "tensors" / f"{name}-{key}.pt"
    if path.exists():
        try:
            return checked_load(path)
        except CacheError as e:
            set_aside(path, f"{str(e).split(': ', 1)[-1]}; made again")
    t = make()
    atomic_save(t, path)
    return t


def stale_records(cache_root: str | Path | None = None) -> list[dict]:
    """Every record in the cache that older code made: its code fingerprint is not today's for its config."""
    out = []
    for path in sorted(Path(cache_root or default_cache_root()).glob("*/*/record.json")):
        if ".corrupt-" in path.parent.name:
            continue
        try:
            data = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            out.append({"folder": str(path.parent), "kind": path.parent.parent.name, "made_by": "?",
                        "current": "?", "why": "unreadable record"})
            continue
        kind = data["config"]["kind"]
        kinds = frozenset(_kinds_in_dict(data["config"]))
        current = _kinds_fingerprint(kinds) if kinds <= set(KINDS) else "?"
        made = data.get("meta", {}).get("code", "none")
        if made != current:
            out.append({"folder": str(path.parent), "kind": kind, "made_by": made, "current": current,
                        "commit": data.get("meta", {}).get("git", {}).get("commit", "unknown"),
                        "why": "made by older code" if made != "none" else "made before records carried code"})
    return out


def _kinds_in_dict(d) -> set[str]:
    out = set()
    if isinstance(d, dict):
        if d.get("kind") in KINDS:
            out.add(d["kind"])
        for v in d.values():
            out |= _kinds_in_dict(v)
    elif isinstance(d, (list, tuple)):
        for v in d:
            out |= _kinds_in_dict(v)
    return out
