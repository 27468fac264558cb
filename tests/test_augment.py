"""kdnb.augment: per-image randomness, determinism, and agreement with torchvision's image kernels."""
import kdnb  # noqa: F401  (before torchvision: installs the import shim)
import pytest
import torch
import torch.nn.functional as F
import torchvision.transforms.v2 as T
import torchvision.transforms.v2.functional as TF

from kdnb import augment as A
from kdnb.augment import ops

MEAN = (0.49, 0.48, 0.45)
CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


def images(b=8, c=3, s=32, seed=0, device="cpu"):
    """Smooth-ish random images in [0, 1] (a little structure, like real ones)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(b, c, s, s, generator=g)
    return F.avg_pool2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), 3, 1).to(device)


def gen(seed=0, device="cpu"):
    return torch.Generator(device=device).manual_seed(seed)


def distinct(y):
    return torch.unique(y.flatten(1), dim=0).shape[0]


# ---------------------------------------------------------------------------------------------- regimes


@pytest.mark.parametrize("regime", ["standard", "high", "extreme", "nayak"])
def test_identical_images_get_different_augmentations(regime):
    x = images(1).expand(64, -1, -1, -1).contiguous()
    y = A.build(regime, 32, MEAN)(x, gen())
    assert distinct(y) >= 60  # each image drew its own ops and parameters


def test_none_is_identity_and_unknown_regime_is_a_clear_error():
    x = images()
    assert torch.equal(A.build("none", 32, MEAN)(x, gen()), x)
    with pytest.raises(ValueError, match="unknown augmentation regime 'strong'; choose one of none, standard"):
        A.build("strong", 32, MEAN)


@pytest.mark.parametrize("regime", A.NAMES)
def test_same_seed_same_output_other_seed_other_output(regime):
    x = images(16)
    aug = A.build(regime, 32, MEAN)
    assert torch.equal(aug(x, gen(1)), aug(x, gen(1)))
    if regime != "none":
        assert not torch.equal(aug(x, gen(1)), aug(x, gen(2)))


@pytest.mark.parametrize("regime", A.NAMES)
@pytest.mark.parametrize("c,s", [(3, 32), (1, 28)])
def test_range_shape_dtype_device_preserved(regime, c, s):
    x = images(16, c, s)
    y = A.build(regime, s, MEAN[:c])(x, gen())
    assert y.shape == x.shape and y.dtype == x.dtype and y.device == x.device
    assert y.min() >= 0 and y.max() <= 1
    y16 = A.build(regime, s, MEAN[:c])(x.half(), gen())
    assert y16.dtype == torch.float16 and y16.shape == x.shape


@pytest.mark.parametrize("regime", ["high", "extreme", "nayak"])
def test_subset_path_equals_where_path(regime, monkeypatch):
    """CPU gathers sub-batches, CUDA selects with torch.where: same draws must give the same images."""
    x = images(32)
    monkeypatch.setattr(ops, "SELECT_MODE", "subset")
    a = A.build(regime, 32, MEAN)(x, gen(3))
    monkeypatch.setattr(ops, "SELECT_MODE", "where")
    b = A.build(regime, 32, MEAN)(x, gen(3))
    torch.testing.assert_close(a, b, atol=1e-6, rtol=0)


def test_mean_must_match_the_channels():
    with pytest.raises(ValueError, match="fill/mean has 3 values but the images have 1 channels"):
        A.build("standard", 28, MEAN)(images(4, 1, 28), gen())


def test_standard_padding_scales_with_image_size():
    assert "pad=4" in repr(A.build("standard", 32, MEAN)) and "pad=28" in repr(A.build("high", 224, MEAN))


# ---------------------------------------------------------------------------------------------- RandAugment


@pytest.mark.parametrize("c,s", [(3, 32), (1, 28)])
@pytest.mark.parametrize("m", [14, 30])
@pytest.mark.parametrize("name", A.RANDAUGMENT_OPS)
def test_randaugment_op_equals_torchvision(name, m, c, s):
    """Each op at magnitude bin m, both signs, against torchvision's RandAugment applied to single images."""
    x = images(4, c, s, seed=m)
    sign = torch.tensor([1.0, -1.0, 1.0, -1.0])
    out = A.apply_ops(x, torch.full((4,), A.RANDAUGMENT_OPS.index(name)), sign, m)
    ra = T.RandAugment()
    table, signed = ra._AUGMENTATION_SPACE[name]
    bins = table(31, s, s)
    ref = torch.stack([
        ra._apply_image_or_video_transform(
            x[i], name, 0.0 if bins is None else float(bins[m]) * (float(sign[i]) if signed else 1.0),
            interpolation=ra.interpolation, fill=ra._fill)
        for i in range(4)])
    torch.testing.assert_close(out, ref, atol=1e-6, rtol=0)


