"""The matplotlib scenes: which panels go where on the figure. Building a scene draws nothing yet."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.gridspec import SubplotSpec
from matplotlib.transforms import offset_copy

from gdcore.errors import GdvizInputError
from gdcore.experiment import Experiment
from scenes.captions import (
    cell_title,
    grid_title,
    race_title,
    run_regime,
    run_title,
    scaling_text,
    scaling_title,
    stall_text,
    sweep_title,
)
from scenes.limits import Box
from scenes.mpl.contour import ContourPanel
from scenes.mpl.fit import LinePanel, fit_panel
from scenes.mpl.hud import Readout
from scenes.mpl.loss import LossPanel
from scenes.mpl.modes import EigenContourPanel, ModesPanel
from scenes.mpl.race import EpochReadout, RaceContourPanel, RaceLossPanel
from scenes.mpl.stage import Panel, Stage
from scenes.mpl.surface import SurfacePanel
from scenes.mpl.sweep import SweepContourPanel, SweepLossPanel
from scenes.registry import max_runs, scene_spec
from scenes.theme import Palette, matplotlib_style, palette, regime_color

TITLE_GAP_POINTS = 12.0  # points between the title's end and the readout's start
FIGURE_HEIGHT_INCHES = 7.2  # fonts are sized for this height, then the dpi scales the whole frame
BASE_FONT_POINTS = 13.0
GRID_FONT_SCALE = 0.85  # four cells of two panels each: smaller type, still legible at 720p
# Single scenes, in figure coordinates: the panels' top, lowered by BANNER_BAND for a diverged run so that its
# banner (two lines, centred at BANNER_Y) has a band of its own between the title and the panels.
PANEL_TOP, PLANAR_TOP = 0.89, 0.93  # 2D panels; a 3D box alone (it keeps its aspect, and has margins of its own)
BANNER_BAND, BANNER_Y = 0.13, 0.85
# Grid cells, in points above each cell: room for an axis' offset text ('×10⁷'), then the header line (title,
# readout); when some run diverged, the banner's line comes between the two.
HEADER_GAP_POINTS, BANNER_LINE_POINTS = 18.0, 19.0
GRID_BANNER_BAND = 0.05  # the grid's top moves down by this much to make room for the banner line
RACE_LEGEND_COLUMNS, RACE_LEGEND_ROW = 3, 0.05  # the race's legend: entries per row, figure height of a row


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


DEFAULT_LOOK = Look()


@dataclass(frozen=True)
class Layout:
    """How a matplotlib scene is laid out: `place` adds its panels to the figure (one run's under a title, or a
    grid of cells); fonts are scaled by `font_scale`. A scene's registry entry names its Layout."""

    place: Callable[[Figure, Sequence[Experiment], Look, bool], list[Panel]]
    font_scale: float = 1.0


def build_stage(scene: str, experiments: Sequence[Experiment], look: Look = DEFAULT_LOOK,
                animated: bool = True) -> Stage:
    """The figure and panels of `scene` (as registered in scenes.registry) for its runs."""
    spec = scene_spec(scene)
    most = max_runs(spec)
    if not 1 <= len(experiments) <= most:
        raise GdvizInputError(f"scene {scene!r} shows {'one run' if most == 1 else f'1 to {most} runs'}, "
                              f"got {len(experiments)}")
    layout: Layout = spec.drawer("matplotlib")
    with matplotlib.rc_context(matplotlib_style(look.colors, BASE_FONT_POINTS * layout.font_scale)):
        figure = _figure(look)
        panels = layout.place(figure, experiments, look, animated)
    return Stage(figure, panels)


def _figure(look: Look) -> Figure:
    dpi = look.height / FIGURE_HEIGHT_INCHES
    return Figure(figsize=(look.width / dpi, FIGURE_HEIGHT_INCHES), dpi=dpi)


# A single scene's panels below the title: (figure, run, look, animated, top of the panels in figure coordinates).
PanelMaker = Callable[[Figure, Experiment, Look, bool, float], list[Panel]]


