"""From experiments to files: plan the frames, build the scene, stream its frames into the encoder."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from gdcore.experiment import Experiment
from gdcore.frames import FramePlan, plan_frames
from scenes.encoder import FrameSink, OutputSpec, WrittenFile, prepare_output_dir, write_png
from scenes.mpl.layouts import Look, build_stage
from scenes.mpl.stage import Stage, blitted_frames, still_frame
from scenes.naming import DEFAULT_DURATION, DEFAULT_FPS, output_stem, picture_settings

GIF_WIDTH = 720  # a blog column's width: the GIF is drawn at it (laid out for its own pixels), not shrunk

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
    gif_width: int | None = None  # None: GIF_WIDTH, or the frame's width when narrower; the height keeps the aspect
    stem: str | None = None  # the file name without its extension; None: as scenes.naming spells it


def output_paths(settings: RenderSettings, experiments: Sequence[Experiment]) -> dict[str, Path]:
    """Where each format lands: OUT/DATASET/STEM.EXT, the stem as scenes.naming spells it."""
    folder = settings.out_dir / experiments[0].dataset.name
    look = settings.look
    chosen = picture_settings("matplotlib", (look.width, look.height), settings.fps, settings.duration, settings.time,
                              look.rotate, settings.gif_width if "gif" in settings.formats else None)
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


def gif_look(settings: RenderSettings) -> Look:
    """The GIF's own frame: `gif_width` wide (default GIF_WIDTH, or the frame's width when narrower), its height
    from the frame's aspect, rounded to even; drawn at that size, never shrunk from the video's frames."""
    look = settings.look
    width = settings.gif_width or min(GIF_WIDTH, look.width)
    height = max(2, 2 * round(look.height * width / look.width / 2))
    return replace(look, width=width, height=height)


def passes(settings: RenderSettings) -> list[tuple[Look, tuple[str, ...]]]:
    """The frame streams to draw: (frame look, animated formats) — one when every format shares a size, else the
    MP4's and the GIF's, each drawn at its own pixels."""
    animated = tuple(fmt for fmt in settings.formats if fmt != "png")
    gif = gif_look(settings)
    if "gif" not in animated or gif == settings.look:
        return [(settings.look, animated)] if animated else []
    others = tuple(fmt for fmt in animated if fmt != "gif")
    return [*([(settings.look, others)] if others else []), (gif, ("gif",))]


def render(experiments: Sequence[Experiment], settings: RenderSettings,
           progress: Progress | None = None) -> list[WrittenFile]:
    """Render the scene and write every requested format, each drawn at its own size; returns what was written."""
    paths = output_paths(settings, experiments)
    prepare_output_dir(next(iter(paths.values())).parent)
    plan = frame_plan(settings, experiments)
    written: list[WrittenFile] = []
    stage: Stage | None = None
    for look, formats in passes(settings):
        stage = build_stage(settings.scene, experiments, look)
        with FrameSink([OutputSpec.for_path(paths[fmt], settings.fps, width=look.width) for fmt in formats],
                       fps=settings.fps, frame_size=stage.size) as sink:
            for frame in blitted_frames(stage, plan):
                sink.write(frame)
                if progress is not None:
                    progress(1)
        written.extend(sink.written)
    if "png" in paths:  # after the video: the still turns the animated artists into ordinary ones
        if stage is None or stage.size != (settings.look.width, settings.look.height):
            stage = build_stage(settings.scene, experiments, settings.look)
        written.append(_write_still(stage, plan, paths["png"]))
    return sorted(written, key=lambda file: settings.formats.index(file.path.suffix[1:]))


def _write_still(stage: Stage, plan: FramePlan, path: Path) -> WrittenFile:
    """The last frame as a still, drawn directly."""
    image = still_frame(stage, int(plan.epochs[-1]))
    write_png(image, path)
    height, width = image.shape[:2]
    return WrittenFile(path=path, size_bytes=path.stat().st_size, frames=1, duration_s=0.0, width=width,
                       height=height)
