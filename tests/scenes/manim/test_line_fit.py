"""LineFitScene: a tiny render read back, and the line's state after construct against the trajectory."""

from __future__ import annotations

from pathlib import Path

from gdcore.experiment import Experiment
from scenes.manim.line_fit import LineFitScene
from scenes.notebook import run
from tests.scenes.manim.conftest import read_video, render_tiny


def final_prediction_check(scene: LineFitScene, experiment: Experiment) -> None:
    """The line's endpoints are the final weights' predictions at the ends of the x-axis."""
    axes, weights = scene.axes, experiment.trajectory.final_weights
    held = experiment.dataset.features[:, 1:].mean(axis=0)
    for point, x in zip((scene.final_line.get_start(), scene.final_line.get_end()), scene.x_ends, strict=True):
        x_value, y_value = axes.p2c(point)
        assert abs(x_value - x) < 1e-6
        assert abs(y_value - (weights[0] + weights[1] * x + weights[2:] @ held)) < 1e-6


def test_tiny_render_reads_back(tiny_config: Path) -> None:
    experiment = run("line", regime="good", epochs=40)
    scene, movie = render_tiny(LineFitScene, [experiment], seconds=1.0)
    video = read_video(movie)
    assert video["codec"] == "h264" and (video["width"], video["height"]) == (256, 144)
    assert video["fps"] == 5 and video["frames"] == scene.plan.n_frames
    final_prediction_check(scene, experiment)


def test_a_divergent_run_finishes(tiny_config: Path) -> None:
    experiment = run("plane", lr=0.8)
    scene, movie = render_tiny(LineFitScene, [experiment], seconds=1.0)
    assert read_video(movie)["frames"] == scene.plan.n_frames
    final_prediction_check(scene, experiment)
