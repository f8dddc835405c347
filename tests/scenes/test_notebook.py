"""The Python API: an Animation that encodes through matplotlib's own writer, and stills."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.animation import AbstractMovieWriter
from matplotlib.figure import Figure

from gdcore.errors import GdvizInputError
from gdcore.experiment import Experiment
from scenes.mpl.layouts import Look
from scenes.notebook import animation, report, run, runs, still
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


def test_run_takes_the_clis_options_and_reports_what_train_json_prints(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from scenes.cli import cli

    csv = tmp_path / "houses.csv"
    csv.write_text("size,rooms,price\n" + "\n".join(f"{50 + 7 * i},{1 + i % 4},{100 + 3 * i + (i % 5)}"
                                                     for i in range(30)))
    options = {"data": str(csv), "x": "size,rooms", "y": "price", "standardize": True, "optimizer": "momentum",
               "momentum": 0.5, "lr": 0.05, "epochs": 40, "tol": 1e-9, "init": "zeros", "cost": "half-mse"}
    flags = [part for name, value in options.items()
             for part in ([f"--{name}"] if value is True else [f"--{name}", str(value)])]
    printed = json.loads(CliRunner().invoke(cli, ["train", "--json", *flags]).stdout)
    assert report(run(**options)) == printed
    assert report(run("synthetic", n=20, features=2, noise=0.1, seed=3, optimizer="sgd", batch_size=4)) == json.loads(
        CliRunner().invoke(cli, ["train", "--json", "--dataset", "synthetic", "--n", "20", "--features", "2",
                                 "--noise", "0.1", "--seed", "3", "--optimizer", "sgd", "--batch-size", "4"]).stdout)


def test_bad_keywords_name_the_parameter_as_python_spells_it() -> None:
    with pytest.raises(GdvizInputError, match=r"unknown option .epoch.*did you mean .epochs."):
        run("plane", epoch=10)
    with pytest.raises(GdvizInputError, match=r"give either `lr` or `regime`"):
        run("plane", lr=0.1, regime="good")


def test_runs_gives_a_scenes_runs() -> None:
    assert [r.trajectory.lr for r in runs("compare", "plane", lr=[0.05, 0.1], epochs=5)] == [0.05, 0.1]
    assert len(runs("regimes", "line", epochs=5)) == 4


def test_the_notebook_races_optimizers_and_sweeps_rates() -> None:
    from scenes import notebook

    raced = notebook.runs("race", "plane", optimizer=["gd", "adam"], lr=[0.1, 0.2], epochs=5)
    assert [(run.trajectory.optimizer, run.trajectory.lr) for run in raced] == [("gd", 0.1), ("adam", 0.2)]
    result = notebook.sweep("plane", steps=3, epochs=10)
    assert len(result.rows) == 3 and result.lr_stable_max is not None
