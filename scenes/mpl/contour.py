"""The path across the loss contours of two parameters, the others held at the optimum, with start, current point
and end."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.contour import ContourSet
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from gdcore.experiment import Experiment
from gdcore.grid import slice_grid
from gdcore.slices import default_axes, optimum_slice
from scenes.captions import held_note, param_label
from scenes.limits import Box, base_box, zoom_levels
from scenes.mpl.ghost import THEORY_LABEL, THEORY_STYLE, theory_weights
from scenes.theme import Palette

CONTOUR_RESOLUTION = 100
CONTOUR_LEVELS = 14


def ring_levels(values: np.ndarray, floor: float, count: int) -> np.ndarray:
    """Contour levels whose rings are evenly spaced: for a quadratic bowl the ring of level floor + c·r² has
    radius ∝ r, so levels floor + excess·(k/count)² for k = 1..count draw rings at even steps out to the view's edge."""
    excess = float(np.max(values)) - floor
    steps = np.arange(1, count + 1) / count
    return floor + max(excess, 1e-300) * steps**2


Corner = tuple[float, float, str, str]  # axes fraction x and y, horizontal and vertical alignment
NOTE_CORNERS: tuple[Corner, ...] = (  # where a panel's note may go, in order of preference
    (0.01, 0.01, "left", "bottom"), (0.99, 0.01, "right", "bottom"), (0.01, 0.99, "left", "top"),
    (0.99, 0.99, "right", "top"))
MARKER_WEIGHT = 25  # the start and the optimum each count as this many of the path's segments
# A label's cost, in label widths of the path it covers: a marker under it (the other one, or the run's last point,
# where the current point rests at the end) costs as much as LABEL_MARKER_COST widths, and where the label would be
# hidden (over a note, another label or the panel's edge) it costs LABEL_HIDDEN_COST: it may cover that much path.
LABEL_MARKER_COST, LABEL_HIDDEN_COST = 3.0, 4.0
Spot = tuple[tuple[float, float], str]  # a label's offset from its marker, in points, and its horizontal alignment
# Where 'optimum' and 'start' may sit beside their markers, in order of preference: the defaults, then mirrored. The
# text's baseline 15 pt under the optimum's X (radius 6 pt) or 8 pt over it; 6 pt over the start's ring or 13 pt under.
OPTIMUM_SPOTS: tuple[Spot, ...] = (((-9, -15), "right"), ((9, -15), "left"), ((-9, 8), "right"), ((9, 8), "left"))
START_SPOTS: tuple[Spot, ...] = (((8, 6), "left"), ((-8, 6), "right"), ((8, -13), "left"), ((-8, -13), "right"))
HEAD_SIZE = 9  # the current point's marker, in points: a label closer to the path than its radius is covered


def quiet_corner(note: Text, paths: Sequence[np.ndarray], markers: Sequence[np.ndarray], renderer: Any) -> Corner:
    """The corner of NOTE_CORNERS where `note`, as drawn, hides the least: the fewest of the `paths`' segments (one
    (m, 2) polyline of pixels per view the panel shows; a jumping path's long segments cross the panel between its
    points) and of the `markers` (an (n, 2) array of pixels per view), each of these counting MARKER_WEIGHT; the
    first on a tie (a small cell's note covered the path's start)."""
    costs = []
    for x, y, ha, va in NOTE_CORNERS:
        note.set(x=x, y=y, ha=ha, va=va, multialignment=ha)
        box = note.get_window_extent(renderer)
        crossed = sum(segments_crossing(path, box) for path in paths)
        covered = sum(_inside(view, box) for view in markers)
        costs.append(crossed + MARKER_WEIGHT * covered)
    return NOTE_CORNERS[int(np.argmin(costs))]


def segments_crossing(polyline: np.ndarray, box: Bbox) -> int:
    """How many segments of `polyline` ((m, 2), finite) pass through `box`."""
    entering, leaving, _ = _clipped(polyline, box)
    return int(np.count_nonzero(entering <= leaving))


def length_inside(polyline: np.ndarray, box: Bbox) -> float:
    """The length of `polyline` ((m, 2), finite) inside `box`, in its own units."""
    entering, leaving, step = _clipped(polyline, box)
    return float(np.sum(np.maximum(leaving - entering, 0.0) * np.hypot(step[:, 0], step[:, 1])))


