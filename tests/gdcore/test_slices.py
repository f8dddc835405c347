"""The slice's quadratic form against brute force: Problem.loss at every point, the definition, a grid search, and
the loss grid; its contours against the loss along them."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdcore.errors import GdvizInputError
from gdcore.grid import loss_grid
from gdcore.optimizers import GD
from gdcore.problem import Problem
from gdcore.runner import run
from gdcore.slices import HeldAt, check_axes, default_axes, final_slice, optimum_slice, slice_through
from tests.conftest import random_data
from tests.gdcore.test_problem import residual_loss


def brute_force(problem: Problem, held: np.ndarray, axes: tuple[int, int], points: np.ndarray) -> np.ndarray:
    """Problem.loss of the full weight vector at each point (m, 2), one at a time: `held` with two entries set."""
    losses = []
    for first, second in points:
        weights = np.array(held, dtype=float)
        weights[axes[0]], weights[axes[1]] = first, second
        losses.append(float(problem.loss(weights)))
    return np.array(losses)


def random_held(problem: Problem, seed: int) -> np.ndarray:
    return problem.closed_form + np.random.default_rng(seed).normal(scale=2.0, size=problem.n_params)


@settings(deadline=None, max_examples=40)
@given(seed=st.integers(0, 10_000), n_features=st.integers(1, 4), cost=st.sampled_from(["mse", "half-mse"]))
def test_the_quadratic_form_is_the_loss_at_every_point(seed: int, n_features: int, cost: str) -> None:
    features, target = random_data(seed, n_features=n_features)
    problem = Problem.from_data(features, target, cost)
    rng = np.random.default_rng(seed)
    axes = tuple(int(k) for k in rng.choice(problem.n_params, size=2, replace=False))
    held = random_held(problem, seed)
    section = slice_through(problem, axes, held)  # type: ignore[arg-type]
    points = held[list(axes)] + rng.normal(scale=5.0, size=(25, 2))
    oracle = brute_force(problem, held, axes, points)  # type: ignore[arg-type]
    np.testing.assert_allclose(section.loss(points[:, 0], points[:, 1]), oracle, rtol=1e-9)
    scale = 0.5 if cost == "half-mse" else 1.0
    weights = np.tile(held, (len(points), 1))
    weights[:, list(axes)] = points
    definition = [residual_loss(features, target, row, scale) for row in weights]
    np.testing.assert_allclose(section.loss(points[:, 0], points[:, 1]), definition, rtol=1e-9)


@settings(deadline=None, max_examples=30)
@given(seed=st.integers(0, 10_000), n_features=st.integers(1, 3))
def test_the_centre_is_the_lowest_point_and_the_minimum_its_loss(seed: int, n_features: int) -> None:
    """A fine grid search around the centre finds nothing lower; the minimum is the loss there; the matrix is half
    the Hessian's block (the second difference of the loss)."""
    problem = Problem.from_data(*random_data(seed, n_features=n_features))
    held = random_held(problem, seed)
    axes = default_axes(problem.n_params)
    section = slice_through(problem, axes, held)
    offsets = np.linspace(-1.0, 1.0, 41)
    first, second = np.meshgrid(section.centre[0] + offsets, section.centre[1] + offsets)
    grid = brute_force(problem, held, axes, np.column_stack([first.ravel(), second.ravel()]))
    assert grid.min() >= section.minimum * (1 - 1e-12)
    assert section.minimum == pytest.approx(float(brute_force(problem, held, axes, section.centre[None])[0]),
                                            rel=1e-12)
    index = list(axes)
    np.testing.assert_allclose(section.matrix, problem.hessian[np.ix_(index, index)] / 2, rtol=1e-12)


def test_the_slice_through_the_optimum_is_centred_on_it(data: tuple[np.ndarray, np.ndarray]) -> None:
    problem = Problem.from_data(*data)
    for axes in ((0, 1), (1, 2), (2, 0)):
        section = optimum_slice(problem, axes)
        np.testing.assert_allclose(section.centre, problem.closed_form[list(axes)], rtol=1e-12, atol=1e-12)
        assert section.minimum == pytest.approx(problem.closed_form_loss, rel=1e-12)
        assert section.held_at is HeldAt.OPTIMUM
        assert section.held_axes == tuple(k for k in range(3) if k not in axes)


