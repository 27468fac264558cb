"""Import torchvision on machines where its C++ extension does not match torch.

On the project's CPU machines torch is a CPU build while the only torchvision wheel on PyPI is a CUDA build.
Its extension then fails to load, and ``import torchvision`` dies on registering fake kernels for
``torchvision::nms`` ("operator torchvision::nms does not exist"). Defining the two operator schemas that the
import touches (``nms`` and ``qnms``) lets transforms, models and datasets import; ``torchvision.ops`` and
``torchvision.io`` kernels stay unavailable, and kdnb does not use them.

This is the single place that handles it. It acts only when the extension really cannot load, so a normal
install (matching torch and torchvision) is untouched.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys

_SCHEMAS = {
    "nms": "nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
    "qnms": "qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
}
_library = None  # keeps the torch.library.Library alive (its definitions vanish with it)
shim_applied = False


def _extension_loads() -> bool:
    """True if torchvision's compiled extension loads against the installed torch."""
    import torch

    spec = importlib.util.find_spec("torchvision")
    if spec is None or not spec.submodule_search_locations:
        return True  # no torchvision at all: nothing to patch, the import error will say so
    folder = list(spec.submodule_search_locations)[0]
    for name in os.listdir(folder):
        if name.startswith("_C") and name.endswith((".so", ".pyd")):
            try:
                torch.ops.load_library(os.path.join(folder, name))
                return True
            except (OSError, RuntimeError):
                return False
    return False


def _define_missing_schemas() -> None:
    global _library, shim_applied
    import torch

    missing = [op for op in _SCHEMAS if not _has_schema(op)]
    if not missing:
        return
    _library = torch.library.Library("torchvision", "DEF")
    for op in missing:
        _library.define(_SCHEMAS[op])
    shim_applied = True


def _has_schema(op: str) -> bool:
    import torch

    try:
        getattr(torch.ops.torchvision, op).default  # resolving the overload needs the schema
        return True
    except (AttributeError, RuntimeError):
        return False


def import_torchvision():
    """Return the ``torchvision`` module, defining the operator schemas first if its extension cannot load."""
    if "torchvision" in sys.modules:
        return sys.modules["torchvision"]
    if not _extension_loads():
        _define_missing_schemas()
    return importlib.import_module("torchvision")
