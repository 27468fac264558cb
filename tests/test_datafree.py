"""Generator-based data-free distillation (paper C and the presets of its Table 1): the on-device GMM selection
against scikit-learn, every generator loss term against a hand computation, the BN-statistics hooks, the presets,
config validation and resume after a kill."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from kdnb import paper
from kdnb.config import ConfigError
from kdnb.datafree import (GENERATOR_TERMS, BNStatistics, Forward, Selection, generator_objective, jsd, masked_mean,
                           student_objective, total_variation)
from kdnb.engine import Batch, Schedule
from kdnb.methods import TeacherRun, params
from kdnb.methods.datafree import PRESETS, DataFreeRun, Optim, acc_last, components, preset
from kdnb.models import GENERATORS, build_generator, build_model
from kdnb.runs import Context, run
from kdnb.selection import gmm


def _bimodal(rng, n=256):
    """Per-sample losses shaped like a teacher's on generated images: many confident, a tail of unsure ones."""
    frac = rng.uniform(0.05, 0.5)
    k = int(n * (1 - frac))
    return np.concatenate([rng.gamma(2.0, 0.05, k), rng.normal(rng.uniform(0.8, 2.0), 0.3, n - k).clip(0)])


# ------------------------------------------------------------------------------------------------------- GMM


def test_gmm_matches_scikit_learn_from_the_same_start():
    """Same start, same EM (M-step, reg_covar, tol rule, final E-step): scikit-learn's fit, to float64 precision."""
    from sklearn.mixture import GaussianMixture

    rng = np.random.default_rng(0)
    for _ in range(40):
        v, _ = gmm.normalise(torch.tensor(_bimodal(rng), dtype=torch.float64))
        m, s, w = gmm.initial_parameters(v)
        ours = gmm.fit(v)
        ref = GaussianMixture(2, max_iter=gmm.MAX_ITER, tol=gmm.TOL, reg_covar=gmm.REG_COVAR,
                              means_init=m.numpy()[:, None], weights_init=w.numpy(),
                              precisions_init=(1 / s.numpy())[:, None, None])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "did not converge" for batches that need all 10 iterations
            ref.fit(v.numpy()[:, None])
        np.testing.assert_allclose(ours.posterior.numpy(), ref.predict_proba(v.numpy()[:, None]), atol=1e-9)
        np.testing.assert_allclose(ours.means.numpy(), ref.means_.ravel(), atol=1e-9)
        np.testing.assert_allclose(ours.variances.numpy(), ref.covariances_.ravel(), atol=1e-9)
        assert bool(ours.converged) == ref.converged_


def test_gmm_selection_agrees_with_scikit_learns_default_fit_on_99_percent_of_samples():
    """The issue's criterion: against GaussianMixture(2) with its own (k-means) start, float32 on our side."""
    from sklearn.mixture import GaussianMixture

    rng = np.random.default_rng(1)
    agree, total = 0, 0
    batches = [_bimodal(rng) for _ in range(100)]
    ours = gmm.select(torch.tensor(np.stack(batches), dtype=torch.float32))  # all batches at once
    for b, mask in zip(batches, ours):
        v = ((b - b.min()) / (b.max() - b.min()))[:, None]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = GaussianMixture(2, max_iter=10, tol=1e-2, reg_covar=5e-4, random_state=0).fit(v)
        want = ref.predict_proba(v)[:, ref.means_.argmin()] > 0.5
        agree += int((mask.numpy() == want).sum())
        total += len(b)
    assert agree / total >= 0.99, agree / total


def test_selection_keeps_the_low_loss_cluster_at_tau_one_half():
    low = torch.linspace(0.01, 0.1, 70)
    high = torch.linspace(1.5, 2.5, 30)
    losses = torch.cat([high[:10], low, high[10:]])  # order must not matter
    keep = gmm.select(losses, 0.5)
    assert keep.sum() == 70 and keep[10:80].all() and not keep[:10].any() and not keep[80:].any()
    assert gmm.select(losses, 0.999).sum() <= 70  # a stricter τ never keeps more


def test_a_degenerate_batch_keeps_everything_and_rows_are_independent():
    losses = torch.stack([torch.full((16,), 0.3), torch.cat([torch.zeros(12), torch.full((4,), 2.0)])])
    keep = gmm.select(losses)
    assert keep[0].all()  # all equal: the code divides by zero here; nothing is less clean than anything else
    assert keep[1].sum() == 12 and keep[1, :12].all()
    assert torch.isfinite(gmm.low_loss_posterior(losses)).all()


