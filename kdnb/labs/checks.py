"""What the labs' check cells call: a student's function against kdnb's reference, on hidden inputs.

Each ``check_*`` draws its inputs here, from fixed seeds (so a failure can be reproduced, and nothing about the
inputs is in the notebook), compares the student's result with kdnb's reference implementation within tolerances
(never with hard-coded numbers, so the reference passes on any machine, seed or thread count), prints one line
when everything agrees and raises ``AssertionError`` naming the first case that does not.

References: ``kdnb.losses.kd_kl`` (lab 1), ``kdnb.selection.class_balanced.compose_balanced`` (lab 2),
``kdnb.selection.class_counts`` / ``relative_entropy`` (lab 3), ``kdnb.selection.gmm`` (lab 4).
"""
from __future__ import annotations

import math

import torch

from kdnb.losses import kd_kl
from kdnb.selection import class_counts, relative_entropy
from kdnb.selection import gmm
from kdnb.selection.class_balanced import compose_balanced
from kdnb.sources.streams import TensorPool

SEEDS = (11, 23, 47)


def _fail(what: str, case: str, detail: str):
    raise AssertionError(f"{what}: {case}: {detail}")


def _tensor(value, what: str, case: str) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        _fail(what, case, f"returned {type(value).__name__}, expected a torch.Tensor")
    return value


def _close(got: torch.Tensor, want: torch.Tensor, what: str, case: str, rtol: float, atol: float):
    got = got.detach().double()
    want = want.detach().double()
    if got.shape != want.shape:
        _fail(what, case, f"shape {tuple(got.shape)}, expected {tuple(want.shape)}")
    if not torch.isfinite(got).all():
        _fail(what, case, "not finite (inf or nan): is the softmax computed stably, in log space?")
    if not torch.allclose(got, want, rtol=rtol, atol=atol):
        err = (got - want).abs().max().item()
        _fail(what, case, f"differs from kdnb's reference by {err:.3g} (largest element; "
                          f"yours {got.flatten()[:3].tolist()} …, reference {want.flatten()[:3].tolist()} …)")


# ------------------------------------------------------------------------------------------ lab 1: KD loss


def _logit_cases():
    """(case, student logits, teacher logits, τ): shapes, temperatures and logit scales a student does not see."""
    shapes = ((1, 2), (7, 10), (64, 100))
    taus = (1.0, 2.5, 4.0, 20.0)
    scales = (1.0, 10.0, 80.0)
    for k, seed in enumerate(SEEDS):
        g = torch.Generator().manual_seed(seed)
        for j, (b, c) in enumerate(shapes):
            tau, scale = taus[(k + j) % len(taus)], scales[(k + 2 * j) % len(scales)]
            s = torch.randn(b, c, generator=g) * scale
            t = torch.randn(b, c, generator=g) * scale
            yield f"batch {b} × {c} classes, τ = {tau:g}, logits of scale {scale:g}", s, t, tau
        s = torch.randn(5, 10, generator=g)
        yield "student logits equal to the teacher's, τ = 4", s, s.clone(), 4.0
        yield "logits shifted by a constant per row, τ = 2", s, s + torch.randn(5, 1, generator=g) * 3, 2.0


def check_kd_loss(kd_loss) -> None:
    """``kd_loss(student_logits, teacher_logits, tau)`` equals ``kdnb.losses.kd_kl``: τ² · KL(p_T^τ ‖ p_S^τ), the
    batch mean, a scalar that gradients flow through, the inputs left unchanged."""
    what = "kd_loss"
    n = 0
    for case, s, t, tau in _logit_cases():
        s_in, t_in = s.clone().requires_grad_(True), t.clone()
        got = _tensor(kd_loss(s_in, t_in, tau), what, case)
        if got.dim() != 0:
            _fail(what, case, f"returned shape {tuple(got.shape)}; the loss is one number (the batch mean)")
        if not torch.equal(s_in.detach(), s) or not torch.equal(t_in, t):
            _fail(what, case, "changed its inputs in place")
        want = kd_kl(s, t, tau)
        _close(got, want, what, case, rtol=1e-4, atol=1e-5 * tau * tau)
        if not got.requires_grad:
            _fail(what, case, "no gradient flows to the student's logits (was something detached?)")
        (g_got,) = torch.autograd.grad(got, s_in)
        s_ref = s.clone().requires_grad_(True)
        (g_want,) = torch.autograd.grad(kd_kl(s_ref, t, tau), s_ref)
        _close(g_got, g_want, what + " (its gradient)", case, rtol=1e-3, atol=1e-6 * tau)
        n += 1
    print(f"kd_loss agrees with kdnb.losses.kd_kl (value and gradient) on {n} hidden cases")


