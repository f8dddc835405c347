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
from scenes.limits import base_box, zoom_levels
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
MARKER_WEIGHT = 25  # the start, the optimum and their labels each count as this many of the path's segments


def quiet_corner(note: Text, paths: Sequence[np.ndarray], markers: Sequence[np.ndarray], labels: Sequence[Bbox],
                 renderer: Any) -> Corner:
    """The corner of NOTE_CORNERS where `note`, as drawn, hides the least: the fewest of the `paths`' segments (one
    (m, 2) polyline of pixels per view the panel shows; a jumping path's long segments cross the panel between its
    points) and of the `markers` (an (n, 2) array of pixels per view) and the `labels`' boxes, each of these
    counting MARKER_WEIGHT; the first on a tie (a small cell's note covered the path's start)."""
    costs = []
    for x, y, ha, va in NOTE_CORNERS:
        note.set(x=x, y=y, ha=ha, va=va, multialignment=ha)
        box = note.get_window_extent(renderer)
        crossed = sum(segments_crossing(path, box) for path in paths)
        covered = sum(int(np.count_nonzero(np.all((view >= (box.x0, box.y0)) & (view <= (box.x1, box.y1)), axis=1)))
                      for view in markers)
        costs.append(crossed + MARKER_WEIGHT * (covered + sum(box.overlaps(label) for label in labels)))
    return NOTE_CORNERS[int(np.argmin(costs))]


def segments_crossing(polyline: np.ndarray, box: Bbox) -> int:
    """How many segments of `polyline` ((m, 2), finite) pass through `box` (Liang–Barsky: a segment p + t·d,
    0 <= t <= 1, is inside the box for t between the largest entering and the smallest leaving crossing)."""
    start, step = polyline[:-1], np.diff(polyline, axis=0)
    p = np.column_stack([-step[:, 0], step[:, 0], -step[:, 1], step[:, 1]])
    q = np.column_stack([start[:, 0] - box.x0, box.x1 - start[:, 0], start[:, 1] - box.y0, box.y1 - start[:, 1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        t = q / p
    entering = np.max(np.where(p < 0, t, 0.0), axis=1, initial=0.0)
    leaving = np.min(np.where(p > 0, t, 1.0), axis=1, initial=1.0)
    outside_parallel = np.any((p == 0) & (q < 0), axis=1)  # parallel to an edge and beyond it
    return int(np.count_nonzero((entering <= leaving) & ~outside_parallel))


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
        label_style = {"textcoords": "offset points", "fontsize": "small", "zorder": 6,
                       "bbox": {"boxstyle": "round,pad=0.15", "facecolor": colors.background, "alpha": 0.7,
                                "edgecolor": "none"}}
        self.labels = [axes.annotate("optimum", optimum, xytext=(-9, -15), ha="right", color=colors.optimum,
                                     **label_style),
                       axes.annotate("start", self.path[0], xytext=(8, 6), color=colors.path, **label_style)]
        ghost = theory_weights(experiment) if theory else None
        self.theory = None if ghost is None else axes.plot(
            ghost[:, self.params[0]], ghost[:, self.params[1]], color=colors.foreground, zorder=3,
            label=THEORY_LABEL, **THEORY_STYLE)[0]
        (self.trail,) = axes.plot([], [], color=colors.path, linewidth=1.6, marker="o", markersize=3, zorder=4,
                                  animated=animated)
        (self.head,) = axes.plot([], [], marker="o", markersize=9, color=colors.path, markeredgecolor="white",
                                 linestyle="none", zorder=6, animated=animated)
        note = held_note(experiment, self.slice)
        self.note: Text | None = None
        self.note_placed = False
        if note:
            # Inside the panel, broken to its width once laid out (layouts._fit_notes): it takes no room of its own,
            # or a long note's first, unbroken line would squeeze the panel before it is broken.
            x, y, ha, va = NOTE_CORNERS[0]  # until the first view places it (_place_note)
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
        if self.note is not None and not self.note_placed:
            self._place_note()
        self._show_labels_inside()

    def _place_note(self) -> None:
        """The note in the corner where it hides the least of the path, its start, the optimum and their labels in
        every view the run's frames show (a diverging run's first frames show the start where its last do not);
        decided once, at the first view set (the layout's: before any frame, so every frame and a still agree)."""
        assert self.note is not None
        figure = self.axes.get_figure(root=True)
        figure.get_layout_engine().execute(figure)  # type: ignore[union-attr]  # the panel where the layout puts it
        renderer = figure.canvas.get_renderer()  # type: ignore[union-attr, attr-defined]
        optimum = self.problem.closed_form[list(self.params)]
        path = self.path[np.all(np.isfinite(self.path), axis=1)]
        points = np.vstack([path, self.path[0], optimum])  # the path, then the two markers
        frame = self.axes.bbox
        origin, size = np.array([frame.x0, frame.y0]), np.array([frame.width, frame.height])
        paths, markers = [], []
        for key in np.unique(self.view_keys(np.arange(len(self.path)))):
            view = self.base.zoomed_out(int(key))  # data → pixels as that view's limits map them
            in_pixels = origin + (points - view.low) / (view.high - view.low) * size
            paths.append(in_pixels[:-2])
            markers.append(in_pixels[-2:])
        labels = [label.get_window_extent(renderer) for label in self.labels]
        x, y, ha, va = quiet_corner(self.note, paths, markers, labels, renderer)
        self.note.set(x=x, y=y, ha=ha, va=va, multialignment=ha)
        self.note_placed = True

    def _show_labels_inside(self) -> None:
        """'optimum' and 'start' label their markers only where the label fits inside the panel (a label over
        the tick labels would be text over text); the markers always show."""
        figure = self.axes.get_figure(root=True)
        engine = figure.get_layout_engine()  # type: ignore[union-attr]
        if engine is not None:  # the panel where this view's tick labels put it
            engine.execute(figure)
        renderer = figure.canvas.get_renderer()  # type: ignore[union-attr, attr-defined]
        frame = self.axes.bbox
        notes = [text.get_window_extent(renderer) for text in self.axes.texts
                 if text.get_transform() == self.axes.transAxes and text.get_visible()]
        shown: list[Bbox] = []
        for label in self.labels:
            label.set_visible(True)
            label.update_bbox_position_size(renderer)
            box = Bbox.union([label.get_window_extent(renderer), label.get_bbox_patch().get_window_extent(renderer)])
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
            label.set_visible(bool(inside) and not any(box.overlaps(other) for other in [*notes, *shown]))
            shown += [box] if label.get_visible() else []

    def update(self, epoch: int) -> Sequence[Artist]:
        shown = self.path[: min(epoch, len(self.path) - 1) + 1]
        self.trail.set_data(shown[:, 0], shown[:, 1])
        self.head.set_data(shown[-1:, 0], shown[-1:, 1])
        return [self.trail, self.head]


def shared_contours(axes: Axes, experiments: Sequence[Experiment], colors: Palette,
                    animated: bool = True) -> tuple[ContourPanel, list[np.ndarray]]:
    """The first run's contours with its own path hidden (the runs share the problem and the start), and every run's
    path over the panel's two parameters: ndarrays of shape (epochs_run + 1, 2). For scenes that draw many paths."""
    contour = ContourPanel(axes, experiments[0], colors, animated, theory=False)
    contour.trail.set_visible(False)
    contour.head.set_visible(False)
    params = list(contour.params)
    return contour, [run.trajectory.weights[:, params] for run in experiments]
