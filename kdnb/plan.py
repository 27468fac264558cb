"""The plan: every run the notebooks execute at a scale, without running any — kind, key, notebook(s), the runs it
depends on, an estimate of its cost, and whether the cache holds it (``python -m kdnb plan``).

Which notebook runs what is declared by the recipes: every module ``kdnb.recipes.<name>`` with ``configs(scale)``
is found, and its ``NOTEBOOKS`` table (notebook file stem → ``fn(scale, seed=0)`` → configs) says which notebook
runs which of them; configs a recipe lists but no notebook entry claims are shown under ``<recipe>.configs``.

Dependencies are the runs a config holds (``kdnb.runs.nested_runs``: a KD run's teacher, an arbitrary set's
teacher) plus the runs a runner makes that its config does not hold (:data:`IMPLIED`: an unbalanced, size-matched
arbitrary set first makes its balanced twin). The plan lists dependencies before their dependents.

**Cost** = images pushed through training steps / a training rate + images only passed forward (labelling,
selection) / an inference rate, from :data:`RATES`: measured throughputs where we have them (each says where it
comes from), otherwise a stated assumption. Images larger than 32×32 cost in proportion to their pixels. Test-set
evaluations (≈20 per run) are left out. A run whose work or rate is unknown gets no estimate (``—``).
"""
from __future__ import annotations

import fnmatch
import importlib
import pkgutil
from dataclasses import dataclass, field, replace
from typing import Callable

from kdnb.runs import Context, claim_path, config_key, lookup, nested_runs

# ------------------------------------------------------------------------------------------------ rates

# (device, family, phase) → (images per second at 32×32, where the number comes from). Families: the measured
# pair "resnet50→resnet18" (KD) and "resnet50" (a forward pass), "small" (LeNet-size models), "convnet" (the rest,
# and teacher training).
RATES: dict[tuple[str, str, str], tuple[float, str]] = {
    ("h200", "resnet50→resnet18", "train"): (13_854, "measured: KD step ResNet-50→ResNet-18, batch 256, one H200 "
                                                     "(benchmarks/results_h200_kd_throughput.txt)"),
    ("h200", "resnet50", "infer"): (49_584, "measured: ResNet-50 forward, batch 256, one H200 "
                                            "(benchmarks/results_h200_step_breakdown.txt)"),
    ("h200", "convnet", "train"): (13_854, "assumed: other conv nets (WRN, MobileNetV2, AlexNet, Inception, ResNet-34) "
                                           "and teacher training, charged the measured ResNet-50→ResNet-18 KD rate"),
    ("h200", "convnet", "infer"): (49_584, "assumed: other teachers' forward, charged the ResNet-50 forward rate"),
    ("h200", "small", "train"): (13_854, "assumed: not measured on a GPU; charged the ResNet-50→ResNet-18 rate "
                                         "(that step is launch-bound; a LeNet step launches fewer kernels)"),
    ("h200", "small", "infer"): (49_584, "assumed: charged the ResNet-50 forward rate (not measured)"),
    ("cpu", "small", "train"): (1_603, "measured: KD step LeNet-5→LeNet-5-half, one thread of a 2-core CPU "
                                       "(README, benchmarks/kd_throughput.py)"),
    ("cpu", "small", "infer"): (23_980, "measured: LeNet-5 forward at INFER_BATCH 256, one thread of a 2-core CPU "
                                        "(benchmarks/results_cpu_infer_throughput.txt)"),
}
DEVICES = ("h200", "cpu")
SMALL = frozenset({"lenet5", "lenet5_half", "toy2d"})  # everything else is a 'convnet' (ResNets, WRN, ...)

# Training images of each dataset (for teacher runs); resolution where it is not ≤ 32 px.
TRAIN_IMAGES = {"mnist": 60_000, "fashionmnist": 60_000, "cifar10": 50_000, "cifar100": 50_000,
                "cifar100_nonoverlap": 45_000, "svhn": 73_257, "digits": 1_438, "tinyimagenet": 100_000,
                "fgvca": 6_667, "pets": 3_680, "food": 75_750, "eurosat": 21_600}
