"""From experiments to files: plan the frames, build the scene, stream its frames into the encoder."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from gdcore.experiment import Experiment
from gdcore.frames import FramePlan, plan_frames
from scenes.budget import fit_to_budget, format_bytes
from scenes.encoder import (
    GIF_DEFAULT_WIDTH,
    VIDEO_KINDS,
    FrameSink,
    OutputSpec,
    WrittenFile,
    prepare_output_dir,
    save_figure,
    working_prefix,
    write_png,
)
from scenes.mpl.layouts import Look, build_stage
from scenes.mpl.stage import Stage, blitted_frames, still_frame
from scenes.naming import DEFAULT_DURATION, DEFAULT_FPS, output_stem, picture_settings

GIF_WIDTH = GIF_DEFAULT_WIDTH  # a blog column's width (the encoder's): the GIF is drawn at it, not shrunk to it

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
    budgets: Mapping[str, int] = field(default_factory=dict)  # format → the most bytes its file may take


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
    animated = tuple(fmt for fmt in settings.formats if fmt in VIDEO_KINDS)  # the stills are drawn apart
    gif = gif_look(settings)
    if "gif" not in animated or gif == settings.look:
        return [(settings.look, animated)] if animated else []
    others = tuple(fmt for fmt in animated if fmt != "gif")
    return [*([(settings.look, others)] if others else []), (gif, ("gif",))]


def render(experiments: Sequence[Experiment], settings: RenderSettings,
           progress: Progress | None = None) -> list[WrittenFile]:
    """Render the scene and write every requested format, each drawn at its own size; returns what was written.

    A format with a size budget (settings.budgets) is encoded beside its place under a hidden name, and moved there
    only when it fits; otherwise `fit_to_budget` redraws it smaller (scenes.budget), or says it cannot."""
    paths = output_paths(settings, experiments)
    folder = prepare_output_dir(next(iter(paths.values())).parent)
    plan = frame_plan(settings, experiments)
    written: list[WrittenFile] = []
    stage: Stage | None = None
    stem = next(iter(paths.values())).stem
    with tempfile.TemporaryDirectory(dir=folder, prefix=working_prefix(stem, "trial")) as trial:
        drafts = {fmt: Path(trial) / path.name if fmt in settings.budgets else path for fmt, path in paths.items()}
        for look, formats in passes(settings):
            # The encoders start first: ffmpeg's start-up overlaps building the figure.
            with FrameSink([OutputSpec.for_path(drafts[fmt], settings.fps, width=look.width) for fmt in formats],
                           fps=settings.fps, frame_size=(look.width, look.height), channels=4) as sink:
                stage = build_stage(settings.scene, experiments, look)
                for frame in blitted_frames(stage, plan):
                    sink.write(frame)
                    if progress is not None:
                        progress(1)
            for fmt, file in zip(formats, sink.written, strict=True):
                written.append(file if fmt not in settings.budgets else
                               _within_budget(file, paths[fmt], settings.budgets[fmt], experiments, settings))
    if "png" in paths:  # after the video: the still turns the animated artists into ordinary ones
        if stage is None or stage.size != (settings.look.width, settings.look.height):
            stage = build_stage(settings.scene, experiments, settings.look)
        written.append(_write_still(stage, plan, paths["png"]))
    for fmt in ("svg", "pdf"):
        if fmt in paths:
            written.append(_write_vector_still(experiments, settings, plan, paths[fmt]))
    return sorted(written, key=lambda file: settings.formats.index(file.path.suffix[1:]))


def _within_budget(draft: WrittenFile, path: Path, max_bytes: int, experiments: Sequence[Experiment],
                   settings: RenderSettings) -> WrittenFile:
    """The draft moved into place when it fits its budget; else the clip redrawn to fit (a one-line error, and no
    file, when even the smallest legible version does not)."""
    if draft.size_bytes <= max_bytes:
        os.replace(draft.path, path)
        return replace(draft, path=path)
    look = gif_look(settings) if path.suffix == ".gif" else settings.look

    def frames(width: int, height: int, fps: float) -> Iterator[np.ndarray]:
        stage = build_stage(settings.scene, experiments, replace(look, width=width, height=height))
        return blitted_frames(stage, clock(experiments, fps, settings.duration, settings.time))

    choice = fit_to_budget(path, frames, max_bytes, width=draft.width, height=draft.height, fps=settings.fps,
                           drafted=draft.path)
    plan = clock(experiments, choice.fps, settings.duration, settings.time)
    palette = f", {choice.colors} colours" if choice.colors else ""
    quality = f", crf {choice.quality}" if choice.quality else ""
    note = (f"fitted under {format_bytes(max_bytes)} ({format_bytes(draft.size_bytes)} at first): "
            f"{choice.fps:g} fps{palette}{quality}, {choice.width}x{choice.height}")
    return WrittenFile(path=path, size_bytes=choice.size_bytes, frames=plan.n_frames,
                       duration_s=plan.n_frames / choice.fps, width=choice.width, height=choice.height, note=note)


def _write_vector_still(experiments: Sequence[Experiment], settings: RenderSettings, plan: FramePlan,
                        path: Path) -> WrittenFile:
    """The last frame as an SVG or PDF: the scene drawn once more, with ordinary (not animated) artists."""
    stage = build_stage(settings.scene, experiments, settings.look, animated=False)
    epoch = int(plan.epochs[-1])
    stage.set_view(stage.view_keys(np.array([epoch]))[0])
    stage.update(epoch)
    save_figure(stage.figure, path, path.suffix.removeprefix("."))
    return WrittenFile(path=path, size_bytes=path.stat().st_size, frames=1, duration_s=0.0,
                       width=settings.look.width, height=settings.look.height)


def _write_still(stage: Stage, plan: FramePlan, path: Path) -> WrittenFile:
    """The last frame as a still, drawn directly."""
    image = still_frame(stage, int(plan.epochs[-1]))
    write_png(image, path)
    height, width = image.shape[:2]
    return WrittenFile(path=path, size_bytes=path.stat().st_size, frames=1, duration_s=0.0, width=width,
                       height=height)
