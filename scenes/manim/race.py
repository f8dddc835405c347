"""RaceScene: optimizers racing from one start: every path on one contour panel and every loss on one loss panel, a
colour and a legend entry (optimizer and rate) each, all on one clock; a racer that diverges stops at a ×.

    manim -ql scenes/manim/race.py RaceScene      (default data `plane`: gd, momentum and adam at their race rates)
"""

from __future__ import annotations

import manim as mn
import numpy as np

from gdcore.experiment import Experiment
from scenes.captions import race_label, race_title
from scenes.manim.common import FastReadout, PlannedRun, RunScene, quiet_manim
from scenes.manim.panels import (
    ManyLossPanel,
    ManyPathsContour,
    cross,
    finish_text,
    legend,
    notes_plate,
    play_finish,
    play_motion,
    registered_runs,
    two_rects,
)
from scenes.manim.plotting import Redrawn, Style, TextCache, glyph_width
from scenes.theme import RACE_COLORS

quiet_manim()

TITLE_FONT, LEGEND_FONT, PANEL_FONT = 24.0, 17.0, 17.0


class RaceScene(RunScene):
    """Every racer's path and loss drawn epoch by epoch on one clock; the legend names each optimizer and its rate."""

    @classmethod
    def cli_runs(cls) -> list[Experiment]:
        return registered_runs("race")

    def construct(self) -> None:
        texts = TextCache()
        self.racer_colors = [RACE_COLORS[index % len(RACE_COLORS)] for index in range(len(self.runs))]
        self.legend_labels = [race_label(run) for run in self.runs]
        title = self.text(race_title(self.runs), TITLE_FONT)
        planned_epochs = max(run.epochs for run in self.runs)
        room = mn.config.frame_width - 1.0 - self.text(f"epoch {planned_epochs} of {planned_epochs}", LEGEND_FONT).width
        if title.width > room:  # five racers: the title gives way to the epoch readout
            title.scale_to_fit_width(room)
        title.to_corner(mn.UL, buff=0.25)
        key = legend(list(zip(self.legend_labels, self.racer_colors, strict=True)), LEGEND_FONT, texts,
                     mn.config.frame_width - 0.8)
        key.next_to(title, mn.DOWN, buff=0.2).set_x(0)
        contour_rect, loss_rect = two_rects(key.get_bottom()[1] - 0.55, ratio=1.1)
        style = Style(self.colors, self.colors.foreground, PANEL_FONT, texts)
        self.contour, self.loss = ManyPathsContour(self.runs), ManyLossPanel(self.runs)
        clock = mn.ValueTracker(0.0)
        planned = [PlannedRun(run, self.plan) for run in self.runs]
        longest = max(planned, key=lambda racer: racer.last_epoch)
        self.add(title, key, *self.contour.fixed(contour_rect, style), *self.loss.fixed(loss_rect, style),
                 *self.epoch_readout(clock, longest, title))

        def racers() -> list[mn.Mobject]:
            frame = clock.get_value()
            parts: list[mn.Mobject] = []
            for index, racer in enumerate(planned):
                epoch = racer.epoch_at(frame)
                own = Style(self.colors, self.racer_colors[index], PANEL_FONT, texts)
                parts += [*self.contour.path_parts(contour_rect, own, index, epoch),
                          *self.loss.curve_parts(loss_rect, own, index, epoch)]
                if racer.run.trajectory.diverged and epoch >= racer.last_epoch:  # it stopped: a × on both panels
                    size = 0.13 * own.unit
                    stop = self.loss.stop_point(loss_rect, index)
                    note = texts(f"{racer.run.trajectory.optimizer} diverged", LEGEND_FONT * 0.85, own.color)
                    parts += [cross(self.contour.exit_point(contour_rect, index), size, own.color),
                              cross(stop, size, own.color), note.next_to(stop, mn.RIGHT, buff=0.15)]
            self.last_epochs = [racer.epoch_at(frame) for racer in planned]
            return parts

        self.add(Redrawn(racers))
        play_motion(self, clock, self.divergence_cuts(planned))
        self.finish_lines = [f"{run.trajectory.optimizer}: {finish_text(run)}" for run in self.runs]
        notes = notes_plate(list(zip(self.finish_lines, self.racer_colors, strict=True)), LEGEND_FONT * 0.8, texts,
                            self.colors)
        if notes.width > loss_rect.width - 0.2:
            notes.scale_to_fit_width(loss_rect.width - 0.2)
        # below the top edge, where a diverged racer's × and its note sit
        play_finish(self, notes.move_to([loss_rect.right - 0.1, loss_rect.top - 0.55, 0], aligned_edge=mn.UR))

    def divergence_cuts(self, planned: list[PlannedRun]) -> dict[int, str]:
        """The first frame showing each diverging racer stopped: '<optimizer> diverges' (a step each)."""
        cuts: dict[int, str] = {}
        epochs = self.plan.epochs[: self.plan.motion_frames]
        for racer in planned:
            if racer.run.trajectory.diverged and np.any(epochs >= racer.last_epoch):
                frame = int(np.argmax(epochs >= racer.last_epoch))
                name = racer.run.trajectory.optimizer
                cuts[frame] = f"{cuts[frame]}, {name} diverges" if frame in cuts else f"{name} diverges"
        return cuts

    def epoch_readout(self, clock: mn.ValueTracker, longest: PlannedRun, title: mn.Mobject) -> list[mn.Mobject]:
        """'epoch 37 of 300' at the top right: the race's clock."""
        planned_epochs = max(run.epochs for run in self.runs)
        total = self.text(f"of {planned_epochs}", LEGEND_FONT).to_corner(mn.UR, buff=0.3)
        total.align_to(title, mn.DOWN)
        digits = len(str(planned_epochs))
        column = total.get_corner(mn.DL) + mn.LEFT * (0.15 + glyph_width("0" * digits, LEGEND_FONT))
        number = FastReadout(0.0, "{:.0f}".format, width=digits, font_size=LEGEND_FONT, color=self.colors.foreground,
                             align="field", anchor=column)
        number.add_updater(lambda mob: mob.set_value(round(longest.epoch_at(clock.get_value()))))
        word = self.text("epoch", LEGEND_FONT)
        word.next_to(column, mn.LEFT, buff=0.15)
        word.shift(mn.UP * (total[-1].get_bottom()[1] - word[-1].get_bottom()[1]))  # on the digits' baseline
        return [total, word, number]
