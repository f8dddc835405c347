"""The least-squares problem: sufficient statistics computed once, then loss, gradient, optimum and spectrum.

Every loss and gradient costs O(p²) however many rows the data has.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from gdcore.errors import GdvizInputError, closest_hint

Cost = Literal["mse", "half-mse"]
COST_NAMES: tuple[str, ...] = ("mse", "half-mse")

# Relative size below which an eigenvalue of XᵀX counts as zero (a constant or duplicated feature).
_SINGULAR_RTOL = 1e-10


def design_matrix(features: np.ndarray) -> np.ndarray:
    """X of shape (n, p) = [1 | features]: a leading column of ones, so w = [b, w1, ..., wd]."""
    design = np.empty((features.shape[0], features.shape[1] + 1))
    design[:, 0] = 1.0
    design[:, 1:] = features
    return design


# Products with X = [1 | F] computed from F alone: the n×p design matrix is never built for the full data.
def _gram(features: np.ndarray) -> np.ndarray:
    """XᵀX = [[n, 1ᵀF], [Fᵀ1, FᵀF]]."""
    sums = features.sum(axis=0)
    corner = np.array([[float(features.shape[0])]])
    return np.block([[corner, sums[None, :]], [sums[:, None], features.T @ features]])


def _predict(features: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Xw = b + F w[1:]."""
    return weights[0] + features @ weights[1:]


def _transpose_times(features: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """Xᵀv = [Σv, Fᵀv]."""
    return np.concatenate([[vector.sum()], features.T @ vector])


def cost_scale(cost: str) -> float:
    """s in loss = (s/n) Σ rᵢ²: 1 for the plain MSE, ½ for the half-MSE convention."""
    if cost == "mse":
        return 1.0
    if cost == "half-mse":
        return 0.5
    hint = closest_hint(cost, COST_NAMES)
    raise GdvizInputError(f"unknown cost {cost!r}: choose one of {', '.join(COST_NAMES)}{hint}")


def _read_only(array: np.ndarray) -> np.ndarray:
    array = np.array(array, dtype=float)
    array.setflags(write=False)
    return array


@dataclass(frozen=True)
class Problem:
    """Linear least squares min_w (s/n)‖Xw − y‖² through its sufficient statistics.

    With δ = w − w_ref around a reference point w_ref near the optimum, the loss is exactly
        (s/n) [ ‖Xw_ref − y‖² + 2 gᵀδ + δᵀGδ ],   G = XᵀX,  g = Xᵀ(Xw_ref − y),
    which keeps full accuracy near a perfect fit (no cancellation of wᵀGw − 2wᵀXᵀy + yᵀy).
    """

    gram: np.ndarray  # G = XᵀX, shape (p, p)
    reference: np.ndarray  # w_ref, shape (p,): the least-squares solution
    reference_residual_sq: float  # ‖Xw_ref − y‖²
    reference_gradient: np.ndarray  # g = Xᵀ(Xw_ref − y), shape (p,): ≈ 0
    n_samples: int
    cost: Cost
    features: np.ndarray  # shape (n, d): kept (not copied) only for mini-batch gradients
    target: np.ndarray  # y, shape (n,)

    @classmethod
    def from_data(cls, features: np.ndarray, target: np.ndarray, cost: str = "mse") -> Problem:
        """Build from features (n, d) and target (n,): one O(n·p²) pass, then nothing depends on n."""
        cost_scale(cost)
        features = np.asarray(features, dtype=float)
        target = np.asarray(target, dtype=float)
        gram = _gram(features)
        reference = _refined_least_squares(features, target, gram)
        residual = _predict(features, reference) - target
        return cls(
            gram=_read_only(gram),
            reference=_read_only(reference),
            reference_residual_sq=float(residual @ residual),
            reference_gradient=_read_only(_transpose_times(features, residual)),
            n_samples=int(features.shape[0]),
            cost=cost,  # type: ignore[arg-type]
            features=features,
            target=target,
        )

    @property
    def n_params(self) -> int:
        return int(self.gram.shape[0])

    @property
    def scale(self) -> float:
        """s/n: the loss is scale · ‖Xw − y‖²."""
        return cost_scale(self.cost) / self.n_samples

    def loss(self, weights: np.ndarray) -> np.ndarray:
        """Loss at weights of shape (p,) or (..., p); returns shape () or (...)."""
        delta = np.asarray(weights, dtype=float) - self.reference
        quadratic = np.einsum("...i,ij,...j->...", delta, self.gram, delta)
        linear = 2.0 * delta @ self.reference_gradient
        # Clamp the rounding error of a perfect fit: a sum of squares is never negative.
        return np.maximum(self.scale * (self.reference_residual_sq + linear + quadratic), 0.0)

    def gradient(self, weights: np.ndarray) -> np.ndarray:
        """∇L(w) = 2(s/n) Xᵀ(Xw − y) = 2(s/n) (g + Gδ), shape like weights."""
        delta = np.asarray(weights, dtype=float) - self.reference
        return 2.0 * self.scale * (self.reference_gradient + delta @ self.gram)

    def batch_gradient(self, weights: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Mini-batch gradient 2(s/|B|) X_Bᵀ(X_B w − y_B) over the given row indices."""
        design = design_matrix(self.features[rows])
        residual = design @ weights - self.target[rows]
        return 2.0 * cost_scale(self.cost) / len(rows) * (design.T @ residual)

    @property
    def hessian(self) -> np.ndarray:
        """H = 2(s/n) XᵀX, constant: the loss is a quadratic bowl."""
        return 2.0 * self.scale * self.gram

    @property
    def closed_form(self) -> np.ndarray:
        """The least-squares optimum w* (minimum-norm when XᵀX is singular)."""
        return self.reference

    @property
    def closed_form_loss(self) -> float:
        return float(self.scale * self.reference_residual_sq)

    @property
    def eigenvalues(self) -> np.ndarray:
        """Eigenvalues of the Hessian, ascending, shape (p,)."""
        return np.clip(np.linalg.eigvalsh(self.hessian), 0.0, None)

    @property
    def lambda_max(self) -> float:
        return float(self.eigenvalues[-1])

    @property
    def lambda_min(self) -> float:
        return float(self.eigenvalues[0])

    @property
    def is_singular(self) -> bool:
        """True when XᵀX has a zero eigenvalue: a constant or duplicated feature, or too few rows."""
        return self.lambda_min <= _SINGULAR_RTOL * self.lambda_max

    @property
    def condition_number(self) -> float:
        """κ = λ_max / λ_min of the Hessian; inf when it is singular."""
        return float("inf") if self.is_singular else self.lambda_max / self.lambda_min


def _refined_least_squares(features: np.ndarray, target: np.ndarray, gram: np.ndarray) -> np.ndarray:
    """Solve the normal equations Gw = Xᵀy by least squares (no inverse), then refine once with true residuals.

    One step of iterative refinement w ← w − G⁺Xᵀ(Xw − y) recovers most of the accuracy a direct
    QR/SVD of the n×p matrix would give, at the cost of one pass over the data instead of O(n·p²).
    """
    weights = np.linalg.lstsq(gram, _transpose_times(features, target), rcond=None)[0]
    for _ in range(2):
        residual = _predict(features, weights) - target
        correction = np.linalg.lstsq(gram, _transpose_times(features, residual), rcond=None)[0]
        weights = weights - correction
    return weights
