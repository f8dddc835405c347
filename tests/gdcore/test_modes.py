"""The error in the Hessian's eigenbasis against numpy.linalg.eigh and gd's factors."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from gdcore.modes import Mode, modes
from gdcore.optimizers import GD, Momentum
from gdcore.problem import Problem
from gdcore.runner import run
from gdcore.theory import theory_max_deviation
from tests.conftest import random_data


@pytest.fixture(scope="module")
def problem() -> Problem:
    return Problem.from_data(*random_data(5, n_features=3))


def test_the_basis_is_numpys_eigendecomposition(problem: Problem) -> None:
    trajectory = run(problem, GD(lr=0.5 / problem.lambda_max), 30, init=np.ones(4))
    result = modes(problem, trajectory)
    expected_values, expected_vectors = np.linalg.eigh(problem.hessian)
    np.testing.assert_allclose(result.eigenvalues, expected_values, rtol=1e-12)
    # the same directions up to sign
    np.testing.assert_allclose(np.abs(result.eigenvectors.T @ expected_vectors), np.eye(4), atol=1e-10)
    np.testing.assert_allclose(problem.hessian @ result.eigenvectors, result.eigenvectors * result.eigenvalues,
                               atol=1e-10 * problem.lambda_max)
    largest = np.abs(result.eigenvectors).argmax(axis=0)
    assert np.all(result.eigenvectors[largest, np.arange(4)] > 0)


def test_components_rebuild_the_weights(problem: Problem) -> None:
    trajectory = run(problem, Momentum(lr=0.5 / problem.lambda_max), 40, init=np.array([2.0, -1.0, 0.5, 3.0]))
    result = modes(problem, trajectory)
    assert result.components.shape == (41, 4)
    rebuilt = problem.closed_form + result.components @ result.eigenvectors.T
    np.testing.assert_allclose(rebuilt, trajectory.weights, atol=1e-12 * (1 + np.abs(trajectory.weights).max()))
    assert result.factors is None and result.envelope() is None
    assert all(mode.factor is None for mode in result.directions)


@pytest.mark.parametrize("eta_l", [0.1, 0.9, 1.6])
def test_gd_components_shrink_by_their_factors(problem: Problem, eta_l: float) -> None:
    lr = eta_l / problem.lambda_max
    trajectory = run(problem, GD(lr=lr), 60, init=np.array([1.0, 2.0, -3.0, 0.5]))
    result = modes(problem, trajectory)
    assert result.factors is not None
    np.testing.assert_allclose(result.factors, 1.0 - lr * result.eigenvalues, rtol=1e-12)
    steps = np.arange(61)[:, None]
    expected = result.factors[None, :] ** steps * result.initial[None, :]
    np.testing.assert_allclose(result.components, expected, atol=1e-10)
    np.testing.assert_allclose(result.final, result.factors**60 * result.initial, atol=1e-10)
    envelope = result.envelope()
    assert envelope is not None and np.all(np.abs(result.components) <= envelope + 1e-10)


def test_a_jumping_rate_flips_the_stiffest_component_each_step(problem: Problem) -> None:
    trajectory = run(problem, GD(lr=1.6 / problem.lambda_max), 10, init=np.ones(4))
    stiffest = modes(problem, trajectory).components[:, -1]
    assert np.all(np.sign(stiffest[1:]) == -np.sign(stiffest[:-1]))


def test_directions_and_immutability(problem: Problem) -> None:
    lr = 0.5 / problem.lambda_max
    result = modes(problem, run(problem, GD(lr=lr), 5, init=np.ones(4)))
    directions = result.directions
    assert len(directions) == 4 and all(isinstance(mode, Mode) for mode in directions)
    assert directions[0].eigenvalue == pytest.approx(problem.lambda_min)
    assert directions[-1].factor == pytest.approx(0.5)
    assert directions[-1].final == pytest.approx(0.5**5 * directions[-1].initial)
    for array in (result.eigenvalues, result.eigenvectors, result.factors, result.components):
        assert array is not None and not array.flags.writeable
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.components = result.components  # type: ignore[misc]


@pytest.mark.parametrize("lr", [1e6, 1e300, 1e308])
def test_a_huge_rate_gives_modes_and_a_theory_deviation_without_a_warning(problem: Problem, lr: float) -> None:
    init = np.ones(4)
    trajectory = run(problem, GD(lr=lr), 10, init=init)  # warnings are errors in this suite
    result = modes(problem, trajectory)
    assert result.factors is not None and result.envelope() is not None
    assert np.all(np.isfinite(result.components))
    assert theory_max_deviation(trajectory, problem, init) is not None
