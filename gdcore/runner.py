"""Runs an optimiser on a problem and freezes what it did into a `Trajectory` that every renderer reads."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from gdcore.checks import check
from gdcore.errors import GdvizInputError
from gdcore.optimizers import Optimizer, State
from gdcore.problem import Problem

Status = Literal["converged", "max_epochs", "diverged"]

# A run counts as diverged once its loss passes this many times max(initial loss, 1): far past anything
# a converging run can reach (its loss never exceeds the initial one for η·L < 2), still far from overflow.
DIVERGENCE_FACTOR = 1e12


@dataclass(frozen=True)
class Trajectory:
    """What the optimiser did, epoch by epoch; every array is read-only and finite.

    weights: ndarray of shape (epochs_run + 1, n_params), row k after k epochs (row 0: the start).
    loss: ndarray of shape (epochs_run + 1,), the full-data loss at each row of weights.
    gradient_norms: ndarray of shape (epochs_run + 1,), ‖∇L‖ at each row of weights.
    rates: ndarray of shape (epochs_run,), the learning rate used by epoch k's (first) update.
    diverged_at: for a diverged run, the epoch whose update made the loss non-finite or pass the bound: epochs_run
    when that state was still finite (and so kept), epochs_run + 1 when it was not; None otherwise.
    """

    weights: np.ndarray
    loss: np.ndarray
    gradient_norms: np.ndarray
    rates: np.ndarray
    status: Status
    optimizer: str
    lr: float
    diverged_at: int | None = None

    def __post_init__(self) -> None:
        # A diverged run names the epoch that blew up: the last one kept, or the one after it; no other run does.
        expected = (self.epochs_run, self.epochs_run + 1) if self.diverged else (None,)
        if self.diverged_at not in expected:
            raise ValueError(f"a {self.status} trajectory of {self.epochs_run} epochs cannot have diverged_at="
                             f"{self.diverged_at!r}")

    @property
    def epochs_run(self) -> int:
        return int(self.loss.shape[0] - 1)

    @property
    def diverged(self) -> bool:
        return self.status == "diverged"

    @property
    def diverged_epoch(self) -> int | None:
        """The epoch whose update blew up (what every caption names), None unless the run diverged."""
        return self.diverged_at

    @property
    def final_weights(self) -> np.ndarray:
        return self.weights[-1]

    @property
    def final_loss(self) -> float:
        return float(self.loss[-1])


def run(
    problem: Problem,
    optimizer: Optimizer,
    epochs: int,
    init: np.ndarray | None = None,
    tolerance: float | None = None,
) -> Trajectory:
    """Run `epochs` epochs (full-batch: one update each; sgd: one shuffled pass of mini-batches each).

    Stops early when ‖w_{k+1} − w_k‖ < tolerance (status 'converged') or when the loss stops being finite or
    passes DIVERGENCE_FACTOR × max(initial loss, 1) (status 'diverged'; the offending state is kept only if finite).
    """
    weights = _initial_weights(problem, init)
    check(("epochs", epochs, "epochs"))
    bound = DIVERGENCE_FACTOR * max(float(problem.loss(weights)), 1.0)  # may be inf for a huge start: no bound then
    stepper = _Stepper(problem, optimizer)
    rows, rates = [weights], []
    status: Status = "max_epochs"
    diverged_at: int | None = None
    for epoch in range(1, epochs + 1):
        rates.append(optimizer.rate(stepper.updates))
        with np.errstate(over="ignore", invalid="ignore"):
            new_weights = stepper.epoch(weights)
            new_loss = float(problem.loss(new_weights)) if np.all(np.isfinite(new_weights)) else math.inf
        if not (math.isfinite(new_loss) and new_loss <= bound):
            status, diverged_at = "diverged", epoch
            if math.isfinite(new_loss):
                rows.append(new_weights)
            else:
                rates.pop()
            break
        rows.append(new_weights)
        if tolerance is not None and _norm(new_weights - weights) < tolerance:
            status = "converged"
            break
        weights = new_weights
    return _freeze(problem, rows, rates, status, optimizer, diverged_at)


class _Stepper:
    """Applies one epoch of updates, carrying the optimiser's state and its update count."""

    def __init__(self, problem: Problem, optimizer: Optimizer) -> None:
        self.problem = problem
        self.optimizer = optimizer
        self.state: State | None = None
        self.updates = 0
        self.shuffler = np.random.default_rng(optimizer.seed)

    def epoch(self, weights: np.ndarray) -> np.ndarray:
        if self.state is None:
            self.state = self.optimizer.init_state(weights)
        for rows in self._batches():
            grad = self.problem.gradient(weights) if rows is None else self.problem.batch_gradient(weights, rows)
            weights, self.state = self.optimizer.step(weights, grad, self.state, self.updates)
            self.updates += 1
        return weights

    def _batches(self) -> list[np.ndarray | None]:
        """Full batch: one update. Mini-batch: a fresh shuffle of the rows, cut into batches."""
        batch_size = self.optimizer.batch_size
        if batch_size is None:
            return [None]
        order = self.shuffler.permutation(self.problem.n_samples)
        return [order[start : start + batch_size] for start in range(0, len(order), batch_size)]


def _initial_weights(problem: Problem, init: np.ndarray | None) -> np.ndarray:
    if init is None:
        return np.zeros(problem.n_params)
    weights = np.asarray(init, dtype=float)
    if weights.shape != (problem.n_params,):
        raise GdvizInputError(
            f"initial weights need {problem.n_params} values (bias first), got {weights.size}: {list(weights)}"
        )
    if not np.all(np.isfinite(weights)):
        raise GdvizInputError(f"initial weights must be finite numbers, got {list(weights)}")
    with np.errstate(over="ignore", invalid="ignore"):
        finite = math.isfinite(float(problem.loss(weights))) and math.isfinite(_norm(problem.gradient(weights)))
    if not finite:
        raise GdvizInputError(
            f"initial weights {list(weights)} are so large that the loss overflows: choose smaller values"
        )
    return weights


def _norm(vector: np.ndarray) -> float:
    """‖v‖ = m·‖v/m‖ with m = max|vᵢ|: no overflow while the norm itself is representable."""
    largest = float(np.max(np.abs(vector)))
    if largest == 0.0 or not math.isfinite(largest):
        return largest
    return largest * float(np.sqrt(np.sum((vector / largest) ** 2)))


def _freeze(problem: Problem, rows: list[np.ndarray], rates: list[float], status: Status,
            optimizer: Optimizer, diverged_at: int | None) -> Trajectory:
    """Loss and gradient norm of every row, read-only; rows from the first whose gradient norm overflows are dropped
    (the run then diverged at that row's epoch)."""
    weights = np.array(rows, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        loss = problem.loss(weights)
        gradient_norms = np.array([_norm(gradient) for gradient in problem.gradient(weights)])
    finite = np.isfinite(loss) & np.isfinite(gradient_norms)
    kept = int(np.argmin(finite)) if not finite.all() else len(rows)  # rows before the first non-finite one
    if kept < len(rows):
        status, diverged_at = "diverged", kept  # row k holds the weights after epoch k
    arrays = [weights[:kept], loss[:kept], gradient_norms[:kept], np.array(rates[: kept - 1], dtype=float)]
    for array in arrays:
        array.setflags(write=False)
    return Trajectory(*arrays, status=status, optimizer=optimizer.name, lr=float(optimizer.lr),
                      diverged_at=diverged_at)
