"""Where text lands, measured on the drawn figure: the divergence banner hides no axis, tick or data, and no two
labels overlap (window extents from the renderer at the last frame, when the banner shows)."""

from __future__ import annotations

import functools
import itertools
import math

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from gdcore.datasets import load_preset
from gdcore.experiment import Experiment
from gdcore.options import RunOptions
from scenes.mpl.contour import LABEL_HIDDEN_COST, ContourPanel, length_inside
from scenes.mpl.ghost import THEORY_LABEL, THEORY_STYLE
from scenes.mpl.hud import Readout
from scenes.mpl.layouts import (
    BASE_FONT_POINTS,
    GRID_FONT_SCALE,
    Look,
    build_stage,
    dpi_for,
    grid_plan,
    under_text_floor,
)
from scenes.mpl.stage import Stage, still_frame
from scenes.registry import scene_runs, scene_spec
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
    """The tick labels the axis draws (major and minor, inside its view), as its own draw chooses them."""
    ticks = axis._update_ticks()  # what Axis.draw draws
    return [label for tick in ticks for label in (tick.label1, tick.label2) if shown(label)]


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


# ── Laid out for its pixels: every size from 9:16 to 21:9 ────────────────────────────────────────────────────

SIZES = [(480, 480), (640, 360), (720, 1280), (800, 600), (1080, 1080), (1280, 720), (1920, 1080), (2560, 1080)]
AT_EVERY_SIZE = [f"{scene}:plane:{rate}" for scene in ("dashboard", "line", "contour", "surface", "loss")
                 for rate in ("0.8", "0.1")] + ["regimes:plane:", "compare:plane:0.05,0.1,0.8"]


def every_text(stage: Stage) -> list[Text]:
    """Every visible, non-empty text the figure draws: titles, readouts, banners, notes, legends, and each
    panel's tick labels, offset texts and axis labels."""
    found = [text for figure in [stage.figure, *stage.figure.subfigs] for text in figure.texts if shown(text)]
    found += [text for legend in stage.figure.legends for text in legend.get_texts() if shown(text)]
    for axes in stage.figure.axes:
        found += [text for text in [*axes.texts, axes.title, axes._left_title, axes._right_title] if shown(text)]
        legend = axes.get_legend()
        found += [text for text in legend.get_texts() if shown(text)] if legend else []
        found += tick_labels(axes) if axes.axison else []
    return found


@functools.cache
def drawn_at(case: str, size: tuple[int, int]) -> Stage:
    scene, chosen = runs(case)
    stage = build_stage(scene, chosen, Look(*size))
    still_frame(stage, max(run.trajectory.epochs_run for run in chosen))
    return stage


@pytest.mark.parametrize("size", SIZES, ids=[f"{width}x{height}" for width, height in SIZES])
@pytest.mark.parametrize("case", AT_EVERY_SIZE)
def test_every_text_is_legible_inside_and_apart_at_every_size(case: str, size: tuple[int, int]) -> None:
    """At the last frame (a diverged run shows its banner): every text at least 10 px tall, inside the frame, and
    over no other text; labels that mark points inside one panel ('start', 'optimum', the slice note) may sit
    close to each other, as their data does."""
    assert_legible_inside_and_apart(drawn_at(case, size), size)


def assert_legible_inside_and_apart(stage: Stage, size: tuple[int, int]) -> None:
    frame = stage.figure.bbox
    assert stage.size == size
    found = every_text(stage)
    for text in found:
        box = extent(text, stage)
        assert text.get_fontsize() * stage.figure.dpi / 72 >= 10.0 - 1e-9, text.get_text()
        assert frame.x0 - 0.5 <= box.x0 and box.x1 <= frame.x1 + 0.5, f"clipped: {text.get_text()!r}"
        assert frame.y0 - 0.5 <= box.y0 and box.y1 <= frame.y1 + 0.5, f"clipped: {text.get_text()!r}"
    inside: dict[int, Axes] = {id(text): text.axes for text in found
                               if text.axes is not None and text.axes.axison and text in text.axes.texts}
    for first, second in itertools.combinations(found, 2):
        if id(first) in inside and inside[id(first)] is inside.get(id(second)):
            continue
        assert not extent(first, stage).overlaps(extent(second, stage)), (first.get_text(), second.get_text())


