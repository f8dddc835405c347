"""ContourPathScene: loss contours over two parameters (the others held at the optimum) and the descent path drawn
epoch by epoch across them; a diverging run makes the view zoom out by doubling until it stops, then says why.

    manim -ql scenes/manim/contour_path.py ContourPathScene      (default data `plane`, regime `good`)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import manim as mn
import matplotlib
import numpy as np
from matplotlib.colors import to_hex, to_rgb

from gdcore.grid import slice_grid
from gdcore.slices import default_axes, optimum_slice
from gdcore.stability import approximate_count
from scenes.captions import held_note, theory_note
from scenes.limits import Box, base_box, zoom_levels
from scenes.manim.common import (
    FastReadout,
    PlannedRun,
    RunScene,
    nice_range,
    quiet_manim,
    short_number,
    tick_label,
)
from scenes.manim.plotting import clip_polyline, theory_strokes
from scenes.mpl.contour import ring_levels
from scenes.mpl.ghost import theory_weights

quiet_manim()

RING_COUNT = 10
MAX_PIECE_ANGLE = math.pi / 12  # a cubic per ≤15° of the ellipse's circle: off the true ellipse by < 1e-8 of it
MIN_CONTRAST = 2.0  # ring colours keep at least this luminance contrast against the background
TRANSITION_SECONDS = 0.25  # a zoom-out takes this long (or less, when the next one comes sooner)
BANNER_FADE_SECONDS = 0.4
MIN_OUTLINE_WIDTH = 0.12  # scene units: a past view's frame narrower than this is too small to see
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
THEORY_UNIT = 1.5  # the theory path's dashes and width, × plotting's (drawn at a regimes cell's scale)


def ellipse_arcs(centre: np.ndarray, frame: np.ndarray, low: np.ndarray, high: np.ndarray) -> list[tuple[float, float]]:
    """The angle intervals [t0, t1] (t1 − t0 ≤ 2π) where centre + frame·[cos t, sin t] lies inside the box.

    Coordinate d is centre_d + R_d cos(t − φ_d): it meets a bound where cos(t − φ_d) = (bound − centre_d)/R_d.
    Between consecutive crossings nothing changes sides, so each interval's midpoint tells.
    """
    def inside(t: float) -> bool:
        point = centre + frame @ np.array([math.cos(t), math.sin(t)])
        slack = 1e-9 * (high - low)
        return bool(np.all(point >= low - slack) and np.all(point <= high + slack))

    crossings = []
    for d in range(2):
        radius, phase = math.hypot(*frame[d]), math.atan2(frame[d, 1], frame[d, 0])
        for bound in (low[d], high[d]):
            ratio = (bound - centre[d]) / radius if radius > 0 else 2.0
            if abs(ratio) < 1:
                crossings += [phase + math.acos(ratio), phase - math.acos(ratio)]
    if not crossings:
        return [(0.0, 2 * math.pi)] if inside(0.0) else []
    starts = sorted(float(t) % (2 * math.pi) for t in crossings)
    stops = [*starts[1:], starts[0] + 2 * math.pi]
    arcs: list[tuple[float, float]] = []
    for start, stop in zip(starts, stops, strict=True):
        if stop - start > 1e-12 and inside((start + stop) / 2):
            if arcs and abs(arcs[-1][1] - start) < 1e-12:
                start = arcs.pop()[0]
            arcs.append((start, stop))
    if len(arcs) > 1 and abs(arcs[-1][1] - 2 * math.pi - arcs[0][0]) < 1e-12:  # joined across the start angle
        arcs[0] = (arcs.pop()[0], arcs[0][1] + 2 * math.pi)
    return arcs


def arc_beziers(arc: tuple[float, float]) -> np.ndarray:
    """Cubic Bézier control points of the unit circle over `arc`: shape (4·pieces, 2), Manim's point order."""
    start, stop = arc
    pieces = max(1, math.ceil((stop - start) / MAX_PIECE_ANGLE))
    angles = np.linspace(start, stop, pieces + 1)
    handle = 4 / 3 * math.tan((stop - start) / pieces / 4)  # the classic tangent length for a circular arc
    ends = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    tangents = np.stack([-np.sin(angles), np.cos(angles)], axis=1)
    controls = np.stack([ends[:-1], ends[:-1] + handle * tangents[:-1], ends[1:] - handle * tangents[1:], ends[1:]],
                        axis=1)
    return controls.reshape(-1, 2)


