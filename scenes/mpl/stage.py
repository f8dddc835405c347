"""A figure of panels and the frame loop that draws it: static parts once, moving artists blitted on top.

A panel only draws: it reads a precomputed Trajectory at the epoch it is told. The loop redraws everything
only when some panel's view changes (a diverging run escaping the view, a turning camera), and blits otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

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


def blitted_frames(stage: Stage, plan: FramePlan) -> Iterator[np.ndarray]:
    """RGBA frames of shape (height, width, 4), one per planned frame; each valid until the next is drawn.

    A frame showing the same epoch in the same view as the one before is that picture again: it is not redrawn
    (log time repeats the early epochs over many frames, and the hold repeats the last).
    """
    canvas, figure = stage.canvas, stage.figure
    keys = stage.view_keys(plan.epochs)
    background, current, drawn_epoch, renderer = None, None, None, None
    for frame, epoch in enumerate(plan.epochs):
        if current is None or not np.array_equal(keys[frame], current):
            current, drawn_epoch = keys[frame], None
            stage.set_view(current)
            canvas.draw()  # animated artists are left out of this draw
            background = canvas.copy_from_bbox(figure.bbox)
            if renderer is None or renderer.renderer is not canvas.get_renderer():
                renderer = GlyphRenderer(canvas.get_renderer())  # the readouts' text from cached glyphs
        if epoch != drawn_epoch:
            canvas.restore_region(background)
            for artist in stage.update(int(epoch)):
                _project_if_3d(artist)
                draw_animated(artist, renderer)  # as figure.draw_artist(artist), with the glyph cache
            drawn_epoch = epoch
        yield np.asarray(canvas.buffer_rgba())


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
