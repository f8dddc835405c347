"""From experiments to files: plan the frames, build the scene, stream its frames into the encoder."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gdcore.experiment import Experiment
from gdcore.frames import FramePlan, plan_frames
from scenes.encoder import FrameSink, OutputSpec, WrittenFile, prepare_output_dir, write_png
from scenes.mpl.layouts import Look, build_stage
from scenes.mpl.stage import Stage, blitted_frames, still_frame
from scenes.naming import DEFAULT_DURATION, DEFAULT_FPS, output_stem, picture_settings

GIF_WIDTH = 640

Progress = Callable[[int], None]  # called with the number of frames just drawn


@dataclass(frozen=True)
class RenderSettings:
    """How to render: scene, formats, frame size and look, clip timing, destination."""

    scene: str = "dashboard"
    formats: tuple[str, ...] = ("mp4", "gif")
    look: Look = field(default_factory=Look)
    fps: float = DEFAULT_FPS
    duration: float = DEFAULT_DURATION  # seconds of motion; the last state is then held for a second
    time: str = "log"
    out_dir: Path = Path("output")
    gif_width: int | None = None  # None: GIF_WIDTH, or the frame's width when narrower
    stem: str | None = None  # the file name without its extension; None: as scenes.naming spells it


def output_paths(settings: RenderSettings, experiments: Sequence[Experiment]) -> dict[str, Path]:
    """Where each format lands: OUT/DATASET/STEM.EXT, the stem as scenes.naming spells it."""
    folder = settings.out_dir / experiments[0].dataset.name
    look = settings.look
    chosen = picture_settings("matplotlib", (look.width, look.height), settings.fps, settings.duration, settings.time,
                              look.rotate, settings.gif_width if "gif" in settings.formats else None, look.theory)
    stem = settings.stem or output_stem(settings.scene, experiments, "matplotlib", look.theme, chosen)
    return {fmt: folder / f"{stem}.{fmt}" for fmt in settings.formats}


def frame_plan(settings: RenderSettings, experiments: Sequence[Experiment]) -> FramePlan:
    """The scene's plan at the settings' fps, duration and time scale: see clock."""
    return clock(experiments, settings.fps, settings.duration, settings.time)


def clock(experiments: Sequence[Experiment], fps: float, duration: float, time: str) -> FramePlan:
    """One clock for every run in the scene, spanning the longest run that happened: a run that diverged at epoch
    11 of 300 fills the clip with its 11 epochs (no seconds of frozen picture); in a grid, a run that stopped
    before the others holds its last state."""
    longest_run = max(max(experiment.trajectory.epochs_run for experiment in experiments), 1)
    return plan_frames(longest_run, fps, duration, time)


def render(experiments: Sequence[Experiment], settings: RenderSettings,
           progress: Progress | None = None) -> list[WrittenFile]:
    """Render the scene once and write every requested format; returns what was written."""
    paths = output_paths(settings, experiments)
    prepare_output_dir(next(iter(paths.values())).parent)
    plan = frame_plan(settings, experiments)
    stage = build_stage(settings.scene, experiments, settings.look)
    written: list[WrittenFile] = []
    videos = [_video_spec(fmt, path, settings) for fmt, path in paths.items() if fmt != "png"]
    if videos:
        with FrameSink(videos, fps=settings.fps, frame_size=stage.size) as sink:
            for frame in blitted_frames(stage, plan):
                sink.write(frame)
                if progress is not None:
                    progress(1)
        written.extend(sink.written)
    if "png" in paths:  # after the video: the still turns the animated artists into ordinary ones
        written.append(_write_still(stage, plan, paths["png"]))
    return written


def _video_spec(fmt: str, path: Path, settings: RenderSettings) -> OutputSpec:
    if fmt == "gif":
        return OutputSpec.for_path(path, settings.fps, width=min(settings.gif_width or GIF_WIDTH, settings.look.width))
    return OutputSpec.for_path(path, settings.fps)


def _write_still(stage: Stage, plan: FramePlan, path: Path) -> WrittenFile:
    """The last frame as a still, drawn directly."""
    image = still_frame(stage, int(plan.epochs[-1]))
    write_png(image, path)
    height, width = image.shape[:2]
    return WrittenFile(path=path, size_bytes=path.stat().st_size, frames=1, duration_s=0.0, width=width,
                       height=height)
