"""ZSKD's reading of paper B (``kdnb.augment.zskd``, ``kdnb.zskd``): each copy of the offline expansion on hand-made
images, the expansion's size and determinism, the relabelling objective, and the T²·soft-CE loss by hand."""
import math
from dataclasses import replace

import numpy as np
import pytest
import torch

from kdnb.augment import zskd as z
from kdnb.engine import Batch
from kdnb.zskd import zskd_loss, zskd_objective, zskd_targets, zskd_transform


def _ramp(b=2, c=3, h=32, w=32):
    """Distinct values per (image, channel, row, column), all in [0, 1)."""
    v = torch.arange(b * c * h * w, dtype=torch.float32).view(b, c, h, w)
    return v / v.numel()


# ------------------------------------------------------------------------------------------------ geometry


def test_flips_lr_ud_and_transpose_of_a_known_image():
    x = torch.tensor([[1., 2., 3.], [4., 5., 6.], [7., 8., 9.]]).view(1, 1, 3, 3) / 10
    lr, ud, tr = z.flip(x)
    assert torch.equal(lr[0], torch.tensor([[3., 2., 1.], [6., 5., 4.], [9., 8., 7.]]) / 10)
    assert torch.equal(ud[0], torch.tensor([[7., 8., 9.], [4., 5., 6.], [1., 2., 3.]]) / 10)
    assert torch.equal(tr[0], torch.tensor([[1., 4., 7.], [2., 5., 8.], [3., 6., 9.]]) / 10)
    with pytest.raises(ValueError, match="square"):
        z.flip(torch.zeros(1, 1, 3, 4))


def test_translation_shifts_6_px_at_32_and_fills_the_strip_with_one():
    assert z.translation_shift(32) == 6 and z.translation_shift(28) == 5
    x = _ramp(2, 3)
    left, right, top, bottom = z.translate(x).view(4, 2, 3, 32, 32)
    assert torch.equal(left[..., :26], x[..., 6:]) and (left[..., 26:] == 1.0).all()
    assert torch.equal(right[..., 6:], x[..., :26]) and (right[..., :6] == 1.0).all()
    assert torch.equal(top[..., :26, :], x[..., 6:, :]) and (top[..., 26:, :] == 1.0).all()
    assert torch.equal(bottom[..., 6:, :], x[..., :26, :]) and (bottom[..., :6, :] == 1.0).all()


def test_rotation_angles_and_direction():
    assert z.ANGLES == pytest.approx((-90, -70, -50, -30, -10, 10, 30, 50, 70, 90))
    x = _ramp(1, 1, 8, 8)
    r = z.rotate(x, angles=(90.0, -90.0, 0.0))
    # tf.contrib.image.rotate turns counter-clockwise on screen: +90° is torch.rot90 over (H, W) (k = 1)
    assert torch.equal(r[0], torch.rot90(x[0], 1, dims=(-2, -1)))
    assert torch.equal(r[1], torch.rot90(x[0], -1, dims=(-2, -1)))
    assert torch.equal(r[2], x[0])
    # a top-right marker goes to the top-left under +90°
    m = torch.zeros(1, 1, 5, 5)
    m[0, 0, 0, 4] = 1
    assert z.rotate(m, angles=(90.0,))[0, 0, 0, 0] == 1


def test_rotation_by_45_degrees_fills_the_corners_with_zero_and_keeps_the_centre():
    x = torch.full((1, 1, 31, 31), 0.5)
    x[0, 0, 15, 15] = 1.0
    r = z.rotate(x, angles=(45.0,))[0, 0]
    assert r[0, 0] == 0 and r[0, -1] == 0 and r[-1, 0] == 0 and r[-1, -1] == 0
    assert r[15, 15] == 1.0 and r[15, 0] == 0.5  # the middle of an edge is still inside after 45°