def check_kd_gradient(kd_gradient) -> None:
    """``kd_gradient(student_logits, teacher_logits, tau)`` is ∂ kd_kl / ∂ student_logits, computed by hand
    (τ (p_S − p_T) / B), compared with autograd through kdnb's reference loss."""
    what = "kd_gradient"
    n = 0
    for case, s, t, tau in _logit_cases():
        got = _tensor(kd_gradient(s.clone(), t.clone(), tau), what, case)
        s_ref = s.clone().requires_grad_(True)
        (want,) = torch.autograd.grad(kd_kl(s_ref, t, tau), s_ref)
        _close(got, want, what, case, rtol=1e-3, atol=1e-6 * tau)
        n += 1
    print(f"kd_gradient agrees with autograd through kdnb.losses.kd_kl on {n} hidden cases")


def logit_matching(student_logits: torch.Tensor, teacher_logits: torch.Tensor) -> torch.Tensor:
    """The τ → ∞ limit of τ² · KL (Hinton et al. §2.1): ‖(z_S − z̄_S) − (z_T − z̄_T)‖² / (2C), batch mean."""
    zs = student_logits.double() - student_logits.double().mean(1, keepdim=True)
    zt = teacher_logits.double() - teacher_logits.double().mean(1, keepdim=True)
    return ((zs - zt) ** 2).sum(1).mean() / (2 * student_logits.shape[1])


def check_logit_matching(limit) -> None:
    """``limit(student_logits, teacher_logits)`` is the high-temperature limit of kd_kl; checked against the closed
    form above, which kdnb's loss approaches as τ grows (also checked here, so the closed form is the right one)."""
    what = "logit_matching_limit"
    g = torch.Generator().manual_seed(SEEDS[0])
    s, t = torch.randn(16, 10, generator=g, dtype=torch.float64), torch.randn(16, 10, generator=g, dtype=torch.float64)
    # The closed form is kd_kl's limit: at τ = 200 the two agree to well under 1 % (float64 softmax here).
    tau = 200.0
    ps, pt = torch.log_softmax(s / tau, 1), torch.log_softmax(t / tau, 1)
    high = (pt.exp() * (pt - ps)).sum(1).mean() * tau * tau
    assert abs(high.item() / logit_matching(s, t).item() - 1) < 0.01, "kdnb.labs.checks: the closed form is wrong"
    n = 0
    for case, s, t, _ in _logit_cases():
        got = _tensor(limit(s.clone(), t.clone()), what, case)
        if got.dim() != 0:
            _fail(what, case, f"returned shape {tuple(got.shape)}; expected one number (the batch mean)")
        _close(got, logit_matching(s, t), what, case, rtol=1e-4, atol=1e-6)
        n += 1
    print(f"logit_matching_limit agrees with the τ → ∞ limit of kdnb.losses.kd_kl on {n} hidden cases")


# ------------------------------------------------------------------------------------------ lab 2: Algorithm 1


