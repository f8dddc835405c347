"""The exact iterates of constant-rate gradient descent on a quadratic: a test oracle and the 'ghost path'."""

from __future__ import annotations

import numpy as np

from gdcore.problem import Problem


def exact_iterates(problem: Problem, lr: float, init: np.ndarray, epochs: int) -> np.ndarray:
    """w_k = w* + (I − ηH)^k (w₀ − w*) for k = 0..epochs, as an ndarray of shape (epochs + 1, n_params).

    With H = QΛQᵀ, (I − ηH)^k = Q diag((1 − ηλᵢ)^k) Qᵀ: each eigen-direction of the error shrinks (or grows)
    geometrically by its own factor. Holds for any minimiser w*, so also when H is singular.
    """
    eigenvalues, eigenvectors = np.linalg.eigh(problem.hessian)
    optimum = problem.closed_form
    error_in_eigenbasis = eigenvectors.T @ (np.asarray(init, dtype=float) - optimum)
    steps = np.arange(epochs + 1)[:, None]
    factors = (1.0 - lr * eigenvalues)[None, :] ** steps  # shape (epochs + 1, p)
    return optimum + (factors * error_in_eigenbasis) @ eigenvectors.T
