"""Runs as pure functions of frozen configs, cached by config hash.

``run(config)`` returns a :class:`Record`. The record (config, metrics, curves, seed, library versions, wall
time) and any artefacts (checkpoints, tensors) live in ``<cache>/<kind>/<key>/`` where ``key`` hashes the
config. A finished run is loaded, never recomputed. Artefacts are written first and ``record.json`` last, each
atomically (temporary file + fsync + rename), so a run killed at any point leaves either a complete record or
none; a rerun then starts (or, for training loops with a checkpoint, resumes) the unfinished work.

Where a run executes (device, data folder, cache folder) is a :class:`Context`, deliberately outside the hash.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import torch

from kdnb.config import default_cache_root, default_data_root, resolve_device
from kdnb.registry import Registry
from kdnb.train import atomic_save

EXPERIMENTS: Registry = Registry("experiment")


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
    return {"kind": type(cfg).__name__, **dataclasses.asdict(cfg)}


def config_key(cfg) -> str:
    """16 hex digits of the SHA-256 of the config's canonical JSON (kind included)."""
    blob = json.dumps(config_dict(cfg), sort_keys=True, default=str).encode()
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
        """Load a stored artefact (tensors / state dicts) with ``weights_only=True``."""
        return torch.load(self.folder / name, map_location=map_location, weights_only=True)


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


def _atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def folder_of(cfg, ctx: Context) -> Path:
    return ctx.cache_root / type(cfg).__name__ / config_key(cfg)


def lookup(cfg, ctx: Context | None = None) -> Record | None:
    """The finished record of ``cfg`` if the cache holds one."""
    ctx = ctx or Context()
    path = folder_of(cfg, ctx) / "record.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    return Record(data["config"], data["metrics"], data["curves"], data["key"], path.parent, data["meta"])


def run(cfg, ctx: Context | None = None, *, force: bool = False) -> Record:
    """Return the record of ``cfg``: from the cache when finished, else by running its registered runner.

    A runner is ``fn(cfg, ctx, folder: RunFolder) -> (metrics: dict, curves: dict)``; it writes its artefacts
    through ``folder`` and seeds everything from ``cfg.seed``.
    """
    ctx = ctx or Context()
    if not force and (rec := lookup(cfg, ctx)) is not None:
        return rec
    runner: Callable = EXPERIMENTS[type(cfg).__name__]
    folder = RunFolder(folder_of(cfg, ctx))
    seed = getattr(cfg, "seed", 0)
    torch.manual_seed(seed)
    t0 = time.perf_counter()
    try:
        metrics, curves = runner(cfg, ctx, folder)
    except BaseException:
        _remove_if_empty(folder.folder)  # e.g. a dataset missing: leave no empty folder behind
        raise
    meta = {"seed": seed, "versions": _versions(), "wall_time_s": round(time.perf_counter() - t0, 3),
            "device": str(ctx.device), "finished": time.strftime("%Y-%m-%dT%H:%M:%S")}
    key = config_key(cfg)
    payload = {"config": config_dict(cfg), "metrics": metrics, "curves": curves, "key": key, "meta": meta}
    _atomic_write_text(folder.path("record.json"), json.dumps(payload, indent=1, default=_jsonable))
    return Record(payload["config"], metrics, curves, key, folder.folder, meta)


def run_or_missing(cfg, ctx: Context) -> tuple[Record | None, str]:
    """``(record, "")``, or ``(None, "missing: <one line>")`` when a dataset the run needs is not on disk here.

    For tables that must keep a row for every cell of the paper: a missing dataset becomes a visible status
    saying how to get it, never a silent gap. The data folder is shown as ``<data_root>`` so notebook outputs
    hold no machine paths.
    """
    from kdnb.data import DatasetMissing

    try:
        return run(cfg, ctx), ""
    except DatasetMissing as e:
        msg = str(e).strip("'\"").splitlines()[0]
        if str(ctx.data_root) not in (".", ""):
            msg = msg.replace(str(ctx.data_root), "<data_root>")
        return None, f"missing: {msg}"


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


def cached_tensor(name: str, spec: dict, make: Callable[[], torch.Tensor], ctx: Context) -> torch.Tensor:
    """A tensor (e.g. a rendered pool of synthetic images) cached under a hash of ``spec``."""
    key = hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()[:16]
    path = ctx.cache_root / "tensors" / f"{name}-{key}.pt"
    if path.exists():
        return torch.load(path, weights_only=True)
    t = make()
    atomic_save(t, path)
    return t
