"""The error w_k − w* of a run in the Hessian's eigenbasis: one component per eigen-direction and epoch.

For constant-rate gd each component is multiplied by its own factor 1 − ηλᵢ every step: it shrinks when
|1 − ηλᵢ| < 1, flips sign each step when 1 − ηλᵢ < 0, and grows when |1 − ηλᵢ| > 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdcore.problem import Problem
from gdcore.runner import Trajectory


def _read_only(array: np.ndarray) -> np.ndarray:
    array = np.array(array, dtype=float)
    array.setflags(write=False)
    return array


@dataclass(frozen=True)
class Mode:
    """One eigen-direction: its eigenvalue, gd's factor per step (None for other optimisers), and the error's
    component along it at the start and at the end of the run."""

    eigenvalue: float
    factor: float | None
    initial: float
    final: float


@dataclass(frozen=True)
class Modes:
    """The run's error in the eigenbasis H = QΛQᵀ; every array read-only.

    eigenvalues: ndarray of shape (p,), ascending (tiny negative rounding clipped to 0).
    eigenvectors: ndarray of shape (p, p), column i the unit direction of eigenvalue i, its sign fixed so that its
    largest-magnitude entry is positive (a deterministic picture).
    factors: ndarray of shape (p,), 1 − ηλᵢ, for constant-rate gd; None for every other optimiser.
    components: ndarray of shape (epochs_run + 1, p), row k = Qᵀ(w_k − w*).
    """

    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    factors: np.ndarray | None
    components: np.ndarray

    @property
    def initial(self) -> np.ndarray:
        """Components at the start, shape (p,)."""
        return self.components[0]

    @property
    def final(self) -> np.ndarray:
        """Components after the last epoch run, shape (p,)."""
        return self.components[-1]

    @property
    def directions(self) -> tuple[Mode, ...]:
        """One record per eigen-direction, in ascending eigenvalue order."""
        factors = [None] * len(self.eigenvalues) if self.factors is None else [float(f) for f in self.factors]
        return tuple(
            Mode(eigenvalue=float(lam), factor=factor, initial=float(start), final=float(end))
            for lam, factor, start, end in zip(self.eigenvalues, factors, self.initial, self.final, strict=True)
        )

    def envelope(self) -> np.ndarray | None:
        """|1 − ηλᵢ|ᵏ · |initialᵢ|, shape (epochs_run + 1, p): the bound gd's bars flip inside; None without factors."""
        if self.factors is None:
            return None
        steps = np.arange(self.components.shape[0])[:, None]
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging rate: inf, never a warning
            return np.abs(self.factors)[None, :] ** steps * np.abs(self.initial)[None, :]


def eigenbasis(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """(eigenvalues (p,) ascending, eigenvectors (p, p) as columns) of the Hessian, signs fixed as in `Modes`."""
    eigenvalues, eigenvectors = np.linalg.eigh(problem.hessian)
    largest = np.argmax(np.abs(eigenvectors), axis=0)
    signs = np.sign(eigenvectors[largest, np.arange(eigenvectors.shape[1])])
    return np.clip(eigenvalues, 0.0, None), eigenvectors * np.where(signs == 0, 1.0, signs)


def modes(problem: Problem, trajectory: Trajectory) -> Modes:
    """The trajectory's error w_k − w* in the Hessian's eigenbasis, epoch by epoch."""
    eigenvalues, eigenvectors = eigenbasis(problem)
    components = (trajectory.weights - problem.closed_form) @ eigenvectors  # row k: Qᵀ(w_k − w*)
    with np.errstate(over="ignore"):  # a rate near the largest float: a factor of −inf
        factors = 1.0 - trajectory.lr * eigenvalues if trajectory.optimizer == "gd" else None
    return Modes(
        eigenvalues=_read_only(eigenvalues),
        eigenvectors=_read_only(eigenvectors),
        factors=None if factors is None else _read_only(factors),
        components=_read_only(components),
    )