def test_confidence_loss_is_cross_entropy_against_the_teachers_argmax():
    logits = torch.tensor([[2.0, 0.5, -1.0], [0.0, 0.0, 0.0]])
    want = F.cross_entropy(logits, logits.argmax(1), reduction="none")
    assert torch.allclose(gmm.confidence_loss(logits), want)
    assert torch.allclose(gmm.confidence_loss(logits), -F.softmax(logits, 1).amax(1).log())


# ------------------------------------------------------------------------------------------------ loss terms


def _forward(**kw):
    t = torch.tensor([[2.0, 0.0, -1.0], [0.5, 1.5, 0.0]])
    s = torch.tensor([[1.0, 0.5, 0.0], [0.0, 0.0, 1.0]])
    x = torch.tensor([[[[0.0, 1.0], [1.0, 3.0]]], [[[2.0, 2.0], [2.0, 2.0]]]])
    base = dict(x=x, normed=x, teacher=t, student=s, features=torch.tensor([[1.0, -3.0], [0.0, 2.0]]),
                bns=torch.tensor(4.5), keep=None, temperature=3.0)
    return Forward(**{**base, **kw})


def test_each_generator_term_matches_a_hand_computation():
    f = _forward()
    p = F.softmax(f.teacher, 1)
    ce = -(p[0, 0].log() + p[1, 1].log()) / 2
    assert GENERATOR_TERMS["cls"](f) == pytest.approx(float(ce))
    pbar = p.mean(0)
    assert GENERATOR_TERMS["ie"](f) == pytest.approx(float(sum(q * math.log10(q) for q in pbar.tolist())))
    assert GENERATOR_TERMS["act"](f) == pytest.approx(-(1 + 3 + 0 + 2) / 4)
    l1 = [(1 + 0.5 + 1) / 3, (0.5 + 1.5 + 1) / 3]
    assert GENERATOR_TERMS["adv_l1"](f) == pytest.approx(-(l1[0] + l1[1]) / 2)
    assert GENERATOR_TERMS["adv_l1"](_forward(keep=torch.tensor([0.0, 1.0]))) == pytest.approx(-l1[1])
    pt, ps = F.softmax(f.teacher / 3, 1), F.softmax(f.student / 3, 1)
    kl = (pt * (pt.log() - ps.log())).sum(1)
    assert GENERATOR_TERMS["adv_kl"](f) == pytest.approx(-float(kl.mean()))
    assert GENERATOR_TERMS["bns"](f) == 4.5
    # TV: |0-1| + |1-3| horizontally, |0-1| + |1-3| vertically, |1-1| and |0-3| on the diagonals; image 2 is flat
    assert GENERATOR_TERMS["tv"](f) == pytest.approx(math.sqrt(1 + 4) * 2 + 0 + 3)
    assert GENERATOR_TERMS["l2"](f) == pytest.approx(math.sqrt(0 + 1 + 1 + 9 + 4 * 4))
    assert total_variation(torch.ones(3, 2, 5, 5)) == 0


def test_jsd_is_the_jensen_shannon_divergence_over_the_number_of_classes():
    from scipy.spatial.distance import jensenshannon

    torch.manual_seed(0)
    a, b = torch.randn(6, 5), torch.randn(6, 5)  # at T = 3 every probability stays inside the code's [0.01, 0.99]
    ours = jsd(a, b, temperature=3.0)
    pa, pb = F.softmax(a / 3, 1).double().numpy(), F.softmax(b / 3, 1).double().numpy()
    want = np.array([jensenshannon(p, q) ** 2 for p, q in zip(pa, pb)]) / 5
    np.testing.assert_allclose(ours.numpy(), want, rtol=1e-5)
    assert torch.allclose(jsd(a, a), torch.zeros(6), atol=1e-7)
    f = _forward(keep=torch.tensor([1.0, 0.0]))
    assert GENERATOR_TERMS["adv_jsd"](f) == pytest.approx(1 - float(jsd(f.teacher, f.student)[0]))


def test_masked_mean_is_zero_not_nan_when_nothing_is_selected():
    assert masked_mean(torch.tensor([1.0, 2.0]), torch.zeros(2)) == 0
    assert masked_mean(torch.tensor([1.0, 3.0]), None) == 2


