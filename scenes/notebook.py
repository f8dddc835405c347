"""gdviz from Python (notebooks): runs, reports, matplotlib Animations whose to_html5_video() works, still Figures.

    from scenes.notebook import run, runs, report, animation, still
    anim = animation("dashboard", run("plane", lr=0.8))
    anim.to_html5_video()
    report(run(data="houses.csv", x="size", y="price", standardize=True))   # == gdviz train --json

Every data and run option of the CLI is a keyword here, under the same name with dashes turned to underscores
(`--batch-size` → `batch_size=`); the dataset is the first positional argument.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from typing import Any

import imageio_ffmpeg
import matplotlib
import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.artist import Artist
from matplotlib.figure import Figure

from gdcore.experiment import Experiment
from gdcore.options import (
    build_dataset,
    build_experiment,
    build_sweep,
    check_seed_is_used,
    run_request,
    split_options,
)
from gdcore.reports import train_report
from gdcore.sweep import Sweep
from scenes.mpl.layouts import DEFAULT_LOOK, Look, build_stage
from scenes.registry import scene_runs, scene_spec
from scenes.render import clock


def run(dataset: str | None = None, **options: Any) -> Experiment:
    """One run: `dataset` (a built-in name; or data="file.csv", x=..., y=...) and the run options (lr, regime,
    epochs, optimizer, init, cost, tol, momentum, ...), as `gdviz train` takes them."""
    data, run_options = split_options({"dataset": dataset, **options})
    chosen = build_dataset(data)
    check_seed_is_used(data.seed, chosen, (run_options.optimizer,))
    return build_experiment(chosen, run_options, data.seed)


def runs(scene: str, dataset: str | None = None, *, lr: float | Sequence[float] | None = None,
         optimizer: str | Sequence[str] | None = None, **options: Any) -> list[Experiment]:
    """The runs a scene shows, as `gdviz render SCENE` builds them (compare: lr=[0.05, 0.1, 0.3]; race:
    optimizer=["gd", "momentum", "adam"])."""
    rates = () if lr is None else (float(lr),) if isinstance(lr, (int, float)) else tuple(map(float, lr))
    optimizers = () if optimizer is None else (optimizer,) if isinstance(optimizer, str) else tuple(optimizer)
    data, run_options = split_options({"dataset": dataset, **options})
    return scene_runs(scene_spec(scene), build_dataset(data), run_options, rates, data.seed, optimizers)


def sweep(dataset: str | None = None, *, steps: int = 40, lr_min: float | None = None,
          lr_max: float | None = None, **options: Any) -> Sweep:
    """A learning-rate sweep, as `gdviz sweep` runs it: each rate's regime, status and final loss, the spectrum's
    largest stable rate and the smallest rate observed to diverge."""
    data, run_options = split_options({"dataset": dataset, **options})
    chosen = build_dataset(data)
    check_seed_is_used(data.seed, chosen, (run_options.optimizer,))
    return build_sweep(chosen, run_options, steps, lr_min, lr_max, data.seed)[1]


def page(dataset: str | None = None, *, lr: Sequence[float] = (), cdn: bool = False, **options: Any) -> str:
    """The explorable page of `gdviz html` as one HTML string (for IPython.display.HTML): the same data and run
    options as `run`; `lr` adds rates to the slider's."""
    from scenes.explore import explore_page

    data, run_options = split_options({"dataset": dataset, **options})
    chosen = build_dataset(data)
    return explore_page(chosen, tuple(lr) or None, run_request(chosen, run_options, data.seed), cdn)


def report(experiment: Experiment) -> dict[str, Any]:
    """The numbers `gdviz train --json` prints for this run."""
    return train_report(experiment)


def animation(scene: str, experiments: Experiment | Sequence[Experiment], look: Look = DEFAULT_LOOK, fps: float = 30.0,
              duration: float = 5.0, time: str = "log") -> FuncAnimation:
    """The scene as a FuncAnimation: every frame fully redrawn (simple and exact; the CLI's renderer blits)."""
    shown_runs = [experiments] if isinstance(experiments, Experiment) else list(experiments)
    plan = clock(shown_runs, fps, duration, time)
    stage = build_stage(scene, shown_runs, look, animated=False)
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
    shown_runs = [experiments] if isinstance(experiments, Experiment) else list(experiments)
    stage = build_stage(scene, shown_runs, look, animated=False)
    shown = max(r.trajectory.epochs_run for r in shown_runs) if epoch is None else epoch
    stage.set_view(stage.view_keys(np.array([shown]))[0])
    stage.update(shown)
    return stage.figure


def use_bundled_ffmpeg() -> None:
    """Point matplotlib's FFMpegWriter at imageio-ffmpeg's binary when the system has no ffmpeg."""
    if shutil.which(matplotlib.rcParams["animation.ffmpeg_path"]) is None:
        matplotlib.rcParams["animation.ffmpeg_path"] = imageio_ffmpeg.get_ffmpeg_exe()
