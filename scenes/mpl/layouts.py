"""The matplotlib scenes: which panels go where on the figure. Building a scene draws nothing yet."""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure, SubFigure
from matplotlib.gridspec import SubplotSpec
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.mathtext import MathTextParser
from matplotlib.text import Text
from matplotlib.ticker import FixedLocator, MaxNLocator, NullFormatter
from matplotlib.transforms import Bbox, blended_transform_factory, offset_copy

from gdcore.errors import GdvizInputError
from gdcore.experiment import Experiment
from scenes.captions import (
    cell_title,
    divergence_text,
    grid_title,
    race_title,
    rate_label,
    run_regime,
    run_title,
    scaling_label,
    scaling_text,
    scaling_title,
    stall_text,
    sweep_title,
)
from scenes.limits import Box, log_ticks
from scenes.mpl.contour import ContourPanel
from scenes.mpl.fit import LinePanel, fit_panel
from scenes.mpl.ghost import THEORY_LABEL
from scenes.mpl.hud import Readout
from scenes.mpl.loss import LossPanel
from scenes.mpl.modes import EigenContourPanel, ModesPanel
from scenes.mpl.race import EpochReadout, RaceContourPanel, RaceLossPanel
from scenes.mpl.stage import Panel, Settling, Stage
from scenes.mpl.surface import SurfacePanel
from scenes.mpl.sweep import SweepContourPanel, SweepLossPanel
from scenes.registry import max_runs, scene_spec
from scenes.theme import Palette, matplotlib_style, palette, regime_color

TITLE_GAP_POINTS = 12.0  # points between the title's end and the readout's start
BASE_FONT_POINTS = 13.0
GRID_FONT_SCALE = 0.85  # four cells of two panels each: smaller type, still legible at 720p
# Fonts, lines, markers and pads are in points; a frame's dpi sets how many pixels a point is. At the reference
# (a 720-px short side: 1280×720, the look users know) a point is 100/72 px, and it scales with the short side,
# but never so far that the smallest text (SMALLEST_TEXT × the base font) falls under MIN_TEXT_PIXELS, as long as
# the short side is at least LEGIBLE_SHORT_SIDE; thumbnails below that shrink on from there.
REFERENCE_SHORT_SIDE, REFERENCE_DPI = 720, 100.0
MIN_TEXT_PIXELS, LEGIBLE_SHORT_SIDE = 10.0, 360
SMALLEST_TEXT = 0.8  # legends 0.8, 'small' 0.83, tick labels 0.85 of the base font
# The header over the panels (title, readout, notes, banner), in multiples of the base font's size in pixels.
EDGE_PAD, LINE_GAP = 0.55, 0.35
PANEL_PAD_POINTS = 7.0  # constrained layout's pad around each panel
PORTRAIT, LANDSCAPE = 0.85, 1.0  # width / height below which panels stack, above which they sit side by side
DECORATION = (4.5, 4.0)  # a panel's tick and axis labels, left and below, in multiples of the font's pixels
CELL_HEADER = 3.0  # a cell's header (title, readout or banner), in multiples of the font's pixels
SIDE_BY_SIDE_BIAS = 1.15
HEADER_RATIO = 0.1  # a cell's header row before _reserve sizes it
# Below this width/height the scaling scene's two square bowls, side by side, are as wide as the frame lets them
# and leave its bottom third empty: their losses, one panel, take it (SCALING_ROWS: bowls, losses).
SCALING_LOSS_BELOW, SCALING_ROWS = 1.25, (2.0, 1.0)
HEADER_PASSES, HEADER_SLACK = 6, 0.5  # a header row is settled within HEADER_SLACK pixels of what its texts need
SMALL_PANEL = 150.0  # points: a cell's panel narrower or lower than this shows ticks only (no axis labels, notes)
MOST_HELD = 0.2  # a panel narrows by at most this fraction of its size to hold its labels at every view


@dataclass(frozen=True)
class Look:
    """How a scene looks: frame size in pixels, theme, whether the surface camera turns, and whether constant-rate
    gd's theory path is drawn faint beside the run."""

    width: int = 1280
    height: int = 720
    theme: str = "light"
    rotate: bool = False
    theory: bool = True

    @property
    def colors(self) -> Palette:
        return palette(self.theme)

    @property
    def aspect(self) -> float:
        return self.width / self.height


DEFAULT_LOOK = Look()


@dataclass(frozen=True)
class Layout:
    """How a matplotlib scene is laid out: `place` adds its panels to the figure (one run's under a title, or a
    grid of cells); fonts are scaled by `font_scale`. A scene's registry entry names its Layout."""

    place: Callable[[Figure, Sequence[Experiment], Look, bool], list[Panel]]
    font_scale: float = 1.0


def dpi_for(look: Look, font_points: float = BASE_FONT_POINTS) -> float:
    """Pixels per inch of the frame: REFERENCE_DPI × short side / 720, floored so that text of
    SMALLEST_TEXT × font_points is MIN_TEXT_PIXELS tall (px = points × dpi / 72) at legible sizes."""
    short = min(look.width, look.height)
    floor = 72.0 * MIN_TEXT_PIXELS / (SMALLEST_TEXT * font_points) * min(1.0, short / LEGIBLE_SHORT_SIDE)
    return max(REFERENCE_DPI * short / REFERENCE_SHORT_SIDE, floor)


