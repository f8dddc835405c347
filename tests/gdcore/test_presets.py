"""Each preset's default run against its tutorial's own loop, written out the way the tutorial writes it.

The loops below rebuild the data from the recipe in SEEDS.md (same generator, same calls, same order) without
gdcore, train it as the tutorial does, and compare with what `prepare` gives for the preset with no options. The
printed numbers are pinned too: if a recipe, a default or the runner drifts, these fail.
"""

from __future__ import annotations

import numpy as np
import pytest

from gdcore.datasets import LINE_SEED, load_preset
from gdcore.experiment import Experiment, RunRequest, prepare


def default_run(name: str) -> Experiment:
    """The preset trained with its tutorial's own settings, as `gdviz train --dataset NAME` does."""
    return prepare(load_preset(name))


def lab_data() -> tuple[np.ndarray, np.ndarray]:
    """Tutorial 1 verbatim: the global generator seeded with 42, then x1, x2, noise (global state restored)."""
    saved = np.random.get_state()
    try:
        np.random.seed(42)
        n = 100
        x1 = np.random.uniform(0, 2, n)
        x2 = np.random.uniform(0, 2, n)
        noise = 0.5 * np.random.randn(n)
    finally:
        np.random.set_state(saved)
    return np.column_stack([np.ones(n), x1, x2]), 1 + 2 * x1 + 3 * x2 + noise


def test_plane_reproduces_the_labs_printout() -> None:
    design, y = lab_data()
    n = len(y)
    w = np.zeros(3)
    weights, losses = [w], [np.mean((design @ w - y) ** 2)]
    for _ in range(300):  # lr 0.1, 300 epochs, every epoch kept (initial values included)
        w = w - 0.1 * (2 / n) * design.T @ (design @ w - y)
        weights.append(w)
        losses.append(np.mean((design @ w - y) ** 2))
    run = default_run("plane")
    trajectory = run.trajectory
    settings = (trajectory.lr, trajectory.epochs_run, trajectory.status, run.problem.cost)
    assert settings == (0.1, 300, "max_epochs", "mse")
    np.testing.assert_allclose(trajectory.weights, weights, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(trajectory.loss, losses, rtol=1e-12)
    # the lab's printout: initial loss, final loss, learned b, w1, w2 (true 1, 2, 3)
    assert trajectory.loss[0] == pytest.approx(39.88492509371896, rel=1e-12)
    assert trajectory.final_loss == pytest.approx(0.2364182839067292, rel=1e-12)
    np.testing.assert_allclose(trajectory.final_weights, [0.9567750797122025, 1.9139232087064315, 3.1791196396468684],
                               rtol=1e-12)
    # and the normal equation ŵ = (XᵀX)⁻¹Xᵀy, solved here as the lab writes it
    np.testing.assert_allclose(run.problem.closed_form, np.linalg.solve(design.T @ design, design.T @ y), rtol=1e-10)


@pytest.mark.parametrize(("lr", "loss_after_300"), [(0.005, 0.34156909783433137), (0.3, 0.23641795305003707)])
def test_plane_rate_comparison_matches_the_lab(lr: float, loss_after_300: float) -> None:
    # The lab's figure (d): 0.005 is far from the minimum after 300 epochs, 0.3 is at it.
    trajectory = prepare(load_preset("plane"), RunRequest(lr=lr)).trajectory
    assert trajectory.final_loss == pytest.approx(loss_after_300, rel=1e-10)


def test_plane_at_08_diverges_as_the_lab_warns() -> None:
    trajectory = prepare(load_preset("plane"), RunRequest(lr=0.8)).trajectory
    assert trajectory.status == "diverged" and trajectory.diverged_at is not None
    assert np.all(np.isfinite(trajectory.loss))


def test_line_wide_reproduces_the_lessons_loop_and_printout() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 10, 100)
    y = 3 * x + 2 + rng.normal(0, 1, 100)
    design = np.column_stack([x, np.ones(100)])  # the lesson's columns: slope first
    w = rng.standard_normal(2)  # drawn after the data: (slope, intercept)
    printed = {}
    for epoch in range(200):
        error = design @ w - y
        if epoch % 40 == 0:
            printed[epoch] = (float(np.mean(error**2)), w)  # the MSE before this epoch's update
        w = w - 0.01 * (2 / 100) * design.T @ error
    run = default_run("line-wide")
    trajectory = run.trajectory
    assert (trajectory.lr, trajectory.epochs_run, run.problem.cost) == (0.01, 200, "mse")
    for epoch, (mse, weights) in printed.items():
        # gdviz's loss[k] is the loss at the weights after k epochs: the lesson's MSE printed at epoch k
        assert trajectory.loss[epoch] == pytest.approx(mse, rel=1e-12)
        np.testing.assert_allclose(trajectory.weights[epoch], weights[::-1], rtol=1e-12)  # bias first
    np.testing.assert_allclose(trajectory.final_weights, w[::-1], rtol=1e-12)
    # pinned: the start (slope, intercept) and the printed MSEs and the learned slope and intercept
    np.testing.assert_allclose(trajectory.weights[0], [0.5863372815313004, -0.47258767675848407], rtol=1e-15)
    np.testing.assert_allclose(trajectory.loss[[0, 40, 80, 120, 160]],
                               [526.0077374205844, 1.0719307497575392, 1.031314506423657, 1.003207276183698,
                                0.9837565262640718], rtol=1e-12)
    np.testing.assert_allclose(trajectory.final_weights, [1.6330960085372195, 3.037435383822472], rtol=1e-12)
    # the lesson's comparison: np.linalg.pinv(X_b) @ y, slope first
    np.testing.assert_allclose(run.problem.closed_form, (np.linalg.pinv(design) @ y)[::-1], rtol=1e-10)


