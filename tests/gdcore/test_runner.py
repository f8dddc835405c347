"""The runner against the theory formula, the regime thresholds and a naive loop."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gdcore.errors import GdvizInputError
from gdcore.optimizers import GD, make_optimizer
from gdcore.problem import Problem, design_matrix
from gdcore.regimes import classify
from gdcore.runner import DIVERGENCE_FACTOR, run
from gdcore.theory import exact_iterates
from tests.conftest import random_data


def naive_gd(features: np.ndarray, target: np.ndarray, lr: float, epochs: int) -> np.ndarray:
    """The tutorials' loop: full-data gradient (2/n) Xᵀ(Xw − y) every epoch, weights of every epoch kept."""
    design = design_matrix(features)
    weights = np.zeros(design.shape[1])
    history = [weights]
    for _ in range(epochs):
        weights = weights - lr * 2.0 / len(target) * design.T @ (design @ weights - target)
        history.append(weights)
    return np.array(history)


def test_runner_matches_the_naive_loop(data: tuple[np.ndarray, np.ndarray]) -> None:
    features, target = data
    problem = Problem.from_data(features, target)
    trajectory = run(problem, GD(lr=0.02), epochs=50)
    np.testing.assert_allclose(trajectory.weights, naive_gd(features, target, 0.02, 50), rtol=1e-9, atol=1e-12)
    assert trajectory.weights.shape == (51, 3) and trajectory.loss.shape == (51,) and trajectory.rates.shape == (50,)
    assert trajectory.status == "max_epochs" and trajectory.epochs_run == 50


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n_features=st.integers(1, 3), eta_l=st.floats(0.01, 1.95))
def test_runner_follows_the_theory_formula(seed: int, n_features: int, eta_l: float) -> None:
    features, target = random_data(seed, n_features=n_features)
    problem = Problem.from_data(features, target)
    lr = eta_l / problem.lambda_max
    init = np.random.default_rng(seed).normal(size=problem.n_params)
    trajectory = run(problem, GD(lr=lr), epochs=30, init=init)
    expected = exact_iterates(problem, lr, init, 30)
    scale = np.max(np.abs(expected)) + 1.0
    np.testing.assert_allclose(trajectory.weights, expected, rtol=1e-7, atol=1e-8 * scale)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), eta_l=st.floats(0.05, 1.99))
def test_stable_rates_never_increase_the_loss_and_converge(seed: int, eta_l: float) -> None:
    problem = Problem.from_data(*random_data(seed))
    lr = eta_l / problem.lambda_max
    growth = classify(lr, problem.eigenvalues).growth
    epochs = int(np.ceil(np.log(1e-14) / np.log(growth))) + 10  # theory: the error shrinks by ρ per epoch
    assume(epochs <= 50_000)
    trajectory = run(problem, GD(lr=lr), epochs=epochs, tolerance=1e-10)
    assert np.all(np.diff(trajectory.loss) <= 1e-12 * trajectory.loss[:-1] + 1e-15)
    assert trajectory.status == "converged"
    np.testing.assert_allclose(trajectory.final_weights, problem.closed_form, atol=1e-6)