RESOLUTION = {"fgvca": 64, "pets": 64, "food": 64, "eurosat": 64}


@dataclass(frozen=True)
class Work:
    """What a run computes: images through training steps and images only passed forward, by model family."""

    train: float
    infer: float
    family: str
    pixels: float = 1.0  # × the cost of a 32×32 image
    infer_family: str | None = None  # the family of the forward-only images (the teacher's), default ``family``

    def rate(self, device: str, phase: str) -> tuple[float, str] | None:
        fam = self.infer_family or self.family if phase == "infer" else self.family
        return RATES.get((device, fam, phase))

    def seconds(self, device: str) -> float | None:
        total = 0.0
        for phase, n in (("train", self.train), ("infer", self.infer)):
            if n:
                rate = self.rate(device, phase)
                if rate is None:
                    return None
                total += n * self.pixels / rate[0]
        return total

    def assumed(self, device: str) -> bool:
        """Whether any rate this work is costed with is an assumption rather than a measurement."""
        return any(n and (self.rate(device, ph) or (0, "assumed"))[1].startswith("assumed")
                   for ph, n in (("train", self.train), ("infer", self.infer)))


def _dataset_of(teacher) -> str:
    params = dict(getattr(teacher, "dataset_params", ()) or ())
    return params.get("of", teacher.dataset) if teacher.dataset in ("unit_range", "binary") else teacher.dataset


def _pixels(dataset: str, size: int | None = None) -> float:
    px = size or RESOLUTION.get(dataset, 32)
    return max(1.0, (px / 32) ** 2)


def _family(*archs: str) -> str:
    """The rate family of a run whose models are ``archs`` (teacher first, then the student if one trains)."""
    if all(a in SMALL for a in archs):
        return "small"
    return {("resnet50", "resnet18"): "resnet50→resnet18", ("resnet50",): "resnet50"}.get(archs, "convnet")


def _teacher_work(c) -> Work | None:
    ds = _dataset_of(c)
    n = c.train_limit if getattr(c, "train_limit", None) else TRAIN_IMAGES.get(ds)
    epochs = c.schedule.epochs if c.schedule is not None else 30  # BinaryTeacherRun: None → its default
    family = "small" if c.arch in SMALL else "convnet"  # training a teacher: no measured rate but LeNet's on a CPU
    return None if n is None else Work(n * epochs, 0, family, _pixels(ds, getattr(c, "size", None)))


def _kd_work(c) -> Work:
    t = c.teacher
    pool = c.transfer.pool or c.transfer.n
    return Work(c.transfer.n * c.schedule.epochs, pool if c.transfer.select != "first" else 0,
                _family(getattr(t, "arch", ""), c.student), _pixels(_dataset_of(t)), _family(getattr(t, "arch", "")))


def _histogram_work(c) -> Work:
    return Work(0, c.transfer.pool or c.transfer.n, _family(c.teacher.arch), _pixels(_dataset_of(c.teacher)))


def _arbitrary_set_work(c) -> Work:
    # Balanced: Algorithm 1 draws until every class holds ⌊n/C⌋ or the pools' limits run out: charged the limits
    # (an upper bound; a pool without a limit is charged n). Unbalanced: n samples labelled once.
    draws = sum(p.limit or c.n for p in c.pools) if c.balanced else c.n
    return Work(0, draws, _family(c.teacher.arch), _pixels(_dataset_of(c.teacher)))


def _bkd_work(c) -> Work:
    t = c.transfer.teacher
    return Work(c.transfer.n * c.schedule.epochs, 0, _family(t.arch, c.student), _pixels(_dataset_of(t)))


def _zskd_work(c) -> Work:
    # BKDRun's work, with the expansion every image of the set trained on as its 106 (or 103) copies.
    from kdnb.augment.zskd import expansion

    w = _bkd_work(c)
    return replace(w, train=w.train * expansion(c.noise)) if c.expand else w


