"""The least-squares problem: sufficient statistics computed once, then loss, gradient, optimum and spectrum.

Every loss and gradient costs O(p²) however many rows the data has.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Literal

import numpy as np

from gdcore.errors import GdvizInputError, closest_hint
from gdcore.statistics import Moments

if TYPE_CHECKING:
    from gdcore.datasets import Dataset

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


def _solve_slopes(scatter_xx: np.ndarray, scatter_xy: np.ndarray) -> np.ndarray:
    """The slopes w minimising Σ((y − ȳ) − (x − x̄)ᵀw)²: Sxx w = Sxy by least squares (minimum-norm when singular).

    The caller has checked that the sums are finite; LAPACK's rare non-convergence is still a one-line error.
    """
    with _converging():
        return np.linalg.lstsq(scatter_xx, scatter_xy, rcond=None)[0]


@contextmanager
def _converging() -> Iterator[None]:
    """LAPACK's rare non-convergence (on finite, checked input) as one line: LinAlgError never escapes."""
    try:
        yield
    except np.linalg.LinAlgError as error:
        raise GdvizInputError(f"the linear algebra of this data did not converge ({error}): "
                              "rescale the columns (for example, standardize them)") from None


def _gram_from_moments(n: int, mean: np.ndarray, scatter_xx: np.ndarray) -> np.ndarray:
    """XᵀX = [[n, n x̄ᵀ], [n x̄, Sxx + n x̄x̄ᵀ]] for X = [1 | F]."""
    d = mean.shape[0]
    gram = np.empty((d + 1, d + 1))
    gram[0, 0] = n
    gram[0, 1:] = gram[1:, 0] = n * mean
    gram[1:, 1:] = scatter_xx + n * np.outer(mean, mean)
    return gram


def _is_singular(n: int, scatter_xx: np.ndarray, largest: np.ndarray) -> bool:
    """True when [1 | F] has dependent columns: fewer rows than parameters, a constant feature (std ≤ 1e-12·max|x|),
    or features whose correlation matrix has an eigenvalue ≤ _SINGULAR_RTOL × its largest (a duplicated feature).

    Judged on the centred features, so data far from the origin (x = 1e8 + i) is ill-conditioned, not singular.
    """
    d = scatter_xx.shape[0]
    if n <= d:
        return True
    std = np.sqrt(np.clip(np.diag(scatter_xx), 0.0, None) / n)
    if np.any(std <= 1e-12 * largest) or not np.all(std > 0):
        return True
    correlation = scatter_xx / np.outer(std, std) / n
    with _converging():
        eigenvalues = np.linalg.eigvalsh(correlation)
    return bool(eigenvalues[0] <= _SINGULAR_RTOL * eigenvalues[-1])


