"""The sweep: make every run of a plan that the cache lacks, as jobs of an existing engine (``python -m kdnb sweep``).

Jobs go through submitit: ``--executor slurm`` submits one Slurm job per run (submitit's ``AutoExecutor``), its
resources (GPU, time limit, memory, CPUs) from the plan (:func:`kdnb.plan.resources`), a run's dependencies (a KD
run's teacher, an unbalanced set's balanced twin) submitted first and named in ``--dependency=afterok:<ids>`` so
Slurm starts it only after they succeed. ``--executor local`` uses submitit's ``LocalExecutor`` (one subprocess
per job, on this machine), starting a run once its dependencies are done, at most ``--workers`` at a time.

Each job calls ``kdnb.runs.run`` on one config with the shared cache folder: the record is written there, a
dependency that is not cached after all is made (or waited for) inside the job, and the run's claim keeps two
jobs from making the same run. The sweep waits for its jobs and prints what finished, what failed (one line each:
the error's last line, and where the job's log is), and what is pending (held by another worker, or blocked by a
failed dependency). Rerunning the same command submits only what is still missing or failed.

Ready runs go in order of their critical path (:func:`critical_path`): the run whose own estimate plus the longest
chain of runs waiting on it is largest goes first, so a few workers do not end with one of them alone on a long
run that could have started hours earlier (longest-processing-time-first list scheduling).

Ctrl-C (or SIGTERM) stops the sweep: its local jobs are cancelled (the next sweep resumes them from their
checkpoints); Slurm jobs are left to the cluster and listed with their job ids.
"""
from __future__ import annotations

import json
import re
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from kdnb.plan import Entry, Plan, resources
from kdnb.runs import Context

EXECUTORS = ("local", "slurm")


def execute(cfg, device: str, data_root: str | None, cache_root: str, threads: int | None = None) -> dict:
    """One job: the record of ``cfg`` in the cache at ``cache_root`` (made here unless another worker has it)."""
    import os

    import torch

    from kdnb.runs import config_key, run

    if threads:
        torch.set_num_threads(threads)
    ctx = Context.make(device, data_root, cache_root, progress=False)
    t0 = time.perf_counter()
    rec = run(cfg, ctx)
    return {"key": rec.key, "kind": type(cfg).__name__, "ok": rec.key == config_key(cfg),
            "wall_s": round(time.perf_counter() - t0, 2), "made_here": rec.meta.get("pid") == os.getpid()}


