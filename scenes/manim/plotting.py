"""A small plotting kit for Manim scenes whose views move every frame: screen rectangles and data windows,
clipping, shapes pooled and redrawn, numbers drawn from glyph outlines, views that follow an escaping run, and the
panels built from them (loss contours with the path, the fitted line over the data, the loss on a log scale). The
views follow an escaping run as every engine does (scenes.limits.Follow).

Manim's Axes and Text are made once and stay put; these pieces cost well under a millisecond a frame, so a panel can
be redrawn from scratch each frame when its view follows a diverging run.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import manim as mn
import numpy as np

from gdcore.experiment import Experiment
from gdcore.slices import FLAT_RTOL, default_axes, optimum_slice
from scenes.limits import EMPTY_LOG_LIMITS, Follow, base_box, log_limits, no_worse_than_start
from scenes.mpl.ghost import theory_loss, theory_weights
from scenes.theme import Palette

PAD = 0.08  # room around the data and the line, as a fraction of their range
HEADROOM = math.log10(2.0)  # a followed loss view's top: twice the largest loss shown so far
RING_SAMPLES = 97  # points on each contour ellipse (closed: the last repeats the first)
RINGS = 10  # contour rings across the unzoomed view, evenly spaced (the loss grows as their radius squared)
REFERENCE_FONT = 15.0  # the type size at which Style.unit is 1 (a regimes grid cell's)
# gd's theory path w* + (I − ηH)ᵏ(w₀ − w*), drawn faint under the run (as scenes.mpl.ghost.THEORY_STYLE): thin,
# dashed, half transparent, in the palette's foreground.
THEORY_WIDTH, THEORY_OPACITY, THEORY_DASH = 1.6, 0.6, 0.07
MAX_DASHES = 200

# ---------------------------------------------------------------------------------------------------------
# Geometry: screen rectangles, data windows, clipping, and cheap multi-path mobjects.


@dataclass(frozen=True)
class Rect:
    """A rectangle on screen, in Manim units."""

    left: float
    bottom: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def top(self) -> float:
        return self.bottom + self.height


@dataclass(frozen=True)
class Window:
    """The data a plot shows: x_low..x_high across, y_low..y_high up."""

    x_low: float
    x_high: float
    y_low: float
    y_high: float

    @property
    def low(self) -> np.ndarray:
        return np.array([self.x_low, self.y_low])

    @property
    def high(self) -> np.ndarray:
        return np.array([self.x_high, self.y_high])

    def to_screen(self, rect: Rect, points: np.ndarray) -> np.ndarray:
        """Data points of shape (m, 2) → screen points of shape (m, 3)."""
        points = np.asarray(points, dtype=float).reshape(-1, 2)
        unit = (points - self.low) / (self.high - self.low)
        return np.column_stack([rect.left + unit[:, 0] * rect.width, rect.bottom + unit[:, 1] * rect.height,
                                np.zeros(len(unit))])

    def to_data(self, rect: Rect, point: np.ndarray) -> np.ndarray:
        """A screen point → its data coordinates, shape (2,)."""
        unit = np.array([(point[0] - rect.left) / rect.width, (point[1] - rect.bottom) / rect.height])
        return self.low + unit * (self.high - self.low)


ROUND_MULTIPLES = (1, 2, 2.5, 5, 10)  # a round step is one of these × 10^k


def round_step(raw: float) -> float:
    """The smallest round step (1, 2, 2.5 or 5 × 10^k) of at least `raw` > 0."""
    magnitude = 10.0 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in ROUND_MULTIPLES if m * magnitude >= raw)


def nice_ticks(low: float, high: float, count: int = 4, integer: bool = False) -> np.ndarray:
    """Round-numbered ticks inside low..high, about `count` of them and never fewer than two (whole numbers only
    if `integer`)."""
    raw = max(high - low, 1e-300) / count
    magnitude = 10.0 ** math.floor(math.log10(raw))
    multiples = (1, 2, 5, 10) if integer else ROUND_MULTIPLES
    steps = [m * magnitude for m in multiples if not integer or m * magnitude >= 1]
    # the coarsest round step no finer than raw; a finer one where that leaves fewer than two ticks inside
    candidates = [step for step in steps if step < raw][::-1]
    chosen = next(step for step in steps if step >= raw)
    ticks = _ticks_at(low, high, chosen)
    for finer in candidates:
        if len(ticks) >= 2:
            break
        ticks = _ticks_at(low, high, finer)
    return ticks


def _ticks_at(low: float, high: float, step: float) -> np.ndarray:
    first, last = math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)
    ticks = np.arange(first, last + 1) * step
    return np.where(np.abs(ticks) < step * 1e-9, 0.0, ticks)


def clip_polyline(points: np.ndarray, low: np.ndarray, high: np.ndarray) -> list[np.ndarray]:
    """The parts of a polyline (m, 2) inside the box low..high, each (k, 2), cut where it crosses an edge.

    Liang–Barsky on every segment at once: p + t·(q − p) is inside for t in [t0, t1].
    """
    if np.all((points >= low) & (points <= high)):
        return [points] if len(points) > 1 else []
    start, delta = points[:-1], np.diff(points, axis=0)
    t0, t1 = np.zeros(len(start)), np.ones(len(start))
    inside = np.ones(len(start), dtype=bool)
    for axis in (0, 1):
        for towards, room in ((-delta[:, axis], start[:, axis] - low[axis]),
                              (delta[:, axis], high[axis] - start[:, axis])):
            parallel = towards == 0
            inside &= ~(parallel & (room < 0))
            ratio = np.divide(room, towards, out=np.zeros_like(room), where=~parallel)
            t0 = np.where(~parallel & (towards < 0), np.maximum(t0, ratio), t0)
            t1 = np.where(~parallel & (towards > 0), np.minimum(t1, ratio), t1)
    kept = np.flatnonzero(inside & (t0 <= t1))
    if not len(kept):
        return []
    # A piece goes on through the next segment when that one is kept whole at the joint.
    joined = (np.diff(kept) == 1) & (t1[kept[:-1]] == 1.0) & (t0[kept[1:]] == 0.0)
    heads, tails = start + t0[:, None] * delta, start + t1[:, None] * delta
    return [np.vstack([heads[group[0]], tails[group]]) for group in np.split(kept, np.flatnonzero(~joined) + 1)]


class ShapePool:
    """VMobjects reused frame after frame. Making one costs ~0.3 ms (colours parsed, arrays set up) and a cell
    redraws a dozen a frame; handing back last frame's mobject of the same style costs only its new points."""

    def __init__(self) -> None:
        self.made: dict[tuple[object, ...], list[mn.VMobject]] = {}
        self.taken: dict[tuple[object, ...], int] = {}

    def take(self, key: tuple[object, ...]) -> mn.VMobject:
        index = self.taken.get(key, 0)
        self.taken[key] = index + 1
        made = self.made.setdefault(key, [])
        if index == len(made):
            made.append(new_shape(*key))  # type: ignore[arg-type]
        return made[index]


