"""The loss over a grid of two chosen parameters, the others held fixed: the slice's quadratic form, vectorised."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdcore.problem import Problem
from gdcore.slices import HeldAt, Slice, slice_through


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

    The other parameters stay at `fixed` (default: the closed-form optimum). Costs O(resolution² + p²),
    independent of the number of samples.
    """
    held, held_at = (problem.closed_form, HeldAt.OPTIMUM) if fixed is None else (fixed, HeldAt.GIVEN)
    return slice_grid(slice_through(problem, axes, held, held_at), first_range, second_range, resolution)


def slice_grid(section: Slice, first_range: tuple[float, float], second_range: tuple[float, float],
               resolution: int = 120) -> LossGrid:
    """The slice's loss over a resolution×resolution grid spanning the two ranges."""
    first_values = np.linspace(*first_range, resolution)
    second_values = np.linspace(*second_range, resolution)
    loss = section.loss(first_values[None, :], second_values[:, None])
    arrays = [first_values, second_values, loss, np.array(section.held)]
    for array in arrays:
        array.setflags(write=False)
    return LossGrid(section.axes, *arrays)
