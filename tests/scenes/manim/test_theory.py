"""gd's theory path in the Manim scenes: `--theory/--no-theory` reaches them, what they draw is
gdcore.theory.exact_iterates, other optimisers get none, and the dashes lie on the path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import scenes.manim.render as manim_render
from gdcore.theory import exact_iterates
from scenes.jobs import plan_job, render_job
from scenes.manim.contour_path import ContourPathScene
from scenes.manim.plotting import ContourPanel, LossPanel, Rect, Style, TextCache, dash_curves
from scenes.manim.regimes import Cell
from scenes.manim.surface_descent import SurfaceDescentScene
from scenes.notebook import run
from scenes.theme import palette
from tests.scenes.manim.conftest import render_tiny

RECT = Rect(-3.0, -2.0, 5.0, 4.0)


def exact_path(experiment: object) -> np.ndarray:
    trajectory = experiment.trajectory  # type: ignore[attr-defined]
    return exact_iterates(experiment.problem, trajectory.lr, experiment.init,  # type: ignore[attr-defined]
                          trajectory.epochs_run)


def test_dashes_lie_on_the_polylines_and_cover_half_of_them() -> None:
    rng = np.random.default_rng(3)
    points = np.column_stack([np.cumsum(rng.uniform(0.1, 1.0, 30)), rng.normal(size=30), np.zeros(30)])
    pieces = [points[:12], points[15:]]  # two pieces, as a path clipped to a view leaves them
    dash = 0.13
    curves = dash_curves(pieces, dash).reshape(-1, 4, 3)
    length = sum(float(np.sum(np.linalg.norm(np.diff(piece, axis=0), axis=1))) for piece in pieces)
    drawn = float(np.sum(np.linalg.norm(curves[:, 3] - curves[:, 0], axis=1)))
    assert drawn == pytest.approx(length / 2, abs=2 * dash)
    ends = curves[:, [0, 3]].reshape(-1, 3)
    # x grows along these polylines: each dash end sits on the piece under its x, never in the gap between pieces
    on_piece = [np.abs(ends[:, 1] - np.interp(ends[:, 0], piece[:, 0], piece[:, 1])) < 1e-12
                for piece in pieces]
    inside = [(ends[:, 0] >= piece[0, 0] - 1e-12) & (ends[:, 0] <= piece[-1, 0] + 1e-12) for piece in pieces]
    assert np.all((on_piece[0] & inside[0]) | (on_piece[1] & inside[1]))
    np.testing.assert_allclose(curves[:, 1], curves[:, 0] + (curves[:, 3] - curves[:, 0]) / 3)  # straight cubics
    assert dash_curves([points[:1]], dash).shape == (0, 3) and dash_curves([np.zeros((3, 3))], dash).shape == (0, 3)


@pytest.mark.parametrize("options", [{"regime": "jumping"}, {"lr": 0.8}])
def test_the_panels_draw_gds_exact_path_only_when_asked(options: dict[str, object]) -> None:
    experiment = run("plane", **options)
    exact = exact_path(experiment)
    style = Style(palette("light"), "#000000", 15.0, TextCache())
    contour, plain = ContourPanel(experiment, theory=True), ContourPanel(experiment)  # the default: none
    assert plain.theory_path is None and contour.theory_path is not None
    np.testing.assert_allclose(contour.theory_path, exact[:, [1, 2]], rtol=1e-10, atol=1e-10)
    window = contour.window_at(float(experiment.trajectory.epochs_run))
    assert len(contour.view_parts(RECT, style, window)) == len(plain.view_parts(RECT, style, window)) + 1
    loss, plain_loss = LossPanel(experiment, experiment.epochs, theory=True), LossPanel(experiment, experiment.epochs)
    assert plain_loss.theory_log_loss is None and loss.theory_log_loss is not None
    with np.errstate(over="ignore"):
        expected = np.log10(np.maximum(experiment.problem.loss(exact), 10.0**loss.y_low))
    np.testing.assert_allclose(loss.theory_log_loss, expected, rtol=1e-9)
    window = loss.window_at(float(experiment.trajectory.epochs_run))
    assert len(loss.view_parts(RECT, style, window)) == len(plain_loss.view_parts(RECT, style, window)) + 1


def test_an_optimizer_without_a_closed_form_draws_no_theory_path() -> None:
    experiment = run("plane", optimizer="momentum", lr=0.02)
    assert ContourPanel(experiment, theory=True).theory_path is None
    assert LossPanel(experiment, experiment.epochs, theory=True).theory_log_loss is None
    cell = Cell(experiment, palette("light"), experiment.epochs, TextCache(), theory=True)
    assert cell.model.theory_path is None  # type: ignore[union-attr]


def test_a_regimes_cell_passes_its_theory_flag_to_both_panels() -> None:
    experiment = run("plane", regime="good")
    on = Cell(experiment, palette("light"), experiment.epochs, TextCache(), theory=True)
    off = Cell(experiment, palette("light"), experiment.epochs, TextCache(), theory=False)
    assert on.model.theory_path is not None and on.loss.theory_log_loss is not None  # type: ignore[union-attr]
    assert off.model.theory_path is None and off.loss.theory_log_loss is None  # type: ignore[union-attr]


def drawn_points(scene: ContourPathScene) -> np.ndarray:
    """The theory mobject's points read back through the axes into (w1, w2)."""
    return np.array([scene.axes.p2c(point) for point in scene.theory_path.points])


