"""Fréchet distance between two sets of feature vectors (Heusel et al. 2017, "FID").

    FD = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁ Σ₂)^½)

Paper C Table 2 / Fig. 2 report FID of generated CIFAR-10 images, without saying which samples, which real set or
which generator epoch (specs §1.10 item 14). FID proper uses Inception-v3 pool features of ImageNet-trained
weights, which kdnb cannot download; :func:`frechet_distance` takes any features, and the callers say which
(kdnb's tables label "FID (teacher features)" when the features are the teacher's penultimate layer).

Tr((Σ₁Σ₂)^½) is computed from the eigenvalues of the symmetric PSD matrix Σ₁^½ Σ₂ Σ₁^½ (same spectrum as Σ₁Σ₂), in
float64 — no general matrix square root (pytorch-fid uses ``scipy.linalg.sqrtm``; the test checks we agree).
"""
from __future__ import annotations

import torch


def statistics(features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and (unbiased, as numpy.cov) covariance of features (N, D), in float64."""
    f = features.detach().double()
    if f.dim() != 2 or len(f) < 2:
        raise ValueError(f"features must be (N ≥ 2, D), got {tuple(f.shape)}")
    return f.mean(0), torch.cov(f.T).reshape(f.shape[1], f.shape[1])


def _sqrt_psd(m: torch.Tensor) -> torch.Tensor:
    w, v = torch.linalg.eigh((m + m.T) / 2)
    return (v * w.clamp_min(0).sqrt()) @ v.T


def frechet_distance(mu1, sigma1, mu2, sigma2) -> float:
    """FD of two Gaussians given by their means and covariances."""
    mu1, mu2, s1, s2 = (torch.as_tensor(a, dtype=torch.float64) for a in (mu1, mu2, sigma1, sigma2))
    r = _sqrt_psd(s1)
    cross = torch.linalg.eigvalsh(r @ s2 @ r).clamp_min(0).sqrt().sum()
    return float((mu1 - mu2).square().sum() + torch.trace(s1) + torch.trace(s2) - 2 * cross)


def feature_fid(a: torch.Tensor, b: torch.Tensor) -> float:
    """FD between the feature sets ``a`` (N, D) and ``b`` (M, D)."""
    return frechet_distance(*statistics(a), *statistics(b))


__all__ = ["statistics", "frechet_distance", "feature_fid"]