_POOLS: list[ShapePool] = []  # the pool of the group being redrawn, if any


def new_shape(stroke: tuple[str, float, float] | None, fill: tuple[str, float] | None) -> mn.VMobject:
    stroke_color, stroke_width, stroke_opacity = stroke or ("#000000", 0.0, 0.0)
    fill_color, fill_opacity = fill or ("#000000", 0.0)
    return mn.VMobject(stroke_color=stroke_color, stroke_width=stroke_width, stroke_opacity=stroke_opacity,
                       fill_color=fill_color, fill_opacity=fill_opacity)


def shape(stroke: tuple[str, float, float] | None = None, fill: tuple[str, float] | None = None) -> mn.VMobject:
    """An empty VMobject with this stroke (colour, width, opacity) and fill (colour, opacity): from the active
    pool while a Redrawn group draws, else new."""
    if _POOLS:
        mob = _POOLS[-1].take((stroke, fill))
        mob.clear_points()
        return mob
    return new_shape(stroke, fill)


def strokes(pieces: Sequence[np.ndarray], color: str, width: float, opacity: float = 1.0) -> mn.VMobject:
    """One VMobject drawing every screen polyline in `pieces` (each (k, 3)): one mobject, many subpaths.

    Each segment a→b is the straight cubic Bézier a, a + (b − a)/3, a + 2(b − a)/3, b.
    """
    mob = shape(stroke=(color, width, opacity))
    curves = []
    for piece in pieces:
        if len(piece) > 1:
            a, b = piece[:-1], piece[1:]
            curves.append(np.stack([a, a + (b - a) / 3, a + 2 * (b - a) / 3, b], axis=1).reshape(-1, 3))
    if curves:
        mob.set_points(np.concatenate(curves))
    return mob


_UNIT_CIRCLE: list[np.ndarray] = []


