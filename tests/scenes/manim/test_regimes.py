"""RegimesScene: tiny renders read back, every cell's last state against its trajectory, the divergent cell's escape
followed and explained; and the plotting kit's geometry against brute force."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from gdcore.experiment import Experiment
from gdcore.regimes import REGIME_NAMES
from scenes.captions import divergence_text
from scenes.manim.plotting import ContourPanel, LossPanel, clip_polyline, nice_ticks
from scenes.manim.regimes import RegimesScene
from scenes.notebook import run
from tests.scenes.manim.conftest import read_video, render_tiny


def presets(dataset: str) -> list[Experiment]:
    return [run(dataset, regime=regime) for regime in REGIME_NAMES]


def check_cells_end_on_their_runs(scene: RegimesScene) -> None:
    """Each cell last showed its run's last epoch, its head at the trajectory's final state, inside its view."""
    for cell in scene.cells:
        shown, trajectory = cell.last_shown, cell.run.trajectory
        assert shown is not None and shown.epoch == pytest.approx(trajectory.epochs_run)
        np.testing.assert_allclose(shown.head, cell.model.head_at(trajectory.epochs_run), rtol=1e-12)
        window = shown.model_window
        if isinstance(cell.model, ContourPanel):  # the head is (wᵢ, wⱼ)
            assert np.all(window.low <= shown.head) and np.all(shown.head <= window.high)
        else:  # the head is ŷ at both ends of the x-range
            assert np.all(window.y_low <= shown.head) and np.all(shown.head <= window.y_high)
        assert shown.log_loss == pytest.approx(cell.loss.log(trajectory.final_loss))
        assert shown.loss_window.y_low <= shown.log_loss <= shown.loss_window.y_high


def test_plane_regimes_render_and_the_divergent_run_escapes(tiny_config: Path) -> None:
    runs = presets("plane")
    scene, movie = render_tiny(RegimesScene, runs, seconds=1.0)
    video = read_video(movie)
    assert video["codec"] == "h264" and (video["width"], video["height"]) == (256, 144)
    assert video["frames"] == scene.frames_played > scene.plan.n_frames  # the grid, then the escape up close
    assert [cell.record.regime for cell in scene.cells] == list(REGIME_NAMES)
    check_cells_end_on_their_runs(scene)
    escaping = scene.escape_cell
    assert escaping is not None and escaping.run.rate.regime.value == "divergent"
    assert scene.banner_text == divergence_text(escaping.run)
    shown = escaping.last_shown
    path_end = escaping.run.trajectory.weights[-1, [1, 2]]
    np.testing.assert_allclose(shown.head, path_end)
    assert np.all(shown.model_window.low <= path_end) and np.all(path_end <= shown.model_window.high)
    start_box = escaping.model.window_at(0.0)
    assert shown.model_window.x_high - shown.model_window.x_low > 1e3 * (start_box.x_high - start_box.x_low)


def test_one_feature_cells_show_the_fitted_line(tiny_config: Path) -> None:
    scene, movie = render_tiny(RegimesScene, presets("line"), seconds=1.0)
    assert read_video(movie)["frames"] == scene.frames_played
    check_cells_end_on_their_runs(scene)
    for cell in scene.cells:
        weights, x_ends = cell.run.trajectory.final_weights, cell.model.x_ends
        np.testing.assert_allclose(cell.last_shown.head, weights[0] + weights[1] * x_ends)


def test_contour_rings_are_level_sets_of_the_slice() -> None:
    """The loss at optimum + r·(a point of the unit ring), the other parameters at the optimum, is L* + r²."""
    experiment = run("plane", regime="good")
    panel = ContourPanel(experiment)
    for radius in (0.5, 2.0, 7.0):
        for point in panel.optimum + radius * panel.unit_ring[::8]:
            weights = experiment.problem.closed_form.copy()
            weights[list(panel.params)] = point
            assert float(experiment.problem.loss(weights)) == pytest.approx(
                experiment.problem.closed_form_loss + radius**2, rel=1e-9)


def test_the_loss_curve_never_dips_between_epochs_of_a_diverging_run() -> None:
    """Between two epochs the drawn log-loss lies between theirs (the loss at interpolated weights would dip
    where a step crosses the valley)."""
    panel = LossPanel(run("plane", lr=0.8), planned_epochs=300)
    for epoch in np.linspace(0, len(panel.log_loss) - 1, 97):
        low, high = math.floor(epoch), math.ceil(epoch)
        value = panel.log_loss_at(float(epoch))
        assert min(panel.log_loss[low], panel.log_loss[high]) - 1e-12 <= value
        assert value <= max(panel.log_loss[low], panel.log_loss[high]) + 1e-12


def test_nice_ticks_are_round_inside_and_at_least_two() -> None:
    rng = np.random.default_rng(3)
    for _ in range(500):
        half = 10.0 ** rng.uniform(-3, 8)
        centre = rng.normal() * half * rng.uniform(0, 50)  # a view somewhere near its numbers' scale
        ticks = nice_ticks(centre - half, centre + half, int(rng.integers(3, 6)))
        assert len(ticks) >= 2
        assert np.all(ticks >= centre - half - 1e-9 * half) and np.all(ticks <= centre + half + 1e-9 * half)
        steps = np.diff(ticks)
        np.testing.assert_allclose(steps, steps[0], rtol=1e-9)
        mantissa = steps[0] / 10.0 ** math.floor(math.log10(steps[0]) + 1e-9)
        assert any(math.isclose(mantissa, m, rel_tol=1e-9) for m in (1, 2, 2.5, 5))


def test_clipped_polylines_keep_exactly_the_inside() -> None:
    """Against brute force: dense samples of the polyline inside the box lie on a kept piece, and kept pieces stay
    inside."""
    rng = np.random.default_rng(11)
    low, high = np.array([-1.0, -1.0]), np.array([1.0, 1.0])
    for _ in range(100):
        points = rng.normal(scale=1.5, size=(int(rng.integers(2, 7)), 2))
        pieces = clip_polyline(points, low, high)
        for piece in pieces:
            assert np.all(piece >= low - 1e-12) and np.all(piece <= high + 1e-12)
        t = np.linspace(0, 1, 201)[:, None]
        samples = np.concatenate([a + t * (b - a) for a, b in itertools.pairwise(points)])
        inside = samples[np.all((samples > low + 1e-6) & (samples < high - 1e-6), axis=1)]
        for sample in inside:
            distance = min(min(segment_distance(sample, a, b) for a, b in itertools.pairwise(piece))
                           for piece in pieces)
            assert distance < 1e-9


def segment_distance(point: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    span = b - a
    t = 0.0 if not span.any() else float(np.clip((point - a) @ span / (span @ span), 0.0, 1.0))
    return float(np.linalg.norm(point - (a + t * span)))
