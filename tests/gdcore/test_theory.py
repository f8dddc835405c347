"""The closed-form iterates against matrix powers."""

from __future__ import annotations

import numpy as np

from gdcore.problem import Problem
from gdcore.theory import exact_iterates


def test_exact_iterates_equal_matrix_powers(data: tuple[np.ndarray, np.ndarray]) -> None:
    problem = Problem.from_data(*data)
    lr, init = 0.7 / problem.lambda_max, np.array([3.0, -2.0, 1.0])
    iterates = exact_iterates(problem, lr, init, 12)
    assert iterates.shape == (13, 3)
    step_matrix = np.eye(3) - lr * problem.hessian
    for k in (0, 1, 5, 12):
        expected = problem.closed_form + np.linalg.matrix_power(step_matrix, k) @ (init - problem.closed_form)
        np.testing.assert_allclose(iterates[k], expected, rtol=1e-10, atol=1e-12)


def test_exact_iterates_approach_the_optimum(data: tuple[np.ndarray, np.ndarray]) -> None:
    problem = Problem.from_data(*data)
    iterates = exact_iterates(problem, 1.0 / problem.lambda_max, np.zeros(3), 20_000)
    np.testing.assert_allclose(iterates[-1], problem.closed_form, atol=1e-8)
