"""Hybrid data-free distillation (HiDFD): each GAN and student loss term against a hand computation on tiny
tensors, the 2C-class discriminator's real/fake targets, the EMA of the class counts (Eq. 10) and of the generator,
inflation, confidence filtering, config errors, and a killed run resuming to the same curves."""
from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from kdnb.config import ConfigError
from kdnb.engine import Schedule
from kdnb.gan import (GANBatch, adc_d, adc_g, blend_applies, blend_loss, discriminator_objective, frequency_weights,
                      generator_objective, hinge_d, hinge_g, l2_mean, reg_loss, trans_loss, update_counts)
from kdnb.methods import TeacherRun, params
from kdnb.methods.hybrid import (FULL, Collected, GANRun, HybridRun, collect, inflation_of, mixture_sizes,
                                 step_decay)
from kdnb.models import build_model
from kdnb.models.gan import (ADCDiscriminator, ConditionalGenerator, SharedClassifier, TrackedGenerator,
                             adc_targets)
from kdnb.runs import Context, run
from kdnb.selection import SELECTORS
from kdnb.selection.confident import confidence_loss

T_SMALL = TeacherRun("digits", "lenet5", Schedule(epochs=2, batch_size=64, lr=0.05, augment="none"),
                     train_limit=700)


# -------------------------------------------------------------------------------------------- GAN loss terms


def test_hinge_losses_by_hand():
    real, fake = torch.tensor([2.0, 0.5, -1.0]), torch.tensor([-2.0, 0.0, 1.0])
    # D: mean relu(1 − r) = (0 + 0.5 + 2)/3; mean relu(1 + f) = (0 + 1 + 2)/3
    assert hinge_d(real, fake).item() == pytest.approx(2.5 / 3 + 3 / 3)
    assert hinge_g(fake).item() == pytest.approx(1 / 3)


def test_the_2c_class_targets_are_2y_for_real_and_2y_plus_1_for_fake():
    y = torch.tensor([0, 1, 2])
    assert adc_targets(y, True).tolist() == [0, 2, 4] and adc_targets(y, False).tolist() == [1, 3, 5]


def test_adc_losses_by_hand_and_the_sign_of_eq1_fixed():
    # C = 2: logits over (real 0, fake 0, real 1, fake 1)
    cls = torch.tensor([[2.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 3.0]])
    y = torch.tensor([0, 1])
    lse = torch.logsumexp(cls, 1)
    ce_real = ((lse[0] - 2.0) + (lse[1] - 1.0)) / 2  # targets 0, 2
    ce_fake = ((lse[0] - 0.0) + (lse[1] - 3.0)) / 2  # targets 1, 3
    assert adc_d(cls, y, cls, y).item() == pytest.approx((ce_real + ce_fake).item(), abs=1e-6)
    assert adc_g(cls, y).item() == pytest.approx((ce_real - ce_fake).item(), abs=1e-6)
    # minimising D's term *raises* the classifier's log-likelihood of the right real/fake class (Eq. 1's printed
    # sign would lower it)
    logits = torch.zeros(1, 4, requires_grad=True)
    adc_d(logits, torch.tensor([1]), logits.detach(), torch.tensor([1])).backward()
    assert logits.grad[0, 2] < 0 and (logits.grad[0, [0, 1, 3]] > 0).all()


def test_feature_losses_by_hand():
    t_r = torch.tensor([[0.0, 0.0], [3.0, 4.0]])
    h_r = torch.zeros(2, 2)
    t_f = torch.tensor([[1.0, 0.0], [0.0, 0.0]])
    h_f = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    assert l2_mean(t_r, h_r).item() == pytest.approx(2.5)  # (0 + 5) / 2: norms, not squared
    assert trans_loss(t_r, h_r, t_f, h_f).item() == pytest.approx(2.5 + (0 + 2) / 2)
    # cross terms: ‖t_r − h_f‖ = (1, √(9 + 4)), ‖t_f − h_r‖ = (1, 0)
    assert blend_loss(t_r, h_r, t_f, h_f).item() == pytest.approx((1 + math.sqrt(13)) / 2 + 0.5)


