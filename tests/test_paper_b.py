"""Paper B (Nayak et al., WACV'21): Algorithm 1, the unbalanced baseline, Eq. 2's loss, missing datasets, recipes."""
from __future__ import annotations

import math

import pytest
import torch

from kdnb.selection.class_balanced import compose_balanced, random_subset
from kdnb.sources.streams import NoiseStream, TensorPool
from kdnb.data import DatasetMissing, load_dataset
from kdnb.losses import soft_ce
from kdnb.recipes import paper_b as B
from kdnb.selection import SELECTORS


def _pool(labels):
    """A pool whose 'image' i stores its class in pixel 0: the fake teacher reads it back."""
    x = torch.zeros(len(labels), 1, 2, 2, dtype=torch.uint8)
    x[:, 0, 0, 0] = torch.tensor(labels, dtype=torch.uint8)
    return x


class Teacher:
    def __init__(self):
        self.forwards = 0

    def __call__(self, x):
        self.forwards += len(x)
        return x[:, 0, 0, 0].long()


def test_never_more_than_n_over_c_and_counts_forwards():
    g = torch.Generator().manual_seed(0)
    labels = torch.multinomial(torch.tensor([0.5, 0.3, 0.15, 0.05]), 4000, replacement=True, generator=g).tolist()
    t = Teacher()
    out = compose_balanced([TensorPool(_pool(labels))], t, n=200, num_classes=4, chunk=64)
    assert max(out.class_counts) <= 50 and out.per_class == 50
    assert out.class_counts == torch.bincount(out.labels, minlength=4).tolist()
    assert (out.x[:, 0, 0, 0].long() == out.labels).all()  # the kept images are the ones labelled
    assert t.forwards == out.forwards == out.draws  # one teacher forward per drawn sample, none wasted
    assert out.full and len(out.x) == 200


def test_stops_as_soon_as_every_class_is_full():
    labels = [0, 0, 1, 0, 1, 2, 2, 0, 1, 2] + [0] * 100
    t = Teacher()
    out = compose_balanced([TensorPool(_pool(labels))], t, n=6, num_classes=3, chunk=1000)
    assert out.full and out.class_counts == [2, 2, 2]
    assert out.draws == 7 and t.forwards == 7  # the 7th draw (label 2 at position 6) filled the last class
    assert [i for _, i in out.where] == [0, 1, 2, 4, 5, 6]


def test_exhausted_pools_and_classes_never_predicted_are_reported():
    first, second = _pool([0] * 5 + [1] * 2), _pool([1] * 10)
    t = Teacher()
    out = compose_balanced([TensorPool(first), TensorPool(second)], t, n=12, num_classes=3)
    assert out.class_counts == [4, 4, 0] and not out.full
    assert out.draws_per_pool == [7, 10] and out.kept_per_pool == [6, 2]  # both pools exhausted
    assert out.info()["empty_classes"] == [2] and t.forwards == 17


def test_second_pool_only_used_for_what_the_first_left_short():
    first, second = _pool([0] * 10), _pool([0, 1] * 10)
    out = compose_balanced([TensorPool(first), TensorPool(second)], Teacher(), n=6, num_classes=2)
    # Algorithm 1 exhausts D_1 (class 1 never fills from it) before it moves on to D_2
    assert out.full and out.kept_per_pool == [3, 3] and out.draws_per_pool == [10, 6]


def test_selector_registered_and_baseline_has_equal_size():
    labels = [0] * 60 + [1] * 30 + [2] * 10
    pool = _pool(labels)
    t = Teacher()
    index, info = SELECTORS["class_balanced"](pool, lambda x: torch.nn.functional.one_hot(t(x), 3).float(), 30, 3,
                                              torch.Generator())
    assert info["class_counts"] == [10, 10, 10] and len(index) == 30 and t.forwards == info["draws"]
    base = random_subset([TensorPool(pool[torch.randperm(100)])], len(index))
    assert len(base) == len(index)


