"""The readout: readings of one width, the box behind them drawn with the static parts, and the widest `g`."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.text import Text

from gdcore.frames import plan_frames
from scenes.mpl.hud import BoxBehind, Readout, widest_g
from scenes.mpl.layouts import build_stage
from scenes.mpl.race import EpochReadout
from scenes.mpl.stage import Stage, blitted_frames, still_frame
from tests.scenes.conftest import TINY, experiment

EDGES = [0.0, -0.0, np.inf, -np.inf, np.nan, 9.9995, 9.9994999, 99.995, 9999.5, 9999.4, 99995.0, 0.000099995,
         0.00009999, 1e-5, 1e100, 9.9995e99, 1e-100, 0.5, -0.25, 1234.5, 12345.0, 1e16, 5e-324, 1.7976931348623157e308]


@pytest.mark.parametrize("digits", [1, 2, 3, 4, 6])
def test_widest_g_is_the_longest_formatted_value(digits: int) -> None:
    rng = np.random.default_rng(digits)
    values = np.concatenate([rng.standard_normal(3000) * 10.0 ** rng.integers(-15, 15, 3000), EDGES])
    assert widest_g(values, digits) == max(len(f"{value:.{digits}g}") for value in values)
    for value in values[-len(EDGES):]:
        assert widest_g(np.array([value]), digits) == len(f"{value:.{digits}g}"), value


def test_widest_g_sees_values_whose_trailing_zeros_are_dropped() -> None:
    """Every value's bound is 6 ('0.1234'); none reaches it, so the exact length (3, '0.5') is found by formatting."""
    assert widest_g(np.array([0.5, 0.25, 0.125]), 4) == 5
    assert widest_g(np.array([0.5] * 1000), 4) == 3


def readouts(stage: Stage) -> list[Readout | EpochReadout]:
    return [panel for panel in stage.panels if isinstance(panel, Readout | EpochReadout)]


def box_of(text: Text) -> BoxBehind:
    (box,) = [artist for artist in text.axes.get_children() if isinstance(artist, BoxBehind)]
    return box


RUNS = {"converging": lambda: experiment("line", lr=0.5),
        "diverging": lambda: experiment("line-wide", regime="divergent"),
        "huge loss": lambda: experiment("plane", lr=1e6)}


@pytest.mark.parametrize("run", RUNS)
@pytest.mark.parametrize("scene", ["line", "dashboard"])
def test_every_reading_of_a_run_has_the_width_of_the_box_behind_it(scene: str, run: str) -> None:
    """The loss and ‖∇L‖ are right-aligned in fields as wide as the run's widest, so each line of every reading
    has the same number of characters (the font is monospaced), and the box drawn once per view fits them all."""
    chosen = RUNS[run]()
    stage = build_stage(scene, [chosen], TINY)
    (readout,) = readouts(stage)
    epochs = range(chosen.trajectory.epochs_run + 1)
    widths = {tuple(len(line) for line in readout.readout_text(epoch).split("\n")) for epoch in epochs}
    assert len(widths) == 1, widths
    renderer = stage.canvas.get_renderer()
    plan = plan_frames(chosen.trajectory.epochs_run, fps=4, duration=1.5)
    box = box_of(readout.text)
    for frame, _ in enumerate(blitted_frames(stage, plan)):
        drawn = box.get_window_extent(renderer)
        assert drawn.width > 0, "the box was drawn with the background"
        assert readout.text.get_window_extent(renderer).fully_overlaps(drawn), int(plan.epochs[frame])
    assert not readout.text.get_bbox_patch().get_visible(), "the text's own box is never drawn: the one behind is"


def test_the_box_behind_is_drawn_with_the_static_parts_and_the_frames_equal_the_still() -> None:
    run = experiment("line", lr=0.5)
    stage = build_stage("line", [run], TINY)
    (readout,) = readouts(stage)
    box = box_of(readout.text)
    assert box not in stage.update(3) and not box.get_animated()
    plan = plan_frames(run.trajectory.epochs_run, fps=4, duration=1.0)
    *_, last = (np.array(frame) for frame in blitted_frames(stage, plan))
    still = still_frame(build_stage("line", [run], TINY), int(plan.epochs[-1]))
    np.testing.assert_array_equal(last, still)


def test_the_race_clock_has_its_box_behind_it() -> None:
    runs = [experiment("plane", optimizer=name) for name in ("gd", "momentum")]
    stage = build_stage("race", runs, TINY)
    (clock,) = readouts(stage)
    plan = plan_frames(max(run.trajectory.epochs_run for run in runs), fps=4, duration=1.0)
    renderer = stage.canvas.get_renderer()
    for _ in blitted_frames(stage, plan):
        assert clock.text.get_window_extent(renderer).fully_overlaps(box_of(clock.text).get_window_extent(renderer))
