"""The learning-rate sweep: rows against the spectrum, and the observed threshold against 2/L."""

from __future__ import annotations

import numpy as np
import pytest

from gdcore.errors import GdvizInputError
from gdcore.experiment import Hyperparameters
from gdcore.problem import Problem
from gdcore.regimes import Regime
from gdcore.sweep import OptimizerSpec, log_rates, observed_threshold, run_row, sweep
from tests.conftest import random_data


@pytest.fixture(scope="module")
def problem() -> Problem:
    return Problem.from_data(*random_data(2))


def test_log_rates_span_fractions_of_two_over_l(problem: Problem) -> None:
    rates = log_rates(problem)
    assert rates.shape == (40,)
    np.testing.assert_allclose(rates[[0, -1]] * problem.lambda_max / 2, [0.01, 1.5])
    np.testing.assert_allclose(np.diff(np.log(rates)), np.log(150) / 39)
    np.testing.assert_allclose(log_rates(problem, 3, 0.5, 2.0, of=1.0), [0.5, 1.0, 2.0])


@pytest.mark.parametrize(("steps", "low", "high"), [(0, 0.01, 1.5), (2.5, 0.01, 1.5), (4, 0.0, 1.5), (4, 2.0, 1.0)])
def test_log_rates_reject_bad_ranges(problem: Problem, steps: int, low: float, high: float) -> None:
    with pytest.raises(GdvizInputError):
        log_rates(problem, steps, low, high)


def test_rows_follow_the_spectrum(problem: Problem) -> None:
    result = sweep(problem, OptimizerSpec(), 400, log_rates(problem, 12), refine=False)
    assert result.optimizer == "gd" and result.epochs == 400 and result.observed_threshold is None
    assert result.lr_stable_max == pytest.approx(2 / problem.lambda_max)
    assert len(result.rows) == 12
    for row in result.rows:
        below = row.lr < 2 / problem.lambda_max
        assert row.diverged != below
        assert row.regime == (Regime.DIVERGENT if not below else row.regime)
        assert row.epochs_run == 400 if below else row.epochs_run < 400
        assert np.isfinite(row.final_loss)
    assert [row.regime for row in result.rows].count(Regime.GOOD) >= 2
    fastest_good = max((row for row in result.rows if row.regime == Regime.GOOD), key=lambda row: row.lr)
    assert fastest_good.final_loss == pytest.approx(problem.closed_form_loss, rel=1e-4)
    assert all(row.final_loss >= problem.closed_form_loss * (1 - 1e-12) for row in result.rows)


def test_the_observed_threshold_matches_two_over_l(problem: Problem) -> None:
    rates = log_rates(problem, 3, 0.9, 1.2)
    result = sweep(problem, OptimizerSpec(), 2000, rates, init=np.ones(3))
    assert result.observed_threshold is not None
    ratio = result.observed_threshold / (2 / problem.lambda_max)
    assert 1.0 < ratio < 1.01  # above 2/L by what 2000 epochs need to reach the runner's divergence bound
    below = run_row(problem, OptimizerSpec(), 2000, result.observed_threshold * (1 - 2e-3), init=np.ones(3))
    assert not below.diverged


def test_the_observed_threshold_of_heavy_ball_matches_its_limit(problem: Problem) -> None:
    spec = OptimizerSpec("momentum", Hyperparameters(momentum=0.5))
    rows = [run_row(problem, spec, 1500, lr) for lr in log_rates(problem, 3, 1.3, 1.7)]  # 2(1 + μ)/L = 1.5·(2/L)
    threshold = observed_threshold(problem, spec, 1500, rows)
    assert threshold is not None and 1.0 < threshold / (3.0 / problem.lambda_max) < 1.01


def test_the_threshold_is_found_below_the_smallest_rate_swept(problem: Problem) -> None:
    threshold = observed_threshold(problem, OptimizerSpec(), 300, [run_row(problem, OptimizerSpec(), 300, 1.0)])
    assert threshold is not None and 1.0 < threshold / (2 / problem.lambda_max) < 1.1


def test_no_divergence_no_threshold(problem: Problem) -> None:
    result = sweep(problem, OptimizerSpec("adam"), 50, [0.01, 0.1])
    assert result.observed_threshold is None and result.lr_stable_max is None
    assert all(row.regime is None for row in result.rows)