def test_central_scale_is_tf_crop_and_resize_of_the_central_box():
    x = _ramp(1, 1, 32, 32)
    s = z.central_scale(x)
    assert s.shape == (3, 1, 32, 32)
    # a linear ramp stays linear: the corners of the output are the corners of the box
    for k, sc in enumerate(z.SCALES):
        lo, hi = (0.5 - sc / 2) * 31, (0.5 + sc / 2) * 31
        ramp = lambda yy, xx: (yy * 32 + xx) / 1024  # noqa: E731
        assert s[k, 0, 0, 0].item() == pytest.approx(ramp(lo, lo), abs=1e-5)
        assert s[k, 0, -1, -1].item() == pytest.approx(ramp(hi, hi), abs=1e-5)
        assert s[k, 0, 0, -1].item() == pytest.approx(ramp(lo, hi), abs=1e-5)
    assert torch.allclose(z.central_scale(x, scales=(1.0,)), x, atol=1e-6)


# ------------------------------------------------------------------------------------------------ noise


def test_salt_pepper_counts_follow_zskd():
    assert z.salt_pepper_counts((32, 32, 3)) == (3, 10)
    assert z.salt_pepper_counts((32, 32, 1)) == (1, 4)


def test_fixed_salt_pepper_is_zskd_pixels_in_every_image():
    x = torch.full((4, 3, 32, 32), 0.5)
    y = z.salt_pepper(x)
    rs = np.random.RandomState(777)
    salt = [rs.randint(0, i - 1, 3) for i in (32, 32, 3)]
    rs = np.random.RandomState(777)
    pepper = [rs.randint(0, i - 1, 10) for i in (32, 32, 3)]
    expect = np.full((32, 32, 3), 0.5, np.float32)
    expect[salt[0], salt[1], :] = 1
    expect[pepper[0], pepper[1], :] = 0
    for b in range(4):
        assert torch.equal(y[b], torch.from_numpy(expect).permute(2, 0, 1))
    assert torch.equal(z.salt_pepper(x, torch.Generator().manual_seed(5)), y)  # fixed: the generator is unused


def test_random_salt_pepper_fraction_per_image_and_seeded():
    x = torch.full((2000, 3, 32, 32), 0.5)
    g = torch.Generator().manual_seed(0)
    y = z.salt_pepper(x, g, fixed=False)
    hit = (y != 0.5).all(1)  # every channel of a hit pixel changes alike
    assert ((y != 0.5).any(1) == hit).all()
    # 0.004 of the H·W·C values, i.e. ⌈0.004·3072·0.2⌉ + ⌈0.004·3072·0.8⌉ = 13 draws per 32×32×3 image, with
    # replacement over rows and columns 0..30
    frac = hit.float().mean().item()
    assert frac == pytest.approx(13 / 1024 * (1 - 6 / 1024), rel=0.03)
    assert (y[:, :, 31, :] == 0.5).all() and (y[:, :, :, 31] == 0.5).all()
    salt, pepper = (y == 1).all(1).sum().item(), (y == 0).all(1).sum().item()
    assert salt / (salt + pepper) == pytest.approx(3 / 13, abs=0.02)
    assert not torch.equal(hit[0], hit[1])  # per image
    again = z.salt_pepper(x, torch.Generator().manual_seed(0), fixed=False)
    assert torch.equal(y, again)
    one = z.salt_pepper(torch.full((20000, 1, 32, 32), 0.5), torch.Generator().manual_seed(1), fixed=False)
    assert (one != 0.5).float().mean().item() == pytest.approx(0.004 * 1.25, rel=0.05)  # (1 + 4) / 1024 ≈ 0.0049


def test_noise_blend_is_three_quarters_image_plus_a_sixteenth_noise():
    x = _ramp(3, 3, 8, 8)
    y = z.noise_blend(x)
    u = torch.from_numpy(np.random.RandomState(777).random_sample((8, 8, 1)).astype(np.float32))[..., 0]
    assert torch.allclose(y, 0.75 * x + 0.0625 * u, atol=1e-7)
    assert torch.allclose(y[:, 0] - 0.75 * x[:, 0], y[:, 2] - 0.75 * x[:, 2], atol=1e-6)  # one plane for all channels
    r = z.noise_blend(torch.zeros(2, 1, 8, 8), torch.Generator().manual_seed(3), fixed=False)
    assert not torch.equal(r[0], r[1]) and 0 <= r.min() and r.max() < 0.0625


# ------------------------------------------------------------------------------------------------ expansion