def test_randaugment_draws_an_op_per_image_per_slot():
    x = images(1).expand(64, -1, -1, -1).contiguous()
    y = A.rand_augment(x, gen(), num_ops=1, magnitude=14)
    changed = (y != x).flatten(1).any(1)
    assert 0.75 < changed.float().mean() < 1.0  # identity (and no-op draws) for some images only
    assert distinct(y) >= 15  # 14 ops × 2 signs in one slot, not one op for the batch


def test_randaugment_magnitude_outside_the_bins_is_an_error():
    with pytest.raises(ValueError, match="magnitude must be a bin in 0..30"):
        A.rand_augment(images(), gen(), num_ops=2, magnitude=31)


# ---------------------------------------------------------------------------------------------- primitives


@pytest.mark.parametrize("c", [3, 1])
def test_colour_ops_with_per_image_parameters_equal_torchvision(c):
    x = images(4, c, seed=c)
    f = torch.tensor([0.1, 0.7, 1.3, 1.9])
    cases = [(A.adjust_brightness, TF.adjust_brightness, f), (A.adjust_saturation, TF.adjust_saturation, f),
             (A.adjust_contrast, TF.adjust_contrast, f), (A.adjust_sharpness, TF.adjust_sharpness, f),
             (A.posterize, TF.posterize, torch.tensor([1, 3, 5, 8])),
             (A.solarize, TF.solarize, torch.tensor([0.0, 0.3, 0.6, 1.0]))]
    for ours, theirs, p in cases:
        ref = torch.stack([theirs(x[i], p[i].item()) for i in range(4)])
        torch.testing.assert_close(ours(x, p), ref, atol=1e-6, rtol=0, msg=ours.__name__)
    torch.testing.assert_close(A.autocontrast(x), TF.autocontrast(x), atol=1e-6, rtol=0)


def test_hflip_and_invert_equal_torchvision_and_follow_p():
    x = images(4)
    mask = torch.tensor([True, False, True, False])
    ref = torch.stack([TF.horizontal_flip(x[i]) if mask[i] else x[i] for i in range(4)])
    assert torch.equal(A.hflip(x, mask), ref)
    ref = torch.stack([TF.invert(x[i]) if mask[i] else x[i] for i in range(4)])
    assert torch.equal(A.invert(x, mask), ref)
    many = images(1).expand(4000, -1, -1, -1)
    flipped = (A.random_hflip(many, gen(), p=0.5) != many).flatten(1).any(1).float().mean()
    inverted = (A.random_invert(many, gen(), p=0.1) != many).flatten(1).any(1).float().mean()
    assert abs(flipped - 0.5) < 0.04 and abs(inverted - 0.1) < 0.02


def test_pad_crop_equals_torchvision_pad_then_crop():
    x = images(6)
    top, left = torch.tensor([0, 8, 3, 4, 8, 1]), torch.tensor([8, 0, 5, 4, 8, 2])
    out = A.pad_crop(x, 4, top, left, fill=MEAN)
    ref = torch.stack([TF.crop(TF.pad(x[i], [4], fill=list(MEAN)), int(top[i]), int(left[i]), 32, 32)
                       for i in range(6)])
    torch.testing.assert_close(out, ref, atol=0, rtol=0)
    y = A.random_crop(images(1).expand(256, -1, -1, -1), gen(), padding=4, fill=MEAN)
    assert distinct(y) > 50  # 81 possible offsets


def test_erase_equals_torchvision_and_random_erasing_follows_its_defaults():
    x = images(3)
    ref = torch.stack([TF.erase(x[i], i, 2 * i, 5 + i, 7, torch.tensor(0.0)) for i in range(3)])
    assert torch.equal(A.erase(x, torch.arange(3), 2 * torch.arange(3), 5 + torch.arange(3), 7), ref)
    many = torch.ones(2000, 3, 32, 32)
    zero = (A.random_erasing(many, gen()) == 0).all(1).flatten(1).float().mean(1)  # erased area fraction
    assert abs((zero > 0).float().mean() - 0.5) < 0.04  # p = 0.5
    assert zero[zero > 0].min() >= 0.015 and zero.max() <= 0.36  # scale (0.02, 0.33), up to rounding


@pytest.mark.parametrize("fill", [0.0, MEAN])
def test_elastic_equals_torchvision_for_the_same_field(fill):
    x = images(3)
    noise = ops.elastic_noise(x, gen())
    d = ops.blur_displacement(noise, 50.0, 5.0)
    ref_d = TF.gaussian_blur(noise, [41, 41], [5.0, 5.0]) * (50.0 / 32)
    torch.testing.assert_close(d, ref_d.permute(0, 2, 3, 1), atol=1e-6, rtol=0)
    ref = torch.stack([TF.elastic(x[i], d[i:i + 1], fill=list(fill) if isinstance(fill, tuple) else fill)
                       for i in range(3)])
    torch.testing.assert_close(A.elastic(x, d, fill=fill), ref, atol=1e-5, rtol=0)


def test_random_elastic_applies_with_p_and_a_field_per_image():
    x = images(1).expand(400, -1, -1, -1).contiguous()
    y = A.random_elastic(x, gen(), p=0.5)
    changed = (y != x).flatten(1).any(1)
    assert abs(changed.float().mean() - 0.5) < 0.08
    assert distinct(y[changed]) == int(changed.sum())