def _clipped(polyline: np.ndarray, box: Bbox) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Liang–Barsky: segment i, p + t·d for 0 <= t <= 1, is inside the box for entering[i] <= t <= leaving[i] (the
    largest entering and the smallest leaving crossing of the box's edges; entering > leaving: it misses the box).
    Returns entering, leaving and the segments' steps d."""
    start, step = polyline[:-1], np.diff(polyline, axis=0)
    p = np.column_stack([-step[:, 0], step[:, 0], -step[:, 1], step[:, 1]])
    q = np.column_stack([start[:, 0] - box.x0, box.x1 - start[:, 0], start[:, 1] - box.y0, box.y1 - start[:, 1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        t = q / p
    entering = np.max(np.where(p < 0, t, 0.0), axis=1, initial=0.0)
    leaving = np.min(np.where(p > 0, t, 1.0), axis=1, initial=1.0)
    outside_parallel = np.any((p == 0) & (q < 0), axis=1)  # parallel to an edge and beyond it
    return entering, np.where(outside_parallel, -1.0, leaving), step


class ContourPanel:
    """Loss contours over two parameters (the slice through the optimum), the descent path drawn up to the current
    epoch."""

    def __init__(self, axes: Axes, experiment: Experiment, colors: Palette, animated: bool = True,
                 params: tuple[int, int] | None = None, theory: bool = True) -> None:
        self.axes, self.colors = axes, colors
        self.problem = experiment.problem
        self.params = params or default_axes(self.problem.n_params)
        self.slice = optimum_slice(self.problem, self.params)
        trajectory = experiment.trajectory
        self.path = trajectory.weights[:, list(self.params)]
        optimum = self.problem.closed_form[list(self.params)]
        self.base = base_box(self.path, trajectory.loss, optimum)
        self.contours: ContourSet | None = None
        axes.set_xlabel(param_label(experiment, self.params[0]))
        axes.set_ylabel(param_label(experiment, self.params[1]))
        axes.grid(False)
        axes.plot(*optimum, marker="X", markersize=12, color=colors.optimum, linestyle="none", zorder=5)
        axes.plot(*self.path[0], marker="o", markersize=8, color=colors.path, markerfacecolor="none",
                  markeredgewidth=2, linestyle="none", zorder=5)
        # Not in the layout: a label is shown only inside the panel (_show_labels_inside).
        label_style = {"textcoords": "offset points", "fontsize": "small", "zorder": 6, "in_layout": False,
                       "bbox": {"boxstyle": "round,pad=0.15", "facecolor": colors.background, "alpha": 0.7,
                                "edgecolor": "none"}}
        (optimum_offset, optimum_ha), (start_offset, start_ha) = OPTIMUM_SPOTS[0], START_SPOTS[0]
        self.labels = [axes.annotate("optimum", optimum, xytext=optimum_offset, ha=optimum_ha, color=colors.optimum,
                                     **label_style),
                       axes.annotate("start", self.path[0], xytext=start_offset, ha=start_ha, color=colors.path,
                                     **label_style)]
        ghost = theory_weights(experiment) if theory else None
        self.theory = None if ghost is None else axes.plot(
            ghost[:, self.params[0]], ghost[:, self.params[1]], color=colors.foreground, zorder=3,
            label=THEORY_LABEL, **THEORY_STYLE)[0]
        (self.trail,) = axes.plot([], [], color=colors.path, linewidth=1.6, marker="o", markersize=3, zorder=4,
                                  animated=animated)
        (self.head,) = axes.plot([], [], marker="o", markersize=HEAD_SIZE, color=colors.path, markeredgecolor="white",
                                 linestyle="none", zorder=6, animated=animated)
        note = held_note(experiment, self.slice)
        self.note: Text | None = None
        if note:
            # Inside the panel, broken to its width once laid out (layouts._fit_notes): it takes no room of its own,
            # or a long note's first, unbroken line would squeeze the panel before it is broken.
            x, y, ha, va = NOTE_CORNERS[0]  # until the layout is done (settle)
            self.note = axes.text(x, y, note, transform=axes.transAxes, fontsize="small", color=colors.foreground,
                                  va=va, ha=ha, multialignment=ha, alpha=0.8, in_layout=False)

    def view_keys(self, epochs: np.ndarray) -> np.ndarray:
        return zoom_levels(self.base, self.path, epochs)

    def set_view(self, key: int) -> None:
        view = self.base.zoomed_out(key)
        if self.contours is not None:
            self.contours.remove()
        grid = slice_grid(self.slice, (view.low[0], view.high[0]), (view.low[1], view.high[1]), CONTOUR_RESOLUTION)
        levels = ring_levels(grid.loss, self.slice.minimum, CONTOUR_LEVELS)
        self.contours = self.axes.contourf(grid.first_values, grid.second_values, grid.loss,
                                           levels=[self.slice.minimum, *levels], cmap=self.colors.colormap,
                                           alpha=0.55, zorder=1)
        self.axes.set_xlim(view.low[0], view.high[0])
        self.axes.set_ylim(view.low[1], view.high[1])
        self._show_labels_inside()

    def settle(self, paths: Sequence[np.ndarray] | None = None, keys: np.ndarray | None = None) -> None:
        """The note in the corner, then each label at the spot beside its marker, where they hide the least of the
        paths drawn over the panel (its run's, or the given `paths`: (m, 2) arrays, a scene's many runs), the
        markers, the note and each other, in every view the frames show (its run's views, or the given view `keys`;
        a diverging run's first frames show the start where its last do not); decided once the layout is done,
        before any frame, so every frame and a still agree. Until then: the first corner and spots."""
        renderer = self._laid_out()
        if keys is None:
            keys = np.unique(self.view_keys(np.arange(len(self.path))))
        polylines, markers = self._views_in_pixels([self.path] if paths is None else paths, keys)
        if self.note is not None:
            x, y, ha, va = quiet_corner(self.note, [line for view in polylines for line in view], markers, renderer)
            self.note.set(x=x, y=y, ha=ha, va=va, multialignment=ha)
        self._place_labels(polylines, markers, renderer)
        self._show_labels_inside()

    def _laid_out(self) -> Any:
        """The figure's renderer, the panel narrowed as drawing it will where its units are equal (scaling's bowls).
        Where the panel stands: while the layout is still being found, for the time being (settle decides again)."""
        self.axes.apply_aspect()
        return self.axes.get_figure(root=True).canvas.get_renderer()  # type: ignore[union-attr, attr-defined]

    def _views_in_pixels(self, paths: Sequence[np.ndarray], keys: np.ndarray,
                         ) -> tuple[list[list[np.ndarray]], list[np.ndarray]]:
        """Per view key: each path's finite points, and the start and the optimum, in pixels."""
        optimum = self.problem.closed_form[list(self.params)]
        finite = [path[np.all(np.isfinite(path), axis=1)] for path in paths]
        frame = self.axes.bbox
        origin, size = np.array([frame.x0, frame.y0]), np.array([frame.width, frame.height])
        polylines, markers = [], []
        for key in keys:
            view = self.base.zoomed_out(int(key))  # data → pixels as that view's limits map them

            def in_pixels(points: np.ndarray, view: Box = view) -> np.ndarray:
                return origin + (points - view.low) / (view.high - view.low) * size

            polylines.append([in_pixels(path) for path in finite if len(path)])
            markers.append(in_pixels(np.vstack([self.path[0], optimum])))
        return polylines, markers

    def _place_labels(self, paths: Sequence[Sequence[np.ndarray]], markers: Sequence[np.ndarray],
                      renderer: Any) -> None:
        """'optimum', then 'start', each at the spot of its OPTIMUM_SPOTS or START_SPOTS that hides the least (see
        _label_cost), summed over the views; the first spot on a tie. (The slow run's last point sat on 'optimum', a
        jumping path's segments crossed it.)"""
        reach = HEAD_SIZE / 2 * self.axes.get_figure(root=True).dpi / 72
        frame, notes = self.axes.bbox, self._notes(renderer)
        taken: list[list[Bbox]] = [list(notes) for _ in markers]  # per view, the notes and the labels placed
        for label, spots, own in zip(self.labels, (OPTIMUM_SPOTS, START_SPOTS), (1, 0), strict=True):
            here = self.axes.transData.transform(label.xy)
            label.set_visible(True)  # measured as shown (a hidden text has no extent); _show_labels_inside decides
            costs, spot_boxes = [], []
            for offset, ha in spots:
                label.set(ha=ha)
                label.xyann = offset
                label.update_bbox_position_size(renderer)
                box = Bbox.union([label.get_window_extent(renderer),
                                  label.get_bbox_patch().get_window_extent(renderer)])
                boxes = [box.translated(*(view[own] - here)) for view in markers]
                costs.append(sum(_label_cost(box, path, view[1 - own], others, frame, reach)
                                 for box, path, view, others in zip(boxes, paths, markers, taken, strict=True)))
                spot_boxes.append(boxes)
            best = int(np.argmin(costs))
            (offset, ha) = spots[best]
            label.set(ha=ha)
            label.xyann = offset
            for view_taken, box in zip(taken, spot_boxes[best], strict=True):
                view_taken.append(box)

    def _show_labels_inside(self) -> None:
        """'optimum' and 'start' label their markers only where the label fits inside the panel (a label over
        the tick labels would be text over text); the markers always show."""
        renderer = self._laid_out()
        frame, notes = self.axes.bbox, self._notes(renderer)
        shown: list[Bbox] = []
        for label in self.labels:
            label.set_visible(True)
            label.update_bbox_position_size(renderer)
            box = Bbox.union([label.get_window_extent(renderer), label.get_bbox_patch().get_window_extent(renderer)])
            label.set_visible(_within(box, frame) and not any(box.overlaps(other) for other in [*notes, *shown]))
            shown += [box] if label.get_visible() else []

    def _notes(self, renderer: Any) -> list[Bbox]:
        """The boxes of the notes shown in the panel (texts placed in axes fractions)."""
        return [text.get_window_extent(renderer) for text in self.axes.texts
                if text.get_transform() == self.axes.transAxes and text.get_visible()]

    def update(self, epoch: int) -> Sequence[Artist]:
        shown = self.path[: min(epoch, len(self.path) - 1) + 1]
        self.trail.set_data(shown[:, 0], shown[:, 1])
        self.head.set_data(shown[-1:, 0], shown[-1:, 1])
        return [self.trail, self.head]


def _label_cost(box: Bbox, paths: Sequence[np.ndarray], other_marker: np.ndarray, taken: Sequence[Bbox], frame: Bbox,
                reach: float) -> float:
    """What a label's box hides in one view (pixels), in label widths: the paths within `reach` of it (the current
    point's radius), plus LABEL_MARKER_COST for the other marker or a path's last point there, plus
    LABEL_HIDDEN_COST if a `taken` box or the panel's edge would hide it."""
    near = box.padded(reach)
    hidden = any(box.overlaps(other) for other in taken) or not _within(box, frame)
    markers = _inside(other_marker, near) + sum(_inside(path[-1], near) for path in paths)
    covered = sum(length_inside(path, near) for path in paths)
    return covered / box.width + LABEL_MARKER_COST * markers + LABEL_HIDDEN_COST * hidden


def _within(box: Bbox, frame: Bbox) -> bool:
    return bool(frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1)


def _inside(points: np.ndarray, box: Bbox) -> int:
    """How many of `points` ((2,) or (n, 2), pixels) lie in `box`."""
    inside = np.all((points >= (box.x0, box.y0)) & (points <= (box.x1, box.y1)), axis=-1)
    return int(np.count_nonzero(inside))


def shared_contours(axes: Axes, experiments: Sequence[Experiment], colors: Palette,
                    animated: bool = True) -> tuple[ContourPanel, list[np.ndarray]]:
    """The first run's contours with its own path hidden (the runs share the problem and the start), and every run's
    path over the panel's two parameters: ndarrays of shape (epochs_run + 1, 2). For scenes that draw many paths."""
    contour = ContourPanel(axes, experiments[0], colors, animated, theory=False)
    contour.trail.set_visible(False)
    contour.head.set_visible(False)
    params = list(contour.params)
    return contour, [run.trajectory.weights[:, params] for run in experiments]