def cause(exc: BaseException) -> str:
    """One line for a failed job: the last ``SomeError: message`` line of its traceback, else the last line."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    for ln in reversed(lines):
        if re.match(r"^[\w.]*(Error|Exception|Missing|Interrupt|Exit)\b", ln):
            return ln[:300]
    return (lines[-1] if lines else type(exc).__name__)[:300]


@dataclass
class Outcome:
    cached: list[Entry] = field(default_factory=list)  # already in the cache when the sweep began
    finished: list[tuple[Entry, dict]] = field(default_factory=list)
    failed: list[tuple[Entry, str]] = field(default_factory=list)
    pending: list[tuple[Entry, str]] = field(default_factory=list)
    interrupted: list[tuple[Entry, str]] = field(default_factory=list)  # jobs running when the sweep was stopped
    wall_s: float = 0.0

    def summary(self) -> str:
        lines = [f"sweep: {len(self.finished)} finished, {len(self.failed)} failed, {len(self.pending)} pending, "
                 f"{len(self.cached)} already cached · {self.wall_s:.1f} s"]
        for e, why in self.failed:
            lines.append(f"  failed   {e.kind} {e.key}: {why}")
        for e, why in self.pending:
            lines.append(f"  pending  {e.kind} {e.key}: {why}")
        for e, why in self.interrupted:
            lines.append(f"  stopped  {e.kind} {e.key}: {why}")
        if self.interrupted:
            lines[0] = lines[0].replace("sweep:", "sweep (interrupted):", 1)
        if self.failed or self.pending or self.interrupted:
            lines.append("rerun the same command to submit what is missing or failed again")
        return "\n".join(lines)


class SweepError(RuntimeError):
    """The sweep cannot start (no Slurm here, an unknown executor); the message is one line."""


def make_executor(kind: str, folder: Path, partition: str | None = None, extra: dict | None = None):
    import submitit

    folder.mkdir(parents=True, exist_ok=True)
    if kind == "local":
        return submitit.LocalExecutor(folder=str(folder))
    if kind == "slurm":
        try:
            ex = submitit.AutoExecutor(folder=str(folder / "%j"), cluster="slurm")
        except RuntimeError as e:  # submitit: 'Could not detect "srun", are you indeed on a slurm cluster?'
            raise SweepError(f"no Slurm here ({e}); use --executor local on this machine") from None
        if partition:
            ex.update_parameters(slurm_partition=partition)
        if extra:
            ex.update_parameters(**extra)
        return ex
    raise SweepError(f"executor must be one of {EXECUTORS}, got {kind!r}")


def configured(kind: str, entry: Entry, device: str, deps: list[str], folder: Path, partition: str | None = None,
               extra: dict | None = None):
    """A submitit executor set up for ``entry``'s job. One per job: submitit's parameters stick to an executor,
    and a dependency left over from the previous job must not hold this one back."""
    ex = make_executor(kind, folder, partition, extra)
    ex.update_parameters(**_parameters(kind, entry, device, deps))
    return ex


def _rates(device: str) -> str:
    """The plan's rate table for a sweep's ``--device``: the CPU's when told cpu, else the GPU's (auto, cuda)."""
    return "cpu" if device == "cpu" else "h200"


def _parameters(kind: str, entry: Entry, device: str, deps: list[str]) -> dict:
    res = resources(entry, _rates(device))
    p = {"timeout_min": res["timeout_min"], "name": f"kdnb-{entry.kind}-{entry.key}"}
    if kind == "slurm":
        p.update(gpus_per_node=res["gpus"], cpus_per_task=res["cpus"], mem_gb=res["mem_gb"], nodes=1,
                 tasks_per_node=1)
        if deps:
            p["slurm_dependency"] = f"afterok:{':'.join(deps)}"
        # A job whose dependency failed is cancelled (and reported failed) instead of pending forever.
        p["slurm_additional_parameters"] = {"kill_on_invalid_dep": "yes"}
    return p


def sweep(plan: Plan, ctx: Context, executor: str = "local", workers: int | None = None, device: str = "auto",
          partition: str | None = None, threads: int | None = None, poll_s: float = 0.5,
          log_folder: Path | None = None, slurm_extra: dict | None = None, out=sys.stdout) -> Outcome:
    """Submit every run of ``plan`` the cache lacks, dependencies first, and wait for them (see the module doc).

    ``workers``: at most this many jobs at a time (local: default 1; slurm: default no limit, Slurm queues them).
    """
    t0 = time.perf_counter()
    log_folder = Path(log_folder or Path(ctx.cache_root) / "sweeps" / time.strftime("%Y%m%d-%H%M%S"))
    make_executor(executor, log_folder, partition, slurm_extra)  # fails here, in one line, where it cannot run
    cap = workers or (1 if executor == "local" else 10**9)
    res = Outcome(cached=[e for e in plan.entries if e.cached])
    length = critical_path(plan, _rates(device))
    todo = sorted((e for e in plan.entries if not e.cached), key=lambda e: -length[e.key])  # stable: ties keep plan order
    missing = {e.key for e in todo}
    state: dict[str, str] = {}  # key → 'running' | 'done' | 'failed' | 'blocked'
    jobs: dict[str, tuple[object, Entry]] = {}
    print(f"sweep: {len(todo)} run(s) to make, {len(res.cached)} cached · executor {executor} · logs in {log_folder}",
          file=out, flush=True)
    previous = _sigterm_interrupts()
    try:
        _loop(plan, ctx, executor, device, partition, threads, poll_s, log_folder, slurm_extra, out, cap, res, todo,
              missing, state, jobs)
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (a scheduler stopping the sweep, a kill)
        _stop(executor, jobs, res, out)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous[0])
            signal.signal(signal.SIGINT, previous[1])
    res.wall_s = time.perf_counter() - t0
    (log_folder / "summary.json").write_text(json.dumps({
        "finished": [e.key for e, _ in res.finished], "failed": {e.key: w for e, w in res.failed},
        "pending": {e.key: w for e, w in res.pending}, "cached": [e.key for e in res.cached],
        "interrupted": {e.key: w for e, w in res.interrupted}, "wall_s": round(res.wall_s, 2)}, indent=1))
    return res


def critical_path(plan: Plan, device: str = "h200") -> dict[str, float]:
    """Each run's key → its estimated seconds on ``device`` plus those of the longest chain of runs that wait on it.

    Runs without an estimate (:meth:`kdnb.plan.Entry.seconds` is None: a model family with no rate) count 0 of
    their own; cached runs count 0 (nothing is left to make).
    """
    waiting: dict[str, list[str]] = {e.key: [] for e in plan.entries}
    for e in plan.entries:
        for d in e.deps:
            if d in waiting:
                waiting[d].append(e.key)
    length: dict[str, float] = {}
    for e in reversed(plan.entries):  # the plan lists dependencies first, so whatever waits on e is already costed
        own = 0.0 if e.cached else (e.seconds(device) or 0.0)
        length[e.key] = own + max((length[k] for k in waiting[e.key]), default=0.0)
    return length


def _sigterm_interrupts():
    """Make SIGTERM stop the sweep as Ctrl-C does (main thread only); returns the handlers it replaced.

    A sweep started in the background of a script (``nohup python -m kdnb sweep … &``) inherits SIGINT ignored, and
    so would every job controller it starts: submitit cancels a local job with SIGINT, which those would ignore,
    training on after the sweep stopped. A SIGINT handler here is reset to the default in each child, so both
    Ctrl-C and the cancel work again.
    """
    if threading.current_thread() is not threading.main_thread():
        return None

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    before_int = signal.getsignal(signal.SIGINT)
    if before_int is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    return signal.signal(signal.SIGTERM, interrupt), before_int


def _stop(executor: str, jobs: dict, res: Outcome, out) -> None:
    """The sweep was stopped with jobs in flight. Local jobs are this machine's subprocesses: cancel them (a training
    run resumes from its last epoch's checkpoint next time; a dead worker's claim is taken over). Slurm jobs belong
    to the cluster: they keep running, and the line says how to stop them."""
    if executor == "local":
        for job, _ in jobs.values():
            job.cancel()
        deadline = time.time() + 30
        while time.time() < deadline and not all(job.done() for job, _ in jobs.values()):
            time.sleep(0.2)
        for job, e in jobs.values():
            res.interrupted.append((e, f"cancelled (local job {job.job_id}); the next sweep resumes it"))
    else:
        for job, e in jobs.values():
            res.interrupted.append((e, f"still queued or running on the cluster as job {job.job_id} "
                                       f"(scancel {job.job_id} to stop it)"))
    print(f"sweep interrupted: {len(jobs)} job(s) in flight "
          f"{'cancelled' if executor == 'local' else 'left to the cluster'}", file=out, flush=True)


def _loop(plan, ctx, executor, device, partition, threads, poll_s, log_folder, slurm_extra, out, cap, res, todo,
          missing, state, jobs) -> None:
    """Submit what is ready, collect what is done, until nothing is left (``jobs`` holds what is in flight)."""
    data_root = str(ctx.data_root) if ctx.data_root else None
    while todo or jobs:
        for e in list(todo):
            deps = [d for d in e.deps if d in missing]
            bad = [d for d in deps if state.get(d) in ("failed", "blocked")]
            if bad:
                d = plan.entry(bad[0])
                res.pending.append((e, f"blocked: its dependency {d.kind} {d.key} {state[bad[0]]}"))
                state[e.key] = "blocked"
                todo.remove(e)
                continue
            if e.claimed is not None:
                c = e.claimed
                res.pending.append((e, f"being made by another worker (pid {c.get('pid')} on {c.get('host')}, "
                                       f"since {c.get('time')}); not submitted"))
                state[e.key] = "blocked"
                todo.remove(e)
                continue
            ready = all(state.get(d) == "done" for d in deps) or (
                executor == "slurm" and all(state.get(d) in ("done", "running") for d in deps))
            if not ready or len(jobs) >= cap:
                continue
            running_deps = [jobs[d][0].job_id for d in deps if d in jobs]
            ex = configured(executor, e, device, running_deps, log_folder, partition, slurm_extra)
            job = ex.submit(execute, e.cfg, device, data_root, str(ctx.cache_root), threads)
            jobs[e.key] = (job, e)
            state[e.key] = "running"
            todo.remove(e)
            print(f"  submitted {e.kind} {e.key} (job {job.job_id})", file=out, flush=True)
        for key, (job, e) in list(jobs.items()):
            if not job.done():
                continue
            del jobs[key]
            try:
                info = job.result()
                state[key] = "done"
                res.finished.append((e, info))
                print(f"  finished  {e.kind} {e.key} in {info['wall_s']:.1f} s", file=out, flush=True)
            except Exception as exc:  # submitit raises FailedJobError / UncompletedJobError with the job's traceback
                state[key] = "failed"
                why = f"{cause(exc)} (log: {job.paths.stderr})"
                res.failed.append((e, why))
                print(f"  failed    {e.kind} {e.key}: {why}", file=out, flush=True)
        if todo or jobs:
            time.sleep(poll_s)


__all__ = ["sweep", "critical_path", "execute", "Outcome", "EXECUTORS", "cause", "make_executor", "configured", "SweepError"]