def circle_points(centre: np.ndarray, radius: float) -> np.ndarray:
    """The Bézier points of a circle (Manim's own), without making a Circle mobject."""
    if not _UNIT_CIRCLE:
        _UNIT_CIRCLE.append(mn.Circle(radius=1.0).points.copy())
    return _UNIT_CIRCLE[0] * radius + np.asarray(centre)


def disks(centres: np.ndarray, radius: float, color: str, opacity: float = 1.0) -> mn.VMobject:
    """Filled circles at screen points (m, 3), all in one VMobject (a Dot each costs a mobject a frame)."""
    mob = shape(fill=(color, opacity))
    mob.set_points(np.concatenate([circle_points(centre, radius) for centre in np.asarray(centres)]))
    return mob


def dashes(start: np.ndarray, end: np.ndarray, dash: float) -> list[np.ndarray]:
    """A dashed screen segment as pieces: dash, gap, dash, ..."""
    count = max(int(float(np.linalg.norm(end - start)) / (2 * dash)), 1)
    cuts = np.linspace(0.0, 1.0, 2 * count + 1)
    return [np.array([start + (end - start) * a, start + (end - start) * b]) for a, b in zip(cuts[:-1:2], cuts[1::2],
                                                                                             strict=True)]


def dash_curves(pieces: Sequence[np.ndarray], dash: float) -> np.ndarray:
    """The screen polylines `pieces` (each (k, 3)) cut into dashes `dash` long with gaps as long, by arc length s
    along all of them: Manim's Bézier points, shape (4m, 3), one straight cubic per piece of a dash (consecutive
    cubics that meet make one subpath). Vectorised: an escape zigzagging across a view is ~100 pieces a frame."""
    segments = [np.stack([piece[:-1], piece[1:]], axis=1) for piece in pieces if len(piece) > 1]
    if not segments:
        return np.zeros((0, 3))
    ends_of = np.concatenate(segments)  # (m, 2, 3): each segment's two ends
    lengths = np.linalg.norm(ends_of[:, 1] - ends_of[:, 0], axis=1)
    stops = np.cumsum(lengths)
    starts = stops - lengths
    if stops[-1] <= 0:
        return np.zeros((0, 3))
    knots = np.union1d(np.concatenate([starts, stops]), np.arange(0.0, stops[-1], dash))
    low, high = knots[:-1], knots[1:]
    middle = (low + high) / 2
    kept = (np.floor(middle / dash).astype(int) % 2 == 0) & (high > low)  # even: a dash; odd: a gap
    low, high, middle = low[kept], high[kept], middle[kept]
    owner = np.minimum(np.searchsorted(stops, middle), len(lengths) - 1)  # the segment each piece lies on
    first, direction = ends_of[owner, 0], ends_of[owner, 1] - ends_of[owner, 0]
    scale = np.maximum(lengths[owner], 1e-300)
    a = first + ((low - starts[owner]) / scale)[:, None] * direction
    b = first + ((high - starts[owner]) / scale)[:, None] * direction
    return np.stack([a, a + (b - a) / 3, a + 2 * (b - a) / 3, b], axis=1).reshape(-1, 3)


def theory_strokes(pieces: Sequence[np.ndarray], color: str, unit: float = 1.0) -> mn.VMobject:
    """gd's theory path, faint: the screen polylines `pieces` (each (k, 3), already clipped to the view) dashed in
    `color` (the palette's foreground, where the background is the page's); dashes and width scale with `unit`. A
    long path (an escape zigzagging across a followed view) gets longer dashes, at most MAX_DASHES in all: each
    dash is a subpath cairo strokes every frame."""
    length = sum(float(np.sum(np.linalg.norm(np.diff(piece, axis=0), axis=1))) for piece in pieces if len(piece))
    mob = shape(stroke=(color, THEORY_WIDTH * unit, THEORY_OPACITY))
    curves = dash_curves(pieces, max(THEORY_DASH * unit, length / (2 * MAX_DASHES)))
    if len(curves):
        mob.set_points(curves)
    return mob


# Numbers on screen change every frame: a Text per number per frame would cost ~50 ms. These strings are drawn
# from glyph outlines cut once from one Text per type size, all the strings of a panel in ONE VMobject.

GLYPH_CHARACTERS = "0123456789.-−+e×"


@dataclass(frozen=True)
class GlyphTable:
    """Each character's outline relative to its pen position on the baseline, its advance, the digits' height."""

    outlines: dict[str, np.ndarray]
    advances: dict[str, float]
    height: float


