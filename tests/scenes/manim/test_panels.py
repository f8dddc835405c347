"""The race, sweep and scaling scenes' shared pieces: equal units, the epoch a run gets within 1 %, what a run's
finish says, legend rows."""

from __future__ import annotations

import numpy as np
import pytest

from scenes.captions import status_text
from scenes.manim.panels import epoch_within, equal_units, finish_text, legend
from scenes.manim.plotting import Rect, TextCache, Window
from scenes.notebook import run


def test_equal_units_keeps_the_centre_and_holds_the_window() -> None:
    rng = np.random.default_rng(5)
    for _ in range(50):
        low = rng.normal(size=2) * 10
        window = Window(low[0], low[0] + rng.uniform(0.01, 100), low[1], low[1] + rng.uniform(0.01, 100))
        rect = Rect(0.0, 0.0, rng.uniform(1, 8), rng.uniform(1, 8))
        wide = equal_units(window, rect)
        assert (wide.x_high - wide.x_low) / rect.width == pytest.approx((wide.y_high - wide.y_low) / rect.height)
        np.testing.assert_allclose((wide.low + wide.high) / 2, (window.low + window.high) / 2)
        assert np.all(wide.low <= window.low + 1e-9) and np.all(wide.high >= window.high - 1e-9)


def test_epoch_within_is_the_first_epoch_whose_error_is_down_to_one_percent() -> None:
    experiment = run("plane", regime="good")
    weights, optimum = experiment.trajectory.weights, experiment.problem.closed_form
    start = np.sqrt(np.sum((weights[0] - optimum) ** 2))
    naive = next(k for k in range(len(weights)) if np.sqrt(np.sum((weights[k] - optimum) ** 2)) <= 0.01 * start)
    assert epoch_within(experiment) == naive
    assert finish_text(experiment).startswith(f"error at 1 % of its start by epoch {naive}, loss ")


def test_a_run_that_does_not_get_there_or_diverges_says_so() -> None:
    slow = run("plane", regime="slow", epochs=20)
    assert epoch_within(slow) is None and finish_text(slow).startswith("error still ")
    diverged = run("plane", lr=0.8)
    assert finish_text(diverged) == status_text(diverged.trajectory)


def test_legend_rows_fit_their_width() -> None:
    pytest.importorskip("manim")
    entries = [(f"optimizer {k} · lr 0.{k}", "#0072B2") for k in range(5)]
    key = legend(entries, 17.0, TextCache(), max_width=6.0)
    assert len(key.submobjects) > 1 and all(row.width <= 6.0 for row in key.submobjects)
