"""Atomic writes: a temporary file in the same folder, fsync, then rename — a crash leaves the old file or none."""
from __future__ import annotations

import os
from pathlib import Path

import torch


def _tmp(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def atomic_save(obj, path: str | Path) -> None:
    """``torch.save`` atomically (checkpoints, tensors, state dicts)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp(path)
    with open(tmp, "wb") as f:
        torch.save(obj, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write a text file atomically (run records)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp(path)
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


__all__ = ["atomic_save", "atomic_write_text"]