def _datafree_work(c) -> Work:
    # Generator-based data-free KD: every student and generator step pushes one batch of generated images
    # through the teacher and the student (with backward): charged as training images.
    steps = c.epochs * c.iterations * (c.student_steps + c.generator_steps)
    return Work(steps * c.batch_size, 0, _family(c.teacher.arch, c.student), _pixels(_dataset_of(c.teacher)))


def _gan_work(c) -> Work | None:
    # The GAN stage: `epochs` passes over the collected set D_c (ρ·|D_o| images); every iteration takes d_steps
    # discriminator steps and one generator step, each through the teacher: charged as training images.
    ds = _dataset_of(c.teacher)
    n_o = TRAIN_IMAGES.get(ds)
    if n_o is None:
        return None
    n_c = max(1, int(c.collected.rho * n_o))
    return Work(c.epochs * n_c * (c.d_steps + 1), n_o, _family(c.teacher.arch), _pixels(ds))


def _hybrid_work(c) -> Work:
    # The student stage: `epochs` passes over the synthetic set plus the collected set inflated to about the same
    # size (hybrid: ≈ 2 × synthetic), or either alone; the images are synthesised once (charged as inference).
    per_epoch = c.synthetic * (2 if c.data == "hybrid" else 1)
    t = c.gan.teacher
    return Work(c.epochs * per_epoch, c.synthetic, _family(t.arch, c.student), _pixels(_dataset_of(t)))


# Run kind → what it computes. A kind not listed (one added later) uses the entry of its nearest listed base class
# (AttackKDRun → KDRun), else has no estimate.
WORK: dict[str, Callable] = {"TeacherRun": _teacher_work, "BinaryTeacherRun": _teacher_work, "KDRun": _kd_work,
                             "HistogramRun": _histogram_work, "ArbitrarySet": _arbitrary_set_work,
                             "BKDRun": _bkd_work, "ZSKDRun": _zskd_work, "DataFreeRun": _datafree_work, "GANRun": _gan_work,
                             "HybridRun": _hybrid_work}


def work_of(cfg) -> Work | None:
    for cls in type(cfg).__mro__:
        if cls.__name__ in WORK:
            try:
                return WORK[cls.__name__](cfg)
            except (AttributeError, TypeError):
                return None
    return None


# ------------------------------------------------------------------------------------------------ dependencies

# Runs a runner makes that its config does not hold, by kind.
IMPLIED: dict[str, Callable] = {
    "ArbitrarySet": lambda c: [c.twin()] if not c.balanced and c.match else [],
}


def requires(cfg) -> list:
    """The runs ``cfg`` needs made first, directly: those it holds, outermost first, and those its runner makes."""
    out = []
    for c in nested_runs(cfg):
        out.append(c)
    out += IMPLIED.get(type(cfg).__name__, lambda c: [])(cfg)
    return list(dict.fromkeys(out))


def closure(cfgs) -> list:
    """Every run ``cfgs`` need, themselves included, each once, every dependency before its dependents."""
    seen: dict = {}

    def visit(c):
        if c in seen:
            return
        for d in requires(c):
            visit(d)
        seen[c] = None

    for c in cfgs:
        visit(c)
    return list(seen)


# ------------------------------------------------------------------------------------------------ notebooks


def recipe_modules() -> dict[str, object]:
    """Every ``kdnb.recipes.<name>`` module that lists configs (has ``configs(scale)``), by short name."""
    import kdnb.recipes as pkg

    out = {}
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        mod = importlib.import_module(f"kdnb.recipes.{info.name}")
        if callable(getattr(mod, "configs", None)):
            out[info.name] = mod
    return out