def test_expansion_size_order_and_determinism():
    x = torch.rand(5, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    parts = z.zskd_parts(x)
    assert tuple(parts) == z.COPIES
    assert {k: len(v) // 5 for k, v in parts.items()} == z.MULTIPLICITY
    e = z.zskd_expand(x)
    assert e.shape == (106 * 5, 3, 32, 32) and z.EXPANSION == 106 == z.expansion() and e.dtype == x.dtype
    assert torch.equal(e[:5], x)
    assert z.zskd_expand(x, noise=False).shape == (103 * 5, 3, 32, 32) and z.expansion(False) == 103
    assert torch.equal(z.zskd_expand(x), e)  # deterministic with ZSKD's fixed noise
    g = lambda s: torch.Generator().manual_seed(s)  # noqa: E731
    a, b, c = (z.zskd_expand(x, g(s), fixed_noise=False) for s in (1, 1, 2))
    assert torch.equal(a, b) and not torch.equal(a, c)
    # compositions: the 4 translations of each scaled copy, the rotations of the translated ones
    assert torch.equal(parts["scale+translate"], z.translate(parts["scale"]))
    assert torch.equal(parts["translate+rotate"], z.rotate(parts["translate"]))
    assert torch.equal(parts["salt_pepper+gaussian"], z.noise_blend(parts["salt_pepper"]))
    one = z.zskd_expand(torch.rand(2, 1, 32, 32))
    assert one.shape == (212, 1, 32, 32)


# ------------------------------------------------------------------------------------------------ loss, objective


def test_loss_equals_a_hand_computed_value_on_a_2x3_example():
    s = torch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    t = torch.tensor([[40.0, 20.0, 0.0], [0.0, 0.0, 20.0]])
    T = 20.0

    def softmax(v):
        e = [math.exp(a / T) for a in v]
        return [a / sum(e) for a in e]

    total = 0.0
    for si, ti in zip(s.tolist(), t.tolist()):
        p_t, p_s = softmax(ti), softmax(si)
        total += -sum(q * math.log(p) for q, p in zip(p_t, p_s))
    expect = T * T * total / 2
    assert zskd_loss(s, t).item() == pytest.approx(expect, rel=1e-6)
    # by hand: p_T = softmax([2, 1, 0]) and softmax([0, 0, 1]); p_S = softmax([.05, .1, .15]) and uniform
    e1 = [math.e ** 2, math.e, 1.0]
    ls1 = [a - math.log(sum(math.exp(b) for b in (.05, .1, .15))) for a in (.05, .1, .15)]
    ce1 = -sum(q / sum(e1) * l for q, l in zip(e1, ls1))
    ce2 = math.log(3)  # against a uniform student the cross-entropy is log 3 whatever the target
    assert expect == pytest.approx(400 * (ce1 + ce2) / 2, rel=1e-9)
    assert zskd_loss(s, t).item() == pytest.approx(445.36, abs=0.01)
    assert torch.allclose(zskd_targets(t)[1], torch.tensor([1.0, 1.0, math.e]) / (2 + math.e))


def test_objective_relabels_every_image_of_the_expansion():
    torch.manual_seed(0)
    student = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(3 * 32 * 32, 10))
    teacher = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(3 * 32 * 32, 10))
    seen = []
    teacher.register_forward_hook(lambda m, i, o: seen.append(i[0].shape[0]))
    x = torch.rand(4, 3, 32, 32)
    xe = zskd_transform()(x, None)
    terms = zskd_objective(student, teacher)(Batch(xe, torch.arange(4)))
    assert seen == [4 * 106] and set(terms) == {"kd"}
    with torch.no_grad():
        expect = zskd_loss(student(xe), teacher(xe))
    assert terms["kd"].item() == pytest.approx(expect.item(), rel=1e-6)
    terms["kd"].backward()
    assert student[1].weight.grad is not None and teacher[1].weight.grad is None


