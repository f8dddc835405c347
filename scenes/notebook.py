"""gdviz from Python (notebooks): runs, matplotlib Animations whose to_html5_video() works, still Figures.

    from scenes.notebook import run, animation, still
    anim = animation("dashboard", run("plane", lr=0.8))
    anim.to_html5_video()
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence

import imageio_ffmpeg
import matplotlib
import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.artist import Artist
from matplotlib.figure import Figure

from gdcore.datasets import load_dataset
from gdcore.experiment import Experiment, RunRequest, prepare
from scenes.mpl.layouts import DEFAULT_LOOK, Look, build_stage
from scenes.render import clock


def run(dataset: str = "plane", **request: object) -> Experiment:
    """One run on a built-in dataset; keywords as RunRequest (lr, regime, epochs, init, cost, optimizer, ...)."""
    return prepare(load_dataset(dataset), RunRequest(**request))  # type: ignore[arg-type]


def animation(scene: str, experiments: Experiment | Sequence[Experiment], look: Look = DEFAULT_LOOK, fps: float = 30.0,
              duration: float = 5.0, time: str = "log") -> FuncAnimation:
    """The scene as a FuncAnimation: every frame fully redrawn (simple and exact; the CLI's renderer blits)."""
    runs = [experiments] if isinstance(experiments, Experiment) else list(experiments)
    plan = clock(runs, fps, duration, time)
    stage = build_stage(scene, runs, look, animated=False)
    keys = stage.view_keys(plan.epochs)
    shown: list[np.ndarray | None] = [None]

    def draw_frame(frame: int) -> list[Artist]:
        if shown[0] is None or not np.array_equal(keys[frame], shown[0]):
            shown[0] = keys[frame]
            stage.set_view(keys[frame])
        return stage.update(int(plan.epochs[frame]))

    use_bundled_ffmpeg()
    return FuncAnimation(stage.figure, draw_frame, frames=plan.n_frames, interval=1000.0 / fps, blit=False,
                         repeat=False)


def still(scene: str, experiments: Experiment | Sequence[Experiment], look: Look = DEFAULT_LOOK,
          epoch: int | None = None) -> Figure:
    """The scene at one epoch (default: the last) as a Figure, ready for savefig or display."""
    runs = [experiments] if isinstance(experiments, Experiment) else list(experiments)
    stage = build_stage(scene, runs, look, animated=False)
    shown = max(r.trajectory.epochs_run for r in runs) if epoch is None else epoch
    stage.set_view(stage.view_keys(np.array([shown]))[0])
    stage.update(shown)
    return stage.figure


def use_bundled_ffmpeg() -> None:
    """Point matplotlib's FFMpegWriter at imageio-ffmpeg's binary when the system has no ffmpeg."""
    if shutil.which(matplotlib.rcParams["animation.ffmpeg_path"]) is None:
        matplotlib.rcParams["animation.ffmpeg_path"] = imageio_ffmpeg.get_ffmpeg_exe()