def test_bn_statistics_vanish_when_the_batch_matches_the_running_statistics():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 3, 3), nn.BatchNorm2d(3), nn.Flatten(), nn.LazyLinear(4), nn.BatchNorm1d(4))
    x = torch.randn(8, 1, 6, 6)
    net(x)  # materialise the lazy layer
    net.eval()
    with torch.no_grad():  # set every running statistic to this batch's own (biased) statistics
        h = x
        for m in net:
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                dims = [d for d in range(h.dim()) if d != 1]
                m.running_mean.copy_(h.mean(dims)); m.running_var.copy_(h.var(dims, unbiased=False))
            h = m(h)
    bns = BNStatistics(net)
    assert len(bns.layers) == 2
    with bns.recording():
        net(x)
    assert float(bns.loss().detach()) == pytest.approx(0, abs=1e-5)
    with bns.recording():
        net(x + 1.0)  # the conv's input shifted: its BN sees other statistics
    assert bns.loss() > 0.1
    net(x * 3)  # outside recording(): nothing changes
    assert len(bns._terms) == 2
    bns.remove()


def test_bn_statistics_are_the_l2_distances_of_mean_and_variance():
    bn = nn.BatchNorm1d(2).eval()
    bn.running_mean.copy_(torch.tensor([1.0, 0.0])); bn.running_var.copy_(torch.tensor([1.0, 4.0]))
    x = torch.tensor([[0.0, 1.0], [2.0, 3.0]])  # means (1, 2), biased variances (1, 1)
    bns = BNStatistics(bn)
    with bns.recording():
        bn(x)
    assert float(bns.loss().detach()) == pytest.approx(math.hypot(0, 2) + math.hypot(0, 3))


# ---------------------------------------------------------------------------------------------- objectives


def _nets(bn=True):
    torch.manual_seed(0)
    t = build_model("lenet5_bn" if bn else "lenet5", 10, 1, 28).eval()
    s = build_model("lenet5_half", 10, 1, 28)
    g = build_generator("dcgan", 8, 1, 28, 4)
    return t, s, g


def test_generator_objective_returns_weighted_named_terms_and_trains_only_the_generator():
    t, s, g = _nets()
    weights = dict(adv_jsd=1.0, bns=10.0, l2=6e-3, tv=1.5e-5)
    obj = generator_objective(t, s, weights, selection=Selection(True), bns=BNStatistics(t))
    x = g(torch.randn(16, 8))
    terms, stats = obj(Batch(x))
    assert set(terms) == {"g_adv_jsd", "g_bns", "g_l2", "g_tv"} and set(stats) == {"kept_g"}
    assert 0 < stats["kept_g"] <= 1
    sum(terms.values()).backward()
    assert all(p.grad is not None for p in g.parameters())
    assert all(p.grad is None for p in [*s.parameters(), *t.parameters()])  # no graph to the frozen nets' weights
    assert all(p.requires_grad for p in s.parameters())  # ... and the student is trainable again afterwards
    with pytest.raises(KeyError, match="unknown generator loss term"):
        generator_objective(t, s, dict(advv=1.0))


def test_student_objective_is_l1_on_logits_or_kl_on_selected_samples():
    t, s, g = _nets()
    x = g(torch.randn(16, 8)).detach()
    terms, stats = student_objective(s, t, "l1")(Batch(x))
    assert set(terms) == {"kd"} and stats == {}
    assert float(terms["kd"].detach()) == pytest.approx(float(F.l1_loss(s(x), t(x)).detach()), rel=1e-5)
    terms, stats = student_objective(s, t, "kl", selection=Selection(True))(Batch(x))
    keep = gmm.select(gmm.confidence_loss(t(x))).float()
    pt, log_ps = F.softmax(t(x), 1), F.log_softmax(s(x), 1)
    per = (pt * (pt.log() - log_ps)).sum(1)
    assert float(terms["kd"].detach()) == pytest.approx(float((per.detach() * keep).sum() / keep.sum()), rel=1e-4)
    assert stats["kept_s"] == pytest.approx(float(keep.mean()))


def test_generator_is_registered_and_outputs_unit_range_images():
    assert "dcgan" in GENERATORS
    g = build_generator("dcgan", 16, 3, 32, 8)
    x = g(torch.randn(4, 16))
    assert x.shape == (4, 3, 32, 32) and x.min() >= 0 and x.max() <= 1
    assert g.bn1.eps == 0.8 and build_generator("dcgan", 16, 3, 32, 8, bn_eps=1e-5).bn1.eps == 1e-5
    assert sum(p.numel() for p in build_generator("dcgan", 1000, 3, 32, 128).parameters()) > 8e6  # 128·8·8·1000
    with pytest.raises(ValueError, match="divisible by 4"):
        build_generator("dcgan", 16, 1, 30, 8)


