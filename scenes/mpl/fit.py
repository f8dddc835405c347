"""The model being fitted: a line over one feature, a plane over two (3D), predicted-vs-actual beyond."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator
from mpl_toolkits.mplot3d.art3d import Line3DCollection, Poly3DCollection

from gdcore.experiment import Experiment
from scenes.limits import Box, no_worse_than_start, zoom_levels
from scenes.mpl.surface import camera_location
from scenes.theme import Palette, style_3d_axes

PLANE_TICKS = 4  # ticks along each feature axis of the 3D plane, at most
PLANE_RESOLUTION = 8  # the fitted plane is flat: a coarse mesh shows it
MAX_RESIDUALS = 200  # residual segments drawn up to this many points; beyond, they are a grey wash


class LinePanel:
    """Data points and the line ŷ = b + w·x at each epoch, with the residual yᵢ − ŷᵢ of each point as a vertical
    segment (up to MAX_RESIDUALS points); the y-axis zooms out if the line escapes."""

    def __init__(self, axes: Axes, experiment: Experiment, colors: Palette, animated: bool = True,
                 color: str | None = None, legend: bool = True, residuals: bool = True) -> None:
        self.axes = axes
        self.weights = experiment.trajectory.weights
        shown_x, y = experiment.dataset.shown  # a seeded sample of big data: the numbers come from all rows
        x = shown_x[:, 0]
        self.x, self.y = x, y
        pad = 0.05 * (x.max() - x.min() or 1.0)
        self.x_ends = np.array([x.min() - pad, x.max() + pad])
        self.base = _fit_box(y, self.ends(no_worse_than_start(experiment.trajectory.loss)))
        axes.scatter(x, y, s=_marker_size(len(x)), color=colors.data, alpha=0.75, linewidths=0, zorder=2)
        axes.set_xlim(*self.x_ends)
        axes.set_xlabel(experiment.dataset.feature_names[0])
        axes.set_ylabel(experiment.dataset.target_name)
        (self.line,) = axes.plot([], [], color=color or colors.fit, linewidth=2.6, animated=animated, zorder=3,
                                 label="model ŷ = b + w·x")
        _plot_truth(axes, experiment, self.x_ends, colors)
        self.residuals: Line2D | None = None
        if residuals and len(x) <= MAX_RESIDUALS:
            # One polyline broken by NaNs, not a LineCollection: one path drawn per frame instead of a Path object
            # per segment (the collection cost a fifth of the line scene's drawing time).
            (self.residuals,) = axes.plot([], [], color=color or colors.fit, linewidth=1.0, alpha=0.45, zorder=2.5,
                                          animated=animated, label="residuals yᵢ − ŷᵢ")
        if legend:
            axes.legend(loc="upper left")

    def residual_segments(self, epoch: int) -> np.ndarray:
        """From each point (xᵢ, yᵢ) to the model (xᵢ, ŷᵢ) at `epoch`: ndarray of shape (n, 2, 2)."""
        bias, slope = self.weights[min(epoch, len(self.weights) - 1), :2]
        model = bias + slope * self.x
        return np.stack([np.column_stack([self.x, self.y]), np.column_stack([self.x, model])], axis=1)

    def ends(self, epochs: np.ndarray | slice) -> np.ndarray:
        """ŷ at both ends of the x-range: ndarray of shape (epochs, 2)."""
        weights = self.weights[epochs]
        return weights[..., :1] + weights[..., 1:2] * self.x_ends

    def view_keys(self, epochs: np.ndarray) -> np.ndarray:
        # The escaping line is followed through its values at the ends of the x-range (the box is 1-D: y).
        return zoom_levels(self.base, self.ends(slice(None)), epochs)

    def set_view(self, key: int) -> None:
        view = self.base.zoomed_out(key)
        self.axes.set_ylim(view.low[0], view.high[0])

    def update(self, epoch: int) -> Sequence[Artist]:
        self.line.set_data(self.x_ends, self.ends(min(epoch, len(self.weights) - 1)))
        if self.residuals is None:
            return [self.line]
        self.residuals.set_data(*polyline(self.residual_segments(epoch)).T)
        return [self.residuals, self.line]


class PlanePanel:
    """Data in 3D and the plane ŷ = b + w1·x1 + w2·x2 at each epoch (the lab's figure), fixed camera.

    matplotlib has no depth buffer: it draws whole artists one over another. Drawn in a fixed order (the data,
    then the translucent plane and its mesh), every point would show under the plane; the points the camera sees
    in front of the plane are drawn again on top, each frame, as the plane moves (`in_front`).
    """

    def __init__(self, axes: Axes, experiment: Experiment, colors: Palette, animated: bool = True,
                 color: str | None = None, legend: bool = True) -> None:
        self.axes = axes
        self.weights = experiment.trajectory.weights
        features, y = experiment.dataset.shown
        x1 = np.linspace(features[:, 0].min(), features[:, 0].max(), PLANE_RESOLUTION)
        x2 = np.linspace(features[:, 1].min(), features[:, 1].max(), PLANE_RESOLUTION)
        self.grid = np.meshgrid(x1, x2)
        settled = no_worse_than_start(experiment.trajectory.loss)
        self.base = _fit_box(y, self.heights(settled))
        self.points = np.column_stack([features[:, :2], y])
        axes.computed_zorder = False  # drawn in the zorders below: points, plane, mesh, points in front
        style = {"s": _marker_size(len(y)) * 0.7, "color": colors.data, "alpha": 0.8, "depthshade": False,
                 "linewidths": 0}
        axes.scatter(*self.points.T, zorder=1, **style)
        self.front = axes.scatter([], [], [], zorder=4, animated=animated, **style)
        names = experiment.dataset.feature_names
        axes.set_xlabel(names[0], labelpad=6)
        axes.set_ylabel(names[1], labelpad=6)
        axes.set_zlabel(experiment.dataset.target_name, labelpad=4)
        axes.set_xlim(x1[0], x1[-1])
        axes.set_ylim(x2[0], x2[-1])
        for axis in (axes.xaxis, axes.yaxis):  # foreshortened axes: matplotlib's default ticks run into each other
            axis.set_major_locator(MaxNLocator(PLANE_TICKS))
        axes.view_init(elev=22, azim=-60)
        style_3d_axes(axes, colors)
        # The plane is flat: one filled quadrilateral and a mesh of lines show it, at a fraction of the cost
        # of projecting a surface's every cell each frame.
        color = color or colors.fit
        outline, lines = self._outline_and_lines(0)
        self.plane = Poly3DCollection(outline, facecolor=color, edgecolor=color, alpha=0.3, linewidths=1.0,
                                      animated=animated, zorder=2)
        self.lines = Line3DCollection(lines, colors=color, linewidths=0.6, alpha=0.8, animated=animated, zorder=3)
        axes.add_collection3d(self.plane)
        axes.add_collection3d(self.lines)

    def heights(self, epoch: int | slice) -> np.ndarray:
        """ŷ over the plane's mesh: shape (..., resolution, resolution)."""
        weights = np.atleast_2d(self.weights[epoch])
        x1, x2 = self.grid
        return weights[:, 0, None, None] + weights[:, 1, None, None] * x1 + weights[:, 2, None, None] * x2

    def mesh(self, epoch: int) -> np.ndarray:
        """The plane's mesh points in 3D: shape (resolution, resolution, 3)."""
        x1, x2 = self.grid
        return np.stack([x1, x2, self.heights(epoch)[0]], axis=-1)

    def _outline_and_lines(self, epoch: int) -> tuple[np.ndarray, np.ndarray]:
        """One flat quadrilateral to fill (1, 4, 3), and the mesh lines (2·resolution, resolution, 3)."""
        points = self.mesh(epoch)
        outline = points[[0, 0, -1, -1], [0, -1, -1, 0]][None]
        return outline, np.concatenate([points, points.transpose(1, 0, 2)])

    def in_front(self, epoch: int) -> np.ndarray:
        """Which data points the camera sees in front of the plane at `epoch`: bool ndarray (points,).

        With g(X) = X_z − (b + w1·X_x + w2·X_y), zero on the plane, the sight line from a point P to the camera C
        crosses the plane iff g(P) and g(C) have opposite signs, at Q = P + t·(C − P), t = g(P) / (g(P) − g(C)).
        P is hidden iff Q lies on the drawn part of the plane (inside its x1–x2 rectangle)."""
        bias, w1, w2 = self.weights[min(epoch, len(self.weights) - 1), :3]
        camera = camera_location(self.axes)

        def offset(points: np.ndarray) -> np.ndarray:
            return points[..., 2] - (bias + w1 * points[..., 0] + w2 * points[..., 1])

        above, eye = offset(self.points), offset(camera)
        crosses = above * eye < 0
        with np.errstate(divide="ignore", invalid="ignore"):
            crossing = self.points + (above / (above - eye))[:, None] * (camera - self.points)
        x1, x2 = self.grid[0][0], self.grid[1][:, 0]
        on_plane = ((x1[0] <= crossing[:, 0]) & (crossing[:, 0] <= x1[-1])
                    & (x2[0] <= crossing[:, 1]) & (crossing[:, 1] <= x2[-1]))
        return ~(crosses & on_plane)

    def view_keys(self, epochs: np.ndarray) -> np.ndarray:
        return zoom_levels(self.base, self.heights(slice(None)).reshape(len(self.weights), -1), epochs)

    def set_view(self, key: int) -> None:
        view = self.base.zoomed_out(key)
        self.axes.set_zlim(view.low[0], view.high[0])

    def update(self, epoch: int) -> Sequence[Artist]:
        outline, lines = self._outline_and_lines(min(epoch, len(self.weights) - 1))
        self.plane.set_verts(outline)
        self.lines.set_segments(lines)
        front = self.points[self.in_front(epoch)]
        self.front.set_offsets(front[:, :2])
        self.front.set_3d_properties(front[:, 2], "z")
        return [self.plane, self.lines, self.front]


class PredictionPanel:
    """More than two features: each sample's prediction against its target; a perfect fit is the diagonal."""

    def __init__(self, axes: Axes, experiment: Experiment, colors: Palette, animated: bool = True,
                 color: str | None = None, legend: bool = True) -> None:
        self.axes = axes
        self.weights = experiment.trajectory.weights
        shown_x, y = experiment.dataset.shown
        self.design = np.column_stack([np.ones(len(y)), shown_x])
        self.base = _fit_box(y, self.weights[no_worse_than_start(experiment.trajectory.loss)] @ self.design.T)
        diagonal = [self.base.low[0], self.base.high[0]]
        axes.plot(diagonal, diagonal, color=colors.truth, linestyle="--", linewidth=1.2,
                  label="perfect fit ŷ = y")
        axes.set_xlim(self.base.low[0], self.base.high[0])
        axes.set_xlabel(f"{experiment.dataset.target_name} (actual)")
        axes.set_ylabel("ŷ (predicted)")
        self.points = axes.scatter(y, np.zeros_like(y), s=_marker_size(len(y)), color=color or colors.fit, alpha=0.8,
                                   linewidths=0, animated=animated)
        self.target = y
        if legend:
            axes.legend(loc="upper left")

    def view_keys(self, epochs: np.ndarray) -> np.ndarray:
        return zoom_levels(self.base, self.weights @ self.design.T, epochs)

    def set_view(self, key: int) -> None:
        view = self.base.zoomed_out(key)
        self.axes.set_ylim(view.low[0], view.high[0])

    def update(self, epoch: int) -> Sequence[Artist]:
        weights = self.weights[min(epoch, len(self.weights) - 1)]
        self.points.set_offsets(np.column_stack([self.target, self.design @ weights]))
        return [self.points]


def fit_panel(axes_factory: Callable[[str | None], Axes], experiment: Experiment, colors: Palette,
              animated: bool = True, color: str | None = None,
              legend: bool = True) -> LinePanel | PlanePanel | PredictionPanel:
    """The fit panel suited to the number of features; axes_factory(projection) makes its axes."""
    n_features = experiment.dataset.n_features
    panel: LinePanel | PlanePanel | PredictionPanel
    if n_features == 1:
        panel = LinePanel(axes_factory(None), experiment, colors, animated, color, legend)
    elif n_features == 2:
        panel = PlanePanel(axes_factory("3d"), experiment, colors, animated, color, legend)
    else:
        panel = PredictionPanel(axes_factory(None), experiment, colors, animated, color, legend)
    note = experiment.dataset.sample_note  # '10,000 of 5,000,000 points shown' when big data is sampled
    if note:
        write = panel.axes.text2D if n_features == 2 else panel.axes.text  # a 3D axes places 2D text apart
        write(0.99, 0.01, note, transform=panel.axes.transAxes, ha="right", va="bottom", fontsize="small",
              color=colors.foreground, alpha=0.8)
    return panel


def polyline(segments: np.ndarray) -> np.ndarray:
    """Segments (n, 2, 2) as one (3n, 2) polyline: each segment's two ends, then a NaN row that breaks the line."""
    breaks = np.full((len(segments), 1, 2), np.nan)
    return np.concatenate([segments, breaks], axis=1).reshape(-1, 2)


def _fit_box(target: np.ndarray, predictions: np.ndarray) -> Box:
    """The y-range before any zoom: the data and every prediction of the epochs no worse than the start."""
    return Box.around(np.concatenate([target, predictions.ravel()])[:, None], pad=0.08)


def _plot_truth(axes: Axes, experiment: Experiment, x_ends: np.ndarray, colors: Palette) -> None:
    """The true line where the data's generator is known; otherwise the least-squares line (closed form), the
    line GD should land on (the notebook's comparison, SEEDS.md tutorial 3)."""
    if experiment.dataset.n_features != 1:
        return
    truth = experiment.dataset.true_params
    if truth is not None:
        label, (bias, slope) = f"true line y = {truth[0]:g} + {truth[1]:g}·x", truth[:2]
    else:
        bias, slope = experiment.problem.closed_form[:2]
        label = f"least squares ŷ = {bias:.3g} + {slope:.3g}·x"
    axes.plot(x_ends, bias + slope * x_ends, color=colors.truth, linestyle="--", linewidth=1.3, label=label)


def _marker_size(n_points: int) -> float:
    """Fewer points, bigger markers: 5 points read as dots, 10,000 as a cloud."""
    return float(np.clip(900.0 / np.sqrt(max(n_points, 1)), 3.0, 120.0))
