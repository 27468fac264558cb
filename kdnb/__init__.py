"""kdnb — a reproducible companion to four knowledge-distillation papers.

Importing kdnb makes ``import torchvision`` safe first (see ``kdnb._torchvision``).
"""
from kdnb._torchvision import import_torchvision as _import_torchvision

_import_torchvision()

__version__ = "0.1.0"