def _label_streams():
    """(case, [label stream per pool], N, C): teachers with skewed class frequencies, pools that run dry, a class
    the teacher never predicts, N not a multiple of C, one sample per class."""
    for k, seed in enumerate(SEEDS):
        g = torch.Generator().manual_seed(seed)
        c = (10, 4, 7)[k]
        p = torch.rand(c, generator=g) + 0.05
        p[k % c] = 0.02  # one rare class: it sets the draw count
        p = p / p.sum()

        def stream(m):
            return torch.multinomial(p, m, replacement=True, generator=g)

        yield f"one pool of 3000, C = {c}, N = {20 * c}", [stream(3000)], 20 * c, c
        yield f"two pools (the first runs dry), C = {c}, N = {30 * c + 3}", [stream(150), stream(4000)], 30 * c + 3, c
        q = p.clone()
        q[(k + 1) % c] = 0
        q = q / q.sum()
        never = torch.multinomial(q, 800, replacement=True, generator=g)
        yield f"a class the teacher never predicts, C = {c}, N = {5 * c}", [never, stream(200)], 5 * c, c
        yield f"one sample per class, C = {c}, N = {c}", [stream(500)], c, c


def _pools_of(streams):
    """Label streams as pools of 1×1×1 uint8 'images' whose pixel is their row in a lookup table; ``predict``
    returns each image's label (one teacher forward per image, counted)."""
    labels = torch.cat(streams)
    pools, start = [], 0
    for s in streams:
        # images hold their global index in four bytes, so any stream length works
        idx = torch.arange(start, start + len(s), dtype=torch.int64)
        x = torch.stack([(idx >> (8 * b)) & 255 for b in range(4)], 1).to(torch.uint8).view(-1, 4, 1, 1)
        pools.append(TensorPool(x))
        start += len(s)
    calls = {"forwards": 0}

    def predict(x):
        x = x.view(len(x), 4).long()
        calls["forwards"] += len(x)
        return labels[sum(x[:, b] << (8 * b) for b in range(4))]

    return pools, predict, calls


def check_algorithm1(algorithm1) -> None:
    """``algorithm1(pools, predict, n, num_classes)`` returns ``{"where": [(pool, position), …], "class_counts":
    [...], "draws": int}`` as ``compose_balanced`` (paper B, Algorithm 1) does on the same pools."""
    what = "algorithm1"
    n_cases = 0
    for case, streams, n, c in _label_streams():
        pools, predict, calls = _pools_of(streams)
        got = algorithm1(pools, predict, n, c)
        ref_pools, ref_predict, _ = _pools_of(streams)
        want = compose_balanced(ref_pools, ref_predict, n, c)
        if not isinstance(got, dict) or not {"where", "class_counts", "draws"} <= set(got):
            _fail(what, case, "return a dict with keys 'where', 'class_counts' and 'draws'")
        counts = [int(v) for v in got["class_counts"]]
        if counts != want.class_counts:
            _fail(what, case, f"class counts {counts}, expected {want.class_counts} (at most ⌊N/C⌋ = {n // c} each)")
        where = [(int(p), int(i)) for p, i in got["where"]]
        if where != want.where:
            first = next((j for j, (a, b) in enumerate(zip(where, want.where)) if a != b), min(len(where), len(want.where)))
            _fail(what, case, f"kept samples differ from Algorithm 1's from the {first}-th kept one on "
                              f"(yours {where[first:first + 2]}, expected {want.where[first:first + 2]})")
        if int(got["draws"]) != want.draws:
            _fail(what, case, f"draws = {got['draws']}, expected {want.draws}: Algorithm 1 stops the moment the "
                              f"last class is full, and a sample counts as drawn once the teacher has labelled it")
        if calls["forwards"] < want.draws:
            _fail(what, case, f"the teacher labelled only {calls['forwards']} samples, fewer than the draws")
        n_cases += 1
    print(f"algorithm1 agrees with kdnb's Algorithm 1 (compose_balanced) on {n_cases} hidden pools")


def check_draws_needed(draws_needed) -> None:
    """``draws_needed(labels, n, num_classes)``: the draws Algorithm 1 makes on one pool whose teacher labels are
    ``labels`` (in order), without running it: compared with ``compose_balanced``."""
    what = "draws_needed"
    n_cases = 0
    for case, streams, n, c in _label_streams():
        labels = torch.cat(streams)
        pools, predict, _ = _pools_of([labels])
        want = compose_balanced(pools, predict, n, c).draws
        got = draws_needed(labels.clone(), n, c)
        if int(got) != want:
            _fail(what, case, f"{int(got)} draws, Algorithm 1 makes {want}")
        n_cases += 1
    print(f"draws_needed agrees with Algorithm 1's draw count on {n_cases} hidden label streams")