def test_the_engine_runs_the_expansion_as_one_step_per_mini_batch():
    """The plan a ZSKD run kind would run (kdnb.recipes.paper_b): the transform expands each drawn batch of 4 into
    424 images, the teacher labels all of them, one Adam step each."""
    from kdnb.engine import TensorSource, Update, learner, train
    from kdnb.models import build_model
    from kdnb.recipes.paper_b import zskd_schedule

    torch.manual_seed(0)
    student, teacher = build_model("lenet5_half", 10, 1, 32), build_model("lenet5", 10, 1, 32)
    seen = []
    teacher.register_forward_hook(lambda m, i, o: seen.append(i[0].shape[0]))
    src = TensorSource(torch.randint(0, 256, (8, 1, 32, 32), dtype=torch.uint8), 4)
    lrn = learner(student, zskd_schedule(1), src.steps_per_epoch, torch.device("cpu"))
    before = [p.detach().clone() for p in student.parameters()]
    plan = [Update("train", "model", "data", zskd_objective(student, teacher), transform=zskd_transform())]
    curves = train({"model": lrn}, {"data": src}, plan, epochs=1, steps_per_epoch=src.steps_per_epoch, seed=0,
                   progress=False)
    assert seen == [424, 424] and len(curves["kd"]) == 1 and math.isfinite(curves["kd"][0])
    assert any(not torch.equal(a, b) for a, b in zip(before, student.parameters()))


def test_the_sweep_recipe_runs_one_config_per_reading_balance_and_seed():
    from kdnb.methods import BKDRun, ZSKDRun
    from kdnb.recipes import paper_b as rz

    rows = rz.zskd_sweep_rows("lab")
    assert len(rows) == 2 * 2 * (3 + 1)  # targets × balance × (3 plain seeds + 1 expanded seed)
    for r in rows:
        c = r.config
        aug = r.labels["augmentation"] == "zskd"
        assert isinstance(c, ZSKDRun if aug else BKDRun) and c.temperature == 20.0 and c.eval_every == 1
        assert not isinstance(c, BKDRun) or not aug
        s = c.schedule
        assert (s.optimizer, s.lr, s.batch_size, s.cosine, s.augment, s.mixup) == ("adam", 1e-3, 64, False, "none", False)
        assert s.epochs == r.labels["run_epochs"] == rz.ZSKD_RUNS["lab"][r.labels["augmentation"]][r.labels["seed"]]
        assert c.transfer.n == 5_000 and c.transfer.balanced == r.labels["balanced"]
        assert c.transfer.pools[0].source == "uniform_noise" and c.seed == r.labels["seed"]
        t = c.transfer.teacher
        assert t.dataset == "unit_range" and t.size == 32
        assert dict(t.dataset_params)["of"] == {"MNIST": "mnist", "FMNIST": "fashionmnist"}[r.labels["target_dataset"]]
    assert rz.zskd_cell_epochs("lab") == (3, 30, 100, 300, 500)  # the paper's sweep and each run's length
    assert rz.zskd_sweep_config("MNIST", True, False, 30, size=None).transfer.teacher.size is None
    assert rz.zskd_sweep_config("MNIST", True, True, 3).expand


def test_zskd_run_refuses_a_schedule_with_kdnb_augmentation():
    from kdnb.config import ConfigError
    from kdnb.methods import ZSKDRun
    from kdnb.recipes import paper_b as rz

    cfg = rz.zskd_sweep_config("MNIST", True, True, 3)
    with pytest.raises(ConfigError, match="augment='none'"):
        ZSKDRun(cfg.transfer, cfg.student, replace(cfg.schedule, augment="nayak"))


def test_an_epochs_run_is_the_prefix_of_a_longer_run_at_constant_lr():
    """Why one 500-epoch run gives the 30-, 100- and 300-epoch cells: with a constant learning rate the first E
    epochs of a longer run are the E-epoch run (same weights, same curve)."""
    from kdnb.engine import fit
    from kdnb.models import build_model
    from kdnb.recipes.paper_b import zskd_schedule

    x = torch.randint(0, 256, (96, 1, 12, 12), dtype=torch.uint8)
    y = torch.randint(0, 3, (96,))
    objective_of = lambda m: (lambda b: {"ce": torch.nn.functional.cross_entropy(m(b.x), y[b.index])})
    out = {}
    for epochs in (2, 4):
        torch.manual_seed(0)
        m = build_model("tiny", 3, 1, 12)
        curves = fit(m, x, objective_of(m), replace(zskd_schedule(epochs), batch_size=16), seed=3,
                     evaluate=lambda mm: {"w": float(sum(p.detach().double().sum() for p in mm.parameters()))}, progress=False)
        out[epochs] = curves
    assert out[4]["w"][:2] == out[2]["w"] and out[4]["ce"][:2] == out[2]["ce"]
    assert out[4]["w"][2] != out[4]["w"][1]


