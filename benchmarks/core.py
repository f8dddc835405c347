"""Core benchmark: gdviz's statistics-based runner and loss grid against the tutorials' naive loops.

Run with `.venv/bin/python benchmarks/core.py`; prints one line per comparison, ending in `speedup N.Nx`.
Both sides of a comparison run in this one process, on the same data.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gdcore.grid import loss_grid
from gdcore.optimizers import GD
from gdcore.problem import Problem, design_matrix
from gdcore.runner import run

N_SAMPLES = 1_000_000
EPOCHS = 500
GRID = 200


def timed(work: Callable[[], object], repeats: int = 1) -> tuple[float, object]:
    """The best wall time of `repeats` calls (a short call is easily slowed by whatever else runs), and a result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    return best, result


def naive_gd(features: np.ndarray, target: np.ndarray, lr: float, epochs: int) -> np.ndarray:
    """What the tutorials do: the full-data gradient (2/n) Xᵀ(Xw − y) every epoch, weights and loss kept."""
    design = design_matrix(features)
    weights = np.zeros(design.shape[1])
    history, losses = [weights], []
    for _ in range(epochs):
        residual = design @ weights - target
        losses.append(float(residual @ residual) / len(target))
        weights = weights - lr * 2.0 / len(target) * (design.T @ residual)
        history.append(weights)
    return np.array(history)


def compare_runner(n_params: int) -> None:
    rng = np.random.default_rng(0)
    features = rng.uniform(0.0, 2.0, size=(N_SAMPLES, n_params - 1))
    target = 1.0 + features @ rng.uniform(1.0, 3.0, n_params - 1) + 0.5 * rng.standard_normal(N_SAMPLES)
    setup, problem = timed(lambda: Problem.from_data(features, target))
    lr = 0.5 / problem.lambda_max  # type: ignore[attr-defined]
    ours, trajectory = timed(lambda: run(problem, GD(lr=lr), EPOCHS), repeats=3)  # type: ignore[arg-type]
    naive, history = timed(lambda: naive_gd(features, target, lr, EPOCHS))
    np.testing.assert_allclose(trajectory.weights, history, rtol=1e-6, atol=1e-9)  # type: ignore[attr-defined]
    print(f"GD {EPOCHS} epochs, n = {N_SAMPLES:,}, p = {n_params}: naive full-data loop {naive:.2f} s vs "
          f"gdviz runner {ours * 1e3:.1f} ms (best of 3; + statistics once {setup:.2f} s): speedup {naive / ours:.1f}x "
          f"(with the statistics: {naive / (ours + setup):.1f}x)")


def lab_loss(features: np.ndarray, target: np.ndarray, weights: np.ndarray) -> float:
    """The lab's loss function: MSE from the residuals."""
    residual = design_matrix(features) @ weights - target
    return float(np.mean(residual**2))


def compare_grid() -> None:
    rng = np.random.RandomState(42)
    n = 100
    x1, x2 = rng.uniform(0, 2, n), rng.uniform(0, 2, n)
    target = 1 + 2 * x1 + 3 * x2 + 0.5 * rng.randn(n)
    features = np.column_stack([x1, x2])
    problem = Problem.from_data(features, target)
    w1_values, w2_values = np.linspace(0, 4, GRID), np.linspace(1, 5, GRID)
    bias = problem.closed_form[0]

    def double_loop() -> np.ndarray:
        surface = np.empty((GRID, GRID))
        for i, w2 in enumerate(w2_values):
            for j, w1 in enumerate(w1_values):
                surface[i, j] = lab_loss(features, target, np.array([bias, w1, w2]))
        return surface

    naive, expected = timed(double_loop)
    ours, grid = timed(lambda: loss_grid(problem, (1, 2), (0, 4), (1, 5), GRID), repeats=5)
    np.testing.assert_allclose(grid.loss, expected, rtol=1e-9)  # type: ignore[attr-defined]
    print(f"loss on a {GRID}x{GRID} grid (n = {n}): python double loop {naive:.2f} s vs gdviz "
          f"{ours * 1e3:.2f} ms (best of 5): speedup {naive / ours:.0f}x")


if __name__ == "__main__":
    compare_runner(3)
    compare_runner(101)
    compare_grid()