def test_five_points_reproduces_the_notebook_after_10_100_1000_steps() -> None:
    x, y = np.array([1.0, 2.0, 3.0, 4.0, 5.0]), np.array([1.0, 3.0, 3.0, 3.0, 5.0])
    m, b = 0.48, 0.75
    after = {}
    for step in range(1, 1001):
        error = m * x + b - y
        m, b = m - 0.01 * (2 / 5) * np.sum(error * x), b - 0.01 * (2 / 5) * np.sum(error)
        after[step] = (b, m)
    trajectory = default_run("five-points").trajectory
    assert (trajectory.lr, trajectory.epochs_run) == (0.01, 1000)
    np.testing.assert_array_equal(trajectory.weights[0], [0.75, 0.48])  # (m, b) = (0.48, 0.75), bias first
    for step in (10, 100, 1000):
        np.testing.assert_allclose(trajectory.weights[step], after[step], rtol=1e-12)
    np.testing.assert_allclose(trajectory.weights[10], [0.8094368934859253, 0.7232754423544987], rtol=1e-12)
    np.testing.assert_allclose(trajectory.final_weights, [0.6074956636692518, 0.7979238213569707], rtol=1e-12)
    # enough steps land near the least-squares line (linregress: intercept 0.6, slope 0.8)
    np.testing.assert_allclose(trajectory.final_weights, [0.6, 0.8], atol=0.01)


def test_line_reproduces_the_articles_half_mse_loop_with_its_documented_seed() -> None:
    assert LINE_SEED == 4  # documented in the preset's source line; changing it changes every number below
    rng = np.random.default_rng(4)
    x = rng.uniform(0, 1, 100)
    y = 2 * x + 1 + rng.uniform(-0.2, 0.2, 100)
    design = np.column_stack([np.ones(100), x])
    theta = np.array([1.0, 1.0])
    costs = []
    for _ in range(1000):  # J = (1/2m) Σ (ŷ − y)², gradient (1/m) Xᵀ(Xθ − y), α = 0.01
        residual = design @ theta - y
        costs.append(residual @ residual / 200)
        theta = theta - 0.01 * design.T @ residual / 100
    costs.append((design @ theta - y) @ (design @ theta - y) / 200)
    run = default_run("line")
    trajectory = run.trajectory
    assert (trajectory.lr, trajectory.epochs_run, run.problem.cost) == (0.01, 1000, "half-mse")
    assert "default_rng(4)" in load_preset("line").source
    np.testing.assert_array_equal(trajectory.weights[0], [1.0, 1.0])
    np.testing.assert_allclose(trajectory.loss, costs, rtol=1e-12)
    np.testing.assert_allclose(trajectory.final_weights, theta, rtol=1e-12)
    np.testing.assert_allclose(trajectory.final_weights, [1.2530606443323171, 1.5960235266338305], rtol=1e-12)