def test_it_agrees_with_the_loss_grid(data: tuple[np.ndarray, np.ndarray]) -> None:
    problem = Problem.from_data(*data)
    held = np.array([0.5, -1.0, 4.0])
    grid = loss_grid(problem, (2, 0), (-3.0, 3.0), (0.0, 2.0), resolution=9, fixed=held)
    section = slice_through(problem, (2, 0), held)
    np.testing.assert_allclose(section.loss(grid.first_values[None, :], grid.second_values[:, None]), grid.loss,
                               rtol=1e-12)
    points = np.column_stack([np.tile(grid.first_values, 9), np.repeat(grid.second_values, 9)])
    np.testing.assert_allclose(grid.loss.ravel(), brute_force(problem, held, (2, 0), points), rtol=1e-9)


def test_level_frames_trace_the_contours(data: tuple[np.ndarray, np.ndarray]) -> None:
    """Every point of centre + a·cos t + b·sin t has the level's loss (Problem.loss of the full vector)."""
    problem = Problem.from_data(*data)
    held = random_held(problem, 1)
    section = slice_through(problem, (1, 2), held)
    angles = np.linspace(0.0, 2 * np.pi, 29)
    for level in section.minimum + np.array([0.01, 1.0, 250.0]):
        ring = section.centre + (section.level_frame(level) @ np.vstack([np.cos(angles), np.sin(angles)])).T
        np.testing.assert_allclose(brute_force(problem, held, (1, 2), ring), level, rtol=1e-9)
    np.testing.assert_array_equal(section.level_frame(section.minimum - 1.0), np.zeros((2, 2)))


def test_a_perfect_fit_has_a_zero_minimum_and_no_negative_loss() -> None:
    rng = np.random.default_rng(4)
    features = rng.normal(size=(30, 2))
    target = 1.0 + features @ np.array([2.0, -3.0])  # no noise: the loss at the optimum is 0
    section = optimum_slice(Problem.from_data(features, target), (1, 2))
    assert section.minimum == pytest.approx(0.0, abs=1e-20)
    near = section.centre + 1e-9 * rng.normal(size=(50, 2))
    assert np.all(section.loss(near[:, 0], near[:, 1]) >= 0)


def test_a_diverged_run_is_sliced_at_its_last_finite_weights(data: tuple[np.ndarray, np.ndarray]) -> None:
    problem = Problem.from_data(*data)
    trajectory = run(problem, GD(lr=2.5 / problem.lambda_max), epochs=200)
    assert trajectory.diverged
    section = final_slice(problem, trajectory, (1, 2))
    assert section.held_at is HeldAt.FINAL
    np.testing.assert_array_equal(section.held, trajectory.final_weights)
    path = trajectory.weights[:, [1, 2]]
    oracle = brute_force(problem, trajectory.final_weights, (1, 2), path)
    np.testing.assert_allclose(section.loss(path[:, 0], path[:, 1]), oracle, rtol=1e-9)


def test_its_arrays_are_read_only(data: tuple[np.ndarray, np.ndarray]) -> None:
    section = optimum_slice(Problem.from_data(*data), (0, 1))
    for array in (section.held, section.centre, section.matrix):
        with pytest.raises(ValueError):
            array[0] = 1.0


@pytest.mark.parametrize("axes", [(1, 1), (0, 3), (-1, 0)])
def test_bad_axes_are_rejected_with_one_wording(axes: tuple[int, int]) -> None:
    with pytest.raises(GdvizInputError, match=r"grid axes must be two different parameter indices in 0\.\.2"):
        check_axes(axes, 3)


def test_a_held_point_of_the_wrong_size_is_rejected(data: tuple[np.ndarray, np.ndarray]) -> None:
    with pytest.raises(GdvizInputError, match="held point needs 3 values"):
        slice_through(Problem.from_data(*data), (0, 1), np.zeros(2))


def test_default_axes_show_w1_w2_or_b_w() -> None:
    assert default_axes(2) == (0, 1) and default_axes(3) == (1, 2) and default_axes(6) == (1, 2)