def single(make_panels: PanelMaker, planar: Callable[[Experiment], bool] = lambda _: False) -> Layout:
    """One run: the title, the readout, and the panels. A run that diverged gets a band under the title, kept free
    for its banner: the panels move down by BANNER_BAND so that the banner hides no axis, tick or data. A planar
    scene (a 3D box alone, which keeps its aspect and has margins of its own) gets the whole frame below the title.
    """

    def place(figure: Figure, experiments: Sequence[Experiment], look: Look, animated: bool) -> list[Panel]:
        experiment = experiments[0]
        readout = Readout(_overlay(figure), experiment, look.colors, experiment.epochs, animated,
                          corner=(0.985, 0.955), banner_at=(0.5, BANNER_Y))
        _fit_title(figure, experiment, readout)
        flat = not planar(experiment)
        top = (PANEL_TOP if flat else PLANAR_TOP) - (BANNER_BAND if experiment.trajectory.diverged else 0.0)
        if flat:
            figure.subplots_adjust(left=0.09, right=0.97, top=top, bottom=0.11)
        else:
            figure.subplots_adjust(left=0.0, right=1.0, top=top, bottom=0.02)
        return [*make_panels(figure, experiment, look, animated, top), readout]

    return Layout(place)


def _fit_title(figure: Figure, experiment: Experiment, readout: Readout) -> None:
    """The run's title at the top left, clear of the readout at the top right: with the update rule when it fits,
    without it otherwise; a run that stalls on ill-conditioning gets the reason on a line of its own below."""
    if not isinstance(figure.canvas, FigureCanvasAgg):
        FigureCanvasAgg(figure)
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    widest = readout.readout_text(readout.planned_epochs)  # the readout's longest text, at its last epoch
    readout.text.set_text(widest)
    readout_left = readout.text.get_window_extent(renderer).x0
    readout.text.set_text("")
    title = figure.suptitle(run_title(experiment, rule=True), x=0.015, y=0.975, ha="left")
    for text in (run_title(experiment, rule=True), run_title(experiment)):
        title.set_text(text)
        if title.get_window_extent(renderer).x1 < readout_left - TITLE_GAP_POINTS * figure.dpi / 72:
            break
    stall = stall_text(experiment)
    if stall:
        figure.text(0.015, 0.925, f"{stall}; this run had {experiment.trajectory.epochs_run:,}",
                    ha="left", va="center", fontsize="small", color=regime_color(run_regime(experiment)))


def _dashboard_panels(figure: Figure, experiment: Experiment, look: Look, animated: bool, top: float) -> list[Panel]:
    grid = figure.add_gridspec(2, 2, width_ratios=[1.15, 1.0], left=0.065, right=0.975, top=top - 0.005,
                               bottom=0.085, wspace=0.22, hspace=0.42)
    fit = fit_panel(_axes_maker(figure, grid[:, 0]), experiment, look.colors, animated)
    contour = ContourPanel(figure.add_subplot(grid[0, 1]), experiment, look.colors, animated, theory=look.theory)
    loss = LossPanel(figure.add_subplot(grid[1, 1]), experiment, look.colors, experiment.epochs, animated,
                     theory=look.theory)
    return [fit, contour, loss]


def _line_panels(figure: Figure, experiment: Experiment, look: Look, animated: bool, top: float) -> list[Panel]:
    return [fit_panel(_axes_maker(figure, figure.add_gridspec(1, 1)[0, 0]), experiment, look.colors, animated)]


def _contour_panels(figure: Figure, experiment: Experiment, look: Look, animated: bool, top: float) -> list[Panel]:
    return [ContourPanel(figure.add_subplot(), experiment, look.colors, animated, theory=look.theory)]


def _surface_panels(figure: Figure, experiment: Experiment, look: Look, animated: bool, top: float) -> list[Panel]:
    return [SurfacePanel(figure.add_subplot(projection="3d"), experiment, look.colors, animated, rotate=look.rotate,
                         theory=look.theory)]


def _loss_panels(figure: Figure, experiment: Experiment, look: Look, animated: bool, top: float) -> list[Panel]:
    return [LossPanel(figure.add_subplot(), experiment, look.colors, experiment.epochs, animated, theory=look.theory)]


