"""What every Manim scene shares: the runs it shows and their clock, the theme in Manim's terms, quiet logging,
and a numeric readout cheap enough to change every frame.

Scenes read precomputed Trajectories through the FramePlan: no gradient step happens inside `construct`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence

import manim as mn
import numpy as np

from gdcore.datasets import load_dataset
from gdcore.experiment import Experiment, RunRequest, prepare
from gdcore.frames import FramePlan, plan_frames
from scenes.theme import FONT_FAMILY, Palette, palette, regime_color

DEFAULT_DATASET, DEFAULT_REGIME = "plane", "good"
DEFAULT_MOTION_SECONDS = 5.0


def quiet_manim() -> None:
    """Manim logs through rich to stdout and may claim the root logger on import: keep gdviz's output clean."""
    mn.config.verbosity = "WARNING"
    mn.config.progress_bar = "none"
    logging.getLogger("manim").setLevel(logging.WARNING)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if type(handler).__module__.startswith("rich"):
            root.removeHandler(handler)


def default_runs() -> list[Experiment]:
    """What `manim -ql scenes/manim/<file>.py <Scene>` shows: the default data at its 'good' preset rate."""
    return [prepare(load_dataset(DEFAULT_DATASET), RunRequest(regime=DEFAULT_REGIME))]


def plan_for(runs: Sequence[Experiment], seconds: float = DEFAULT_MOTION_SECONDS, time: str = "log") -> FramePlan:
    """The runs' common clock at the frame rate Manim renders at."""
    return plan_frames(max(run.epochs for run in runs), float(mn.config.frame_rate), seconds, time,
                       epochs_run=max(run.trajectory.epochs_run for run in runs))


class PlannedRun:
    """A run read through the plan at fractional frame positions: smooth motion between whole epochs."""

    def __init__(self, run: Experiment, plan: FramePlan) -> None:
        self.run, self.plan = run, plan
        self.last_epoch = run.trajectory.epochs_run

    def epoch_at(self, frame: float) -> float:
        """The (fractional) epoch shown at a (fractional) frame of the motion, clipped to where the run stopped."""
        epoch = np.interp(frame, np.arange(self.plan.n_frames), self.plan.epochs)
        return float(min(epoch, self.last_epoch))

    def weights_at(self, frame: float) -> np.ndarray:
        """Weights linearly interpolated between the two epochs around epoch_at(frame): shape (n_params,)."""
        epoch = self.epoch_at(frame)
        low = math.floor(epoch)
        high = min(low + 1, self.last_epoch)
        weights = self.run.trajectory.weights
        return weights[low] + (epoch - low) * (weights[high] - weights[low])

    def loss_at(self, frame: float) -> float:
        """The loss at the interpolated weights (the problem's own quadratic, not a gradient step)."""
        return float(self.run.problem.loss(self.weights_at(frame)))


class RunScene(mn.Scene):
    """A Manim scene over precomputed runs. With no arguments (Manim's CLI) it shows the default run."""

    def __init__(self, runs: Sequence[Experiment] | None = None, plan: FramePlan | None = None,
                 theme: str = "light", **kwargs: object) -> None:
        self.colors: Palette = palette(theme)
        mn.config.background_color = self.colors.background  # read when the camera is made, in Scene.__init__
        mn.Text.set_default(font=FONT_FAMILY, color=self.colors.foreground)
        mn.DecimalNumber.set_default(color=self.colors.foreground)
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.runs = list(runs) if runs is not None else default_runs()
        self.plan = plan if plan is not None else plan_for(self.runs)

    @property
    def run(self) -> Experiment:
        return self.runs[0]

    def play_plan(self, tracker: mn.ValueTracker) -> None:
        """Move `tracker` from frame 0 to the plan's last motion frame in the plan's time, then hold."""
        fps = float(mn.config.frame_rate)
        self.play(tracker.animate.set_value(self.plan.motion_frames - 1),
                  run_time=self.plan.motion_frames / fps, rate_func=mn.linear)
        if self.plan.hold_frames:
            self.wait(self.plan.hold_frames / fps)

    def text(self, content: str, size: float = 24, color: str | None = None, **kwargs: object) -> mn.Text:
        return mn.Text(content, font_size=size, color=color or self.colors.foreground, **kwargs)  # type: ignore[arg-type]

    def regime_color(self, run: Experiment) -> str:
        return regime_color(run.rate.regime)


def short_number(value: float) -> str:
    """Fixed width for a readout: 0.2364, -1.253, 5.61e+14."""
    return f"{value:.4f}" if abs(value) < 1e4 else f"{value:.2e}"


_GLYPH_TABLES: dict[float, tuple[dict[str, np.ndarray], float]] = {}


def _glyph_table(font_size: float) -> tuple[dict[str, np.ndarray], float]:
    """Outline points of each readout character (one Text call per font size, then shared) and the advance."""
    if font_size not in _GLYPH_TABLES:
        reference = mn.Text(FastReadout.CHARACTERS, font_size=font_size)
        bottom = reference.get_bottom()[1]
        glyphs = {character: glyph.points - np.array([glyph.get_left()[0], bottom, 0.0])
                  for character, glyph in zip(FastReadout.CHARACTERS, reference, strict=True)}
        _GLYPH_TABLES[font_size] = glyphs, reference[0].width * 1.15
    return _GLYPH_TABLES[font_size]


class FastReadout(mn.VGroup):
    """A fixed-width number whose glyph outlines are built once; set_value only swaps point arrays.

    DecimalNumber.set_value rebuilds its glyphs (~20 ms a frame); this costs well under a millisecond.
    """

    CHARACTERS = "0123456789.-+e"

    def __init__(self, value: float = 0.0, formatter: Callable[[float], str] = "{:.4f}".format, width: int = 9,
                 font_size: float = 28, color: str = "#000000") -> None:
        super().__init__()
        self.glyphs, self.advance = _glyph_table(font_size)
        self.formatter, self.origin = formatter, np.zeros(3)
        self.slots = [mn.VMobject(fill_color=color, fill_opacity=1.0, stroke_width=0) for _ in range(width)]
        self.add(*self.slots)
        self.set_value(value)

    def set_value(self, value: float) -> FastReadout:
        shown = self.formatter(value).rjust(len(self.slots))[-len(self.slots):]
        offset = 0.0
        for slot, character in zip(self.slots, shown, strict=True):
            glyph = self.glyphs.get(character)
            slot.set_points(glyph + self.origin + mn.RIGHT * offset if glyph is not None else np.zeros((0, 3)))
            offset += self.advance * (0.5 if character == "." else 1.0)
        self.value = value
        return self

    def place(self, point: np.ndarray) -> FastReadout:
        """Put the readout's lower-left corner at `point`."""
        self.origin = np.asarray(point, dtype=float)
        return self.set_value(self.value)


def tick_label(value: float, font_size: float, color: str) -> FastReadout:
    """A static axis number from the shared glyph table: no Text (and no pango) call per tick."""
    text = f"{value:g}"
    return FastReadout(value, lambda _: text, width=len(text), font_size=font_size, color=color)


def add_tick_labels(axes: mn.Axes, font_size: float, color: str) -> mn.VGroup:
    """Numbers under the x ticks and left of the y ticks, as cheap glyph readouts."""
    labels = mn.VGroup()
    for axis, direction in ((axes.x_axis, mn.DOWN), (axes.y_axis, mn.LEFT)):
        for value in axis.get_tick_range():
            label = tick_label(float(value), font_size, color)
            label.next_to(axis.number_to_point(value), direction, buff=0.15)
            labels.add(label)
    return labels
