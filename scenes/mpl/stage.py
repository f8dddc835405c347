"""A figure of panels and the frame loop that draws it: static parts once, moving artists blitted on top.

A panel only draws: it reads a precomputed Trajectory at the epoch it is told. The loop redraws the static
picture only when some panel's view changes (a diverging run escaping the view, a turning camera), and then only
the axes that changed; it blits otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure, SubFigure
from matplotlib.spines import Spine
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from gdcore.frames import FramePlan
from scenes.mpl.glyphs import GlyphRenderer, draw_animated


class Panel(Protocol):
    def view_keys(self, epochs: np.ndarray) -> np.ndarray:
        """An int per frame (shape like epochs): frames with equal keys share one background (e.g. a zoom level)."""

    def set_view(self, key: int) -> None:
        """Lay out the static parts (limits, contours, surfaces, camera) for a view key."""

    def update(self, epoch: int) -> Sequence[Artist]:
        """Move the animated artists to `epoch` and return them."""


@runtime_checkable
class Settling(Protocol):
    def settle(self) -> None:
        """Place, for every frame, what depends on where the layout finally put the panel (a label's side of its
        marker, a note's corner): called once, the layout frozen (scenes.mpl.layouts._freeze)."""


@dataclass
class Stage:
    """A figure and the panels drawn on it, all reading one trajectory (or one per panel)."""

    figure: Figure
    panels: Sequence[Panel]

    def __post_init__(self) -> None:
        if not isinstance(self.figure.canvas, FigureCanvasAgg):
            FigureCanvasAgg(self.figure)

    @property
    def canvas(self) -> FigureCanvasAgg:
        return self.figure.canvas  # type: ignore[return-value]

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        width, height = self.canvas.get_width_height(physical=True)
        return int(width), int(height)

    def view_keys(self, epochs: np.ndarray) -> np.ndarray:
        """View keys of every panel for every frame: int ndarray of shape (n_frames, n_panels)."""
        return np.column_stack([panel.view_keys(epochs) for panel in self.panels])

    def set_view(self, keys: np.ndarray) -> None:
        for panel, key in zip(self.panels, keys, strict=True):
            panel.set_view(int(key))

    def update(self, epoch: int) -> list[Artist]:
        return [artist for panel in self.panels for artist in panel.update(epoch)]


def blitted_frames(stage: Stage, plan: FramePlan, redraw: Literal["changed", "all"] = "changed",
                   ) -> Iterator[np.ndarray]:
    """RGBA frames of shape (height, width, 4), one per planned frame; each valid until the next is drawn.

    A frame showing the same epoch in the same view as the one before is that picture again: it is not redrawn
    (log time repeats the early epochs over many frames, and the hold repeats the last). When the view changes,
    only the axes it changes are drawn again (StaticPicture); `redraw="all"` draws the whole figure instead (the
    same pixels, slower: for comparison).
    """
    canvas = stage.canvas
    keys = stage.view_keys(plan.epochs)
    picture = StaticPicture(stage)
    current, drawn_epoch, renderer = None, None, None
    for frame, epoch in enumerate(plan.epochs):
        if current is None or not np.array_equal(keys[frame], current):
            changed = None if current is None or redraw == "all" else keys[frame] != current
            picture.show(keys[frame], changed)
            current, drawn_epoch = keys[frame], None
            if renderer is None or renderer.renderer is not canvas.get_renderer():
                renderer = GlyphRenderer(canvas.get_renderer())  # the readouts' text from cached glyphs
        if epoch != drawn_epoch:
            picture.restore()
            for artist in stage.update(int(epoch)):
                _project_if_3d(artist)
                draw_animated(artist, renderer)  # as figure.draw_artist(artist), with the glyph cache
            drawn_epoch = epoch
        yield np.asarray(canvas.buffer_rgba())


class StaticPicture:
    """The figure without its animated artists, for one view of every panel, kept to blit the moving parts onto.

    The first view is drawn whole. After that, only the panels whose view changed are set again, and only what this
    made stale is drawn again: the region of the stale axes and texts (everything they draw, where they were and
    where they are now, and all else drawing into it) is filled with what lies under them (the figure's colour, or
    an opaque subfigure's) and those artists are drawn on it in the order a full draw draws them, which is what it
    does there. So a grid cell that zooms out redraws that cell, not the grid (regimes' divergent cell: 22 views in
    a 6 s clip). The whole figure is drawn where the stale part is most of it (measuring it would cost more than it
    saves, as for a 3D axes), where what lies under the region is not one opaque colour, or where a stale leaf's box
    as drawn is not known (it was not measured before it changed).
    """

    def __init__(self, stage: Stage) -> None:
        self.stage = stage
        self.background: Any = None
        self.leaves = _leaves(stage.figure)  # what a full draw draws over the backgrounds, in its order
        self.drawn: dict[Artist, Bbox] = {}  # leaves' drawn boxes (pixels) in the picture, where measured
        self.area = stage.figure.bbox.width * stage.figure.bbox.height

    def show(self, keys: np.ndarray, changed: np.ndarray | None) -> None:
        """Make the picture that of `keys`: `changed` flags the panels whose view differs from the picture's
        (None: draw it whole)."""
        if changed is None:
            self.stage.set_view(keys)
            self._draw_whole(self.leaves, measure=True)
            return
        for leaf in self.leaves:
            leaf.stale = False
        for panel, key, moved in zip(self.stage.panels, keys, changed, strict=True):
            if moved:
                panel.set_view(int(key))
        stale = [leaf for leaf in self.leaves if leaf.stale]
        if not stale or not self._draw_again(stale):
            self._draw_whole(stale, measure=False)  # these change together again: drawn whole again

    def restore(self) -> None:
        self.stage.canvas.restore_region(self.background)

    def _draw_whole(self, moved: Sequence[Artist], measure: bool) -> None:
        """Draw the figure whole; `measure` the leaves that `moved` where they are small enough to be drawn again
        alone the next time they change (else their boxes are forgotten: they are drawn whole again)."""
        canvas = self.stage.canvas
        canvas.draw()  # animated artists are left out of this draw
        renderer = canvas.get_renderer()
        for leaf in moved:
            self.drawn.pop(leaf, None)
            if measure and not _is_3d(leaf) and self._small([leaf], renderer):
                self.drawn[leaf] = _drawn_box(leaf, renderer)
        self.background = canvas.copy_from_bbox(self.stage.figure.bbox)

    def _draw_again(self, stale: Sequence[Artist]) -> bool:
        """Draw the `stale` leaves again, and any leaf drawing where they draw or drew, onto the picture; False
        (nothing drawn) where drawing the whole figure is cheaper or the only way to the same pixels."""
        canvas = self.stage.canvas
        renderer = canvas.get_renderer()
        if (any(leaf not in self.drawn or _is_3d(leaf) for leaf in stale)
                or not self._small(stale, renderer)):
            return False  # a 3D axes costs most of a whole draw to measure alone
        now = {leaf: _drawn_box(leaf, renderer) for leaf in stale}
        region = Bbox.union([*(self.drawn[leaf] for leaf in stale), *now.values()])
        redrawn = set(stale)
        grown = True
        while grown:  # a leaf drawing into the region is drawn again whole: the region takes its box in
            grown = False
            for leaf in self.leaves:
                if leaf not in redrawn:
                    box = self._measured(leaf, renderer)  # unchanged since drawn: measured as drawn
                    if box.width > 0 and box.overlaps(region):
                        redrawn.add(leaf)
                        region = Bbox.union([region, box])
                        grown = True
        self.drawn |= now
        if region.x0 > region.x1:  # nothing of them was or is shown: the picture stands
            return True
        under = {_color_under(leaf, region) for leaf in redrawn}
        if not np.all(np.isfinite(region.extents)) or len(under) != 1 or None in under:
            return False
        canvas.restore_region(self.background)
        _fill(canvas, region, under.pop())  # type: ignore[arg-type]
        for leaf in self.leaves:
            if leaf in redrawn:
                leaf.draw(renderer)
        self.background = canvas.copy_from_bbox(self.stage.figure.bbox)
        return True

    def _measured(self, leaf: Artist, renderer: Any) -> Bbox:
        if leaf not in self.drawn:
            self.drawn[leaf] = _drawn_box(leaf, renderer)
        return self.drawn[leaf]

    def _small(self, leaves: Sequence[Artist], renderer: Any) -> bool:
        """Whether the leaves' frames (an axes' box without its labels, a text's extent) cover under half the
        figure: drawing them alone, their labels measured, can be worth it."""
        frames = [leaf.bbox if isinstance(leaf, Axes) else _box(leaf, renderer) for leaf in leaves
                  if leaf.get_visible()]
        covered = Bbox.union(frames) if frames else Bbox.null()
        return not frames or bool(covered.width * covered.height < 0.5 * self.area)


def _leaves(figure: Figure | SubFigure) -> list[Artist]:
    """What a full draw of `figure` draws after its background, in that order (as Figure.draw: its children by
    zorder, a subfigure's own in its place), animated artists left out: axes, texts, legends."""
    children = [child for child in figure.get_children() if child is not figure.patch and not child.get_animated()]
    leaves: list[Artist] = []
    for child in sorted(children, key=lambda child: child.get_zorder()):
        leaves += _leaves(child) if isinstance(child, SubFigure) else [child]
    return leaves


def _color_under(leaf: Artist, region: Bbox) -> tuple[float, ...] | None:
    """The colour a full draw paints inside `region` before drawing `leaf`: the figure's, then each enclosing
    subfigure's where opaque; None where that is not one opaque colour (a translucent background, or an opaque
    subfigure the region reaches out of)."""
    chain: list[Figure | SubFigure] = []
    container: Figure | SubFigure | None = leaf.get_figure(root=False)
    while container is not None:
        chain.insert(0, container)
        container = container.get_figure(root=False) if isinstance(container, SubFigure) else None
    color: tuple[float, ...] | None = None
    for layer in chain:
        patch = layer.patch
        alpha = patch.get_facecolor()[3] if patch.get_visible() else 0.0
        if alpha == 1.0:
            inside = (layer.bbox.x0 <= region.x0 and region.x1 <= layer.bbox.x1 and layer.bbox.y0 <= region.y0
                      and region.y1 <= layer.bbox.y1)
            if layer is not chain[0] and not inside:
                return None
            color = tuple(patch.get_facecolor())
        elif alpha != 0.0:
            return None
    return color


def _drawn_box(leaf: Artist, renderer: Any) -> Bbox:
    """Every pixel a leaf draws, 2 px wider for antialiasing: a text's or legend's extent; an axes' tight box
    (ticks, labels, titles) and its texts and patches left out of the layout (notes, labels inside it), or, with
    its axis off, only the extents of what it holds (a cell's readout), not its whole, empty, box. Unbounded where
    an artist's extent is not known (the whole figure is drawn then)."""
    if not leaf.get_visible():
        return Bbox.null()
    if not isinstance(leaf, Axes):
        return _box(leaf, renderer).padded(2)
    if _is_3d(leaf):  # its collections know no 2D extent until drawn: its box (panes, ticks, labels) holds them
        return Bbox.union([leaf.get_tightbbox(renderer), leaf.bbox]).padded(2)
    boxes = [leaf.get_tightbbox(renderer), leaf.bbox] if leaf.axison else []
    if not leaf.axison and leaf.patch.get_visible() and leaf.patch.get_facecolor()[3] > 0:
        boxes.append(leaf.bbox)
    held = [child for child in leaf.get_children() if child.get_visible() and not child.get_animated()
            and child is not leaf.patch and not isinstance(child, (Axis, Spine))
            and not (isinstance(child, Text) and not child.get_text())
            and (not leaf.axison or not child.get_in_layout())]
    boxes += [box for box in (_box(child, renderer) for child in held) if box.width > 0 or box.height > 0]
    return Bbox.union(boxes).padded(2) if boxes else Bbox.null()


def _is_3d(leaf: Artist) -> bool:
    return isinstance(leaf, Axes) and leaf.name == "3d"


def _box(artist: Artist, renderer: Any) -> Bbox:
    box = artist.get_window_extent(renderer)
    return box if np.all(np.isfinite(box.extents)) else Bbox.from_extents(-np.inf, -np.inf, np.inf, np.inf)


def _fill(canvas: FigureCanvasAgg, region: Bbox, color: tuple[float, ...]) -> None:
    """Fill the whole pixels `region` touches with `color` (RGBA floats), as the figure's background is drawn."""
    pixels = np.asarray(canvas.buffer_rgba())
    height, width = pixels.shape[:2]
    x0, x1 = max(int(np.floor(region.x0)), 0), min(int(np.ceil(region.x1)), width)
    y0, y1 = max(int(np.floor(region.y0)), 0), min(int(np.ceil(region.y1)), height)
    if x0 < x1 and y0 < y1:
        pixels[height - y1: height - y0, x0:x1] = np.round(np.asarray(color) * 255).astype(np.uint8)


def still_frame(stage: Stage, epoch: int) -> np.ndarray:
    """The picture at one epoch drawn in one plain full draw (no blitting): RGBA (height, width, 4), a copy."""
    stage.set_view(stage.view_keys(np.array([epoch]))[0])
    for artist in stage.update(epoch):
        artist.set_animated(False)
    stage.canvas.draw()
    return np.array(stage.canvas.buffer_rgba())


def _project_if_3d(artist: Artist) -> None:
    """3D collections compute their 2D projection in Axes3D.draw; a blitted one must be projected by hand."""
    project = getattr(artist, "do_3d_projection", None)
    if project is not None:
        project()
