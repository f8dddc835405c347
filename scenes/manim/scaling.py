"""ScalingScene: the same data raw and standardized, side by side on one clock: the contours in equal units (stripes
against circles), κ and 2/L of each, each run by gd at its best constant rate 2/(λmax + λmin), the epochs each needs.

    manim -ql scenes/manim/scaling.py ScalingScene      (default data `plane`)
"""

from __future__ import annotations

import manim as mn
import numpy as np

from gdcore.experiment import Experiment
from scenes.captions import run_regime, scaling_text, scaling_title
from scenes.manim.common import FastReadout, PlannedRun, RunScene, quiet_manim, short_number
from scenes.manim.panels import (
    ManyPathsContour,
    equal_units,
    finish_text,
    notes_plate,
    play_finish,
    play_motion,
    registered_runs,
    two_rects,
)
from scenes.manim.plotting import Rect, Redrawn, Style, TextCache, glyph_width
from scenes.theme import regime_color

quiet_manim()

TITLE_FONT, HEADER_FONT, PANEL_FONT = 22.0, 15.5, 15.0
PATH_WIDTH = 1.5  # thin: a zigzag across the raw bowl's stripes stays a zigzag, not a filled band


def equal_unit_panel(run: Experiment, rect: Rect) -> ManyPathsContour:
    """The run's contour panel, its view (the path no worse than the start, and the optimum) widened to equal units
    across and up: the bowl's true shape."""
    return ManyPathsContour([run], window=equal_units(ManyPathsContour([run]).window, rect))


class ScalingScene(RunScene):
    """Raw features (left) against standardized ones (right), each with its κ, 2/L, best rate and the epochs that
    rate needs written above its contours, the two paths drawn on one clock."""

    @classmethod
    def cli_runs(cls) -> list[Experiment]:
        return registered_runs("scaling")

    def construct(self) -> None:
        texts = TextCache()
        title = self.text(scaling_title(self.run), TITLE_FONT).to_corner(mn.UL, buff=0.25)
        self.headers = [scaling_text(run) for run in self.runs]
        self.rects = rects = two_rects(title.get_bottom()[1] - 1.55)
        clock = mn.ValueTracker(0.0)
        fixed: list[mn.Mobject] = [title]
        moving: list[Redrawn] = []
        self.panels = []
        for run, rect, header in zip(self.runs, rects, self.headers, strict=True):
            style = Style(self.colors, regime_color(run_regime(run)), PANEL_FONT, texts)
            panel = equal_unit_panel(run, rect)
            self.panels.append(panel)
            words = self.text(header, HEADER_FONT, line_spacing=0.9)
            if words.width > rect.width + 0.55:  # a long count of epochs: the header keeps to its own column
                words.scale_to_fit_width(rect.width + 0.55)
            words.move_to([rect.left - 0.6, rect.top + 0.55, 0], aligned_edge=mn.DL)
            planned = PlannedRun(run, self.plan)
            fixed += [words, *panel.fixed(rect, Style(self.colors, self.colors.foreground, PANEL_FONT, texts)),
                      *self.readout_words(rect, style)]
            moving.append(Redrawn(lambda panel=panel, rect=rect, style=style, planned=planned:
                                  panel.path_parts(rect, style, 0, planned.epoch_at(clock.get_value()),
                                                  width=PATH_WIDTH)))
            moving += self.readout_numbers(rect, style, planned, clock)
        self.add(*fixed, *moving)
        play_motion(self, clock, {})
        self.finish_lines = [finish_text(run) for run in self.runs]
        notes = mn.VGroup()
        for line, rect, run in zip(self.finish_lines, rects, self.runs, strict=True):
            note = notes_plate([(line, regime_color(run_regime(run)))], HEADER_FONT * 0.85, texts, self.colors)
            if note.width > rect.width - 0.2:
                note.scale_to_fit_width(rect.width - 0.2)
            notes.add(note.move_to([rect.left + 0.1, rect.top - 0.1, 0], aligned_edge=mn.UL))
        play_finish(self, notes)

    def readout_words(self, rect: Rect, style: Style) -> list[mn.Mobject]:
        """'epoch' and 'loss' above the panel's upper right corner (their numbers move)."""
        words = []
        for corner, word in zip(self.readout_corners(rect), ("epoch", "loss"), strict=True):
            text = self.text(word, HEADER_FONT, color=style.color)
            words.append(text.move_to(corner + mn.LEFT * (self.field_width(word) + 0.12), aligned_edge=mn.DR))
        return words

    def readout_numbers(self, rect: Rect, style: Style, planned: PlannedRun,
                        clock: mn.ValueTracker) -> list[FastReadout]:
        epoch_corner, loss_corner = self.readout_corners(rect)
        epoch = FastReadout(0.0, "{:.0f}".format, width=10, font_size=HEADER_FONT, color=style.color,
                            align="right", anchor=epoch_corner)
        epoch.add_updater(lambda mob: mob.set_value(round(planned.epoch_at(clock.get_value()))))
        loss = FastReadout(planned.loss_at(0.0), short_number, width=10, font_size=HEADER_FONT, color=style.color,
                           align="right", anchor=loss_corner)
        losses = planned.run.trajectory.loss
        loss.add_updater(lambda mob: mob.set_value(float(losses[min(round(planned.epoch_at(clock.get_value())),
                                                                    len(losses) - 1)])))
        return [epoch, loss]

    def field_width(self, word: str) -> float:
        """Room for the widest number after `word`: the planned epochs, or a loss such as 4.60e+13 (short_number)."""
        widest = "0" * len(str(max(run.epochs for run in self.runs))) if word == "epoch" else "9999.9999"
        return glyph_width(widest, HEADER_FONT)

    def readout_corners(self, rect: Rect) -> tuple[np.ndarray, np.ndarray]:
        """The right ends of the epoch's and the loss's numbers, just above the panel's upper right corner."""
        baseline = rect.top + 0.14
        loss_corner = np.array([rect.right, baseline, 0.0])
        gap = 0.35 + self.field_width("loss") + 0.12 + self.text("loss", HEADER_FONT).width
        return loss_corner + mn.LEFT * gap, loss_corner