def ring_colors(colormap: str, background: str, count: int) -> list[str]:
    """`count` colours along the colormap (low loss first), skipping the end that would vanish on the background."""
    cmap = matplotlib.colormaps[colormap]
    samples = np.linspace(0.0, 1.0, 101)
    usable = [t for t in samples if contrast(to_hex(cmap(t)), background) >= MIN_CONTRAST]
    low, high = (min(usable), max(usable)) if usable else (0.0, 1.0)
    return [to_hex(cmap(t)) for t in np.linspace(low, high, count)]


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two colours (1 … 21)."""
    def luminance(color: str) -> float:
        rgb = np.array(to_rgb(color))
        rgb = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
        return float(rgb @ [0.2126, 0.7152, 0.0722])

    dark, light = sorted((luminance(first), luminance(second)))
    return (light + 0.05) / (dark + 0.05)


def pretty(name: str) -> str:
    """'w1' → 'w₁' for on-screen names."""
    return name.translate(SUBSCRIPTS)


class FramedAxes(mn.Axes):
    """Axes that meet at the lower-left corner whatever the ranges (a plot frame), with every tick kept."""

    @staticmethod
    def _origin_shift(axis_range: Sequence[float]) -> float:
        return float(axis_range[0])

    def _create_axis(self, range_terms: Sequence[float], axis_config: dict, length: float) -> mn.NumberLine:
        axis_config["exclude_origin_tick"] = False
        return super()._create_axis(range_terms, axis_config, length)


class View:
    """One zoom of the plane: the axes' ranges, the Axes, and the affine map from parameters to the screen."""

    def __init__(self, box: Box, x_length: float, y_length: float, color: str, corner: np.ndarray) -> None:
        self.x_range, self.y_range = nice_range(box.low[0], box.high[0]), nice_range(box.low[1], box.high[1])
        self.low = np.array([self.x_range[0], self.y_range[0]])
        self.high = np.array([self.x_range[1], self.y_range[1]])
        self.axes = FramedAxes(x_range=self.x_range, y_range=self.y_range, x_length=x_length, y_length=y_length,
                               tips=False, axis_config={"color": color})
        self.axes.shift(corner - self.axes.c2p(*self.low))
        self.origin = self.axes.c2p(*self.low)
        self.units = np.stack([(self.axes.c2p(self.high[0], self.low[1]) - self.origin) / (self.high[0] - self.low[0]),
                               (self.axes.c2p(self.low[0], self.high[1]) - self.origin) / (self.high[1] - self.low[1])])

    def to_screen(self, points: np.ndarray) -> np.ndarray:
        """Parameter points (m, 2) → scene points (m, 3)."""
        return self.origin + (np.asarray(points, dtype=float) - self.low) @ self.units

    def holds(self, point: np.ndarray) -> bool:
        return bool(np.all(point >= self.low) and np.all(point <= self.high))