def under_text_floor(look: Look) -> bool:
    """True for thumbnails: frames whose short side is under LEGIBLE_SHORT_SIDE, where text falls under
    MIN_TEXT_PIXELS."""
    return min(look.width, look.height) < LEGIBLE_SHORT_SIDE


def build_stage(scene: str, experiments: Sequence[Experiment], look: Look = DEFAULT_LOOK,
                animated: bool = True) -> Stage:
    """The figure and panels of `scene` (as registered in scenes.registry) for its runs."""
    spec = scene_spec(scene)
    most = max_runs(spec)
    if not 1 <= len(experiments) <= most:
        raise GdvizInputError(f"scene {scene!r} shows {'one run' if most == 1 else f'1 to {most} runs'}, "
                              f"got {len(experiments)}")
    layout: Layout = spec.drawer("matplotlib")
    font_points = BASE_FONT_POINTS * layout.font_scale
    with matplotlib.rc_context(matplotlib_style(look.colors, font_points)):
        figure = _figure(look, font_points)
        panels = layout.place(figure, experiments, look, animated)
        _fit_notes(figure)
        _freeze(figure, panels, max(experiment.trajectory.epochs_run for experiment in experiments))
    return Stage(figure, panels)


def _freeze(figure: Figure, panels: Sequence[Panel], last_epoch: int) -> None:
    """Lay the panels out once, in the view of the run's last epoch (the widest: a diverging run's zoomed-out
    ticks), and keep them there. Constrained layout measures tick labels where the panels stand, so laying out
    again at each view would make a frame depend on the frames before it (a blitted frame would differ from the
    same frame drawn alone), and the panels would jump as a run zooms out. The panels then narrow where another
    view's labels are wider (_hold_every_view); last, the panels that place things by where they stand (a contour
    panel's labels and note) place them."""
    views = _show_last_views(panels, last_epoch)
    for _ in range(3):  # each pass measures the ticks where the one before put the panels
        before = _positions(figure)
        _lay_out(figure)
        if np.array_equal(_positions(figure), before):
            break  # a pass that leaves every panel where it was is a fixed point: the next would too
    figure.set_layout_engine("none")
    _hold_every_view(figure, panels, views)
    for panel in panels:
        if isinstance(panel, Settling):
            panel.settle()


def _positions(figure: Figure) -> np.ndarray:
    """Where the layout put each axes (figure fractions: left, bottom, width, height)."""
    return np.array([axes.get_position(original=True).bounds for axes in figure.axes])


def _limits(axes: Axes) -> tuple[float, ...]:
    """The axes' view limits (x, y and, in 3D, z): what its tick labels depend on."""
    return (*axes.get_xlim(), *axes.get_ylim(), *(axes.get_zlim() if hasattr(axes, "get_zlim") else ()))


def _show_last_views(panels: Sequence[Panel], last_epoch: int) -> np.ndarray:
    """Sets every panel to its view at `last_epoch`; returns the view keys of epochs 0..last_epoch, one column a
    panel."""
    views = np.column_stack([panel.view_keys(np.arange(last_epoch + 1)) for panel in panels])
    _set_views(panels, views[-1])
    return views


def _set_views(panels: Sequence[Panel], keys: np.ndarray) -> None:
    for panel, key in zip(panels, keys, strict=True):
        panel.set_view(int(key))


def _hold_every_view(figure: Figure, panels: Sequence[Panel], views: np.ndarray) -> None:
    """Narrows each panel by as much as its tick and axis labels at any other view (views: (n_epochs + 1, panels)
    keys, the last the one laid out) reach past where they reach at the last view ('−7500' where the last view
    reads '−7.5' under a ×10⁶): no label of any frame leaves the room the layout gave it. Measured without laying
    out again (a layout per view costs seconds in a grid of cells)."""
    others = [row for row in np.unique(views, axis=0) if not np.array_equal(row, views[-1])]
    if not others:
        return
    renderer = _renderer(figure)
    shown = [axes for axes in figure.axes if axes.axison]
    laid = {axes: axes.get_tightbbox(renderer, for_layout_only=True) for axes in shown}
    measured = {(axes, _limits(axes)) for axes in shown}  # labels follow the limits: each measured once
    reach = {axes: np.zeros(4) for axes in shown}  # past the laid-out labels: left, bottom, right, top (pixels)
    current = views[-1]
    for row in others:
        changed = row != current  # a panel's view is its key's: only the panels whose key changed are set again
        _set_views([panel for panel, moved in zip(panels, changed, strict=True) if moved], row[changed])
        current = row
        for axes in shown:
            if (axes, _limits(axes)) in measured:
                continue
            measured.add((axes, _limits(axes)))
            box = axes.get_tightbbox(renderer, for_layout_only=True)
            past = np.array([laid[axes].x0 - box.x0, laid[axes].y0 - box.y0, box.x1 - laid[axes].x1,
                             box.y1 - laid[axes].y1])
            reach[axes] = np.maximum(reach[axes], past)
    changed = views[-1] != current
    _set_views([panel for panel, moved in zip(panels, changed, strict=True) if moved], views[-1][changed])
    for axes in shown:
        left, bottom, right, top = np.minimum(reach[axes], MOST_HELD * np.array([axes.bbox.width, axes.bbox.height,
                                                                                 axes.bbox.width, axes.bbox.height]))
        if left or bottom or right or top:
            box = axes.get_position(original=True).transformed(figure.transFigure)
            held = Bbox.from_extents(box.x0 + left, box.y0 + bottom, box.x1 - right, box.y1 - top)
            axes.set_position(held.transformed(figure.transFigure.inverted()))


