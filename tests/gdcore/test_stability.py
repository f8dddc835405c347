"""Stability per optimiser: the per-direction iterations against the optimisers' own steps, the boundaries
against runs on both sides, and the epoch counts against runs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdcore.optimizers import GD, SGD, Adagrad, Adam, Decay, Momentum, Nesterov, Optimizer, RMSprop, make_optimizer
from gdcore.problem import Problem
from gdcore.regimes import Regime, classify
from gdcore.runner import run
from gdcore.stability import (
    approximate_count,
    best_constant_rate,
    epochs_to_fraction,
    iteration,
    spectral_radius,
    stability,
    stability_of,
    stable_limit,
)
from tests.conftest import random_data


@pytest.fixture(scope="module")
def problem() -> Problem:
    return Problem.from_data(*random_data(1))


def houses(n: int = 30) -> Problem:
    """Thirty houses, sizes in the thousands of square feet: κ in the tens of millions."""
    rng = np.random.default_rng(7)
    size = rng.uniform(800, 3500, n)
    price = 50 + 0.1 * size + rng.normal(0, 20, n)
    return Problem.from_data(size[:, None], price)


@pytest.mark.parametrize("eta_l", [0.05, 0.2, 0.9, 1.0, 1.5, 1.99, 2.0, 2.2, 40.0])
@pytest.mark.parametrize("make", [GD, SGD])
def test_gd_and_sgd_keep_the_eta_l_regimes(problem: Problem, eta_l: float, make: type[Optimizer]) -> None:
    lr = eta_l / problem.lambda_max
    report = stability_of(problem, make(lr=lr), 300)
    expected = classify(lr, problem.eigenvalues)
    assert report.regime == report.final_regime == expected.regime
    assert report.eta_lambda_max == pytest.approx(eta_l) and report.reason is None
    assert report.growth == pytest.approx(expected.growth)
    assert report.stable == (eta_l < 2.0)
    assert report.lr_stable_max == pytest.approx(2.0 / problem.lambda_max)


@pytest.mark.parametrize("optimizer", [Adagrad(lr=0.1), RMSprop(lr=0.01), Adam(lr=0.05)])
def test_adaptive_methods_have_no_regime_and_say_why(problem: Problem, optimizer: Optimizer) -> None:
    report = stability_of(problem, optimizer, 100)
    assert report.regime is None and report.final_regime is None
    assert report.reason is not None and "no η·L regime for adaptive methods" in report.reason
    assert report.growth is None and report.stable is None and report.convergence_epochs is None
    assert report.lr_stable_max is None and not report.stalled
    assert report.label == "no η·L regime (adaptive method)"


def one_direction_errors(optimizer: Optimizer, curvature: float, steps: int) -> np.ndarray:
    """The optimiser's own steps on L(e) = λe²/2 (gradient λe) from e₀ = 1: shape (steps + 1,)."""
    params, state, errors = np.array([1.0]), optimizer.init_state(np.array([1.0])), [1.0]
    for t in range(steps):
        params, state = optimizer.step(params, curvature * params, state, t)
        errors.append(float(params[0]))
    return np.array(errors)


@pytest.mark.parametrize(
    "optimizer",
    [GD(lr=0.3), Momentum(lr=0.3), Momentum(lr=0.7, momentum=0.5, dampening=0.3), Nesterov(lr=0.3),
     Nesterov(lr=0.45, momentum=0.6)],
)
@pytest.mark.parametrize("curvature", [0.2, 1.0, 3.0])
def test_each_direction_follows_the_two_term_recursion(optimizer: Optimizer, curvature: float) -> None:
    # e_{k+1} = T e_k − D e_{k−1} from the second step on (torch's first buffer is the raw gradient)
    errors = one_direction_errors(optimizer, curvature, 30)
    trace, det = (float(x[0]) for x in iteration(optimizer, optimizer.lr, np.array([curvature])))
    np.testing.assert_allclose(errors[2:], trace * errors[1:-1] - det * errors[:-2], rtol=1e-12, atol=1e-14)


