"""The loss grid against a double loop over the definition."""

from __future__ import annotations

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