class SteadyLayout(ConstrainedLayoutEngine):
    """Constrained layout that, where a frame leaves some panel no room (a thumbnail, a step of _reserve before
    the header row is sized), keeps the panels where they were without a warning: the frames still render."""

    def execute(self, fig: Figure) -> dict[str, Any]:  # type: ignore[override]
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="constrained_layout not applied", category=UserWarning)
            return super().execute(fig)  # type: ignore[no-any-return]


def _lay_out(figure: Figure) -> None:
    """Run the layout now, to measure what it places."""
    figure.get_layout_engine().execute(figure)  # type: ignore[union-attr]


def _fit_notes(figure: Figure) -> None:
    """Lay the figure out once, then break each panel's titles and notes (texts placed in its axes' coordinates)
    to the panel's width, and its y label to its height."""
    _lay_out(figure)
    for axes in figure.axes:
        if axes.axison:
            for title in (axes.title, axes._left_title, axes._right_title):
                fit_width(title, axes.bbox.width)
            fit_width(axes.yaxis.label, axes.bbox.height, (" ",), measure=_height)
            for text in axes.texts:
                if text.get_transform() == axes.transAxes:
                    fit_width(text, axes.bbox.width * 0.98)


MATHTEXT = MathTextParser("agg")  # every stage figure's (_figure)


def _figure(look: Look, font_points: float) -> Figure:
    """A figure of exactly look.width × look.height pixels (a hair over, so that rounding down keeps every pixel),
    laid out by constrained layout in the rectangle each scene leaves below its header."""
    dpi = dpi_for(look, font_points)
    figure = Figure(figsize=((look.width + 1e-3) / dpi, (look.height + 1e-3) / dpi), dpi=dpi)
    FigureCanvasAgg(figure)
    # Tick labels are mathtext (axes.formatter.use_mathtext, for the '×10⁷' offsets). Each renderer has a parser of
    # its own, and the parses are cached per parser: shared, a figure finds the labels it draws parsed already
    # (building the line scene's stage again: 0.128 s → 0.108 s CPU, medians of 10).
    _renderer(figure).mathtext_parser = MATHTEXT
    pad = PANEL_PAD_POINTS / 72
    figure.set_layout_engine(SteadyLayout(w_pad=pad, h_pad=pad, wspace=0.03, hspace=0.03))
    return figure


def _pixels(figure: Figure, points: float) -> float:
    return points * figure.dpi / 72


def _renderer(figure: Figure) -> Any:
    return figure.canvas.get_renderer()  # type: ignore[attr-defined]


def _extent(text: Text) -> Bbox:
    """The box a text draws in pixels, its rounded frame included, measured as if shown (a banner is hidden until
    its run stops, and a hidden text measures as nothing)."""
    renderer = _renderer(text.get_figure(root=True))  # type: ignore[arg-type]
    visible = text.get_visible()
    text.set_visible(True)
    boxes = [text.get_window_extent(renderer)]
    patch = text.get_bbox_patch()
    if patch is not None:
        text.update_bbox_position_size(renderer)
        boxes.append(patch.get_window_extent(renderer))
    text.set_visible(visible)
    return Bbox.union(boxes)


def _with_text(text: Text, words: str) -> Text:
    text.set_text(words)
    return text


def _height(text: Text) -> float:
    return float(_extent(text).height)


def _width(text: Text) -> float:
    return float(_extent(text).width)


def _crowded(labels: Sequence[Text], width: float, share: float = 0.8) -> bool:
    """Whether the widest of evenly spaced labels across `width` pixels takes more than `share` of its slot
    (width / count): the rest is the gap between labels, and the slack for the panel narrowing as its title and
    y label are broken to fit."""
    return max(_width(label) for label in labels) > share * width / len(labels)


def fit_width(text: Text, width: float, separators: Sequence[str] = (" · ", ": ", ", "),
              measure: Callable[[Text], float] = _width) -> None:
    """Break a text onto more lines, greedily at its separators (tried in order), until it is at most `width`
    pixels wide (as `measure` measures it: _height for a text turned upright) or no separator is left. A line
    broken at a comma or a colon ends with it; at a ' · ' it ends with the word before."""
    for separator in separators:
        if measure(text) <= width:
            return
        lines: list[str] = []
        for line in text.get_text().split("\n"):
            pieces = line.split(separator)
            current = pieces[0]
            for piece in pieces[1:]:
                text.set_text(current + separator + piece)
                if measure(text) <= width:
                    current += separator + piece
                else:
                    lines.append(current + ("" if separator == " · " else separator.rstrip()))  # ',' and ':' stay
                    current = piece
            lines.append(current)
        text.set_text("\n".join(lines))


# A single scene's panels below the header: (figure, run, look, animated) → panels, added with constrained layout.
PanelMaker = Callable[[Figure, Experiment, Look, bool], list[Panel]]


def single(make_panels: PanelMaker) -> Layout:
    """One run: the header (title, readout, the stall reason, and the banner of a run that diverged, each on a line
    of its own when they do not fit beside each other), then the panels in the rest of the frame, laid out by
    constrained layout around their own tick labels: nothing clipped, no text over text, at any aspect ratio."""

    def place(figure: Figure, experiments: Sequence[Experiment], look: Look, animated: bool) -> list[Panel]:
        experiment = experiments[0]
        overlay = _overlay(figure)
        readout = Readout(overlay, experiment, look.colors, experiment.epochs, animated)
        bottom = _header(figure, experiment, readout)
        figure.get_layout_engine().set(rect=(0.0, 0.0, 1.0, bottom / look.height))  # type: ignore[union-attr]
        panels = make_panels(figure, experiment, look, animated)
        return [*panels, readout]

    return Layout(place)


