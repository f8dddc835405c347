"""ModesScene: the error w_k − w* along each eigen-direction of the Hessian, one bar each, shrinking, flipping or
growing by its factor 1 − ηλᵢ inside its envelope ±|1 − ηλᵢ|ᵏ·|start|; beside it the loss contours turned to their
principal axes, with the path in those coordinates.

    manim -ql scenes/manim/modes.py ModesScene      (default data `plane`, regime `good`)

The numbers are gdcore's (Experiment.modes: the eigenbasis, the components, the factors and the envelope); the scene
only draws them. A diverging run's bars stay on screen: their axis is a symmetric log scale and says so.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import manim as mn
import numpy as np

from gdcore.experiment import Experiment
from gdcore.modes import Modes
from scenes.captions import eigen_axis_label, mode_behaviour, mode_label, modes_caption, run_title
from scenes.manim.common import FastReadout, PlannedRun, RunScene, quiet_manim
from scenes.manim.plotting import (
    ContourPanel,
    Rect,
    Redrawn,
    Style,
    TextCache,
    Window,
    dashes,
    glyph_mobject,
    glyph_table,
    interpolate,
    label_points,
    number_label,
    shape,
    strokes,
)
from scenes.mpl.modes import LINEAR_FRACTION, mode_color, symlog_ticks

quiet_manim()

FONT = 20.0  # the panels' type size (Style.unit = FONT / 15)
BAR_SLOT = 0.5  # a bar's width, as a fraction of the room each direction gets
MAX_BAR_WIDTH = 1.3  # scene units: two directions do not make two slabs
CAP_OVERHANG = 0.25  # the envelope's caps reach this fraction of a bar's width past each side
BAR_OPACITY = 0.85
TITLE_SIZE, CAPTION_SIZE, READOUT_SIZE = 26.0, 17.0, 24.0
BANNER_ROOM = 0.85  # scene units at the bottom, kept for the divergence banner


@dataclass(frozen=True)
class SymLog:
    """The bars' axis, a symmetric log scale: s(z) = sign(z)·log10(1 + |z|/t). Linear for |z| ≪ t, a decade of
    axis per factor of ten beyond it, so bars that shrink by 10⁻⁸ or grow by 10¹⁰ all stay readable."""

    threshold: float  # t > 0

    def __call__(self, values: np.ndarray) -> np.ndarray:
        values = np.asarray(values, dtype=float)
        return np.sign(values) * np.log10(1.0 + np.abs(values) / self.threshold)

    def inverse(self, shown: np.ndarray) -> np.ndarray:
        """z = sign(s)·t·(10^|s| − 1)."""
        shown = np.asarray(shown, dtype=float)
        return np.sign(shown) * self.threshold * (10.0 ** np.abs(shown) - 1.0)


class ModesBars:
    """One bar per eigen-direction i (ascending λ, left to right), its height the error's component
    zᵢ = qᵢᵀ(w_k − w*) on a symmetric log axis; for gd, caps at ±|1 − ηλᵢ|ᵏ·|zᵢ(0)| (the envelope the bar flips
    inside) and the starting bar dashed. Between whole epochs the bars and caps move linearly on the axis's own
    scale: a bar that shrinks (or grows) by its factor every step moves steadily and never leaves its envelope."""

    def __init__(self, run: Experiment) -> None:
        self.modes: Modes = run.modes
        components = self.modes.components  # (epochs_run + 1, p)
        finite = components[np.all(np.isfinite(components), axis=1)]
        start = float(np.max(np.abs(self.modes.initial))) or 1.0
        reach = float(np.max(np.abs(finite))) or start
        self.scale = SymLog(start * LINEAR_FRACTION)
        self.top = float(self.scale(np.array(2.0 * reach)))  # the axis runs from −top to top (as matplotlib's ±2·reach)
        self.shown = self.scale(np.clip(components, -2.0 * reach, 2.0 * reach))  # (epochs_run + 1, p), axis units
        envelope = self.modes.envelope()
        # |1 − ηλᵢ|ᵏ·|zᵢ(0)|: 0 where the start is 0 (0·∞ gives NaN), the axis's top where it overflowed
        self.shown_envelope = None if envelope is None else np.minimum(
            self.scale(np.nan_to_num(envelope, nan=0.0, posinf=np.inf)), self.top)
        count = len(self.modes.eigenvalues)
        self.factors = (None,) * count if self.modes.factors is None else tuple(float(f) for f in self.modes.factors)
        self.bar_colors = tuple(mode_color(factor) for factor in self.factors)
        self.window = Window(-0.5, count - 0.5, -self.top, self.top)
        self.last_bars: list[mn.VMobject] = []

    def heights(self, epoch: float) -> np.ndarray:
        """The bars' heights in axis units (s of each component) at a fractional epoch: shape (p,)."""
        return interpolate(self.shown, epoch)

    def bar_width(self, rect: Rect) -> float:
        return min(BAR_SLOT * rect.width / len(self.factors), MAX_BAR_WIDTH)

    def frame_parts(self, rect: Rect, style: Style) -> list[mn.Mobject]:
        """Left spine, the zero line, the axis's numbers, its name, each direction's λ, factor and behaviour under
        it, and (gd) where each bar started, dashed."""
        colors, unit = style.colors, style.unit
        zero = self.window.to_screen(rect, np.array([[-0.5, 0.0], [len(self.factors) - 0.5, 0.0]]))
        spine = np.array([[rect.left, rect.bottom, 0.0], [rect.left, rect.top, 0.0]])
        parts: list[mn.Mobject] = [strokes([spine], colors.foreground, 1.6), strokes([zero], colors.foreground, 1.4),
                                   *self.axis_numbers(rect, style)]
        name = style.texts("error zᵢ = qᵢᵀ(w − w*), symmetric log scale", style.font * 0.9, colors.foreground)
        parts.append(name.move_to(np.array([rect.left - 0.45 * unit, rect.top + 0.14 * unit, 0]), aligned_edge=mn.DL))
        half = self.bar_width(rect) / 2
        outlines = []
        for index, (eigenvalue, factor) in enumerate(zip(self.modes.eigenvalues, self.factors, strict=True)):
            centre = self.window.to_screen(rect, np.array([index, 0.0]))[0]
            lines = [*mode_label(float(eigenvalue), factor).split("\n"), mode_behaviour(factor)]
            label = mn.VGroup(*(style.texts(line, style.font * 0.85, colors.foreground) for line in lines if line))
            label.arrange(mn.DOWN, buff=0.08 * unit)
            slot = 0.86 * rect.width / len(self.factors)
            if label.width > slot:  # many directions: each label keeps to its own slot
                label.scale(slot / label.width)
            parts.append(label.move_to(np.array([centre[0], rect.bottom - 0.12 * unit, 0.0]), aligned_edge=mn.UP))
            top = self.window.to_screen(rect, np.array([index, self.shown[0, index]]))[0]
            corners = [centre + mn.LEFT * half, top + mn.LEFT * half, top + mn.RIGHT * half, centre + mn.RIGHT * half]
            outlines += [piece for a, b in itertools.pairwise(corners)
                         for piece in dashes(a, b, 0.05 * unit)]
        return [*parts, strokes(outlines, colors.muted, 2.0)]

    def axis_numbers(self, rect: Rect, style: Style) -> list[mn.Mobject]:
        """0 and ±10ᵈ for a few decades d (scenes.mpl.modes.symlog_ticks), each at its place on the log axis; a
        decade too close to 0 on screen for its number to stand clear of 0's is left out."""
        size, buff, font = 0.06 * style.unit, 0.08 * style.unit, style.tick_font
        height = glyph_table(font).height
        values = symlog_ticks(self.scale.threshold, float(self.scale.inverse(np.array(self.top))))
        clear = 2.0 * height / rect.height * (2 * self.top)  # two digit heights, in axis units
        values = values[(values == 0) | (np.abs(self.scale(values)) >= clear)]
        points = self.window.to_screen(rect, np.column_stack([np.full(len(values), -0.5), self.scale(values)]))
        points[:, 0] = rect.left
        marks = [np.array([point, point + mn.LEFT * size]) for point in points]
        labels: list[np.ndarray] = []
        for value, point in zip(values, points, strict=True):
            labels += label_points(*number_label(float(value)), font, point + np.array([-size - buff, -height / 2, 0]),
                                   "right")
        return [strokes(marks, style.colors.foreground, 1.4), glyph_mobject(labels, style.colors.foreground)]

    def moving_parts(self, rect: Rect, style: Style, epoch: float) -> list[mn.Mobject]:
        """The bars at `epoch` (one filled shape each, in its direction's colour), then the envelope's caps."""
        half = self.bar_width(rect) / 2
        bars: list[mn.VMobject] = []
        for index, (height, color) in enumerate(zip(self.heights(epoch), self.bar_colors, strict=True)):
            base, top = self.window.to_screen(rect, np.array([[index, 0.0], [index, height]]))
            bar = shape(fill=(color, BAR_OPACITY))
            bar.set_points_as_corners([base + mn.LEFT * half, top + mn.LEFT * half, top + mn.RIGHT * half,
                                       base + mn.RIGHT * half, base + mn.LEFT * half])
            bars.append(bar)
        self.last_bars = bars
        if self.shown_envelope is None:
            return list(bars)
        bound = interpolate(self.shown_envelope, epoch)
        reach = half * (1 + 2 * CAP_OVERHANG)
        caps = []
        for index, level in enumerate(bound):
            for sign in (1.0, -1.0):
                middle = self.window.to_screen(rect, np.array([index, sign * level]))[0]
                caps.append(np.array([middle + mn.LEFT * reach, middle + mn.RIGHT * reach]))
        return [*bars, strokes(caps, style.colors.foreground, 3.0)]

    def bar_values(self, rect: Rect) -> np.ndarray:
        """The components the bars drawn last stand for, read back from their screen heights: shape (p,)."""
        zero = self.window.to_screen(rect, np.zeros(2))[0][1]
        ends = [bar.get_top()[1] if bar.get_top()[1] - zero > zero - bar.get_bottom()[1] else bar.get_bottom()[1]
                for bar in self.last_bars]
        shown = [self.window.to_data(rect, np.array([0.0, end]))[1] for end in ends]
        return self.scale.inverse(np.array(shown))


