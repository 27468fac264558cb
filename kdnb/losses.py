"""Distillation losses. Each returns a scalar; objectives combine them into a dict of named terms
(mdistiller's convention), so logs and ablations fall out of the same step."""
from __future__ import annotations

import torch
import torch.nn.functional as F


def kd_kl(student_logits: torch.Tensor, teacher_logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """Hinton et al. 2015 / paper A Eq. 2: τ² · KL(p_T ‖ p_S) with both softmaxes at temperature τ, batch mean.

    The τ² factor keeps gradient magnitudes comparable across temperatures (Hinton §2; the official code of
    paper A multiplies by τ² too — official-code notes A.4).
    """
    t = temperature
    log_ps = F.log_softmax(student_logits.float() / t, dim=1)
    log_pt = F.log_softmax(teacher_logits.float() / t, dim=1)
    return (log_pt.exp() * (log_pt - log_ps)).sum(dim=1).mean() * t * t


def soft_ce(student_logits: torch.Tensor, target_probs: torch.Tensor, temperature: float = 1.0) -> torch.Tensor:
    """Cross-entropy −Σ q log p_S(τ) against given target probabilities q (paper B Eq. 2 with q = p_T(τ))."""
    log_ps = F.log_softmax(student_logits.float() / temperature, dim=1)
    return -(target_probs.float() * log_ps).sum(dim=1).mean()


def teacher_targets(teacher_logits: torch.Tensor, mode: str, temperature: float, smoothing: float = 0.1) -> torch.Tensor:
    """The teacher's supervision as probabilities (paper A Table 4): 'soft' = softmax(t/τ); 'onehot' = argmax;
    'smooth' = argmax with label smoothing ε (uniform mass ε spread over all classes)."""
    if mode == "soft":
        return F.softmax(teacher_logits.float() / temperature, dim=1)
    onehot = F.one_hot(teacher_logits.argmax(1), teacher_logits.shape[1]).float()
    if mode == "onehot":
        return onehot
    if mode == "smooth":
        return onehot * (1 - smoothing) + smoothing / teacher_logits.shape[1]
    raise ValueError(f"teacher target mode must be 'soft', 'onehot' or 'smooth', got {mode!r}")
