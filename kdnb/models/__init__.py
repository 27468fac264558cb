"""Model registry. ``build_model(name, num_classes, in_channels, image_size, mean, std)``.

Every model takes images in [0, 1] and normalises inside (as paper A's networks do: ``Sequential(norm, net)``),
so augmentation, sources and the attack all work in pixel space. ``model(x)`` returns logits;
``model(x, features=True)`` returns ``(logits, penultimate_features)``. Generators of data-free distillation
have their own registry (``GENERATORS``, ``kdnb.models.generator``): z → images in [0, 1].
"""
from __future__ import annotations

from kdnb.models.base import MODELS, Normalized, build_model
from kdnb.models.generator import GENERATORS, build_generator
from kdnb.models import small, resnet, wrn, mobilenetv2, inception  # noqa: F401  (each registers its models)

__all__ = ["MODELS", "build_model", "Normalized", "GENERATORS", "build_generator"]
