"""Where text lands, measured on the drawn figure: the divergence banner hides no axis, tick or data, and no two
labels overlap (window extents from the renderer at the last frame, when the banner shows)."""

from __future__ import annotations

import functools
import itertools

import pytest
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from gdcore.experiment import Experiment
from scenes.mpl.hud import Readout
from scenes.mpl.layouts import Look, build_stage
from scenes.mpl.stage import Stage, still_frame
from tests.scenes.conftest import experiment

LOOK = Look(width=640, height=360)  # fonts scale with the frame: the layout is the same at 720p
REGIMES = ("slow", "good", "jumping", "divergent")


def runs(case: str) -> tuple[str, list[Experiment]]:
    """A scene and its runs: 'scene:dataset:rate,rate' ('div' for the dataset's divergent preset)."""
    scene, dataset, rates = case.split(":")
    if scene == "regimes":
        return scene, [experiment(dataset, regime=regime) for regime in REGIMES]
    chosen = [experiment(dataset, regime="divergent") if rate == "div" else experiment(dataset, lr=float(rate))
              for rate in rates.split(",")]
    return scene, chosen


SINGLE = [f"{scene}:{dataset}:{rate}" for scene in ("dashboard", "line", "contour", "surface", "loss")
          for dataset, rate in (("plane", "0.8"), ("plane", "1e6"), ("line-wide", "div"))]
GRIDS = ["regimes:plane:", "regimes:line-wide:", "regimes:five-points:", "compare:plane:0.05,0.1,0.3,0.8",
         "compare:line:0.5,1.7", "compare:plane:0.1,1e6", "compare:plane:1e6", "compare:plane:0.1,0.3,1e6"]


@functools.cache  # both tests read the same drawn figure; neither changes it
def drawn_last_frame(case: str) -> Stage:
    scene, chosen = runs(case)
    stage = build_stage(scene, chosen, LOOK)
    still_frame(stage, max(run.trajectory.epochs_run for run in chosen))
    return stage


def extent(text: Text, stage: Stage) -> Bbox:
    """The text's box on screen, its rounded frame included."""
    renderer = stage.canvas.get_renderer()
    patch = text.get_bbox_patch()
    boxes = [text.get_window_extent(renderer)] + ([patch.get_window_extent(renderer)] if patch else [])
    return Bbox.union(boxes)


def shown(text: Text) -> bool:
    return text.get_visible() and bool(text.get_text().strip())


def drawn_tick_labels(axis: Axis) -> list[Text]:
    """The tick labels the axis draws: major and minor, at locations inside its view."""
    low, high = sorted(axis.get_view_interval())
    slack = 1e-9 * (high - low)
    labels = []
    for minor in (False, True):
        locations = axis.get_minorticklocs() if minor else axis.get_majorticklocs()
        labels += [label for location, label in zip(locations, axis.get_ticklabels(minor=minor), strict=True)
                   if low - slack <= location <= high + slack and shown(label)]
    return labels


def axes_axis(axes: Axes) -> list[Axis]:
    """x and y, and z in 3D."""
    return [axes.xaxis, axes.yaxis, *([axes.zaxis] if hasattr(axes, "zaxis") else [])]


def tick_labels(axes: Axes) -> list[Text]:
    """Tick labels, offset texts ('×10⁷') and axis labels of an axes."""
    labels = [label for axis in axes_axis(axes) for label in [axis.get_offset_text(), axis.label] if shown(label)]
    return [label for axis in axes_axis(axes) for label in drawn_tick_labels(axis)] + labels


def panels_axes(stage: Stage) -> list[Axes]:
    """The axes that show something (not the invisible overlays that carry text)."""
    return [axes for axes in stage.figure.axes if axes.axison]


def texts(stage: Stage) -> list[Text]:
    """Every free text: titles, readouts, banners, notes, labels on the overlays and on the figure."""
    found = [text for text in stage.figure.texts if shown(text)]
    for axes in stage.figure.axes:
        found += [text for text in axes.texts if shown(text)]
    return found


def banners(stage: Stage) -> list[Text]:
    return [panel.banner for panel in stage.panels if isinstance(panel, Readout) and panel.banner.get_visible()]


@pytest.mark.parametrize("case", SINGLE + GRIDS)
def test_the_banner_hides_no_axis_tick_or_data(case: str) -> None:
    stage = drawn_last_frame(case)
    shown_banners = banners(stage)
    assert shown_banners, "a diverged run shows its banner at the last frame"
    renderer = stage.canvas.get_renderer()
    for banner in shown_banners:
        box = extent(banner, stage)
        assert stage.figure.bbox.contains(box.x0, box.y0) and stage.figure.bbox.contains(box.x1, box.y1)
        for axes in panels_axes(stage):
            for label in tick_labels(axes):
                assert not box.overlaps(extent(label, stage)), f"banner over tick label {label.get_text()!r}"
            for drawn in (axes.get_tightbbox(renderer), axes.bbox):  # a 3D box's data lies inside its axes' bbox
                assert not box.overlaps(drawn), f"banner over the axes of {axes.get_xlabel()!r}"
        for other in texts(stage):
            if other is not banner:
                assert not box.overlaps(extent(other, stage)), f"banner over {other.get_text()!r}"


@pytest.mark.parametrize("case", [*SINGLE, *GRIDS, "compare:plane:0.05,0.1,0.3", "compare:five-points:0.02",
                                  "dashboard:five-points:0.01", "surface:line:0.5"])
def test_no_two_texts_overlap(case: str) -> None:
    """Titles, readouts and notes keep apart and off the axes' labels; so do the tick labels along each axis."""
    stage = drawn_last_frame(case)
    free = [text for text in texts(stage) if text.get_bbox_patch() is None or text.get_fontsize() > 8]
    for first, second in itertools.combinations(free, 2):
        if first.axes is not None and first.axes is second.axes and first.axes.axison:
            continue  # annotations inside one panel ('start', 'optimum') may sit close to each other
        assert not extent(first, stage).overlaps(extent(second, stage)), (first.get_text(), second.get_text())
    for text in free:  # nor with any panel's ticks and labels but their own (a panel's annotations sit inside it)
        for axes in panels_axes(stage):
            if text.axes is not axes:
                for label in tick_labels(axes):
                    assert not extent(text, stage).overlaps(extent(label, stage)), (text.get_text(), label.get_text())
    for axes in panels_axes(stage):
        for axis in axes_axis(axes):
            labels = drawn_tick_labels(axis)
            for first, second in itertools.combinations(labels, 2):
                assert not extent(first, stage).overlaps(extent(second, stage)), (first.get_text(), second.get_text())
