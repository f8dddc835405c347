"""The Python API: an Animation that encodes through matplotlib's own writer, and stills."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from gdcore.experiment import Experiment
from scenes.mpl.layouts import Look
from scenes.notebook import animation, run, still

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
