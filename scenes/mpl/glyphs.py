"""Text drawn from glyphs rendered once: the same pixels as Agg's own text, without FreeType's work each frame.

A readout changes every frame, and Agg lays out and rasterises each of its strings from scratch, twice (once to
measure it, once to draw it): FreeType loads and hints every glyph each time, some 10 µs a glyph, which was most of
drawing a line-scene frame. `GlyphRenderer` wraps the canvas's renderer for the animated artists and answers those
two calls from a cache, built on matplotlib's FT2Font (3.8 to 3.10) the way it lays out a string:

  - glyph n sits at the pen position pₙ = Σ_{m<n} advance(s[m]) (26.6 fixed point, 1/64 px; no kerning: a font
    that kerns is left to Agg);
  - the string's box B is the union of its glyphs' boxes: a glyph's own box at the origin moved by pₙ, and (0, 0)
    for a glyph without outline (a space);
  - its image is (B.yMax − B.yMin)//64 + 2 rows by (B.xMax − B.xMin)//64 + 2 columns, each glyph's bitmap OR-ed
    in at column bitmap_left − B.xMin/64 and row ⌊B.yMax/64⌋ − bitmap_top + 1.
A glyph's bitmap depends on pₙ mod 64 only (a whole-pixel shift of the outline shifts its bitmap), so it is rendered
once per (character, pₙ mod 64) by Agg itself, as the last glyph of a probe string of spaces, and moved into place.
Where a case falls outside this model (mathtext, a rotation, a kerning font, a box not on a pixel edge), Agg draws
the string itself. The first strings of each font are drawn both ways and compared pixel for pixel: on a mismatch
(a matplotlib whose text layout differs) the cache steps aside for that font for good. The caches are the process's:
the clips of a batch share them.

`draw_animated` draws a frame's moving artists through it, and lays a text out once per draw (matplotlib's
Text.draw lays it out a second time to size its box).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backend_bases import GraphicsContextBase
from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
from matplotlib.font_manager import FontProperties, fontManager, get_font
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text

try:
    from matplotlib.ft2font import FaceFlags

    KERNING: Any = FaceFlags.KERNING
except ImportError:  # matplotlib < 3.10: face_flags is a plain int
    KERNING = 1 << 6  # FT_FACE_FLAG_KERNING

SUBPIXELS = 64  # FreeType's 26.6 fixed point: 1/64 px
CHECKED_STRINGS = 4  # a font's first strings, drawn both ways and compared, before the cache is trusted


@dataclass(frozen=True)
class Ink:
    """One glyph's rendered pixels (the nonzero part of a probe's image), and where they sit: the probe's pen
    position for the glyph, the top left of the pixels in the probe's image, and the probe's box edges (26.6)."""

    pixels: np.ndarray
    pen: int
    row: int
    column: int
    x_min: int
    y_max: int


@dataclass(frozen=True)
class Layout:
    """A string laid out (26.6): each outlined glyph's character and pen position, the string's box (x_min, y_min,
    x_max, y_max) and its advance."""

    glyphs: tuple[tuple[str, int], ...]
    box: tuple[int, int, int, int]
    advance: int

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]

    @property
    def descent(self) -> int:
        return -self.box[1]


NO_OUTLINE = (0, 0, 0, 0)  # a glyph without outline (a space) has this box wherever the pen is


@dataclass
class FontGlyphs:
    """The cache for one font at one size and resolution: advances, boxes and inks, filled as characters come.
    `prepare` returns the shared FT2Font sized for this cache (Agg's own preparation), before each use of it."""

    prepare: Callable[[], FT2Font]
    advances: dict[str, int] = field(default_factory=dict)
    boxes: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)
    inks: dict[tuple[str, int, bool], Ink | None] = field(default_factory=dict)  # None: no ink, or no probe places it
    layouts: dict[str, Layout] = field(default_factory=dict)  # the last strings: each is measured, then drawn
    unchecked: int = CHECKED_STRINGS
    trusted: bool = True

    def learn(self, character: str) -> None:
        """A character's advance (from Agg's layout of it alone) and its outline's box at the origin."""
        font = self.prepare()
        font.set_text(character, 0.0, flags=get_hinting_flag())
        self.advances[character] = int(font.get_width_height()[0])
        glyph = font.load_char(ord(character), flags=get_hinting_flag())
        self.boxes[character] = tuple(int(edge) for edge in glyph.bbox)  # type: ignore[assignment]

    def layout(self, text: str) -> Layout:
        """Pen positions pₙ = Σ_{m<n} advance(s[m]); the box, the union of the glyphs' boxes moved by their pens."""
        if text in self.layouts:
            return self.layouts[text]
        for character in set(text) - self.advances.keys():
            self.learn(character)
        glyphs, pen = [], 0
        x_min = y_min = 32000
        x_max = y_max = -32000
        for character in text:
            left, bottom, right, top = box = self.boxes[character]
            if box != NO_OUTLINE:
                glyphs.append((character, pen))
                left, right = left + pen, right + pen
            x_min, y_min, x_max, y_max = min(x_min, left), min(y_min, bottom), max(x_max, right), max(y_max, top)
            pen += self.advances[character]
        if len(self.layouts) > 16:
            self.layouts.clear()
        self.layouts[text] = Layout(tuple(glyphs), (x_min, y_min, x_max, y_max), pen)
        return self.layouts[text]

    def ink(self, character: str, pen: int, antialiased: bool) -> Ink | None:
        """The glyph's pixels at `pen` mod 64 (whole pixels move with the pen), or None where no probe places it."""
        key = (character, pen % SUBPIXELS, antialiased)
        if key not in self.inks:
            self.inks[key] = self._probe(character, pen % SUBPIXELS, antialiased)
        return self.inks[key]

    def _probe(self, character: str, phase: int, antialiased: bool) -> Ink | None:
        """Rendered by Agg as the last glyph after m spaces whose advances bring the pen to `phase`."""
        if " " not in self.advances:
            self.learn(" ")
        space = self.advances[" "]
        spaces = next((m for m in range(1, SUBPIXELS + 1) if (m * space) % SUBPIXELS == phase), None)
        if spaces is None:
            return None
        font = self.prepare()
        font.set_text(" " * spaces + character, 0.0, flags=get_hinting_flag())
        font.draw_glyphs_to_bitmap(antialiased=antialiased)
        x_min = int(font.get_bitmap_offset()[0])
        image = np.asarray(font.get_image())
        if x_min % SUBPIXELS:
            return None
        y_max = int(font.get_width_height()[1]) - int(font.get_descent())
        rows, columns = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
        if not len(rows):  # an outline too small to leave any pixel
            return Ink(np.zeros((0, 0), dtype=np.uint8), spaces * space, 0, 0, x_min, y_max)
        pixels = image[rows[0]:rows[-1] + 1, columns[0]:columns[-1] + 1].copy()
        return Ink(pixels, spaces * space, int(rows[0]), int(columns[0]), x_min, y_max)

    def image(self, layout: Layout, antialiased: bool) -> np.ndarray | None:
        """The string's image as FT2Font draws it, or None where a glyph has no probe."""
        x_min, y_min, x_max, y_max = layout.box
        image = np.zeros(((y_max - y_min) // SUBPIXELS + 2, (x_max - x_min) // SUBPIXELS + 2), dtype=np.uint8)
        for character, pen in layout.glyphs:
            ink = self.ink(character, pen, antialiased)
            if ink is None:
                return None
            # whole-pixel moves: from the probe's pen to this one, and between the two boxes' left and top edges
            column = ink.column + (pen - ink.pen + ink.x_min - x_min) // SUBPIXELS
            row = ink.row + y_max // SUBPIXELS - ink.y_max // SUBPIXELS
            _or_into(image, ink.pixels, row, column)
        return image


def _or_into(image: np.ndarray, layer: np.ndarray, row: int, column: int) -> None:
    """image |= layer placed with its top left at (row, column), clipped to the image (as FT2Font's draw_bitmap)."""
    height, width = layer.shape
    if row >= 0 and column >= 0 and row + height <= image.shape[0] and column + width <= image.shape[1]:
        image[row:row + height, column:column + width] |= layer  # the usual case, without clipping
        return
    top, left = max(row, 0), max(column, 0)
    bottom, right = min(row + layer.shape[0], image.shape[0]), min(column + layer.shape[1], image.shape[1])
    if bottom > top and right > left:
        image[top:bottom, left:right] |= layer[top - row:bottom - row, left - column:right - column]


FontKey = tuple[int, float, int, int]  # the font properties' hash, the resolution, the hinting flags and factor
FONT_CACHES: dict[FontKey, FontGlyphs | None] = {}  # this process's, across figures: a batch renders many clips
MOST_FONTS = 64  # the caches kept before they are dropped and built again


class GlyphRenderer:
    """The canvas's Agg renderer, with its text measured and drawn from `FontGlyphs` caches (one per font, size and
    resolution, kept for the process); everything else is the renderer's own."""

    def __init__(self, renderer: RendererAgg) -> None:
        self.renderer = renderer

    def __getattr__(self, name: str) -> Any:
        return getattr(self.renderer, name)

    def get_text_width_height_descent(self, s: str, prop: FontProperties, ismath: Any) -> tuple[float, float, float]:
        glyphs = self._glyphs(prop) if ismath is False and s else None
        trusted = glyphs is not None and _trusted(glyphs, s, True, lambda: self.renderer._prepare_font(prop))
        if glyphs is None or not trusted:
            return self.renderer.get_text_width_height_descent(s, prop, ismath)
        layout = glyphs.layout(s)
        return layout.advance / 64.0, layout.height / 64.0, layout.descent / 64.0

    def draw_text(self, gc: GraphicsContextBase, x: float, y: float, s: str, prop: FontProperties, angle: float,
                  ismath: Any = False, mtext: Any = None) -> None:
        glyphs = self._glyphs(prop) if ismath is False and s and angle == 0 else None
        antialiased = bool(gc.get_antialiased())
        trusted = glyphs is not None and _trusted(glyphs, s, antialiased, lambda: self.renderer._prepare_font(prop))
        image = glyphs.image(glyphs.layout(s), antialiased) if glyphs is not None and trusted else None
        if glyphs is None or image is None:
            self.renderer.draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
            return
        # RendererAgg.draw_text at angle 0: the image's left edge at x + x_min, its bottom row on y − descent
        x_min, y_min = glyphs.layout(s).box[:2]
        self.renderer._renderer.draw_text_image(image, round(x + x_min / 64.0 + 0.0), round(y + 0.0 - y_min / 64.0) + 1,
                                                0.0, gc)

    def _glyphs(self, prop: FontProperties) -> FontGlyphs | None:
        """The cache for this font at its size, or None for a font that kerns (pen positions would depend on pairs
        of glyphs)."""
        key = (hash(prop), self.renderer.dpi, get_hinting_flag(), matplotlib.rcParams["text.hinting_factor"])
        if key not in FONT_CACHES:
            if len(FONT_CACHES) >= MOST_FONTS:
                FONT_CACHES.clear()
            own = prop.copy()
            kerns = _sized_font(own, self.renderer.dpi).face_flags & KERNING
            FONT_CACHES[key] = None if kerns else FontGlyphs(functools.partial(_sized_font, own, self.renderer.dpi))
        return FONT_CACHES[key]


def _sized_font(prop: FontProperties, dpi: float) -> FT2Font:
    """The FT2Font Agg draws `prop` with, sized as RendererAgg._prepare_font sizes it (shared: size it before use)."""
    font = get_font(fontManager._find_fonts_by_props(prop))
    font.clear()
    font.set_size(prop.get_size_in_points(), dpi)
    return font


def draw_animated(artist: Artist, renderer: GlyphRenderer) -> None:
    """Draw one of a frame's animated artists through the glyph renderer. A text lays itself out once: Text.draw
    lays it out, then lays it out again to size its box, with nothing changed in between."""
    if not isinstance(artist, Text):
        artist.draw(renderer)
        return
    lay_out, laid_out = artist._get_layout, {}

    def lay_out_once(renderer: Any) -> Any:
        if renderer not in laid_out:
            laid_out[renderer] = lay_out(renderer)
        return laid_out[renderer]

    artist._get_layout = lay_out_once  # type: ignore[method-assign]
    try:
        artist.draw(renderer)
    finally:
        del artist._get_layout


def _trusted(glyphs: FontGlyphs, s: str, antialiased: bool, agg_font: Callable[[], FT2Font]) -> bool:
    """Whether the cache may answer for `s`: it has matched Agg's own image and metrics (drawn with `agg_font`, the
    renderer's own font prepared) of the font's first strings, and `s`'s box starts on a pixel edge (the image's
    placement truncates a fractional edge)."""
    if glyphs.trusted and glyphs.unchecked:
        glyphs.unchecked -= 1
        glyphs.trusted = _same_as_agg(glyphs, s, antialiased, agg_font())
    return glyphs.trusted and glyphs.layout(s).box[0] % SUBPIXELS == 0


def _same_as_agg(glyphs: FontGlyphs, s: str, antialiased: bool, font: FT2Font) -> bool:
    """Agg's own image, box and advance of `s` equal the cache's (or the cache cannot draw `s`: nothing to compare)."""
    layout = glyphs.layout(s)
    image = glyphs.image(layout, antialiased)
    font.clear()
    font.set_text(s, 0.0, flags=get_hinting_flag())
    font.draw_glyphs_to_bitmap(antialiased=antialiased)
    agg = np.asarray(font.get_image())
    width, height = (int(edge) for edge in font.get_width_height())
    x_min = layout.box[0]
    same_metrics = (width, height, int(font.get_descent())) == (layout.advance, layout.height, layout.descent)
    return same_metrics and (image is None or x_min % SUBPIXELS != 0 or (
        int(font.get_bitmap_offset()[0]) == x_min and agg.shape == image.shape and bool(np.array_equal(agg, image))))