@pytest.mark.parametrize("eta_l", [2.05, 4.96, 1e6])
def test_divergent_rates_stop_with_finite_arrays_and_no_warning(eta_l: float) -> None:
    problem = Problem.from_data(*random_data(1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trajectory = run(problem, GD(lr=eta_l / problem.lambda_max), epochs=100_000)
    assert trajectory.status == "diverged" and trajectory.diverged
    assert trajectory.epochs_run < 100_000
    for array in (trajectory.weights, trajectory.loss, trajectory.gradient_norms, trajectory.rates):
        assert np.all(np.isfinite(array))
    assert trajectory.loss[-1] > trajectory.loss[0]
    bound = DIVERGENCE_FACTOR * max(trajectory.loss[0], 1.0)
    assert np.all(trajectory.loss[:-1] <= bound)  # it stopped at the first epoch past the bound


def test_a_huge_rate_diverges_at_the_first_epoch_without_overflow() -> None:
    problem = Problem.from_data(*random_data(2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trajectory = run(problem, GD(lr=1e300), epochs=10)
    assert trajectory.status == "diverged" and trajectory.epochs_run <= 1
    assert np.all(np.isfinite(trajectory.weights))


def test_marginal_rate_oscillates_without_converging() -> None:
    problem = Problem.from_data(*random_data(3, n_features=1))
    trajectory = run(problem, GD(lr=2.0 / problem.lambda_max), epochs=400, tolerance=1e-9)
    assert trajectory.status == "max_epochs"
    assert trajectory.loss[-1] > problem.closed_form_loss * (1 + 1e-6)


def test_tolerance_stops_when_the_step_is_small(data: tuple[np.ndarray, np.ndarray]) -> None:
    problem = Problem.from_data(*data)
    trajectory = run(problem, GD(lr=0.5 / problem.lambda_max), epochs=100_000, tolerance=1e-6)
    assert trajectory.status == "converged"
    steps = np.linalg.norm(np.diff(trajectory.weights, axis=0), axis=1)
    assert steps[-1] < 1e-6 and np.all(steps[:-1] >= 1e-6)


def test_mini_batch_sgd_is_seeded_and_records_one_row_per_epoch(data: tuple[np.ndarray, np.ndarray]) -> None:
    problem = Problem.from_data(*data)
    first = run(problem, make_optimizer("sgd", 0.01, batch_size=8, seed=5), epochs=30)
    again = run(problem, make_optimizer("sgd", 0.01, batch_size=8, seed=5), epochs=30)
    other = run(problem, make_optimizer("sgd", 0.01, batch_size=8, seed=6), epochs=30)
    assert first.weights.shape == (31, 3)
    np.testing.assert_array_equal(first.weights, again.weights)
    assert not np.allclose(first.weights, other.weights)
    assert first.loss[-1] < 0.5 * first.loss[0]


def test_trajectory_is_frozen_and_read_only(data: tuple[np.ndarray, np.ndarray]) -> None:
    trajectory = run(Problem.from_data(*data), GD(lr=0.01), epochs=3)
    with pytest.raises(ValueError):
        trajectory.weights[0, 0] = 1.0
    with pytest.raises(AttributeError):
        trajectory.status = "converged"  # type: ignore[misc]


@pytest.mark.parametrize("epochs", [0, -3, 1_000_001])
def test_bad_epochs_are_rejected(data: tuple[np.ndarray, np.ndarray], epochs: int) -> None:
    with pytest.raises(GdvizInputError, match=f"epochs must be an integer from 1 to 1,000,000, got {epochs}"):
        run(Problem.from_data(*data), GD(lr=0.01), epochs=epochs)


def test_wrong_number_of_initial_weights_is_rejected(data: tuple[np.ndarray, np.ndarray]) -> None:
    with pytest.raises(GdvizInputError, match="initial weights need 3 values"):
        run(Problem.from_data(*data), GD(lr=0.01), epochs=3, init=np.zeros(2))


def test_diverged_at_names_the_epoch_whose_update_blew_up() -> None:
    problem = Problem.from_data(*random_data(4))
    kept = run(problem, GD(lr=2.5 / problem.lambda_max), epochs=10_000)  # grows slowly: the offender is finite
    assert kept.status == "diverged" and kept.diverged_at == kept.epochs_run
    assert kept.loss[-1] > DIVERGENCE_FACTOR * max(kept.loss[0], 1.0)  # the state past the bound is kept
    dropped = run(problem, GD(lr=1e300), epochs=10)  # the first update's loss is inf: that state is not kept
    assert dropped.status == "diverged" and dropped.epochs_run == 0 and dropped.diverged_at == 1
    assert dropped.rates.shape == (0,) and dropped.weights.shape == (1, problem.n_params)
    assert run(problem, GD(lr=0.1 / problem.lambda_max), epochs=5).diverged_at is None


def test_the_diverged_epoch_is_the_trajectorys_own() -> None:
    """The epoch every caption names: the offending update's, whether its state was kept or not; None otherwise."""
    problem = Problem.from_data(*random_data(4))
    kept = run(problem, GD(lr=2.5 / problem.lambda_max), epochs=10_000)
    assert kept.diverged_epoch == kept.epochs_run
    dropped = run(problem, GD(lr=1e300), epochs=10)
    assert dropped.diverged_epoch == dropped.epochs_run + 1 == 1
    assert run(problem, GD(lr=0.1 / problem.lambda_max), epochs=5).diverged_epoch is None


@pytest.mark.parametrize(("status", "diverged_at"), [("diverged", None), ("diverged", 7), ("max_epochs", 3),
                                                     ("converged", 4)])
def test_a_trajectory_and_its_diverged_epoch_must_agree(status: str, diverged_at: int | None) -> None:
    problem = Problem.from_data(*random_data(4))
    good = run(problem, GD(lr=0.1 / problem.lambda_max), epochs=3)
    with pytest.raises(ValueError, match="cannot have diverged_at"):
        dataclasses.replace(good, status=status, diverged_at=diverged_at)


def test_a_finite_state_whose_gradient_norm_overflows_is_not_kept() -> None:
    # Adagrad moves every weight by about η per step: at η = 1e153 the loss is still finite (~1e307) while the
    # gradient's squares overflow. The norm must not overflow into a warning, and no inf may be stored.
    features = np.arange(1.0, 6.0)[:, None]
    problem = Problem.from_data(features, np.array([1.0, 3.0, 3.0, 3.0, 5.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trajectory = run(problem, make_optimizer("adagrad", 1.1151146512394825e153), epochs=50,
                         init=np.array([-1192.0, 700.0]))
    assert trajectory.status == "diverged"
    for array in (trajectory.weights, trajectory.loss, trajectory.gradient_norms, trajectory.rates):
        assert np.all(np.isfinite(array))
    assert trajectory.rates.shape == (trajectory.epochs_run,)


@settings(max_examples=120, deadline=None)
@given(seed=st.integers(0, 1000), name=st.sampled_from(["gd", "decay", "momentum", "nesterov", "adagrad", "rmsprop",
                                                          "adam", "sgd"]),
       log_lr=st.floats(-1, 308), log_init=st.floats(0, 140), cost=st.sampled_from(["mse", "half-mse"]))
def test_no_rate_or_start_lets_a_warning_or_a_non_finite_value_escape(seed: int, name: str, log_lr: float,
                                                                       log_init: float, cost: str) -> None:
    problem = Problem.from_data(*random_data(seed, n_samples=12), cost)
    init = np.random.default_rng(seed).normal(size=problem.n_params) * 10.0**log_init
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trajectory = run(problem, make_optimizer(name, 10.0**log_lr), epochs=40, init=init)
        classify(10.0**log_lr, problem.eigenvalues)
    for array in (trajectory.weights, trajectory.loss, trajectory.gradient_norms, trajectory.rates):
        assert np.all(np.isfinite(array))
    assert trajectory.rates.shape == (trajectory.epochs_run,)
    assert (trajectory.diverged_at is not None) == trajectory.diverged


def test_a_start_whose_loss_overflows_is_rejected(data: tuple[np.ndarray, np.ndarray]) -> None:
    with pytest.raises(GdvizInputError, match="so large that the loss overflows"):
        run(Problem.from_data(*data), GD(lr=0.01), epochs=3, init=np.array([1e200, 0.0, 0.0]))


def test_gradient_norms_are_the_gradients_norms(data: tuple[np.ndarray, np.ndarray]) -> None:
    problem = Problem.from_data(*data)
    trajectory = run(problem, GD(lr=0.3 / problem.lambda_max), epochs=5, init=np.array([1.0, -2.0, 0.5]))
    expected = [np.linalg.norm(problem.gradient(w)) for w in trajectory.weights]
    np.testing.assert_allclose(trajectory.gradient_norms, expected, rtol=1e-13)
    np.testing.assert_allclose(trajectory.loss, [problem.loss(w) for w in trajectory.weights], rtol=1e-13)
