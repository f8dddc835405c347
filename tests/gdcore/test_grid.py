"""The loss grid against a double loop over the definition."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from gdcore.errors import GdvizInputError
from gdcore.grid import loss_grid
from gdcore.problem import Problem
from tests.gdcore.test_problem import residual_loss


def test_grid_equals_a_double_loop(data: tuple[np.ndarray, np.ndarray]) -> None:
    features, target = data
    problem = Problem.from_data(features, target)
    grid = loss_grid(problem, (1, 2), (-3.0, 3.0), (0.0, 2.0), resolution=7)
    assert grid.loss.shape == (7, 7)
    for i, second in enumerate(grid.second_values):
        for j, first in enumerate(grid.first_values):
            weights = problem.closed_form.copy()
            weights[1], weights[2] = first, second
            assert grid.loss[i, j] == pytest.approx(residual_loss(features, target, weights), rel=1e-9)


def test_fixed_parameters_default_to_the_optimum_and_can_be_given(data: tuple[np.ndarray, np.ndarray]) -> None:
    problem = Problem.from_data(*data)
    optimum = problem.closed_form
    grid = loss_grid(problem, (0, 1), (optimum[0] - 1, optimum[0] + 1), (optimum[1] - 1, optimum[1] + 1), 5)
    assert grid.loss[2, 2] == pytest.approx(problem.closed_form_loss)
    assert grid.loss.min() == pytest.approx(problem.closed_form_loss)
    held = np.array([0.0, 0.0, 5.0])
    shifted = loss_grid(problem, (0, 1), (-1, 1), (-1, 1), 5, fixed=held)
    assert shifted.loss[2, 2] == pytest.approx(float(problem.loss(held)))


@pytest.mark.parametrize("axes", [(1, 1), (0, 3), (-1, 0)])
def test_bad_axes_are_rejected(data: tuple[np.ndarray, np.ndarray], axes: tuple[int, int]) -> None:
    with pytest.raises(GdvizInputError, match="grid axes"):
        loss_grid(Problem.from_data(*data), axes, (0, 1), (0, 1), 3)


def test_grid_stays_exact_far_from_the_origin() -> None:
    i = np.arange(100.0)
    problem = Problem.from_data((1e8 + i)[:, None], i)  # y = x − 1e8 exactly
    optimum = problem.closed_form
    grid = loss_grid(problem, (0, 1), (optimum[0] - 1e-3, optimum[0] + 1e-3), (1 - 1e-11, 1 + 1e-11), 5)
    for row, slope in enumerate(grid.second_values):
        for column, bias in enumerate(grid.first_values):
            # The definition in exact rational arithmetic: the float formula itself would cancel.
            residuals = [Fraction(bias) + Fraction(slope) * (10**8 + k) - k for k in range(100)]
            expected = float(sum(r * r for r in residuals) / 100)
            assert grid.loss[row, column] == pytest.approx(expected, rel=1e-6)
