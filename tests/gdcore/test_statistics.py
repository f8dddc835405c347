"""Streamed moments against direct computation and np.linalg.lstsq; the seeded reservoir sample."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdcore.errors import GdvizInputError
from gdcore.problem import Problem, design_matrix
from gdcore.statistics import Accumulator, Moments, Reservoir
from tests.conftest import random_data


def streamed(table: np.ndarray, batch: int) -> Moments:
    moments = Moments.empty(table.shape[1])
    for start in range(0, len(table), batch):
        moments = moments.merge(Moments.of(table[start : start + batch]))
    return moments


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n_features=st.integers(1, 4), batch=st.integers(1, 60),
       offset=st.sampled_from([0.0, 1e3, 1e6]))
def test_streamed_statistics_give_lstsq_whatever_the_batches(seed: int, n_features: int, batch: int,
                                                             offset: float) -> None:
    features, target = random_data(seed, n_samples=50, n_features=n_features)
    features = features + offset
    table = np.column_stack([features, target])
    moments = streamed(table, batch)
    assert moments.n == 50
    np.testing.assert_allclose(moments.mean, table.mean(axis=0), rtol=1e-12)
    centred = table - table.mean(axis=0)
    np.testing.assert_allclose(moments.scatter, centred.T @ centred, rtol=1e-8, atol=1e-8)
    expected = np.linalg.lstsq(design_matrix(features), target, rcond=None)[0]
    problem = Problem.from_statistics(moments)
    np.testing.assert_allclose(problem.closed_form, expected, rtol=1e-6, atol=1e-8)
    residual = design_matrix(features) @ expected - target
    assert problem.closed_form_loss == pytest.approx(residual @ residual / 50, rel=1e-6)


def test_data_far_from_the_origin_fits_exactly_a_line_of_slope_one() -> None:
    i = np.arange(1000.0)
    table = np.column_stack([1e8 + i, i])  # x = 1e8 + i, y = i: y = x − 1e8 exactly
    for batch in (1000, 77, 1):
        problem = Problem.from_statistics(streamed(table, batch))
        assert problem.closed_form[1] == pytest.approx(1.0, rel=1e-12)
        assert problem.closed_form[0] == pytest.approx(-1e8, rel=1e-12)
        assert problem.closed_form_loss == pytest.approx(0.0, abs=1e-12)
        assert not problem.is_singular
        # XᵀX's determinant is n·Sxx: with H = (2/n)XᵀX, λ_min·λ_max = 4·Sxx/n, Sxx = n(n² − 1)/12.
        assert problem.lambda_min * problem.lambda_max == pytest.approx(4 * (1000**2 - 1) / 12, rel=1e-6)
        assert float(problem.loss(problem.closed_form + np.array([0.0, 1e-9]))) == pytest.approx(
            np.mean((1e-9 * (1e8 + i)) ** 2), rel=1e-6)


def test_a_perfect_fit_of_many_rows_keeps_its_loss_near_zero() -> None:
    rng = np.random.default_rng(5)
    features = rng.uniform(0, 2, size=(200_000, 2))
    target = 1.0 + features @ np.array([2.0, 3.0])
    problem = Problem.from_statistics(streamed(np.column_stack([features, target]), 4096))
    np.testing.assert_allclose(problem.closed_form, [1.0, 2.0, 3.0], rtol=1e-12)
    # From the statistics alone the residual is Syy − wᵀ(2Sxy − Sxx w): its rounding is ~ε·Syy, not 0.
    assert problem.closed_form_loss < 1e-14 * np.var(target)
    assert float(problem.loss([1.0, 2.0, 3.0 + 1e-6])) == pytest.approx(1e-12 * np.mean(features[:, 1] ** 2), rel=1e-3)
    kept = Problem.from_data(features, target)  # with the rows, refined on the true residuals
    assert kept.closed_form_loss < 1e-28


def test_standardized_moments_are_those_of_the_z_scores() -> None:
    features, target = random_data(3, n_samples=60, n_features=3)
    table = np.column_stack([features, target])
    moments, mean, scale = Moments.of(table).standardized(3)
    z = (features - features.mean(axis=0)) / features.std(axis=0)
    direct = Moments.of(np.column_stack([z, target]))
    np.testing.assert_allclose(mean, features.mean(axis=0))
    np.testing.assert_allclose(scale, features.std(axis=0))
    np.testing.assert_allclose(moments.mean, direct.mean, atol=1e-12)
    np.testing.assert_allclose(moments.scatter, direct.scatter, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize(("value", "fragment"), [(3e160, "divide it by 1e161"), (np.inf, "too large"),
                                                 (np.nan, "not a number")])
def test_values_whose_squares_overflow_name_the_column(value: float, fragment: str) -> None:
    table = np.array([[1.0, 2.0], [value, 3.0], [2.0, 5.0]])
    with pytest.raises(GdvizInputError) as excinfo, np.errstate(all="raise"):
        Moments.of(table).check_scale(("height", "weight"))
    message = str(excinfo.value)
    assert "\n" not in message and "'height'" in message and fragment in message


def test_the_suggested_rescaling_then_works() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(1, 9, 100) * 1e170
    y = 2 * x / 1e170 + 1
    with pytest.raises(GdvizInputError, match=r"divide it by 1e(\d+)") as excinfo:
        Problem.from_statistics(Moments.of(np.column_stack([x, y])))
    power = int(str(excinfo.value).split("divide it by 1e")[1].split()[0])
    problem = Problem.from_statistics(Moments.of(np.column_stack([x / 10.0**power, y])))
    assert problem.closed_form[1] * 10.0 ** (170 - power) == pytest.approx(2.0)  # y = 2·(x/1e170) + 1


def test_reservoir_is_seeded_uniform_and_of_the_asked_size() -> None:
    rows = np.arange(10_000.0)[:, None]

    def sample(seed: int, batch: int) -> np.ndarray:
        reservoir = Reservoir(100, 1, seed)
        for start in range(0, len(rows), batch):
            reservoir.add(rows[start : start + batch])
        return reservoir.sample()

    first = sample(3, 512)
    assert first.shape == (100, 1) and len(np.unique(first)) == 100
    np.testing.assert_array_equal(first, sample(3, 512))
    assert not np.array_equal(first, sample(4, 512))
    assert 3000 < first.mean() < 7000  # drawn from the whole stream, not its start
    small = Reservoir(100, 1, 0)
    small.add(rows[:30])
    np.testing.assert_array_equal(small.sample(), rows[:30])  # fewer rows than the size: all of them


def test_accumulator_keeps_rows_within_the_budget_only() -> None:
    table = np.arange(300.0).reshape(100, 3)
    kept = Accumulator(3, seed=0, row_budget=table.nbytes)
    dropped = Accumulator(3, seed=0, row_budget=table.nbytes - 1)
    for accumulator in (kept, dropped):
        for start in range(0, 100, 30):
            accumulator.add(table[start : start + 30])
    features, target = kept.columns()
    np.testing.assert_array_equal(np.column_stack([features, target]), table)
    assert kept.kept is not None and dropped.kept is None and dropped.moments.n == 100
    assert dropped.columns()[0].shape == (100, 2)  # fewer rows than the sample's size: the sample is all of them
