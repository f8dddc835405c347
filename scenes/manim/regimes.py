"""RegimesScene: the dataset's four regime presets on one clock, then the divergent run's escape up close.

    manim -ql scenes/manim/regimes.py RegimesScene      (default data `plane`: slow, good, jumping, divergent)

Each cell shows the model (the path across the loss contours with two or more features, the fitted line with one)
beside the loss on a log scale. A view that its run escapes follows it continuously, so nothing leaves its panel.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import manim as mn
import numpy as np

from gdcore.datasets import load_dataset
from gdcore.experiment import Experiment, RunRequest, prepare
from gdcore.regimes import REGIME_NAMES
from gdcore.slices import default_axes, optimum_slice
from scenes.captions import cell_title, divergence_text, grid_title, held_values, run_regime
from scenes.manim.common import (
    DEFAULT_DATASET,
    PlannedRun,
    RunScene,
    quiet_manim,
    short_number,
)
from scenes.manim.plotting import (
    REFERENCE_FONT,
    ContourPanel,
    LinePanel,
    LossPanel,
    Rect,
    Redrawn,
    Style,
    TextCache,
    Window,
    glyph_mobject,
    glyph_points,
    glyph_table,
    glyph_width,
)
from scenes.theme import Palette, regime_color

quiet_manim()

SMALL_FONT, BIG_FONT = REFERENCE_FONT, 24.0  # a grid cell's text, the emphasised cell's text
GROW_SECONDS, REWIND_SECONDS, ESCAPE_SECONDS = 1.0, 0.6, 3.5
BANNER_SECONDS, BANNER_HOLD_SECONDS = 0.5, 1.5


# ---------------------------------------------------------------------------------------------------------
# A cell: one run's title, readout, model panel and loss panel, laid out in a rectangle at a type size.


@dataclass(frozen=True)
class CellRecord:
    """What a cell says about its run: regime, rate, and its title (scenes.captions.cell_title)."""

    regime: str
    lr: float
    title: str
    color: str


@dataclass(frozen=True)
class ShownState:
    """What a cell drew last: the epoch, the model panel's head (data coordinates), both views, the log-loss."""

    epoch: float
    head: np.ndarray
    model_window: Window
    loss_window: Window
    log_loss: float


@dataclass(frozen=True)
class Layout:
    """Where a cell's parts go: its rectangle, its type size, the plot areas of its two panels, its readout."""

    rect: Rect
    style: Style
    model: Rect
    loss: Rect
    readout_corners: tuple[np.ndarray, np.ndarray] = field(compare=False, hash=False, repr=False)