_GLYPHS: dict[float, GlyphTable] = {}


def glyph_table(font_size: float) -> GlyphTable:
    """Cut from one Text '00' + '0'.join(characters) + '0': the zeros between the characters measure each
    character's true advance and bearing (a glyph's left edge is not its pen position)."""
    if font_size not in _GLYPHS:
        others = GLYPH_CHARACTERS[1:]
        text = mn.Text("00" + "0".join(others) + "0", font_size=font_size)
        lefts = np.array([glyph.get_left()[0] for glyph in text])
        zero = text[0]
        baseline, zero_advance = zero.get_bottom()[1], lefts[1] - lefts[0]
        outlines = {"0": zero.points - np.array([lefts[0], baseline, 0.0])}
        advances = {"0": zero_advance}
        for k, character in enumerate(others):
            before = 1 + 2 * k  # the zero before the character
            pen = lefts[before] + zero_advance
            outlines[character] = text[before + 1].points - np.array([pen, baseline, 0.0])
            advances[character] = lefts[before + 2] - lefts[before] - zero_advance
        _GLYPHS[font_size] = GlyphTable(outlines, advances, float(zero.height))
    return _GLYPHS[font_size]


def glyph_width(text: str, font_size: float) -> float:
    advances = glyph_table(font_size).advances
    return float(sum(advances[character] for character in text))


def glyph_points(text: str, font_size: float, corner: np.ndarray) -> list[np.ndarray]:
    """The outlines of `text` with its pen starting at `corner` on the baseline."""
    table = glyph_table(font_size)
    points, offset = [], 0.0
    for character in text:
        points.append(table.outlines[character] + corner + np.array([offset, 0.0, 0.0]))
        offset += table.advances[character]
    return points


def glyph_mobject(points: Sequence[np.ndarray], color: str) -> mn.VMobject:
    mob = shape(fill=(color, 1.0))
    if points:
        mob.set_points(np.concatenate(points))
    return mob


def number_label(value: float) -> tuple[str, int | None]:
    """A tick's number as (text, exponent): 0.5 → ('0.5', None); −2e6 → ('−2×10', 6); true minus signs."""
    if value == 0 or 1e-3 <= abs(value) < 1e4:
        return f"{value:g}".replace("-", "−"), None
    exponent = math.floor(math.log10(abs(value)))
    mantissa = f"{value / 10.0**exponent:.3g}"
    text = "10" if mantissa == "1" else "−10" if mantissa == "-1" else f"{mantissa}×10"
    return text.replace("-", "−"), exponent


def label_points(text: str, exponent: int | None, font_size: float, anchor: np.ndarray,
                 align: str) -> list[np.ndarray]:
    """A label with an optional raised exponent, its baseline at anchor's height; align: 'centre' (anchor at the
    middle) or 'right' (anchor at the right end)."""
    small = font_size * 0.68
    power = "" if exponent is None else str(exponent).replace("-", "−")
    width = glyph_width(text, font_size) + glyph_width(power, small)
    left = anchor[0] - (width / 2 if align == "centre" else width)
    corner = np.array([left, anchor[1], 0.0])
    points = glyph_points(text, font_size, corner)
    if power:
        raised = corner + np.array([glyph_width(text, font_size), 0.55 * glyph_table(font_size).height, 0.0])
        points += glyph_points(power, small, raised)
    return points


# ---------------------------------------------------------------------------------------------------------
# Reading a run between its epochs.


def interpolate(rows: np.ndarray, epoch: float) -> np.ndarray:
    """rows (n_epochs + 1, ...) linearly interpolated at a fractional epoch (clipped to the last row)."""
    epoch = min(max(epoch, 0.0), len(rows) - 1.0)
    low = math.floor(epoch)
    high = min(low + 1, len(rows) - 1)
    return rows[low] + (epoch - low) * (rows[high] - rows[low])


# ---------------------------------------------------------------------------------------------------------
# The panels of a cell. Each draws itself into a screen rectangle at a fractional epoch: `frame_parts` never
# change, `view_parts` change only when the view moves, `moving_parts` change every frame.


