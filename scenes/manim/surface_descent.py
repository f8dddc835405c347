"""SurfaceDescentScene: the loss bowl over two parameters in 3D and the path of points descending it, epoch by
epoch, under a slowly turning camera.

    manim -ql scenes/manim/surface_descent.py SurfaceDescentScene      (default data `plane`, regime `good`)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import manim as mn
import matplotlib
import numpy as np
from matplotlib.colors import to_hex

from gdcore.experiment import Experiment
from gdcore.slices import default_axes, optimum_slice
from scenes.captions import held_note, theory_note
from scenes.limits import Follow, base_box
from scenes.manim.common import FastReadout, PlannedRun, RunScene, quiet_manim, short_number
from scenes.manim.contour_path import contrast
from scenes.manim.plotting import round_step, theory_strokes
from scenes.mpl.ghost import theory_weights

quiet_manim()

SURFACE_RESOLUTION = 10  # faces per side: the cairo cost of a 3D frame grows with their square
BOX_PAD = 0.2  # as scenes/mpl/surface.py
FLOOR_LENGTH, HEIGHT = 4.6, 2.3  # the parameter square and the loss axis, in scene units
# The camera looks from the front right, as scenes/mpl/surface.py does (azimuth −58°, elevation 32°): polar angle
# 60°, azimuth −72° turning to −36° over the motion, a tenth of a turn; held still for the last second.
PHI, THETA_START, TURN = 60 * mn.DEGREES, -72 * mn.DEGREES, 36 * mn.DEGREES
SHIFT_UP = 0.15  # the camera aims this far above the bowl's mid-height: the bowl sits low, the title needs the top
TICKS_PER_AXIS = 3
TICK_FONT, LABEL_FONT = 18, 24
COLORMAP_FLOOR = 0.12  # the colormap's darkest end would melt into a dark background
BANNER_PLACE = np.array([5.15, 0.35, 0.0])  # the right column, under the readouts: the bowl stays in view
THEORY_UNIT = 2.0  # the theory path's dashes and width, × plotting's (it lies on a busy, shaded bowl)


@dataclass(frozen=True)
class BowlView:
    """Parameter space (wi, wj, loss) → the unit cube the axes draw, zoomed out by s about the optimum.

    u = ½ + (w − c) / (2·h·s) on each parameter axis, z = (L − L*) / (E·s²) up the loss axis: c the optimum's two
    coordinates, h the view's half-widths, L* the slice's minimum, E the rise to the view's highest corner. The
    slice is a quadratic bowl about c, so L(c + s·d) − L* = s²·(L(c + d) − L*): the bowl drawn at s = 1 is the
    bowl at every s, and a zoom moves only the path and the axis numbers, never the surface.
    """

    centre: np.ndarray  # (2,)
    half: np.ndarray  # (2,)
    floor: float
    excess: float

    def unit(self, points: np.ndarray, zoom: float = 1.0) -> np.ndarray:
        """points: ndarray of shape (m, 3) as (wi, wj, loss) → unit-cube coordinates, shape (m, 3)."""
        points = np.atleast_2d(points)
        plane = 0.5 + (points[:, :2] - self.centre) / (2 * self.half * zoom)
        height = (points[:, 2] - self.floor) / (self.excess * zoom**2)
        return np.column_stack([plane, height])

    def plane_value(self, axis: int, unit: float, zoom: float = 1.0) -> float:
        """The parameter value at unit coordinate `unit` of parameter axis 0 or 1."""
        return float(self.centre[axis] + (2 * unit - 1) * self.half[axis] * zoom)

    def loss_value(self, unit: float, zoom: float = 1.0) -> float:
        return self.floor + unit * self.excess * zoom**2


def round_ticks(low: float, high: float, count: int = TICKS_PER_AXIS) -> np.ndarray:
    """About `count` round numbers (steps of 1, 2, 2.5 or 5 × 10^k) strictly inside low..high."""
    step = round_step(max(high - low, 1e-12) / count)
    ticks = np.arange(np.ceil(low / step) * step, high, step)
    return ticks[(ticks > low + 0.04 * (high - low)) & (ticks < high - 0.04 * (high - low))]


def axis_number(value: float, span: float) -> str:
    """Short axis numbers: 2.5, -0.25, 285, 6.5e+06; 0 for what is zero up to rounding on an axis of this span."""
    if abs(value) < 1e-9 * span:
        return "0"
    return f"{value:.2g}" if abs(value) >= 1e4 else f"{value:.3g}"


class SurfaceDescentScene(RunScene, mn.ThreeDScene):
    """The slice of the loss over two parameters (others at the closed-form optimum) as a bowl, and gradient
    descent's path on it: each step moves in the parameter plane and lands on the surface.

    A diverging run is followed by zooming out about the optimum as it escapes (see BowlView): the bowl keeps its
    shape, the path's early steps shrink towards its bottom, and the axis numbers grow. A fixed scale holding the
    whole escape would not do: the run stops ~10⁶ times further out than it started (its loss ~10¹³ times
    higher), so every step but the last would sit in one dot at the bottom of the bowl.

    For tests: `path_points` (epochs_run + 1, 3) holds (wi, wj, slice loss) of every whole epoch reached;
    `surface_function(wi, wj)` is the loss the bowl draws; `view`, `axes`, `surface` and the path's final state
    (`head`, `markers`, `final_zoom`) map back to them.
    """

    def construct(self) -> None:
        run, planned = self.run, PlannedRun(self.run, self.plan)
        self.params = default_axes(run.problem.n_params)
        self.slice = optimum_slice(run.problem, self.params)
        plane_path = run.trajectory.weights[:, list(self.params)]
        self.path_points = np.column_stack([plane_path, self.surface_function(plane_path[:, 0], plane_path[:, 1])])
        ghost = theory_weights(run) if self.theory else None
        ghost = None if ghost is None else ghost[:, list(self.params)]
        # gd's exact path as (wi, wj, slice loss), shape (k, 3); None: not drawn (--no-theory, or no closed form)
        self.theory_points = None if ghost is None else np.column_stack([ghost, self.surface_function(*ghost.T)])
        self.view = self.bowl_view(run, plane_path)
        # One zoom for both axes (the bowl keeps its shape): the wider of the two a followed view would need.
        self.follow = Follow(self.view.centre, self.view.half, plane_path[:, :, None])
        self.zoom_so_far = np.maximum(self.follow.reach_so_far.max(axis=1), 1.0)
        self.axes = mn.ThreeDAxes(x_range=[0, 1, 1], y_range=[0, 1, 1], z_range=[0, 1, 1], x_length=FLOOR_LENGTH,
                                  y_length=FLOOR_LENGTH, z_length=HEIGHT, num_axis_pieces=1, tips=False,
                                  axis_config={"include_ticks": False, "color": self.colors.foreground,
                                               "stroke_width": 2})
        self.axes.shift(-self.axes.c2p(0.5, 0.5, 0.5))
        self.renderer.camera.should_apply_shading = False  # the colormap alone says the height (and costs less)
        self.set_camera_orientation(phi=PHI, theta=THETA_START, frame_center=mn.OUT * SHIFT_UP)
        frame = mn.ValueTracker(0.0)
        self.head_cache: tuple[float, tuple[float, np.ndarray, float]] = (np.nan, (0.0, np.zeros(3), 1.0))
        # Depth sorting puts the axes and the bowl's faces first; everything else is drawn on top in this order.
        self.add(*self.frame_lines(), self.bowl())
        numbers = self.axis_numbers(planned, frame)
        self.add_fixed_orientation_mobjects(*self.axis_names(), *numbers, use_static_center_func=True)
        self.add(*self.path_mobjects(planned, frame))
        still, moving = self.hud(planned, frame)
        self.still_overlay = set(still)
        self.add_fixed_in_frame_mobjects(*still, *moving)
        motion = self.plan.motion_frames
        for start, stop in self.motion_steps(self.zoom_so_far):  # one piece, or a slide per zoom
            if start:
                self.mark_step(f"zoom out at frame {start}")
            self.move_camera(theta=THETA_START + TURN * (stop / motion),
                             added_anims=[frame.animate.set_value((motion - 1) * (stop / motion))],
                             run_time=(stop - start) / self.plan.fps, rate_func=mn.linear)
        for mobject in self.mobjects:  # the last state is set: hold it as one still frame
            mobject.clear_updaters()
        if self.plan.hold_frames:
            self.wait(self.plan.hold_frames / self.plan.fps)

    def get_moving_mobjects(self, *animations: mn.Animation) -> list[mn.Mobject]:
        """While the camera turns ThreeDScene redraws everything each frame; text fixed in the frame that never
        changes (title, labels) does not depend on the camera, so it stays in the background drawn once."""
        moving = super().get_moving_mobjects(*animations)
        return [mobject for mobject in moving if mobject not in getattr(self, "still_overlay", ())]

    # --- the numbers -------------------------------------------------------------------------------------------

    def surface_function(self, first: np.ndarray | float, second: np.ndarray | float) -> np.ndarray:
        """The slice's loss at (wi, wj) = (first, second), the other parameters at the closed-form optimum."""
        return self.slice.loss(first, second)

    def bowl_view(self, run: Experiment, plane_path: np.ndarray) -> BowlView:
        """The view before any zoom: centred on the optimum, holding every point no worse than the start (mirrored
        through the optimum, so that base_box's box is centred there)."""
        centre = run.problem.closed_form[list(self.params)]
        mirrored = np.vstack([plane_path, 2 * centre - plane_path])
        box = base_box(mirrored, np.concatenate([run.trajectory.loss] * 2), centre, pad=BOX_PAD)
        half = np.max(np.abs(np.vstack([box.low, box.high]) - centre), axis=0)
        floor = float(self.surface_function(*centre))
        corners = np.array([[sx, sy] for sx in (-1, 1) for sy in (-1, 1)]) * half + centre
        excess = float(np.max(self.surface_function(corners[:, 0], corners[:, 1]))) - floor
        return BowlView(centre, half, floor, max(excess, 1e-12))

    def zoom_at(self, epoch: float, head: np.ndarray) -> float:
        """The smallest zoom (≥ 1) holding every point so far: the reach along a straight step is convex, so
        its largest value so far is at one end, a whole epoch or the head."""
        return float(self.follow.zoom_at(epoch, head[:, None]).max())

    def head_at(self, planned: PlannedRun, frame: float) -> tuple[float, np.ndarray, float]:
        """(epoch, head point (wi, wj, height), zoom) at a frame, computed once per frame for all the updaters.

        The head moves straight from one epoch's point to the next (a chord, above the convex bowl) and lands on
        the surface at every whole epoch.
        """
        if self.head_cache[0] != frame:
            epoch = planned.epoch_at(frame)
            low = int(np.floor(epoch))
            high = min(low + 1, planned.last_epoch)
            head = self.path_points[low] + (epoch - low) * (self.path_points[high] - self.path_points[low])
            self.head_cache = (frame, (epoch, head, self.zoom_at(epoch, head[:2])))
        return self.head_cache[1]

    def to_scene(self, points: np.ndarray, zoom: float = 1.0) -> np.ndarray:
        """(wi, wj, loss) points, shape (m, 3) → scene coordinates, shape (m, 3). The axes are linear: one
        matrix product instead of a c2p call per point."""
        origin = self.axes.c2p(0, 0, 0)
        basis = np.array([self.axes.c2p(*row) for row in np.eye(3)]) - origin
        return origin + self.view.unit(points, zoom) @ basis

    # --- the mobjects ------------------------------------------------------------------------------------------

    def bowl(self) -> mn.Surface:
        """The slice drawn at zoom 1, each face coloured by its height with the palette's colormap."""
        view = self.view

        def point(u: float, v: float) -> np.ndarray:
            loss = self.surface_function(view.plane_value(0, u), view.plane_value(1, v))
            return self.axes.c2p(u, v, float(view.unit(np.array([0.0, 0.0, loss]))[0, 2]))

        surface = mn.Surface(point, u_range=(0, 1), v_range=(0, 1), resolution=SURFACE_RESOLUTION,
                             checkerboard_colors=False, fill_opacity=0.9)
        colormap = matplotlib.colormaps[self.colors.colormap]
        for face in surface:
            height = float(np.clip(self.axes.p2c(face.get_center())[2], 0.0, 1.0))
            face.set_fill(to_hex(colormap(COLORMAP_FLOOR + (1 - COLORMAP_FLOOR) * height)), opacity=0.9)
        surface.set_stroke(self.colors.background, width=0.6, opacity=0.5)
        self.surface = surface
        return surface

    def frame_lines(self) -> list[mn.Mobject]:
        """The axes' lines along the floor's front and right edges (the camera's side, as matplotlib draws them),
        the loss axis up its back-left corner."""
        axes = self.axes
        second = axes.y_axis.copy().shift(axes.c2p(1, 0, 0) - axes.c2p(0, 0, 0))
        loss_axis = axes.z_axis.copy().shift(axes.c2p(0, 1, 0) - axes.c2p(0, 0, 0))
        return [axes.x_axis, second, loss_axis]

    def axis_numbers(self, planned: PlannedRun, frame: mn.ValueTracker) -> list[FastReadout]:
        """Round numbers along the floor's two front edges and up the loss axis, facing the camera; a zoom
        rewrites them (the numbers stay where they are: the bowl looks the same at every scale)."""
        view, out = self.view, 0.1  # how far outside the floor, in unit coordinates
        places: list[tuple[int, float, np.ndarray]] = []
        for axis in (0, 1):
            low, high = view.plane_value(axis, 0.0), view.plane_value(axis, 1.0)
            for value in round_ticks(low, high):
                unit = float((value - low) / (high - low))
                where = self.axes.c2p(unit, -out, 0) if axis == 0 else self.axes.c2p(1 + out, unit, 0)
                places.append((axis, unit, where))
        for value in round_ticks(view.floor, view.floor + view.excess, 3):
            unit = float((value - view.floor) / view.excess)
            if unit <= 0.8:  # the axis name sits at the top
                places.append((2, unit, self.axes.c2p(-out, 1 + out, unit)))

        def value_of(axis: int, unit: float, zoom: float) -> float:
            return view.loss_value(unit, zoom) if axis == 2 else view.plane_value(axis, unit, zoom)

        spans = [2 * view.half[0], 2 * view.half[1], view.excess]
        numbers = [FastReadout(value_of(axis, unit, 1.0), partial(axis_number, span=spans[axis]), width=9,
                               font_size=TICK_FONT, color=self.colors.foreground, align="centre", anchor=where)
                   for axis, unit, where in places]
        if self.zoom_so_far[-1] > 1.0:
            def renumber(_: mn.Mobject) -> None:
                zoom = self.head_at(planned, frame.get_value())[2]
                for number, (axis, unit, _where) in zip(numbers, places, strict=True):
                    number.set_value(value_of(axis, unit, zoom))

            numbers[0].add_updater(renumber)
        return numbers

    def axis_names(self) -> list[mn.Text]:
        names = self.run.dataset.param_names
        places = [((0.5, -0.3, 0.0), names[self.params[0]]), ((1.3, 0.5, 0.0), names[self.params[1]]),
                  ((0.0, 1.0, 1.14), "loss")]
        return [self.text(name, LABEL_FONT).move_to(self.axes.c2p(*where)) for where, name in places]

    def path_mobjects(self, planned: PlannedRun, frame: mn.ValueTracker) -> list[mn.Mobject]:
        """The trail through every epoch reached, a marker at each (visibly distinct) epoch, and the head."""
        colors = self.colors
        trail = mn.VMobject(stroke_color=colors.path, stroke_width=4)
        marker_epochs = distinct_epochs(self.view.unit(self.path_points)[:, :2], 0.025)
        markers = [mn.Dot(radius=0.06, color=colors.path, fill_opacity=0.0) for _ in marker_epochs]
        head = mn.Dot(radius=0.1, color=colors.path, stroke_color=colors.background, stroke_width=2)
        self.head, self.markers, self.marker_epochs = head, markers, marker_epochs

        def follow(_: mn.Mobject) -> None:
            epoch, point, zoom = self.head_at(planned, frame.get_value())
            reached = int(np.floor(epoch))
            shown = self.to_scene(np.vstack([self.path_points[: reached + 1], point[None, :]]), zoom)
            trail.set_points_as_corners(shown)
            head.move_to(shown[-1])
            for marker, marker_epoch in zip(markers, marker_epochs, strict=True):
                visible = marker_epoch <= reached
                marker.set_fill(opacity=1.0 if visible else 0.0)
                if visible:
                    marker.move_to(shown[marker_epoch])
            self.final_zoom = zoom

        trail.add_updater(follow)
        follow(trail)
        self.add_fixed_orientation_mobjects(*markers, head)
        return [trail] if self.theory_points is None else [self.theory_mobject(planned, frame), trail]

    def theory_shown(self, zoom: float) -> np.ndarray:
        """The theory path's points (wi, wj, loss) up to where it first leaves the floor of the view at `zoom`
        (3D is not clipped: a diverging path is cut where it leaves, as the matplotlib surface does); (k, 3)."""
        assert self.theory_points is not None
        unit = self.view.unit(self.theory_points, zoom)[:, :2]
        inside = np.all((unit >= 0.0) & (unit <= 1.0), axis=1)
        return self.theory_points[: len(inside) if inside.all() else int(np.argmin(inside))]

    def theory_mobject(self, planned: PlannedRun, frame: mn.ValueTracker) -> mn.VMobject:
        """gd's exact path, faint and dashed, redrawn only when the view zooms out. It lies on the bowl, not on the
        page: of the palette's foreground and background, the one standing out more from the bowl's low colours."""
        low = to_hex(matplotlib.colormaps[self.colors.colormap](COLORMAP_FLOOR + 0.25))
        self.theory_color = max((self.colors.foreground, self.colors.background), key=lambda tone: contrast(tone, low))
        theory = theory_strokes([self.to_scene(self.theory_shown(1.0))], self.theory_color, THEORY_UNIT)
        drawn_at = [1.0]

        def rezoom(mob: mn.Mobject) -> None:
            zoom = self.head_at(planned, frame.get_value())[2]
            if zoom != drawn_at[0]:
                drawn_at[0] = zoom
                mob.set_points(theory_strokes([self.to_scene(self.theory_shown(zoom), zoom)], self.theory_color,
                                              THEORY_UNIT).points)

        if self.zoom_so_far[-1] > 1.0:
            theory.add_updater(rezoom)
        self.theory_path = theory
        return theory

    def hud(self, planned: PlannedRun, frame: mn.ValueTracker) -> tuple[list[mn.Mobject], list[mn.Mobject]]:
        """Title, held parameters and row labels (still), then epoch, loss (the run's own), the zoom if any, and
        the divergence banner (changing)."""
        run, colors = self.run, self.colors
        title = self.title()
        still: list[mn.Mobject] = [title]
        moving: list[mn.Mobject] = []
        note = held_note(run, self.slice)
        if note:
            still.append(self.text(note, 18).set_opacity(0.8).next_to(title, mn.DOWN, 0.12))
        if self.theory_points is not None:  # what the faint dashes are, at the bottom of the right column
            key = self.text(theory_note(), 17, line_spacing=0.9).set_opacity(0.75)
            still.append(key.move_to(np.array([3.3, -3.3, 0.0]), aligned_edge=mn.DL))
        rows = [("epoch", planned.epoch_at, "{:.0f}".format), ("loss", planned.loss_at, short_number)]
        if self.zoom_so_far[-1] > 1.0:
            rows.append(("zoom out ×", lambda f: self.head_at(planned, f)[2], "{:.3g}".format))
        for row, (name, value_at, formatter) in enumerate(rows):
            label = self.text(name, 22).move_to(np.array([3.3, 2.45 - 0.5 * row, 0.0]), aligned_edge=mn.LEFT)
            number = FastReadout(value_at(0.0), formatter, width=9, font_size=22, color=colors.foreground,
                                 align="right", anchor=np.array([6.9, label.get_bottom()[1], 0.0]))
            number.add_updater(lambda mob, value_at=value_at: mob.set_value(value_at(frame.get_value())))
            still.append(label)
            moving.append(number)
        if run.trajectory.diverged:
            moving.append(self.banner(planned, frame))
        return still, moving

    def banner(self, planned: PlannedRun, frame: mn.ValueTracker) -> mn.VGroup:
        """'diverged at epoch k', 'η·L = … > 2', 'error ×… per step' in the right column under the readouts (clear
        of the bowl and its numbers), shown once the run has stopped."""
        banner = self.divergence_banner(22, max_width=3.5, narrow=True).move_to(BANNER_PLACE)
        self.banner_shown = False

        def show(group: mn.Mobject) -> None:
            shown = planned.epoch_at(frame.get_value()) >= planned.last_epoch
            if shown != self.banner_shown:
                self.banner_shown = shown
                group.set_opacity(float(shown))

        banner.set_opacity(0.0)
        banner.add_updater(show)
        return banner


def distinct_epochs(points: np.ndarray, spacing: float) -> list[int]:
    """Epochs whose point lies at least `spacing` from the previous one kept (epoch 0 always): markers that
    would pile up on one another near the optimum are left out. points: ndarray of shape (epochs + 1, 2)."""
    kept = [0]
    for epoch in range(1, len(points)):
        if np.linalg.norm(points[epoch] - points[kept[-1]]) >= spacing:
            kept.append(epoch)
    return kept
