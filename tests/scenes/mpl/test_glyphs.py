"""The glyph cache against Agg's own text: the same pixels and metrics, and Agg itself wherever the cache's model of
FT2Font's layout does not apply."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.text import Text

from scenes.mpl import glyphs
from scenes.mpl.glyphs import GlyphRenderer

MONO = "DejaVu Sans Mono"
READOUT_ALPHABET = "0123456789.e+-−/ epochlsL‖∇·×↑"


@pytest.fixture(autouse=True)
def fresh_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test builds its own caches (they are the process's, across figures)."""
    monkeypatch.setattr(glyphs, "FONT_CACHES", {})


def _readout_like(count: int, seed: int) -> list[str]:
    """Strings as readouts show them, and random ones after a space (a space puts the string's box at the pen's
    origin, where the cache places glyphs: see test_a_string_whose_box_starts_left_of_the_origin_is_left_to_agg)."""
    rng = random.Random(seed)
    made = [f"epoch {epoch:>4} / 1000   loss {rng.lognormvariate(0, 6):.4g}" for epoch in range(0, 1000, 97)]
    made += [f"‖∇L‖ {rng.lognormvariate(0, 6):.3g}" for _ in range(8)]
    made += [" " + "".join(rng.choice(READOUT_ALPHABET) for _ in range(rng.randint(1, 30))) for _ in range(count)]
    return made


def _draw(texts: list[str], family: str, size: float, dpi: float, wrap: Callable[[RendererAgg], Any],
          **text_options: Any) -> np.ndarray:
    """The texts drawn as animated artists are, each through `wrap(renderer)`, onto a blank figure."""
    figure = Figure(figsize=(5, 10), dpi=dpi)
    canvas = FigureCanvasAgg(figure)
    artists = [figure.text(0.03 + 0.01 * (index % 5), 0.97 - index * 0.03, text, family=family, size=size,
                           ha=("left", "right", "center")[index % 3], va=("top", "baseline", "bottom")[index % 3],
                           bbox={"boxstyle": "round", "alpha": 0.8} if index % 4 == 0 else None, animated=True,
                           **text_options)
               for index, text in enumerate(texts)]
    canvas.draw()
    renderer = wrap(canvas.get_renderer())
    for artist in artists:
        artist.draw(renderer)
    return np.array(canvas.buffer_rgba())


class CountingAgg:
    """The renderer, counting the strings Agg itself draws."""

    def __init__(self, renderer: RendererAgg) -> None:
        self.renderer, self.drawn_by_agg = renderer, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.renderer, name)

    def draw_text(self, *args: Any, **kwargs: Any) -> None:
        self.drawn_by_agg += 1
        self.renderer.draw_text(*args, **kwargs)


def _drawn_by_agg(texts: list[str], family: str, size: float, dpi: float) -> int:
    """Draws the texts through the glyph cache, checks the pixels against Agg's own, and returns how many strings
    the cache left to Agg."""
    counting: list[CountingAgg] = []

    def through_cache(renderer: RendererAgg) -> GlyphRenderer:
        counting.append(CountingAgg(renderer))
        return GlyphRenderer(counting[0])  # type: ignore[arg-type]

    np.testing.assert_array_equal(_draw(texts, family, size, dpi, through_cache),
                                  _draw(texts, family, size, dpi, lambda renderer: renderer))
    return counting[0].drawn_by_agg


@pytest.mark.parametrize(("size", "dpi"), [(7.0, 72.0), (10.0, 100.0), (14.4, 100.0), (11.3, 144.3), (17.0, 61.0)])
def test_cached_glyphs_draw_the_pixels_agg_draws(size: float, dpi: float) -> None:
    assert _drawn_by_agg(_readout_like(30, seed=int(size * dpi)), MONO, size, dpi) == 0  # all from the cache


@pytest.mark.parametrize("text", ["epoch  37 / 1000   loss 0.2364", "‖∇L‖ 1.23e+04", "lp", " x", "÷ 1", "∇ "])
def test_cached_metrics_are_agg_s(text: str) -> None:
    renderer = RendererAgg(200, 100, 123.0)
    prop = FontProperties(family=MONO, size=9.7)
    assert GlyphRenderer(renderer).get_text_width_height_descent(text, prop, False) == \
        renderer.get_text_width_height_descent(text, prop, False)


def test_a_string_whose_box_starts_left_of_the_origin_is_left_to_agg() -> None:
    """'∇' reaches left of its pen position, so the box of a string that starts with it starts between pixels."""
    assert _drawn_by_agg(["∇L 1.5 ", "loss 0.25 "], MONO, 10, 100) == 1


def test_a_font_that_kerns_is_left_to_agg() -> None:
    assert _drawn_by_agg(["AVATAR Tea 1.5 ", "loss 0.25 "], "DejaVu Sans", 12, 100) == 2


@pytest.mark.parametrize("options", [{"rotation": 30}, {"usetex": False, "math_fontfamily": "dejavusans"}])
def test_rotated_and_math_text_is_left_to_agg(options: dict[str, Any]) -> None:
    texts = ["$w^2$ and 1.5 ", "loss 0.25 "] if "math_fontfamily" in options else ["epoch 3 / 10 "]
    np.testing.assert_array_equal(_draw(texts, MONO, 12, 100, GlyphRenderer, **options),
                                  _draw(texts, MONO, 12, 100, lambda renderer: renderer, **options))


def test_a_model_that_does_not_match_agg_stops_being_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """A matplotlib whose text layout differs: the first strings are checked against Agg's, and the cache steps
    aside for the font; the pixels are Agg's."""
    learn = glyphs.FontGlyphs.learn

    def learn_a_wrong_advance(self: glyphs.FontGlyphs, character: str) -> None:
        learn(self, character)
        self.advances[character] += 3

    monkeypatch.setattr(glyphs.FontGlyphs, "learn", learn_a_wrong_advance)
    texts = _readout_like(5, seed=3)
    np.testing.assert_array_equal(_draw(texts, MONO, 12, 100, GlyphRenderer),
                                  _draw(texts, MONO, 12, 100, lambda renderer: renderer))
    assert [cache.trusted for cache in glyphs.FONT_CACHES.values() if cache is not None] == [False]


def test_the_caches_outlive_a_figure() -> None:
    """A batch renders many clips in one process: the second figure's text finds its glyphs rendered."""
    texts = _readout_like(3, seed=5)
    _draw(texts, MONO, 12, 100, GlyphRenderer)
    (cache,) = (cache for cache in glyphs.FONT_CACHES.values() if cache is not None)
    rendered = dict(cache.inks)
    np.testing.assert_array_equal(_draw(texts, MONO, 12, 100, GlyphRenderer),
                                  _draw(texts, MONO, 12, 100, lambda renderer: renderer))
    assert cache.inks == rendered and [*glyphs.FONT_CACHES.values()] == [cache]


def test_a_text_measured_through_the_cache_keeps_agg_s_extent() -> None:
    figure = Figure(figsize=(4, 2), dpi=100)
    canvas = FigureCanvasAgg(figure)
    text: Text = figure.text(0.9, 0.9, "epoch 12 / 300   loss 0.25\n‖∇L‖ 0.0123", family=MONO, ha="right", va="top")
    canvas.draw()
    agg = text.get_window_extent(canvas.get_renderer())
    assert text.get_window_extent(GlyphRenderer(canvas.get_renderer())).bounds == agg.bounds  # type: ignore[arg-type]