def test_text_floor_holds_down_to_a_short_side_of_360_and_thumbnails_are_flagged() -> None:
    assert dpi_for(Look(640, 360)) * 13.0 * 0.8 / 72 == pytest.approx(10.0)  # the floor: smallest text 10 px
    assert dpi_for(Look(1280, 720)) == 100.0 and dpi_for(Look(1920, 1080)) == 150.0  # above it, ∝ the short side
    assert under_text_floor(Look(320, 180)) and not under_text_floor(Look(640, 360))


# The newer scenes (several runs each, chosen by the registry as the CLI does), at their first, middle and last
# frame: a race where gd diverges, a sweep whose rates pass 2/L, the scaling scene, modes converging and diverging.
NEWER = {
    "race": ("race", "plane", (), ()),
    "race-gd-diverges": ("race", "plane", (0.8, 0.01, 0.2), ("gd", "momentum", "adam")),
    "sweep-past-2/L": ("sweep", "plane", (0.01, 0.05, 0.1, 0.2, 0.3, 0.5), ()),
    "scaling": ("scaling", "line-wide", (), ()),
    "modes": ("modes", "plane", (0.1,), ()),
    "modes-diverges": ("modes", "plane", (0.5,), ()),
}
FRAMES = ("first", "middle", "last")


@functools.cache
def newer_runs(case: str) -> list[Experiment]:
    scene, dataset, rates, optimizers = NEWER[case]
    return scene_runs(scene_spec(scene), load_preset(dataset), RunOptions(epochs=60), rates=rates,
                      optimizers=optimizers)


@functools.cache
def newer_stage(case: str, size: tuple[int, int]) -> Stage:
    return build_stage(NEWER[case][0], newer_runs(case), Look(*size))


