"""The loss over two parameters with the others held fixed: one quadratic form, computed once, evaluated anywhere.

Contours, surfaces and the still figures all draw this slice; they read its centre, matrix and minimum here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np

from gdcore.errors import GdvizInputError
from gdcore.problem import Problem
from gdcore.runner import Trajectory

# Eigenvalues of the slice's matrix below this fraction of the largest count as this fraction (a flat direction
# still gets a finite, very wide ellipse).
FLAT_RTOL = 1e-12


class HeldAt(str, Enum):
    """Where a slice holds the parameters it does not show."""

    OPTIMUM = "optimum"  # the closed-form optimum w*
    FINAL = "final"  # the run's final weights (its last finite ones when it diverged)
    GIVEN = "given"  # a point the caller chose


@dataclass(frozen=True)
class Slice:
    """The loss on the plane of parameters `axes`, the others held at `held`; exactly a quadratic in u = w[axes]:

        L(u) = minimum + (u − centre)ᵀ M (u − centre),   M = (s/n) G[axes, axes] = H[axes, axes] / 2.

    held: ndarray of shape (p,), the point the slice passes through (its entries outside `axes` are held);
    centre: ndarray of shape (2,), the minimiser on the slice; matrix: ndarray of shape (2, 2), M;
    minimum: the loss at the centre. Arrays are read-only.
    """

    axes: tuple[int, int]
    held: np.ndarray
    held_at: HeldAt
    centre: np.ndarray
    matrix: np.ndarray
    minimum: float

    @property
    def held_axes(self) -> tuple[int, ...]:
        """The indices of the held parameters, ascending."""
        return tuple(k for k in range(len(self.held)) if k not in self.axes)

    def rise(self, first: np.ndarray | float, second: np.ndarray | float) -> np.ndarray:
        """L − minimum = dᵀMd with d = (first, second) − centre, broadcast together; never negative."""
        d0 = np.asarray(first, dtype=float) - self.centre[0]
        d1 = np.asarray(second, dtype=float) - self.centre[1]
        m = self.matrix
        return np.maximum(m[0, 0] * d0**2 + 2 * m[0, 1] * d0 * d1 + m[1, 1] * d1**2, 0.0)

    def loss(self, first: np.ndarray | float, second: np.ndarray | float) -> np.ndarray:
        """The loss at w[axes] = (first, second), the others held: shape of first and second broadcast."""
        return self.minimum + self.rise(first, second)

    def principal_axes(self) -> tuple[np.ndarray, np.ndarray]:
        """M = Q diag(λ) Qᵀ: λ ascending, shape (2,), floored at FLAT_RTOL·λ_max; Q's columns, shape (2, 2)."""
        values, vectors = np.linalg.eigh(self.matrix)
        return np.maximum(values, FLAT_RTOL * max(float(values[-1]), 1e-300)), vectors

    def level_frame(self, level: float) -> np.ndarray:
        """(2, 2) whose columns a, b trace the contour {L = level} as centre + a·cos t + b·sin t:
        Q diag(√((level − minimum)/λ)), empty (zeros) below the minimum."""
        values, vectors = self.principal_axes()
        return vectors * np.sqrt(max(level - self.minimum, 0.0) / values)


def default_axes(n_params: int) -> tuple[int, int]:
    """The two parameters a slice shows by default: (w1, w2) with two or more features; (b, w) with one."""
    return (1, 2) if n_params >= 3 else (0, 1)


def check_axes(axes: tuple[int, int], n_params: int) -> tuple[int, int]:
    """Two different parameter indices in 0..n_params − 1, or a GdvizInputError naming them."""
    first, second = (int(axis) for axis in axes)
    if first == second or not (0 <= first < n_params and 0 <= second < n_params):
        raise GdvizInputError(
            f"grid axes must be two different parameter indices in 0..{n_params - 1}, got {tuple(axes)}"
        )
    return first, second


def slice_through(problem: Problem, axes: tuple[int, int], held: np.ndarray,
                  held_at: HeldAt = HeldAt.GIVEN) -> Slice:
    """The slice through the point `held` (shape (p,)) over parameters `axes`; O(p²), independent of n.

    With δ = w − w_ref = d₀ + E t (d₀: the held part of held − w_ref, zero at `axes`; t = u − w_ref[axes]), the
    problem's loss (s/n)[c + 2gᵀδ + δᵀGδ] has gradient in t of 2(s/n)(q + G_sub t) with q = g[axes] + (G d₀)[axes],
    so the minimiser is t* = −G_sub⁺ q (least squares: a singular G_sub has a line of minimisers).
    """
    first, second = check_axes(axes, problem.n_params)
    held = np.array(held, dtype=float)
    if held.shape != (problem.n_params,):
        raise GdvizInputError(f"a slice's held point needs {problem.n_params} values, got shape {held.shape}")
    index = [first, second]
    offset = held - problem.reference
    offset[index] = 0.0  # d₀
    gram = problem.gram[np.ix_(index, index)]
    linear = problem.reference_gradient[index] + (problem.gram @ offset)[index]  # q
    centre = problem.reference[index] - np.linalg.lstsq(gram, linear, rcond=None)[0]
    lowest = held.copy()
    lowest[index] = centre
    return Slice((first, second), _read_only(held), held_at, _read_only(centre), _read_only(problem.scale * gram),
                 float(problem.loss(lowest)))


def optimum_slice(problem: Problem, axes: tuple[int, int]) -> Slice:
    """The slice through the closed-form optimum: its centre is the optimum's own two coordinates."""
    return slice_through(problem, axes, problem.closed_form, HeldAt.OPTIMUM)


def final_slice(problem: Problem, trajectory: Trajectory, axes: tuple[int, int]) -> Slice:
    """The slice through the run's final weights (the last finite ones of a diverged run)."""
    return slice_through(problem, axes, trajectory.final_weights, HeldAt.FINAL)


def _read_only(array: np.ndarray) -> np.ndarray:
    array = np.array(array, dtype=float)
    array.setflags(write=False)
    return array