# ------------------------------------------------------------------------------------------ lab 3: relative entropy


def check_class_histogram(class_histogram) -> None:
    """``class_histogram(logits, num_classes)`` counts the argmax of each row, one count per class (zeros included),
    as ``kdnb.selection.class_counts``."""
    what = "class_histogram"
    n = 0
    for k, seed in enumerate(SEEDS):
        g = torch.Generator().manual_seed(seed)
        for b, c in ((50, 10), (7, 100), (1000, 3)):
            logits = torch.randn(b, c, generator=g) * 3
            logits[:, (k + c) % c] -= 100  # a class nobody predicts: its count is 0
            case = f"{b} images, {c} classes"
            got = class_histogram(logits.clone(), c)
            got = [int(v) for v in (got.tolist() if isinstance(got, torch.Tensor) else got)]
            want = class_counts(logits.argmax(1), c)
            if got != want:
                _fail(what, case, f"{got[:12]}…, expected {want[:12]}… ({c} counts, one per class)")
            n += 1
    print(f"class_histogram agrees with kdnb.selection.class_counts on {n} hidden sets of logits")


def _histograms():
    g = torch.Generator().manual_seed(SEEDS[1])
    yield "a uniform histogram", [50] * 10
    yield "one class takes everything", [0, 0, 37, 0]
    yield "two classes", [3, 9]
    yield "empty classes among others", [0, 5, 0, 12, 1, 0, 0, 40]
    for c in (10, 100):
        counts = torch.randint(0, 30, (c,), generator=g)
        counts[0] += 1
        yield f"a random histogram over {c} classes", counts.tolist()
    yield "a skewed histogram given as a tensor", torch.tensor([61, 15, 201, 97, 2191, 57, 6, 182, 36, 154])


def check_relative_entropy(fn) -> None:
    """``relative_entropy(counts)`` is H(p)/H(U_C) of a class histogram (paper A Table 3), as
    ``kdnb.selection.relative_entropy``: 1 for uniform, 0 for a single class, empty classes contributing 0."""
    what = "relative_entropy"
    n = 0
    for case, counts in _histograms():
        arg = counts.clone() if isinstance(counts, torch.Tensor) else list(counts)
        got = fn(arg)
        got = float(got.item() if isinstance(got, torch.Tensor) else got)
        want = relative_entropy(counts)
        if not math.isfinite(got):
            _fail(what, case, f"{got} is not finite: how does a class with count 0 contribute to H(p)?")
        if abs(got - want) > 1e-6:
            _fail(what, case, f"{got:.6f}, expected {want:.6f} (H(p) divided by log C, C = {len(counts)} classes)")
        n += 1
    print(f"relative_entropy agrees with kdnb.selection.relative_entropy on {n} hidden histograms")


def check_ranking(ranking, logits_of: dict) -> None:
    """``ranking`` lists the candidate sets from the highest relative entropy of the teacher's predictions to the
    lowest, computed with kdnb's reference from the same logits (sets whose values tie within 1e-9 in any order)."""
    what = "predicted_ranking"
    value = {name: relative_entropy(class_counts(z.argmax(1), z.shape[1])) for name, z in logits_of.items()}
    got = list(ranking)
    if sorted(got) != sorted(value):
        _fail(what, "the candidate sets", f"rank exactly the sets {sorted(value)}, each once (got {got})")
    for a, b in zip(got, got[1:]):
        if value[a] < value[b] - 1e-9:
            _fail(what, f"{a} before {b}", f"{a} has the lower relative entropy ({value[a]:.3f} < {value[b]:.3f})")
    print(f"the ranking follows the relative entropy of the teacher's predictions: {' > '.join(got)}")


# ------------------------------------------------------------------------------------------ lab 4: GMM selection


