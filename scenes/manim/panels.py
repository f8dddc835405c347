"""What the race, sweep and scaling Manim scenes share: their default runs, two panels side by side, one contour
view under many paths, a loss panel holding many runs, a legend, the × of a run that stopped, motion played in
steps (a slide each), and where each run got, written at the finish.

Built from the plotting kit (scenes.manim.plotting); its ContourPanel draws the rings, the optimum and the start.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import manim as mn
import numpy as np

from gdcore.datasets import load_dataset
from gdcore.experiment import Experiment
from gdcore.options import RunOptions
from scenes.captions import held_note, param_label, status_text
from scenes.limits import Box, loss_limits, no_worse_than_start
from scenes.manim.common import DEFAULT_DATASET, RunScene
from scenes.manim.plotting import (
    ContourPanel,
    Rect,
    Style,
    TextCache,
    Window,
    axis_names,
    clip_polyline,
    dashes,
    disks,
    frame_lines,
    interpolate,
    nice_ticks,
    strokes,
    ticks,
)
from scenes.registry import scene_runs, scene_spec
from scenes.theme import Palette

STOP_INSET = 0.2  # scene units: a stop off the top of a view is marked this far below its edge


def registered_runs(scene: str) -> list[Experiment]:
    """What `manim -ql scenes/manim/<file>.py <Scene>` shows: the scene's runs as `gdviz render SCENE` builds them
    on the default data."""
    return scene_runs(scene_spec(scene), load_dataset(DEFAULT_DATASET), RunOptions())


def two_rects(top: float, ratio: float = 1.0) -> tuple[Rect, Rect]:
    """Two plot areas side by side under `top` (scene units), the first `ratio` times as wide as the second, with
    room for tick numbers and axis names. (Manim keeps its frame 14.2 units wide whatever the pixels' aspect.)"""
    width, height = mn.config.frame_width, mn.config.frame_height
    bottom = -height / 2 + 0.75
    left, right, gap = -width / 2 + 0.95, width / 2 - 0.35, 1.1
    first = (right - left - gap) * ratio / (1 + ratio)
    return (Rect(left, bottom, first, top - bottom),
            Rect(left + first + gap, bottom, right - left - gap - first, top - bottom))


def window_of(box: Box) -> Window:
    return Window(box.low[0], box.high[0], box.low[1], box.high[1])


def equal_units(window: Window, rect: Rect) -> Window:
    """The window widened along one axis so that a data unit is as long across as up on screen: ellipses keep
    their true shapes (the raw bowl's stripes, the standardized bowl's circles)."""
    centre = (window.low + window.high) / 2
    half = (window.high - window.low) / 2
    per_unit = max(half[0] / rect.width, half[1] / rect.height)
    half = np.array([per_unit * rect.width, per_unit * rect.height])
    return Window(centre[0] - half[0], centre[0] + half[0], centre[1] - half[1], centre[1] + half[1])


def cross(point: np.ndarray, size: float, color: str, width: float = 3.0) -> mn.VMobject:
    """A × centred on a screen point: where a run stopped."""
    arms = [np.array([point + size * np.array([-1, -1, 0]), point + size * np.array([1, 1, 0])]),
            np.array([point + size * np.array([-1, 1, 0]), point + size * np.array([1, -1, 0])])]
    return strokes(arms, color, width)


def inside(window: Window, point: np.ndarray) -> bool:
    return bool(np.all(window.low <= point) and np.all(point <= window.high))


class ManyPathsContour:
    """Several runs' paths on the loss contours of one problem (the first run's slice: every run shares the problem
    and the start). The view is fixed: it holds every path while it is no worse than the start, and the optimum;
    a diverging path leaves it and is cut at its edge."""

    def __init__(self, runs: Sequence[Experiment], window: Window | None = None, pad: float = 0.15) -> None:
        self.contour = ContourPanel(runs[0])
        index = list(self.contour.params)
        self.paths = [np.asarray(run.trajectory.weights[:, index]) for run in runs]
        kept = np.vstack([path[no_worse_than_start(run.trajectory.loss)]
                          for path, run in zip(self.paths, runs, strict=True)])
        self.window = window or window_of(Box.around(np.vstack([kept, self.contour.optimum[None, :]]), pad=pad))
        # Rings evenly spaced across this view (ContourPanel spaces them across its own run's view).
        self.contour.base_radius = self.contour.corner_radius(self.window)
        self.names = tuple(param_label(runs[0], k) for k in self.contour.params)
        self.note = held_note(runs[0], self.contour.slice)

    def fixed(self, rect: Rect, style: Style) -> list[mn.Mobject]:
        """Spines, axis names, rings, the optimum ×, the start ○ and ticks: drawn once."""
        parts = [*self.contour.view_parts(rect, style, self.window), frame_lines(rect, style),
                 *axis_names(rect, style, *self.names)]
        if self.note:  # what the slice holds, small in the lower left corner
            note = style.texts(self.note, style.font * 0.72, style.colors.foreground).set_opacity(0.75)
            if note.width > rect.width - 0.2:
                note.scale_to_fit_width(rect.width - 0.2)
            parts.append(note.move_to([rect.left + 0.1, rect.bottom + 0.08, 0], aligned_edge=mn.DL))
        return parts

    def path_parts(self, rect: Rect, style: Style, index: int, epoch: float, whole: bool = False,
                   width: float = 2.6) -> list[mn.Mobject]:
        """Run `index`'s path up to a fractional epoch (or `whole`) in style.color, `width` thick at the reference
        type size, the head as a disk while it is inside the view."""
        path = self.paths[index]
        epoch = float(len(path) - 1) if whole else min(epoch, len(path) - 1.0)
        shown = np.vstack([path[: math.floor(epoch) + 1], interpolate(path, epoch)[None, :]])
        window = self.window
        pieces = [window.to_screen(rect, piece) for piece in clip_polyline(shown, window.low, window.high)]
        parts: list[mn.Mobject] = [strokes(pieces, style.color, width * style.unit)]
        if inside(window, shown[-1]):
            parts.append(disks(window.to_screen(rect, shown[-1]), 0.075 * style.unit, style.color))
        return parts

    def exit_point(self, rect: Rect, index: int) -> np.ndarray:
        """Screen point where a run's drawn path ends inside the view: its last state, or where it last left."""
        path = self.paths[index]
        pieces = clip_polyline(path, self.window.low, self.window.high)
        last = pieces[-1][-1] if pieces else path[0]
        return self.window.to_screen(rect, last)[0]


class ManyLossPanel:
    """log10(loss) of several runs against the epoch on one fixed view: every epoch of the runs that did not
    diverge, the closed-form minimum dashed. A diverging curve leaves through the top."""

    def __init__(self, runs: Sequence[Experiment]) -> None:
        self.losses = [np.asarray(run.trajectory.loss) for run in runs]
        self.minimum = runs[0].problem.closed_form_loss
        steady = [loss[no_worse_than_start(loss)] if run.trajectory.diverged else loss
                  for loss, run in zip(self.losses, runs, strict=True)]
        limits = [loss_limits(loss, self.minimum) for loss in steady]
        low, high = min(low for low, _ in limits), max(high for _, high in limits)
        self.window = Window(0.0, float(max(max(run.epochs for run in runs), 1)), math.log10(low), math.log10(high))
        self.cost = runs[0].problem.cost

    def log_loss_at(self, index: int, epoch: float) -> float:
        """log10 of run `index`'s loss between epochs, interpolated in log space (no dip between two epochs)."""
        loss = self.losses[index]
        return float(np.interp(epoch, np.arange(len(loss)), np.log10(np.maximum(loss, 10.0**self.window.y_low))))

    def fixed(self, rect: Rect, style: Style) -> list[mn.Mobject]:
        window = self.window
        decades = nice_ticks(window.y_low, window.y_high, 4, integer=True)
        parts = [frame_lines(rect, style), *axis_names(rect, style, "epoch", f"loss ({self.cost}), log scale"),
                 *ticks(rect, window, style, nice_ticks(0.0, window.x_high, 4, integer=True), decades, y_powers=True)]
        level = math.log10(self.minimum) if self.minimum > 0 else -math.inf
        if window.y_low <= level <= window.y_high:
            ends = window.to_screen(rect, np.array([[0.0, level], [window.x_high, level]]))
            parts.append(strokes(dashes(ends[0], ends[1], 0.07 * style.unit), style.colors.optimum, 1.4))
        return parts

    def curve_parts(self, rect: Rect, style: Style, index: int, epoch: float) -> list[mn.Mobject]:
        loss = self.losses[index]
        epoch = min(epoch, len(loss) - 1.0)
        whole = math.floor(epoch)
        epochs = np.append(np.arange(whole + 1, dtype=float), epoch)
        values = [self.log_loss_at(index, float(k)) for k in epochs]
        curve = np.column_stack([epochs, values])
        window = self.window
        pieces = [window.to_screen(rect, piece) for piece in clip_polyline(curve, window.low, window.high)]
        parts: list[mn.Mobject] = [strokes(pieces, style.color, 2.8 * style.unit)]
        if inside(window, curve[-1]):
            parts.append(disks(window.to_screen(rect, curve[-1]), 0.065 * style.unit, style.color))
        return parts

    def stop_point(self, rect: Rect, index: int) -> np.ndarray:
        """Screen point of a diverged run's stop: its last epoch, at the top edge if its loss is off the view."""
        last = len(self.losses[index]) - 1
        point = self.window.to_screen(rect, np.array([last, self.log_loss_at(index, float(last))]))[0]
        return np.minimum(point, [rect.right, rect.top - STOP_INSET, 0.0])


def legend(entries: Sequence[tuple[str, str]], font: float, texts: TextCache, max_width: float) -> mn.VGroup:
    """A swatch and a label per (label, colour), in rows no wider than max_width, centred."""
    items = []
    for label, color in entries:
        swatch = mn.Line(mn.ORIGIN, mn.RIGHT * 0.4 * font / 15, stroke_color=color, stroke_width=5)
        text = texts(label, font, color)
        items.append(mn.VGroup(swatch, text.next_to(swatch, mn.RIGHT, buff=0.12)))
    rows: list[list[mn.VGroup]] = [[]]
    gap = 0.45 * font / 15
    for item in items:
        if rows[-1] and sum(part.width + gap for part in rows[-1]) + item.width > max_width:
            rows.append([])
        rows[-1].append(item)
    lines = [mn.VGroup(*row).arrange(mn.RIGHT, buff=gap) for row in rows]
    return mn.VGroup(*lines).arrange(mn.DOWN, buff=0.12 * font / 15)


def play_motion(scene: RunScene, tracker: mn.ValueTracker, cuts: dict[int, str]) -> None:
    """Move `tracker` from frame 0 to the plan's last motion frame in the plan's time (as RunScene.play_plan), in
    pieces that end at the frames in `cuts` (0 < frame < motion frames); a step called cuts[frame] starts at each
    (a slide each under manim-slides). No hold."""
    fps, motion = float(mn.config.frame_rate), scene.plan.motion_frames
    stops = [*sorted(frame for frame in cuts if 0 < frame < motion), motion]
    for start, stop in zip([0, *stops[:-1]], stops, strict=True):
        if start:
            scene.mark_step(cuts[start])
        scene.play(tracker.animate.set_value((motion - 1) * (stop / motion)), run_time=(stop - start) / fps,
                   rate_func=mn.linear)


FINISH_FADE_SECONDS = 0.5
WITHIN = 0.01  # "at 1 %": the error ‖w − w*‖ down to this fraction of its start


def epoch_within(run: Experiment, fraction: float = WITHIN) -> int | None:
    """The first epoch whose error ‖w_k − w*‖ is at most `fraction` of the start's; None if no epoch run gets there."""
    error = np.linalg.norm(run.trajectory.weights - run.problem.closed_form, axis=1)
    reached = np.flatnonzero(error <= fraction * error[0])
    return int(reached[0]) if reached.size else None


def finish_text(run: Experiment) -> str:
    """Where a run got: 'diverged at epoch 11', 'error at 1 % of its start by epoch 23, loss 0.2364', or 'error
    still 37 % of its start after 300 epochs, loss 0.5'."""
    trajectory = run.trajectory
    if trajectory.diverged:
        return status_text(trajectory)
    within = epoch_within(run)
    if within is not None:
        return f"error at {WITHIN * 100:g} % of its start by epoch {within}, loss {trajectory.final_loss:.4g}"
    error = np.linalg.norm(trajectory.weights[[0, -1]] - run.problem.closed_form, axis=1)
    return (f"error still {error[1] / error[0] * 100:.0f} % of its start after {trajectory.epochs_run} epochs, "
            f"loss {trajectory.final_loss:.4g}")


def notes_plate(lines: Sequence[tuple[str, str]], font: float, texts: TextCache, colors: Palette) -> mn.VGroup:
    """Lines of (text, colour), left-aligned on a plate in the background colour."""
    words = mn.VGroup(*(texts(line, font, color) for line, color in lines)).arrange(mn.DOWN, aligned_edge=mn.LEFT,
                                                                                   buff=0.1 * font / 15)
    plate = mn.RoundedRectangle(corner_radius=0.08, width=words.width + 0.3, height=words.height + 0.22,
                                fill_color=colors.background, fill_opacity=0.9, stroke_color=colors.muted,
                                stroke_width=1.0)
    return mn.VGroup(plate, words.move_to(plate))


def play_finish(scene: RunScene, notes: mn.Mobject) -> None:
    """The plan's hold after the motion, as a step called 'the finish': `notes` fade in over its first
    FINISH_FADE_SECONDS (or all of it, if shorter), then stay. One play spanning the hold: its frames are the hold's."""
    fps, hold = float(mn.config.frame_rate), scene.plan.hold_frames
    if not hold:
        return
    scene.mark_step("the finish")
    share = min(1.0, FINISH_FADE_SECONDS * fps / hold)  # the fade's share of the hold
    scene.play(mn.FadeIn(notes, rate_func=lambda t: mn.smooth(min(t / share, 1.0))), run_time=hold / fps)
