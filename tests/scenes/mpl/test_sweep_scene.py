"""The sweep scene: the rate moving across its range, each rate's path, the final losses so far."""

from __future__ import annotations

import numpy as np

from gdcore.datasets import load_preset
from gdcore.options import RunOptions
from scenes.mpl.layouts import build_stage
from scenes.mpl.stage import blitted_frames
from scenes.mpl.sweep import SweepContourPanel, SweepLossPanel, rate_index
from scenes.registry import scene_runs, scene_spec
from scenes.render import clock
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
        shown = len(losses.points.points.get_offsets()) + len(losses.points.crosses.get_offsets())
        assert shown == index + 1
    assert seen == set(range(len(runs)))
    assert runs[-1].trajectory.diverged and len(losses.points.crosses.get_offsets()) == 1


def test_rate_index_runs_from_the_first_rate_to_the_last() -> None:
    assert rate_index(0, 300, 40) == 0 and rate_index(300, 300, 40) == 39
    assert all(rate_index(a, 300, 40) <= rate_index(b, 300, 40) for a, b in zip(range(300), range(1, 301),
                                                                                  strict=True))
