"""Artists first, then pixels: what each frame shows, and the last blitted frame against a still drawn directly."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.axes import Axes

from gdcore.experiment import Experiment
from gdcore.frames import plan_frames
from scenes.mpl.contour import ContourPanel
from scenes.mpl.fit import LinePanel, PlanePanel
from scenes.mpl.hud import Readout
from scenes.mpl.layouts import build_stage
from scenes.mpl.loss import LossPanel
from scenes.mpl.stage import blitted_frames, still_frame
from scenes.registry import SCENES
from tests.scenes.conftest import TINY


def test_the_line_at_each_frame_is_the_model_at_the_plans_epoch(line_run: Experiment) -> None:
    stage = build_stage("line", [line_run], TINY)
    panel = next(panel for panel in stage.panels if isinstance(panel, LinePanel))
    plan = plan_frames(line_run.epochs, fps=10, duration=1.0)
    for frame, _ in enumerate(blitted_frames(stage, plan)):
        epoch = plan.epochs[frame]
        bias, slope = line_run.trajectory.weights[epoch]
        x, y = panel.line.get_data()
        np.testing.assert_allclose(y, bias + slope * np.asarray(x))


def test_the_path_has_as_many_points_as_epochs_shown(plane_run: Experiment) -> None:
    stage = build_stage("dashboard", [plane_run], TINY)
    contour = next(panel for panel in stage.panels if isinstance(panel, ContourPanel))
    loss = next(panel for panel in stage.panels if isinstance(panel, LossPanel))
    plan = plan_frames(plane_run.epochs, fps=8, duration=1.0)
    for frame, _ in enumerate(blitted_frames(stage, plan)):
        epoch = plan.epochs[frame]
        x, y = contour.trail.get_data()
        assert len(x) == epoch + 1
        np.testing.assert_allclose(x, plane_run.trajectory.weights[: epoch + 1, 1])
        np.testing.assert_allclose(y, plane_run.trajectory.weights[: epoch + 1, 2])
        np.testing.assert_allclose(loss.curve.get_data()[1], plane_run.trajectory.loss[: epoch + 1])


def test_the_plane_at_the_last_frame_is_the_final_model(plane_run: Experiment) -> None:
    stage = build_stage("line", [plane_run], TINY)
    panel = next(panel for panel in stage.panels if isinstance(panel, PlanePanel))
    plan = plan_frames(plane_run.epochs, fps=5, duration=1.0)
    for _ in blitted_frames(stage, plan):
        pass
    b, w1, w2 = plane_run.trajectory.final_weights
    corners = panel.mesh(plane_run.trajectory.epochs_run).reshape(-1, 3)
    np.testing.assert_allclose(corners[:, 2], b + w1 * corners[:, 0] + w2 * corners[:, 1])
    x1, x2 = panel.grid
    assert corners[:, 0].min() == x1.min() and corners[:, 1].max() == x2.max()  # it spans the data


@pytest.mark.parametrize("scene", ["dashboard", "line", "contour", "surface", "loss"])
def test_last_blitted_frame_matches_a_still_drawn_directly(scene: str, plane_run: Experiment) -> None:
    plan = plan_frames(plane_run.epochs, fps=6, duration=1.0, hold=0.2)
    frames = [frame.copy() for frame in blitted_frames(build_stage(scene, [plane_run], TINY), plan)]
    still = still_frame(build_stage(scene, [plane_run], TINY), int(plan.epochs[-1]))
    assert frames[-1].shape == still.shape == (TINY.height, TINY.width, 4)
    difference = np.abs(frames[-1].astype(int) - still.astype(int))
    assert difference.mean() < 1.0, f"mean difference {difference.mean():.2f} of 255"
    assert np.mean(difference.max(axis=2) > 40) < 0.01  # under 1% of pixels differ visibly (drawing order)
    assert np.abs(frames[0].astype(int) - still.astype(int)).mean() > difference.mean()  # and the frames do move


def test_diverging_run_zooms_out_and_shows_the_banner(diverging_run: Experiment) -> None:
    stage = build_stage("dashboard", [diverging_run], TINY)
    contour = next(panel for panel in stage.panels if isinstance(panel, ContourPanel))
    readout = next(panel for panel in stage.panels if isinstance(panel, Readout))
    plan = plan_frames(diverging_run.epochs, fps=10, duration=2.0, epochs_run=diverging_run.trajectory.epochs_run)
    limits, banners = [], []
    for _ in blitted_frames(stage, plan):
        limits.append(contour.axes.get_xlim())
        banners.append(readout.banner.get_visible())
        x, y = contour.head.get_data()
        x_low, x_high = contour.axes.get_xlim()
        assert x_low <= x[0] <= x_high  # the current point never leaves the view
        assert np.all(np.isfinite(x)) and np.all(np.isfinite(y))
    widths = [high - low for low, high in limits]
    assert widths[-1] > 1e5 * widths[0]
    assert not banners[0] and banners[-1]
    assert f"diverged at epoch {diverging_run.trajectory.epochs_run}" in readout.banner.get_text()
    assert "η·L = 4.96 > 2" in readout.banner.get_text()


@pytest.mark.parametrize("scene", [name for name, spec in SCENES.items() if "matplotlib" in spec.engines])
def test_every_scene_builds_for_every_shape_of_data(scene: str) -> None:
    from tests.scenes.conftest import experiment

    for dataset in ("five-points", "plane"):
        runs = [experiment(dataset, epochs=20, regime=regime) for regime in ("slow", "good", "jumping", "divergent")]
        chosen = runs if scene in ("regimes", "compare") else runs[1:2]
        stage = build_stage(scene, chosen, TINY)
        frames = list(frame.copy() for frame in blitted_frames(stage, plan_frames(20, fps=4, duration=1.0)))
        assert len(frames) == 8


@pytest.mark.parametrize("scene", ["dashboard", "surface", "regimes"])
def test_last_blitted_frame_of_a_diverged_run_matches_a_still(scene: str) -> None:
    """The banner and the zoomed-out view, blitted, look as when drawn directly."""
    from scenes.render import clock
    from tests.scenes.conftest import experiment

    runs = ([experiment("line-wide", regime=regime, epochs=120) for regime in ("slow", "good", "jumping", "divergent")]
            if scene == "regimes" else [experiment("plane", lr=0.8)])
    plan = clock(runs, fps=6, duration=1.0, time="log")
    frames = [frame.copy() for frame in blitted_frames(build_stage(scene, runs, TINY), plan)]
    still = still_frame(build_stage(scene, runs, TINY), int(plan.epochs[-1]))
    difference = np.abs(frames[-1].astype(int) - still.astype(int))
    assert difference.mean() < 1.0, f"mean difference {difference.mean():.2f} of 255"
    assert np.mean(difference.max(axis=2) > 40) < 0.01


def test_a_frame_repeating_the_last_epoch_is_the_same_picture_not_redrawn(line_run: Experiment,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    stage = build_stage("line", [line_run], TINY)
    plan = plan_frames(line_run.epochs, fps=20, duration=1.0)  # log time: the first epochs span several frames
    updates: list[int] = []
    update = stage.update
    monkeypatch.setattr(stage, "update", lambda epoch: updates.append(epoch) or update(epoch))
    frames = [frame.copy() for frame in blitted_frames(stage, plan)]
    distinct = [int(epoch) for k, epoch in enumerate(plan.epochs) if k == 0 or epoch != plan.epochs[k - 1]]
    assert updates == distinct and len(distinct) < plan.n_frames
    for k in range(1, plan.n_frames):
        if plan.epochs[k] == plan.epochs[k - 1]:
            np.testing.assert_array_equal(frames[k], frames[k - 1])
    np.testing.assert_allclose(frames[-1][..., :3], still_frame(stage, int(plan.epochs[-1]))[..., :3], atol=2)


@pytest.mark.parametrize("scene", ["modes", "race", "scaling", "sweep", "line"])
def test_the_new_scenes_last_blitted_frame_matches_a_still(scene: str) -> None:
    """Blitting draws the moving artists over the background: the last frame must look as when drawn directly."""
    from gdcore.datasets import load_preset
    from gdcore.options import RunOptions
    from scenes.registry import scene_runs, scene_spec
    from scenes.render import clock

    rates = {"modes": (0.5,), "sweep": (0.05, 0.2, 0.5), "line": (2.0,)}.get(scene, ())
    dataset = load_preset("line" if scene == "line" else "plane")
    runs = scene_runs(scene_spec(scene), dataset, RunOptions(epochs=30), rates)
    plan = clock(runs, fps=6, duration=1.0, time="log")
    frames = [frame.copy() for frame in blitted_frames(build_stage(scene, runs, TINY), plan)]
    still = still_frame(build_stage(scene, runs, TINY), int(plan.epochs[-1]))
    difference = np.abs(frames[-1].astype(int) - still.astype(int))
    assert difference.mean() < 1.0, f"mean difference {difference.mean():.2f} of 255"
    assert np.mean(difference.max(axis=2) > 40) < 0.01


@pytest.mark.parametrize(("scene", "rates", "theme"), [
    ("regimes", (), "light"), ("regimes", (), "dark"), ("compare", (0.1, 0.35), "light"), ("sweep", (), "dark"),
    ("modes", (0.8,), "light"), ("dashboard", (0.8,), "light")])
def test_redrawing_only_what_a_view_changes_gives_the_whole_figure_s_pixels(scene: str, rates: tuple[float, ...],
                                                                            theme: str) -> None:
    """When a panel's view changes, only the axes it changes are drawn again, on their region filled with the
    figure's colour: every frame is, pixel for pixel, the frame drawing the whole figure gives (the dashboard's 3D
    panel changes too: it is drawn whole)."""
    from scenes.jobs import plan_job
    from scenes.mpl.layouts import Look
    from scenes.render import clock

    runs = list(plan_job({"scene": scene, "lr": rates, "theme": theme}).experiments)
    look, plan = Look(480, 270, theme=theme), clock(runs, fps=8, duration=2.0, time="log")
    stage = build_stage(scene, runs, look)  # one stage for both: two builds may differ in a marker's last bit
    whole = [frame.copy() for frame in blitted_frames(stage, plan, redraw="all")]
    changed = [frame.copy() for frame in blitted_frames(stage, plan)]
    assert len(changed) == len(whole) == plan.n_frames
    for frame, (mine, reference) in enumerate(zip(changed, whole, strict=True)):
        assert np.array_equal(mine, reference), f"frame {frame}: {np.count_nonzero(mine != reference)} values"


def test_a_grid_cell_zooming_out_redraws_that_cell_not_the_grid(monkeypatch: pytest.MonkeyPatch) -> None:
    """regimes: the divergent cell's view changes many times (the others' a few times, early); the figure is drawn
    whole once, then only the cells whose views change."""
    from scenes.jobs import plan_job
    from scenes.mpl.layouts import Look
    from scenes.render import clock

    runs = list(plan_job({"scene": "regimes"}).experiments)
    stage = build_stage("regimes", runs, Look(1280, 720))
    plan = clock(runs, fps=8, duration=2.0, time="log")
    keys = stage.view_keys(plan.epochs)
    changes = int(np.count_nonzero(np.any(keys[1:] != keys[:-1], axis=1)))
    whole: list[int] = []
    draw = stage.canvas.draw
    monkeypatch.setattr(stage.canvas, "draw", lambda: whole.append(1) or draw())
    drawn: list[Axes] = []
    contour = next(panel for panel in stage.panels
                   if isinstance(panel, ContourPanel) and panel.axes.get_xlim()[1] > 1e3)  # zoomed out: divergent
    for axes in stage.figure.axes:
        own = axes.draw
        monkeypatch.setattr(axes, "draw", lambda renderer, axes=axes, own=own: drawn.append(axes) or own(renderer))
    for _ in blitted_frames(stage, plan):
        pass
    every = len(stage.figure.axes)  # each drawn once by the whole draw
    assert changes > 5 and len(whole) == 1 and every == 16
    assert 1 < drawn.count(contour.axes) <= 1 + changes
    assert len(drawn) - every <= 2 * changes, (len(drawn) - every, changes)  # an axes or two a change, not sixteen