def _modes_panels(figure: Figure, experiment: Experiment, look: Look, animated: bool, top: float) -> list[Panel]:
    grid = figure.add_gridspec(1, 2, width_ratios=[1.0, 1.0], left=0.09, right=0.975, top=top - 0.04,
                               bottom=0.17, wspace=0.3)
    bars = ModesPanel(figure.add_subplot(grid[0, 0]), experiment, look.colors, animated)
    turned = EigenContourPanel(figure.add_subplot(grid[0, 1]), experiment, look.colors, animated)
    return [bars, turned]


dashboard = single(_dashboard_panels)
line = single(_line_panels, planar=lambda experiment: experiment.dataset.n_features == 2)
contour = single(_contour_panels)
surface = single(_surface_panels, planar=lambda _: True)
loss = single(_loss_panels)
modes = single(_modes_panels)


def _race(figure: Figure, experiments: Sequence[Experiment], look: Look, animated: bool) -> list[Panel]:
    """Every optimizer's path on one contour (left) and its loss (right), on one clock; the legend names each
    optimizer and its rate."""
    figure.suptitle(race_title(experiments), x=0.015, y=0.975, ha="left")
    readout = EpochReadout(_overlay(figure), max(run.epochs for run in experiments), look.colors, animated)
    rows = -(-len(experiments) // RACE_LEGEND_COLUMNS)  # the legend's rows, between the title and the panels
    grid = figure.add_gridspec(1, 2, width_ratios=[1.1, 1.0], left=0.075, right=0.975,
                               top=0.875 - RACE_LEGEND_ROW * rows, bottom=0.11, wspace=0.22)
    contour = RaceContourPanel(figure.add_subplot(grid[0, 0]), experiments, look.colors, animated)
    loss = RaceLossPanel(figure.add_subplot(grid[0, 1]), experiments, look.colors, animated)
    figure.legend(handles=contour.trails, loc="upper center", bbox_to_anchor=(0.5, 0.925), frameon=False,
                  ncol=min(len(experiments), RACE_LEGEND_COLUMNS), fontsize="small")
    return [contour, loss, readout]


race = Layout(_race)


def _scaling(figure: Figure, experiments: Sequence[Experiment], look: Look, animated: bool) -> list[Panel]:
    """The raw data's contours (stripes, κ large) beside the standardized data's (near circles), each with its
    path at its best constant rate, its κ, 2/L and the epochs it needs written above it."""
    figure.suptitle(scaling_title(experiments[0]), x=0.015, y=0.975, ha="left")
    grid = figure.add_gridspec(1, len(experiments), left=0.075, right=0.975, top=0.76, bottom=0.11, wspace=0.25)
    panels: list[Panel] = []
    for cell, experiment in zip(grid, experiments, strict=True):
        axes = figure.add_subplot(cell)
        axes.text(0.0, 1.04, scaling_text(experiment), transform=axes.transAxes, ha="left", va="bottom",
                  fontsize="small", color=look.colors.foreground, linespacing=1.5)
        readout = Readout(axes, experiment, look.colors, experiment.epochs, animated, corner=(1.0, 1.2),
                          banner_at=(0.0, 1.2), compact=True)
        contour = ContourPanel(axes, experiment, look.colors, animated, theory=look.theory)
        # Equal units on both axes: the raw bowl's stripes and the standardized one's circles are their true shapes.
        half = float(np.max(contour.base.half_width))
        contour.base = Box(contour.base.centre - half, contour.base.centre + half)
        axes.set_aspect("equal", adjustable="box")
        panels += [contour, readout]
    return panels


scaling = Layout(_scaling, font_scale=0.95)


def _sweep(figure: Figure, experiments: Sequence[Experiment], look: Look, animated: bool) -> list[Panel]:
    """The rate moving across its range: its whole path on the contours (left), the final loss of every rate so
    far against the rate (right)."""
    figure.suptitle(sweep_title(experiments), x=0.015, y=0.975, ha="left")
    grid = figure.add_gridspec(1, 2, width_ratios=[1.0, 1.25], left=0.075, right=0.975, top=0.84, bottom=0.11,
                               wspace=0.22)
    contour = SweepContourPanel(figure.add_subplot(grid[0, 0]), experiments, look.colors, animated)
    losses = SweepLossPanel(figure.add_subplot(grid[0, 1]), experiments, look.colors, animated)
    return [contour, losses]


sweep = Layout(_sweep)


def _grid(scene: str, figure: Figure, experiments: Sequence[Experiment], look: Look,
          animated: bool) -> list[Panel]:
    """One cell per run, fit beside loss, each labelled with its regime, rate and η·L; all on one clock.

    With one feature the fit is the line; with more, the path across the contours (a 3D plane in a quarter of
    the frame is too small to read, and the contours show the jumping and the escape best). Each cell's header
    is its title and readout on one line; when some run diverged, the title gets a line of its own above the
    readout's, where the banner replaces the readout once the run stopped.
    """
    rows, columns = (1, len(experiments)) if len(experiments) <= 2 else (2, 2)
    epochs = max(experiment.epochs for experiment in experiments)
    banners = any(experiment.trajectory.diverged for experiment in experiments)
    top = (0.84 if rows == 1 else 0.88) - (GRID_BANNER_BAND if banners else 0.0)
    outer = figure.add_gridspec(rows, columns, left=0.055, right=0.985, top=top, bottom=0.1 if rows == 1 else 0.08,
                                wspace=0.18, hspace=0.6 if banners else 0.5)
    figure.suptitle(grid_title(experiments, regimes=scene == "regimes"), y=0.985)
    header_points = HEADER_GAP_POINTS + (BANNER_LINE_POINTS if banners else 0.0)
    panels: list[Panel] = []
    for cell, experiment in zip(outer, experiments, strict=False):
        inner = cell.subgridspec(1, 2, wspace=0.32)
        color = regime_color(run_regime(experiment))
        fit_axes = figure.add_subplot(inner[0, 0])
        if experiment.dataset.n_features == 1:
            fit: Panel = LinePanel(fit_axes, experiment, look.colors, animated, color, legend=False,
                                   residuals=False)  # a quarter of the frame: the line alone reads best
        else:
            fit = ContourPanel(fit_axes, experiment, look.colors, animated, theory=look.theory)
        loss = LossPanel(figure.add_subplot(inner[0, 1]), experiment, look.colors, epochs, animated, color,
                         legend=False, theory=look.theory)
        title = cell_title(experiment)
        overlay = _cell_overlay(figure, cell)
        header = offset_copy(overlay.transAxes, figure, y=header_points, units="points")
        overlay.text(0.0, 1.0, title, color=color, ha="left", va="bottom", fontweight="bold", fontsize="large",
                     transform=header)
        readout = Readout(overlay, experiment, look.colors, epochs, animated, corner=(1.0, 1.0), banner_at=(0.0, 1.0),
                          compact=True)
        for text in (readout.text, readout.banner):  # the line under the title, when the title has a line above
            text.set_transform(offset_copy(overlay.transAxes, figure, y=HEADER_GAP_POINTS, units="points"))
        panels += [fit, loss, readout]
    return panels


regimes = Layout(functools.partial(_grid, "regimes"), font_scale=GRID_FONT_SCALE)
compare = Layout(functools.partial(_grid, "compare"), font_scale=GRID_FONT_SCALE)


def _axes_maker(figure: Figure, spec: SubplotSpec) -> Callable[[str | None], Axes]:
    """A factory the fit panel calls with the projection it needs (None or '3d')."""
    return lambda projection: figure.add_subplot(spec, projection=projection)


def _overlay(figure: Figure) -> Axes:
    """An invisible axes over the whole figure, for text placed in figure coordinates."""
    axes = figure.add_axes((0.0, 0.0, 1.0, 1.0), facecolor="none")
    axes.set_axis_off()
    axes.set_zorder(10)
    return axes


def _cell_overlay(figure: Figure, cell: SubplotSpec) -> Axes:
    box = cell.get_position(figure)
    axes = figure.add_axes((box.x0, box.y0, box.width, box.height), facecolor="none")
    axes.set_axis_off()
    axes.set_zorder(10)
    return axes

