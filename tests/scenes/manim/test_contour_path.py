"""ContourPathScene: tiny renders read back, the path against the trajectory, the rings as true level sets, and a
diverging run whose view follows it out."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from gdcore.experiment import Experiment
from gdcore.slices import default_axes
from scenes.manim.contour_path import ContourPathScene, ellipse_arcs
from scenes.notebook import run
from tests.scenes.manim.conftest import read_video, render_tiny


@pytest.fixture
def manim_warnings() -> Iterator[list[logging.LogRecord]]:
    """Manim's own warnings (its logger does not propagate, so pytest would not see them)."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("manim")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def check_rings_are_level_sets(scene: ContourPathScene, experiment: Experiment) -> None:
    """Points along every drawn ring, read back through the axes, have exactly the ring's loss (the other
    parameters at the optimum)."""
    axes, params = scene.axes, list(default_axes(experiment.problem.n_params))
    assert len(scene.rings) >= 5
    for level, ring in scene.rings:
        samples = [*ring.get_anchors(), *(ring.point_from_proportion(t) for t in np.linspace(0, 1, 13))]
        for point in samples:
            weights = experiment.problem.closed_form.copy()
            weights[params] = axes.p2c(point)
            assert float(experiment.problem.loss(weights)) == pytest.approx(level, rel=1e-6)


def test_tiny_render_reads_back(tiny_config: Path, manim_warnings: list[logging.LogRecord]) -> None:
    experiment = run("plane", regime="good", epochs=40)
    scene, movie = render_tiny(ContourPathScene, [experiment], seconds=1.0)
    video = read_video(movie)
    assert video["codec"] == "h264" and (video["width"], video["height"]) == (256, 144)
    assert video["fps"] == 5 and video["frames"] == scene.plan.n_frames
    np.testing.assert_array_equal(scene.path_points, experiment.trajectory.weights[:, [1, 2]])
    np.testing.assert_array_equal(scene.optimum_point, experiment.problem.closed_form[[1, 2]])
    check_rings_are_level_sets(scene, experiment)
    assert not manim_warnings


def test_one_feature_shows_bias_and_slope(tiny_config: Path) -> None:
    experiment = run("line", regime="jumping", epochs=30)
    scene, movie = render_tiny(ContourPathScene, [experiment], seconds=1.0)
    assert read_video(movie)["frames"] == scene.plan.n_frames
    np.testing.assert_array_equal(scene.path_points, experiment.trajectory.weights)
    check_rings_are_level_sets(scene, experiment)


def test_old_tick_numbers_are_gone_before_the_new_come_in() -> None:
    from scenes.manim.contour_path import handover

    for progress in np.linspace(0.0, 1.0, 101):
        faded_out, faded_in = handover(float(progress))
        assert faded_out == 1.0 or faded_in == 0.0  # the old still showing (fade < 1): the new not yet started
    assert handover(0.0) == (0.0, 0.0) and handover(1.0) == (1.0, 1.0)


def test_a_divergent_run_zooms_out_and_holds_its_last_point(tiny_config: Path,
                                                            manim_warnings: list[logging.LogRecord]) -> None:
    experiment = run("plane", lr=0.8)
    assert experiment.trajectory.diverged
    scene, movie = render_tiny(ContourPathScene, [experiment], seconds=1.0)
    assert read_video(movie)["frames"] == scene.plan.n_frames
    np.testing.assert_array_equal(scene.path_points, experiment.trajectory.weights[:, [1, 2]])
    last = scene.path_points[-1]
    assert scene.view.holds(last) and not scene.view.holds(last * 4)  # zoomed out, not endlessly
    (x_low, x_high), (y_low, y_high) = scene.axes.x_range[:2], scene.axes.y_range[:2]
    assert x_low <= last[0] <= x_high and y_low <= last[1] <= y_high
    assert scene.banner_shown is not None and scene.banner_shown in scene.mobjects
    *zooms, last_step = scene.steps_marked  # a slide per zoom, then one for why it diverged
    assert zooms and all(name.startswith("zoom out") for name in zooms) and last_step == "why it diverged"
    # every zoom leaves the view it came from as a frame inside the next: the escape's growth shows in the picture
    assert len(scene.past_views) == len(zooms)
    for (low, high), (wider_low, wider_high) in zip(scene.past_views, [*scene.past_views[1:], (scene.view.low,
                                                                                               scene.view.high)],
                                                    strict=True):
        assert np.all(wider_low <= low) and np.all(high <= wider_high)
    check_rings_are_level_sets(scene, experiment)
    assert not manim_warnings


def test_clipped_arcs_hold_exactly_the_inside_of_the_box() -> None:
    """Against brute force: a point of the ellipse is inside the box iff its angle lies in a returned arc."""
    rng = np.random.default_rng(7)
    for _ in range(200):
        centre = rng.normal(size=2)
        frame = rng.normal(size=(2, 2)) * rng.uniform(0.2, 3.0)
        low = rng.uniform(-2.0, 0.0, size=2)
        high = low + rng.uniform(0.5, 3.0, size=2)
        arcs = ellipse_arcs(centre, frame, low, high)
        angles = np.linspace(0, 2 * math.pi, 721)[:-1] + 1e-4
        points = centre + np.stack([np.cos(angles), np.sin(angles)], axis=1) @ frame.T
        inside = np.all((points >= low) & (points <= high), axis=1)
        covered = np.zeros_like(inside)
        for start, stop in arcs:
            assert 0 < stop - start <= 2 * math.pi + 1e-12
            covered |= (angles - start) % (2 * math.pi) <= stop - start
        near_edge = np.min(np.abs(np.concatenate([points - low, points - high], axis=1)), axis=1) < 1e-6
        assert np.array_equal(covered[~near_edge], inside[~near_edge])
