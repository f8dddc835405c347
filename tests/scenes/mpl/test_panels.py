"""What each panel's artists hold at each frame, read back from matplotlib (artists before pixels)."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.collections import Collection
from matplotlib.lines import Line2D

from gdcore.experiment import Experiment
from gdcore.frames import plan_frames
from scenes.mpl.fit import LinePanel
from scenes.mpl.hud import Readout
from scenes.mpl.layouts import build_stage
from scenes.mpl.loss import LossPanel
from scenes.mpl.stage import Stage, blitted_frames, still_frame
from scenes.mpl.surface import SurfacePanel
from scenes.render import clock
from tests.scenes.conftest import TINY, experiment


def panels_of(stage: Stage, kind: type) -> list:
    return [panel for panel in stage.panels if isinstance(panel, kind)]


def test_the_surface_path_lies_on_the_slice_and_grows_with_the_plan(plane_run: Experiment) -> None:
    stage = build_stage("surface", [plane_run], TINY)
    (surface,) = panels_of(stage, SurfacePanel)
    plan = plan_frames(plane_run.epochs, fps=6, duration=1.0)
    optimum = plane_run.problem.closed_form
    for frame, _ in enumerate(blitted_frames(stage, plan)):
        epoch = int(plan.epochs[frame])
        x, y, z = surface.trail.get_data_3d()
        assert len(x) == epoch + 1
        np.testing.assert_allclose(np.column_stack([x, y]), plane_run.trajectory.weights[: epoch + 1, 1:])
        on_slice = np.column_stack([np.full(epoch + 1, optimum[0]), x, y])  # b held at the optimum
        np.testing.assert_allclose(z, plane_run.problem.loss(on_slice))
        np.testing.assert_allclose(surface.head.get_data_3d()[0], x[-1:])
    notes = [text.get_text() for text in stage.figure.axes[-1].texts + stage.figure.axes[0].texts]
    assert any(note.startswith("slice at the optimum: b = ") for note in notes)


def test_each_grid_cell_shows_its_own_run_on_one_clock() -> None:
    runs = [experiment("line", lr=rate, epochs=120) for rate in (0.5, 1.2, 1.7)]  # the last one diverges
    assert runs[2].trajectory.diverged and runs[2].trajectory.epochs_run < 120
    stage = build_stage("compare", runs, TINY)
    lines, losses, readouts = (panels_of(stage, kind) for kind in (LinePanel, LossPanel, Readout))
    plan = clock(runs, fps=8, duration=1.0, time="log")
    for frame, _ in enumerate(blitted_frames(stage, plan)):
        epoch = int(plan.epochs[frame])
        for run, line, loss, readout in zip(runs, lines, losses, readouts, strict=True):
            shown = min(epoch, run.trajectory.epochs_run)
            bias, slope = run.trajectory.weights[shown]
            x, y = line.line.get_data()
            np.testing.assert_allclose(y, bias + slope * np.asarray(x))
            np.testing.assert_allclose(loss.curve.get_data()[1], run.trajectory.loss[: shown + 1])
            stopped = run.trajectory.diverged and epoch >= run.trajectory.epochs_run
            assert readout.banner.get_visible() == stopped
            assert readout.text.get_visible() != stopped  # in a cell the banner takes the readout's line
            if not stopped:
                assert readout.text.get_text().startswith(f"epoch {shown}/120 ")


def test_a_diverged_run_fills_the_clip_and_then_holds() -> None:
    run = experiment("plane", lr=0.8)
    plan = clock([run], fps=30, duration=5.0, time="log")
    last = run.trajectory.epochs_run
    assert 0 < last < run.epochs
    moving = plan.epochs[: plan.motion_frames]
    assert moving[-1] == last and np.sum(moving == last) <= 3  # the escape reaches its end with the motion
    assert np.all(plan.epochs[plan.motion_frames :] == last)  # then holds its last state
    assert len(np.unique(moving)) == last + 1  # every epoch of the run is on screen


def test_a_grid_clock_follows_its_longest_run() -> None:
    runs = [experiment("plane", lr=0.1, epochs=50), experiment("plane", lr=0.8, epochs=50)]
    assert clock(runs, fps=10, duration=1.0, time="linear").epochs[-1] == 50


def test_the_loss_axis_keeps_the_minimum_when_a_run_escapes() -> None:
    for run in (experiment("plane", lr=0.8), experiment("plane", lr=1e6), experiment("line-wide", regime="divergent")):
        stage = build_stage("loss", [run], TINY)
        (loss,) = panels_of(stage, LossPanel)
        low, high = loss.curve.axes.get_ylim()
        assert low < run.problem.closed_form_loss < high
        assert low < run.trajectory.loss.min() and run.trajectory.loss.max() < high


def test_a_short_loss_range_still_labels_two_ticks() -> None:
    run = experiment("five-points")
    stage = build_stage("loss", [run], TINY)
    still_frame(stage, run.trajectory.epochs_run)
    axis = panels_of(stage, LossPanel)[0].curve.axes.yaxis
    low, high = axis.get_view_interval()
    labelled = [label.get_text() for minor in (False, True)
                for location, label in zip(axis.get_ticklocs(minor=minor), axis.get_ticklabels(minor=minor),
                                           strict=True)
                if low <= location <= high and label.get_text()]
    assert len(labelled) >= 2, labelled


@pytest.mark.parametrize(("dataset", "label"), [("line", "true line y = 1 + 2·x"), ("five-points", "least squares")])
def test_the_line_panel_draws_its_reference_line(dataset: str, label: str) -> None:
    run = experiment(dataset, epochs=5)
    stage = build_stage("line", [run], TINY)
    (panel,) = panels_of(stage, LinePanel)
    (reference,) = [line for line in panel.axes.lines if line.get_label().startswith(label)]
    x, y = reference.get_data()
    bias, slope = run.dataset.true_params if run.dataset.true_params is not None else run.problem.closed_form
    np.testing.assert_allclose(y, bias + slope * np.asarray(x))


@pytest.mark.parametrize("case", [("dashboard", "plane", 1e6), ("dashboard", "line-wide", 0.05),
                                  ("surface", "plane", 1e300), ("regimes", "plane", None)])
def test_no_nan_or_inf_reaches_matplotlib(case: tuple[str, str, float | None]) -> None:
    scene, dataset, rate = case
    runs = ([experiment(dataset, regime=regime) for regime in ("slow", "good", "jumping", "divergent")]
            if rate is None else [experiment(dataset, lr=rate)])
    stage = build_stage(scene, runs, TINY)
    for _ in blitted_frames(stage, clock(runs, fps=6, duration=1.0, time="log")):
        for axes in stage.figure.axes:
            assert np.all(np.isfinite(axes.get_xlim())) and np.all(np.isfinite(axes.get_ylim()))
            for artist in axes.get_children():
                if isinstance(artist, Line2D):
                    points = np.asarray(artist.get_data(), dtype=float)
                    if artist.get_label().startswith("residuals"):  # NaN rows are its breaks, every third point
                        points = points[:, np.arange(points.shape[1]) % 3 != 2]
                    assert np.all(np.isfinite(points))
                elif isinstance(artist, Collection) and artist.get_offsets() is not None:
                    assert np.all(np.isfinite(np.asarray(artist.get_offsets(), dtype=float)))


@pytest.mark.parametrize("rate", [0.1, 0.8])
def test_the_loss_legend_stays_off_the_curve(rate: float) -> None:
    run = experiment("plane", lr=rate)
    stage = build_stage("loss", [run], TINY)
    still_frame(stage, run.trajectory.epochs_run)
    (loss,) = panels_of(stage, LossPanel)
    renderer = stage.canvas.get_renderer()
    legend = loss.curve.axes.get_legend().get_window_extent(renderer)
    vertices = loss.curve.get_transform().transform(np.column_stack(loss.curve.get_data()))
    steps = np.linspace(0.0, 1.0, 50)[:, None, None]  # points along each segment, in pixels
    points = (vertices[:-1] + steps * (vertices[1:] - vertices[:-1])).reshape(-1, 2)
    inside = ((legend.x0 <= points[:, 0]) & (points[:, 0] <= legend.x1)
              & (legend.y0 <= points[:, 1]) & (points[:, 1] <= legend.y1))
    assert not inside.any(), "the legend covers the loss curve"


def test_the_residuals_join_each_point_to_the_model_at_the_plans_epoch(line_run: Experiment) -> None:
    stage = build_stage("line", [line_run], TINY)
    (panel,) = panels_of(stage, LinePanel)
    plan = plan_frames(line_run.epochs, fps=4, duration=1.0)
    x, y = line_run.dataset.features[:, 0], line_run.dataset.target
    for frame, _ in enumerate(blitted_frames(stage, plan)):
        epoch = int(plan.epochs[frame])
        segments = np.column_stack(panel.residuals.get_data()).reshape(-1, 3, 2)
        assert np.isnan(segments[:, 2]).all()  # a break after each segment
        bias, slope = line_run.trajectory.weights[epoch]
        np.testing.assert_allclose(segments[:, 0], np.column_stack([x, y]))
        np.testing.assert_allclose(segments[:, 1], np.column_stack([x, bias + slope * x]))


def test_the_readout_shows_the_gradient_norm(line_run: Experiment) -> None:
    stage = build_stage("line", [line_run], TINY)
    (readout,) = panels_of(stage, Readout)
    readout.update(7)
    assert readout.text.get_text().split("\n")[1].split() == ["‖∇L‖", f"{line_run.trajectory.gradient_norms[7]:.3g}"]