def test_blend_is_applied_with_probability_q_unless_read_as_printed():
    assert blend_applies(0.2, 0.7) and not blend_applies(0.9, 0.7)
    assert blend_applies(0.9, 0.7, printed=True) and not blend_applies(0.2, 0.7, printed=True)
    g = torch.Generator().manual_seed(0)
    ps = torch.rand(20_000, generator=g).tolist()
    assert sum(blend_applies(p, 0.7) for p in ps) / len(ps) == pytest.approx(0.7, abs=0.02)


def test_reg_loss_is_the_inverse_frequency_weighted_negative_entropy():
    logits = torch.log(torch.tensor([[0.8, 0.2], [0.4, 0.6]]))  # softmax → these rows; batch mean (0.6, 0.4)
    counts = torch.tensor([1.0, 3.0])  # n̂ = (0.25, 0.75) → weights (4, 4/3)
    assert frequency_weights(counts).tolist() == pytest.approx([4.0, 4 / 3])
    want = 0.6 * math.log(0.6) * 4 + 0.4 * math.log(0.4) * 4 / 3
    assert reg_loss(logits, counts).item() == pytest.approx(want, rel=1e-5)
    # uniform counts: C × (−entropy of the mean prediction)
    assert reg_loss(logits, torch.tensor([5.0, 5.0])).item() == pytest.approx(2 * (0.6 * math.log(0.6)
                                                                                 + 0.4 * math.log(0.4)), rel=1e-5)


def test_class_counts_follow_eq10_from_the_teachers_argmax_and_stay_at_least_one():
    counts = torch.tensor([50.0, 50.0, 50.0])
    logits = torch.tensor([[5.0, 0, 0], [3.0, 1, 0], [0, 2.0, 1]])  # argmax 0, 0, 1
    update_counts(counts, logits, gamma=0.5)
    assert counts.tolist() == [26.0, 25.5, 25.0]
    update_counts(counts, logits, gamma=0.25)
    assert counts.tolist() == pytest.approx([0.75 * 26 + 0.5, 0.75 * 25.5 + 0.25, 0.75 * 25])
    small = torch.tensor([1.0, 1.0, 1.0])
    update_counts(small, logits, gamma=0.5)
    assert small.tolist() == [1.5, 1.0, 1.0]  # class 2: 0.5 → clamped at 1


def _gan(c=3, z=4):
    g = TrackedGenerator(ConditionalGenerator(z, c, 1, 8, 4), init_count=50)
    d = ADCDiscriminator(c, 1, 8, 4, 8, teacher_dim=5, sn=False)  # SN power iterations change D per call
    return g, d