def _factor(n: int, mean: np.ndarray, scatter_xx: np.ndarray) -> np.ndarray:
    """B = [[√n, √n x̄ᵀ], [0, Sxx^½]], so that BᵀB = [[n, n x̄ᵀ], [n x̄, n x̄x̄ᵀ + Sxx]] = XᵀX.

    Sxx^½ = V diag(√λ) Vᵀ from Sxx's eigen-decomposition (its rounding-negative eigenvalues clipped to 0).
    """
    d = mean.shape[0]
    with _converging():
        values, vectors = np.linalg.eigh(scatter_xx)
    factor = np.zeros((d + 1, d + 1))
    factor[0, 0] = math.sqrt(n)
    factor[0, 1:] = math.sqrt(n) * mean
    factor[1:, 1:] = (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T
    return factor


@dataclass(frozen=True)
class Problem:
    """Linear least squares min_w (s/n)‖Xw − y‖² through its sufficient statistics.

    With δ = w − w_ref around a reference point w_ref near the optimum, the loss is exactly
        (s/n) [ ‖Xw_ref − y‖² + 2 gᵀδ + δᵀGδ ],   G = XᵀX,  g = Xᵀ(Xw_ref − y),
    which keeps full accuracy near a perfect fit (no cancellation of wᵀGw − 2wᵀXᵀy + yᵀy). The quadratic term is
    evaluated in centred form, δᵀGδ = n(δ_b + x̄ᵀδ_w)² + δ_wᵀ Sxx δ_w = ‖Bδ‖², so data far from the origin stays
    accurate.
    """

    gram: np.ndarray  # G = XᵀX, shape (p, p)
    reference: np.ndarray  # w_ref, shape (p,): the least-squares solution
    reference_residual_sq: float  # ‖Xw_ref − y‖²
    reference_gradient: np.ndarray  # g = Xᵀ(Xw_ref − y), shape (p,): ≈ 0
    n_samples: int
    cost: Cost
    feature_mean: np.ndarray  # x̄, shape (d,)
    scatter: np.ndarray  # Sxx = Σ(x − x̄)(x − x̄)ᵀ, shape (d, d)
    is_singular: bool  # a constant or duplicated feature, or too few rows (see _is_singular)
    factor: np.ndarray  # B of shape (p, p) with BᵀB = G, built from centred sums (see _factor)
    features: np.ndarray | None = None  # shape (n, d): the rows, kept (not copied) only for mini-batch gradients
    target: np.ndarray | None = None  # y, shape (n,); None with the features when the rows were not kept

    @classmethod
    def from_data(cls, features: np.ndarray, target: np.ndarray, cost: str = "mse") -> Problem:
        """Build from features (n, d) and target (n,): one O(n·p²) pass, then nothing depends on n."""
        features = np.asarray(features, dtype=float)
        target = np.asarray(target, dtype=float)
        moments = Moments.of(np.column_stack([features, target]))
        names = (*(f"x{j}" for j in range(1, features.shape[1] + 1)), "y")
        return cls.from_statistics(moments, cost, rows=(features, target), names=names)

    @classmethod
    def from_dataset(cls, dataset: Dataset, cost: str = "mse") -> Problem:
        """The problem of all the dataset's rows (its statistics), with the rows themselves when it kept them."""
        rows = (dataset.features, dataset.target) if dataset.rows_kept else None
        return cls.from_statistics(dataset.statistics, cost, rows=rows,
                                   names=(*dataset.feature_names, dataset.target_name))

    @classmethod
    def from_statistics(cls, moments: Moments, cost: str = "mse",
                        rows: tuple[np.ndarray, np.ndarray] | None = None,
                        names: tuple[str, ...] | None = None) -> Problem:
        """Build from the moments of the columns [x1, ..., xd, y] (see gdcore.statistics): O(p³), whatever n is.

        rows: the features (n, d) and target (n,) the moments describe, when they were kept: they refine the
        solution with true residuals and allow mini-batch gradients.
        """
        cost_scale(cost)
        d = moments.k - 1
        moments.check_scale(names or (*(f"x{j}" for j in range(1, d + 1)), "y"))
        n, mean, scatter = moments.n, moments.mean, moments.scatter
        scatter_xx, scatter_xy, scatter_yy = scatter[:d, :d], scatter[:d, d], float(scatter[d, d])
        slopes = _solve_slopes(scatter_xx, scatter_xy)
        # b = ȳ − x̄ᵀw puts the residuals' mean at 0, so Σr² = Syy − 2wᵀSxy + wᵀSxx w and g = [0, Sxx w − Sxy].
        reference = np.concatenate([[mean[d] - mean[:d] @ slopes], slopes])
        residual_sq = max(scatter_yy - slopes @ (2.0 * scatter_xy - scatter_xx @ slopes), 0.0)
        gradient = np.concatenate([[0.0], scatter_xx @ slopes - scatter_xy])
        if rows is not None:
            reference, residual_sq, gradient = _refine(rows[0], rows[1], reference, mean[:d], scatter_xx)
        factor = _factor(n, mean[:d], scatter_xx)
        singular = _is_singular(n, scatter_xx, moments.largest[:d])
        if singular:
            reference = _minimum_norm(factor, reference)
        return cls(
            gram=_read_only(_gram_from_moments(n, mean[:d], scatter_xx)),
            reference=_read_only(reference),
            reference_residual_sq=float(residual_sq),
            reference_gradient=_read_only(gradient),
            n_samples=n,
            cost=cost,  # type: ignore[arg-type]
            feature_mean=_read_only(mean[:d]),
            scatter=_read_only(scatter_xx),
            is_singular=singular,
            factor=_read_only(factor),
            features=None if rows is None else rows[0],
            target=None if rows is None else rows[1],
        )

    @property
    def n_params(self) -> int:
        return int(self.gram.shape[0])

    @property
    def has_rows(self) -> bool:
        """True when the rows were kept: mini-batch gradients need them."""
        return self.features is not None

    @property
    def scale(self) -> float:
        """s/n: the loss is scale · ‖Xw − y‖²."""
        return cost_scale(self.cost) / self.n_samples

    def _gram_times(self, delta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(Gδ, δᵀGδ) = (Bᵀ(Bδ), ‖Bδ‖²), where Bδ = [√n(δ_b + x̄ᵀδ_w), Sxx^½ δ_w] holds no cancellation."""
        root = delta @ self.factor.T
        quadratic = root @ root if root.ndim == 1 else np.einsum("...i,...i->...", root, root)
        return root @ self.factor, quadratic

    def loss(self, weights: np.ndarray) -> np.ndarray:
        """Loss at weights of shape (p,) or (..., p); returns shape () or (...)."""
        delta = np.asarray(weights, dtype=float) - self.reference
        quadratic = self._gram_times(delta)[1]
        linear = 2.0 * delta @ self.reference_gradient
        # Clamp the rounding error of a perfect fit: a sum of squares is never negative.
        return np.maximum(self.scale * (self.reference_residual_sq + linear + quadratic), 0.0)

    def gradient(self, weights: np.ndarray) -> np.ndarray:
        """∇L(w) = 2(s/n) Xᵀ(Xw − y) = 2(s/n) (g + Gδ), shape like weights."""
        delta = np.asarray(weights, dtype=float) - self.reference
        return 2.0 * self.scale * (self.reference_gradient + self._gram_times(delta)[0])

    def batch_gradient(self, weights: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Mini-batch gradient 2(s/|B|) X_Bᵀ(X_B w − y_B) over the given row indices."""
        if self.features is None or self.target is None:
            raise GdvizInputError("mini-batch gradients need the data's rows, which were not kept: "
                                  "use full-batch gradient descent")
        design = design_matrix(self.features[rows])
        residual = design @ weights - self.target[rows]
        return 2.0 * cost_scale(self.cost) / len(rows) * (design.T @ residual)

    @property
    def hessian(self) -> np.ndarray:
        """H = 2(s/n) XᵀX, constant: the loss is a quadratic bowl."""
        return 2.0 * self.scale * self.gram

    @property
    def closed_form(self) -> np.ndarray:
        """The least-squares optimum w* (minimum-norm slopes when XᵀX is singular)."""
        return self.reference

    @property
    def closed_form_loss(self) -> float:
        return float(self.scale * self.reference_residual_sq)

    @cached_property
    def eigenvalues(self) -> np.ndarray:
        """Eigenvalues of the Hessian, ascending, shape (p,); computed once per problem.

        XᵀX = BᵀB (see _factor), so they are (2s/n)·σᵢ(B)²: the singular values of the
        factor keep the small eigenvalues of data far from the origin, which XᵀX itself has rounded away.
        """
        with _converging():
            singular_values = np.linalg.svd(self.factor, compute_uv=False)
        eigenvalues = np.sort(2.0 * self.scale * singular_values**2)
        eigenvalues.setflags(write=False)
        return eigenvalues

    @property
    def lambda_max(self) -> float:
        return float(self.eigenvalues[-1])

    @property
    def lambda_min(self) -> float:
        return float(self.eigenvalues[0])

    @property
    def condition_number(self) -> float:
        """κ = λ_max / λ_min of the Hessian; inf when it is singular."""
        if self.is_singular or self.lambda_min == 0.0:
            return float("inf")
        return self.lambda_max / self.lambda_min


def _minimum_norm(factor: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The minimum-norm optimum: `weights` projected onto the row space of X (that of B, BᵀB = XᵀX).

    A move along the null space (σᵢ(B)² ≤ _SINGULAR_RTOL·σ_max²) leaves Xw, so the loss, unchanged.
    """
    with _converging():
        _, singular_values, right = np.linalg.svd(factor)
    kept = right[singular_values**2 > _SINGULAR_RTOL * singular_values[0] ** 2]
    return kept.T @ (kept @ weights)


def _refine(features: np.ndarray, target: np.ndarray, reference: np.ndarray, mean: np.ndarray,
            scatter_xx: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
    """One step of iterative refinement with true residuals r = Xw − y, then ‖r‖² and g = Xᵀr from them.

    Each step solves the centred normal equations for the correction: Δw = Sxx⁺ Σ(x − x̄)rᵢ, Δb = r̄ − x̄ᵀΔw.
    """
    residual = _predict(features, reference) - target
    total = residual.sum()
    slopes = _solve_slopes(scatter_xx, features.T @ residual - mean * total)  # Σ(x − x̄)r = Fᵀr − x̄Σr
    weights = reference - np.concatenate([[total / len(residual) - mean @ slopes], slopes])
    residual = _predict(features, weights) - target
    return weights, float(residual @ residual), _transpose_times(features, residual)