class EigenContourPanel(ContourPanel):
    """The loss over the slowest and the stiffest eigen-direction (the others at the optimum): in the coordinates
    z = Qᵀ(w − w*) it is L* + ½ Σ λᵢ zᵢ², ellipses aligned with the axes about 0; the path is the run's components
    along the two (gdcore's, as the bars)."""

    def __init__(self, run: Experiment) -> None:
        modes = run.modes
        self.directions = (0, len(modes.eigenvalues) - 1)  # ascending: slowest first, stiffest last
        curvatures = modes.eigenvalues[list(self.directions)]
        names = (eigen_axis_label(self.directions[0], float(curvatures[0]), "slowest"),
                 eigen_axis_label(self.directions[1], float(curvatures[1]), "stiffest"))
        self.plane(np.diag(curvatures / 2.0), np.zeros(2), np.asarray(modes.components[:, list(self.directions)]),
                   run.trajectory.loss, names, None)


class ModesScene(RunScene):
    """Why a rate converges, jumps or diverges, one eigen-direction at a time."""

    def construct(self) -> None:
        run, planned = self.run, PlannedRun(self.run, self.plan)
        texts = TextCache()
        self.bars, self.turned = ModesBars(run), EigenContourPanel(run)
        self.bars_rect, self.turned_rect = self.panel_rects(BANNER_ROOM if run.trajectory.diverged else 0.2)
        self.bar_style = Style(self.colors, self.regime_color(run), FONT, texts)
        self.turned_style = Style(self.colors, self.colors.path, FONT, texts)
        frame = mn.ValueTracker(0.0)
        still = [*self.header(), *self.bars.frame_parts(self.bars_rect, self.bar_style),
                 *self.turned.frame_parts(self.turned_rect, self.turned_style)]
        if not self.turned.follow.moves:  # a view that never moves is drawn once, with the background
            still += self.turned.view_parts(self.turned_rect, self.turned_style, self.turned.window_at(0.0))
        moving = Redrawn(lambda: self.moving(planned.epoch_at(frame.get_value())))
        readout = self.epoch_readout(planned, frame)
        banner = self.banner() if run.trajectory.diverged else None
        # Static first: Manim draws everything before the first moving mobject once, as a background.
        self.add(*still)
        self.add(moving, readout)
        self.play_plan(frame, self.turned.follow.reach_so_far, banner)

    def panel_rects(self, bottom_room: float) -> tuple[Rect, Rect]:
        """The bars on the left, the turned contours on the right, under the title and above `bottom_room` (scene
        units kept free at the bottom, for the divergence banner)."""
        width, height = mn.config.frame_width, mn.config.frame_height
        unit = FONT / 15.0
        top = height / 2 - 1.65
        bottom = -height / 2 + bottom_room + 1.05 * unit  # the bars' three lines of labels, the contour's names
        left_margin = 0.95 * unit  # the y numbers, such as −10¹²
        half = width / 2
        bars = Rect(-half + left_margin + 0.2, bottom, half - left_margin - 0.75, top - bottom)
        turned_left = 0.25 + left_margin
        return bars, Rect(turned_left, bottom, half - 0.35 - turned_left, top - bottom)

    def header(self) -> list[mn.Mobject]:
        """The run's title (left, regime colour) and what the bars show, under it."""
        width, height = mn.config.frame_width, mn.config.frame_height
        title = self.text(run_title(self.run), TITLE_SIZE, color=self.regime_color(self.run))
        room = width - 4.0  # the epoch readout's column on the right, and a gap
        if title.width > room:
            title.scale(room / title.width)
        title.move_to(np.array([-width / 2 + 0.3, height / 2 - 0.3, 0]), aligned_edge=mn.UL)
        caption = self.text(modes_caption(self.run), CAPTION_SIZE).set_opacity(0.8)
        if caption.width > width - 0.6:
            caption.scale((width - 0.6) / caption.width)
        caption.next_to(title, mn.DOWN, buff=0.14, aligned_edge=mn.LEFT)
        word = self.text("epoch", READOUT_SIZE).move_to(np.array([width / 2 - 2.9, height / 2 - 0.3, 0]),
                                                         aligned_edge=mn.UL)
        self.epoch_word = word
        return [title, caption, word]

    def epoch_readout(self, planned: PlannedRun, frame: mn.ValueTracker) -> FastReadout:
        """The whole epoch shown, right-aligned at the frame's right edge on the word's baseline."""
        word = self.epoch_word
        baseline = word[-1].get_bottom()[1]  # 'epoch': the h sits on the line, the p hangs below
        number = FastReadout(0.0, lambda value: f"{value:.0f}", width=6, font_size=READOUT_SIZE,
                             color=self.colors.foreground, align="right",
                             anchor=np.array([mn.config.frame_width / 2 - 0.35, baseline, 0.0]))
        number.add_updater(lambda mob: mob.set_value(math.floor(planned.epoch_at(frame.get_value()) + 1e-9)))
        return number

    def moving(self, epoch: float) -> list[mn.Mobject]:
        """Everything that changes at this epoch: the bars and caps, the path (and its view, if it follows)."""
        self.shown_epoch = epoch
        window = self.turned.window_at(epoch)
        self.turned_window = window
        views = (self.turned.view_parts(self.turned_rect, self.turned_style, window) if self.turned.follow.moves
                 else [])
        return [*self.bars.moving_parts(self.bars_rect, self.bar_style, epoch), *views,
                *self.turned.moving_parts(self.turned_rect, self.turned_style, window, epoch)]

    def banner(self) -> mn.VGroup:
        """The divergence text in the room kept at the bottom."""
        height = mn.config.frame_height
        banner = self.divergence_banner(20, max_width=mn.config.frame_width - 0.8)
        self.banner_shown = banner
        return banner.move_to(np.array([0.0, -height / 2 + BANNER_ROOM / 2 + 0.05, 0.0]))
