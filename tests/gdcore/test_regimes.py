"""Regime thresholds, growth factors and preset rates."""

from __future__ import annotations

import numpy as np
import pytest

from gdcore.errors import GdvizInputError
from gdcore.regimes import (
    PRESET_REGIMES,
    Regime,
    classify,
    parse_regime,
    preset_rate,
    regime_of,
    round_significant,
)

EIGENVALUES = np.array([0.5, 4.0])  # L = 4


@pytest.mark.parametrize(
    ("eta_l", "regime"),
    [(0.05, Regime.SLOW), (0.1999, Regime.SLOW), (0.2, Regime.GOOD), (1.0, Regime.GOOD), (1.0001, Regime.JUMPING),
     (1.999, Regime.JUMPING), (2.0, Regime.MARGINAL), (2.0 + 5e-10, Regime.MARGINAL), (2.0 + 1e-8, Regime.DIVERGENT),
     (2.0 - 1e-8, Regime.JUMPING), (1e6, Regime.DIVERGENT)],
)
def test_thresholds(eta_l: float, regime: Regime) -> None:
    assert regime_of(eta_l) == regime


def test_classify_reports_eta_l_and_the_worst_growth() -> None:
    report = classify(0.45, EIGENVALUES)
    assert report.eta_lambda_max == pytest.approx(1.8)
    assert report.growth == pytest.approx(max(abs(1 - 0.45 * 0.5), abs(1 - 0.45 * 4.0)))
    assert report.regime == Regime.JUMPING


def test_slow_rate_growth_comes_from_the_smallest_eigenvalue() -> None:
    assert classify(0.01, EIGENVALUES).growth == pytest.approx(1 - 0.01 * 0.5)


@pytest.mark.parametrize("regime", PRESET_REGIMES)
def test_each_preset_rate_lands_in_its_regime(regime: Regime) -> None:
    for lambda_max in (0.37, 4.0, 61.3, 2.5e4):
        assert classify(preset_rate(regime, lambda_max), np.array([lambda_max])).regime == regime


def test_unknown_regime_suggests_the_closest() -> None:
    with pytest.raises(GdvizInputError, match=r"unknown regime 'jumpy'.*did you mean 'jumping'"):
        parse_regime("jumpy")
    with pytest.raises(GdvizInputError, match="choose one of slow, good, jumping, divergent"):
        parse_regime("marginal")


def test_round_significant() -> None:
    assert round_significant(0.081234, 2) == 0.081
    assert round_significant(123.4, 2) == 120.0


def test_a_rate_near_the_largest_float_is_divergent_without_a_warning() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = classify(1e308, EIGENVALUES)
    assert report.regime == Regime.DIVERGENT and report.eta_lambda_max == float("inf") and report.growth == float("inf")


def test_marginal_rate_and_the_growth_factor_at_the_boundaries() -> None:
    assert classify(0.5, EIGENVALUES).regime == Regime.MARGINAL  # η·L = 2 exactly
    assert classify(0.5, EIGENVALUES).growth == pytest.approx(1.0)  # |1 − 2| = 1: it oscillates forever
    assert classify(0.25, EIGENVALUES).growth == pytest.approx(1 - 0.25 * 0.5)  # η·L = 1: λ_max is done in 1 step
