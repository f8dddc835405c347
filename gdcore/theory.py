"""The exact iterates of constant-rate gradient descent on a quadratic: a test oracle and the 'ghost path'."""

from __future__ import annotations

import math

import numpy as np

from gdcore.problem import Problem
from gdcore.runner import Trajectory


def exact_iterates(problem: Problem, lr: float, init: np.ndarray, epochs: int) -> np.ndarray:
    """w_k = w* + (I − ηH)^k (w₀ − w*) for k = 0..epochs, as an ndarray of shape (epochs + 1, n_params).

    With H = QΛQᵀ, (I − ηH)^k = Q diag((1 − ηλᵢ)^k) Qᵀ: each eigen-direction of the error shrinks (or grows)
    geometrically by its own factor. Holds for any minimiser w*, so also when H is singular.
    """
    eigenvalues, eigenvectors = np.linalg.eigh(problem.hessian)
    optimum = problem.closed_form
    error_in_eigenbasis = eigenvectors.T @ (np.asarray(init, dtype=float) - optimum)
    steps = np.arange(epochs + 1)[:, None]
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging rate: the caller's run stopped long before
        factors = (1.0 - lr * eigenvalues)[None, :] ** steps  # shape (epochs + 1, p)
        return optimum + (factors * error_in_eigenbasis) @ eigenvectors.T


def has_closed_form(trajectory: Trajectory) -> bool:
    """True for plain constant-rate gd: the only optimiser whose iterates `exact_iterates` gives."""
    return trajectory.optimizer == "gd"


def theory_path(trajectory: Trajectory, problem: Problem, init: np.ndarray) -> np.ndarray | None:
    """The exact iterates for the epochs the run kept, shape (epochs_run + 1, n_params); None without a closed form."""
    if not has_closed_form(trajectory):
        return None
    return exact_iterates(problem, trajectory.lr, init, trajectory.epochs_run)


def theory_max_deviation(trajectory: Trajectory, problem: Problem, init: np.ndarray) -> float | None:
    """max_k ‖w_k − w_k^theory‖ / (1 + ‖w*‖) over the run: rounding only, for gd; None without a closed form."""
    path = theory_path(trajectory, problem, init)
    if path is None:
        return None
    with np.errstate(over="ignore", invalid="ignore"):
        deviation = float(np.max(np.linalg.norm(trajectory.weights - path, axis=1)))
    return deviation / (1.0 + float(np.linalg.norm(problem.closed_form))) if math.isfinite(deviation) else math.inf
