"""The problem's statistics against direct computation on the data."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdcore.errors import GdvizInputError
from gdcore.problem import Problem, design_matrix
from tests.conftest import random_data


def residual_loss(features: np.ndarray, target: np.ndarray, weights: np.ndarray, scale: float = 1.0) -> float:
    """The definition: (s/n) Σ (b + Σ wⱼxᵢⱼ − yᵢ)²."""
    residual = design_matrix(features) @ weights - target
    return scale * float(residual @ residual) / len(target)


def elementwise_gradient(features: np.ndarray, target: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The lab's element-by-element gradient of the MSE: ∂/∂wⱼ = (2/n) Σᵢ (ŷᵢ − yᵢ) xᵢⱼ, with xᵢ₀ = 1."""
    n_samples, n_features = features.shape
    gradient = np.zeros(n_features + 1)
    for i in range(n_samples):
        error = weights[0] + sum(weights[j + 1] * features[i, j] for j in range(n_features)) - target[i]
        gradient[0] += 2.0 / n_samples * error
        for j in range(n_features):
            gradient[j + 1] += 2.0 / n_samples * error * features[i, j]
    return gradient


def test_closed_form_matches_lstsq(data: tuple[np.ndarray, np.ndarray]) -> None:
    features, target = data
    expected = np.linalg.lstsq(design_matrix(features), target, rcond=None)[0]
    np.testing.assert_allclose(Problem.from_data(features, target).closed_form, expected, rtol=1e-10, atol=1e-12)


def test_closed_form_of_ill_conditioned_data_matches_lstsq() -> None:
    rng = np.random.default_rng(3)
    x = rng.uniform(1000.0, 1001.0, 200)  # far from the origin: XᵀX has condition number ~1e12
    target = 2.0 + 3.0 * x + rng.normal(size=200)
    expected = np.linalg.lstsq(design_matrix(x[:, None]), target, rcond=None)[0]
    np.testing.assert_allclose(Problem.from_data(x[:, None], target).closed_form, expected, rtol=1e-6)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n_features=st.integers(1, 4), cost=st.sampled_from(["mse", "half-mse"]))
def test_loss_from_statistics_equals_residual_loss(seed: int, n_features: int, cost: str) -> None:
    features, target = random_data(seed, n_features=n_features)
    problem = Problem.from_data(features, target, cost)
    weights = np.random.default_rng(seed).normal(scale=3.0, size=n_features + 1)
    scale = 0.5 if cost == "half-mse" else 1.0
    assert float(problem.loss(weights)) == pytest.approx(residual_loss(features, target, weights, scale), rel=1e-9)


def test_loss_stays_accurate_near_a_perfect_fit() -> None:
    rng = np.random.default_rng(1)
    features = rng.uniform(0.0, 2.0, size=(100, 2))
    target = 1.0 + features @ np.array([2.0, 3.0])  # exact: the optimum's loss is ~0
    problem = Problem.from_data(features, target)
    weights = np.array([1.0, 2.0, 3.0 + 1e-7])
    expected = residual_loss(features, target, weights)  # ≈ 1e-14 · mean(x2²)
    assert expected > 0
    assert float(problem.loss(weights)) == pytest.approx(expected, rel=1e-6)


def test_loss_is_vectorised_over_leading_axes(data: tuple[np.ndarray, np.ndarray]) -> None:
    features, target = data
    problem = Problem.from_data(features, target)
    batch = np.random.default_rng(0).normal(size=(4, 5, 3))
    losses = problem.loss(batch)
    assert losses.shape == (4, 5)
    assert losses[2, 3] == pytest.approx(residual_loss(features, target, batch[2, 3]), rel=1e-9)


def test_gradient_matches_finite_differences_and_the_elementwise_form(data: tuple[np.ndarray, np.ndarray]) -> None:
    features, target = data
    problem = Problem.from_data(features, target)
    weights = np.array([0.3, -1.2, 2.0])
    step = 1e-6
    finite = np.array([
        (residual_loss(features, target, weights + step * unit)
         - residual_loss(features, target, weights - step * unit)) / (2 * step)
        for unit in np.eye(3)
    ])
    np.testing.assert_allclose(problem.gradient(weights), finite, rtol=1e-6)
    np.testing.assert_allclose(problem.gradient(weights), elementwise_gradient(features, target, weights), rtol=1e-10)


