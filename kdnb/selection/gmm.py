"""Teacher-driven sample selection with a two-component 1-D Gaussian mixture (Shin & Choi, AAAI'24, δ_τ).

Paper C §"Quality Control via Sample Selection": for each batch, fit a two-component GMM on the per-sample losses
ℓ_i = ℓ_ce(θ_T(x̂_i), y_T(x̂_i)), the cross-entropy between the teacher's output and its own argmax
(= −log max softmax), and keep x̂_i when its posterior under the smaller-mean component G_small exceeds τ
(δ_τ(x̂) = 1 iff Pr(G_small | ℓ) > τ; τ = 0.5).

The official code fits ``sklearn.mixture.GaussianMixture(2, max_iter=10, tol=1e-2, reg_covar=5e-4)`` on the CPU,
on ℓ min-max normalised to [0, 1] (official-code-notes C.3). This module runs the same EM in torch, on the
device, batched over any leading dimensions, with no host synchronisation:

* the same M-step (``nk + 10·eps``, ``reg_covar`` added to each variance) and E-step as scikit-learn;
* scikit-learn's stopping rule (|Δ mean log-likelihood| < tol) kept on the device: the parameters of a batch
  stop changing once it has converged, all ``max_iter`` iterations run (no data-dependent Python branch);
* a deterministic initialisation instead of scikit-learn's unseeded k-means (the code's source of
  non-determinism, specs §1.10 item 13): split at the batch mean, then one M-step on that hard assignment (one
  step of 2-means from the mean split);
* the min-max normalisation guarded: a batch whose losses are all equal keeps every sample (the code divides by
  zero there).

The losses come from logits the step already computed (no second teacher forward, unlike the code's batch-32
re-forward).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

MAX_ITER, TOL, REG_COVAR = 10, 1e-2, 5e-4  # the official code's GaussianMixture settings
TAU = 0.5  # paper C §"Quality Control via Sample Selection"


def confidence_loss(logits: torch.Tensor) -> torch.Tensor:
    """ℓ_ce(θ_T(x̂), y_T(x̂)) per sample: cross-entropy against the argmax = logsumexp − max (detached, float32)."""
    z = logits.detach().float()
    return torch.logsumexp(z, dim=-1) - z.amax(dim=-1)


@dataclass
class Mixture:
    """A fitted two-component mixture per batch: ``means``, ``variances``, ``weights`` of shape (..., 2);
    ``posterior`` (..., N, 2) of each sample; ``converged`` (...,) bool; ``iterations`` run until convergence."""

    means: torch.Tensor
    variances: torch.Tensor
    weights: torch.Tensor
    posterior: torch.Tensor
    converged: torch.Tensor
    iterations: torch.Tensor

    @property
    def small(self) -> torch.Tensor:
        """Index (...,) of the component with the smaller mean: G_small."""
        return self.means.argmin(dim=-1)

    def posterior_small(self) -> torch.Tensor:
        """Pr(G_small | ℓ_i), shape (..., N)."""
        idx = self.small.unsqueeze(-1).unsqueeze(-1).expand(*self.posterior.shape[:-1], 1)
        return self.posterior.gather(-1, idx).squeeze(-1)


def _m_step(v: torch.Tensor, resp: torch.Tensor, reg_covar: float):
    """scikit-learn's ``_estimate_gaussian_parameters`` for 1-D data: v (..., N), resp (..., N, 2)."""
    eps = 10 * torch.finfo(resp.dtype).eps
    nk = resp.sum(dim=-2) + eps
    means = (resp * v.unsqueeze(-1)).sum(dim=-2) / nk
    var = (resp * (v.unsqueeze(-1) - means.unsqueeze(-2)) ** 2).sum(dim=-2) / nk + reg_covar
    return means, var, nk / nk.sum(dim=-1, keepdim=True)


def _e_step(v: torch.Tensor, means, var, weights):
    """Mean log-likelihood (...,) and log responsibilities (..., N, 2)."""
    d = v.unsqueeze(-1) - means.unsqueeze(-2)
    logp = -0.5 * (math.log(2 * math.pi) + var.log().unsqueeze(-2) + d * d / var.unsqueeze(-2))
    logp = logp + weights.log().unsqueeze(-2)
    norm = torch.logsumexp(logp, dim=-1)
    return norm.mean(dim=-1), logp - norm.unsqueeze(-1)


def initial_parameters(v: torch.Tensor, reg_covar: float = REG_COVAR):
    """Deterministic start: split each batch at its mean (G_small below or at it), one M-step on that split."""
    hard = (v > v.mean(dim=-1, keepdim=True)).to(v.dtype)
    return _m_step(v, torch.stack([1 - hard, hard], dim=-1), reg_covar)


def fit(v: torch.Tensor, max_iter: int = MAX_ITER, tol: float = TOL, reg_covar: float = REG_COVAR,
        init=None) -> Mixture:
    """EM for a two-component 1-D GMM on each row of ``v`` (..., N), as ``GaussianMixture(2, max_iter, tol,
    reg_covar).fit(v).predict_proba(v)``; ``init``: (means, variances, weights) to start from."""
    means, var, weights = init if init is not None else initial_parameters(v, reg_covar)
    lower = torch.full(v.shape[:-1], -math.inf, dtype=v.dtype, device=v.device)
    done = torch.zeros(v.shape[:-1], dtype=torch.bool, device=v.device)
    iters = torch.zeros(v.shape[:-1], dtype=torch.long, device=v.device)
    for _ in range(max_iter):
        new_lower, log_resp = _e_step(v, means, var, weights)
        m, s, w = _m_step(v, log_resp.exp(), reg_covar)
        keep = done.unsqueeze(-1)  # a converged batch keeps its parameters (scikit-learn stops there)
        means, var, weights = torch.where(keep, means, m), torch.where(keep, var, s), torch.where(keep, weights, w)
        iters = iters + (~done).long()
        done = done | ((new_lower - lower).abs() < tol)
        lower = torch.where(keep.squeeze(-1), lower, new_lower)
    _, log_resp = _e_step(v, means, var, weights)  # scikit-learn's final E-step: posteriors of the final fit
    return Mixture(means, var, weights, log_resp.exp(), done, iters)


def normalise(losses: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Min-max normalise each row to [0, 1] (the code's preprocessing); also a (...,) flag of rows whose losses
    are all (numerically) equal, which would divide by zero there."""
    lo, hi = losses.amin(dim=-1, keepdim=True), losses.amax(dim=-1, keepdim=True)
    span = hi - lo
    flat = span.squeeze(-1) <= 1e-12 * (1 + hi.abs().squeeze(-1))
    return (losses - lo) / torch.where(span > 0, span, torch.ones_like(span)), flat


def low_loss_posterior(losses: torch.Tensor, **em) -> torch.Tensor:
    """Pr(G_small | ℓ_i) for each sample of each row of ``losses`` (..., N); 1 for every sample of a row whose
    losses are all equal (one component explains it: nothing is less clean than anything else)."""
    v, flat = normalise(losses.detach().float())
    p = fit(v, **em).posterior_small()
    return torch.where(flat.unsqueeze(-1), torch.ones_like(p), p)


def select(losses: torch.Tensor, tau: float = TAU, **em) -> torch.Tensor:
    """δ_τ: a bool mask (..., N), True where Pr(G_small | ℓ_i) > τ."""
    return low_loss_posterior(losses, **em) > tau


__all__ = ["confidence_loss", "Mixture", "fit", "initial_parameters", "normalise", "low_loss_posterior", "select",
           "MAX_ITER", "TOL", "REG_COVAR", "TAU"]
