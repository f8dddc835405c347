"""What every Manim scene shares: the runs it shows and their clock, the theme in Manim's terms, quiet logging,
and a numeric readout cheap enough to change every frame.

Scenes read precomputed Trajectories through the FramePlan: no gradient step happens inside `construct`.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Sequence

import manim as mn
import numpy as np
from tqdm import tqdm

from gdcore.datasets import load_dataset
from gdcore.experiment import Experiment, RunRequest, prepare
from gdcore.frames import FramePlan
from scenes.captions import divergence_text, run_regime, run_title
from scenes.manim.plotting import glyph_points, glyph_table, glyph_width, round_step
from scenes.render import clock
from scenes.theme import FONT_FAMILY, Palette, palette, regime_color

DEFAULT_DATASET, DEFAULT_REGIME = "plane", "good"
DEFAULT_MOTION_SECONDS = 5.0
BANNER_FADE_SECONDS = 0.4  # a banner shown in the hold fades in over this long


def quiet_manim() -> None:
    """Manim logs through rich to stdout and may claim the root logger on import: keep gdviz's output clean.

    Its progress bars (tqdm's, made even when hidden) take a thread lock, not tqdm's default multiprocessing one: in
    a batch worker that is a named semaphore, which a worker killed midway leaves behind, and the resource tracker
    then warns of it to the terminal as the command ends."""
    mn.config.verbosity = "WARNING"
    mn.config.progress_bar = "none"
    tqdm.set_lock(threading.RLock())
    logging.getLogger("manim").setLevel(logging.WARNING)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if type(handler).__module__.startswith("rich"):
            root.removeHandler(handler)


def default_runs() -> list[Experiment]:
    """What `manim -ql scenes/manim/<file>.py <Scene>` shows: the default data at its 'good' preset rate."""
    return [prepare(load_dataset(DEFAULT_DATASET), RunRequest(regime=DEFAULT_REGIME))]


def plan_for(runs: Sequence[Experiment], seconds: float = DEFAULT_MOTION_SECONDS, time: str = "log") -> FramePlan:
    """The runs' common clock at the frame rate Manim renders at: the matplotlib engine's own (scenes.render.clock),
    spanning the longest run that happened, so both engines show a run the same way."""
    return clock(runs, float(mn.config.frame_rate), seconds, time)


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
                 theme: str = "light", theory: bool = True, **kwargs: object) -> None:
        """theory: draw constant-rate gd's exact path w* + (I − ηH)ᵏ(w₀ − w*) faint where the scene shows a path
        (`--theory/--no-theory`; other optimisers have none)."""
        self.colors: Palette = palette(theme)
        self.theory = theory
        mn.config.background_color = self.colors.background  # read when the camera is made, in Scene.__init__
        mn.Text.set_default(font=FONT_FAMILY, color=self.colors.foreground)
        mn.DecimalNumber.set_default(color=self.colors.foreground)
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.runs = list(runs) if runs is not None else self.cli_runs()
        self.plan = plan if plan is not None else plan_for(self.runs)

    @classmethod
    def cli_runs(cls) -> list[Experiment]:
        """The runs shown with no arguments (Manim's CLI): the default run; a scene of several runs says which."""
        return default_runs()

    @property
    def run(self) -> Experiment:
        return self.runs[0]

    def mark_step(self, name: str) -> None:
        """The next natural step of the scene, called `name`, starts here: a new Manim section in a plain render
        (the frames are the same), a pause and a new slide when the scene is mixed with manim-slides' Slide (whose
        next_section is next_slide). The scene's start and end need no mark."""
        self.steps_marked = [*getattr(self, "steps_marked", []), name]
        self.next_section(name)

    def play_plan(self, tracker: mn.ValueTracker, reach: np.ndarray | None = None,
                  banner: mn.Mobject | None = None) -> None:
        """Move `tracker` from frame 0 to the plan's last motion frame in the plan's time, then hold; under slides
        in pieces, a step per zoom of an escaping run (see motion_steps; `reach` as there). A `banner` (not yet
        added) fades in at the start of the hold, a step of its own ('why it diverged')."""
        fps, motion = float(mn.config.frame_rate), self.plan.motion_frames
        for start, stop in self.motion_steps(reach):
            if start:
                self.mark_step(f"zoom out at frame {start}")
            self.play(tracker.animate.set_value((motion - 1) * (stop / motion)), run_time=(stop - start) / fps,
                      rate_func=mn.linear)
        hold = self.plan.hold_frames
        if banner is not None and hold:
            # One play over the whole hold, the banner in after `fade` frames: a static wait would count its frames
            # as int(seconds·fps), a play as arange(0, seconds, 1/fps); n − ½ frames of run time give n in a play.
            self.mark_step("why it diverged")
            span = hold - 0.5
            fade = min(span, max(1.0, BANNER_FADE_SECONDS * fps))
            self.play(mn.FadeIn(banner, rate_func=lambda alpha: min(1.0, alpha * span / fade)), run_time=span / fps)
        elif hold:
            self.wait(hold / fps)

    def motion_steps(self, reach: np.ndarray | None) -> list[tuple[int, int]]:
        """The plan's motion frames as (start, stop) pieces played one after another. A plain render plays them in
        one piece; under slides a piece ends on each frame that first shows an epoch for which a view following an
        escaping run has grown (reach: ndarray of shape (n_epochs + 1,) or (n_epochs + 1, dims), how far the run
        has reached so far, in the unzoomed view's half-widths). Cut at frame boundaries, the tracker takes the
        same values as in one piece."""
        motion = self.plan.motion_frames
        cuts: set[int] = set()
        if reach is not None and self.in_slides:
            so_far = np.maximum(np.asarray(reach, dtype=float).reshape(len(reach), -1).max(axis=1), 1.0)
            for epoch in np.nonzero(so_far[1:] > so_far[:-1])[0] + 1:
                shown = self.plan.epochs[:motion] >= epoch
                cuts |= {int(np.argmax(shown)) + 1} if shown.any() else set()
        stops = [*sorted(cut for cut in cuts if 0 < cut < motion), motion]
        return list(zip([0, *stops[:-1]], stops, strict=True))

    @property
    def in_slides(self) -> bool:
        """True when the scene is mixed with manim-slides' Slide (gdviz slides): its steps are then slides."""
        return hasattr(self, "next_slide")

    def text(self, content: str, size: float = 24, color: str | None = None, **kwargs: object) -> mn.Text:
        return mn.Text(content, font_size=size, color=color or self.colors.foreground, **kwargs)  # type: ignore[arg-type]

    def regime_color(self, run: Experiment) -> str:
        return regime_color(run_regime(run))

    def title(self, size: float = 28) -> mn.Text:
        """The run's title (scenes.captions.run_title) in its regime colour, at the top edge."""
        return self.text(run_title(self.run), size, color=self.regime_color(self.run)).to_edge(mn.UP, buff=0.3)

    def divergence_banner(self, font_size: float, max_width: float | None = None, narrow: bool = False,
                          run: Experiment | None = None) -> mn.VGroup:
        """The divergence text of `run` (default: the scene's; scenes.captions.divergence_text, in its narrow form
        if `narrow`), bold on a rounded plate in its regime colour."""
        run = self.run if run is None else run
        color = self.regime_color(run)
        message = divergence_text(run, "narrow" if narrow else "wide")
        text = self.text(message, font_size, color=color, weight=mn.BOLD, line_spacing=1.0)
        plate = mn.RoundedRectangle(corner_radius=0.15, width=text.width + 0.5, height=text.height + 0.4,
                                    fill_color=self.colors.banner, fill_opacity=0.95, stroke_color=color,
                                    stroke_width=2.5)
        banner = mn.VGroup(plate, text.move_to(plate))
        if max_width is not None and banner.width > max_width:
            banner.scale_to_fit_width(max_width)
        return banner


def padded(values: np.ndarray, pad: float = 0.08) -> tuple[float, float]:
    """The values' range with a margin, not crossing zero when the values do not (axes then meet at a corner)."""
    low, high = float(values.min()), float(values.max())
    margin = pad * (high - low or 1.0)
    return (max(low - margin, 0.0) if low >= 0 else low - margin), (min(high + margin, 0.0) if high <= 0
                                                                      else high + margin)


def nice_range(low: float, high: float, ticks: int = 5, round_end: bool = True) -> list[float]:
    """[start, end, step] for a Manim axis covering low..high with about `ticks` round-numbered ticks: it starts on
    a tick, and ends on one too unless `round_end` is False (then at `high`: no empty stretch past the data)."""
    step = round_step(max(high - low, 1e-12) / ticks)
    end = float(np.ceil(high / step) * step) if round_end else float(high)
    return [float(np.floor(low / step) * step), end, float(step)]


def short_number(value: float) -> str:
    """Fixed width for a readout: 0.2364, -1.253, 5.61e+14."""
    return f"{value:.4f}" if abs(value) < 1e4 else f"{value:.2e}"


class FastReadout(mn.VMobject):
    """A number drawn from glyph outlines cut once per type size (plotting.glyph_table), with true minus signs and
    each glyph's own advance: set_value swaps one point array (DecimalNumber.set_value rebuilds its glyphs, ~20 ms
    a frame; this costs well under a millisecond).

    Placed by an anchor on the baseline, per `align`: 'field' (the anchor is the lower-left corner of a column
    `width` digits wide, the number right-aligned in it), 'right' (the number ends at the anchor) or 'centre'
    (the anchor is the middle of the digits, across and up).
    """

    def __init__(self, value: float = 0.0, formatter: Callable[[float], str] = "{:.4f}".format, width: int = 9,
                 font_size: float = 28, color: str = "#000000", align: str = "field",
                 anchor: np.ndarray | None = None) -> None:
        super().__init__(fill_color=color, fill_opacity=1.0, stroke_width=0)
        self.formatter, self.width_in_digits, self.font_size, self.align = formatter, width, font_size, align
        self.anchor = np.zeros(3) if anchor is None else np.asarray(anchor, dtype=float)
        self.set_value(value)

    def set_value(self, value: float) -> FastReadout:
        shown = self.formatter(value).replace("-", "−")[-self.width_in_digits:]
        table = glyph_table(self.font_size)
        text_width = glyph_width(shown, self.font_size)
        if self.align == "field":
            pen = self.anchor + mn.RIGHT * (self.width_in_digits * table.advances["0"] - text_width)
        elif self.align == "right":
            pen = self.anchor + mn.LEFT * text_width
        else:
            pen = self.anchor - np.array([text_width / 2, table.height / 2, 0.0])
        points = glyph_points(shown, self.font_size, pen)
        self.set_points(np.concatenate(points) if points else np.zeros((0, 3)))
        self.value = value
        return self

    def place(self, point: np.ndarray) -> FastReadout:
        """Move the anchor to `point`."""
        self.anchor = np.asarray(point, dtype=float)
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
