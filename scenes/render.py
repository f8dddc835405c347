"""From experiments to files: plan the frames, build the scene, stream its frames into the encoder."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gdcore.errors import GdvizInputError
from gdcore.experiment import Experiment
from gdcore.frames import FramePlan, plan_frames
from scenes.encoder import FrameSink, OutputSpec, WrittenFile, prepare_output_dir, write_png
from scenes.mpl.layouts import Look, build_stage
from scenes.mpl.stage import Stage, blitted_frames, still_frame

FORMATS: dict[str, tuple[str, ...]] = {"mp4": ("mp4",), "gif": ("gif",), "both": ("mp4", "gif"), "png": ("png",)}
QUALITIES: dict[str, tuple[int, int]] = {"low": (854, 480), "medium": (1280, 720), "high": (1920, 1080)}
MIN_SIDE, MAX_SIDE = 64, 3840
GIF_WIDTH = 640

Progress = Callable[[int], None]  # called with the number of frames just drawn


@dataclass(frozen=True)
class RenderSettings:
    """How to render: scene, formats, frame size and look, clip timing, destination."""

    scene: str = "dashboard"
    formats: tuple[str, ...] = ("mp4", "gif")
    look: Look = field(default_factory=Look)
    fps: float = 30.0
    duration: float = 5.0  # seconds of motion; the last state is then held for a second
    time: str = "log"
    out_dir: Path = Path("output")
    gif_width: int = GIF_WIDTH


def parse_size(text: str) -> tuple[int, int]:
    """'1280x720' → (1280, 720), each side from 64 to 3840 pixels."""
    match = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", text)
    size = (int(match.group(1)), int(match.group(2))) if match else None
    if size is None or not all(MIN_SIDE <= side <= MAX_SIDE for side in size):
        raise GdvizInputError(f"--size {text!r}: give WIDTHxHEIGHT, each from {MIN_SIDE} to {MAX_SIDE} pixels")
    return size


def output_stem(scene: str, experiments: Sequence[Experiment]) -> str:
    """'dashboard-lr0.8', 'compare-lr0.1-0.3', or 'regimes' (its rates come from the data)."""
    if scene == "regimes":
        return scene
    return f"{scene}-lr" + "-".join(f"{experiment.trajectory.lr:g}" for experiment in experiments)


def output_paths(settings: RenderSettings, experiments: Sequence[Experiment]) -> dict[str, Path]:
    """Where each format lands: <out>/<dataset>/<scene>-lr<lr>.<ext>."""
    folder = settings.out_dir / experiments[0].dataset.name
    stem = output_stem(settings.scene, experiments)
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
        return OutputSpec.for_path(path, settings.fps, width=min(settings.gif_width, settings.look.width))
    return OutputSpec.for_path(path, settings.fps)


def _write_still(stage: Stage, plan: FramePlan, path: Path) -> WrittenFile:
    """The last frame as a still, drawn directly."""
    image = still_frame(stage, int(plan.epochs[-1]))
    write_png(image, path)
    height, width = image.shape[:2]
    return WrittenFile(path=path, size_bytes=path.stat().st_size, frames=1, duration_s=0.0, width=width,
                       height=height)