def test_noise_stream_is_independent_of_how_it_is_consumed():
    a = NoiseStream("uniform", 1, 4, seed=3, limit=20000)
    b = NoiseStream("uniform", 1, 4, seed=3, limit=20000)
    xa = torch.cat([a.take(7), a.take(9000), a.take(11000)])
    xb = b.take(20000)
    assert len(xa) == 20000 and torch.equal(xa, xb) and len(a.take(5)) == 0
    g = NoiseStream("gaussian", 1, 8, seed=0, limit=4000, mean=0.5, std=0.1).take(4000).float() / 255
    assert abs(g.mean().item() - 0.5) < 0.01 and abs(g.std().item() - 0.1) < 0.01


def test_soft_ce_matches_hand_computation():
    s = torch.tensor([[1.0, 2.0, 0.0]])
    t = torch.tensor([[0.0, 1.0, 3.0]])
    tau = 2.0
    q = torch.softmax(t / tau, 1)
    z = [math.exp(v / tau) for v in (1.0, 2.0, 0.0)]
    log_p = [math.log(v / sum(z)) for v in z]
    expected = -sum(q[0, i].item() * log_p[i] for i in range(3))
    assert soft_ce(s, q, tau).item() == pytest.approx(expected, rel=1e-6)


def test_missing_folder_dataset_says_how_to_get_it(tmp_path):
    for name, word in (("tinyimagenet", "tiny-imagenet-200.zip"), ("clevr", "CLEVR_v1.0"), ("celeba", "CelebA"),
                       ("fruits360", "Fruits-360"), ("midair", "Mid-Air")):
        with pytest.raises(DatasetMissing, match=word):
            load_dataset(name, "train", tmp_path)
    with pytest.raises(DatasetMissing, match="get it with"):
        load_dataset("svhn", "train", tmp_path)


def test_binary_test_set_is_balanced_with_equal_majority_classes():
    d = load_dataset("binary", "test", None, of="digits")
    n_min = int((d.y == 1).sum())
    assert int((d.y == 0).sum()) == 7 * (n_min // 7)


@pytest.mark.parametrize("scale", ["smoke", "lab", "paper"])
def test_recipes_build_configs_for_every_scale(scale):
    from kdnb.runs import config_key

    cells = B.table1_cells(scale)
    cfgs = [B.table1_config(scale, c["target"], c["stimulus"], c["balanced"], c["augment"])[0] for c in cells]
    assert len({config_key(c) for c in cfgs}) == len(cfgs)
    assert all(c.temperature == 20.0 and c.schedule.optimizer == "adam" for c in cfgs)
    assert len(B.fig2_pools(scale)) >= 4
    assert len(B.table2_configs(scale)) >= 3 and len(B.table3_configs(scale)) == 4
    t4 = B.table4_configs(scale)
    assert {c["balanced"] for c in t4} == {False, True} and len(t4) % 2 == 0
    assert len(B.run_noise_readings.__doc__) > 0 and len(B.NOISE_READINGS) >= 3


def test_inception_v3_32px_registered_and_follows_the_model_convention():
    from kdnb.models import build_model

    m = build_model("inception_v3", 100, 3, 32).eval()
    with torch.no_grad():
        logits, feats = m(torch.rand(2, 3, 32, 32), features=True)
    assert logits.shape == (2, 100) and feats.shape == (2, 2048)


def test_cifar10_jpeg_rows_are_their_own_target_with_the_lab_reductions():
    rows = [r for r in B.table1_rows("lab") if r.labels["target_dataset"] == B.JPEG]
    assert len(rows) == len(B.STIMULI) * 4
    noise = [r.config for r in rows if r.labels["stimulus"] == "noise"]
    for c in noise:
        assert dict(c.transfer.teacher.dataset_params)["of"] == "cifar10_jpeg"
        assert (c.transfer.teacher.arch, c.student) == ("alexnet", "alexnet_half")
        assert c.transfer.pools[0].limit == B.LAB_CPU[B.JPEG]["noise_limit"]
        assert c.schedule.epochs == B.LAB_CPU[B.JPEG]["kd_epochs"] and c.transfer.teacher.schedule.epochs == 5
    assert B.JPEG not in {c["target"] for c in B.table1_cells("paper")}  # the paper scale uses the real CIFAR-10
    assert all(k[0] != B.JPEG for k in B.table2_configs("lab"))
