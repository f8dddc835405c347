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
# Cost budget of a full-batch run, epochs × parameters² (one p×p product per update): 1,000,000 epochs of 100
# parameters, or 10,000 epochs of 1,000. SECONDS_PER_WORK is the measured time per unit, for the message.
MAX_EPOCH_WORK = 10_000_000_000
SECONDS_PER_WORK = 5e-9
# Cost budget of mini-batch sgd: the total number of updates (each costs ~25 µs plus the batch's rows).
MAX_UPDATES = 2_000_000
SECONDS_PER_UPDATE = 25e-6


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
    The cost is checked against the budget (check_budget) before any step.
    """
    weights = _initial_weights(problem, init)
    check(("epochs", epochs, "epochs"))
    check_budget(problem, optimizer, epochs)
    bound = DIVERGENCE_FACTOR * max(float(problem.loss(weights)), 1.0)  # may be inf for a huge start: no bound then
    stepper = _Stepper(problem, optimizer)
    rows = np.empty((epochs + 1, problem.n_params))  # every epoch's weights: (epochs + 1)·p·8 bytes
    rows[0] = weights
    rates = np.empty(epochs)
    kept, status, diverged_at = 1, "max_epochs", None
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(1, epochs + 1):
            rates[epoch - 1] = optimizer.rate(stepper.updates)
            new_weights = stepper.epoch(weights)
            new_loss = float(problem.loss(new_weights))  # non-finite weights give a non-finite loss
            if not (math.isfinite(new_loss) and new_loss <= bound):
                status, diverged_at = "diverged", epoch
                if math.isfinite(new_loss):
                    rows[kept], kept = new_weights, kept + 1
                break
            rows[kept], kept = new_weights, kept + 1
            if tolerance is not None and _norm(new_weights - weights) < tolerance:
                status = "converged"
                break
            weights = new_weights
    return _freeze(problem, rows[:kept], rates[: kept - 1], status, optimizer, diverged_at)  # type: ignore[arg-type]


def check_budget(problem: Problem, optimizer: Optimizer, epochs: int) -> None:
    """One line before any work when a run would cost more than the documented budget.

    Full batch: epochs × p² (one p×p product per update) ≤ MAX_EPOCH_WORK. Mini-batch sgd: it needs the rows,
    and epochs × ⌈n / batch size⌉ updates ≤ MAX_UPDATES.
    """
    p, batch_size = problem.n_params, optimizer.batch_size
    if batch_size is None:
        work = epochs * p * p
        if work > MAX_EPOCH_WORK:
            raise GdvizInputError(
                f"--epochs {epochs:,} with {p:,} parameters costs epochs × parameters² = {work:.2g}, past the budget "
                f"of {MAX_EPOCH_WORK:.0e} (about {MAX_EPOCH_WORK * SECONDS_PER_WORK:.0f} s): at most "
                f"{MAX_EPOCH_WORK // (p * p):,} epochs, or fewer features")
        return
    if not problem.has_rows:
        raise GdvizInputError(
            f"mini-batch sgd needs every row of the data, but its {problem.n_samples:,} rows are past the row "
            "budget and were not kept: use full-batch gradient descent (--optimizer gd)")
    updates = epochs * -(-problem.n_samples // batch_size)
    if updates > MAX_UPDATES:
        raise GdvizInputError(
            f"sgd with batch size {batch_size:,} on {problem.n_samples:,} rows for {epochs:,} epochs makes "
            f"{updates:,} updates, past the budget of {MAX_UPDATES:,} (about {MAX_UPDATES * SECONDS_PER_UPDATE:.0f} "
            "s): use fewer epochs, a larger --batch-size, or full-batch gd")


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
    return float(_row_norms(np.asarray(vector)[None, :])[0])


def _row_norms(rows: np.ndarray) -> np.ndarray:
    """‖rᵢ‖ for each row of shape (k, p), as mᵢ·‖rᵢ/mᵢ‖ with mᵢ = max|rᵢⱼ|; 0 and non-finite rows kept as they are."""
    largest = np.max(np.abs(rows), axis=1)
    usable = (largest > 0) & np.isfinite(largest)
    safe = np.where(usable, largest, 1.0)
    with np.errstate(over="ignore", invalid="ignore"):
        scaled = np.sqrt(np.sum((rows / safe[:, None]) ** 2, axis=1)) * safe
    return np.where(usable, scaled, largest)


def _freeze(problem: Problem, weights: np.ndarray, rates: np.ndarray, status: Status,
            optimizer: Optimizer, diverged_at: int | None) -> Trajectory:
    """Loss and gradient norm of every row, read-only; rows from the first whose gradient norm overflows are dropped
    (the run then diverged at that row's epoch)."""
    with np.errstate(over="ignore", invalid="ignore"):
        loss = problem.loss(weights)
        gradient_norms = _row_norms(problem.gradient(weights))
    finite = np.isfinite(loss) & np.isfinite(gradient_norms)
    kept = int(np.argmin(finite)) if not finite.all() else len(weights)  # rows before the first non-finite one
    if kept < len(weights):
        status, diverged_at = "diverged", kept  # row k holds the weights after epoch k
    arrays = [weights[:kept].copy(), loss[:kept], gradient_norms[:kept], rates[: kept - 1].copy()]
    for array in arrays:
        array.setflags(write=False)
    return Trajectory(*arrays, status=status, optimizer=optimizer.name, lr=float(optimizer.lr),
                      diverged_at=diverged_at)