class Cell:
    """One run in a rectangle: title and readout on top, the model panel left of the loss panel."""

    def __init__(self, run: Experiment, colors: Palette, planned_epochs: int, texts: TextCache,
                 theory: bool = False) -> None:
        self.run, self.colors, self.texts = run, colors, texts
        regime = run_regime(run)
        self.record = CellRecord("none" if regime is None else regime.value, run.trajectory.lr, cell_title(run),
                                 regime_color(regime))
        self.model: ContourPanel | LinePanel = (LinePanel(run) if run.dataset.n_features == 1
                                                else ContourPanel(run, theory=theory))
        self.loss = LossPanel(run, planned_epochs, theory=theory)
        self.epoch_digits = len(str(planned_epochs))
        self.last_shown: ShownState | None = None

    @property
    def follows(self) -> bool:
        """True when the run escapes a view (the views are then redrawn every frame)."""
        return self.model.follow.moves or self.loss.moves

    def layout(self, rect: Rect, font: float) -> Layout:
        style = Style(self.colors, self.record.color, font, self.texts)
        unit = style.unit
        top = rect.top - 0.74 * unit  # the title row, then the y names
        bottom = rect.bottom + 0.62 * unit  # the tick numbers and the x names
        left_margin, gap, right_pad = 0.62 * unit, 0.4 * unit, 0.25 * unit  # room for y numbers such as −2×10⁶
        width = (rect.width - 2 * left_margin - gap - right_pad) / 2
        model = Rect(rect.left + left_margin, bottom, width, top - bottom)
        loss = Rect(model.right + gap + left_margin, bottom, width, top - bottom)
        # The readout's numbers: 'epoch 300   loss 4.60e+13', right-aligned on the title's baseline.
        table = glyph_table(font)
        baseline = rect.top - table.height * 1.12
        gap = table.advances["0"] * 0.6
        loss_corner = np.array([rect.right - glyph_width("4.60e+13", font), baseline, 0.0])
        epoch_corner = loss_corner - np.array([glyph_width("0" * self.epoch_digits, font) + 4 * gap
                                               + self.texts("loss", font, self.colors.foreground).width, 0, 0])
        return Layout(rect, style, model, loss, (epoch_corner, loss_corner))

    def header(self, layout: Layout) -> list[mn.Mobject]:
        """The title (left) and the readout's words (right); the readout's numbers move."""
        style, rect = layout.style, layout.rect
        gap = glyph_table(style.font).advances["0"] * 0.6
        words = []
        for word, corner in zip(("epoch", "loss"), layout.readout_corners, strict=True):
            text = self.texts(word, style.font, style.colors.foreground)
            text.move_to(corner + mn.LEFT * gap, aligned_edge=mn.RIGHT)
            text.shift(mn.UP * (corner[1] - text.baseline))
            words.append(text)
        title = self.texts(self.record.title, style.font * 1.12, style.color, mn.BOLD)
        room = words[0].get_left()[0] - 4 * gap - rect.left
        if title.width > room:  # a long rate: the title gives way to the readout
            title.scale(room / title.width)
        title.move_to(np.array([rect.left, rect.top, 0]), aligned_edge=mn.UL)
        return [title, *words]

    def readout_numbers(self, layout: Layout, epoch: float) -> mn.VMobject:
        font = layout.style.font
        epoch_corner, loss_corner = layout.readout_corners
        points = (glyph_points(f"{epoch:.0f}", font, epoch_corner)
                  + glyph_points(short_number(self.loss.loss_at_epoch(epoch)).replace("-", "−"), font, loss_corner))
        return glyph_mobject(points, layout.style.colors.foreground)

    def fixed(self, layout: Layout) -> list[mn.Mobject]:
        """What never changes: header, spines, names; and the views too when this run never escapes them."""
        parts = [*self.header(layout), *self.model.frame_parts(layout.model, layout.style),
                 *self.loss.frame_parts(layout.loss, layout.style)]
        return parts if self.follows else parts + self.views(layout, 0.0)

    def views(self, layout: Layout, epoch: float) -> list[mn.Mobject]:
        return [*self.model.view_parts(layout.model, layout.style, self.model.window_at(epoch)),
                *self.loss.view_parts(layout.loss, layout.style, self.loss.window_at(epoch))]

    def moving(self, layout: Layout, epoch: float) -> list[mn.Mobject]:
        """Everything that changes at this epoch (the views too, if this run escapes them)."""
        model_window, loss_window = self.model.window_at(epoch), self.loss.window_at(epoch)
        self.last_shown = ShownState(epoch, self.model.head_at(epoch), model_window, loss_window,
                                     self.loss.log_loss_at(epoch))
        parts = self.views(layout, epoch) if self.follows else []
        return [*parts, *self.model.moving_parts(layout.model, layout.style, model_window, epoch),
                *self.loss.moving_parts(layout.loss, layout.style, loss_window, epoch),
                self.readout_numbers(layout, epoch)]


# ---------------------------------------------------------------------------------------------------------


def preset_runs(dataset: str = DEFAULT_DATASET) -> list[Experiment]:
    """The dataset's four regime presets, slow to divergent (what `gdviz render regimes` passes)."""
    return [prepare(load_dataset(dataset), RunRequest(regime=regime)) for regime in REGIME_NAMES]


