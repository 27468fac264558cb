import pytest
import torch

from kdnb.models import MODELS, build_model

GREY = ("lenet5", "lenet5_half", "lenet5_bn", "toy2d", "tiny", "tiny_half")


@pytest.mark.parametrize("name", MODELS.names())
def test_every_registered_model_builds_and_returns_logits_and_features(name):
    c, s = (1, 28) if name in GREY else (3, 32)
    model = build_model(name, num_classes=7, in_channels=c, image_size=s).eval()
    x = torch.rand(2, c, s, s)
    logits, feats = model(x, features=True)
    assert logits.shape == (2, 7)
    assert feats.dim() == 2 and feats.shape[0] == 2
    assert torch.allclose(model(x), logits)
    if name == "toy2d":
        assert feats.shape[1] == 2  # paper A Fig. 2: a 2-D feature space


def test_normalisation_is_inside_the_model():
    m = build_model("tiny", 10, 1, 28, mean=(0.25,), std=(0.5,))
    assert m.mean.item() == 0.25 and m.std.item() == 0.5
    # a net with identical weights but fed pre-normalised input gives the same logits
    x = torch.rand(3, 1, 28, 28)
    assert torch.allclose(m(x), m.net((x - 0.25) / 0.5))


def test_unknown_model_is_a_clear_error():
    with pytest.raises(KeyError, match="unknown model 'resnet9000'"):
        build_model("resnet9000", 10)