class FlatText(mn.VMobject):
    """A Text's outlines as ONE VMobject: copying a Text deep-copies a mobject per letter (~10 ms), this one
    copies one array. `baseline` follows the text when it moves."""

    def __init__(self, text: mn.Text, color: str) -> None:
        super().__init__(fill_color=color, fill_opacity=1.0, stroke_width=0.0)
        self.set_points(np.concatenate([glyph.points for glyph in text.family_members_with_points()]))
        # the last letter of 'epoch', 'loss', 'w1' ... sits on the baseline (no descender)
        self.baseline_drop = text[-1].get_bottom()[1] - text.get_bottom()[1]

    @property
    def baseline(self) -> float:
        return float(self.get_bottom()[1] + self.baseline_drop)


class TextCache:
    """Text is slow to make (~50 ms, an SVG parse): each distinct text is made once, then copied flat."""

    def __init__(self) -> None:
        self.made: dict[tuple[str, float, str, str], FlatText] = {}

    def __call__(self, content: str, font_size: float, color: str, weight: str = mn.NORMAL) -> FlatText:
        key = (content, font_size, color, weight)
        if key not in self.made:
            self.made[key] = FlatText(mn.Text(content, font_size=font_size, color=color, weight=weight), color)
        return self.made[key].copy()


@dataclass(frozen=True)
class Style:
    """What a panel draws with: the palette, the run's colour and the text size of its layout."""

    colors: Palette
    color: str
    font: float
    texts: TextCache = field(compare=False, hash=False, repr=False)
    ticks: int = 3  # about how many numbered ticks an axis of a model panel gets

    @property
    def tick_font(self) -> float:
        return self.font * 0.82

    @property
    def unit(self) -> float:
        """Marker sizes and gaps grow with the text: 1 at the grid's type size."""
        return self.font / REFERENCE_FONT


def frame_lines(rect: Rect, style: Style) -> mn.VMobject:
    """The left and bottom spines."""
    corner = [np.array([rect.left, rect.top, 0]), np.array([rect.left, rect.bottom, 0]),
              np.array([rect.right, rect.bottom, 0])]
    return strokes([np.array(corner)], style.colors.foreground, 1.6)


def ticks(rect: Rect, window: Window, style: Style, x_values: np.ndarray, y_values: np.ndarray,
          y_powers: bool = False, x_powers: bool = False) -> list[mn.Mobject]:
    """Tick marks on both spines and their numbers, as two mobjects; y_powers (x_powers) labels the y (x) ticks
    10^k, k the tick's value (a log axis in log10 units)."""
    size, buff, font = 0.06 * style.unit, 0.08 * style.unit, style.tick_font
    height = glyph_table(font).height
    x_points = window.to_screen(rect, np.column_stack([x_values, np.full(len(x_values), window.y_low)]))
    y_points = window.to_screen(rect, np.column_stack([np.full(len(y_values), window.x_low), y_values]))
    marks = [np.array([p, p + mn.DOWN * size]) for p in x_points] + [np.array([p, p + mn.LEFT * size])
                                                                      for p in y_points]
    labels: list[np.ndarray] = []
    for value, point in zip(x_values, x_points, strict=True):
        text, exponent = ("10", round(value)) if x_powers else number_label(value)
        labels += label_points(text, exponent, font, point + mn.DOWN * (size + buff + height), "centre")
    for value, point in zip(y_values, y_points, strict=True):
        text, exponent = ("10", round(value)) if y_powers else number_label(value)
        labels += label_points(text, exponent, font, point + np.array([-size - buff, -height / 2, 0]), "right")
    return [strokes(marks, style.colors.foreground, 1.4), glyph_mobject(labels, style.colors.foreground)]


def axis_names(rect: Rect, style: Style, x_name: str, y_name: str) -> list[mn.Mobject]:
    """The x name centred under the tick numbers, the y name above the y-axis."""
    size = style.font * 0.9
    x_text = style.texts(x_name, size, style.colors.foreground)
    x_text.move_to(np.array([(rect.left + rect.right) / 2, rect.bottom - 0.38 * style.unit, 0]), aligned_edge=mn.UP)
    y_text = style.texts(y_name, size, style.colors.foreground)
    y_text.move_to(np.array([rect.left - 0.45 * style.unit, rect.top + 0.12 * style.unit, 0]), aligned_edge=mn.DL)
    return [x_text, y_text]


