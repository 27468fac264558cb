import math

import pytest
import torch

from kdnb.losses import kd_kl, soft_ce, teacher_targets


def test_kd_kl_matches_hand_computation():
    s = torch.tensor([[1.0, 0.0]])
    t = torch.tensor([[0.0, 2.0]])
    T = 2.0
    # softmax at T=2: student [e^.5, e^0]/Σ, teacher [e^0, e^1]/Σ
    ps = [math.exp(0.5) / (math.exp(0.5) + 1), 1 / (math.exp(0.5) + 1)]
    pt = [1 / (1 + math.e), math.e / (1 + math.e)]
    kl = sum(p * (math.log(p) - math.log(q)) for p, q in zip(pt, ps))
    assert kd_kl(s, t, T).item() == pytest.approx(kl * T * T, rel=1e-6)


def test_kd_kl_is_zero_for_equal_logits_and_batch_mean():
    x = torch.randn(5, 10)
    assert kd_kl(x, x, 4.0).item() == pytest.approx(0.0, abs=1e-6)
    a, b = torch.randn(1, 3), torch.randn(1, 3)
    both = kd_kl(torch.cat([a, a]), torch.cat([b, b]), 3.0)
    assert both.item() == pytest.approx(kd_kl(a, b, 3.0).item(), rel=1e-6)


def test_soft_ce_hand_value():
    s = torch.tensor([[0.0, math.log(3.0)]])  # softmax = [1/4, 3/4]
    q = torch.tensor([[0.5, 0.5]])
    expected = -(0.5 * math.log(0.25) + 0.5 * math.log(0.75))
    assert soft_ce(s, q).item() == pytest.approx(expected, rel=1e-6)


def test_teacher_targets_modes():
    t = torch.tensor([[0.0, 3.0, 1.0]])
    assert teacher_targets(t, "onehot", 1.0).tolist() == [[0.0, 1.0, 0.0]]
    sm = teacher_targets(t, "smooth", 1.0, smoothing=0.3)
    assert sm[0].tolist() == pytest.approx([0.1, 0.8, 0.1])
    soft = teacher_targets(t, "soft", 2.0)
    assert soft.sum().item() == pytest.approx(1.0) and soft.argmax().item() == 1
    with pytest.raises(ValueError, match="soft"):
        teacher_targets(t, "hard", 1.0)
