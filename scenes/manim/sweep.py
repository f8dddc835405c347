"""SweepScene: the learning rate moving across its range (default 40 rates log-spaced from 1 % to 150 % of the
stable limit): each rate's whole path on the contours, and the final loss against the rate (log–log) filling in over
the regime bands, the stable limit 2/L marked, the current rate and its regime written.

    manim -ql scenes/manim/sweep.py SweepScene      (default data `plane`, gd)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import manim as mn
import numpy as np

from gdcore.experiment import Experiment
from gdcore.sweep import Sweep, regime_bands
from scenes.captions import rate_label, run_regime, sweep_title
from scenes.manim.common import PlannedRun, RunScene, quiet_manim
from scenes.manim.panels import ManyPathsContour, cross, play_motion, registered_runs, two_rects
from scenes.manim.plotting import (
    Rect,
    Redrawn,
    Style,
    TextCache,
    Window,
    dashes,
    disks,
    frame_lines,
    nice_ticks,
    strokes,
    ticks,
)
from scenes.sweep_chart import (
    BAND_ALPHA,
    GREW_ARROW,
    NAMED_BAND_FRACTION,
    off_chart,
    rate_index,
    shown_losses,
    sweep_limits,
    sweep_of,
)
from scenes.theme import regime_color

quiet_manim()

TITLE_FONT, RATE_FONT, PANEL_FONT = 22.0, 19.0, 16.0
NAME_ROOM = 0.45  # the band names' row at the top of the rate panel, at the reference type size


class RatePanel:
    """Final loss against the rate, log–log (as scenes.mpl.sweep draws it): the regime bands, the closed-form
    minimum, the stable limit; the rates so far as dots in their regime's colour (off the chart, in a row near the
    top: a diverged rate as a ×, a rate grown past the top as an ↑), a line at the rate shown."""

    def __init__(self, result: Sweep, runs: Sequence[Experiment]) -> None:
        self.result, self.runs = result, list(runs)
        self.rates = np.array([row.lr for row in result.rows])
        self.minimum = runs[0].problem.closed_form_loss
        low, high = sweep_limits(result, self.minimum, float(runs[0].trajectory.loss[0]))
        self.window = Window(math.log10(self.rates.min() / 1.15), math.log10(self.rates.max() * 1.15),
                             math.log10(low), math.log10(high))
        self.diverged, self.grew = off_chart(result.rows, high)
        self.points = np.column_stack([np.log10(self.rates), np.log10(shown_losses(result.rows, high))])
        self.colors = [regime_color(row.regime) for row in result.rows]

    def fixed(self, rect: Rect, style: Style) -> list[mn.Mobject]:
        window, parts = self.window, []
        bands = regime_bands(self.result)
        span = math.log(bands[-1][1] / bands[0][0])
        for low, high, regime in bands:
            left, right = (window.to_screen(rect, np.array([[math.log10(edge), window.y_low]]))[0][0]
                           for edge in (max(low, 10**window.x_low), min(high, 10**window.x_high)))
            color = regime_color(regime)
            parts.append(mn.Rectangle(width=right - left, height=rect.height, fill_color=color,
                                      fill_opacity=BAND_ALPHA * 1.6, stroke_width=0)
                         .move_to([(left + right) / 2, rect.bottom + rect.height / 2, 0]))
            if regime is not None and math.log(high / low) >= NAMED_BAND_FRACTION * span:
                name = style.texts(regime.value, style.font * 0.95, color, mn.BOLD)
                parts.append(name.move_to([(left + right) / 2, rect.top - 0.1 * style.unit, 0], aligned_edge=mn.UP))
        if self.minimum > 0 and window.y_low <= math.log10(self.minimum) <= window.y_high:
            ends = window.to_screen(rect, np.array([[window.x_low, math.log10(self.minimum)],
                                                    [window.x_high, math.log10(self.minimum)]]))
            parts.append(strokes(dashes(ends[0], ends[1], 0.07 * style.unit), style.colors.optimum, 1.4))
        limit = self.result.lr_stable_max
        if limit is not None and window.x_low <= math.log10(limit) <= window.x_high:
            foot = window.to_screen(rect, np.array([[math.log10(limit), window.y_low]]))[0]
            parts.append(strokes([np.array([foot, foot + mn.UP * rect.height])], style.colors.foreground, 2.0))
            words = "2/L" if self.result.optimizer in ("gd", "sgd", "decay") else "stable limit"
            note = style.texts(f"{words} = {limit:.3g}", style.font * 0.85, style.colors.foreground)
            parts.append(note.next_to(foot + mn.UP * rect.height * 0.62, mn.LEFT, buff=0.08))
        keys = [words for words, shown in (("× diverged", self.diverged.any()),
                                           ("↑ grew past the top", self.grew.any())) if shown]
        if keys:
            key = style.texts(f"{', '.join(keys)}: loss off the scale", style.font * 0.8, style.colors.foreground)
            parts.append(key.move_to([rect.left + 0.12, rect.top - NAME_ROOM * style.unit, 0], aligned_edge=mn.UL))
        x_decades = nice_ticks(window.x_low, window.x_high, 3, integer=True)
        y_decades = nice_ticks(window.y_low, window.y_high, 4, integer=True)
        decades = ticks(rect, window, style, x_decades, y_decades, y_powers=True, x_powers=True)
        return [*parts, frame_lines(rect, style), *decades, *self.names(rect, style)]

    def names(self, rect: Rect, style: Style) -> list[mn.Mobject]:
        x_name = style.texts(f"learning rate η ({self.result.optimizer}), log scale", style.font * 0.9,
                             style.colors.foreground)
        x_name.move_to([(rect.left + rect.right) / 2, rect.bottom - 0.4 * style.unit, 0], aligned_edge=mn.UP)
        y_name = style.texts(f"final loss after {self.result.epochs} epochs ({self.runs[0].problem.cost})",
                             style.font * 0.9, style.colors.foreground)
        y_name.move_to([rect.left - 0.55 * style.unit, rect.top + 0.12 * style.unit, 0], aligned_edge=mn.DL)
        return [x_name, y_name]

    def moving(self, rect: Rect, style: Style, index: int) -> list[mn.Mobject]:
        """Rates 0..index: those on the chart joined by a faint line, dots, × and ↑; the line at rate `index`."""
        screen = self.window.to_screen(rect, self.points[: index + 1])
        diverged, grew = self.diverged[: index + 1], self.grew[: index + 1]
        on_chart = ~(diverged | grew)
        parts: list[mn.Mobject] = [strokes([screen[on_chart]], style.colors.foreground, 1.2, 0.6)]
        for color in dict.fromkeys(self.colors[: index + 1]):
            chosen = np.array([c == color for c in self.colors[: index + 1]])
            if np.any(chosen & on_chart):
                parts.append(disks(screen[chosen & on_chart], 0.06 * style.unit, color))
            parts += [cross(point, 0.07 * style.unit, color, 2.4) for point in screen[chosen & diverged]]
            parts += [arrow_up(point, 0.09 * style.unit, color) for point in screen[chosen & grew]]
        foot = screen[index] * np.array([1, 0, 0]) + np.array([0, rect.bottom, 0])
        below_names = rect.height - NAME_ROOM * style.unit
        parts.append(strokes([np.array([foot, foot + mn.UP * below_names])], self.colors[index], 3.0, 0.7))
        return parts


def arrow_up(point: np.ndarray, size: float, color: str) -> mn.Polygon:
    """An upward arrow (scenes.sweep_chart's GREW_ARROW) `size` high from its centre, centred on a screen point: a
    loss above the chart."""
    corners = np.column_stack([GREW_ARROW * size, np.zeros(len(GREW_ARROW))]) + point
    return mn.Polygon(*corners, fill_color=color, fill_opacity=1.0, stroke_width=0)


class SweepScene(RunScene):
    """The rates one after another: the path of the rate shown (left), the final loss of every rate so far (right);
    a step starts each time the rate crosses into another regime."""

    @classmethod
    def cli_runs(cls) -> list[Experiment]:
        return registered_runs("sweep")

    def construct(self) -> None:
        texts = TextCache()
        title = self.text(sweep_title(self.runs), TITLE_FONT).to_corner(mn.UL, buff=0.25)
        contour_rect, rate_rect = two_rects(title.get_bottom()[1] - 1.05, ratio=1 / 1.25)
        style = Style(self.colors, self.colors.foreground, PANEL_FONT, texts)
        self.contour = ManyPathsContour(self.runs)
        self.rate_panel = RatePanel(sweep_of(self.runs), self.runs)
        self.labels = [rate_label(run) for run in self.runs]
        self.run_colors = [regime_color(run_regime(run)) for run in self.runs]
        clock = mn.ValueTracker(0.0)
        longest = max((PlannedRun(run, self.plan) for run in self.runs), key=lambda run: run.last_epoch)
        self.add(title, *self.contour.fixed(contour_rect, style), *self.rate_panel.fixed(rate_rect, style))
        label_corner = np.array([-mn.config.frame_width / 2 + 0.3, title.get_bottom()[1] - 0.2, 0])

        def shown() -> list[mn.Mobject]:
            index = self.index_at(longest, clock.get_value())
            self.shown_index = index
            own = Style(self.colors, self.run_colors[index], PANEL_FONT, texts)
            label = texts(self.labels[index], RATE_FONT, own.color, mn.BOLD).move_to(label_corner, aligned_edge=mn.UL)
            parts = [label, *self.contour.path_parts(contour_rect, own, index, 0.0, whole=True),
                     *self.rate_panel.moving(rate_rect, style, index)]
            if self.runs[index].trajectory.diverged:
                parts.append(cross(self.contour.exit_point(contour_rect, index), 0.13 * own.unit, own.color))
            return parts

        self.add(Redrawn(shown))
        play_motion(self, clock, self.regime_cuts(longest))
        if self.plan.hold_frames:
            self.wait(self.plan.hold_frames / float(mn.config.frame_rate))

    def index_at(self, longest: PlannedRun, frame: float) -> int:
        """The rate shown at a frame: the matplotlib scene's (scenes.sweep_chart.rate_index) for the clock's epoch."""
        return rate_index(int(longest.epoch_at(frame)), int(longest.last_epoch), len(self.runs))

    def regime_cuts(self, longest: PlannedRun) -> dict[int, str]:
        """The first frame of each regime after the first: 'into the <regime> rates' (a step each)."""
        cuts: dict[int, str] = {}
        regimes = [run_regime(run) for run in self.runs]
        previous = regimes[self.index_at(longest, 0.0)]
        for frame in range(1, self.plan.motion_frames):
            regime = regimes[self.index_at(longest, frame)]
            if regime is not previous:
                cuts[frame] = f"into the {'no η·L regime' if regime is None else regime.value} rates"
            previous = regime
        return cuts