def _header(figure: Figure, experiment: Experiment, readout: Readout) -> float:
    """Places the title, the readout, the stall line and the banner from the top down (in pixels, measured with
    the renderer); returns the header's lowest pixel row, the top of the panels' rectangle."""
    width, height = figure.bbox.width, figure.bbox.height
    font = _pixels(figure, BASE_FONT_POINTS)
    edge, gap = EDGE_PAD * font, LINE_GAP * font
    top = _title_line(figure, (run_title(experiment, rule=True), run_title(experiment)), readout.text,
                      (readout.readout_text(readout.planned_epochs),))
    stall = stall_text(experiment)
    if stall:
        note = figure.text(edge / width, top / height, f"{stall}; this run had {experiment.trajectory.epochs_run:,}",
                           ha="left", va="top", fontsize="small", color=regime_color(run_regime(experiment)))
        fit_width(note, width - 2 * edge, ("; ", " ("))
        top -= _height(note) + gap
    if experiment.trajectory.diverged:
        banner = readout.banner
        if _width(banner) > width - 2 * edge:
            banner.set_text(divergence_text(experiment, "narrow"))
        banner_height = _height(banner)
        banner.set_position((0.5, (top - banner_height / 2) / height))
        readout.forecast = _forecast(figure, experiment, readout, (0.5, (top - banner_height / 2) / height))
        top -= banner_height + gap
    return top


def _forecast(figure: Figure, experiment: Experiment, readout: Readout, at: tuple[float, float]) -> Text:
    """A quiet line in the banner's room (figure coordinates `at`) until the run stops: what η·L predicts, in the
    muted colour, so the reserved band reads as a status line rather than a hole."""
    text = readout.banner.axes.text(*at, divergence_text(experiment, "forecast"), ha="center", va="center",
                                    fontsize="medium", color=matplotlib.rcParams["axes.labelcolor"], alpha=0.75,
                                    animated=readout.text.get_animated(), zorder=10)
    fit_width(text, figure.bbox.width * 0.9, (": ",))
    return text


def _title_line(figure: Figure, titles: Sequence[str], readout: Text | None = None,
                readings: Sequence[str] = ()) -> float:
    """The frame's title at the top left (the first of `titles` that fits beside the readout, else the last, broken
    to the frame's width) and the readout (a text on a figure-wide overlay, measured at the widest of its
    `readings`) at the top right, beside the title or on a line of its own below it; returns the pixel row under
    both, less a line gap.
    The readout is left empty: its panel fills it in each frame."""
    width, height = figure.bbox.width, figure.bbox.height
    font = _pixels(figure, BASE_FONT_POINTS)
    edge, gap = EDGE_PAD * font, LINE_GAP * font
    title = figure.text(edge / width, 1 - edge / height, titles[0], ha="left", va="top",
                        fontsize=matplotlib.rcParams["figure.titlesize"])  # as a suptitle's, the size users know
    if readout is None:
        fit_width(title, width - 2 * edge)
        return height - edge - _height(title) - gap
    readout.set_text(max(readings, key=lambda reading: _width(_with_text(readout, reading))))
    readout_width, readout_height = _width(readout), _height(readout)
    box_pad = (readout_height - readout.get_window_extent(_renderer(figure)).height) / 2
    readout.set_text("")
    room = width - 2 * edge - readout_width - _pixels(figure, TITLE_GAP_POINTS)
    for text in titles:
        title.set_text(text)
        if _width(title) <= room:
            break
    top = height - edge  # pixel row of the next line's top
    if _width(title) > room:  # the readout gets a line of its own, below the title
        fit_width(title, width - 2 * edge)
        top -= _height(title) + gap
    readout.set_position(figure.transFigure.inverted().transform((width - edge, top - box_pad)))
    readout.set_ha("right")
    readout.set_va("top")
    return min(top - readout_height, height - edge - _height(title)) - gap


def _dashboard_panels(figure: Figure, experiment: Experiment, look: Look, animated: bool) -> list[Panel]:
    """The fit, the contours and the loss: the fit in a column of its own beside the other two (landscape), in a
    row of its own above them (square), or all three stacked (portrait)."""
    if look.aspect >= LANDSCAPE:
        grid = figure.add_gridspec(2, 2, width_ratios=[1.15, 1.0])
        fit_spec, contour_spec, loss_spec = grid[:, 0], grid[0, 1], grid[1, 1]
    elif look.aspect > PORTRAIT:
        grid = figure.add_gridspec(2, 2, height_ratios=[1.1, 1.0])
        fit_spec, contour_spec, loss_spec = grid[0, :], grid[1, 0], grid[1, 1]
    else:
        grid = figure.add_gridspec(3, 1, height_ratios=[1.2, 1.0, 1.0])
        fit_spec, contour_spec, loss_spec = grid[0, 0], grid[1, 0], grid[2, 0]
    fit = fit_panel(_axes_maker(figure, fit_spec), experiment, look.colors, animated)
    contour = ContourPanel(figure.add_subplot(contour_spec), experiment, look.colors, animated, theory=look.theory)
    loss = LossPanel(figure.add_subplot(loss_spec), experiment, look.colors, experiment.epochs, animated,
                     theory=look.theory)
    return [fit, contour, loss]


