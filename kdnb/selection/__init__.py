"""Teacher-driven selection of a transfer set from a pool of candidate images.

Rules (``SELECTORS``, used as ``Transfer(select=...)``): ``first`` and ``random`` (no teacher); ``per_class`` and
``longtail`` (equal or long-tailed counts per teacher-predicted class, Frank & Davis Eq. 1 and Table 4;
``kdnb.selection.per_class``); ``class_balanced`` (target-class balancing over ordered pools, Nayak et al.
Algorithm 1; ``kdnb.selection.class_balanced``); ``confident`` (the teacher's n most confident, DFND-style;
``kdnb.selection.confident``). The contract is in ``kdnb.selection.base``.
"""
from __future__ import annotations

from kdnb.selection.base import SELECTORS, Logits, class_counts, relative_entropy
from kdnb.selection import class_balanced, confident, per_class  # noqa: F401  (each registers its rules)

__all__ = ["SELECTORS", "Logits", "class_counts", "relative_entropy"]