class ContourPathScene(RunScene):
    """Gradient descent seen from above: the path over the loss contours of two parameters."""

    X_LENGTH, Y_LENGTH = 7.6, 5.3
    CORNER = np.array([-5.6, -3.05, 0.0])  # lower-left corner of the plot

    def construct(self) -> None:
        run, planned = self.run, PlannedRun(self.run, self.plan)
        self.params = default_axes(run.problem.n_params)
        self.bowl = optimum_slice(run.problem, self.params)
        self.points = run.trajectory.weights[:, list(self.params)]
        self.optimum_point = run.problem.closed_form[list(self.params)]
        ghost = theory_weights(run) if self.theory else None
        self.theory_points = None if ghost is None else ghost[:, list(self.params)]  # (k, 2), or None: not drawn
        self.base = base_box(self.points, run.trajectory.loss, self.optimum_point)
        self.colors_of_rings = ring_colors(self.colors.colormap, self.colors.background, RING_COUNT)
        self.frame = mn.ValueTracker(0.0)
        self.blend = mn.ValueTracker(1.0)
        keys = zoom_levels(self.base, self.points, self.plan.epochs)
        self.view = self.view_from = self.first_view = self.make_view(int(keys[0]))
        self.past_views: list[tuple[np.ndarray, np.ndarray]] = []  # (low, high) of every view zoomed out of
        self.tick_numbers, self.plot = self.numbers(self.view), self.drawing(self.view)
        path, dots, head = self.path_mobjects(planned)
        labels, readouts = self.readouts(planned)
        banner = self.banner() if run.trajectory.diverged else None
        # Static first: Manim draws everything before the first moving mobject once, as a background.
        key = [] if self.theory_points is None else [self.theory_key()]
        self.add(self.title_block(), *labels, *key, self.chrome(self.view), self.tick_numbers, self.plot)
        self.add(path, dots, head, *readouts)
        self.play_segments(keys, banner)

    # --- what is drawn -------------------------------------------------------------------------------------------

    def make_view(self, key: int) -> View:
        return View(self.base.zoomed_out(key), self.X_LENGTH, self.Y_LENGTH, self.colors.foreground, self.CORNER)

    def chrome(self, view: View) -> mn.VGroup:
        """The plot frame and the parameter names: the same on screen in every view (only the numbers change)."""
        axes = view.axes
        top_left, top_right, bottom_right = (axes.c2p(*corner) for corner in (
            (view.low[0], view.high[1]), view.high, (view.high[0], view.low[1])))
        lines = mn.VMobject(stroke_color=self.colors.foreground, stroke_width=2.0).set_points_as_corners(
            [top_left, axes.c2p(*view.low), bottom_right])
        frame = mn.VMobject(stroke_color=self.colors.muted, stroke_width=1.5).set_points_as_corners(
            [top_left, top_right, bottom_right])
        names = self.run.dataset.param_names
        x_name = self.text(pretty(names[self.params[0]]), 24).next_to(axes.x_axis, mn.DOWN, buff=0.5)
        self.y_name = self.text(pretty(names[self.params[1]]), 24)
        self.y_name.next_to(axes.y_axis.get_top(), mn.UP, buff=0.25)
        return mn.VGroup(frame, lines, x_name, self.y_name)

    def numbers(self, view: View) -> mn.VGroup:
        """Tick marks and numbers of one view, with a '×10⁷' beside an axis whose numbers would be long."""
        labels = mn.VGroup()
        for axis, direction in ((view.axes.x_axis, mn.DOWN), (view.axes.y_axis, mn.LEFT)):
            labels.add(axis.ticks)
            ticks = axis.get_tick_range()
            exponent = tick_exponent(ticks)
            for value in ticks:
                shown = round(float(value) / 10.0**exponent, 10) + 0.0  # + 0.0: '0', not '-0'
                label = tick_label(shown, 18, self.colors.foreground)
                labels.add(label.next_to(axis.number_to_point(value), direction, buff=0.15))
            if exponent:
                note = self.text(f"×10{str(exponent).translate(SUPERSCRIPTS)}", 20)
                if direction is mn.DOWN:
                    note.next_to(axis.get_end(), mn.DOWN, buff=0.5).align_to(axis.get_end(), mn.RIGHT)
                else:
                    note.next_to(self.y_name, mn.RIGHT, buff=0.3)
                labels.add(note)
        widened = (view.high[0] - view.low[0]) / (self.first_view.high[0] - self.first_view.low[0])
        if widened > 1.5:  # each zoom of an escaping run says how far it has gone, not only its tick numbers
            zoom = self.text(f"view ×{approximate_count(widened)} wider than at the start", 20).set_opacity(0.75)
            corner = view.axes.c2p(*view.high)
            labels.add(zoom.next_to(corner, mn.UP, buff=0.25).align_to(corner, mn.RIGHT))
        return labels

    def drawing(self, view: View) -> mn.VGroup:
        """Contour rings, gd's theory path, start and optimum in one view: what morphs when the view zooms out."""
        self.rings = self.contour_rings(view)
        self.axes = view.axes
        self.theory_path = self.theory_drawing(view)
        return mn.VGroup(mn.VGroup(*(ring for _, ring in self.rings)), self.theory_path, self.past_outlines(view),
                         self.markers(view))

    def theory_drawing(self, view: View) -> mn.VMobject:
        """gd's exact path w* + (I − ηH)ᵏ(w₀ − w*), faint and dashed, clipped to the view (a diverging one leaves
        it as the run does); an empty mobject without a closed form or with --no-theory."""
        if self.theory_points is None:
            return mn.VMobject()
        pieces = [view.to_screen(piece) for piece in clip_polyline(self.theory_points, view.low, view.high)]
        return theory_strokes(pieces, self.colors.foreground, THEORY_UNIT)

    def past_outlines(self, view: View) -> mn.VGroup:
        """The views zoomed out of, as nested dashed frames (each ×ZOOM_STEP smaller than the next): every zoom of an
        escaping run adds one, so the path's growth shows in the picture, not only in the numbers. Frames too small
        to see are left out."""
        outlines = mn.VGroup()
        for low, high in self.past_views:
            corners = view.to_screen(np.array([low, [high[0], low[1]], high, [low[0], high[1]], low]))
            if np.ptp(corners[:, 0]) < MIN_OUTLINE_WIDTH:
                continue
            outline = mn.VMobject(stroke_color=self.colors.muted, stroke_width=2.0).set_points_as_corners(corners)
            outlines.add(mn.DashedVMobject(outline, num_dashes=24))
        return outlines

    def contour_rings(self, view: View) -> list[tuple[float, mn.VMobject]]:
        """(level, ring) for ~10 level sets, evenly spaced out to the view's farthest corner, clipped to the view."""
        grid = slice_grid(self.bowl, (view.low[0], view.high[0]), (view.low[1], view.high[1]), 40)
        rings = []
        for level, color in zip(ring_levels(grid.loss, self.bowl.minimum, RING_COUNT), self.colors_of_rings,
                                strict=True):
            frame = self.bowl.level_frame(level)
            arcs = ellipse_arcs(self.bowl.centre, frame, view.low, view.high)
            if not arcs:
                continue
            unit = np.concatenate([arc_beziers(arc) for arc in arcs])
            ring = mn.VMobject(stroke_color=color, stroke_width=2.5, fill_opacity=0.0)
            ring.set_points(view.to_screen(self.bowl.centre + unit @ frame.T))
            rings.append((float(level), ring))
        return rings

    def markers(self, view: View) -> mn.VGroup:
        """A cross at the optimum and a ring at the start, each labelled where it stays inside the plot."""
        optimum, start = view.to_screen(np.stack([self.optimum_point, self.points[0]]))
        size = 0.13
        cross = mn.VGroup(*(mn.Line(optimum - size * corner, optimum + size * corner, stroke_width=5,
                                    color=self.colors.optimum) for corner in (mn.UR, mn.UL)))
        ring = mn.Circle(radius=0.11, stroke_color=self.colors.path, stroke_width=4).move_to(start)
        away = start - optimum
        away = away / np.linalg.norm(away) if np.linalg.norm(away) > 1e-9 else mn.DL
        box = (view.to_screen(view.low[None])[0], view.to_screen(view.high[None])[0])
        trail = self.trail_samples(view)
        optimum_label = self.place_label("optimum", self.colors.optimum, cross, -away, box, [], trail)
        group = mn.VGroup(cross, ring, optimum_label)
        if np.linalg.norm(start - optimum) > 0.45:  # zoomed far out the two coincide: one label says enough
            group.add(self.place_label("start", self.colors.path, ring, away, box, [optimum_label, cross], trail))
        return group

    def trail_samples(self, view: View) -> np.ndarray:
        """Screen points along the whole path (every epoch it will reach) inside the view: where labels must not go."""
        steps = np.linspace(0.0, 1.0, 12)[:, None, None]
        along = (self.points[:-1] + steps * (self.points[1:] - self.points[:-1])).reshape(-1, 2)
        along = along[np.all((along >= view.low) & (along <= view.high), axis=1)]
        return view.to_screen(along) if len(along) else np.zeros((0, 3))

    def place_label(self, content: str, color: str, marker: mn.Mobject, preferred: np.ndarray,
                    box: tuple[np.ndarray, np.ndarray], avoid: list[mn.Mobject], trail: np.ndarray) -> mn.VGroup:
        """The label on the compass side nearest `preferred` that keeps it inside the plot, off `avoid` and, if it
        can, off the path."""
        label = self.text(content, 20, color=color)
        sides = [mn.RIGHT, mn.UR, mn.UP, mn.UL, mn.LEFT, mn.DL, mn.DOWN, mn.DR]
        sides.sort(key=lambda side: -float(np.dot(side / np.linalg.norm(side), preferred)))

        def allowed(side: np.ndarray, clear_of_path: bool) -> bool:
            label.next_to(marker, side, buff=0.1)
            if not fits(label, box) or any(overlaps(label, other) for other in avoid):
                return False
            low, high = label.get_corner(mn.DL)[:2] - 0.05, label.get_corner(mn.UR)[:2] + 0.05
            return not clear_of_path or not np.any(np.all((trail[:, :2] >= low) & (trail[:, :2] <= high), axis=1))

        side = next((side for side in sides if allowed(side, True)),
                    next((side for side in sides if allowed(side, False)), sides[0]))
        label.next_to(marker, side, buff=0.1)
        plate = mn.BackgroundRectangle(label, color=self.colors.background, fill_opacity=0.75, buff=0.05)
        return mn.VGroup(plate, label)

    def path_mobjects(self, planned: PlannedRun) -> tuple[mn.VMobject, mn.VMobject, mn.Dot]:
        """The path so far, a dot at each whole epoch reached, and the current point: one updater draws all three."""
        path = mn.VMobject(stroke_color=self.colors.path, stroke_width=3.0, fill_opacity=0.0)
        dots = mn.VMobject(fill_color=self.colors.path, fill_opacity=1.0, stroke_width=0)
        head = mn.Dot(radius=0.1, color=self.colors.path, stroke_color=self.colors.background, stroke_width=2.5)
        circle = mn.Circle(radius=0.045).points

        def draw(_: mn.Mobject) -> None:
            frame = self.frame.get_value()
            reached = self.points[: math.floor(planned.epoch_at(frame) + 1e-9) + 1]
            current = planned.weights_at(frame)[list(self.params)]
            screen = self.to_screen(np.vstack([reached, current[None]]))
            path.set_points_as_corners(screen)
            dots.set_points((circle[None] + screen[:-1, None]).reshape(-1, 3))
            head.move_to(screen[-1])
            self.path_points = reached

        path.add_updater(draw)
        draw(path)
        return path, dots, head

    def to_screen(self, points: np.ndarray) -> np.ndarray:
        """Parameters → scene, blended between the old and the new view while the view zooms."""
        new = self.view.to_screen(points)
        if self.view_from is self.view:
            return new
        return self.view_from.to_screen(points) + self.blend.get_value() * (new - self.view_from.to_screen(points))

    def title_block(self) -> mn.VGroup:
        run = self.run
        title = self.title()
        block = mn.VGroup(title)
        note = held_note(run, self.bowl)
        if note:
            block.add(self.text(note, 18, color=self.colors.foreground).set_opacity(0.75).next_to(title, mn.DOWN, 0.12))
        return block

    def theory_key(self) -> mn.Text:
        """What the faint dashes are, at the bottom of the readouts' column (under the banner's place)."""
        key = self.text(theory_note(), 17, line_spacing=0.9).set_opacity(0.75)
        return key.move_to(np.array([3.35, -3.3, 0.0]), aligned_edge=mn.DL)

    def readouts(self, planned: PlannedRun) -> tuple[list[mn.Mobject], list[mn.Mobject]]:
        """epoch, loss and the two parameters: the labels drawn once, the numbers moved every frame."""
        names = self.run.dataset.param_names
        first, second = self.params
        rows: list[tuple[str, Callable[[float], float], Callable[[float], str]]] = [
            ("epoch", planned.epoch_at, lambda value: f"{value:.0f}"),
            ("loss", planned.loss_at, short_number),
            (pretty(names[first]), lambda f: planned.weights_at(f)[first], short_number),
            (pretty(names[second]), lambda f: planned.weights_at(f)[second], short_number),
        ]
        labels: list[mn.Mobject] = []
        numbers: list[mn.Mobject] = []
        for row, (name, value_at, formatter) in enumerate(rows):
            label = self.text(name, 26).move_to(np.array([3.35, 1.6 - 0.75 * row, 0.0]), aligned_edge=mn.LEFT)
            number = FastReadout(value_at(0.0), formatter, width=10, font_size=26, color=self.colors.foreground)
            baseline = max(glyph.get_bottom()[1] for glyph in label)  # 'epoch': the p hangs below the line
            number.place(np.array([label.get_left()[0] + 1.1, baseline, 0.0]))
            number.add_updater(lambda mob, value_at=value_at: mob.set_value(value_at(self.frame.get_value())))
            labels.append(label)
            numbers.append(number)
        return labels, numbers

    def banner(self) -> mn.VGroup:
        """Beside the plot, under the readouts: the escaping path is never hidden."""
        return self.divergence_banner(21, max_width=3.5, narrow=True).move_to(np.array([5.0, -2.0, 0.0]))

    # --- the clock -----------------------------------------------------------------------------------------------

    def play_segments(self, keys: np.ndarray, banner: mn.VGroup | None) -> None:
        """Play the plan frame by frame: a zoom-out ends on the first frame that needs it; the banner fades in
        once a diverged run has stopped. Exactly plan.n_frames frames, frame i showing plan.epochs[i]."""
        fps = float(mn.config.frame_rate)
        motion, cursor = self.plan.motion_frames, 0
        transition = max(1, round(TRANSITION_SECONDS * fps))
        for change in (f for f in range(1, motion) if keys[f] != keys[f - 1]):
            start = max(cursor, change - transition)
            if start > cursor:
                self.play_frames(cursor, start)
            self.mark_step(f"zoom out at frame {change}")
            self.zoom_to(int(keys[change]), start, change)
            cursor = change
        if banner is not None:
            stopped = int(np.argmax(self.plan.epochs >= self.run.trajectory.epochs_run))
            if stopped > cursor:
                self.play_frames(cursor, max(cursor, stopped))
            cursor = max(cursor, stopped)
            self.mark_step("why it diverged")
            fade = min(self.plan.n_frames - cursor, max(1, round(BANNER_FADE_SECONDS * fps)))
            self.play_frames(cursor, cursor + fade, mn.FadeIn(banner, rate_func=mn.linear))
            cursor += fade
        if self.plan.n_frames > cursor:
            self.play_frames(cursor, self.plan.n_frames)
        self.banner_shown = banner

    def play_frames(self, start: int, stop: int, *animations: mn.Animation) -> None:
        """Frames start … stop − 1, the tracker exactly on each frame (run time n − ½ frames: arange gives n; one
        frame takes a whole frame's time, Manim's shortest)."""
        span = stop - start - 0.5 if stop - start > 1 else 1.0

        def step(tracker: mn.Mobject, alpha: float) -> None:
            value = alpha * span
            tracker.set_value(start + (round(value) if abs(value - round(value)) < 1e-6 else value))

        self.play(mn.UpdateFromAlphaFunc(self.frame, step, rate_func=mn.linear), *animations,
                  run_time=span / float(mn.config.frame_rate))

    def zoom_to(self, key: int, start: int, stop: int) -> None:
        """Morph rings and markers to the zoomed-out view over frames start … stop − 1 (the path follows the same
        blend) while the tick numbers cross-fade; frame `stop` shows the new view."""
        frames = stop - start
        self.past_views.append((self.view.low, self.view.high))
        self.view_from, self.view = self.view, self.make_view(key)
        numbers, plot = self.numbers(self.view), self.drawing(self.view)

        def progress(alpha: float) -> float:  # frame k of the transition shows smooth((k + 1)/(frames + 1))
            return 1.0 if alpha >= 1 else mn.smooth((alpha * (frames - 0.5) + 1) / (frames + 1))

        def first_half(alpha: float) -> float:
            return handover(progress(alpha))[0]

        def second_half(alpha: float) -> float:
            return handover(progress(alpha))[1]

        blend = mn.UpdateFromAlphaFunc(self.blend, lambda tracker, alpha: tracker.set_value(progress(alpha)),
                                       rate_func=mn.linear)
        self.play_frames(start, stop, mn.ReplacementTransform(self.plot, plot, rate_func=progress),
                         mn.FadeOut(self.tick_numbers, rate_func=first_half),
                         mn.FadeIn(numbers, rate_func=second_half), blend)
        self.bring_to_back(numbers)  # among the static mobjects again: drawn once per play, not every frame
        self.tick_numbers, self.plot, self.view_from = numbers, plot, self.view