def check_confidence_loss(confidence_loss) -> None:
    """``confidence_loss(logits)``: each row's cross-entropy against its own argmax, as
    ``kdnb.selection.gmm.confidence_loss`` (−log max softmax), stable for large logits."""
    what = "confidence_loss"
    n = 0
    for seed in SEEDS:
        g = torch.Generator().manual_seed(seed)
        for b, c, scale in ((64, 10, 1.0), (9, 100, 30.0), (5, 10, 1000.0)):
            z = torch.randn(b, c, generator=g) * scale
            case = f"{b} × {c} logits of scale {scale:g}"
            got = _tensor(confidence_loss(z.clone()), what, case)
            _close(got, gmm.confidence_loss(z), what, case, rtol=1e-4, atol=1e-4)
            n += 1
    print(f"confidence_loss agrees with kdnb.selection.gmm.confidence_loss on {n} hidden batches")


def _mixtures():
    """Hidden per-sample losses: a clean low-loss majority and a high-loss tail, in different proportions."""
    for k, seed in enumerate(SEEDS):
        g = torch.Generator().manual_seed(seed)
        for n, share in ((256, 0.7), (128, 0.4), (512, 0.9)):
            clean = int(n * share)
            low = torch.rand(clean, generator=g).pow(2) * 0.3
            high = 1.0 + torch.rand(n - clean, generator=g) * (1.5 + k)
            v = torch.cat([low, high])
            yield f"{n} losses, {share:.0%} of them low", v[torch.randperm(n, generator=g)]


def check_em_step(em_step) -> None:
    """``em_step(v, means, variances, weights)``: one EM iteration of a two-component 1-D Gaussian mixture (E-step,
    then scikit-learn's M-step with reg_covar = 5e-4 added to each variance), as ``kdnb.selection.gmm``."""
    what = "em_step"
    n = 0
    for case, losses in _mixtures():
        v, _ = gmm.normalise(losses)
        start = gmm.initial_parameters(v)
        for it in range(3):
            got = em_step(v.clone(), *(p.clone() for p in start))
            if not isinstance(got, (tuple, list)) or len(got) != 3:
                _fail(what, case, "return (means, variances, weights)")
            _, log_resp = gmm._e_step(v, *start)
            want = gmm._m_step(v, log_resp.exp(), gmm.REG_COVAR)
            for name, a, b in zip(("means", "variances", "weights"), got, want):
                _close(_tensor(a, what, case), b, f"{what} ({name}, iteration {it + 1})", case, rtol=1e-4, atol=1e-6)
            start = want
        n += 1
    print(f"em_step agrees with kdnb.selection.gmm's EM iteration on {n} hidden batches × 3 iterations")


def check_gmm_select(gmm_select) -> None:
    """``gmm_select(losses, tau)``: the keep-mask δ_τ of paper C (posterior of the low-mean component > τ), as
    ``kdnb.selection.gmm.select``; a batch whose losses are all equal keeps every sample."""
    what = "gmm_select"
    n = 0
    for case, losses in _mixtures():
        for tau in (0.5, 0.9):
            got = _tensor(gmm_select(losses.clone(), tau), what, case)
            want = gmm.select(losses, tau)
            if got.shape != want.shape or got.dtype != torch.bool:
                _fail(what, case, f"return a bool mask of shape {tuple(want.shape)} (got {got.dtype}, {tuple(got.shape)})")
            agree = (got == want).float().mean().item()
            if agree < 0.99:
                _fail(what, f"{case}, τ = {tau}", f"keeps {int(got.sum())} samples where kdnb keeps {int(want.sum())} "
                                                 f"({agree:.0%} of the decisions agree)")
            n += 1
    flat = torch.full((32,), 0.7)
    got = gmm_select(flat.clone(), 0.5)
    if not (isinstance(got, torch.Tensor) and got.dtype == torch.bool and bool(got.all())):
        _fail(what, "32 equal losses", "a batch whose losses are all equal keeps every sample")
    print(f"gmm_select agrees with kdnb.selection.gmm.select on {n + 1} hidden batches")


__all__ = ["check_kd_loss", "check_kd_gradient", "check_logit_matching", "logit_matching", "check_algorithm1",
           "check_draws_needed", "check_class_histogram", "check_relative_entropy", "check_ranking",
           "check_confidence_loss", "check_em_step", "check_gmm_select"]
