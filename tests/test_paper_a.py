"""Paper A's data half: selection (§3.2 Eq. 1), Table 4's subsets, relative entropy (Table 3), the ImageNet split
(§3.1) and the recipes of notebooks 10–16."""
import math

import pytest
import torch

import kdnb.data.imagenet_split as ins
import kdnb.selection.per_class as sa
from kdnb.selection import SELECTORS, class_counts, relative_entropy


def _pool_with_classes(labels):
    """A fake pool whose 'teacher' predicts ``labels[i]`` for image i (the class is stored in the pixels): its
    logits are one-hot, so their argmax is the stored class."""
    y = torch.as_tensor(labels, dtype=torch.uint8)
    pool = y.view(-1, 1, 1, 1).expand(-1, 1, 2, 2).contiguous()
    return pool, lambda x: torch.nn.functional.one_hot(x[:, 0, 0, 0].long(), 256).float()


def _select(name, labels, n, c=4, seed=0, **kw):
    pool, logits = _pool_with_classes(labels)
    idx, info = SELECTORS[name](pool, logits, n, c, torch.Generator().manual_seed(seed), **kw)
    return idx, logits(pool[idx]).argmax(1), info


def test_per_class_takes_n_i_per_predicted_class():
    labels = [0] * 50 + [1] * 30 + [2] * 40 + [3] * 20
    idx, pred, info = _select("per_class", labels, 40)
    assert class_counts(pred, 4) == [10, 10, 10, 10]
    assert len(set(idx.tolist())) == 40  # enough of every class: no image twice
    assert info["predicted_classes"] == 4 and info["replicated_classes"] == []


def test_per_class_skips_unpredicted_classes_and_redistributes():
    labels = [0] * 50 + [2] * 50  # classes 1 and 3 never predicted
    _, pred, info = _select("per_class", labels, 41)
    counts = class_counts(pred, 4)
    assert counts[1] == counts[3] == 0
    assert sorted(counts) == [0, 0, 20, 21]  # 41 over the 2 predicted classes, remainder to one of them
    assert info["per_class"][1] == 0


def test_per_class_replicates_rare_classes():
    labels = [0] * 100 + [1] * 3 + [2] * 100 + [3] * 100
    idx, pred, info = _select("per_class", labels, 40)
    assert class_counts(pred, 4) == [10, 10, 10, 10]
    rare = idx[pred == 1].tolist()
    assert set(rare) == {100, 101, 102}  # all three rare images, replicated
    assert sorted(rare.count(i) for i in (100, 101, 102)) == [3, 3, 4]
    assert info["replicated_classes"] == [1]


def test_per_class_selection_is_seeded():
    labels = [i % 4 for i in range(200)]
    a, _, _ = _select("per_class", labels, 40, seed=1)
    b, _, _ = _select("per_class", labels, 40, seed=1)
    c, _, _ = _select("per_class", labels, 40, seed=2)
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_longtail_counts_sum_and_ratio():
    counts = sa.longtail_counts(20_000, 10, ratio=10)
    assert sum(counts) == 20_000
    assert counts == sorted(counts, reverse=True)
    assert counts[0] <= 5_000  # fits CIFAR-10's 5,000 images per class (why ρ = 10)
    assert counts[0] / counts[-1] == pytest.approx(10, rel=0.01)


def test_longtail_vs_balanced_subsets():
    labels = [i % 10 for i in range(5_000)]  # 500 per class
    _, pred_lt, info = _select("longtail", labels, 2_000, c=10)
    _, pred_b, _ = _select("per_class", labels, 2_000, c=10)
    lt, bal = class_counts(pred_lt, 10), class_counts(pred_b, 10)
    assert sum(lt) == sum(bal) == 2_000
    assert bal == [200] * 10
    assert sorted(lt, reverse=True) == sa.longtail_counts(2_000, 10, 10)
    assert max(lt) / min(lt) == pytest.approx(10, rel=0.02)
    assert relative_entropy(lt) < relative_entropy(bal) == pytest.approx(1.0)
    assert info["longtail_ratio"] == 10


def test_relative_entropy_hand_computed():
    assert relative_entropy([5, 5, 5, 5]) == pytest.approx(1.0)
    assert relative_entropy([7, 0, 0, 0]) == pytest.approx(0.0)
    assert relative_entropy([1, 1, 0, 0]) == pytest.approx(0.5)  # log 2 / log 4
    p = [0.5, 0.25, 0.25]  # H = 1.5 bits, log2(3) bits for uniform
    assert relative_entropy([2, 1, 1]) == pytest.approx(1.5 / math.log2(3))
    assert relative_entropy([3, 1]) == pytest.approx(-(0.75 * math.log(0.75) + 0.25 * math.log(0.25)) / math.log(2))
    del p


