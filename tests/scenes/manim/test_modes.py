"""ModesScene: tiny renders read back for a converging and a diverging run, the bars' heights against an oracle
(numpy.linalg.eigh and the run's weights, not gdcore.modes), and the turned contours' path likewise."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gdcore.experiment import Experiment
from scenes.captions import divergence_text
from scenes.manim.modes import EigenContourPanel, ModesBars, ModesScene, SymLog
from scenes.manim.plotting import Rect, Style, TextCache
from scenes.notebook import run
from scenes.theme import palette
from tests.scenes.manim.conftest import read_video, render_tiny

RECT = Rect(-6.0, -2.0, 6.0, 4.5)


def oracle_components(experiment: Experiment) -> tuple[np.ndarray, np.ndarray]:
    """(eigenvalues ascending (p,), components (epochs_run + 1, p)): Qᵀ(w_k − w*) with H's eigenvectors from
    numpy.linalg.eigh, each signed so its largest-magnitude entry is positive, and w* from least squares."""
    problem, weights = experiment.problem, experiment.trajectory.weights
    eigenvalues, vectors = np.linalg.eigh(problem.hessian)
    for column in range(vectors.shape[1]):
        if vectors[np.argmax(np.abs(vectors[:, column])), column] < 0:
            vectors[:, column] *= -1
    design = np.column_stack([np.ones(len(experiment.dataset.target)), experiment.dataset.features])
    optimum = np.linalg.lstsq(design, experiment.dataset.target, rcond=None)[0]
    return eigenvalues, (weights - optimum) @ vectors


def test_the_axis_scale_is_a_symmetric_log_and_its_inverse() -> None:
    scale = SymLog(1e-3)
    values = np.array([-1e12, -5.0, -1e-3, 0.0, 2e-7, 0.5, 1e9])
    np.testing.assert_allclose(scale.inverse(scale(values)), values, rtol=1e-12, atol=1e-18)
    assert scale(np.array(10.0)) == pytest.approx(np.log10(1 + 1e4))  # a decade per factor of ten out there
    assert scale(np.array(1e-9)) == pytest.approx(1e-6 / np.log(10), rel=1e-6)  # linear near 0


@pytest.mark.parametrize(("dataset", "options", "directions"), [
    ("plane", {"regime": "good"}, 3),  # two features: three eigen-directions, the bias's included
    ("line", {"regime": "jumping"}, 2),  # one feature: two
    ("plane", {"lr": 0.8}, 3),  # diverging: the stiffest direction flips and grows
])
def test_bar_heights_are_the_errors_components_at_each_epoch(dataset: str, options: dict[str, object],
                                                             directions: int) -> None:
    experiment = run(dataset, **options)
    eigenvalues, components = oracle_components(experiment)
    bars = ModesBars(experiment)
    assert len(bars.bar_colors) == directions
    np.testing.assert_allclose(bars.modes.eigenvalues, eigenvalues, rtol=1e-10)
    style = Style(palette("light"), "#000000", 20.0, TextCache())
    last = experiment.trajectory.epochs_run
    for epoch in sorted({0, 1, 2, 7, last // 2, last}):
        parts = bars.moving_parts(RECT, style, float(epoch))
        assert len(parts) == directions + 1  # a bar each, then the envelope's caps (gd)
        drawn = bars.bar_values(RECT)
        scale = float(np.max(np.abs(components[epoch]))) + bars.scale.threshold
        np.testing.assert_allclose(drawn, components[epoch], rtol=1e-9, atol=1e-9 * scale)


def test_between_epochs_a_bar_stays_inside_its_envelope() -> None:
    """For gd |zᵢ(k)| = |1 − ηλᵢ|ᵏ|zᵢ(0)|: bar and cap move together on the log axis, so no frame pokes out."""
    bars = ModesBars(run("plane", regime="jumping"))
    assert bars.shown_envelope is not None
    for epoch in np.linspace(0.0, 40.0, 161):
        heights, bound = bars.heights(float(epoch)), np.interp(epoch, np.arange(len(bars.shown_envelope)),
                                                               bars.shown_envelope[:, 0])
        assert abs(heights[0]) <= bound + 1e-9


def test_the_turned_contours_path_is_the_error_along_the_slowest_and_stiffest_directions() -> None:
    experiment = run("plane", regime="jumping")
    _, components = oracle_components(experiment)
    panel = EigenContourPanel(experiment)
    np.testing.assert_allclose(panel.path, components[:, [0, 2]], rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(panel.optimum, np.zeros(2))
    assert panel.names[0].endswith("(slowest)") and panel.names[1].endswith("(stiffest)")
    # the rings are the loss's level sets: L − L* = ½(λ_a z_a² + λ_b z_b²) is the same all round each ring
    curvatures = experiment.modes.eigenvalues[[0, 2]]
    rise = 0.5 * (curvatures[0] * panel.unit_ring[:, 0] ** 2 + curvatures[1] * panel.unit_ring[:, 1] ** 2)
    np.testing.assert_allclose(rise, 1.0, rtol=1e-9)


def test_a_converging_run_renders_and_ends_on_its_last_components(tiny_config: Path) -> None:
    experiment = run("plane", regime="good", epochs=40)
    scene, movie = render_tiny(ModesScene, [experiment], seconds=1.0)
    video = read_video(movie)
    assert video["codec"] == "h264" and (video["width"], video["height"]) == (256, 144)
    assert video["frames"] == scene.plan.n_frames
    assert scene.shown_epoch == pytest.approx(experiment.trajectory.epochs_run)
    _, components = oracle_components(experiment)
    np.testing.assert_allclose(scene.bars.bar_values(scene.bars_rect), components[-1], rtol=1e-9,
                               atol=1e-9 * float(np.max(np.abs(components[0]))))
    assert not hasattr(scene, "banner_shown") and getattr(scene, "steps_marked", []) == []


def test_a_diverging_run_keeps_its_bars_on_screen_and_says_why(tiny_config: Path) -> None:
    experiment = run("plane", lr=0.8)
    assert experiment.trajectory.diverged
    scene, movie = render_tiny(ModesScene, [experiment], seconds=1.0)
    assert read_video(movie)["frames"] == scene.plan.n_frames
    _, components = oracle_components(experiment)
    assert np.max(np.abs(components[-1])) > 1e6 * np.max(np.abs(components[0]))  # it did grow, hugely
    np.testing.assert_allclose(scene.bars.bar_values(scene.bars_rect), components[-1], rtol=1e-9)
    rect = scene.bars_rect
    for bar in scene.bars.last_bars:  # every bar inside its panel, however far it grew
        assert rect.bottom - 1e-9 <= bar.get_bottom()[1] and bar.get_top()[1] <= rect.top + 1e-9
    head = scene.turned.head_at(experiment.trajectory.epochs_run)
    assert np.all(scene.turned_window.low <= head) and np.all(head <= scene.turned_window.high)
    assert scene.banner_shown.submobjects[1].original_text == divergence_text(experiment)
    assert scene.steps_marked[-1] == "why it diverged"