def test_half_mse_halves_loss_gradient_and_hessian(data: tuple[np.ndarray, np.ndarray]) -> None:
    features, target = data
    full, half = Problem.from_data(features, target, "mse"), Problem.from_data(features, target, "half-mse")
    weights = np.array([1.0, 2.0, -1.0])
    assert float(half.loss(weights)) == pytest.approx(float(full.loss(weights)) / 2)
    np.testing.assert_allclose(half.gradient(weights), full.gradient(weights) / 2)
    assert half.lambda_max == pytest.approx(full.lambda_max / 2)


def test_batch_gradient_over_all_rows_is_the_full_gradient(data: tuple[np.ndarray, np.ndarray]) -> None:
    features, target = data
    problem = Problem.from_data(features, target)
    weights = np.array([0.5, 0.5, 0.5])
    np.testing.assert_allclose(problem.batch_gradient(weights, np.arange(len(target))), problem.gradient(weights))


def test_spectrum_is_that_of_two_over_n_xtx(data: tuple[np.ndarray, np.ndarray]) -> None:
    features, target = data
    problem = Problem.from_data(features, target)
    design = design_matrix(features)
    expected = np.linalg.eigvalsh(2.0 / len(target) * design.T @ design)
    np.testing.assert_allclose(problem.eigenvalues, expected, rtol=1e-12)
    assert problem.condition_number == pytest.approx(expected[-1] / expected[0])
    assert not problem.is_singular


def test_duplicated_feature_is_singular_but_still_solves() -> None:
    rng = np.random.default_rng(2)
    x = rng.uniform(size=50)
    features = np.column_stack([x, x])  # the same column twice
    target = 1.0 + 2.0 * x
    problem = Problem.from_data(features, target)
    assert problem.is_singular and problem.condition_number == float("inf")
    np.testing.assert_allclose(problem.closed_form, [1.0, 1.0, 1.0], atol=1e-8)  # the minimum-norm split
    assert problem.closed_form_loss == pytest.approx(0.0, abs=1e-20)


def test_unknown_cost_is_rejected(data: tuple[np.ndarray, np.ndarray]) -> None:
    with pytest.raises(GdvizInputError, match="unknown cost 'mae'"):
        Problem.from_data(*data, cost="mae")


def test_statistics_are_read_only(data: tuple[np.ndarray, np.ndarray]) -> None:
    problem = Problem.from_data(*data)
    with pytest.raises(ValueError):
        problem.gram[0, 0] = 1.0


def test_the_spectrum_is_computed_once(data: tuple[np.ndarray, np.ndarray]) -> None:
    problem = Problem.from_data(*data)
    assert problem.eigenvalues is problem.eigenvalues
    with pytest.raises(ValueError):
        problem.eigenvalues[0] = 1.0


def test_data_at_the_limit_of_float64_gives_numbers_or_one_line_never_linalg_errors() -> None:
    rng = np.random.default_rng(0)
    for scale in (1e-150, 1e-100, 1e100, 1e149):
        x = rng.uniform(1, 2, 50) * scale
        with np.errstate(over="raise", divide="raise", invalid="raise"):  # no numpy warning may escape
            try:
                problem = Problem.from_data(x[:, None], 3 * x + 1)
            except GdvizInputError as error:
                assert "\n" not in str(error)
                continue
            assert np.all(np.isfinite(problem.eigenvalues)) and np.isfinite(problem.closed_form_loss)


def test_lapack_non_convergence_is_one_line(data: tuple[np.ndarray, np.ndarray],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise np.linalg.LinAlgError("SVD did not converge")

    monkeypatch.setattr(np.linalg, "lstsq", fail)
    with pytest.raises(GdvizInputError, match="did not converge") as excinfo:
        Problem.from_data(*data)
    assert "\n" not in str(excinfo.value)