@pytest.mark.parametrize("frame", FRAMES)
@pytest.mark.parametrize("size", SIZES, ids=[f"{width}x{height}" for width, height in SIZES])
@pytest.mark.parametrize("case", NEWER)
def test_the_newer_scenes_are_legible_inside_and_apart_at_every_size(case: str, size: tuple[int, int],
                                                                     frame: str) -> None:
    runs = newer_runs(case)
    last = max(run.trajectory.epochs_run for run in runs)
    stage = newer_stage(case, size)
    still_frame(stage, {"first": 0, "middle": last // 2, "last": last}[frame])
    assert_legible_inside_and_apart(stage, size)


def test_the_divergent_newer_cases_do_diverge() -> None:
    """The cases above that are meant to show a divergence do (else they test the calm case twice)."""
    assert newer_runs("race-gd-diverges")[0].trajectory.diverged
    assert newer_runs("sweep-past-2/L")[-1].trajectory.diverged
    assert newer_runs("modes-diverges")[0].trajectory.diverged


# ── Rough edges: three cells fill the frame; a small log axis keeps two labels ────────────────────────────────


@pytest.mark.parametrize("size", SIZES, ids=[f"{width}x{height}" for width, height in SIZES])
def test_three_cells_leave_no_cell_of_the_grid_empty(size: tuple[int, int]) -> None:
    look = Look(*size)
    font = BASE_FONT_POINTS * GRID_FONT_SCALE
    plan = grid_plan(3, look, font * dpi_for(look, font) / 72)
    assert plan.rows * plan.columns == 3
    assert (plan.rows, plan.columns) == ((3, 1) if look.aspect < 1 else (1, 3))


@pytest.mark.parametrize("dataset", ["line", "five-points"])
def test_a_small_divergent_loss_axis_keeps_two_labelled_ticks(dataset: str) -> None:
    """The divergent cell's loss axis spans ~10¹⁵ in a quarter-height panel: still two labels, not one."""
    stage = drawn_at(f"regimes:{dataset}:", (640, 360))
    loss_axes = [axes for axes in panels_axes(stage) if axes.get_yscale() == "log"]
    assert len(loss_axes) == 4
    spanning = [axes for axes in loss_axes if math.floor(math.log10(axes.get_ylim()[1]))
                - math.ceil(math.log10(axes.get_ylim()[0])) >= 1]  # two decades or more inside the view
    assert spanning, "the divergent cell spans ~10¹⁵"
    for axes in spanning:
        assert len(drawn_tick_labels(axes.yaxis)) >= 2, axes.get_ylim()


@pytest.mark.parametrize("size", SIZES, ids=[f"{width}x{height}" for width, height in SIZES])
def test_a_divergent_runs_banner_room_shows_a_quiet_forecast_until_the_banner(size: tuple[int, int]) -> None:
    """The band kept for the banner is not a hole at the first frame: the forecast stands in it (legible, apart
    from every other text), and gives way to the banner once the run stops."""
    chosen = [experiment("plane", lr=0.8)]
    stage = build_stage("dashboard", chosen, Look(*size))
    readout = next(panel for panel in stage.panels if isinstance(panel, Readout))
    assert readout.forecast is not None and "expect the error to grow" in readout.forecast.get_text()
    still_frame(stage, 0)
    assert readout.forecast.get_visible() and not readout.banner.get_visible()
    assert_legible_inside_and_apart(stage, size)
    forecast = extent(readout.forecast, stage)
    still_frame(stage, chosen[0].trajectory.epochs_run)
    assert readout.banner.get_visible() and not readout.forecast.get_visible()
    band = extent(readout.banner, stage)  # the room kept for the banner
    assert band.y0 <= forecast.y0 and forecast.y1 <= band.y1


@pytest.mark.parametrize("size", [(640, 360), (720, 406), (1280, 720), (1080, 1080)])
def test_no_regimes_cell_is_squeezed_by_its_banner_or_notes(size: tuple[int, int]) -> None:
    """The divergent cell carries a banner and ×10ⁿ offsets; its panels still get over half the height of the
    others' (a held note inside a panel once took the room of its unbroken line and left that cell 15 px)."""
    scene, cases = runs("regimes:plane:")
    stage = build_stage(scene, cases, Look(*size))
    still_frame(stage, max(run.epochs for run in cases))
    heights = [axes.get_window_extent().height for axes in stage.figure.axes if axes.axison]
    assert min(heights) > 0.5 * max(heights), heights


@pytest.mark.parametrize("size", [(640, 360), (1280, 720), (1080, 1080)], ids=["640x360", "1280x720", "1080x1080"])
def test_the_regimes_grid_keys_its_theory_dashes_clear_of_every_other_text(size: tuple[int, int]) -> None:
    """The cells draw gd's theory path (and its loss) dashed: one key on the title's line says what the dashes are,
    drawn with the dashes' own style, over no other text."""
    stage = drawn_at("regimes:plane:", size)
    (key,) = stage.figure.legends
    assert [text.get_text() for text in key.get_texts()] == [THEORY_LABEL]
    (handle,) = key.legend_handles
    assert handle.get_linestyle() == "--" and handle.get_alpha() == THEORY_STYLE["alpha"]
    assert_legible_inside_and_apart(stage, size)


@pytest.mark.parametrize("frame", ["first", "last"])
@pytest.mark.parametrize("case", ["compare:plane:0.0081,0.15,0.29", "regimes:plane:", "dashboard:plane:0.8",
                                  "contour:plane:1e6"])
def test_a_panel_s_slice_note_covers_neither_the_start_nor_the_optimum(case: str, frame: str) -> None:
    """The note ('slice at the optimum: b = 0.955') sits in the panel's corner where it hides the least, in every
    view: in the small cells of a 640×360 grid the bottom left one covered the path's start, and a diverging run's
    first frames show the start where its last, zoomed out, do not."""
    scene, chosen = runs(case)
    stage = build_stage(scene, chosen, LOOK)
    still_frame(stage, 0 if frame == "first" else max(run.trajectory.epochs_run for run in chosen))
    contours = [panel for panel in stage.panels if isinstance(panel, ContourPanel)]
    assert contours and all(panel.note is not None for panel in contours)
    renderer = stage.canvas.get_renderer()
    for panel in contours:
        assert panel.note is not None
        note = panel.note.get_window_extent(renderer)
        optimum = panel.problem.closed_form[list(panel.params)]
        for marker in (panel.path[0], optimum):
            x, y = panel.axes.transData.transform(marker)
            assert not (note.x0 <= x <= note.x1 and note.y0 <= y <= note.y1), (case, panel.note.get_text())


@pytest.mark.parametrize("size", [(640, 360), (1280, 720)], ids=["640x360", "1280x720"])
@pytest.mark.parametrize("case", ["regimes:plane:", "compare:plane:0.0081,0.15,0.29"])
def test_a_panel_s_labels_take_the_side_of_their_marker_clear_of_the_run(case: str, size: tuple[int, int]) -> None:
    """'optimum' and 'start' sit on the side of their markers where they hide the least of the path: the slow run's
    last point sat on 'optimum' and a jumping path's segments crossed it. A label shown covers no marker and no
    note, inside its panel, and less of the path than would make hiding it better ('optimum' at 720p: hardly any)."""
    scene, chosen = runs(case)
    stage = build_stage(scene, chosen, Look(*size))
    still_frame(stage, max(run.trajectory.epochs_run for run in chosen))
    contours = [panel for panel in stage.panels if isinstance(panel, ContourPanel)]
    for panel in contours:
        path = panel.axes.transData.transform(panel.path[np.all(np.isfinite(panel.path), axis=1)])
        markers = panel.axes.transData.transform([panel.path[0], panel.problem.closed_form[list(panel.params)]])
        notes = [extent(text, stage) for text in panel.axes.texts if text.get_transform() == panel.axes.transAxes]
        for label in panel.labels:
            if not label.get_visible():
                continue
            box = extent(label, stage)
            most = 0.5 if label.get_text() == "optimum" and size == (1280, 720) else LABEL_HIDDEN_COST
            assert length_inside(path, box) <= most * box.width, (case, label.get_text())
            assert not any(box.x0 <= x <= box.x1 and box.y0 <= y <= box.y1 for x, y in [*markers, path[-1]])
            assert not any(box.overlaps(note) for note in notes)
            assert panel.axes.bbox.contains(box.x0, box.y0) and panel.axes.bbox.contains(box.x1, box.y1)
    shown = [sum(label.get_visible() for label in panel.labels) for panel in contours]
    assert min(shown) == (2 if size == (1280, 720) else 1), shown  # in a 640×360 grid's small cells, one may hide


@pytest.mark.parametrize("size", [(640, 360), (1280, 720)], ids=["640x360", "1280x720"])
@pytest.mark.parametrize("scene", ["race", "sweep"])
def test_labels_over_many_runs_paths_keep_clear_of_all_of_them(scene: str, size: tuple[int, int]) -> None:
    """The race's three optimisers and the sweep's forty rates share one contour panel: its labels weigh every
    run's path (the sweep's 'optimum' sat on 5.5 label widths of other rates' paths at 720p)."""
    from scenes.jobs import plan_job

    chosen = list(plan_job({"scene": scene}).experiments)
    stage = build_stage(scene, chosen, Look(*size))
    still_frame(stage, max(run.trajectory.epochs_run for run in chosen))
    panel = next(panel for panel in stage.panels if hasattr(panel, "contour"))
    paths = [panel.contour.axes.transData.transform(path[np.all(np.isfinite(path), axis=1)]) for path in panel.paths]
    assert len(paths) == len(chosen) > 2
    for label in panel.contour.labels:
        assert label.get_visible(), label.get_text()
        box = extent(label, stage)
        assert sum(length_inside(path, box) for path in paths) <= 0.5 * box.width, label.get_text()
