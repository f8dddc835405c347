"""SurfaceDescentScene: a tiny render read back, and the path and the drawn bowl against the problem's own loss."""

from __future__ import annotations

from pathlib import Path

import manim
import numpy as np

from gdcore.experiment import Experiment
from scenes.manim.surface_descent import SurfaceDescentScene
from scenes.notebook import run
from tests.scenes.manim.conftest import read_video, render_tiny


def held_at_optimum_loss(experiment: Experiment, params: tuple[int, int], points: np.ndarray) -> np.ndarray:
    """The oracle: problem.loss of the full weight vector, the two shown parameters from `points`, the rest at the
    closed-form optimum (a plain loop, one weight vector at a time)."""
    losses = []
    for first, second in points:
        weights = experiment.problem.closed_form.copy()
        weights[params[0]], weights[params[1]] = first, second
        losses.append(float(experiment.problem.loss(weights)))
    return np.array(losses)


def drawn_bowl_check(scene: SurfaceDescentScene) -> None:
    """Every corner of the drawn surface's faces sits at the slice's loss of its (wi, wj), read back through the
    axes (Bézier handles are tangents, not points of the surface)."""
    view = scene.view
    corners = np.vstack([face.get_anchors() for face in scene.surface])
    assert len(corners) >= 4 * len(scene.surface) >= 64
    units = np.array([scene.axes.p2c(point) for point in corners])
    first = np.array([view.plane_value(0, u) for u in units[:, 0]])
    second = np.array([view.plane_value(1, v) for v in units[:, 1]])
    heights = view.unit(np.column_stack([first, second, scene.surface_function(first, second)]))[:, 2]
    np.testing.assert_allclose(units[:, 2], heights, atol=1e-9)


def head_check(scene: SurfaceDescentScene) -> None:
    """The head ends on the last epoch's point, drawn at the final zoom, and that point lies on the drawn bowl."""
    last = scene.path_points[-1]
    expected = scene.view.unit(last, scene.final_zoom)[0]
    np.testing.assert_allclose(scene.axes.p2c(scene.head.get_center()), expected, atol=1e-9)
    assert np.all((expected >= -1e-9) & (expected <= 1 + 1e-9))  # inside the view
    # The bowl drawn at zoom 1 has, at the head's (u, v), the head's height: the zoom moves the path, not the bowl.
    u, v = expected[:2]
    under = scene.surface_function(scene.view.plane_value(0, u), scene.view.plane_value(1, v))
    np.testing.assert_allclose(scene.view.unit(np.array([0.0, 0.0, float(under)]))[0, 2], expected[2], atol=1e-9)


def test_tiny_render_reads_back(tiny_config: Path) -> None:
    experiment = run("plane", regime="good", epochs=40)
    scene, movie = render_tiny(SurfaceDescentScene, [experiment], seconds=1.0)
    video = read_video(movie)
    assert video["codec"] == "h264" and (video["width"], video["height"]) == (256, 144)
    assert video["fps"] == 5 and video["frames"] == scene.plan.n_frames
    assert isinstance(scene.renderer.camera, manim.ThreeDCamera)  # RunScene first in the MRO, ThreeDScene's camera
    assert scene.final_zoom == 1.0  # a converging run needs no zoom
    drawn_bowl_check(scene)
    head_check(scene)


def test_path_points_lie_on_the_surface(tiny_config: Path) -> None:
    experiment = run("plane", regime="jumping", epochs=30)
    scene, _ = render_tiny(SurfaceDescentScene, [experiment], seconds=1.0)
    weights = experiment.trajectory.weights
    assert scene.params == (1, 2)  # w1, w2 with two features; b held at the optimum
    assert scene.path_points.shape == (experiment.trajectory.epochs_run + 1, 3)
    np.testing.assert_array_equal(scene.path_points[:, :2], weights[:, [1, 2]])
    oracle = held_at_optimum_loss(experiment, scene.params, weights[:, [1, 2]])
    np.testing.assert_allclose(scene.path_points[:, 2], oracle, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(scene.surface_function(weights[:, 1], weights[:, 2]), oracle, rtol=1e-12, atol=1e-12)


def test_one_feature_shows_b_and_w(tiny_config: Path) -> None:
    """With one feature nothing is held: the path's heights are the run's own loss."""
    experiment = run("line", regime="good", epochs=30)
    scene, _ = render_tiny(SurfaceDescentScene, [experiment], seconds=1.0)
    assert scene.params == (0, 1)
    np.testing.assert_allclose(scene.path_points[:, 2], experiment.trajectory.loss, rtol=1e-12, atol=1e-12)
    drawn_bowl_check(scene)


def test_a_divergent_run_finishes(tiny_config: Path) -> None:
    experiment = run("plane", lr=0.8)
    assert experiment.trajectory.diverged
    scene, movie = render_tiny(SurfaceDescentScene, [experiment], seconds=1.0)
    assert read_video(movie)["frames"] == scene.plan.n_frames
    assert scene.path_points.shape == (experiment.trajectory.epochs_run + 1, 3)
    assert np.all(np.isfinite(scene.path_points))
    assert scene.final_zoom > 1e5  # the view followed the escape
    assert scene.banner_shown
    head_check(scene)