def test_affine_and_rotate_equal_torchvision_bilinear():
    x = images(3)
    angle, scale, tx, shear = torch.tensor([10.0, -25.0, 3.0]), torch.tensor([0.9, 1.1, 1.0]), \
        torch.tensor([2.0, -3.0, 0.0]), torch.tensor([0.0, 5.0, -8.0])
    out = A.affine(x, angle, (tx, -tx), scale, (shear, 0.0), mode="bilinear", fill=MEAN)
    ref = torch.stack([TF.affine(x[i], float(angle[i]), [float(tx[i]), -float(tx[i])], float(scale[i]),
                                 [float(shear[i]), 0.0], interpolation=T.InterpolationMode.BILINEAR, fill=list(MEAN))
                       for i in range(3)])
    torch.testing.assert_close(out, ref, atol=1e-5, rtol=0)
    ref = torch.stack([TF.rotate(x[i], float(angle[i]), interpolation=T.InterpolationMode.BILINEAR)
                       for i in range(3)])
    torch.testing.assert_close(A.rotate(x, angle, mode="bilinear"), ref, atol=1e-5, rtol=0)


def test_equalize_handles_constant_images_like_torchvision():
    x = torch.cat([images(2), torch.full((1, 3, 32, 32), 0.3), (images(1) > 0.5).float()])
    torch.testing.assert_close(A.equalize(x), TF.equalize(x), atol=1e-6, rtol=0)


# ---------------------------------------------------------------------------------------------- mixup


def test_mixup_mixes_with_a_partner_and_per_image_lambda():
    x = images(32)
    mixed = A.mixup_with_params(x, gen(5))
    w = mixed.lam.view(-1, 1, 1, 1)
    torch.testing.assert_close(mixed.x, (1 - w) * x + w * x[mixed.perm])
    assert torch.equal(A.mixup(x, gen(5)), mixed.x)
    assert sorted(mixed.perm.tolist()) == list(range(32))
    assert distinct(mixed.lam.view(-1, 1)) == 32
    lam = A.mixup_with_params(torch.zeros(20000, 1, 1, 1), gen()).lam
    assert abs(lam.mean() - 0.5) < 0.01 and lam.min() >= 0 and lam.max() <= 1  # U(0, 1)


# ---------------------------------------------------------------------------------------------- Nayak (paper B)


def test_nayak_ops_individually():
    gray = torch.full((512, 1, 28, 28), 0.5)
    noisy = A.nayak(gray, gen(), ops=("gaussian",), combine=False)
    assert abs(float(noisy.std()) - 0.1) < 0.005
    sp = A.nayak(gray, gen(), ops=("salt_pepper",), combine=False)
    assert abs(float((sp != 0.5).float().mean()) - 0.05) < 0.005
    assert set(sp.unique().tolist()) == {0.0, 0.5, 1.0}
    x = images(64)
    rotated = A.nayak(x, gen(), ops=("rotate",), combine=False)
    assert distinct(rotated) == 64
    with pytest.raises(ValueError, match="unknown or empty Nayak ops"):
        A.nayak(x, gen(), ops=("shear",))


def test_nayak_combinations_give_each_image_its_own_subset():
    gray = torch.full((2000, 1, 8, 8), 0.5)
    sub = A.nayak(gray, gen(), ops=("gaussian", "salt_pepper"), p=0.5)
    salted = ((sub == 0) | (sub == 1)).flatten(1).any(1)
    noisy = ((sub != 0.5) & (sub != 0) & (sub != 1)).flatten(1).any(1)
    for both in (True, False):
        for s in (True, False):
            frac = float(((noisy == both) & (salted == s)).float().mean())
            assert 0.15 < frac < 0.35, (both, s, frac)  # ~1/4 each (salt-and-pepper can miss an 8×8 image)
    one = A.nayak(gray, gen(), ops=("gaussian", "salt_pepper"), combine=False)
    assert not (((one != 0.5) & (one != 0) & (one != 1)).flatten(1).any(1) &
                ((one == 0) | (one == 1)).flatten(1).any(1)).any()


# ---------------------------------------------------------------------------------------------- CUDA


@CUDA
@pytest.mark.parametrize("regime", A.NAMES)
def test_cuda_path_has_no_host_sync_and_matches_subsets(regime, monkeypatch):
    x = images(64, device="cuda")
    aug = A.build(regime, 32, MEAN)
    aug(x, gen(0, "cuda"))  # warm-up (lazy CUDA init syncs)
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        y = aug(x, gen(7, "cuda"))
    finally:
        torch.cuda.set_sync_debug_mode("default")
    assert y.device == x.device and y.min() >= 0 and y.max() <= 1
    monkeypatch.setattr(ops, "SELECT_MODE", "subset")
    torch.testing.assert_close(aug(x, gen(7, "cuda")), y, atol=1e-5, rtol=0)
