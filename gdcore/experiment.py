"""One run, set up the way every command sets it up: data → problem → rate → optimiser → trajectory.

An option the user did not give falls back to the dataset's own tutorial settings, then to gdviz's defaults.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from gdcore.checks import check
from gdcore.datasets import Dataset
from gdcore.errors import GdvizInputError
from gdcore.modes import Modes, modes
from gdcore.optimizers import Optimizer, make_optimizer
from gdcore.problem import Problem, cost_scale
from gdcore.regimes import RateReport, Regime, classify, parse_regime, preset_rate
from gdcore.runner import Trajectory, run
from gdcore.stability import StabilityReport, stability_of
from gdcore.theory import theory_max_deviation


@dataclass(frozen=True)
class Hyperparameters:
    """Optimiser settings beyond the rate; None means the optimiser's own default (torch.optim's)."""

    momentum: float | None = None
    beta1: float | None = None
    beta2: float | None = None
    alpha: float | None = None
    eps: float | None = None
    batch_size: int | None = None
    seed: int | None = None


@dataclass(frozen=True)
class RunRequest:
    """What the user asked for; None everywhere means 'the dataset's tutorial settings'."""

    lr: float | None = None
    regime: str | None = None
    epochs: int | None = None
    init: tuple[float, ...] | None = None
    cost: str | None = None
    optimizer: str = "gd"
    tolerance: float | None = None
    hyper: Hyperparameters = field(default_factory=Hyperparameters)


@dataclass(frozen=True)
class Experiment:
    """A dataset, its problem, the optimiser and rate chosen, and the trajectory they produced.

    rate: plain GD's η·L report for the rate (whatever the optimiser). stability: the optimiser's own report
    (regime or none, growth, epochs to 1 %, stall) for the epochs it ran; None only when built without prepare().
    """

    dataset: Dataset
    problem: Problem
    optimizer: Optimizer
    epochs: int
    init: np.ndarray
    rate: RateReport
    trajectory: Trajectory
    stability: StabilityReport | None = None
    tolerance: float | None = None  # an epoch moving w by less stops the run; None: every epoch asked runs

    @property
    def theory_max_deviation(self) -> float | None:
        """max_k ‖w_k − w_k^theory‖ / (1 + ‖w*‖); None when the optimiser has no closed form (not plain gd)."""
        return theory_max_deviation(self.trajectory, self.problem, self.init)

    @property
    def modes(self) -> Modes:
        """The run's error in the Hessian's eigenbasis (computed on each access: O(epochs·p²))."""
        return modes(self.problem, self.trajectory)

    @property
    def weights_in_original_units(self) -> np.ndarray:
        """The weights, shape (epochs_run + 1, p), in the raw features' units (mapped back when standardized)."""
        return self.dataset.weights_in_original_units(self.trajectory.weights)


def prepare(dataset: Dataset, request: RunRequest = RunRequest()) -> Experiment:
    """Resolve every setting, then run once."""
    cost = request.cost or dataset.defaults.cost
    cost_scale(cost)
    problem = Problem.from_data(dataset.features, dataset.target, cost)
    lr = choose_rate(dataset, problem, request)
    optimizer = make_optimizer(request.optimizer, lr, **vars(request.hyper))
    epochs = request.epochs if request.epochs is not None else dataset.defaults.epochs
    init = _choose_init(dataset, problem, request.init)
    tolerance = request.tolerance if request.tolerance is not None else dataset.defaults.tolerance
    _check_tolerance(tolerance)
    trajectory = run(problem, optimizer, epochs, init, tolerance)
    report = stability_of(problem, optimizer, trajectory.epochs_run)
    return Experiment(dataset, problem, optimizer, epochs, init, classify(lr, problem.eigenvalues), trajectory, report,
                      tolerance)


def choose_rate(dataset: Dataset, problem: Problem, request: RunRequest) -> float:
    """lr, else the regime's preset rate, else the tutorial's rate, else the 'good' preset rate."""
    if request.lr is not None and request.regime is not None:
        raise GdvizInputError(
            f"give either `lr` or `regime`, not both (got `lr` {request.lr} `regime` {request.regime})"
        )
    if request.lr is not None:
        return check_rate(request.lr)
    if request.regime is not None:
        return preset_rate(parse_regime(request.regime), problem.lambda_max)
    if dataset.defaults.lr is not None:
        return dataset.defaults.lr
    return preset_rate(Regime.GOOD, problem.lambda_max)


def check_rate(lr: float) -> float:
    check(("learning rate", lr, "positive"))
    return float(lr)


def parse_init(text: str, param_names: tuple[str, ...]) -> tuple[float, ...]:
    """'zeros' → all zeros; 'B,W1,...' → that many numbers, bias first."""
    if text.strip().lower() == "zeros":
        return (0.0,) * len(param_names)
    parts = [part.strip() for part in text.split(",")]
    try:
        values = tuple(float(part) for part in parts)
    except ValueError:
        values = ()
    if len(values) != len(param_names) or not all(math.isfinite(value) for value in values):
        raise GdvizInputError(
            f"`init` {text!r}: give 'zeros' or {len(param_names)} finite numbers "
            f"{','.join(param_names).upper()} (bias first)"
        )
    return values


def _choose_init(dataset: Dataset, problem: Problem, init: tuple[float, ...] | None) -> np.ndarray:
    chosen = init if init is not None else dataset.defaults.init
    if chosen is None:
        return np.zeros(problem.n_params)
    if len(chosen) != problem.n_params:
        raise GdvizInputError(
            f"initial weights need {problem.n_params} values ({', '.join(dataset.param_names)}), got {len(chosen)}"
        )
    return np.array(chosen, dtype=float)


def _check_tolerance(tolerance: float | None) -> None:
    if tolerance is not None:
        check(("tolerance", tolerance, "positive"))