class _Teacher(torch.nn.Module):
    """A fixed linear 'teacher' on 8×8 images with 5 features and 3 classes."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.f, self.fc = torch.nn.Linear(64, 5), torch.nn.Linear(5, 3)

    def forward(self, x, features=False):
        f = torch.relu(self.f(x.flatten(1)))
        return (self.fc(f), f) if features else self.fc(f)


def test_generator_objective_updates_the_counts_every_step_and_names_its_terms():
    torch.manual_seed(0)
    g, d = _gan()
    t = _Teacher()
    obj = generator_objective(g, d, t, dict(adc=1.0, reg=0.1), gamma=0.5)
    y = torch.tensor([0, 1, 2, 0])
    x = g(torch.randn(4, 4), y)
    before = g.class_counts.clone()
    terms, stats = obj(GANBatch(x, y=y))
    assert set(terms) == {"g_adv", "g_adc", "g_reg"} and {"label_agreement", "nhat_max"} <= set(stats)
    pred = t(x).argmax(1)
    assert g.class_counts.tolist() == pytest.approx((0.5 * before + 0.5 * torch.bincount(pred, minlength=3))
                                                    .clamp(min=1).tolist())
    assert terms["g_reg"].item() == pytest.approx(0.1 * reg_loss(t(x), before).item(), rel=1e-5)
    sum(terms.values()).backward()
    assert all(p.grad is not None for p in g.net.parameters()) and all(p.grad is None for p in g.ema.parameters())
    assert "class_counts" in g.state_dict() and "ema.l1.weight" in g.state_dict()
    obj0 = generator_objective(g, d, t, dict(adc=0.0, reg=0.0))
    assert set(obj0(GANBatch(g(torch.randn(4, 4), y), y=y))[0]) == {"g_adv"}


def test_discriminator_objective_terms_and_the_blend_indicator():
    torch.manual_seed(0)
    g, d = _gan()
    t = _Teacher()
    y = torch.tensor([0, 1, 2, 1])
    x, fake = torch.rand(4, 1, 8, 8), torch.rand(4, 1, 8, 8)
    obj = discriminator_objective(d, t, dict(adc=1.0, trans=0.1, blend=0.1), blend_q=1.0)  # always applied
    terms, stats = obj(GANBatch(x, y=y, fake=fake))
    adv_r, cls_r, h_r = d(x)
    adv_f, cls_f, h_f = d(fake)
    _, t_r = t(x, features=True)
    _, t_f = t(fake, features=True)
    assert terms["d_adv"].item() == pytest.approx(hinge_d(adv_r, adv_f).item(), abs=1e-6)
    assert terms["d_adc"].item() == pytest.approx(adc_d(cls_r, y, cls_f, y).item(), abs=1e-6)
    assert terms["d_trans"].item() == pytest.approx(0.1 * trans_loss(t_r, h_r, t_f, h_f).item(), abs=1e-6)
    assert terms["d_blend"].item() == pytest.approx(0.1 * blend_loss(t_r, h_r, t_f, h_f).item(), abs=1e-6)
    assert stats["blend_on"].item() == 1.0
    never = discriminator_objective(d, t, dict(adc=1.0, blend=0.1), blend_q=0.0)
    terms, stats = never(GANBatch(x, y=y, fake=fake))
    assert terms["d_blend"].item() == 0.0 and stats["blend_on"].item() == 0.0 and "d_trans" not in terms


def test_ema_generator_copies_then_averages():
    torch.manual_seed(0)
    g, _ = _gan()
    with torch.no_grad():
        for p in g.net.parameters():
            p.add_(1.0)
    g.update_ema(0.9, start=1)  # step 1 ≤ start: a copy
    assert all(torch.equal(a, b) for a, b in zip(g.ema.parameters(), g.net.parameters()))
    old = [p.clone() for p in g.ema.parameters()]
    with torch.no_grad():
        for p in g.net.parameters():
            p.add_(1.0)
    g.update_ema(0.9, start=1)
    for e, o, n in zip(g.ema.parameters(), old, g.net.parameters()):
        assert torch.allclose(e, 0.9 * o + 0.1 * n)
    assert int(g.steps) == 2


def test_discriminator_shapes_and_shared_classifier_trains_only_student_and_projector():
    d = ADCDiscriminator(10, 1, 28, 8, 16, teacher_dim=84)
    adv, cls, h = d(torch.rand(3, 1, 28, 28))
    assert adv.shape == (3,) and cls.shape == (3, 20) and h.shape == (3, 84)
    teacher = build_model("lenet5", 10, 1, 28)
    student = build_model("lenet5_half", 10, 1, 28)
    shared = SharedClassifier(student, 42, teacher.net.fc)
    x = torch.rand(4, 1, 28, 28)
    logits, f = shared(x, features=True)
    assert torch.allclose(logits, teacher.net.fc(f)) and f.shape == (4, 84)
    logits.sum().backward()
    assert all(p.grad is None for p in shared.head.parameters())
    assert all(p.grad is not None for p in shared.projector.parameters())


# ---------------------------------------------------------------------------------------- collected, inflation


def test_inflation_and_mixture_sizes():
    assert inflation_of(HybridRun(GANRun(T_SMALL), "lenet5_half", synthetic=1000), 70) == 14
    assert inflation_of(HybridRun(GANRun(T_SMALL), "lenet5_half", synthetic=1000, inflation=3), 70) == 3
    assert inflation_of(HybridRun(GANRun(T_SMALL), "lenet5_half", synthetic=50), 70) == 1
    assert mixture_sizes(64, 5000, 50_000, 10) == (32, 32)  # N|D_c| = |D_s|: half and half
    assert mixture_sizes(64, 5000, 50_000, 1) == (6, 58)
    assert mixture_sizes(64, 10, 50_000, 1) == (1, 63)  # at least one of each
    f = step_decay((0.5, 0.75), 100)
    assert [f(0), f(49), f(50), f(74), f(75), f(99)] == pytest.approx([1, 1, 0.1, 0.1, 0.01, 0.01])


def test_confidence_filter_keeps_the_n_most_confident_with_their_labels():
    logits = torch.tensor([[0.0, 0.0], [5.0, 0.0], [0.0, 2.0], [40.0, 0.0], [0.0, 30.0]])
    loss = confidence_loss(logits)
    assert loss[0].item() == pytest.approx(math.log(2)) and loss[3] < loss[4] < loss[1] < loss[2]  # float64: no ties
    pool = torch.zeros(5, 1, 2, 2, dtype=torch.uint8)
    index, info = SELECTORS["confident"](pool, lambda x: logits, 3, 2, torch.Generator())
    assert index.tolist() == [3, 4, 1] and info["labels"].tolist() == [0, 1, 0] and info["draws"] == 5
    saturated = torch.tensor([[0.0, 50.0], [80.0, 0.0], [0.0, 60.0]])  # loss 0 in float64 for all three
    index, _ = SELECTORS["confident"](pool[:3], lambda x: saturated, 2, 2, torch.Generator())
    assert index.tolist() == [1, 2]  # the larger margins
    with pytest.raises(ValueError, match="pool of 5"):
        SELECTORS["confident"](pool, lambda x: logits, 6, 2, torch.Generator())


def test_collected_set_counts_rho_and_sources(ctx):
    trec = run(T_SMALL, ctx)
    from kdnb.methods import load_model
    teacher = load_model(trec)
    cfg = Collected(0.1, (("held_out", None), ("dataset:photos", 30), ("leaves", 20)))
    x, y, s = collect(cfg, T_SMALL, teacher, trec.metrics["model"], ctx)
    held = len(T_SMALL.held_out(ctx))
    assert held == len(load_digits_train(ctx)) - 700
    assert s["original_size"] == 700 and s["size"] == len(x) == len(y) == 70 and s["rho"] == 0.1
    assert s["pool"] == held + 50 and s["pool_by_source"] == {"held_out": held, "dataset:photos": 30, "leaves": 20}
    assert sum(s["collected_by_source"].values()) == 70 and sum(s["class_counts"]) == 70
    assert x.dtype == torch.uint8 and x.shape[1:] == (1, 28, 28)
    with pytest.raises(ValueError, match="pool holds"):
        collect(Collected(5.0, (("leaves", 20),)), T_SMALL, teacher, trec.metrics["model"], ctx)


def load_digits_train(ctx):
    from kdnb.data import load_dataset
    return load_dataset("digits", "train", ctx.data_root)


# ---------------------------------------------------------------------------------------------- configs


@pytest.mark.parametrize("make,field,words", [
    (lambda: GANRun(T_SMALL, terms=params(blnd=0.1)), "GANRun.terms=", "names from"),
    (lambda: GANRun(T_SMALL, terms=params(reg=-1.0)), "GANRun.terms=", "≥ 0"),
    (lambda: GANRun(T_SMALL, blend_q=1.5), "GANRun.blend_q=", "[0, 1]"),
    (lambda: GANRun(T_SMALL, epochs=10, log_every=3), "GANRun.log_every=", "divisor"),
    (lambda: GANRun(T_SMALL, betas=(0.9,)), "GANRun.betas=", "two Adam betas"),
    (lambda: Collected(rho=0.0), "Collected.rho=", "(0, 10]"),
    (lambda: Collected(pools=(("dead_leaves", 5),)), "Collected.source=", "a source among"),
    (lambda: HybridRun(GANRun(T_SMALL), "lenet5_half", data="both"), "HybridRun.data=", "one of"),
    (lambda: HybridRun(GANRun(T_SMALL), "lenet5_half", loss="mse"), "HybridRun.loss=", "one of"),
    (lambda: HybridRun(GANRun(T_SMALL), "lenet5_half", inflation=0), "HybridRun.inflation=", "≥ 1"),
])
def test_bad_config_values_are_one_clear_line(make, field, words):
    with pytest.raises(ConfigError) as e:
        make()
    msg = str(e.value)
    assert msg.startswith(field) and words in msg and "\n" not in msg


# ---------------------------------------------------------------------------------------------- runs


def _tiny_gan(**kw):
    return GANRun(T_SMALL, Collected(0.1, (("held_out", None),)), **{**dict(
        epochs=3, log_every=1, batch_size=16, z_dim=8, g_width=4, d_width=4, d_features=8, ema_decay=0.9,
        ema_start=2), **kw})


def test_a_killed_gan_run_resumes_to_the_same_curves_and_generator(tmp_path, killed_after):
    cfg = _tiny_gan()
    full = run(cfg, Context.make("cpu", cache_root=tmp_path / "a", progress=False))
    assert {"d_adv", "d_adc", "d_trans", "d_blend", "blend_on", "g_adv", "g_adc", "g_reg",
            "label_agreement"} <= set(full.curves)
    assert all(math.isfinite(v) for k, vs in full.curves.items() for v in vs)
    assert full.metrics["iterations"] == 3 * (70 // 16) and full.metrics["collected"]["size"] == 70
    assert len(full.load("samples_ema.pt")) == 80
    ctx = Context.make("cpu", cache_root=tmp_path / "b", progress=False)
    run(cfg.teacher, ctx)
    with killed_after(2):
        run(cfg, ctx)
    resumed = run(cfg, ctx)
    assert resumed.curves == full.curves
    a, b = full.load("generator.pt"), resumed.load("generator.pt")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)  # weights, EMA copy, class counts


def test_hybrid_students_log_their_terms_and_use_the_mixture(ctx):
    gan = _tiny_gan(epochs=1)
    common = dict(synthetic=140, epochs=1, batch_size=32, optimizer="adam", lr=1e-3, weight_decay=0.0)
    align = run(HybridRun(gan, "lenet5_half", **common), ctx)
    assert "align" in align.curves and align.metrics["inflation"] == 2 and align.metrics["batch_parts"] == [16, 16]
    assert align.metrics["student_steps"] == (2 * 70 + 140) // 32
    kd = run(HybridRun(gan, "lenet5_half", loss="kd", data="collected", **common), ctx)
    assert "kd" in kd.curves and "batch_parts" not in kd.metrics
    assert kd.metrics["student_steps"] == align.metrics["student_steps"]  # same steps for every data variant
    assert FULL == params(adc=1.0, blend=0.1, reg=0.1, trans=0.1)


# -------------------------------------------------------------------------------------------- paper D's recipe


def test_paper_d_lab_rows_share_gans_and_sweep_the_intended_inflations():
    import pandas as pd

    from kdnb.recipes import paper_d as D
    rows = D.inflation_rows("lab")
    assert sorted({r.labels["N"] for r in rows}) == ["1", "10", "2", "auto"]
    assert [r.config.inflation for r in rows if r.labels["run"] == 0] == [1, 2, None, 10]
    assert len({r.config.gan for r in rows}) == D.SCALE["lab"]["runs"] == 3  # one GAN per seed
    full = {r.labels["run"]: r.config for r in D.table2_rows("lab") if r.labels["algorithm"] == "HiDFD"}
    assert all(r.config == full[r.labels["run"]] for r in rows if r.labels["N"] == "auto")  # the same cached run
    assert {r.labels["algorithm"] for r in D.table2_rows("lab")} == {"HiDFD", "VKD", *D.SMOKE_ABLATIONS}
    # ~400 GAN iterations whatever ρ (one whole pass at ρ = 1.0); smoke's GANs as before
    for rho, (epochs, log_every) in ((0.1, (12, 3)), (1.0, (1, 1))):
        g = D.gan_config("lab", rho)
        assert (g.epochs, g.log_every) == (epochs, log_every)
        assert 300 <= g.epochs * (int(rho * D.original_size("lab")) // g.batch_size) <= 400
    assert [(D.gan_config("smoke", r).epochs, D.gan_config("smoke", r).log_every) for r in D.RHOS] == [(24, 8), (3, 1)]
    assert len(D.configs("lab")) == 36 and len({c.gan for c in D.configs("lab")}) == 18


def test_paper_d_claims_pair_runs_by_seed_and_say_whether_they_hold():
    import pandas as pd

    from kdnb.recipes import paper_d as D
    assert D.verdict(1.0, 0.1, 3) == "holds" and D.verdict(0.1, 1.0, 3) == "same sign, within the spread"
    assert D.verdict(-0.5, 0.1, 3) == "does not hold" and D.verdict(float("nan"), float("nan"), 0) == "not run"
    a = pd.DataFrame({"run": [0, 1, 2], "accuracy": [90.0, 91.0, 92.0]})
    b = pd.DataFrame({"run": [2, 1, 0], "accuracy": [91.0, 90.0, 89.0]})  # paired by run, not by position
    m, sd, n = D.paired(a, b)
    assert (m, n) == (1.0, 3) and sd == 0.0
    t2 = pd.DataFrame({"algorithm": ["HiDFD"] * 3 + ["w/o L_reg"] * 3 + ["VKD"] * 3, "run": [0, 1, 2] * 3,
                       "accuracy": [90.0, 91, 92, 89, 90, 91, 91, 92, 93]})
    label = D.DATA_ROWS
    data = pd.DataFrame({"data": [label["hybrid"]] * 2 + [label["collected"]] * 2 + [label["synthetic"]] * 2,
                         "run": [0, 1] * 3, "accuracy": [90.0, 91, 80, 82, 85, 86]})
    t1 = pd.DataFrame({"rho": [0.1, 0.1, 1.0, 1.0], "run": [0, 1, 0, 1], "accuracy": [90.0, 91, 92, 93]})
    inf = pd.DataFrame({"N": ["1", "1", "auto", "auto", "10", "10"], "inflation": [1, 1, 5, 5, 10, 10],
                        "run": [0, 1] * 3, "accuracy": [85.0, 86, 90, 91, 89, 91.5]})
    c = D.claims(t1, t2, data, inf).set_index("claim")["verdict"]
    assert c["L_reg helps: HiDFD > w/o L_reg"] == "holds"
    assert c["classifier sharing + L_align > vanilla KD (VKD)"] == "does not hold"
    assert c[f"hybrid > {label['collected']}"] == "holds" and c["inflating helps: N = auto > N = 1"] == "holds"
    assert c["excessive inflation hurts: N = auto > N = 10"] == "same sign, within the spread"
    assert c["more collected data helps: HiDFD ρ = 1.0 > ρ = 0.1"] == "holds"
    curve = D.inflation_curve(inf)
    assert curve["inflation"].tolist() == [1, 5, 10] and curve.loc[curve["best"], "N"].tolist() == ["auto"]
