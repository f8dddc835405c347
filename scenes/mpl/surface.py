"""The loss bowl in 3D over two parameters and the path of points descending it; a fixed camera unless turning."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes

from gdcore.experiment import Experiment
from gdcore.grid import slice_grid
from gdcore.slices import default_axes, optimum_slice
from scenes.captions import held_note, param_label
from scenes.limits import base_box, zoom_levels
from scenes.mpl.ghost import THEORY_STYLE, theory_weights
from scenes.theme import Palette, style_3d_axes

SURFACE_RESOLUTION = 40  # plot_surface costs grow with the square of this; 40 keeps the bowl smooth
CAMERA_ELEVATION, CAMERA_AZIMUTH = 32.0, -58.0
TURN_DEGREES = 90.0  # --rotate: a quarter turn over the clip
SIGHT_SAMPLES = 160  # points tested along each line of sight, from a path point to the camera


def camera_location(axes: Axes) -> np.ndarray:
    """The camera of a 3D axes as it is now (a turning camera moves every frame), in data coordinates: shape (3,)."""
    axes.get_proj()
    return np.asarray(axes._get_camera_loc(), dtype=float)  # type: ignore[attr-defined]


class SurfacePanel:
    """The slice of the loss over two parameters (others at the optimum) and the path on it.

    Each step moves in the parameter plane and lands on the surface: the path's heights are the slice's loss
    at the path's two coordinates, so the points lie on the drawn bowl.
    """

    def __init__(self, axes: Axes, experiment: Experiment, colors: Palette, animated: bool = True,
                 rotate: bool = False, params: tuple[int, int] | None = None, theory: bool = True) -> None:
        self.axes, self.colors, self.rotate = axes, colors, rotate
        self.problem = experiment.problem
        self.params = params or default_axes(self.problem.n_params)
        self.slice = optimum_slice(self.problem, self.params)
        trajectory = experiment.trajectory
        self.path = trajectory.weights[:, list(self.params)]
        self.heights = self.slice.loss(self.path[:, 0], self.path[:, 1])
        self.base = base_box(self.path, trajectory.loss, self.problem.closed_form[list(self.params)], pad=0.2)
        self.surface: Artist | None = None
        self.surface_level: int | None = None
        self.levels: np.ndarray = np.zeros(0, dtype=int)
        axes.set_xlabel(param_label(experiment, self.params[0]), labelpad=8)
        axes.set_ylabel(param_label(experiment, self.params[1]), labelpad=8)
        axes.set_zlabel("loss", labelpad=6)
        axes.view_init(elev=CAMERA_ELEVATION, azim=CAMERA_AZIMUTH)
        style_3d_axes(axes, colors)
        note = held_note(experiment, self.slice)
        if note:  # the bowl is a slice: say where the other parameters are held, in the frame's corner (the 3D
            # box's own corner is crowded with its tick labels)
            axes.text2D(0.01, 0.01, note, transform=axes.figure.transFigure, fontsize="small",
                        color=colors.foreground, va="bottom", ha="left", alpha=0.8)
        ghost = theory_weights(experiment) if theory else None
        self.theory_path = None if ghost is None else ghost[:, list(self.params)]
        self.theory = None if ghost is None else axes.plot([], [], [], color=colors.foreground, zorder=9,
                                                           **THEORY_STYLE)[0]
        (self.trail,) = axes.plot([], [], [], color=colors.path, linewidth=1.5, marker="o", markersize=3.5,
                                  zorder=10, animated=animated)
        (self.head,) = axes.plot([], [], [], marker="o", markersize=9, color=colors.path, markeredgecolor="white",
                                 linestyle="none", zorder=11, animated=animated)

    def view_keys(self, epochs: np.ndarray) -> np.ndarray:
        """Zoom levels; when turning, the frame index (set_view then looks the frame's zoom level up)."""
        self.levels = zoom_levels(self.base, self.path, epochs)
        if self.rotate:
            return np.arange(len(epochs))  # the camera moves every frame: every frame is its own view
        return self.levels

    def set_view(self, key: int) -> None:
        level = int(self.levels[key]) if self.rotate else key
        if self.rotate:
            turned = TURN_DEGREES * key / max(len(self.levels), 1)
            self.axes.view_init(elev=CAMERA_ELEVATION, azim=CAMERA_AZIMUTH + turned)
        self._draw_surface(level)

    def _draw_surface(self, level: int) -> None:
        if self.surface is not None:
            if self.surface_level == level:
                return
            self.surface.remove()
        view = self.base.zoomed_out(level)
        grid = slice_grid(self.slice, (view.low[0], view.high[0]), (view.low[1], view.high[1]), SURFACE_RESOLUTION)
        first, second = np.meshgrid(grid.first_values, grid.second_values)
        self.surface = self.axes.plot_surface(first, second, grid.loss, cmap=self.colors.colormap, alpha=0.75,
                                              linewidth=0, antialiased=False, rstride=1, cstride=1, zorder=1)
        self.surface_level = level
        self.axes.set_xlim(view.low[0], view.high[0])
        self.axes.set_ylim(view.low[1], view.high[1])
        self.axes.set_zlim(0.0, float(grid.loss.max()))
        if self.theory is not None and self.theory_path is not None:  # 3D does not clip: only what the view holds
            inside = np.all((self.theory_path >= view.low) & (self.theory_path <= view.high), axis=1)
            shown = self.theory_path[: int(np.argmin(inside)) if not inside.all() else len(inside)]
            self.theory.set_data_3d(shown[:, 0], shown[:, 1], self.slice.loss(shown[:, 0], shown[:, 1]))

    def visible(self, last: int) -> np.ndarray:
        """Which path points up to `last` the camera sees: bool ndarray of shape (last + 1,).

        matplotlib draws 3D artists one over another with no depth buffer between them, so the path would show
        through the bowl. A point P lies on the bowl; it is hidden when the line of sight from P to the camera C
        passes under the surface drawn: some P + t·(C − P), 0 < t, inside the drawn x–y range and below the
        top of the z-axis, has its z under the slice's loss f(x, y) there.
        """
        camera = camera_location(self.axes)
        points = np.column_stack([self.path[: last + 1], self.heights[: last + 1]])
        low = np.array([self.axes.get_xlim()[0], self.axes.get_ylim()[0], -np.inf])
        high = np.array([self.axes.get_xlim()[1], self.axes.get_ylim()[1], self.axes.get_zlim()[1]])
        direction = camera - points  # (points, 3)
        # Where each line of sight leaves the drawn box: t_exit = min over the axes of (bound − p) / d.
        with np.errstate(divide="ignore", invalid="ignore"):
            bounds = np.where(direction > 0, high, low)
            exits = np.where(direction != 0, (bounds - points) / direction, np.inf)
        reach = np.clip(np.min(exits, axis=1), 0.0, 1.0)  # (points,)
        steps = np.linspace(0.0, 1.0, SIGHT_SAMPLES + 1)[1:, None] ** 2 * reach  # dense near the point
        sight = points[None] + steps[..., None] * direction[None]  # (samples, points, 3)
        surface = self.slice.loss(sight[..., 0], sight[..., 1])
        # A margin of 0.2 % of the z-range: a point sees past the bowl it lies on.
        z_range = float(np.subtract(*self.axes.get_zlim()[::-1]))
        under = sight[..., 2] < surface - 2e-3 * z_range
        return ~under.any(axis=0)

    def update(self, epoch: int) -> Sequence[Artist]:
        last = min(epoch, len(self.path) - 1)
        seen = self.visible(last)
        heights = np.where(seen, self.heights[: last + 1], np.nan)  # a hidden point, and its segments, not drawn
        self.trail.set_data_3d(self.path[: last + 1, 0], self.path[: last + 1, 1], heights)
        self.head.set_data_3d(self.path[last : last + 1, 0], self.path[last : last + 1, 1], heights[last:])
        return [self.trail, self.head]
