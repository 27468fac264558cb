"""The training engine: several learners with their own optimisers, batch sources, named terms, resume, the guard."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from kdnb import engine
from kdnb.config import ConfigError
from kdnb.engine import (Batch, GeneratorSource, MixSource, NonFiniteLoss, Schedule, TensorSource, Update,
                         learner, train)

CPU = torch.device("cpu")


class TinyGenerator(nn.Module):
    def __init__(self, z_dim=4):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(z_dim, 2 * 4 * 4), nn.Sigmoid())

    def forward(self, z):
        return self.net(z).view(-1, 2, 4, 4)


class TinyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(32, 16), nn.Dropout(0.2), nn.ReLU(), nn.Linear(16, 3))

    def forward(self, x):
        return self.net(x)


def adversarial_plan(seed=0, k=3):
    """Paper C's shape: one generator step (maximise a student/teacher gap), then ``k`` student steps (close it)."""
    torch.manual_seed(0)
    teacher = TinyNet().eval()  # frozen and outside the checkpoint, as a teacher loaded from its record
    torch.manual_seed(seed)
    student, gen = TinyNet(), TinyGenerator()
    teacher.requires_grad_(False)
    sched = Schedule(epochs=4, batch_size=8, lr=0.05, momentum=0.9, weight_decay=0.0, cosine=True, augment="none")
    learners = {"generator": learner(gen, sched, 4 * 2, CPU), "student": learner(student, sched, 4 * 2 * k, CPU)}
    sources = {"synthetic": GeneratorSource(gen, 4, 8)}

    def gap(b):
        return (student(b.x) - teacher(b.x)).abs().mean()

    plan = [Update("generator", "generator", "synthetic", lambda b: {"adv": -gap(b)}, grad_through_source=True),
            Update("student", "student", "synthetic", lambda b: ({"l1": gap(b)}, {"mean_pixel": b.x.mean()}),
                   repeat=k)]
    return learners, sources, plan


def test_alternating_learners_each_step_their_own_optimiser_and_log_named_terms():
    learners, sources, plan = adversarial_plan()
    g0 = [p.clone() for p in learners["generator"].model.parameters()]
    curves = train(learners, sources, plan, epochs=4, steps_per_epoch=2, seed=0, progress=False)
    assert set(curves) >= {"epoch", "lr.generator", "lr.student", "adv", "l1", "mean_pixel"}
    assert len(curves["adv"]) == len(curves["l1"]) == 4
    assert curves["adv"][0] == pytest.approx(-curves["l1"][0], rel=0.5)  # the same gap, seen by both sides
    assert any(not torch.equal(a, b) for a, b in zip(g0, learners["generator"].model.parameters()))
    # each learner's schedule counts its own steps: the student's cosine went through 3× as many steps
    assert learners["student"].scheduler.last_epoch == 3 * learners["generator"].scheduler.last_epoch == 24


def test_a_killed_multi_learner_run_resumes_to_the_same_curves(tmp_path, killed_after):
    learners, sources, plan = adversarial_plan()
    full = train(learners, sources, plan, epochs=4, steps_per_epoch=2, seed=0, progress=False)
    ckpt = tmp_path / "partial.pt"
    learners, sources, plan = adversarial_plan()
    with killed_after(2):
        train(learners, sources, plan, epochs=4, steps_per_epoch=2, seed=0, checkpoint=ckpt, progress=False)
    state = torch.load(ckpt, weights_only=True)
    assert set(state["learners"]) == {"generator", "student"} and state["epoch"] == 2
    assert set(state["learners"]["student"]) == {"model", "opt", "sched"} and "torch_rng" in state
    learners, sources, plan = adversarial_plan(seed=123)  # fresh models: everything comes from the checkpoint
    resumed = train(learners, sources, plan, epochs=4, steps_per_epoch=2, seed=0, checkpoint=ckpt, progress=False)
    assert resumed == full


def test_non_finite_loss_stops_with_one_line_naming_term_epoch_and_step():
    model = TinyNet()
    x = torch.randint(0, 256, (64, 2, 4, 4), dtype=torch.uint8)
    calls = {"n": 0}

    def objective(b):
        calls["n"] += 1
        out = model(b.x).pow(2).mean()
        return {"mse": out * (float("nan") if calls["n"] == 11 else 1.0)}

    with pytest.raises(NonFiniteLoss) as e:
        engine.fit(model, x, objective, Schedule(epochs=5, batch_size=8, augment="none"), seed=0, desc="run X",
                   progress=False)
    msg = str(e.value)
    assert "\n" not in msg and "run X" in msg and "'train'" in msg
    assert "epoch 2, step 3 of 8" in msg  # the 11th step is the 3rd of the second epoch
    assert calls["n"] == 16  # it stopped at the end of that epoch, not later


