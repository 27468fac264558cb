"""The decision-boundary attack (paper A §4.1, Fig. 3) on hand-built teachers whose boundaries are known, and the
transfer set that distillation with the attack uses (Table 6)."""
from __future__ import annotations

import dataclasses

import pytest
import torch
from torch import nn

from kdnb.attack import KINDS, BoundaryAttack, attack_in_chunks, boundary_attack, choose_targets, deeper
from kdnb.config import ConfigError


class Linear2D(nn.Module):
    """A linear 3-class teacher on 1×1×2 'images' (two pixels): logits = scale·(W x + b).

    Class regions are three wedges around the point (0.5, 0.5); the scale keeps the softmax soft near the borders."""

    def __init__(self, scale: float = 8.0):
        super().__init__()
        w = torch.tensor([[1.0, 0.0], [-0.5, 0.866], [-0.5, -0.866]])
        self.lin = nn.Linear(2, 3)
        with torch.no_grad():
            self.lin.weight.copy_(scale * w)
            self.lin.bias.copy_(-scale * w @ torch.tensor([0.5, 0.5]))

    def forward(self, x):
        return self.lin(x.flatten(1))


def points(n: int, seed: int) -> torch.Tensor:
    return torch.rand(n, 1, 1, 2, generator=torch.Generator().manual_seed(seed))


CFG = BoundaryAttack(epsilon=64, iterations=40, step=2, deeper_step=4)


@pytest.fixture
def teacher():
    return Linear2D().eval()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pairs_straddle_the_boundary_under_the_threshold(teacher, seed):
    x = points(64, seed)
    r = boundary_attack(teacher, x, CFG, gen=torch.Generator().manual_seed(seed))
    s = r.success
    assert s.float().mean() > 0.5, r.success_rate  # a wide ball on a soft linear teacher: most inputs succeed
    with torch.no_grad():
        post, pre = teacher(r.post[s]).softmax(1), teacher(r.pre[s]).softmax(1)
    t = r.target[s]
    assert (post.argmax(1) == t).all() and (pre.argmax(1) != t).all()
    assert (post.max(1).values < CFG.threshold).all() and (pre.max(1).values < CFG.threshold).all()
    assert (r.post_label[s] == t).all() and (r.pre_label[s] == pre.argmax(1)).all()
    assert (r.clean_label != r.target).all()  # random targets are never the prediction
    assert r.target.dtype == torch.long and r.post_label.dtype == torch.long
    assert ((r.iterations[s] >= 1) & (r.iterations[s] <= CFG.iterations)).all()


def test_ball_and_pixel_bounds_hold(teacher):
    x = points(128, 3)
    r = boundary_attack(teacher, x, CFG, gen=torch.Generator().manual_seed(3), trace=True)
    eps, deep = CFG.epsilon / 255, CFG.deeper_step / 255
    for z in (r.post, r.pre, *r.path):
        assert (z - x).abs().max() <= eps + 1e-6
        assert z.min() >= 0 and z.max() <= 1
    for z in (r.deeper_post, r.deeper_pre):
        assert (z - x).abs().max() <= eps + deep + 1e-6
        assert z.min() >= 0 and z.max() <= 1
    assert r.path.shape == (CFG.iterations + 1, *x.shape) and torch.equal(r.path[0], x)
    assert torch.equal(r.path[-1][r.success], r.post[r.success])  # a successful input's path ends at its post image


def test_deeper_moves_each_image_further_into_its_own_class(teacher):
    x = points(64, 4)
    r = boundary_attack(teacher, x, CFG, gen=torch.Generator().manual_seed(4))
    s = r.success
    with torch.no_grad():
        for border, label, deep, deep_label in ((r.post, r.post_label, r.deeper_post, r.deeper_post_label),
                                                (r.pre, r.pre_label, r.deeper_pre, r.deeper_pre_label)):
            before = teacher(border[s]).softmax(1).gather(1, label[s, None])
            after = teacher(deep[s]).softmax(1).gather(1, label[s, None])
            assert (after > before).all()
            assert torch.equal(deep_label[s], label[s])  # one small step deeper stays in its class
    # the step alone: one sign step of deeper_step/255 (no pixel is clipped at these interior points)
    x0 = torch.tensor([0.6, 0.3]).view(1, 1, 1, 2)
    z, _ = deeper(teacher, x0, torch.tensor([0]), 4)
    assert torch.allclose((z - x0).abs(), torch.full_like(z, 4 / 255))