def test_read_curve_gives_the_best_so_far_and_the_epoch_s_own_accuracy():
    from kdnb.recipes.paper_b import read_curve

    curves = {"eval_epoch": [1, 2, 3, 4], "test_acc": [10.0, 40.0, 30.0, 35.0]}
    assert read_curve(curves, 1) == (10.0, 10.0)
    assert read_curve(curves, 3) == (40.0, 30.0)
    assert read_curve(curves, 4) == (40.0, 35.0)
    with pytest.raises(ValueError, match="epoch 5"):
        read_curve(curves, 5)


def test_readings_table_compares_each_reading_with_the_paper_rows_of_its_augmentation():
    import pandas as pd
    from kdnb.recipes import paper_b as rz

    summary = pd.DataFrame([
        dict(target_dataset="MNIST", augmentation="none", balanced=False, epochs=30, best_mean=80.0, best_std=2.0,
             last_mean=70.0, last_std=1.0, seeds=3, status=""),
        dict(target_dataset="MNIST", augmentation="none", balanced=True, epochs=30, best_mean=90.0, best_std=1.0,
             last_mean=85.0, last_std=1.0, seeds=3, status=""),
        dict(target_dataset="MNIST", augmentation="zskd", balanced=True, epochs=3, best_mean=95.0, best_std=np.nan,
             last_mean=95.0, last_std=np.nan, seeds=1, status=""),
        dict(target_dataset="FMNIST", augmentation="none", balanced=True, epochs=30, best_mean=np.nan,
             best_std=np.nan, last_mean=np.nan, last_std=np.nan, seeds=0, status="missing: FashionMNIST"),
    ])
    t = rz.zskd_readings_table(summary, "lab").set_index("reading")
    plain, expanded = t.loc["ZSKD, no augmentation, 30 epochs"], t.loc["ZSKD, with augmentation, 3 epochs"]
    # paper B Table 1, MNIST random noise: 81.62 → 92.88 without augmentation, 89.01 → 95.76 with it
    assert plain["MNIST unbalanced Δ"] == pytest.approx(80.0 - 81.62)
    assert plain["MNIST balanced Δ"] == pytest.approx(90.0 - 92.88)
    assert plain["mean |Δ|"] == pytest.approx((1.62 + 2.88) / 2) and plain["cells run"] == 2
    assert plain["MNIST unbalanced"] == "80.0 ± 2.0 (3)" and plain["FMNIST balanced"] == "missing: FashionMNIST"
    assert expanded["MNIST balanced Δ"] == pytest.approx(95.0 - 95.76) and expanded["cells run"] == 1
    assert expanded["MNIST balanced"] == "95.0 (1)" and expanded["MNIST unbalanced"] == "not run"
    assert rz.closest_reading(t.reset_index())["reading"] == "ZSKD, with augmentation, 3 epochs"
    last = rz.zskd_readings_table(summary, "lab", value="last").set_index("reading")
    assert last.loc["ZSKD, no augmentation, 30 epochs", "MNIST unbalanced Δ"] == pytest.approx(70.0 - 81.62)


def test_zskd_run_at_smoke_relabels_every_expanded_copy_and_reports_the_best_epoch(ctx):
    from kdnb.recipes import paper_b as rz
    from kdnb.runs import run

    cfg = rz.zskd_sweep_config("MNIST", True, True, 2, scale="smoke", n=64)
    rec = run(cfg, ctx)
    c = rec.curves
    assert c["eval_epoch"] == [1, 2] and len(c["kd"]) == 2 and all(math.isfinite(v) for v in c["kd"])
    assert rec.metrics["test_acc_max"] == max(c["test_acc"]) and rec.metrics["test_acc"] == c["test_acc"][-1]
    assert rec.metrics["transfer"]["size"] == 60  # ⌊64/10⌋ per class (Algorithm 1)
    again = run(cfg, ctx)
    assert again.key == rec.key and again.curves == c  # a cache hit