def handover(progress: float) -> tuple[float, float]:
    """How far the old tick numbers have faded out and the new ones in at a zoom's progress (0 to 1): the old are
    gone by half-way, and only then do the new come in, so two sets of numbers are never on screen together."""
    return min(1.0, 2.0 * progress), max(0.0, 2.0 * progress - 1.0)


def tick_exponent(ticks: np.ndarray) -> int:
    """k for numbers shown as multiples of 10^k: 0 unless the ticks reach 10⁴ (then '3' and '×10⁷', not '3e+07')."""
    top = float(np.max(np.abs(ticks))) if len(ticks) else 0.0
    return math.floor(math.log10(top)) if top >= 1e4 else 0


def fits(mobject: mn.Mobject, box: tuple[np.ndarray, np.ndarray]) -> bool:
    low, high = box
    return bool(mobject.get_left()[0] >= low[0] and mobject.get_right()[0] <= high[0]
                and mobject.get_bottom()[1] >= low[1] and mobject.get_top()[1] <= high[1])


def overlaps(first: mn.Mobject, second: mn.Mobject) -> bool:
    return not (first.get_right()[0] < second.get_left()[0] or second.get_right()[0] < first.get_left()[0]
                or first.get_top()[1] < second.get_bottom()[1] or second.get_top()[1] < first.get_bottom()[1])