def test_batched_results_equal_per_example_ones(teacher):
    x = points(16, 5)
    target = choose_targets(teacher(x), "random", torch.Generator().manual_seed(5))
    whole = boundary_attack(teacher, x, CFG, target=target)
    for i in range(len(x)):
        one = boundary_attack(teacher, x[i:i + 1], CFG, target=target[i:i + 1])
        for f in ("success", "iterations", "post_label", "pre_label", "deeper_post_label", "deeper_pre_label"):
            assert torch.equal(getattr(one, f)[0], getattr(whole, f)[i]), (i, f)
        for f in ("post", "pre", "deeper_post", "deeper_pre"):
            assert torch.allclose(getattr(one, f)[0], getattr(whole, f)[i], atol=1e-6), (i, f)
    chunks = attack_in_chunks(teacher, x, CFG, chunk=5, gen=None)  # random targets differ; shapes and bounds hold
    assert len(chunks.success) == len(x) and chunks.post.shape == x.shape


def test_a_conv_teacher_batched_equals_per_example():
    """Same property through convolutions and BatchNorm (in eval mode) of kdnb's 2-D toy net."""
    from kdnb.models import build_model

    torch.manual_seed(0)
    model = build_model("toy2d", 10, 1, 28).eval()
    x = torch.rand(6, 1, 28, 28, generator=torch.Generator().manual_seed(6))
    cfg = BoundaryAttack(epsilon=32, iterations=10)
    target = choose_targets(model(x), "runner_up")
    whole = boundary_attack(model, x, cfg, target=target)
    for i in range(len(x)):
        one = boundary_attack(model, x[i:i + 1], cfg, target=target[i:i + 1])
        assert torch.equal(one.success[0], whole.success[i]) and torch.equal(one.iterations[0], whole.iterations[i])
        assert torch.allclose(one.post[0], whole.post[i], atol=1e-5)
    assert model.training is False


def test_failures_are_excluded(teacher):
    x = points(64, 7)
    tight = dataclasses.replace(CFG, epsilon=4, step=1, iterations=3)  # most inputs cannot reach another wedge
    target = choose_targets(teacher(x), "random", torch.Generator().manual_seed(7))
    target[0] = teacher(x[:1]).argmax(1)  # an input already predicted as its target yields no pair
    r = boundary_attack(teacher, x, tight, target=target)
    assert not r.success[0] and 0 < r.success.sum() < len(x)
    xs, ys, kind = r.images()
    s = int(r.success.sum())
    assert len(xs) == len(ys) == len(kind) == 4 * s
    assert kind.tolist() == [k for k in range(len(KINDS)) for _ in range(s)]
    assert torch.equal(xs[:s], r.post[r.success]) and torch.equal(ys[:s], r.target[r.success])
    assert (r.iterations[~r.success] == tight.iterations).all()
    assert r.mean_iterations == pytest.approx(float(r.iterations[r.success].float().mean()))


def test_runner_up_targets_are_the_second_class(teacher):
    logits = torch.tensor([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]])
    assert choose_targets(logits, "runner_up").tolist() == [2, 2]
    t = choose_targets(logits.repeat(500, 1), "random", torch.Generator().manual_seed(0))
    pred = logits.repeat(500, 1).argmax(1)
    assert (t != pred).all() and set(t[::2].tolist()) == {1, 2} and set(t[1::2].tolist()) == {0, 2}


@pytest.mark.parametrize("field,value", [("epsilon", 0), ("epsilon", 300), ("iterations", 0), ("iterations", 2.5),
                                         ("step", 20.0), ("grow", 1.0), ("shrink", 1.0), ("threshold", 0.0),
                                         ("threshold", 1.5), ("deeper_step", -1), ("target", "label")])
def test_bad_parameters_give_one_clear_line(field, value):
    with pytest.raises(ConfigError) as e:
        BoundaryAttack(**{field: value})
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith(f"BoundaryAttack.{field}={value!r} is not allowed; ")


# ------------------------------------------------------------------------------------------ the transfer set


@pytest.fixture(scope="module")
def shared_ctx(tmp_path_factory):
    """One cache for this module's runs: the smoke digits teacher trains once."""
    from kdnb.runs import Context

    root = tmp_path_factory.mktemp("attack_runs")
    return Context.make("cpu", data_root=root / "data", cache_root=root / "runs", progress=False)


