"""The Python API: an Animation that encodes through matplotlib's own writer, and stills."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.animation import AbstractMovieWriter
from matplotlib.figure import Figure

from gdcore.experiment import Experiment
from scenes.mpl.layouts import Look
from scenes.notebook import animation, run, still
from scenes.render import clock

TINY = Look(width=160, height=90)


def test_to_html5_video_works_without_a_system_ffmpeg() -> None:
    html = animation("line", run("five-points", epochs=10), TINY, fps=4, duration=0.5).to_html5_video()
    assert html.startswith("<video") and "base64" in html


def test_still_shows_the_final_model(line_run: Experiment) -> None:
    figure = still("line", line_run, TINY)
    assert isinstance(figure, Figure)
    lines = [line for axes in figure.axes for line in axes.lines if line.get_label().startswith("model")]
    (line,) = lines
    bias, slope = line_run.trajectory.final_weights
    x, y = line.get_data()
    np.testing.assert_allclose(y, bias + slope * np.asarray(x))


class FrameCollector(AbstractMovieWriter):
    """A matplotlib movie writer that keeps each frame's pixels: what the Animation shows, frame by frame."""

    def __init__(self) -> None:
        super().__init__(fps=5)
        self.frames: list[np.ndarray] = []

    def setup(self, fig: Figure, outfile: str, dpi: float | None = None) -> None:
        super().setup(fig, outfile, dpi)

    def grab_frame(self, **savefig_kwargs: object) -> None:
        self.fig.canvas.draw()
        self.frames.append(np.array(self.fig.canvas.buffer_rgba()))

    def finish(self) -> None:
        """Nothing to close."""


def test_the_animation_plays_the_plan_and_ends_on_the_still(tmp_path: Path) -> None:
    diverging = run("plane", lr=0.8)
    anim = animation("dashboard", diverging, TINY, fps=5, duration=1.0)
    collector = FrameCollector()
    anim.save(str(tmp_path / "unused"), writer=collector)
    assert len(collector.frames) == clock([diverging], 5, 1.0, "log").n_frames
    figure = still("dashboard", diverging, TINY)
    figure.canvas.draw()
    last = np.array(figure.canvas.buffer_rgba())
    assert np.abs(collector.frames[-1].astype(int) - last.astype(int)).mean() < 1.0
    assert np.abs(collector.frames[0].astype(int) - last.astype(int)).mean() > 1.0  # the banner and the zoom
