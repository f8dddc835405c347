"""The sweep scene and figure: the rate moving across its range, each rate's path, the final losses so far, and the
loss axis a rate that grew past the chart does not flatten."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from gdcore.datasets import load_preset
from gdcore.options import RunOptions, build_sweep
from scenes.mpl.layouts import build_stage
from scenes.mpl.stage import blitted_frames
from scenes.mpl.sweep import SweepContourPanel, SweepLossPanel, SweepPoints, draw_sweep_frame
from scenes.registry import scene_runs, scene_spec
from scenes.render import clock
from scenes.sweep_chart import OFF_SCALE, rate_index
from scenes.theme import LIGHT
from tests.scenes.conftest import TINY


def test_each_frame_shows_one_rates_path_and_the_final_losses_so_far() -> None:
    runs = scene_runs(scene_spec("sweep"), load_preset("plane"), RunOptions(epochs=20),
                      rates=(0.01, 0.05, 0.1, 0.3, 0.5))
    assert [run.trajectory.lr for run in runs] == [0.01, 0.05, 0.1, 0.3, 0.5]
    stage = build_stage("sweep", runs, TINY)
    contour, losses = stage.panels
    assert isinstance(contour, SweepContourPanel) and isinstance(losses, SweepLossPanel)
    plan = clock(runs, fps=8, duration=1.0, time="log")
    seen = set()
    for frame, _ in enumerate(blitted_frames(stage, plan)):
        index = rate_index(int(plan.epochs[frame]), 20, len(runs))
        seen.add(index)
        np.testing.assert_allclose(np.column_stack(contour.trail.get_data()), runs[index].trajectory.weights[:, 1:])
        shown = sum(len(marks.get_offsets()) for marks in (losses.points.points, losses.points.crosses,
                                                           losses.points.arrows))
        assert shown == index + 1
    assert seen == set(range(len(runs)))
    assert runs[-1].trajectory.diverged and len(losses.points.crosses.get_offsets()) == 1


def test_rate_index_runs_from_the_first_rate_to_the_last() -> None:
    assert rate_index(0, 300, 40) == 0 and rate_index(300, 300, 40) == 39
    assert all(rate_index(a, 300, 40) <= rate_index(b, 300, 40) for a, b in zip(range(300), range(1, 301),
                                                                                  strict=True))


def test_a_rate_that_grew_without_diverging_is_marked_off_the_chart_and_flattens_nothing() -> None:
    # On `plane` the rate just past 2/L runs all 300 epochs and ends at a loss ~8.5e11: not diverged, but grown.
    base, result = build_sweep(load_preset("plane"), RunOptions(optimizer="gd"))
    start = float(base.trajectory.loss[0])
    grown = [row for row in result.rows if not row.diverged and row.final_loss > start]
    progressed = [row for row in result.rows if not row.diverged and row.final_loss <= start]
    assert grown and max(row.final_loss for row in grown) > 1e10
    axes = Figure().add_subplot()
    draw_sweep_frame(axes, result, base, LIGHT)
    marks = SweepPoints(axes, result, LIGHT)
    low, top = axes.get_ylim()
    # The axis holds the rates that made progress, ×3: their dots spread over it instead of one row at its foot.
    assert max(row.final_loss for row in progressed) < top <= 3 * max(row.final_loss for row in progressed) * 1.001
    assert low < min(row.final_loss for row in progressed)
    # A dot is drawn where its value is; a grown rate is an arrow in the off-chart row (with the crosses), not a dot.
    np.testing.assert_allclose(marks.points.get_offsets(), [(row.lr, row.final_loss) for row in
                                                            sorted(progressed, key=lambda row: row.lr)])
    np.testing.assert_allclose(marks.arrows.get_offsets(), [(row.lr, top * OFF_SCALE) for row in grown])
    assert all(loss == top * OFF_SCALE for _, loss in marks.crosses.get_offsets())
    assert "grew past the top" in (marks.arrows.get_label() or "")