class ContourPanel:
    """The path across the loss contours of two parameters, the others held at the optimum (as gdviz's matplotlib
    contour scene). The contours are exact ellipses: on that slice the loss is L* + dᵀMd with d = w − w*."""

    def __init__(self, run: Experiment, theory: bool = False) -> None:
        """theory: also draw constant-rate gd's exact path faint (nothing for other optimisers)."""
        problem = run.problem
        self.params = default_axes(problem.n_params)
        self.slice = optimum_slice(problem, self.params)
        index = list(self.params)
        names = run.dataset.param_names
        ghost = theory_weights(run) if theory else None
        self.plane(self.slice.matrix, np.asarray(problem.closed_form[index]),
                   np.asarray(run.trajectory.weights[:, index]), run.trajectory.loss,
                   (names[self.params[0]], names[self.params[1]]), None if ghost is None else ghost[:, index])

    def plane(self, matrix: np.ndarray, optimum: np.ndarray, path: np.ndarray, loss: np.ndarray,
              names: tuple[str, str], theory_path: np.ndarray | None) -> None:
        """Set up the plane drawn: the loss is L* + dᵀMd with d = u − optimum (matrix M, shape (2, 2)), the run's
        path (n_epochs + 1, 2) with its loss (n_epochs + 1,), the axes' names, gd's theory path (k, 2) or None."""
        self.matrix, self.path, self.optimum, self.names = np.asarray(matrix), path, optimum, names
        self.theory_path = theory_path
        box = base_box(self.path, loss, self.optimum)
        self.follow = Follow(box.centre, box.half_width, self.path[:, :, None])
        values, vectors = np.linalg.eigh(self.matrix)
        values = np.maximum(values, FLAT_RTOL * max(float(values[-1]), 1e-300))  # as Slice.principal_axes
        angles = np.linspace(0.0, 2 * np.pi, RING_SAMPLES)
        # d = M^(-1/2)·(cos t, sin t) runs round the ring dᵀMd = 1
        inverse_root = vectors @ np.diag(values**-0.5) @ vectors.T
        self.unit_ring = (inverse_root @ np.vstack([np.cos(angles), np.sin(angles)])).T
        self.base_radius = self.corner_radius(self.window_at(0.0))

    def window_at(self, epoch: float) -> Window:
        half = self.follow.half_at(epoch, interpolate(self.path, epoch)[:, None])
        low, high = self.follow.centre - half, self.follow.centre + half
        return Window(low[0], high[0], low[1], high[1])

    def corner_radius(self, window: Window) -> float:
        """The ring radius √(dᵀMd) that reaches the view's farthest corner."""
        corners = np.array([[x, y] for x in (window.x_low, window.x_high) for y in (window.y_low, window.y_high)])
        offsets = corners - self.optimum
        return float(np.sqrt(max(np.einsum("ki,ij,kj->k", offsets, self.matrix, offsets).max(), 0.0)))

    def ring_radii(self, window: Window) -> np.ndarray:
        """Evenly spaced rings across the unzoomed view, then rings at doubling radii beyond it; rings crowded
        into the middle of a zoomed-out view are thinned to stay apart on screen."""
        reach = self.corner_radius(window)
        doublings = max(0, math.ceil(math.log2(max(reach / self.base_radius, 1.0))))
        radii = np.concatenate([self.base_radius * np.arange(1, RINGS + 1) / RINGS,
                                self.base_radius * 2.0 ** np.arange(1, doublings + 1)])
        kept: list[float] = []
        for radius in radii[radii <= reach]:
            if radius / reach >= 0.04 and (not kept or (radius - kept[-1]) / reach >= 0.035):
                kept.append(float(radius))
        return np.array(kept)

    def frame_parts(self, rect: Rect, style: Style) -> list[mn.Mobject]:
        return [frame_lines(rect, style), *axis_names(rect, style, *self.names)]

    def view_parts(self, rect: Rect, style: Style, window: Window) -> list[mn.Mobject]:
        """Contour rings, gd's theory path (if drawn), the optimum ×, the start ○, ticks."""
        rings = [window.to_screen(rect, piece) for radius in self.ring_radii(window)
                 for piece in clip_polyline(self.optimum + radius * self.unit_ring, window.low, window.high)]
        theory = [] if self.theory_path is None else [theory_strokes(
            [window.to_screen(rect, piece) for piece in clip_polyline(self.theory_path, window.low, window.high)],
            style.colors.foreground, style.unit)]
        optimum = window.to_screen(rect, self.optimum)[0]
        size = 0.07 * style.unit
        cross = [np.array([optimum + size * np.array([-1, -1, 0]), optimum + size * np.array([1, 1, 0])]),
                 np.array([optimum + size * np.array([-1, 1, 0]), optimum + size * np.array([1, -1, 0])])]
        start = shape(stroke=(style.color, 2.0, 1.0))
        start.set_points(circle_points(window.to_screen(rect, self.path[0])[0], 0.065 * style.unit))
        return [strokes(rings, style.colors.muted, 1.3), *theory, strokes(cross, style.colors.optimum, 2.5), start,
                *ticks(rect, window, style, nice_ticks(window.x_low, window.x_high, style.ticks),
                       nice_ticks(window.y_low, window.y_high, style.ticks))]

    def moving_parts(self, rect: Rect, style: Style, window: Window, epoch: float) -> list[mn.Mobject]:
        shown = np.vstack([self.path[: math.floor(epoch) + 1], interpolate(self.path, epoch)[None, :]])
        pieces = [window.to_screen(rect, piece) for piece in clip_polyline(shown, window.low, window.high)]
        return [strokes(pieces, style.color, 2.6), disks(window.to_screen(rect, shown[-1]), 0.07 * style.unit,
                                                         style.color)]

    def head_at(self, epoch: float) -> np.ndarray:
        """The (w_i, w_j) shown at an epoch: shape (2,)."""
        return interpolate(self.path, epoch)