def notebook_configs(scale: str, seed: int = 0) -> dict[str, list]:
    """Notebook (file stem) → the top-level configs it runs, from every recipe's ``NOTEBOOKS`` (see module doc)."""
    out: dict[str, list] = {}
    for name, mod in recipe_modules().items():
        covered: set = set()
        for nb, fn in getattr(mod, "NOTEBOOKS", {}).items():
            cfgs = list(fn(scale, seed))
            out.setdefault(nb, []).extend(c for c in cfgs if c not in out.get(nb, []))
            covered.update(cfgs)
        rest = [c for c in mod.configs(scale, seed) if c not in covered]
        if rest:
            out[f"{name}.configs"] = rest
    return out


def matches(notebook: str, only: str | None) -> bool:
    if only is None:
        return True
    pattern = only.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(n, pattern) for n in (notebook, f"{notebook}.ipynb", f"{notebook}.py"))


# ------------------------------------------------------------------------------------------------ the plan


@dataclass
class Entry:
    cfg: object
    kind: str
    key: str
    notebooks: list[str] = field(default_factory=list)
    deps: list[str] = field(default_factory=list)  # keys, direct dependencies
    work: Work | None = None
    cached: bool = False
    claimed: dict | None = None  # the live claim of another worker, when one holds it

    def seconds(self, device: str = "h200") -> float | None:
        return None if self.work is None else self.work.seconds(device)


@dataclass
class Plan:
    scale: str
    entries: list[Entry]  # dependencies first
    by_notebook: dict[str, list[str]]  # notebook → keys of every run it needs (its configs and their dependencies)

    def entry(self, key: str) -> Entry:
        return self._index[key]

    def __post_init__(self):
        self._index = {e.key: e for e in self.entries}

    def keys(self) -> list[str]:
        return [e.key for e in self.entries]

    def missing(self) -> list[Entry]:
        return [e for e in self.entries if not e.cached]


def make_plan(scale: str, ctx: Context | None = None, only: str | None = None, seed: int = 0,
              check_cache: bool = True) -> Plan:
    """The plan of every notebook matching ``only`` at ``scale``; ``check_cache`` looks each run up in ``ctx``'s
    cache (a lookup also sets aside a corrupt record, as a notebook would)."""
    named = {nb: tops for nb, tops in sorted(notebook_configs(scale, seed).items()) if matches(nb, only)}
    return plan_of(named, ctx, scale, check_cache)


def plan_of(named: dict[str, list], ctx: Context | None = None, scale: str = "?", check_cache: bool = True) -> Plan:
    """The plan of the runs ``named`` (a name → its top-level configs) and everything they depend on."""
    from kdnb import claims

    ctx = ctx or Context(progress=False)
    entries: dict[str, Entry] = {}
    by_nb: dict[str, list[str]] = {}
    for nb, tops in named.items():
        keys = []
        for c in closure(tops):
            key = config_key(c)
            if key not in entries:
                entries[key] = Entry(c, type(c).__name__, key, deps=[config_key(d) for d in requires(c)],
                                     work=work_of(c))
            if nb not in entries[key].notebooks:
                entries[key].notebooks.append(nb)
            keys.append(key)
        by_nb[nb] = list(dict.fromkeys(keys))
    ordered = [entries[k] for k in _topological(entries)]
    if check_cache:
        for e in ordered:
            e.cached = lookup(e.cfg, ctx) is not None
            if not e.cached and (holder := claims.read(claim_path(e.cfg, ctx))) and claims.why_stale(holder) is None:
                e.claimed = holder
    return Plan(scale, ordered, by_nb)


def _topological(entries: dict[str, Entry]) -> list[str]:
    done: dict[str, None] = {}

    def visit(k):
        if k in done or k not in entries:
            return
        for d in entries[k].deps:
            visit(d)
        done[k] = None

    for k in entries:
        visit(k)
    return list(done)


# ------------------------------------------------------------------------------------------------ printing


def _cost(s: float | None) -> str:
    if s is None:
        return "—"
    return f"{s:.0f} s" if s < 120 else f"{s / 60:.0f} min" if s < 7200 else f"{s / 3600:.1f} h"