def test_a_run_whose_loss_diverges_records_nothing(ctx, monkeypatch):
    from kdnb import objectives
    from kdnb.methods import KDRun, TeacherRun, Transfer
    from kdnb.runs import lookup, run

    teacher = TeacherRun("digits", "tiny", Schedule(epochs=1, batch_size=64, lr=0.05, augment="none"))
    bad = KDRun(teacher, "tiny_half", Transfer("dataset:digits", 256),
                Schedule(epochs=2, batch_size=64, lr=0.05, augment="none"), temperature=4.0)
    monkeypatch.setattr(objectives, "kd_kl", lambda s, t, tau: (s - s.detach()).sum() + float("inf"))
    with pytest.raises(NonFiniteLoss, match="KD tiny_half"):
        run(bad, ctx)
    assert lookup(bad, ctx) is None and lookup(teacher, ctx) is not None


def test_mix_source_concatenates_real_and_synthetic():
    x = torch.randint(0, 256, (20, 2, 4, 4), dtype=torch.uint8)
    g = torch.Generator().manual_seed(0)
    mix = MixSource(TensorSource(x, 5), GeneratorSource(TinyGenerator(), 4, 3))
    mix.start_epoch(g)
    b = mix.draw(g)
    assert b.x.shape == (8, 2, 4, 4) and b.parts == (5, 3) and not b.x.requires_grad
    assert torch.all((b.x >= 0) & (b.x <= 1))


def test_tensor_source_covers_a_pass_then_reshuffles():
    x = torch.arange(12, dtype=torch.uint8).view(12, 1, 1, 1)
    src, g = TensorSource(x, 4, chunk=8), torch.Generator().manual_seed(0)
    src.start_epoch(g)
    seen = torch.cat([src.draw(g).index for _ in range(3)])
    assert sorted(seen.tolist()) == list(range(12))
    assert len(src.draw(g).index) == 4  # a fourth draw starts another pass


def test_a_plan_naming_a_missing_learner_is_one_clear_error():
    learners, sources, plan = adversarial_plan()
    plan[1].learner = "studnet"
    with pytest.raises(ValueError, match="names learner 'studnet'.*learners \\['generator', 'student'\\]"):
        train(learners, sources, plan, epochs=1, steps_per_epoch=1, seed=0, progress=False)


@pytest.mark.parametrize("field,value,words", [
    ("epochs", 0, "an integer ≥ 1"), ("batch_size", 0, "an integer ≥ 1"), ("lr", 1e6, "a finite learning rate"),
    ("lr", float("nan"), "a finite learning rate"), ("lr", -0.1, "a finite learning rate"),
    ("optimizer", "adamw", "one of ['adam', 'sgd']"), ("augment", "bogus", "one of"), ("momentum", 1.5, "[0, 1)"),
])
def test_schedule_is_validated_when_built(field, value, words):
    with pytest.raises(ConfigError) as e:
        Schedule(**{field: value})
    assert str(e.value).startswith(f"Schedule.{field}={value!r} is not allowed") and words in str(e.value)


def test_batch_transform_runs_before_the_objective_so_the_teacher_labels_what_the_student_sees():
    seen = {}
    model = TinyNet()

    def objective(b: Batch):
        seen["x"] = b.x
        return {"zero": model(b.x).sum() * 0}

    x = torch.full((8, 2, 4, 4), 100, dtype=torch.uint8)
    learners = {"m": learner(model, Schedule(epochs=1, batch_size=8, augment="none"), 1, CPU)}
    plan = [Update("u", "m", "d", objective, transform=lambda xb, g: 1 - xb)]
    train(learners, {"d": TensorSource(x, 8)}, plan, epochs=1, steps_per_epoch=1, seed=0, progress=False)
    assert torch.allclose(seen["x"], torch.full_like(seen["x"], 1 - 100 / 255))


def test_a_shared_update_steps_on_the_previous_updates_batch_detached():
    """A joint step (DAFL): the student sees exactly the images the generator update drew, without their graph."""
    learners, sources, _ = adversarial_plan()
    seen = {"generator": [], "student": []}

    def record(name):
        def objective(b: Batch):
            seen[name].append((b.x.detach().clone(), b.x.requires_grad))
            return {f"{name}_loss": b.x.mean() if name == "generator" else learners[name].model(b.x).mean()}
        return objective

    plan = [Update("generator", "generator", "synthetic", record("generator"), grad_through_source=True),
            Update("student", "student", "synthetic", record("student"), repeat=2, shared=True)]
    train(learners, sources, plan, epochs=1, steps_per_epoch=2, seed=0, progress=False)
    assert len(seen["generator"]) == 2 and len(seen["student"]) == 4
    for i, (xg, grad) in enumerate(seen["generator"]):
        assert grad and all(torch.equal(xg, xs) and not g for xs, g in seen["student"][2 * i:2 * i + 2])
    assert not torch.equal(seen["generator"][0][0], seen["generator"][1][0])  # each iteration draws anew
    with pytest.raises(ValueError, match="shared, but no update before it"):
        train(learners, sources, plan[1:], epochs=1, steps_per_epoch=1, seed=0, progress=False)
