"""UpdateRuleScene: the numbers it shows against gdcore (and an independent oracle), tiny renders read back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gdcore.experiment import Experiment
from gdcore.problem import design_matrix
from scenes.manim.update_rule import (
    STEPS,
    UpdateRuleScene,
    clipped_segment,
    step_numbers,
    typst_exponent,
    typst_number,
)
from scenes.notebook import run
from tests.scenes.manim.conftest import read_video, render_tiny


def oracle_gradient(experiment: Experiment, weights: np.ndarray) -> np.ndarray:
    """∇L straight from the data: (2s/n) Xᵀ(Xw − y), s = 1 (mse) or ½ (half-mse): no sufficient statistics."""
    design, target = design_matrix(experiment.dataset.features), experiment.dataset.target
    factor = 1.0 if experiment.problem.cost == "half-mse" else 2.0
    return factor / len(target) * design.T @ (design @ weights - target)


def check_plain_gd_numbers(scene: UpdateRuleScene, experiment: Experiment) -> None:
    """Each step shown: w_k, ∇L(w_k) = problem.gradient(w_k), −η∇L(w_k), and w_(k+1) from the trajectory."""
    weights, lr = experiment.trajectory.weights, experiment.trajectory.lr
    assert [shown["epoch"] for shown in scene.steps_shown] == list(range(min(STEPS, experiment.trajectory.epochs_run)))
    for k, shown in enumerate(scene.steps_shown):
        gradient = experiment.problem.gradient(weights[k])
        np.testing.assert_array_equal(shown["weights"], weights[k])
        np.testing.assert_array_equal(shown["gradient"], gradient)
        np.testing.assert_array_equal(shown["step"], -lr * gradient)
        np.testing.assert_array_equal(shown["new_weights"], weights[k + 1])
        np.testing.assert_allclose(shown["gradient"], oracle_gradient(experiment, weights[k]), rtol=1e-9, atol=1e-9)
        # The arithmetic on screen adds up: w_k + (−η∇L(w_k)) = w_(k+1).
        np.testing.assert_allclose(shown["weights"] + shown["step"], shown["new_weights"], rtol=1e-9, atol=1e-9)


def check_final_line(scene: UpdateRuleScene, experiment: Experiment) -> None:
    """The panel's last line is the model at the last w shown, inside the panel."""
    weights, held = scene.steps_shown[-1]["new_weights"], experiment.dataset.features[:, 1:].mean(axis=0)
    for point in (scene.final_line.get_start(), scene.final_line.get_end()):
        x, y = scene.axes.p2c(point)
        assert abs(y - (weights[0] + weights[1] * x + weights[2:] @ held)) < 1e-6
        assert scene.x_range[0] - 1e-9 <= x <= scene.x_range[1] + 1e-9
        assert scene.y_range[0] - 1e-9 <= y <= scene.y_range[1] + 1e-9


def test_tiny_render_reads_back_and_shows_gdcore_numbers(tiny_config: Path) -> None:
    experiment = run("plane", regime="good")
    scene, movie = render_tiny(UpdateRuleScene, [experiment], seconds=1.0)
    video = read_video(movie)
    assert video["codec"] == "h264" and (video["width"], video["height"]) == (256, 144)
    assert video["fps"] == 5 and video["frames"] > 0
    assert len(scene.steps_shown) == STEPS
    check_plain_gd_numbers(scene, experiment)
    check_final_line(scene, experiment)


def test_half_mse_gradient_uses_one_over_n(tiny_config: Path) -> None:
    experiment = run("line", regime="good")
    assert experiment.problem.cost == "half-mse"
    scene, movie = render_tiny(UpdateRuleScene, [experiment], seconds=1.0)
    assert read_video(movie)["frames"] > 0
    check_plain_gd_numbers(scene, experiment)
    check_final_line(scene, experiment)


def test_a_divergent_run_finishes(tiny_config: Path) -> None:
    # warnings are errors (pyproject.toml): an overflow or a too-short animation would fail this test
    experiment = run("plane", lr=0.8)
    assert experiment.trajectory.diverged
    scene, movie = render_tiny(UpdateRuleScene, [experiment], seconds=1.0)
    assert read_video(movie)["frames"] > 0
    check_plain_gd_numbers(scene, experiment)


def test_other_optimisers_show_the_stored_difference() -> None:
    experiment = run("plane", optimizer="adam", lr=0.1)
    weights = experiment.trajectory.weights
    shown = step_numbers(experiment, 1)
    np.testing.assert_array_equal(shown["step"], weights[2] - weights[1])
    np.testing.assert_array_equal(shown["gradient"], experiment.problem.gradient(weights[1]))
    np.testing.assert_array_equal(shown["new_weights"], weights[2])


@pytest.mark.parametrize(("value", "shown"), [
    (1.77651901, "1.777"), (-12.4, "-12.40"), (0.0, "0"), (-0.0, "0"), (-1e-30, "-1.000 dot 10^(-30)"),
    (123456.7, "1.235 dot 10^(5)"), (-9.9996e7, "-1.000 dot 10^(8)"), (1234.6, "1235"), (0.0004672, "0.0004672"),
])
def test_numbers_keep_four_significant_digits(value: float, shown: str) -> None:
    assert typst_number(value) == shown


def test_a_rate_in_exponent_form_reads_as_a_power_of_ten() -> None:
    assert typst_exponent(f"{1e200:g}") == "1 dot 10^(200)"
    assert typst_exponent(f"{0.15:g}") == "0.15"


def test_a_line_is_clipped_to_the_panel() -> None:
    start, end = clipped_segment(0.0, 10.0, (0.0, 3.0), (0.0, 15.0))
    np.testing.assert_allclose(start, [0.0, 0.0])
    np.testing.assert_allclose(end, [1.5, 15.0])
    assert clipped_segment(100.0, 1.0, (0.0, 3.0), (0.0, 15.0)) is None  # wholly above
    assert clipped_segment(5.0, 1e-300, (0.0, 3.0), (0.0, 15.0)) is not None  # flat, no overflow
