"""Atomic writes (a temporary file in the same folder, fsync, then rename: a crash leaves the old file or none),
checked loads (one line naming the file when it is corrupt or not a plain tensor file) and setting aside what
is corrupt (renamed, never deleted)."""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
import time
import zipfile
from pathlib import Path

import torch


class CacheError(RuntimeError):
    """A cached file cannot be used; the message is one line naming the file and why."""


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


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write a file atomically (figures, tables, run records)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp(path)
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write a text file atomically (run records)."""
    atomic_write_bytes(path, text.encode())


_DIGESTS: dict[tuple[str, int, int], str] = {}  # (path, size, mtime) → sha256: each file is hashed once per process


def sha256_file(path: str | Path) -> str:
    """The SHA-256 of a file's bytes (memoised on its size and modification time)."""
    path = Path(path)
    st = path.stat()
    memo = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if memo not in _DIGESTS:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        _DIGESTS[memo] = h.hexdigest()
    return _DIGESTS[memo]


def checked_load(path: str | Path, map_location=None):
    """``torch.load(path, weights_only=True)``; a truncated or corrupt file, or one holding anything but tensors
    and plain containers, raises one :class:`CacheError` line naming the file (without torch's advice to load
    untrusted files with ``weights_only=False``)."""
    path = Path(path)
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except FileNotFoundError:
        raise CacheError(f"{path}: no such file") from None
    except pickle.UnpicklingError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        if "weights_only" in first or "Weights only load failed" in first:
            raise CacheError(f"{path}: refused to load: it holds objects other than tensors and plain containers "
                             "(kdnb never writes such files; it may have been replaced)") from None
        raise CacheError(f"{path}: corrupt ({first})") from None
    except (RuntimeError, EOFError, OSError, ValueError, zipfile.BadZipFile, KeyError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise CacheError(f"{path}: corrupt or truncated ({first[:160]})") from None


def set_aside(path: str | Path, why: str) -> Path:
    """Rename a corrupt file or folder to ``<name>.corrupt-<time>`` (kept for inspection, never deleted) and say so
    in one line on stderr. Returns the new path."""
    path = Path(path)
    new = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}")
    os.replace(path, new)
    print(f"kdnb: {path}: {why}; set aside as {new.name}", file=sys.stderr, flush=True)
    return new


__all__ = ["atomic_save", "atomic_write_bytes", "atomic_write_text", "CacheError", "checked_load", "sha256_file", "set_aside"]
