"""RaceScene: tiny renders through the CLI and the registry; the legend names each optimizer and its rate, every
racer ends on its last state, and a diverging racer stops at a × on both panels."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from scenes.manim.panels import ManyLossPanel, inside
from scenes.manim.plotting import Rect
from scenes.manim.render import ManimSettings, render_slides
from scenes.notebook import runs
from scenes.registry import scene_spec
from tests.scenes.manim.conftest import read_video, render_tiny

ROOT = Path(__file__).resolve().parents[3]
RECT = Rect(-3.0, -2.0, 5.0, 4.0)  # a plot area on screen


def test_race_renders_through_the_command_line(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "scenes", "render", "race", "--engine", "manim", "--optimizer", "gd",
                           "--optimizer", "momentum", "--lr", "0.8", "--lr", "0.05", "--size", "256x144", "--fps", "5",
                           "--duration", "1", "--format", "mp4", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=300, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    (movie,) = (tmp_path / "plane").glob("race-lr0.8-0.05-gd-momentum-manim-h*.mp4")
    video = read_video(movie)
    assert (video["codec"], video["width"], video["height"], video["fps"]) == ("h264", 256, 144, 5)
    assert video["frames"] == 10  # one second of motion, one of hold


def test_the_legend_names_each_racer_and_a_diverging_one_stops_at_a_cross(tiny_config: Path) -> None:
    racers = runs("race", "plane", optimizer=["gd", "momentum", "adam"], lr=[0.8, 0.05, 0.3])
    scene, movie = render_tiny(scene_spec("race").drawer("manim"), racers, seconds=1.0)
    assert read_video(movie)["frames"] == scene.plan.n_frames
    gd, momentum, adam = scene.legend_labels
    assert gd.startswith("gd · lr 0.8 (divergent)")
    assert gd.endswith(f"diverged at epoch {racers[0].trajectory.diverged_epoch}")
    assert momentum.startswith("momentum · lr 0.05 (") and "diverged" not in momentum
    assert adam == "adam · lr 0.3"  # adaptive: no η·L regime to name
    assert len(set(scene.racer_colors)) == 3
    assert scene.last_epochs == [run.trajectory.epochs_run for run in racers]  # each ends on its last state
    assert scene.steps_marked == ["gd diverges", "the finish"]
    # gd's path leaves the view: its × sits where the drawn path last crosses the view's edge
    contour, window = scene.contour, scene.contour.window
    stop = window.to_data(RECT, contour.exit_point(RECT, 0))
    slack = 1e-9 * (window.high - window.low)
    assert np.all(window.low - slack <= stop) and np.all(stop <= window.high + slack)
    assert not inside(window, contour.paths[0][-1])
    assert (np.isclose(stop, window.low, atol=slack) | np.isclose(stop, window.high, atol=slack)).any()
    # the view holds the racers that did not diverge, whole
    for path in contour.paths[1:]:
        assert np.all(path >= window.low) and np.all(path <= window.high)


def test_the_loss_view_holds_every_racer_that_did_not_diverge() -> None:
    racers = runs("race", "plane", optimizer=["gd", "momentum"], lr=[0.8, 0.05])
    panel = ManyLossPanel(racers)
    steady = np.log10(racers[1].trajectory.loss)
    assert panel.window.y_low <= steady.min() and steady.max() <= panel.window.y_high
    assert np.log10(racers[0].trajectory.loss[-1]) > panel.window.y_high  # the diverged one leaves through the top
    stop = panel.stop_point(RECT, 0)
    assert RECT.left < stop[0] < RECT.right and RECT.bottom < stop[1] < RECT.top


def test_under_slides_each_divergence_and_the_finish_start_a_slide(tmp_path: Path) -> None:
    pytest.importorskip("manim_slides", reason="the manim extra (with manim-slides) is not installed")
    racers = runs("race", "plane", optimizer=["gd", "momentum"], lr=[0.8, 0.05])
    settings = ManimSettings(size=(256, 144), fps=5.0, duration=1.0)
    slides = render_slides(scene_spec("race"), racers, settings, tmp_path, "race")
    assert slides == 3  # the race up to gd's divergence, the rest of the race, the finish
