import gzip
import struct

import numpy as np
import pytest
import torch

from kdnb.data import DatasetMissing, load_dataset


def test_digits_is_a_real_ten_class_dataset_with_disjoint_splits():
    tr, te = load_dataset("digits", "train"), load_dataset("digits", "test")
    assert tr.shape == (1, 28, 28) and tr.x.dtype == torch.uint8 and tr.num_classes == 10
    assert len(tr) + len(te) == 1797
    assert set(tr.y.unique().tolist()) == set(range(10)) == set(te.y.unique().tolist())
    assert not (tr.x.flatten(1)[:, None] == te.x.flatten(1)[None, :50]).all(-1).any()


def test_photo_pool_is_deterministic_natural_and_unlabelled():
    a = load_dataset("photos", n=64, seed=1, size=32)
    b = load_dataset("photos", n=64, seed=1, size=32)
    c = load_dataset("photos", n=64, seed=2, size=32)
    assert a.y is None and a.x.shape == (64, 3, 32, 32)
    assert torch.equal(a.x, b.x) and not torch.equal(a.x, c.x)
    assert a.meta["photos"] >= 5
    assert a.x.float().std() > 20  # real photos, not a flat colour


def test_conform_converts_channels_and_size():
    d = load_dataset("photos", n=4, channels=1, size=28)
    assert d.x.shape == (4, 1, 28, 28)


def _write_idx(path, arr, magic):
    with gzip.open(path, "wb") if str(path).endswith(".gz") else open(path, "wb") as f:
        f.write(struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in arr.shape) + arr.tobytes())


def test_real_mnist_loader_reads_torchvision_layout(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for split, n in (("train", 12), ("t10k", 5)):
        _write_idx(raw / f"{split}-images-idx3-ubyte", rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), 2051)
        _write_idx(raw / f"{split}-labels-idx1-ubyte", rng.integers(0, 10, (n,), dtype=np.uint8), 2049)
    tr = load_dataset("mnist", "train", tmp_path)
    te = load_dataset("mnist", "test", tmp_path)
    assert tr.x.shape == (12, 1, 28, 28) and len(te) == 5 and tr.y.dtype == torch.int64


@pytest.mark.parametrize("name,folder", [("mnist", "MNIST"), ("cifar10", "cifar-10-batches-py"), ("svhn", "SVHN")])
def test_missing_dataset_is_one_clear_line(tmp_path, name, folder):
    with pytest.raises(DatasetMissing) as e:
        load_dataset(name, "train", tmp_path / "nowhere", download=False)
    msg = str(e.value)
    assert "\n" not in msg and str(tmp_path / "nowhere") in msg and "download=True" in msg
    assert msg.split()[0].lower().startswith(name[:5])


def test_unknown_dataset_lists_the_known_ones():
    with pytest.raises(KeyError, match="known: .*digits"):
        load_dataset("imagenet-22k")
