"""Scales, devices and notebook-parameter validation.

Three scales run every experiment (DEVELOPERS.md):
  smoke — embedded data only, CPU, seconds per notebook (what CI runs);
  lab   — real small data (MNIST family; CIFAR when on disk), reduced epochs;
  paper — each paper's exact configuration (GPU hours).
"""
from __future__ import annotations

import os
from pathlib import Path

import torch

SCALES = ("smoke", "lab", "paper")


class ParameterError(ValueError):
    """A notebook or script parameter has an unknown name or a bad value."""


class ConfigError(ValueError):
    """A config field is out of range or names nothing registered; the message names the field and what is allowed."""


def require(ok: bool, owner: str, name: str, value, allowed: str) -> None:
    """Raise one ``ConfigError`` line unless ``ok``: ``<owner>.<name>=<value> is not allowed; <allowed>``."""
    if not ok:
        raise ConfigError(f"{owner}.{name}={value!r} is not allowed; {allowed}")


def resolve_device(device: str = "auto") -> torch.device:
    """'auto' → CUDA when present, else CPU. A CUDA request on a machine without CUDA is an error."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError):
        raise ParameterError(f"device={device!r} is not a device; use 'auto', 'cpu', 'cuda' or 'cuda:N'") from None
    if dev.type not in ("cpu", "cuda"):
        raise ParameterError(f"device={device!r} is not supported; use 'auto', 'cpu', 'cuda' or 'cuda:N'")
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ParameterError(f"device={device!r} asked for CUDA, but torch sees no CUDA device here; use 'cpu' or 'auto'")
    return dev


def _env_path(name: str, default: Path) -> Path:
    """``$name`` as a path; unset or empty means ``default`` (an empty variable must not mean the current folder)."""
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser() if value else default


def default_data_root() -> Path:
    """Where real datasets are looked for: $KDNB_DATA, else ./data beside the repository."""
    return _env_path("KDNB_DATA", Path(__file__).resolve().parent.parent / "data")


def default_cache_root() -> Path:
    """Where run records and checkpoints live: $KDNB_CACHE, else ./runs beside the repository."""
    return _env_path("KDNB_CACHE", Path(__file__).resolve().parent.parent / "runs")


def check_params(params: dict, allowed: dict[str, tuple | type | None]) -> dict:
    """Validate a notebook's parameters cell; raise one clear line on an unknown name or a bad value.

    ``params`` is the notebook's namespace subset; ``allowed`` maps each name to a tuple of allowed values,
    a type, or None (anything). ``scale``, ``device``, ``data_root`` and ``seed`` are always checked.
    """
    base = {"scale": SCALES, "device": str, "data_root": (str, type(None)), "seed": int}
    spec = {**base, **allowed}
    unknown = sorted(set(params) - set(spec))
    if unknown:
        raise ParameterError(f"unknown parameter(s) {unknown}; this notebook takes {sorted(spec)}")
    for name, rule in spec.items():
        if name not in params:
            raise ParameterError(f"parameter {name!r} is missing; this notebook takes {sorted(spec)}")
        value = params[name]
        if rule is None:
            continue
        if isinstance(rule, tuple) and all(isinstance(r, type) for r in rule):
            ok = isinstance(value, rule)
        elif isinstance(rule, type):
            ok = isinstance(value, rule) and not (rule is int and isinstance(value, bool))
        else:
            ok = value in rule
        if not ok:
            want = rule.__name__ if isinstance(rule, type) else rule
            raise ParameterError(f"parameter {name}={value!r} is not allowed; expected {want}")
    if params["device"] != "auto":
        resolve_device(params["device"])
    return params
