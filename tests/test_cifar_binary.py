"""CIFAR-10's official binary layout (``kdnb.data.cifar_binary``): the reader, ``cifar10``'s fallback to it, and the
lossy copy ``cifar10_jpeg`` that no ``cifar10`` lookup may ever pick up. All on tiny files written here."""
import os
from pathlib import Path

import numpy as np
import pytest
import torch

from kdnb.data import DATASETS, DatasetMissing, load_dataset
from kdnb.data import cifar_binary as cb
from kdnb.data.real import _as_imageset

CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def _images(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, 3, 32, 32), dtype=np.uint8)


def _write(folder: Path, files: dict[str, tuple[np.ndarray, np.ndarray]], readme: str | None = None) -> Path:
    """Binary-layout files: per record 1 label byte, then the R, G, B planes, row-major (written by hand)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, (labels, images) in files.items():
        with open(folder / name, "wb") as f:
            for lab, img in zip(labels, images):
                f.write(bytes([int(lab)]))
                for c in range(3):
                    f.write(bytes(int(v) for v in img[c].reshape(-1)))
    (folder / "batches.meta.txt").write_text("\n".join(CLASSES) + "\n\n")
    if readme is not None:
        (folder / "README.txt").write_text(readme)
    return folder


def _full_set(folder: Path, per_file: int = 3, readme: str | None = None):
    files = {f"data_batch_{i}.bin": (np.arange(per_file) + i, _images(per_file, i)) for i in range(1, 6)}
    files["test_batch.bin"] = (np.array([9, 0, 4, 7][:per_file + 1]), _images(per_file + 1, 99))
    _write(folder, files, readme)
    return files


def test_record_layout_is_label_then_r_g_b_planes_row_major(tmp_path):
    img = np.zeros((1, 3, 32, 32), np.uint8)
    img[0, 0] = 10  # R plane
    img[0, 1] = 20  # G plane
    img[0, 2] = 30  # B plane
    img[0, 0, 1, 2] = 255  # R at row 1, column 2: byte 1 + 1*32 + 2 of the record
    folder = _write(tmp_path / "b", {"test_batch.bin": (np.array([7]), img)})
    raw = (folder / "test_batch.bin").read_bytes()
    assert len(raw) == cb.RECORD and raw[0] == 7 and raw[1 + 32 + 2] == 255 and raw[1 + 1024] == 20
    x, y = cb.read_records(folder / "test_batch.bin")
    assert x.shape == (1, 3, 32, 32) and x.dtype == np.uint8 and y.tolist() == [7]
    assert x[0, 0, 1, 2] == 255 and x[0, 0, 0, 0] == 10 and (x[0, 1] == 20).all() and (x[0, 2] == 30).all()


def test_train_is_batches_1_to_5_in_order_and_matches_the_pickle_loaders_layout(tmp_path):
    files = _full_set(tmp_path / cb.BINARY_FOLDER)
    tr = load_dataset("cifar10", "train", tmp_path)
    te = load_dataset("cifar10", "test", tmp_path)
    assert tr.name == "cifar10-train" and tr.classes == CLASSES and te.classes == CLASSES
    assert tr.x.dtype == torch.uint8 and tr.x.shape == (15, 3, 32, 32) and tr.y.dtype == torch.int64
    assert tr.y.tolist() == [1, 2, 3, 2, 3, 4, 3, 4, 5, 4, 5, 6, 5, 6, 7]
    expect = np.concatenate([files[f"data_batch_{i}.bin"][1] for i in range(1, 6)])
    assert torch.equal(tr.x, torch.from_numpy(expect))
    assert te.y.tolist() == [9, 0, 4, 7] and torch.equal(te.x, torch.from_numpy(files["test_batch.bin"][1]))
    # torchvision's CIFAR10 returns (N, H, W, C) from the same R/G/B planes; kdnb's pickle path turns that into
    # (N, C, H, W): the binary path gives the very same tensor.
    hwc = expect.transpose(0, 2, 3, 1)
    assert torch.equal(_as_imageset("cifar10-train", hwc, tr.y.numpy(), CLASSES).x, tr.x)


def test_cifar10_jpeg_reads_its_own_folder_with_its_display_name(tmp_path):
    _full_set(tmp_path / cb.LOSSY_FOLDER)
    d = load_dataset("cifar10_jpeg", "test", tmp_path, verify=False)
    assert d.name == "cifar10_jpeg-test" and d.x.shape == (4, 3, 32, 32) and d.y.tolist() == [9, 0, 4, 7]
    assert d.meta["display_name"] == "CIFAR-10 (JPEG copy)" == cb.display_name(d) == cb.display_name("cifar10_jpeg")
    assert d.meta["lossy"] is True
    assert cb.display_name("cifar10") == "CIFAR-10" and cb.display_name("mnist") == "mnist"
    assert DATASETS["cifar10_jpeg"].__doc__.startswith("CIFAR-10 (JPEG copy)")
    few = load_dataset("cifar10_jpeg", "test", tmp_path, verify=False, exclude_classes=("truck",))
    assert few.y.tolist() == [0, 4, 7] and few.meta["display_name"] == "CIFAR-10 (JPEG copy)"
    # conform keeps the label
    assert load_dataset("cifar10_jpeg", "test", tmp_path, verify=False, channels=1).meta["lossy"] is True


def test_cifar10_jpeg_checks_the_readme_md5s(tmp_path):
    _full_set(tmp_path / cb.LOSSY_FOLDER)
    with pytest.raises(DatasetMissing) as e:
        load_dataset("cifar10_jpeg", "test", tmp_path)
    msg = str(e.value)
    assert "\n" not in msg and "md5" in msg and "test_batch.bin" in msg and msg.startswith("cifar10_jpeg")


def test_cifar10_never_resolves_to_the_jpeg_copy(tmp_path):
    _full_set(tmp_path / cb.LOSSY_FOLDER)  # only the lossy copy is there
    with pytest.raises(DatasetMissing) as e:
        load_dataset("cifar10", "train", tmp_path)
    assert "cifar-10-batches-py" in str(e.value) and "cifar-10-batches-bin)" in str(e.value)


def test_cifar10_refuses_a_lossy_copy_renamed_to_the_official_folder(tmp_path, monkeypatch):
    _full_set(tmp_path / "a" / cb.BINARY_FOLDER, readme="CIFAR-10 ...\n*** LOSSY: NOT pixel-exact ***\n")
    with pytest.raises(DatasetMissing, match="lossy JPEG copy.*cifar10_jpeg"):
        load_dataset("cifar10", "test", tmp_path / "a")
    _full_set(tmp_path / "b" / cb.BINARY_FOLDER)  # no README, but a file's md5 is one of the copy's
    monkeypatch.setitem(cb.LOSSY_MD5, "test_batch.bin", cb.md5(tmp_path / "b" / cb.BINARY_FOLDER / "test_batch.bin"))
    with pytest.raises(DatasetMissing, match="lossy JPEG copy"):
        load_dataset("cifar10", "train", tmp_path / "b")


def test_missing_and_truncated_files_are_one_clear_line(tmp_path):
    with pytest.raises(DatasetMissing) as e:
        load_dataset("cifar10_jpeg", "train", tmp_path / "nowhere")
    msg = str(e.value)
    assert "\n" not in msg and str(tmp_path / "nowhere" / cb.LOSSY_FOLDER) in msg and "no such folder" in msg
    assert "not downloadable" in msg and "README.txt" in msg
    folder = tmp_path / cb.BINARY_FOLDER
    _full_set(folder)
    (folder / "data_batch_3.bin").unlink()
    with pytest.raises(DatasetMissing, match=r"^CIFAR10 \(binary version\) not found .*data_batch_3.bin absent"):
        load_dataset("cifar10", "train", tmp_path)
    assert len(load_dataset("cifar10", "test", tmp_path)) == 4  # the test split does not need it
    with open(folder / "test_batch.bin", "ab") as f:
        f.write(b"\0" * 10)
    with pytest.raises(DatasetMissing, match="unreadable.*whole number") as e:
        load_dataset("cifar10", "test", tmp_path)
    assert "\n" not in str(e.value)


def test_a_label_beyond_the_class_names_is_refused(tmp_path):
    _write(tmp_path / cb.LOSSY_FOLDER, {"test_batch.bin": (np.array([10]), _images(1, 0))})
    with pytest.raises(DatasetMissing, match="label 10"):
        load_dataset("cifar10_jpeg", "test", tmp_path, verify=False)


SHARED = Path(os.environ.get("KDNB_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


@pytest.mark.skipif(not (SHARED / cb.LOSSY_FOLDER).is_dir(), reason="the shared lossy CIFAR-10 copy is not here")
def test_the_shared_lossy_copy_loads_as_cifar10_jpeg_only():
    te = load_dataset("cifar10_jpeg", "test", SHARED)  # md5s checked
    assert te.x.shape == (10_000, 3, 32, 32) and te.classes == CLASSES
    assert torch.bincount(te.y).tolist() == [1000] * 10
    assert te.meta["display_name"] == "CIFAR-10 (JPEG copy)"
    assert cb.is_lossy_copy(SHARED / cb.LOSSY_FOLDER)
    assert not (SHARED / cb.BINARY_FOLDER).exists() or not cb.is_lossy_copy(SHARED / cb.BINARY_FOLDER)
