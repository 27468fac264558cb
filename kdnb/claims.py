"""Claims: at most one worker makes a run at a time, on one machine or many sharing a cache folder.

A claim is a small JSON file (pid, host, process start, time, a random token) created atomically: written in full
to a temporary name, then hard-linked to ``<name>.claim`` — ``link`` fails if the name exists, also on NFS, and a
reader never sees a half-written claim. While its holder works, a thread refreshes the claim's modification time
every :data:`HEARTBEAT_S` seconds.

A claim is *stale*, and may be taken over, when its holder is dead on this host (no such pid, a zombie, or a
reused pid with another start time), or when its heartbeat is older than :func:`stale_after` seconds (a worker on
another node killed or preempted; ``$KDNB_CLAIM_TIMEOUT``, default 600). Taking over goes through a second
atomic file (``<name>.claim.takeover``), so two workers that both find a claim stale never both win.

The cache's writes are atomic anyway (``kdnb.io``): a duplicate run could waste work but never corrupt a record.
"""
from __future__ import annotations

import json
import os
import secrets
import socket
import threading
import time
from pathlib import Path

HEARTBEAT_S = 30.0
TAKEOVER_STALE_S = 60.0  # a takeover lock lives milliseconds; one older than this was left by a dead taker


def stale_after() -> float:
    """Seconds without a heartbeat after which a claim from any host counts as abandoned."""
    try:
        return float(os.environ.get("KDNB_CLAIM_TIMEOUT", "") or 600.0)
    except ValueError:
        return 600.0


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux /proc), None where unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _state(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def pid_alive(pid: int, start: str | None = None) -> bool:
    """Whether ``pid`` is a live process on this host (zombies and reused pids count as dead)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process: alive
    if _state(pid) in ("Z", "X"):
        return False
    if start is not None and (now := _start_time(pid)) is not None and now != start:
        return False
    return True


class Claim:
    """A held claim on ``path``; :meth:`release` (or leaving the ``with`` block) removes it."""

    def __init__(self, path: Path, info: dict):
        self.path, self.info = path, info
        self._stop = threading.Event()
        self._beat = threading.Thread(target=self._heartbeat, name=f"claim-{path.name}", daemon=True)
        self._beat.start()

    def _heartbeat(self):
        while not self._stop.wait(HEARTBEAT_S):
            try:
                os.utime(self.path)
            except OSError:
                pass

    def held(self) -> bool:
        return (read(self.path) or {}).get("token") == self.info["token"]

    def release(self) -> None:
        self._stop.set()
        if self.held():
            try:
                self.path.unlink()
            except FileNotFoundError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()


def read(path: Path) -> dict | None:
    """The claim at ``path`` (with ``age_s``, seconds since its last heartbeat), or None when there is none."""
    try:
        info = json.loads(path.read_text())
        info["age_s"] = time.time() - path.stat().st_mtime
        return info
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        # Never half-written (it is linked in whole); unreadable means foreign or damaged: judge it by age alone.
        try:
            return {"pid": None, "host": None, "age_s": time.time() - path.stat().st_mtime, "token": None}
        except FileNotFoundError:
            return None


def why_stale(info: dict) -> str | None:
    """Why the claim ``info`` may be taken over, or None while its holder is presumably working."""
    if info.get("host") == socket.gethostname() and info.get("pid") is not None \
            and not pid_alive(int(info["pid"]), info.get("start")):
        return f"its worker (pid {info['pid']} on this host) is dead"
    if info["age_s"] > stale_after():
        return f"no heartbeat for {info['age_s']:.0f} s (> {stale_after():.0f} s)"
    return None


def _create(path: Path, info: dict) -> bool:
    """Create ``path`` holding ``info`` atomically; False if it already exists."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{info['token'][:8]}.tmp")
    tmp.write_text(json.dumps(info))
    try:
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)


def _new_info(what: str) -> dict:
    return {"pid": os.getpid(), "host": socket.gethostname(), "start": _start_time(os.getpid()),
            "time": time.strftime("%Y-%m-%dT%H:%M:%S"), "what": what, "token": secrets.token_hex(8)}


def try_claim(path: str | Path, what: str = "") -> tuple[Claim | None, dict | None, str | None]:
    """``(claim, None, took_over)`` when this process now holds ``path`` (``took_over``: why a stale claim was
    replaced, else None), or ``(None, holder, None)`` with the live holder's claim."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(20):
        info = _new_info(what)
        if _create(path, info):
            return Claim(path, info), None, None
        holder = read(path)
        if holder is None:
            continue  # released meanwhile: try again
        why = why_stale(holder)
        if why is None:
            return None, holder, None
        if _take_over(path, holder, info):
            return Claim(path, info), None, why
    return None, read(path), None


def _take_over(path: Path, stale: dict, info: dict) -> bool:
    """Replace the stale claim ``stale`` by ``info`` under a takeover lock; False if another worker won."""
    lock = path.with_name(path.name + ".takeover")
    if not _create(lock, _new_info("takeover")):
        try:
            if time.time() - lock.stat().st_mtime > TAKEOVER_STALE_S:
                lock.unlink(missing_ok=True)
        except FileNotFoundError:
            pass
        return False
    try:
        now = read(path)
        if now is not None and now.get("token") != stale.get("token"):
            return False  # someone replaced it meanwhile
        path.unlink(missing_ok=True)
        return _create(path, info)
    finally:
        lock.unlink(missing_ok=True)


__all__ = ["Claim", "try_claim", "read", "why_stale", "pid_alive", "stale_after", "HEARTBEAT_S"]