def _small(plain, epochs: int | None = None):
    """A smoke run on 64 of the noise images (two batches), for speed."""
    return dataclasses.replace(plain, transfer=dataclasses.replace(plain.transfer, n=64, pool=128),
                               schedule=dataclasses.replace(plain.schedule, epochs=epochs or plain.schedule.epochs))


def test_transfer_set_with_the_attack_has_the_expected_size_and_labels(shared_ctx):
    ctx = shared_ctx
    from kdnb.methods import AttackKDRun, load_model, with_attack
    from kdnb.methods.attack_kd import attacked_transfer
    from kdnb.recipes import paper_a as A
    from kdnb.runs import config_key, run

    plain = _small(A.distillation("smoke", "digits", "LeNet5-half", "Noise"))
    cfg = with_attack(plain, BoundaryAttack(epsilon=32, iterations=30))
    assert isinstance(cfg, AttackKDRun) and config_key(cfg) != config_key(plain)
    rec = run(cfg.teacher, ctx)
    teacher = load_model(rec)
    x, xa, summary = attacked_transfer(cfg, teacher, rec.metrics["model"], ctx)
    a = summary["attack"]
    assert len(x) == cfg.transfer.n and x.dtype == xa.dtype == torch.uint8
    assert a["inputs"] == len(x) and len(xa) == a["images"] == 4 * a["successes"] > 0
    assert a["success_rate"] == pytest.approx(a["successes"] / len(x))
    assert sum(a["class_counts"]) == len(xa) and a["kinds"] == list(KINDS)
    assert 0.5 < a["straddle_after_rounding"] <= 1  # rounding to uint8 moves a pixel by ≤ 0.5/255
    again = attacked_transfer(cfg, teacher, rec.metrics["model"], ctx)[1]
    assert torch.equal(again, xa)  # targets are drawn from the run's seed


def test_bad_attack_run_fields_give_one_clear_line():
    from kdnb.methods import AttackKDRun, with_attack
    from kdnb.recipes import paper_a as A

    plain = A.distillation("smoke", "digits", "LeNet5-half", "Noise")
    with pytest.raises(ConfigError, match=r"^AttackKDRun\.mode='sometimes' is not allowed; one of \['offline', 'online'\]$"):
        with_attack(plain, mode="sometimes")
    with pytest.raises(ConfigError, match=r"^AttackKDRun\.attack=16 is not allowed"):
        AttackKDRun(plain.teacher, plain.student, plain.transfer, attack=16)


def test_compacted_rows_equal_the_masked_fixed_budget(teacher):
    """The CPU path (only rows not done are computed, early stop) gives the accelerator path's results."""
    x = points(48, 8)
    target = choose_targets(teacher(x), "random", torch.Generator().manual_seed(8))
    a = boundary_attack(teacher, x, CFG, target=target, compact=True, trace=True)
    b = boundary_attack(teacher, x, CFG, target=target, compact=False, trace=True)
    for f in ("success", "iterations", "post_label", "pre_label", "deeper_post_label", "deeper_pre_label"):
        assert torch.equal(getattr(a, f), getattr(b, f)), f
    for f in ("post", "pre", "deeper_post", "deeper_pre", "post_conf", "pre_conf", "path"):
        assert torch.allclose(getattr(a, f), getattr(b, f), atol=1e-6), f
    assert b.image_iterations == len(x) * CFG.iterations
    assert a.image_iterations == int(torch.where(a.success, a.iterations, torch.tensor(CFG.iterations)).sum())


@pytest.mark.parametrize("mode", ["offline", "online"])
def test_distillation_with_the_attack_takes_the_plain_runs_steps(shared_ctx, mode):
    ctx = shared_ctx
    from kdnb.methods import with_attack
    from kdnb.recipes import paper_a as A
    from kdnb.runs import run

    plain = _small(A.distillation("smoke", "digits", "LeNet5-half", "Noise"), epochs=2)
    cfg = with_attack(plain, BoundaryAttack(epsilon=32, iterations=10), mode=mode)
    m = run(cfg, ctx).metrics
    bs = plain.schedule.batch_size
    assert m["student_steps"] == 2 * (64 // bs)
    assert len(run(cfg, ctx).curves["test_acc"]) == len(run(plain, ctx).curves["test_acc"])
    a = m["transfer"]["attack"]
    assert a["successes"] > 0 and a["images"] == 4 * a["successes"]
    assert a["inputs"] == (64 if mode == "offline" else 2 * 64)  # online: every batch of every epoch
