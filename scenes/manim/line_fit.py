"""LineFitScene: the data, the fitted line moving epoch by epoch, and a live readout of epoch, loss, b and w.
A diverging run's line is followed: the y-axis zooms out with it (the data flattening into a strip), and a banner
says why once the run has stopped.

    manim -ql scenes/manim/line_fit.py LineFitScene      (default data `plane`, regime `good`)
"""

from __future__ import annotations

from collections.abc import Callable

import manim as mn
import numpy as np

from scenes.manim.common import FastReadout, PlannedRun, RunScene, quiet_manim, short_number
from scenes.manim.plotting import LinePanel, Rect, Redrawn, Style, TextCache, Window

quiet_manim()

PLOT = Rect(left=-5.7, bottom=-2.75, width=8.3, height=5.0)  # the data axes' box, in Manim units
FONT = 24.0
TICKS = 5
BANNER_FADE_SECONDS = 0.4


class LineFitScene(RunScene):
    """Gradient descent fitting a line: ŷ = b + w·x over the data (any other features held at their means)."""

    def construct(self) -> None:
        run, planned = self.run, PlannedRun(self.run, self.plan)
        frame = mn.ValueTracker(0.0)
        self.panel = LinePanel(run)
        self.rect, self.style = PLOT, Style(self.colors, self.colors.fit, FONT, TextCache(), ticks=TICKS)
        still = [*self.title_block(), *self.panel.frame_parts(self.rect, self.style)]
        if not self.panel.follow.moves:  # a view that never moves is drawn once, with the background
            still += self.panel.view_parts(self.rect, self.style, self.panel.window_at(0.0))
        self.line = Redrawn(lambda: self.line_parts(planned.epoch_at(frame.get_value())))
        labels, numbers = self.readouts(planned, frame)
        moving: list[mn.Mobject] = [self.line, *numbers]
        if run.trajectory.diverged:
            moving.append(self.fading_banner(planned, frame))
        # Static first: Manim draws everything before the first moving mobject once, as a background.
        self.add(*still, *labels)
        self.add(*moving)
        self.play_plan(frame)

    def line_parts(self, epoch: float) -> list[mn.Mobject]:
        """The line at a (fractional) epoch, clipped to the view; the view too, while it follows an escape."""
        self.window: Window = self.panel.window_at(epoch)
        parts = self.panel.view_parts(self.rect, self.style, self.window) if self.panel.follow.moves else []
        return [*parts, *self.panel.moving_parts(self.rect, self.style, self.window, epoch)]

    def title_block(self) -> list[mn.Mobject]:
        run = self.run
        title = self.title()
        block: list[mn.Mobject] = [title]
        if run.dataset.n_features > 1:
            names = ", ".join(run.dataset.feature_names[1:])
            note = self.text(f"ŷ = b + w1·x1 with {names} held at the mean", 18).set_opacity(0.75)
            block.append(note.next_to(title, mn.DOWN, 0.1))
        return block

    def readouts(self, planned: PlannedRun, frame: mn.ValueTracker) -> tuple[list[mn.Mobject], list[mn.Mobject]]:
        """epoch, loss, b, w: the labels drawn once, the numbers moved every frame."""
        rows: list[tuple[str, Callable[[float], float], Callable[[float], str]]] = [
            ("epoch", planned.epoch_at, lambda value: f"{value:.0f}"),
            ("loss", planned.loss_at, short_number),
            (self.run.dataset.param_names[0], lambda f: planned.weights_at(f)[0], short_number),
            (self.run.dataset.param_names[1], lambda f: planned.weights_at(f)[1], short_number),
        ]
        labels: list[mn.Mobject] = []
        numbers: list[mn.Mobject] = []
        for row, (name, value_at, formatter) in enumerate(rows):
            label = self.text(name, 26).move_to(np.array([3.6, 2.0 - 0.75 * row, 0.0]), aligned_edge=mn.LEFT)
            number = FastReadout(value_at(0.0), formatter, width=10, font_size=26, color=self.colors.foreground,
                                 align="right", anchor=np.array([6.75, label[-1].get_bottom()[1], 0.0]))
            number.add_updater(lambda mob, value_at=value_at: mob.set_value(value_at(frame.get_value())))
            labels.append(label)
            numbers.append(number)
        return labels, numbers

    def fading_banner(self, planned: PlannedRun, frame: mn.ValueTracker) -> mn.VGroup:
        """The divergence banner under the readouts, fading in over BANNER_FADE_SECONDS from the first frame that
        shows the run's last epoch (the hold included: the clock is the video's, not the tracker's)."""
        banner = self.divergence_banner(21, max_width=3.5, narrow=True).move_to(np.array([5.15, -1.6, 0.0]))
        fps = float(mn.config.frame_rate)
        stopped = int(np.argmax(self.plan.epochs >= planned.last_epoch))
        fade_frames = max(1, min(round(BANNER_FADE_SECONDS * fps), self.plan.n_frames - stopped))
        clock = {"frame": 0.0}
        self.banner = banner

        def fade(group: mn.Mobject, dt: float) -> None:
            clock["frame"] += dt * fps
            shown = round(clock["frame"]) - stopped + 1  # frames from `stopped` on, this one included
            group.set_opacity(float(np.clip(shown / fade_frames, 0.0, 1.0)))

        banner.add_updater(fade)
        fade(banner, 0.0)
        return banner
