"""LineFitScene: tiny renders read back, and the line drawn at the end against the trajectory's final model."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gdcore.experiment import Experiment
from scenes.manim.line_fit import LineFitScene
from scenes.notebook import run
from tests.scenes.manim.conftest import read_video, render_tiny


def drawn_line(scene: LineFitScene) -> np.ndarray:
    """The last frame's line read back into data coordinates through its view: shape (2, 2), rows (x, ŷ)."""
    stroke = scene.line.submobjects[-1]
    points = stroke.points[[0, -1]]
    return np.array([scene.window.to_data(scene.rect, point) for point in points])


def model_at(experiment: Experiment, x: np.ndarray) -> np.ndarray:
    """ŷ = b + w1·x + Σ wⱼ·x̄ⱼ (the other features at their means), from the final weights."""
    weights = experiment.trajectory.final_weights
    held = experiment.dataset.features[:, 1:].mean(axis=0)
    return weights[0] + weights[1] * x + weights[2:] @ held


def test_tiny_render_reads_back(tiny_config: Path) -> None:
    experiment = run("line", regime="good", epochs=40)
    scene, movie = render_tiny(LineFitScene, [experiment], seconds=1.0)
    video = read_video(movie)
    assert video["codec"] == "h264" and (video["width"], video["height"]) == (256, 144)
    assert video["fps"] == 5 and video["frames"] == scene.plan.n_frames
    line = drawn_line(scene)
    np.testing.assert_allclose(line[:, 0], scene.panel.x_ends, rtol=1e-9)
    np.testing.assert_allclose(line[:, 1], model_at(experiment, line[:, 0]), rtol=1e-9)
    assert not scene.panel.follow.moves and not hasattr(scene, "banner")


def test_a_divergent_run_is_followed_and_explained(tiny_config: Path) -> None:
    experiment = run("line-wide", regime="divergent")
    assert experiment.trajectory.diverged
    scene, movie = render_tiny(LineFitScene, [experiment], seconds=1.0)
    assert read_video(movie)["frames"] == scene.plan.n_frames
    line = drawn_line(scene)
    # the whole final line is on screen: the view grew to hold it, inside the plot box
    np.testing.assert_allclose(line[:, 0], scene.panel.x_ends, rtol=1e-9)
    np.testing.assert_allclose(line[:, 1], model_at(experiment, line[:, 0]), rtol=1e-9)
    assert scene.window.y_high - scene.window.y_low > 1e3 * np.ptp(experiment.dataset.target)
    stroke = scene.line.submobjects[-1]
    assert np.all(stroke.points[:, 0] >= scene.rect.left - 1e-9) and np.all(stroke.points[:, 0] <= scene.rect.right)
    assert np.all(stroke.points[:, 1] >= scene.rect.bottom - 1e-9) and np.all(stroke.points[:, 1] <= scene.rect.top)
    assert scene.banner in scene.mobjects and scene.banner[0].get_fill_opacity() > 0.9