def test_spectral_radius_matches_the_companion_matrix_eigenvalues() -> None:
    rng = np.random.default_rng(3)
    trace, det = rng.normal(0, 2, 200), rng.normal(0, 1, 200)
    companions = [np.array([[t, -d], [1.0, 0.0]]) for t, d in zip(trace, det, strict=True)]
    expected = [max(abs(np.linalg.eigvals(companion))) for companion in companions]
    np.testing.assert_allclose(spectral_radius(trace, det), expected, rtol=1e-9)


@pytest.mark.parametrize("mu", [0.0, 0.5, 0.9])
@pytest.mark.parametrize("make", [Momentum, Nesterov])
def test_the_stability_limit_is_where_the_spectral_radius_reaches_one(mu: float, make: type[Optimizer]) -> None:
    optimizer = make(lr=1.0, momentum=mu)
    limit = stable_limit(optimizer)
    assert limit is not None
    expected = 2 * (1 + mu) if make is Momentum else 2 * (1 + mu) / (1 + 2 * mu)
    assert limit == pytest.approx(expected)
    below, above = np.array([limit * (1 - 1e-6)]), np.array([limit * (1 + 1e-6)])
    radius_below = spectral_radius(*iteration(optimizer, 1.0, below))[0]
    assert radius_below < 1 < spectral_radius(*iteration(optimizer, 1.0, above))[0]
    small = np.linspace(1e-3, limit * 0.999, 500)
    assert np.all(spectral_radius(*iteration(optimizer, 1.0, small)) < 1)


@pytest.mark.parametrize("mu", [0.5, 0.9])
@pytest.mark.parametrize("make", [Momentum, Nesterov])
def test_the_boundary_against_runs_on_both_sides(problem: Problem, mu: float, make: type[Optimizer]) -> None:
    probe = make(lr=1.0, momentum=mu)
    limit_lr = stable_limit(probe) / problem.lambda_max  # type: ignore[operator]
    inside, outside = make(lr=0.97 * limit_lr, momentum=mu), make(lr=1.03 * limit_lr, momentum=mu)
    inside_report, outside_report = stability_of(problem, inside, 3000), stability_of(problem, outside, 3000)
    assert inside_report.stable and inside_report.regime == Regime.JUMPING
    assert not outside_report.stable and outside_report.regime == Regime.DIVERGENT
    assert outside_report.growth is not None and outside_report.growth > 1
    converging, diverging = run(problem, inside, 3000), run(problem, outside, 3000)
    assert converging.status == "max_epochs"
    np.testing.assert_allclose(converging.final_weights, problem.closed_form, atol=1e-8)
    assert diverging.status == "diverged"


@pytest.mark.parametrize(("mu", "dampening"), [(0.5, 0.5), (0.9, 0.2)])
def test_dampened_heavy_ball_boundary_against_runs(problem: Problem, mu: float, dampening: float) -> None:
    # the gradient enters at (1 − τ): the limit in η·L is 2(1 + μ)/(1 − τ)
    limit_lr = 2 * (1 + mu) / (1 - dampening) / problem.lambda_max
    inside = Momentum(lr=0.97 * limit_lr, momentum=mu, dampening=dampening)
    outside = Momentum(lr=1.03 * limit_lr, momentum=mu, dampening=dampening)
    assert stability_of(problem, inside, 3000).stable and not stability_of(problem, outside, 3000).stable
    assert run(problem, inside, 3000).status == "max_epochs" and run(problem, outside, 3000).status == "diverged"


@settings(max_examples=200, deadline=None)
@given(mu=st.floats(0.0, 0.99), fraction=st.floats(1e-3, 3.0), nesterov=st.booleans())
def test_the_radius_is_below_one_exactly_inside_the_limit(mu: float, fraction: float, nesterov: bool) -> None:
    optimizer = Nesterov(lr=1.0, momentum=mu) if nesterov else Momentum(lr=1.0, momentum=mu)
    limit = stable_limit(optimizer)
    assert limit is not None
    radius = spectral_radius(*iteration(optimizer, 1.0, np.array([fraction * limit])))[0]
    if abs(fraction - 1.0) > 1e-6:
        assert (radius < 1.0) == (fraction < 1.0)


