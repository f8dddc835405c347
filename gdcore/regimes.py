"""Learning-rate regimes from the Hessian's spectrum: slow, good, jumping, marginal, divergent.

For constant-rate GD on a quadratic, the error along eigenvector i is multiplied by (1 − ηλᵢ) each step,
so everything follows from η·L with L = λ_max and from ρ = max|1 − ηλᵢ|.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

import numpy as np

from gdcore.errors import GdvizInputError, closest_hint


class Regime(str, Enum):
    SLOW = "slow"  # ηL < 0.2: every direction creeps
    GOOD = "good"  # 0.2 ≤ ηL ≤ 1: the stiffest direction approaches without overshooting
    JUMPING = "jumping"  # 1 < ηL < 2: the stiffest direction overshoots each step, shrinking
    MARGINAL = "marginal"  # ηL = 2: the stiffest direction oscillates forever
    DIVERGENT = "divergent"  # ηL > 2: it overshoots further each step


PRESET_REGIMES: tuple[Regime, ...] = (Regime.SLOW, Regime.GOOD, Regime.JUMPING, Regime.DIVERGENT)
REGIME_NAMES: tuple[str, ...] = tuple(regime.value for regime in PRESET_REGIMES)

SLOW_BELOW = 0.2
GOOD_UP_TO = 1.0
STABLE_BELOW = 2.0
MARGINAL_TOLERANCE = 1e-9

# η·L of each regime's preset rate: far enough from the thresholds to show the regime plainly on screen.
PRESET_ETA_L: dict[Regime, float] = {
    Regime.SLOW: 0.05,  # the stiffest direction takes ~20 steps per e-fold
    Regime.GOOD: 0.9,  # the stiffest direction is nearly done after one step
    Regime.JUMPING: 1.8,  # it overshoots each step, the overshoot shrinking by 0.8
    Regime.DIVERGENT: 2.2,  # it overshoots growing by 1.2 per step: ×240 after 30 steps
}


@dataclass(frozen=True)
class RateReport:
    """How a learning rate η behaves on a problem with Hessian eigenvalues λ."""

    lr: float
    regime: Regime
    eta_lambda_max: float  # η·L
    growth: float  # ρ = max_i |1 − ηλᵢ|: the error's worst factor per step


def classify(lr: float, eigenvalues: np.ndarray) -> RateReport:
    """The regime of constant-rate GD with rate η, given the Hessian's eigenvalues (any order).

    η·L and ρ are inf when the product overflows (η near the largest float): still 'divergent'.
    """
    eta_l = lr * float(np.max(eigenvalues))  # a Python float: a rate like 1e308 gives inf, without a warning
    with np.errstate(over="ignore"):
        growth = float(np.max(np.abs(1.0 - lr * np.asarray(eigenvalues))))
    return RateReport(lr=lr, regime=regime_of(eta_l), eta_lambda_max=eta_l, growth=growth)


def regime_of(eta_l: float) -> Regime:
    """The regime for a value of η·L."""
    if abs(eta_l - STABLE_BELOW) <= MARGINAL_TOLERANCE:
        return Regime.MARGINAL
    if eta_l < SLOW_BELOW:
        return Regime.SLOW
    if eta_l <= GOOD_UP_TO:
        return Regime.GOOD
    if eta_l < STABLE_BELOW:
        return Regime.JUMPING
    return Regime.DIVERGENT


def preset_rate(regime: Regime | str, lambda_max: float) -> float:
    """A rate that shows the regime clearly: PRESET_ETA_L / L, rounded to two significant digits."""
    regime = parse_regime(regime)
    return round_significant(PRESET_ETA_L[regime] / lambda_max, 2)


def preset_rates(lambda_max: float) -> dict[Regime, float]:
    return {regime: preset_rate(regime, lambda_max) for regime in PRESET_REGIMES}


def parse_regime(name: Regime | str) -> Regime:
    """The preset regime called `name`; a one-line error naming the choices otherwise."""
    if isinstance(name, Regime) and name in PRESET_REGIMES:
        return name
    if name in REGIME_NAMES:
        return Regime(name)
    hint = closest_hint(name, REGIME_NAMES)
    raise GdvizInputError(f"unknown regime {name!r}: choose one of {', '.join(REGIME_NAMES)}{hint}")


def round_significant(value: float, digits: int) -> float:
    """value rounded to `digits` significant digits (0.081234 → 0.081)."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))