# ---------------------------------------------------------------------------------------------- presets


T_SMALL = TeacherRun("digits", "lenet5_bn", Schedule(epochs=2, batch_size=64, lr=0.05, augment="none"))


def test_ta_dfkd_preset_is_the_papers_and_codes_configuration():
    c = preset("TA-DFKD", T_SMALL, "lenet5_half")
    assert c.weights == {"adv_jsd": 1.0, "bns": 10.0, "l2": 6e-3, "tv": 1.5e-5}  # Eq. 3: β = 1, γ = 10
    assert c.select and c.tau == 0.5 and c.student_loss == "l1" and c.adv_temperature == 3.0
    assert (c.iterations, c.student_steps, c.generator_steps, c.joint) == (36, 10, 1, False)
    assert (c.batch_size, c.z_dim, c.generator_width) == (1024, 1000, 128)
    assert c.generator_opt == Optim("adam", 1e-3) and c.student_opt == Optim("sgd", 0.01, 0.9, 5e-4, True)
    assert preset("Baseline", T_SMALL, "lenet5_half").weights == {"cls": 1.0, **c.weights}
    wo = preset("w/o class-prior", T_SMALL, "lenet5_half")
    assert wo.weights == c.weights and not wo.select
    dafl = preset("DAFL", T_SMALL, "lenet5_half")
    assert dafl.weights == {"cls": 1.0, "ie": 5.0, "act": 0.1} and dafl.joint and dafl.student_loss == "kl"
    assert preset("DFAD", T_SMALL, "lenet5_half").weights == {"adv_l1": 1.0}
    assert preset("DAFL+DFAD", T_SMALL, "lenet5_half").weights == {**dafl.weights, "adv_l1": 1.0}
    with pytest.raises(KeyError, match="unknown data-free preset"):
        preset("CMI", T_SMALL, "lenet5_half")


def test_presets_use_the_components_paper_c_table1_lists():
    quoted = paper.quoted("C_table1")
    for ours, theirs in (("DAFL", "DAFL"), ("DFAD", "DFAD"), ("ADI-lite", "ADI"), ("TA-DFKD", "TA-DFKD")):
        got = components(preset(ours, T_SMALL, "lenet5_half"))
        for _, row in quoted[quoted["method"] == theirs].iterrows():
            uses, variant = got[row["component"]]
            assert uses == (str(row["uses"]) == "True"), (ours, row["component"])
            if uses and isinstance(row["variant"], str) and row["variant"]:
                assert variant == row["variant"], (ours, variant, row["variant"])


@pytest.mark.parametrize("field,value,words", [
    ("terms", params(advv=1.0), "names from"), ("terms", ("adv_jsd",), "names from"),
    ("terms", params(adv_jsd=-1.0), "weights ≥ 0"),
    ("terms", params(adv_jsd=0.0), "at least one"), ("terms", params(bns=float("nan")), "finite"),
    ("tau", 1.5, "[0, 1)"), ("student_loss", "mse", "one of"), ("augment", "bogus", "one of"),
    ("generator", "vae", "one of"), ("epochs", 0, "an integer ≥ 1"), ("batch_size", 1, "at least 2"),
    ("student", "lenet9", "one of"), ("generator_width", 7, "even"), ("adv_temperature", 0, "(0, 1000)"),
])
def test_bad_config_values_are_one_clear_line(field, value, words):
    with pytest.raises(ConfigError) as e:
        args = {"student": "lenet5_half", field: value}
        preset("TA-DFKD", T_SMALL, args.pop("student"), **args)
    msg = str(e.value)
    assert msg.startswith(f"DataFreeRun.{field}=") and words in msg and "\n" not in msg


def test_joint_step_and_optimiser_are_validated():
    with pytest.raises(ConfigError, match="DataFreeRun.joint=True .*a joint step is one"):
        preset("DAFL", T_SMALL, "lenet5_half", student_steps=5)
    with pytest.raises(ConfigError, match="Schedule.optimizer='adamw'"):
        Optim("adamw")


def test_acc_last_is_the_mean_of_the_last_k_evaluations():
    assert acc_last([10, 20, 30, 40], 2) == 35 and acc_last([50.0], 10) == 50


# ---------------------------------------------------------------------------------------------- runs


def _tiny(method="TA-DFKD", **kw):
    return preset(method, T_SMALL, "lenet5_half", **{**dict(epochs=3, iterations=2, student_steps=2, batch_size=16,
                                                          z_dim=8, generator_width=4, last_k=2), **kw})