class LinePanel:
    """The data and the fitted line ŷ = b + w·x (any other features held at their means)."""

    def __init__(self, run: Experiment) -> None:
        dataset, weights = run.dataset, run.trajectory.weights
        self.x, self.y = dataset.features[:, 0], dataset.target
        held = dataset.features[:, 1:].mean(axis=0)
        pad = 0.05 * (np.ptp(self.x) or 1.0)
        self.x_ends = np.array([self.x.min() - pad, self.x.max() + pad])
        self.ends = weights[:, :1] + weights[:, 2:] @ held[:, None] + weights[:, 1:2] * self.x_ends  # (n+1, 2)
        settled = self.ends[no_worse_than_start(run.trajectory.loss)]
        low, high = min(self.y.min(), settled.min()), max(self.y.max(), settled.max())
        half = (high - low or 1.0) * (0.5 + PAD)
        self.follow = Follow(np.array([(low + high) / 2]), np.array([half]), self.ends[:, None, :])
        self.names = (dataset.feature_names[0], dataset.target_name)

    def window_at(self, epoch: float) -> Window:
        half = self.follow.half_at(epoch, interpolate(self.ends, epoch)[None, :])[0]
        centre = self.follow.centre[0]
        return Window(self.x_ends[0], self.x_ends[1], centre - half, centre + half)

    def frame_parts(self, rect: Rect, style: Style) -> list[mn.Mobject]:
        return [frame_lines(rect, style), *axis_names(rect, style, *self.names)]

    def view_parts(self, rect: Rect, style: Style, window: Window) -> list[mn.Mobject]:
        dots = disks(window.to_screen(rect, np.column_stack([self.x, self.y])), 0.035 * style.unit,
                     style.colors.data, 0.75)
        return [dots, *ticks(rect, window, style, nice_ticks(window.x_low, window.x_high, style.ticks),
                             nice_ticks(window.y_low, window.y_high, style.ticks))]

    def moving_parts(self, rect: Rect, style: Style, window: Window, epoch: float) -> list[mn.Mobject]:
        line = np.column_stack([self.x_ends, interpolate(self.ends, epoch)])
        pieces = [window.to_screen(rect, piece) for piece in clip_polyline(line, window.low, window.high)]
        return [strokes(pieces, style.color, 4.0)]

    def head_at(self, epoch: float) -> np.ndarray:
        """ŷ at both ends of the x-range at an epoch: shape (2,)."""
        return interpolate(self.ends, epoch)


