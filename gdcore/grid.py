"""The loss over a grid of two chosen parameters, the others held fixed: one vectorised quadratic form."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdcore.errors import GdvizInputError
from gdcore.problem import Problem


@dataclass(frozen=True)
class LossGrid:
    """loss[i, j] is the loss at (first = first_values[j], second = second_values[i]), as matplotlib's contour wants.

    first_values: ndarray of shape (resolution,); second_values: ndarray of shape (resolution,);
    loss: ndarray of shape (resolution, resolution); fixed: the full weight vector whose other entries are held.
    """

    axes: tuple[int, int]
    first_values: np.ndarray
    second_values: np.ndarray
    loss: np.ndarray
    fixed: np.ndarray


def loss_grid(
    problem: Problem,
    axes: tuple[int, int],
    first_range: tuple[float, float],
    second_range: tuple[float, float],
    resolution: int = 120,
    fixed: np.ndarray | None = None,
) -> LossGrid:
    """Loss over a resolution×resolution grid of parameters axes[0] and axes[1].

    The other parameters stay at `fixed` (default: the closed-form optimum). Costs O(resolution² · p),
    independent of the number of samples.
    """
    first, second = _check_axes(axes, problem.n_params)
    base = problem.closed_form if fixed is None else np.asarray(fixed, dtype=float)
    first_values = np.linspace(*first_range, resolution)
    second_values = np.linspace(*second_range, resolution)
    loss = plane_loss(problem, base, (first, second), first_values[None, :], second_values[:, None])
    arrays = [first_values, second_values, loss, np.array(base)]
    for array in arrays:
        array.setflags(write=False)
    return LossGrid((first, second), *arrays)


def plane_loss(problem: Problem, base: np.ndarray, axes: tuple[int, int], first: np.ndarray,
               second: np.ndarray) -> np.ndarray:
    """Loss at base with parameters axes[0], axes[1] set to `first`, `second` (broadcast together).

    With δ = d₀ + u·eᵢ + v·eⱼ (d₀ = base − w_ref, u and v the moves along the two axes), the loss is
    (s/n)[c + 2gᵀδ + ‖Bδ‖²] with BᵀB = XᵀX (the problem's centred factor) and Bδ = Bd₀ + u·Bᵢ + v·Bⱼ: O(p) per
    point, and no cancellation between the huge coefficients of data far from the origin.
    """
    i, j = axes
    offset = base - problem.reference
    factor, gradient = problem.factor, problem.reference_gradient
    u, v = np.broadcast_arrays(first - base[i], second - base[j])
    rooted = factor @ offset + u[..., None] * factor[:, i] + v[..., None] * factor[:, j]  # Bδ, shape (..., p)
    quadratic = np.einsum("...k,...k->...", rooted, rooted)
    linear = 2 * (gradient @ offset + gradient[i] * u + gradient[j] * v)
    return np.maximum(problem.scale * (problem.reference_residual_sq + linear + quadratic), 0.0)


def _check_axes(axes: tuple[int, int], n_params: int) -> tuple[int, int]:
    first, second = axes
    if first == second or not (0 <= first < n_params and 0 <= second < n_params):
        raise GdvizInputError(
            f"grid axes must be two different parameter indices in 0..{n_params - 1}, got {axes}"
        )
    return first, second
