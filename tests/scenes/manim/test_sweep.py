"""SweepScene: tiny renders through the CLI and the registry; the rate panel's points are the runs' final losses,
a step starts at each regime crossed, the last frame shows the last rate."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from scenes.captions import run_regime
from scenes.manim.sweep import RatePanel
from scenes.notebook import runs
from scenes.registry import scene_spec
from scenes.sweep_chart import OFF_SCALE, sweep_of
from tests.scenes.manim.conftest import read_video, render_tiny
from tests.scenes.test_cli import invoke

RATES = [0.08, 0.4, 1.1, 1.9]  # on `line` (L ≈ 1.31): η·L ≈ 0.1, 0.52, 1.4, 2.5


def test_the_default_sweep_renders_through_the_command_line(tmp_path: Path) -> None:
    result = invoke("render", "sweep", "--engine", "manim", "--dataset", "line", "--epochs", "10", "--format", "mp4",
                    "--size", "256x144", "--fps", "5", "--duration", "1", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    (movie,) = (tmp_path / "line").glob("sweep-*-n40-manim-h*.mp4")  # the 40 default rates
    video = read_video(movie)
    assert (video["codec"], video["width"], video["height"], video["frames"]) == ("h264", 256, 144, 10)


def test_each_regime_crossed_starts_a_step_and_the_last_rate_ends_it(tiny_config: Path) -> None:
    swept = runs("sweep", "line", lr=RATES)
    assert [run_regime(run).value for run in swept] == ["slow", "good", "jumping", "divergent"]
    scene, movie = render_tiny(scene_spec("sweep").drawer("manim"), swept, seconds=2.0)
    assert read_video(movie)["frames"] == scene.plan.n_frames
    assert scene.steps_marked == ["into the good rates", "into the jumping rates", "into the divergent rates"]
    assert scene.shown_index == len(RATES) - 1
    assert scene.labels[-1].startswith("lr 1.9 (divergent, η·L = 2.5), diverged at epoch")


def test_the_rate_panel_plots_each_final_loss_against_its_rate() -> None:
    swept = runs("sweep", "line", lr=RATES)
    panel = RatePanel(sweep_of(swept), swept)
    np.testing.assert_allclose(10 ** panel.points[:, 0], RATES)
    for run, (_, log_loss), diverged in zip(swept, panel.points, panel.diverged, strict=True):
        assert diverged == run.trajectory.diverged
        if diverged:  # off the scale: drawn near the top of the view
            assert log_loss == pytest.approx(math.log10(OFF_SCALE) + panel.window.y_high)
        else:
            assert log_loss == pytest.approx(np.log10(run.trajectory.loss[-1]))
        assert panel.window.y_low <= log_loss <= panel.window.y_high
