"""A learning-rate sweep: one run per rate, a row of scalars each, and the smallest rate observed to diverge.

Every run goes through `gdcore.runner.run` (O(p²) per epoch); only each run's scalars are kept.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from gdcore.errors import GdvizInputError
from gdcore.experiment import Hyperparameters
from gdcore.optimizers import Optimizer, make_optimizer
from gdcore.problem import Problem
from gdcore.regimes import Regime
from gdcore.runner import Status, run
from gdcore.stability import stability

# Bisection stops when the bracket [stable, diverged] is this narrow relative to its top.
THRESHOLD_RTOL = 1e-3
# How often the bracket's lower end may be halved when the smallest rate swept already diverged.
_MAX_HALVINGS = 60


@dataclass(frozen=True)
class OptimizerSpec:
    """An optimiser without its rate: a name and its hyperparameters (None: the optimiser's default)."""

    name: str = "gd"
    hyper: Hyperparameters = field(default_factory=Hyperparameters)

    def at(self, lr: float) -> Optimizer:
        """The optimiser at rate `lr` (validated by make_optimizer)."""
        return make_optimizer(self.name, lr, **vars(self.hyper))


@dataclass(frozen=True)
class SweepRow:
    """One rate's run: what the spectrum predicts (regime) and what happened (status, final loss, epochs run)."""

    lr: float
    regime: Regime | None  # None: adaptive, no η·L regime
    status: Status
    final_loss: float
    epochs_run: int
    diverged_at: int | None

    @property
    def diverged(self) -> bool:
        return self.status == "diverged"


@dataclass(frozen=True)
class Sweep:
    """Rows in the order of the rates given; lr_stable_max: the spectrum's largest stable rate (None: adaptive);
    observed_threshold: the smallest rate that diverged, refined by bisection (None: none diverged, or not asked)."""

    optimizer: str
    epochs: int
    rows: tuple[SweepRow, ...]
    lr_stable_max: float | None
    observed_threshold: float | None


def log_rates(problem: Problem, steps: int = 40, low: float = 0.01, high: float = 1.5,
              of: float | None = None) -> np.ndarray:
    """`steps` rates log-spaced from low·R to high·R, R = `of` (default 2/L): ndarray of shape (steps,)."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise GdvizInputError(f"steps must be an integer >= 1, got {steps!r}")
    if not (math.isfinite(low) and math.isfinite(high) and 0 < low <= high):
        raise GdvizInputError(f"the rate range needs 0 < low <= high, got low {low!r}, high {high!r}")
    reference = 2.0 / problem.lambda_max if of is None else of
    return reference * np.geomspace(low, high, steps)


def run_row(problem: Problem, spec: OptimizerSpec, epochs: int, lr: float, init: np.ndarray | None = None) -> SweepRow:
    """One rate: its regime from the spectrum, its run's outcome (the trajectory itself is dropped)."""
    optimizer = spec.at(float(lr))
    trajectory = run(problem, optimizer, epochs, init)
    report = stability(optimizer, problem.eigenvalues, epochs, problem.n_samples)
    return SweepRow(lr=float(lr), regime=report.regime, status=trajectory.status, final_loss=trajectory.final_loss,
                    epochs_run=trajectory.epochs_run, diverged_at=trajectory.diverged_at)


def sweep(problem: Problem, spec: OptimizerSpec, epochs: int, rates: Sequence[float] | np.ndarray,
          init: np.ndarray | None = None, refine: bool = True) -> Sweep:
    """Run every rate for `epochs` epochs from `init` (default zeros); with `refine`, bisect the threshold."""
    rows = tuple(run_row(problem, spec, epochs, lr, init) for lr in rates)
    threshold = observed_threshold(problem, spec, epochs, rows, init) if refine else None
    limit = stability(spec.at(1.0), problem.eigenvalues, epochs, problem.n_samples).lr_stable_max
    return Sweep(optimizer=spec.name, epochs=epochs, rows=rows, lr_stable_max=limit, observed_threshold=threshold)


def observed_threshold(problem: Problem, spec: OptimizerSpec, epochs: int, rows: Sequence[SweepRow],
                       init: np.ndarray | None = None, rtol: float = THRESHOLD_RTOL) -> float | None:
    """The smallest swept rate that diverged, lowered by bisection until the rate just below it (within rtol,
    relative) did not diverge in `epochs` epochs; None when no rate diverged.

    Assumes divergence is monotone in the rate near the threshold (true for gd, momentum, Nesterov on a quadratic).
    """
    ordered = sorted(rows, key=lambda row: row.lr)
    first = next((i for i, row in enumerate(ordered) if row.diverged), None)
    if first is None:
        return None
    high = ordered[first].lr
    low = ordered[first - 1].lr if first > 0 else _stable_below(problem, spec, epochs, high, init)
    if low is None:
        return high
    while high - low > rtol * high:
        middle = 0.5 * (low + high)
        if run(problem, spec.at(middle), epochs, init).diverged:
            high = middle
        else:
            low = middle
    return high


def _stable_below(problem: Problem, spec: OptimizerSpec, epochs: int, high: float,
                  init: np.ndarray | None) -> float | None:
    """A rate below `high` that does not diverge, halving from it; None if even high/2⁶⁰ diverges."""
    low = high
    for _ in range(_MAX_HALVINGS):
        low /= 2.0
        if not run(problem, spec.at(low), epochs, init).diverged:
            return low
    return None


def regime_bands(result: Sweep) -> tuple[tuple[float, float, Regime | None], ...]:
    """Runs of consecutive rates (ascending) sharing a regime, as (low, high, regime): the bands' edges lie at the
    geometric midpoints between neighbouring rates, the outer edges half a step beyond the first and last rate."""
    rows = sorted(result.rows, key=lambda row: row.lr)
    rates = np.array([row.lr for row in rows])
    if len(rates) == 1:
        return ((rates[0] / 1.1, rates[0] * 1.1, rows[0].regime),)
    middles = np.sqrt(rates[1:] * rates[:-1])
    edges = np.concatenate([[rates[0] ** 2 / middles[0]], middles, [rates[-1] ** 2 / middles[-1]]])
    bands: list[tuple[float, float, Regime | None]] = []
    for index, row in enumerate(rows):
        if bands and bands[-1][2] == row.regime:
            bands[-1] = (bands[-1][0], float(edges[index + 1]), row.regime)
        else:
            bands.append((float(edges[index]), float(edges[index + 1]), row.regime))
    return tuple(bands)