def test_heavy_ball_beyond_two_over_l_converges_and_says_jumping(problem: Problem) -> None:
    # The case: μ = 0.9 at η·L = 3, which plain GD's rule would call divergent.
    momentum = Momentum(lr=3.0 / problem.lambda_max, momentum=0.9)
    report = stability_of(problem, momentum, 500)
    assert report.stable and report.regime == Regime.JUMPING and report.growth == pytest.approx(math.sqrt(0.9))
    assert run(problem, momentum, 500).status == "max_epochs"


@pytest.mark.parametrize(("eta_l", "regime"), [(0.01, Regime.SLOW), (0.019, Regime.SLOW), (0.021, Regime.GOOD),
                                               (0.3, Regime.GOOD), (1.8, Regime.GOOD), (2.0, Regime.JUMPING),
                                               (3.8, Regime.MARGINAL)])
def test_heavy_ball_regimes(problem: Problem, eta_l: float, regime: Regime) -> None:
    # μ = 0.9: A = 3.8; slow while η·L/(1 − μ) < 0.2 (gd's pace at 10× the rate), jumping past 1 + μ = 1.9
    assert stability_of(problem, Momentum(lr=eta_l / problem.lambda_max), 100).regime == regime


def test_convergence_epochs_for_gd_against_a_run_along_the_slowest_direction(problem: Problem) -> None:
    lr = 0.5 / problem.lambda_max
    report = stability_of(problem, GD(lr=lr), 10)
    epochs = report.convergence_epochs
    assert epochs is not None and epochs > 10 and report.stalled
    slowest = np.linalg.eigh(problem.hessian)[1][:, 0]
    errors = run(problem, GD(lr=lr), epochs, init=problem.closed_form + slowest).weights - problem.closed_form
    norms = np.linalg.norm(errors, axis=1)
    assert norms[epochs] <= 0.01 < norms[epochs - 1]


def test_an_ill_conditioned_stall_is_named() -> None:
    houses_problem = houses()
    lr = 0.9 / houses_problem.lambda_max
    report = stability_of(houses_problem, GD(lr=lr), 300)
    assert report.regime == Regime.GOOD and report.stable and report.stalled and report.ill_conditioned
    assert report.condition_number > 1e6 and report.convergence_epochs is not None
    assert report.convergence_epochs > 1e6
    assert report.label.startswith("good, but ill-conditioned: the slowest direction needs ~")
    assert "κ = " in report.label


def test_a_well_conditioned_problem_only_stalls_at_a_slow_rate(problem: Problem) -> None:
    report = stability_of(problem, GD(lr=0.05 / problem.lambda_max), 100)  # κ ≈ 15: the best rate needs ~35
    assert report.stalled and not report.ill_conditioned
    assert report.label.startswith("slow, but the slowest direction needs ~")
    assert not stability_of(problem, GD(lr=0.9 / problem.lambda_max), 300).stalled


def test_decay_is_judged_at_its_first_and_last_rate(problem: Problem) -> None:
    decay = Decay(lr=3.0 / problem.lambda_max)  # η·L = 3 at first, 3/√400 = 0.15 at the last of 400 epochs
    report = stability_of(problem, decay, 400)
    assert report.regime == Regime.DIVERGENT and report.final_regime == Regime.SLOW
    assert report.label.startswith("divergent → slow") and report.stable
    assert run(problem, decay, 400).status == "max_epochs"
    hopeless = Decay(lr=300.0 / problem.lambda_max)
    assert not stability_of(problem, hopeless, 400).stable and run(problem, hopeless, 400).status == "diverged"


def test_decay_convergence_epochs_against_a_run(problem: Problem) -> None:
    decay = Decay(lr=0.9 / problem.lambda_max)
    epochs = stability_of(problem, decay, 10).convergence_epochs
    assert epochs is not None
    errors = run(problem, decay, epochs, init=problem.closed_form + np.linalg.eigh(problem.hessian)[1][:, 0])
    norms = np.linalg.norm(errors.weights - problem.closed_form, axis=1)
    assert norms[epochs] <= 0.01 < norms[epochs - 1]