def _line_panels(figure: Figure, experiment: Experiment, look: Look, animated: bool) -> list[Panel]:
    return [fit_panel(_axes_maker(figure, figure.add_gridspec(1, 1)[0, 0]), experiment, look.colors, animated)]


def _contour_panels(figure: Figure, experiment: Experiment, look: Look, animated: bool) -> list[Panel]:
    return [ContourPanel(figure.add_subplot(), experiment, look.colors, animated, theory=look.theory)]


def _surface_panels(figure: Figure, experiment: Experiment, look: Look, animated: bool) -> list[Panel]:
    return [SurfacePanel(figure.add_subplot(projection="3d"), experiment, look.colors, animated, rotate=look.rotate,
                         theory=look.theory)]


def _loss_panels(figure: Figure, experiment: Experiment, look: Look, animated: bool) -> list[Panel]:
    return [LossPanel(figure.add_subplot(), experiment, look.colors, experiment.epochs, animated, theory=look.theory)]


def _modes_panels(figure: Figure, experiment: Experiment, look: Look, animated: bool) -> list[Panel]:
    """The error's components along the eigen-directions (bars) beside the contours turned to those directions;
    stacked in a square or portrait frame (each bar's two-line label needs the width)."""
    bars_spec, turned_spec = _two_panels(figure, look.aspect > LANDSCAPE)
    bars = ModesPanel(figure.add_subplot(bars_spec), experiment, look.colors, animated)
    turned = EigenContourPanel(figure.add_subplot(turned_spec), experiment, look.colors, animated)
    _lay_out(figure)
    if _crowded(bars.axes.xaxis.get_ticklabels(), bars.axes.bbox.width):
        bars.shorten_labels()
    return [bars, turned]


dashboard = single(_dashboard_panels)
line = single(_line_panels)
contour = single(_contour_panels)
surface = single(_surface_panels)
loss = single(_loss_panels)
modes = single(_modes_panels)



@dataclass(frozen=True)
class GridPlan:
    """Cells in rows and columns; in each, the fit beside the loss or above it."""

    rows: int
    columns: int
    side_by_side: bool


def grid_plan(count: int, look: Look, font_pixels: float) -> GridPlan:
    """The arrangement of `count` cells whose smallest plotting area is largest, once each panel's tick labels and
    axis labels (about DECORATION × the font) and each cell's header are taken off; fit beside loss is preferred
    by SIDE_BY_SIDE_BIAS (the 2×2 look of a 16:9 frame). An empty cell is frame lost: a plan's side is scaled by
    √(count / cells), as if its panels shared only the filled part of the frame (three runs in a 2×2 grid give
    way to a row or a column of three unless that is much smaller)."""
    left, bottom = (DECORATION[0] * font_pixels, DECORATION[1] * font_pixels)
    header = CELL_HEADER * font_pixels

    def plot_side(plan: GridPlan) -> float:
        cell_width = look.width / plan.columns
        cell_height = (look.height - header) / plan.rows - header
        width, height = (cell_width / 2, cell_height) if plan.side_by_side else (cell_width, cell_height / 2)
        filled = math.sqrt(count / (plan.rows * plan.columns))
        return min(width - left, height - bottom) * (SIDE_BY_SIDE_BIAS if plan.side_by_side else 1.0) * filled

    shapes = {(1, count), (count, 1), (math.ceil(count / 2), min(count, 2))}
    plans = [GridPlan(rows, columns, side) for rows, columns in sorted(shapes) for side in (True, False)]
    return max(plans, key=plot_side)


def _below(figure: Figure, top: float) -> None:
    """The panels' rectangle: the frame under pixel row `top` (the header above it), laid out by constrained
    layout around the panels' own tick and axis labels."""
    figure.get_layout_engine().set(rect=(0.0, 0.0, 1.0, top / figure.bbox.height))  # type: ignore[union-attr]


def _two_panels(figure: Figure, side_by_side: bool, width_ratios: Sequence[float] = (1.0, 1.0)) -> list[SubplotSpec]:
    """Two panels side by side, or stacked."""
    grid = figure.add_gridspec(1, 2, width_ratios=width_ratios) if side_by_side else figure.add_gridspec(2, 1)
    return [grid[0], grid[1]]


def _race(figure: Figure, experiments: Sequence[Experiment], look: Look, animated: bool) -> list[Panel]:
    """Every optimizer's path on one contour and its loss on one panel, on one clock, under the title, the clock
    and the legend that names each optimizer and its rate (as many entries a row as the frame's width holds)."""
    readout = EpochReadout(_overlay(figure), max(run.epochs for run in experiments), look.colors, animated)
    top = _title_line(figure, (race_title(experiments),), readout.text, (readout.reading(readout.planned_epochs),))
    contour_spec, loss_spec = _two_panels(figure, look.aspect >= PORTRAIT, (1.1, 1.0))
    contour = RaceContourPanel(figure.add_subplot(contour_spec), experiments, look.colors, animated)
    loss = RaceLossPanel(figure.add_subplot(loss_spec), experiments, look.colors, animated)
    _below(figure, _legend_row(figure, contour.trails, top))
    return [contour, loss, readout]


