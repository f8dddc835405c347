"""The closed-form iterates against matrix powers, and the theory path against the runner."""

from __future__ import annotations

import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gdcore.optimizers import GD, make_optimizer
from gdcore.problem import Problem
from gdcore.runner import run
from gdcore.theory import exact_iterates, theory_max_deviation, theory_path
from tests.conftest import random_data


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


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n_features=st.integers(1, 3), eta_l=st.floats(0.01, 1.95),
       epochs=st.integers(1, 200))
def test_the_theory_path_follows_the_runner_to_1e_10(seed: int, n_features: int, eta_l: float, epochs: int) -> None:
    problem = Problem.from_data(*random_data(seed, n_features=n_features))
    init = np.random.default_rng(seed).normal(0, 3, problem.n_params)
    trajectory = run(problem, GD(lr=eta_l / problem.lambda_max), epochs, init=init)
    deviation = theory_max_deviation(trajectory, problem, init)
    assert deviation is not None and 0 <= deviation < 1e-10
    path = theory_path(trajectory, problem, init)
    assert path is not None and path.shape == trajectory.weights.shape


def test_the_theory_path_exists_only_for_plain_gd(data: tuple[np.ndarray, np.ndarray]) -> None:
    problem = Problem.from_data(*data)
    init = np.zeros(3)
    for name in ("momentum", "nesterov", "decay", "adam", "sgd"):
        trajectory = run(problem, make_optimizer(name, 0.5 / problem.lambda_max), 20, init=init)
        assert theory_path(trajectory, problem, init) is None
        assert theory_max_deviation(trajectory, problem, init) is None


def test_a_diverging_gd_run_still_follows_the_theory(data: tuple[np.ndarray, np.ndarray]) -> None:
    problem = Problem.from_data(*data)
    init = np.array([1.0, -1.0, 0.5])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trajectory = run(problem, GD(lr=2.3 / problem.lambda_max), 10_000, init=init)
        deviation = theory_max_deviation(trajectory, problem, init)
    assert trajectory.diverged and deviation is not None
    # relative to the largest weight reached (the error grew ×1e6): rounding only
    assert deviation < 1e-10 * np.max(np.abs(trajectory.weights))