def test_imagenet_split_disjoint_and_named():
    names = ins.imagenet_names()
    assert len(names) == 1000
    for t in ("cifar10", "cifar100", "fgvca", "pets", "eurosat"):
        ood = set(ins.ood_classes(t))
        idc = ins.id_classes(t)
        assert ood, t
        if idc is not None:
            assert not (set(idc) & ood), t
            assert len(ood) + len(idc) <= 1000
        for i, name in ins.entry(t)["ood_exclude_extra"]:
            assert names[i] == name  # the data file's names agree with the index order
    m = ins.id_map("C10")
    assert set(m) == {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}
    assert names[m["horse"][0]] == "sorrel" and all(m.values())
    assert ins.id_classes("C100") is None and ins.id_classes("EuroSAT") is None and ins.id_classes("Tiny") is None
    assert len(ins.id_classes("FGVCA")) == 3  # airliner, warplane, wing: ~3,900 images as the paper says


def test_imagenet_missing_is_one_clear_line(tmp_path):
    from kdnb.data import DatasetMissing, load_dataset

    with pytest.raises(DatasetMissing, match="ImageNet not found"):
        load_dataset("imagenet_ood", "train", tmp_path, teacher="cifar10")
    with pytest.raises(DatasetMissing):
        ins.ood_classes("tiny", wnids=None, data_root=tmp_path)


@pytest.mark.parametrize("scale", ["smoke", "lab", "paper"])
def test_recipes_build_configs_at_every_scale(scale):
    from kdnb.recipes import paper_a as A
    from kdnb.runs import config_key

    t1 = A.table1_configs(scale)
    keys = {config_key(c) for *_, c in t1}
    assert len(keys) == len(t1)
    assert all(c.temperature == (20.0 if d in ("OpenGL", "Leaves", "Noise", "FGVCA", "Pets", "EuroSAT", "Food") else 2.0)
               for _, _, d, c in t1)
    assert all((c.schedule.augment == "high") == (d in ("OpenGL", "Leaves", "Noise")) for _, _, d, c in t1)
    assert all(c.schedule.mixup for *_, c in t1)
    assert len(A.table3_configs(scale)) >= 5
    t4 = A.table4_configs(scale)
    assert len(t4) == 14
    sub = [c for e, _, c in t4 if e.startswith("20K")]
    assert {c.transfer.select for c in sub} == {"longtail", "per_class"}
    assert len(A.table5_configs(scale)) == 16
    assert len(A.table2_rows(scale)) == 24
    for d in A.FIG2_DISTS:
        assert A.fig2_distillation(scale, d).student == "toy2d"
    if scale == "paper":
        assert len(t1) == 6 * 2 * 12 - 3 * 2  # Table 1 minus the '-' IN-ID cells
        assert {c.teacher.arch for *_, c in t1} == {"resnet50"}
        assert max(c.transfer.n for *_, c in t1) == 50_000
        assert all(c.schedule.epochs == 400 for *_, c in t1)


def test_fig2_student_seeds_share_one_teacher_and_seed_0_is_the_figure_s_student():
    from kdnb.recipes import paper_a as A

    rows = A.fig2_seed_rows("lab")
    assert len(rows) == len(A.FIG2_DISTS) * len(A.FIG2_STUDENT_SEEDS["lab"])
    assert {r.config.teacher for r in rows} == {A.fig2_teacher("lab", 0)}
    figure = {r.key: r.config for r in A.fig2_rows("lab")}
    for r in rows:
        d, ss = r.key
        assert r.config.seed == ss and r.config.transfer.seed == ss
        assert (r.config == figure[d]) == (ss == 0)  # seed 0 is a cache hit of notebook 16's own student


def test_fig2_spread_is_mean_and_sample_std_over_the_seeds_that_ran():
    import pandas as pd
    from kdnb.recipes.paper_a import fig2_spread

    runs = pd.DataFrame({"distillation_dataset": ["OpenGL"] * 3 + ["Noise"] * 2,
                         "accuracy": [40.0, 44.0, 48.0, 20.0, float("nan")]})
    s = fig2_spread(runs).set_index("distillation_dataset")
    assert s.loc["OpenGL", "mean"] == pytest.approx(44.0) and s.loc["OpenGL", "std"] == pytest.approx(4.0)
    assert s.loc["OpenGL", "seeds"] == 3 and s.loc["Noise", "seeds"] == 1


def test_the_cifar10_jpeg_teacher_is_paper_b_s_and_never_labelled_cifar10():
    from kdnb.recipes import paper_a as A
    from kdnb.recipes import paper_b as B

    rows = [(t, d, c) for t, d, c in A.table3_configs("lab") if t == A.JPEG]
    assert rows and all(c.teacher == B.teacher("lab", B.JPEG) for _, _, c in rows)
    assert dict(rows[0][2].teacher.dataset_params)["of"] == "cifar10_jpeg"
    original = [c for _, d, c in rows if d == "Original"]
    assert len(original) == 1 and original[0].transfer.source == "dataset:cifar10_jpeg"
    assert not any(d in ("C10", "MNIST", "FashionMNIST") for _, d, _ in rows)
    assert all(t != A.JPEG for t, *_ in A.table1_configs("lab"))  # no students at lab