def _legend_row(figure: Figure, handles: Sequence[Artist], top: float) -> float:
    """A figure legend centred under pixel row `top`, with as many entries a row as fit the frame's width; returns
    the pixel row under it, less a line gap."""
    width, height = figure.bbox.width, figure.bbox.height
    font = _pixels(figure, BASE_FONT_POINTS)
    room = width - 2 * EDGE_PAD * font
    for columns in range(len(handles), 0, -1):
        legend = figure.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, top / height),
                               frameon=False, ncol=columns, fontsize="small", borderaxespad=0.0)
        box = legend.get_window_extent(_renderer(figure))
        if box.width <= room or columns == 1:
            return top - box.height - LINE_GAP * font
        legend.remove()
    return top


race = Layout(_race)


def _scaling(figure: Figure, experiments: Sequence[Experiment], look: Look, animated: bool) -> list[Panel]:
    """The raw data's contours (stripes, κ large) beside the standardized data's (near circles), each with its
    path at its best constant rate; over each, a header row with its κ, 2/L and the epochs it needs, and its
    readout (beside them where the row is wide enough, else under them); in a squarish frame, both runs' losses in
    the room under them."""
    _below(figure, _title_line(figure, (scaling_title(experiments[0]),)))
    side_by_side, with_loss = look.aspect >= PORTRAIT, PORTRAIT <= look.aspect < SCALING_LOSS_BELOW
    stack = figure.add_gridspec(2, 1, height_ratios=SCALING_ROWS) if with_loss else None
    grid = (stack[0].subgridspec(1, len(experiments)) if stack is not None else
            figure.add_gridspec(1, len(experiments)) if side_by_side else figure.add_gridspec(len(experiments), 1))
    panels: list[Panel] = []
    headers: list[tuple[Axes, Callable[[set[Axes]], float]]] = []
    for cell, experiment in zip(grid, experiments, strict=True):
        rows = cell.subgridspec(2, 1, height_ratios=[HEADER_RATIO, 1.0], hspace=0.0)
        header, axes = figure.add_subplot(rows[0]), figure.add_subplot(rows[1])
        header.set_axis_off()
        note = header.text(0.0, 1.0, scaling_text(experiment), transform=header.transAxes, ha="left", va="top",
                           fontsize="small", color=look.colors.foreground, linespacing=1.4)
        readout = Readout(header, experiment, look.colors, experiment.epochs, animated, compact=True)
        contour = ContourPanel(axes, experiment, look.colors, animated, theory=look.theory)
        # Equal units on both axes: the raw bowl's stripes and the standardized one's circles are their true shapes.
        half = float(np.max(contour.base.half_width))
        contour.base = Box(contour.base.centre - half, contour.base.centre + half)
        axes.set_aspect("equal", adjustable="box")
        axes.set_anchor("N")  # under its header, however equal units narrow it
        for text in (note, readout.text, readout.banner):
            text.set_in_layout(False)  # the header row is sized to them (_fit_row), not padded around them
        panels += [contour, readout]
        headers.append((header, functools.partial(_scaling_header, header, note, readout, scaling_text(experiment))))
    if stack is not None:
        panels.append(RaceLossPanel(figure.add_subplot(stack[1]), experiments, look.colors, animated,
                                    labels=[scaling_label(experiment) for experiment in experiments]))
    # The headers are measured as the frame will be drawn: the last views' ticks, the notes broken (build_stage
    # does both again, to the same effect, once this returns).
    _show_last_views(panels, max(experiment.trajectory.epochs_run for experiment in experiments))
    _fit_notes(figure)
    _settle_headers(figure, headers)
    return panels


def _settle_headers(figure: Figure, headers: Sequence[tuple[Axes, Callable[[set[Axes]], float]]]) -> None:
    """Lays the figure out and places each header's texts at its width, giving every header row the height the
    tallest needs (the panels under them stay level), until each row has it: a row's height moves the panels' tick
    labels, and with them the headers' widths. The texts end placed at the layout the frame is drawn with. A
    readout once put under its note stays there, so that the passes cannot swing between the two."""
    under: set[Axes] = set()
    for _ in range(HEADER_PASSES):
        _lay_out(figure)
        needed = max([place(under) for _header, place in headers])
        short = [header for header, _place in headers if abs(needed - header.bbox.height) > HEADER_SLACK]
        if not short:
            return
        for header in short:
            _fit_row(header, needed)
    _lay_out(figure)
    for _header, place in headers:
        place(under)


def _scaling_header(header: Axes, note: Text, readout: Readout, words: str, under: set[Axes]) -> float:
    """Breaks the note to the header's width and puts the readout (its banner in its place) beside the note's
    first line, or under the note (for good: it joins `under`); returns the pixels the header needs."""
    figure = header.get_figure(root=True)
    gap = LINE_GAP * _pixels(figure, BASE_FONT_POINTS)  # type: ignore[arg-type]
    width = header.bbox.width
    note.set_text(words)
    readout.text.set_text(readout.readout_text(readout.planned_epochs))
    fit_width(note, width - _width(readout.text) - 2 * gap)
    beside = header not in under and _width(note) + _width(readout.text) + 2 * gap <= width
    if not beside:
        under.add(header)
        note.set_text(words)
        fit_width(note, width)
    drop = 0.0 if beside else _height(note) + gap
    texts = [readout.text, *([readout.banner] if readout.diverged else [])]
    for text in texts:
        text.set_transform(offset_copy(header.transAxes, figure, y=-drop, units="dots"))
        text.set_position((1.0, 1.0) if beside and text is readout.text else (0.0, 1.0))
        text.set_ha("right" if beside and text is readout.text else "left")
        text.set_va("top")
        fit_width(text, width)
    needed = max(_height(note), drop + max(_height(text) for text in texts))
    readout.text.set_text("")
    return needed


