"""The matplotlib scenes: which panels go where on the figure. Building a scene draws nothing yet."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.gridspec import SubplotSpec
from matplotlib.transforms import offset_copy

from gdcore.errors import GdvizInputError
from gdcore.experiment import Experiment
from scenes.captions import cell_title, grid_title, run_title
from scenes.mpl.contour import ContourPanel
from scenes.mpl.fit import LinePanel, fit_panel
from scenes.mpl.hud import Readout
from scenes.mpl.loss import LossPanel
from scenes.mpl.stage import Panel, Stage
from scenes.mpl.surface import SurfacePanel
from scenes.theme import Palette, matplotlib_style, palette, regime_color

SINGLE_SCENES: tuple[str, ...] = ("dashboard", "line", "contour", "surface", "loss")
GRID_SCENES: tuple[str, ...] = ("regimes", "compare")
SCENE_NAMES: tuple[str, ...] = SINGLE_SCENES + GRID_SCENES
MAX_COMPARED = 4
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


@dataclass(frozen=True)
class Look:
    """How a scene looks: frame size in pixels, theme, and whether the surface camera turns."""

    width: int = 1280
    height: int = 720
    theme: str = "light"
    rotate: bool = False

    @property
    def colors(self) -> Palette:
        return palette(self.theme)


DEFAULT_LOOK = Look()


def build_stage(scene: str, experiments: Sequence[Experiment], look: Look = DEFAULT_LOOK,
                animated: bool = True) -> Stage:
    """The figure and panels of `scene`; single scenes take one experiment, grids up to four."""
    check_scene(scene, len(experiments))
    font_points = BASE_FONT_POINTS * (GRID_FONT_SCALE if scene in GRID_SCENES else 1.0)
    with matplotlib.rc_context(matplotlib_style(look.colors, font_points)):
        figure = _figure(look)
        if scene in GRID_SCENES:
            panels = _grid(scene, figure, experiments, look, animated)
        else:
            panels = _single(scene, figure, experiments[0], look, animated)
    return Stage(figure, panels)


def check_scene(scene: str, n_experiments: int) -> None:
    if scene not in SCENE_NAMES:
        import difflib

        hint = difflib.get_close_matches(scene, SCENE_NAMES, n=1)
        suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise GdvizInputError(f"unknown scene {scene!r}: choose one of {', '.join(SCENE_NAMES)}{suggestion}")
    if scene in SINGLE_SCENES and n_experiments != 1:
        raise GdvizInputError(f"scene {scene!r} shows one run, got {n_experiments} (use 'compare' for several rates)")
    if not 1 <= n_experiments <= MAX_COMPARED:
        raise GdvizInputError(f"scene {scene!r} shows 1 to {MAX_COMPARED} runs, got {n_experiments}")


def _figure(look: Look) -> Figure:
    dpi = look.height / FIGURE_HEIGHT_INCHES
    return Figure(figsize=(look.width / dpi, FIGURE_HEIGHT_INCHES), dpi=dpi)


def _single(scene: str, figure: Figure, experiment: Experiment, look: Look, animated: bool) -> list[Panel]:
    """One run. A run that diverged gets a band under the title, kept free for its banner: the panels move down by
    BANNER_BAND so that the banner hides no axis, tick or data."""
    colors, epochs = look.colors, experiment.epochs
    figure.suptitle(run_title(experiment, rule=True), x=0.015, y=0.975, ha="left")
    readout = Readout(_overlay(figure), experiment, colors, epochs, animated, corner=(0.985, 0.955),
                      banner_at=(0.5, BANNER_Y))
    planar = scene == "surface" or (scene == "line" and experiment.dataset.n_features == 2)
    top = (PLANAR_TOP if planar else PANEL_TOP) - (BANNER_BAND if experiment.trajectory.diverged else 0.0)
    if scene == "dashboard":
        grid = figure.add_gridspec(2, 2, width_ratios=[1.15, 1.0], left=0.065, right=0.975, top=top - 0.005,
                                   bottom=0.085, wspace=0.22, hspace=0.42)
        fit = fit_panel(_axes_maker(figure, grid[:, 0]), experiment, colors, animated)
        contour = ContourPanel(figure.add_subplot(grid[0, 1]), experiment, colors, animated)
        loss = LossPanel(figure.add_subplot(grid[1, 1]), experiment, colors, epochs, animated)
        return [fit, contour, loss, readout]
    if planar:  # a 3D box keeps its aspect: give it the whole frame below the title
        figure.subplots_adjust(left=0.0, right=1.0, top=top, bottom=0.02)
    else:
        figure.subplots_adjust(left=0.09, right=0.97, top=top, bottom=0.11)
    if scene == "surface":
        panel: Panel = SurfacePanel(figure.add_subplot(projection="3d"), experiment, colors, animated,
                                    rotate=look.rotate)
    elif scene == "line":
        panel = fit_panel(_axes_maker(figure, figure.add_gridspec(1, 1)[0, 0]), experiment, colors, animated)
    elif scene == "contour":
        panel = ContourPanel(figure.add_subplot(), experiment, colors, animated)
    else:
        panel = LossPanel(figure.add_subplot(), experiment, colors, epochs, animated)
    return [panel, readout]


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
        color = regime_color(experiment.rate.regime)
        fit_axes = figure.add_subplot(inner[0, 0])
        if experiment.dataset.n_features == 1:
            fit: Panel = LinePanel(fit_axes, experiment, look.colors, animated, color, legend=False)
        else:
            fit = ContourPanel(fit_axes, experiment, look.colors, animated)
        loss = LossPanel(figure.add_subplot(inner[0, 1]), experiment, look.colors, epochs, animated, color,
                         legend=False)
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