def test_a_killed_data_free_run_resumes_to_the_same_curves(tmp_path, killed_after):
    cfg = _tiny()
    full = run(cfg, Context.make("cpu", cache_root=tmp_path / "a", progress=False))
    assert {"g_adv_jsd", "g_bns", "g_l2", "g_tv", "kd", "kept_s", "kept_g", "test_acc"} <= set(full.curves)
    assert all(0 < k <= 1 for k in full.curves["kept_s"] + full.curves["kept_g"])
    assert full.metrics["acc_max"] == max(full.curves["test_acc"])
    assert len(full.load("samples.pt")) == 64
    ctx = Context.make("cpu", cache_root=tmp_path / "b", progress=False)
    run(cfg.teacher, ctx)  # the teacher first: only the student's epochs count below
    with killed_after(2) as saves:
        run(cfg, ctx)
    assert torch.load(saves[-1], weights_only=True)["epoch"] == 2
    resumed = run(cfg, ctx)
    assert resumed.curves == full.curves


def test_a_joint_dafl_run_logs_its_terms_and_a_bn_free_teacher_refuses_bns(tmp_path):
    ctx = Context.make("cpu", cache_root=tmp_path, progress=False)
    rec = run(_tiny("DAFL", student_steps=1, epochs=1), ctx)
    assert {"g_cls", "g_ie", "g_act", "kd"} <= set(rec.curves) and "kept_s" not in rec.curves
    plain = TeacherRun("digits", "lenet5", T_SMALL.schedule)
    with pytest.raises(ValueError, match="has no BatchNorm layer"):
        run(preset("TA-DFKD", plain, "lenet5_half", **{k: getattr(_tiny(), k) for k in (
            "epochs", "iterations", "student_steps", "batch_size", "z_dim", "generator_width")}), ctx)


def test_with_a_train_view_the_selection_reads_the_unaugmented_images(monkeypatch):
    """The code's two views: losses on the crop+flip view, δ_τ from the teacher's logits of the clean images."""
    import kdnb.datafree as D

    t, s, g = _nets()
    x = g(torch.randn(16, 8)).detach()
    seen = []
    monkeypatch.setattr(D, "_clean_logits", lambda teacher, xc: seen.append(xc) or teacher(xc))
    torch.manual_seed(0)
    terms, stats = student_objective(s, t, "l1", selection=Selection(True), augment="crop_flip")(Batch(x))
    assert len(seen) == 1 and seen[0] is x and 0 < stats["kept_s"] <= 1
    student_objective(s, t, "l1", selection=Selection(True))(Batch(x))
    assert len(seen) == 1  # without augmentation the step's own logits are reused: no second forward
    xg = g(torch.randn(16, 8))
    terms, _ = generator_objective(t, s, dict(adv_jsd=1.0), selection=Selection(True), augment="crop_flip")(Batch(xg))
    terms["g_adv_jsd"].backward()
    assert len(seen) == 2 and all(p.grad is not None for p in g.parameters())  # the crop+flip view is differentiable


# ---------------------------------------------------------------------------------------------- FID


def test_frechet_distance_matches_pytorch_fids_scipy_formula():
    """pytorch-fid's ``calculate_frechet_distance`` (scipy.linalg.sqrtm of Σ₁Σ₂) as the independent reference."""
    from scipy import linalg

    from kdnb.fid import feature_fid, statistics

    rng = np.random.default_rng(0)
    for d in (1, 3, 8):
        a = torch.tensor(rng.normal(size=(200, d)) @ rng.normal(size=(d, d)))
        b = torch.tensor(rng.normal(0.5, 2.0, size=(150, d)))
        (m1, s1), (m2, s2) = statistics(a), statistics(b)
        s1n, s2n = np.atleast_2d(np.cov(a.numpy(), rowvar=False)), np.atleast_2d(np.cov(b.numpy(), rowvar=False))
        np.testing.assert_allclose(s1.numpy(), s1n, rtol=1e-10)
        covmean = linalg.sqrtm(s1n @ s2n).real
        want = float(((a.numpy().mean(0) - b.numpy().mean(0)) ** 2).sum() + np.trace(s1n) + np.trace(s2n)
                     - 2 * np.trace(covmean))
        assert feature_fid(a, b) == pytest.approx(want, rel=1e-6, abs=1e-8)
    x = torch.tensor(rng.normal(size=(100, 4)))
    assert abs(feature_fid(x, x)) < 1e-8
    with pytest.raises(ValueError, match="N ≥ 2"):
        statistics(torch.zeros(1, 3))