def _fit_row(header: Axes, needed: float) -> None:
    """Scales the height ratio of the grid row `header` stands in so that the row is `needed` pixels high (exact
    once the layout settles: the other rows' decorations move a little)."""
    spec = header.get_subplotspec().get_gridspec()  # type: ignore[union-attr]
    row = header.get_subplotspec().rowspan.start  # type: ignore[union-attr]
    ratios = list(spec.get_height_ratios() or [1.0] * spec.nrows)
    ratios[row] = ratios[row] * needed / max(header.bbox.height, 1e-3)
    spec.set_height_ratios(ratios)


scaling = Layout(_scaling, font_scale=0.95)


def _sweep(figure: Figure, experiments: Sequence[Experiment], look: Look, animated: bool) -> list[Panel]:
    """The rate moving across its range: its whole path on the contours, the final loss of every rate so far
    against the rate; the rate shown (its regime, η·L, and where it diverged) in the header."""
    label = _overlay(figure).text(0.0, 0.0, "", fontsize="small", color=look.colors.foreground, animated=animated)
    top = _title_line(figure, (sweep_title(experiments),), label, [rate_label(run) for run in experiments])
    contour_spec, loss_spec = _two_panels(figure, look.aspect >= PORTRAIT, (1.0, 1.25))
    contour = SweepContourPanel(figure.add_subplot(contour_spec), experiments, look.colors, animated)
    losses = SweepLossPanel(figure.add_subplot(loss_spec), experiments, look.colors, label, animated)
    _below(figure, top)
    return [contour, losses]


sweep = Layout(_sweep)


def _grid(scene: str, figure: Figure, experiments: Sequence[Experiment], look: Look,
          animated: bool) -> list[Panel]:
    """One cell per run, fit beside loss (or above it in a tall cell), each under a header with its regime, rate,
    η·L and readout; all on one clock.

    With one feature the fit is the line; with more, the path across the contours (a 3D plane in a quarter of
    the frame is too small to read, and the contours show the jumping and the escape best). A cell's header is
    its title and readout on one line, or on two when they do not fit side by side or some run diverged (the
    banner then replaces the readout on the second line once the run stopped).
    """
    plan = grid_plan(len(experiments), look, _pixels(figure, BASE_FONT_POINTS * GRID_FONT_SCALE))
    epochs = max(experiment.epochs for experiment in experiments)
    banners = any(experiment.trajectory.diverged for experiment in experiments)
    heading = figure.suptitle(grid_title(experiments, regimes=scene == "regimes"), fontsize="x-large")
    fit_width(heading, look.width * 0.96)
    cells = figure.subfigures(plan.rows, plan.columns, squeeze=False, wspace=0.0, hspace=0.0)
    panels: list[Panel] = []
    headers: list[tuple[Axes, Readout]] = []
    for cell, experiment in zip(cells.ravel(), experiments, strict=False):
        fit, loss, readout, header = _cell(cell, experiment, look, epochs, animated, banners, plan.side_by_side)
        panels += [fit, loss, readout]
        headers += [(header, readout)] if header is not None else []
    _reserve(figure, headers)
    _theory_key(figure, heading, [panel.theory for panel in panels if isinstance(panel, (ContourPanel, LossPanel))])
    return panels


def _theory_key(figure: Figure, heading: Text, dashes: Sequence[Line2D | None]) -> None:
    """The key to the faint dashes the cells draw (gd's theory path, and its loss), on the title's line at the right:
    beside the centred title, or beside it moved to the left edge when they do not fit side by side; none where even
    that has no room (no key rather than text over text)."""
    drawn = [line for line in dashes if line is not None]
    if not drawn:
        return
    font = _pixels(figure, BASE_FONT_POINTS * GRID_FONT_SCALE)
    edge, gap = EDGE_PAD * font, 2 * LINE_GAP * font
    title = _extent(heading)
    key = figure.legend(handles=drawn[:1], labels=[THEORY_LABEL], loc="center right", frameon=False,
                        fontsize="small", handlelength=2.5, borderpad=0.0, borderaxespad=0.0,
                        bbox_to_anchor=(1.0 - edge / figure.bbox.width, (title.y0 + title.y1) / 2 / figure.bbox.height))
    key.set_in_layout(False)
    width = float(key.get_window_extent(_renderer(figure)).width)
    if title.x1 + gap + width <= figure.bbox.width - edge:
        return
    if edge + title.width + gap + width <= figure.bbox.width - edge:
        heading.set_x(edge / figure.bbox.width)
        heading.set_ha("left")
        return
    key.remove()


def _reserve(figure: Figure, headers: Sequence[tuple[Axes, Readout]]) -> None:
    """Size each cell's header row (row 0 of its grid, the axes its readout is on) to the readout at its widest
    and the banner, each broken to the row's width: lay out, measure, scale the row's height ratio, three times
    (the other rows' decorations move a little)."""
    for _ in range(3):
        _lay_out(figure)
        for header, readout in headers:
            readout.text.set_text(readout.readout_text(readout.planned_epochs))
            texts = [readout.text, *([readout.banner] if readout.diverged else [])]
            edge = EDGE_PAD * _pixels(figure, BASE_FONT_POINTS * GRID_FONT_SCALE)
            for text in texts:
                fit_width(text, readout.text.axes.bbox.width - 2 * edge)  # the cell's overlay: its width
            needed = max(_height(text) for text in texts)
            readout.text.set_text("")
            _fit_row(header, needed)