class LossPanel:
    """log10(loss) against the epoch up to the current one, the closed-form minimum dashed. An escaping run pushes
    the top of the view up with it (the bottom stays), so the curve never leaves the panel."""

    def __init__(self, run: Experiment, planned_epochs: int, theory: bool = False) -> None:
        """theory: also draw the loss along constant-rate gd's exact path faint (nothing for other optimisers)."""
        trajectory = run.trajectory
        self.run = run
        self.minimum = run.problem.closed_form_loss
        low, high = log_limits(trajectory.loss[no_worse_than_start(trajectory.loss)], self.minimum) or EMPTY_LOG_LIMITS
        self.y_low, self.y_high = math.log10(low), math.log10(high)
        self.log_loss = self.log(trajectory.loss)
        self.top_so_far = np.maximum.accumulate(self.log_loss)
        self.moves = bool(self.top_so_far[-1] + HEADROOM > self.y_high)
        stopped_early = trajectory.status != "max_epochs"
        self.x_high = float(max(trajectory.epochs_run if stopped_early else planned_epochs, 1))
        ghost = theory_loss(run) if theory else None
        self.theory_log_loss = None if ghost is None else self.log(ghost)

    def log(self, loss: np.ndarray | float) -> np.ndarray:
        """log10 of the loss, floored at the bottom of the view (a perfect fit's zero stays on the axis)."""
        return np.log10(np.maximum(loss, 10.0**self.y_low))

    def log_loss_at(self, epoch: float) -> float:
        """log10 of the loss between two epochs, interpolated linearly in log space: the curve of loss against
        epoch grows smoothly (the loss at interpolated weights would dip wherever a step crosses the valley)."""
        return float(np.interp(epoch, np.arange(len(self.log_loss)), self.log_loss))

    def loss_at_epoch(self, epoch: float) -> float:
        """The trajectory's loss at the whole epoch a readout shows for `epoch` (rounded, as it prints)."""
        return float(self.run.trajectory.loss[min(round(epoch), len(self.log_loss) - 1)])

    def window_at(self, epoch: float) -> Window:
        top = self.y_high
        if self.moves:
            so_far = self.top_so_far[min(math.floor(epoch), len(self.top_so_far) - 1)]
            top = max(top, max(float(so_far), self.log_loss_at(epoch)) + HEADROOM)
        return Window(0.0, self.x_high, self.y_low, top)

    def frame_parts(self, rect: Rect, style: Style) -> list[mn.Mobject]:
        window = Window(0.0, self.x_high, self.y_low, self.y_high)
        return [frame_lines(rect, style), *ticks(rect, window, style, nice_ticks(0.0, self.x_high, 3), np.array([])),
                *axis_names(rect, style, "epoch", "loss, log scale")]

    def view_parts(self, rect: Rect, style: Style, window: Window) -> list[mn.Mobject]:
        decades = nice_ticks(window.y_low, window.y_high, 4, integer=True)
        parts = ticks(rect, window, style, np.array([]), decades, y_powers=True)
        level = math.log10(self.minimum) if self.minimum > 0 else -math.inf
        pieces = []
        if window.y_low <= level <= window.y_high:
            ends = window.to_screen(rect, np.array([[0.0, level], [self.x_high, level]]))
            pieces = dashes(ends[0], ends[1], 0.07 * style.unit)
        theory = [] if self.theory_log_loss is None else [theory_strokes(
            [window.to_screen(rect, piece) for piece in clip_polyline(
                np.column_stack([np.arange(len(self.theory_log_loss), dtype=float), self.theory_log_loss]),
                window.low, window.high)], style.colors.foreground, style.unit)]
        return [*parts, strokes(pieces, style.colors.optimum, 1.4), *theory]

    def moving_parts(self, rect: Rect, style: Style, window: Window, epoch: float) -> list[mn.Mobject]:
        whole = math.floor(epoch)
        epochs = np.append(np.arange(whole + 1, dtype=float), epoch)
        values = np.append(self.log_loss[: whole + 1], self.log_loss_at(epoch))
        curve = np.column_stack([epochs, np.maximum(values, window.y_low)])
        pieces = [window.to_screen(rect, piece) for piece in clip_polyline(curve, window.low, window.high)]
        return [strokes(pieces, style.color, 3.0), disks(window.to_screen(rect, curve[-1]), 0.06 * style.unit,
                                                         style.color)]


class Redrawn(mn.VGroup):
    """A group whose parts draw() makes anew every frame, from a pool of reused shapes (no become(): old and new
    parts need not match)."""

    def __init__(self, draw: Callable[[], list[mn.Mobject]]) -> None:
        super().__init__()
        self.draw, self.pool = draw, ShapePool()
        self.redraw()
        self.add_updater(lambda group: group.redraw())

    def redraw(self) -> None:
        previous = self.get_family()[1:]
        self.pool.taken.clear()
        _POOLS.append(self.pool)
        try:
            parts = list(self.draw())
        finally:
            _POOLS.pop()
        # Manim keeps drawing the parts this group had when a play began (it lists the moving family then):
        # empty the parts no longer used so that only the new ones show.
        kept = {id(mob) for part in parts for mob in part.get_family()}
        for old in previous:
            if id(old) not in kept:
                old.clear_points()
        self.submobjects = parts