@pytest.mark.parametrize("theory", [True, False])
def test_the_theory_flag_goes_from_the_job_to_the_manim_scene(theory: bool, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[ContourPathScene] = []

    class Recorded(ContourPathScene):
        def construct(self) -> None:
            made.append(self)
            super().construct()

    monkeypatch.setattr(manim_render, "scene_class", lambda spec: Recorded)
    job = plan_job({"scene": "contour", "engine": "manim", "dataset": "plane", "regime": "jumping", "epochs": 40,
                    "size": "256x144", "fps": 5, "duration": 1, "format": ["mp4"], "out": str(tmp_path),
                    "theory": theory})
    render_job(job)
    (scene,) = made
    assert scene.theory is theory
    if not theory:
        assert scene.theory_points is None and len(scene.theory_path.points) == 0
        return
    experiment = job.experiments[0]
    np.testing.assert_allclose(scene.theory_points, exact_path(experiment)[:, [1, 2]], rtol=1e-10, atol=1e-10)
    points = drawn_points(scene)
    assert len(points) > 0
    # every dash point lies on the exact path: within a hair of one of its segments
    path = scene.theory_points
    starts, ends = path[:-1], path[1:]
    along = ends - starts
    for point in points[:: max(1, len(points) // 200)]:
        t = np.clip(np.einsum("ij,ij->i", point - starts, along) / np.maximum(np.einsum("ij,ij->i", along, along),
                                                                              1e-300), 0.0, 1.0)
        gap = np.min(np.linalg.norm(starts + t[:, None] * along - point, axis=1))
        assert gap < 1e-6 * float(np.ptp(path))


@pytest.mark.parametrize("theory", [True, False])
def test_the_surface_scene_draws_the_theory_path_unless_told_not_to(theory: bool, tiny_config: Path) -> None:
    experiment = run("plane", regime="good", epochs=20)

    class Told(SurfaceDescentScene):
        def __init__(self, **kwargs: object) -> None:
            super().__init__(theory=theory, **kwargs)

    scene, _ = render_tiny(Told, [experiment], seconds=1.0)
    if not theory:
        assert scene.theory_points is None and not hasattr(scene, "theory_path")
        return
    np.testing.assert_allclose(scene.theory_points[:, :2], exact_path(experiment)[:, [1, 2]], rtol=1e-10,
                               atol=1e-10)
    np.testing.assert_allclose(scene.theory_points[:, 2], scene.surface_function(*scene.theory_points[:, :2].T))
    assert len(scene.theory_path.points) > 0 and scene.theory_path in scene.mobjects