def test_sgd_counts_its_mini_batch_updates(problem: Problem) -> None:
    lr = 0.5 / problem.lambda_max
    per_update = stability(GD(lr=lr), problem.eigenvalues, 10).convergence_epochs
    sgd = stability_of(problem, SGD(lr=lr, batch_size=10), 10)  # 40 rows: 4 updates an epoch
    assert per_update is not None and sgd.convergence_epochs == math.ceil(per_update / 4)


def test_best_constant_rate_balances_the_extreme_directions(problem: Problem) -> None:
    best = best_constant_rate(problem.eigenvalues)
    assert best.lr == pytest.approx(2 / (problem.lambda_max + problem.lambda_min))
    assert best.growth == pytest.approx(classify(best.lr, problem.eigenvalues).growth)
    assert best.condition_number == pytest.approx(problem.condition_number)
    assert best.convergence_epochs == epochs_to_fraction(best.growth)
    for eta_l in (0.8, 1.0, 1.5):  # no other constant rate contracts the worst direction faster
        assert classify(eta_l / problem.lambda_max, problem.eigenvalues).growth >= best.growth


def test_epochs_to_fraction() -> None:
    assert epochs_to_fraction(0.5) == 7  # 0.5⁷ = 0.0078 ≤ 0.01 < 0.5⁶
    assert epochs_to_fraction(0.0) == 1 and epochs_to_fraction(0.1) == 2
    assert epochs_to_fraction(1.0) is None and epochs_to_fraction(1.5) is None


def test_a_null_direction_is_left_out() -> None:
    features, target = random_data(4)
    problem = Problem.from_data(np.column_stack([features, features[:, 0]]), target)  # a duplicated feature
    report = stability_of(problem, GD(lr=0.9 / problem.lambda_max), 300)
    assert report.condition_number == math.inf
    assert report.stable and report.growth is not None and report.growth < 1


@pytest.mark.parametrize(("optimizer", "per_step"), [(GD(lr=1e-7), 1e-16), (Momentum(lr=1e-7), 1e-15),
                                                     (Nesterov(lr=1e-7), 1e-15)])
def test_a_tiny_rate_on_a_flat_direction_keeps_its_accuracy(optimizer: Optimizer, per_step: float) -> None:
    # ηλ_min = 1e-16: 1 − ηλ rounds to the float below 1, yet the error shrinks by 1 − per_step each step
    report = stability(optimizer, np.array([1e-9, 1.0]), 100)
    assert report.stable and report.regime == Regime.SLOW and report.stalled
    assert report.convergence_epochs == pytest.approx(math.log(100) / per_step, rel=1e-6)


def test_a_tiny_decaying_rate_is_still_stable() -> None:
    report = stability(Decay(lr=1e-7), np.array([1e-9, 1.0]), 100)
    assert report.stable and report.convergence_epochs is not None
    # Σ η₀λ/√(t+1) ≈ 2η₀λ√K = ln 100
    assert report.convergence_epochs == pytest.approx((math.log(100) / (2e-16)) ** 2, rel=1e-3)


def test_counts_in_titles_stay_short() -> None:
    assert approximate_count(7957) == "7,957" and approximate_count(221_187_273) == "2.2×10⁸"
    assert approximate_count(9.96e8) == "1×10⁹" and approximate_count(15.24) == "15.2"
    assert approximate_count(None) == "∞" and approximate_count(math.inf) == "∞"


@pytest.mark.parametrize("name", ["gd", "sgd", "decay", "momentum", "nesterov", "adam"])
@pytest.mark.parametrize("lr", [1e6, 1e300, 1e308])
def test_a_huge_rate_is_divergent_without_a_warning(problem: Problem, name: str, lr: float) -> None:
    report = stability_of(problem, make_optimizer(name, lr), 300)  # warnings are errors in this suite
    assert report.stable is (None if name == "adam" else False)
    if name != "adam":
        assert report.regime == Regime.DIVERGENT and report.convergence_epochs is None


def test_a_round_bowl_takes_one_step_at_the_best_rate() -> None:
    """κ = 1 (standardized, uncorrelated features): 2/(λ_max + λ_min) = 1/λ lands on the optimum in one step."""
    best = best_constant_rate(np.array([1.0, 1.0]))
    assert best.convergence_epochs == 1 and best.growth == 0.0 and best.lr == 1.0