class RegimesScene(RunScene):
    """Four learning rates on one problem, one cell each on one clock; then the divergent run up close, its views
    following the escape, and a banner saying why it diverged."""

    @classmethod
    def cli_runs(cls) -> list[Experiment]:
        return preset_runs()

    def construct(self) -> None:
        texts = TextCache()
        planned_epochs = max(run.epochs for run in self.runs)
        self.cells = [Cell(run, self.colors, planned_epochs, texts, self.theory) for run in self.runs]
        self.layouts = [cell.layout(rect, SMALL_FONT)
                        for cell, rect in zip(self.cells, self.grid_rects(), strict=False)]
        self.frames_played = self.plan.n_frames
        headline = self.headline()
        frame = mn.ValueTracker(0.0)
        fixed = [mn.VGroup(*cell.fixed(layout)) for cell, layout in zip(self.cells, self.layouts, strict=True)]
        moving = [self.on_clock(cell, layout, frame) for cell, layout in zip(self.cells, self.layouts, strict=True)]
        # Static first: Manim draws everything before the first moving mobject once, as a background.
        self.add(headline, *fixed)
        self.add(*moving)
        self.play_plan(frame)
        self.escape_cell = next((cell for cell in self.cells if cell.run.trajectory.diverged), None)
        self.banner_text: str | None = None
        if self.escape_cell is not None:
            index = self.cells.index(self.escape_cell)
            for group in moving:
                group.clear_updaters()  # each holds its last frame from now on
            self.remove(fixed[index], moving[index])
            shown = mn.VGroup(*fixed[index].submobjects, *moving[index].submobjects)
            others = [headline, *fixed[:index], *fixed[index + 1:], *moving[:index], *moving[index + 1:]]
            self.mark_step("the divergent run")
            self.escape(self.escape_cell, shown, others)

    def on_clock(self, cell: Cell, layout: Layout, frame: mn.ValueTracker) -> Redrawn:
        """The cell's moving parts at the epoch the plan shows at the tracker's (fractional) frame."""
        planned = PlannedRun(cell.run, self.plan)
        return Redrawn(lambda: cell.moving(layout, planned.epoch_at(frame.get_value())))

    def grid_rects(self) -> list[Rect]:
        """Two by two below the headline, filling the frame."""
        width, height = mn.config.frame_width, mn.config.frame_height
        left, right, bottom, top = -width / 2 + 0.25, width / 2 - 0.2, -height / 2 + 0.2, height / 2 - 1.0
        gap_x, gap_y = 0.35, 0.3
        cell_w, cell_h = (right - left - gap_x) / 2, (top - bottom - gap_y) / 2
        return [Rect(left + column * (cell_w + gap_x), top - (row + 1) * cell_h - row * gap_y, cell_w, cell_h)
                for row in (0, 1) for column in (0, 1)]

    def headline(self) -> mn.VGroup:
        run = self.run
        title = self.text(grid_title(self.runs, regimes=len(self.runs) == 4), 24)
        title.to_edge(mn.UP, buff=0.18)
        if run.dataset.n_features == 1:
            left = "left: the fitted line"
        else:
            names = run.dataset.param_names
            section = optimum_slice(run.problem, default_axes(run.problem.n_params))
            first, second = section.axes
            left = (f"left: the path across the loss contours of {names[first]}, {names[second]} "
                    f"({held_values(names, section)} held; × the optimum)")
        note = self.text(f"{left} · right: the loss, log scale", 16)
        note.set_opacity(0.75).next_to(title, mn.DOWN, buff=0.1)
        return mn.VGroup(title, note)

    def escape(self, cell: Cell, shown: mn.VGroup, others: list[mn.Mobject]) -> None:
        """The divergent cell grows to the frame while the others fade, rewinds, and replays its escape alone with
        its views following; then the banner says why."""
        fps = float(mn.config.frame_rate)
        width, height = mn.config.frame_width, mn.config.frame_height
        banner_room = 1.25
        big = cell.layout(Rect(-width / 2 + 0.35, -height / 2 + banner_room, width - 0.6, height - banner_room - 0.25),
                          BIG_FONT)
        last = float(cell.run.trajectory.epochs_run)
        big_fixed = cell.fixed(big)
        grown = mn.VGroup(*big_fixed, *cell.moving(big, last))
        # A veil in the background colour hides the other cells: cheaper than fading each of their parts.
        veil = mn.Rectangle(width=width + 1, height=height + 1, fill_color=self.colors.background, fill_opacity=0.0,
                            stroke_width=0.0)
        self.add(veil, shown)
        self.play_frames(round(GROW_SECONDS * fps), mn.Transform(shown, grown),
                         mn.UpdateFromAlphaFunc(veil, lambda mob, alpha: mob.set_fill(opacity=alpha)))
        self.remove(shown, veil, *others)
        epoch = mn.ValueTracker(last)
        caption = self.text("the same run again: its axes follow the escape (the loss on a log scale)", BIG_FONT * 0.8)
        caption.set_opacity(0.75).move_to(np.array([0, -height / 2 + banner_room / 2, 0]))
        self.add(mn.VGroup(*big_fixed), caption)
        self.add(Redrawn(lambda: cell.moving(big, epoch.get_value())))
        self.mark_step("its escape")
        self.play_frames(round(REWIND_SECONDS * fps), epoch.animate.set_value(0.0), rate_func=mn.smooth)
        self.play_frames(round(ESCAPE_SECONDS * fps), epoch.animate.set_value(last), rate_func=mn.linear)
        self.banner_text = divergence_text(cell.run)
        banner = self.divergence_banner(BIG_FONT * 0.95, run=cell.run).move_to(caption)
        self.mark_step("why it diverged")
        self.play_frames(round(BANNER_SECONDS * fps), mn.FadeOut(caption), mn.FadeIn(banner))
        hold = round(BANNER_HOLD_SECONDS * fps)
        self.wait(hold / fps)
        self.frames_played += hold

    def play_frames(self, frames: int, *animations: mn.Animation, **kwargs: object) -> None:
        """Play for exactly `frames` frames at the configured rate, and count them."""
        frames = max(frames, 1)
        self.play(*animations, run_time=frames / float(mn.config.frame_rate), **kwargs)  # type: ignore[arg-type]
        self.frames_played += frames