def totals(plan: Plan, device: str = "h200") -> list[dict]:
    """Per notebook: runs, cached, missing, estimated hours of all its runs and of its missing ones (a run that
    several notebooks share counts in each); the last row, ``all``, counts every run once."""
    rows = []
    groups = [(nb, keys) for nb, keys in plan.by_notebook.items()] + [("all", plan.keys())]
    for nb, keys in groups:
        es = [plan.entry(k) for k in keys]
        secs = [e.seconds(device) for e in es]
        miss = [s for e, s in zip(es, secs) if not e.cached]
        rows.append({"notebook": nb, "runs": len(es), "cached": sum(e.cached for e in es),
                     "missing": sum(not e.cached for e in es),
                     "hours": sum(s for s in secs if s is not None) / 3600,
                     "hours_missing": sum(s for s in miss if s is not None) / 3600,
                     "hours_assumed": sum(s for e, s in zip(es, secs) if s is not None and e.work.assumed(device)) / 3600,
                     "unestimated": sum(s is None for s in secs)})
    return rows


def format_plan(plan: Plan, device: str = "h200", runs: bool = True) -> str:
    lines = []
    if runs:
        lines.append(f"{'kind':<17}{'key':<18}{'cached':<8}{'estimate':>9}  {'family':<19}{'notebook(s)':<44}depends on")
        for e in plan.entries:
            state = "yes" if e.cached else ("running" if e.claimed else "no")
            nbs = ",".join(n.split("_", 1)[0] if n[:2].isdigit() else n for n in e.notebooks)
            lines.append(f"{e.kind:<17}{e.key:<18}{state:<8}{_cost(e.seconds(device)):>9}  "
                         f"{(e.work.family if e.work else '?'):<19}{nbs:<44}{' '.join(e.deps) or '—'}")
        lines.append("")
    dev = {"h200": "one H200", "cpu": "one CPU thread"}.get(device, device)
    lines.append(f"totals at scale {plan.scale!r} (estimated hours on {dev}):")
    lines.append(f"{'notebook':<44}{'runs':>6}{'cached':>8}{'missing':>9}{'est. h':>10}{'missing h':>11}"
                 f"{'at assumed rates':>18}")
    for r in totals(plan, device):
        note = f"  ({r['unestimated']} without an estimate)" if r["unestimated"] else ""
        lines.append(f"{r['notebook']:<44}{r['runs']:>6}{r['cached']:>8}{r['missing']:>9}{r['hours']:>10.2f}"
                     f"{r['hours_missing']:>11.2f}{r['hours_assumed']:>16.2f} h{note}")
    lines.append("")
    lines.append("(a run several notebooks share counts in each; 'all' counts it once. 'at assumed rates': the part of\n"
                 " 'est. h' costed with a rate below marked assumed, not measured)")
    lines.append("rates (img/s at 32×32; larger images cost in proportion to their pixels; evaluations left out):")
    for (d, fam, phase), (rate, src) in RATES.items():
        if d == device:
            lines.append(f"  {fam:<19}{phase:<6}{rate:>9,.0f}  {src}")
    return "\n".join(lines)


def resources(entry: Entry, device: str = "h200") -> dict:
    """Per-job resources from the plan: a GPU for a GPU device, a time limit of twice the estimate (at least 30 min,
    4 h when unknown), memory by model family (our guess; none of it is measured)."""
    s = entry.seconds(device)
    minutes = 240 if s is None else max(30, int(2 * s / 60) + 1)
    big = entry.work is None or entry.work.family != "small"
    return {"timeout_min": minutes, "gpus": 1 if device != "cpu" else 0, "cpus": 8 if big else 4,
            "mem_gb": 32 if big else 16}


__all__ = ["RATES", "WORK", "IMPLIED", "Work", "Entry", "Plan", "make_plan", "plan_of", "notebook_configs", "recipe_modules",
           "requires", "closure", "totals", "format_plan", "resources", "work_of", "matches"]