def _cell(cell: SubFigure, experiment: Experiment, look: Look, epochs: int, animated: bool, banners: bool,
          wide: bool) -> tuple[Panel, Panel, Readout, Axes | None]:
    """One grid cell: the header (title, then readout or banner), then the fit and the loss. Returns the panels
    and, when the readout has a line of its own under the title, the header row's axes that holds it."""
    figure = cell.get_figure(root=True)
    cell.set_facecolor("none")
    box = cell.bbox
    font = _pixels(figure, BASE_FONT_POINTS * GRID_FONT_SCALE)  # type: ignore[arg-type]
    edge, gap = EDGE_PAD * font, LINE_GAP * font
    color = regime_color(run_regime(experiment))
    readout = Readout(_overlay(cell), experiment, look.colors, epochs, animated, compact=True)
    # The title is the cell's suptitle: constrained layout keeps its lines above the panels, at the pad from the top.
    title = cell.suptitle(cell_title(experiment), x=edge / box.width, ha="left", color=color, fontweight="bold",
                          fontsize="large")
    fit_width(title, box.width - 2 * edge)
    readout.text.set_text(readout.readout_text(readout.planned_epochs))
    if _width(readout.text) > box.width - 2 * edge:
        readout.stacked = True
        readout.text.set_text(readout.readout_text(readout.planned_epochs))
    two_lines = int(bool(banners or _width(title) + _width(readout.text) + 2 * gap > box.width - 2 * edge))
    readout.text.set_text("")
    # With two lines, row 0 is the second line's: an empty axes that _reserve sizes once the cell is laid out.
    rows = [["header", "header"]] * two_lines + ([["fit", "loss"]] if wide else [["fit", "fit"], ["loss", "loss"]])
    layout = cell.subplot_mosaic(rows, height_ratios=[HEADER_RATIO] * two_lines + [1.0] * (len(rows) - two_lines))
    header = layout.get("header")
    axes = [layout["fit"], layout["loss"]]
    small = min(box.width / (2 if wide else 1), box.height / (1 if wide else 2)) < SMALL_PANEL * figure.dpi / 72
    if experiment.dataset.n_features == 1:
        fit: Panel = LinePanel(axes[0], experiment, look.colors, animated, color, legend=False,
                               residuals=False)  # a quarter of the frame: the line alone reads best
    else:
        fit = ContourPanel(axes[0], experiment, look.colors, animated, theory=look.theory)
    loss = LossPanel(axes[1], experiment, look.colors, epochs, animated, color, legend=False, theory=look.theory)
    for panel_axes in axes if small else []:
        _spare(panel_axes)
    pad = _pixels(figure, PANEL_PAD_POINTS)  # type: ignore[arg-type]
    for text, x, ha in ((readout.text, 1.0, "right"), (readout.banner, 0.0, "left")):
        text.set_position((x, 1.0))
        if header is not None:  # in the header row, under the title, from the cell's edges (x) and the row's top (y)
            header.set_axis_off()
            side = offset_copy(cell.transSubfigure, figure, x=-edge if x else edge, units="dots")
            text.set_transform(blended_transform_factory(side, header.transAxes))
        else:  # beside the title, on its line (the suptitle sits one pad under the cell's top)
            text.set_transform(offset_copy(cell.transSubfigure, figure, x=-edge if x else edge, y=-pad, units="dots"))
        text.set_ha(ha)
        text.set_va("top")
    return fit, loss, readout, header


regimes = Layout(functools.partial(_grid, "regimes"), font_scale=GRID_FONT_SCALE)
compare = Layout(functools.partial(_grid, "compare"), font_scale=GRID_FONT_SCALE)


def _spare(axes: Axes) -> None:
    """A small panel keeps its ticks (two or three a side) and drops axis labels and notes."""
    axes.set_xlabel("")
    axes.set_ylabel("")
    for text in axes.texts:
        text.set_visible(False)
    if axes.get_xscale() == "linear":
        axes.xaxis.set_major_locator(MaxNLocator(2))
    if axes.get_yscale() == "linear":
        axes.yaxis.set_major_locator(MaxNLocator(2))
    else:  # a diverged run's loss spans ~10¹⁵: matplotlib's own two log ticks may leave a single one in view
        axes.yaxis.set_major_locator(FixedLocator(log_ticks(*axes.get_ylim())))
        axes.yaxis.set_minor_formatter(NullFormatter())


def _axes_maker(figure: Figure, spec: SubplotSpec) -> Callable[[str | None], Axes]:
    """A factory the fit panel calls with the projection it needs (None or '3d')."""
    return lambda projection: figure.add_subplot(spec, projection=projection)


def _overlay(figure: Figure | SubFigure) -> Axes:
    """An invisible axes over the whole figure (or cell), for text placed in its coordinates; constrained layout
    leaves it alone (it belongs to no grid)."""
    axes = figure.add_axes((0.0, 0.0, 1.0, 1.0), facecolor="none")
    axes.set_axis_off()
    axes.set_zorder(10)
    return axes
