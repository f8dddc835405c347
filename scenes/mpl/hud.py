"""Text over a scene: a live readout, and the banner that explains a divergence (its words: scenes.captions)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.patches import FancyBboxPatch
from matplotlib.text import Text

from gdcore.experiment import Experiment
from scenes.captions import divergence_text, run_regime
from scenes.theme import Palette, regime_color

LOSS_DIGITS = {False: 4, True: 3}  # significant digits of the loss: a readout's, a grid cell's (compact)
GRADIENT_DIGITS = 3


class Readout:
    """'epoch 37 / 300  loss 0.2364' at a corner of an axes; once a diverged run has stopped, a banner saying why
    (until then, where the layout reserved the banner's room, an optional quiet forecast of it).

    The banner sits at `banner_at` (axes coordinates of `axes`), in space the layout keeps free for it: it must
    hide no axis, tick or data. Compact (grid cells): a shorter readout, and the banner on one line, which
    replaces the readout once shown.
    """

    def __init__(self, axes: Axes, experiment: Experiment, colors: Palette, planned_epochs: int,
                 animated: bool = True, corner: tuple[float, float] = (0.98, 0.97),
                 banner_at: tuple[float, float] = (0.5, 0.5), compact: bool = False) -> None:
        self.loss = experiment.trajectory.loss
        self.gradient_norms = experiment.trajectory.gradient_norms
        self.planned_epochs = planned_epochs
        self.diverged = experiment.trajectory.diverged
        self.compact = compact
        self.forecast: Text | None = None  # the layout may set a quiet line where the banner will show, until it does
        self.stacked = False  # the layout sets it where the readout's one line is too wide: epoch over loss
        box = {"boxstyle": "round,pad=0.3", "facecolor": colors.background, "alpha": 0.8, "edgecolor": colors.muted}
        # Every reading has the same width (the numbers right-aligned in fields as wide as the run's widest, in a
        # monospaced font), so the layout measures one and the box behind them is drawn with the static parts.
        self.loss_width = widest_g(self.loss, LOSS_DIGITS[compact])
        self.gradient_width = widest_g(self.gradient_norms, GRADIENT_DIGITS)
        self.text = axes.text(*corner, "", transform=axes.transAxes, ha="right", va="bottom" if compact else "top",
                              fontsize="small" if compact else "medium", family="DejaVu Sans Mono",
                              color=colors.foreground, animated=animated, zorder=10, bbox=None if compact else box)
        if not compact:
            BoxBehind(self.text)
        words = divergence_text(experiment, "compact" if compact else "wide") if self.diverged else ""
        regime = regime_color(run_regime(experiment))
        self.banner = axes.text(*banner_at, words,
                                transform=axes.transAxes, ha="left" if compact else "center",
                                va="bottom" if compact else "center", fontsize="small" if compact else "large",
                                fontweight="bold", linespacing=1.4, color=regime, animated=animated, zorder=11,
                                visible=False,
                                bbox={"boxstyle": "round,pad=0.25" if compact else "round,pad=0.5",
                                      "facecolor": colors.banner, "alpha": 0.92, "edgecolor": regime})

    def view_keys(self, epochs: np.ndarray) -> np.ndarray:
        return np.zeros(len(epochs), dtype=int)

    def set_view(self, key: int) -> None:
        """The text holds a reading (as wide as any) for the box behind it, drawn with the static parts."""
        self.text.set_text(self.readout_text(self.planned_epochs))

    def readout_text(self, epoch: int) -> str:
        """'epoch  37 / 300   loss 0.2364' over '‖∇L‖ 0.0123'; compact: 'epoch 37/300  loss 0.236'. The numbers
        are right-aligned in fields as wide as the run's widest."""
        shown = min(epoch, len(self.loss) - 1)
        loss = f"{self.loss[shown]:>{self.loss_width}.{LOSS_DIGITS[self.compact]}g}"
        if self.compact:
            return f"epoch {shown}/{self.planned_epochs}{chr(10) if self.stacked else '  '}loss {loss}"
        return (f"epoch {shown:>{len(str(self.planned_epochs))}} / {self.planned_epochs}   loss {loss}\n"
                f"‖∇L‖ {self.gradient_norms[shown]:>{self.gradient_width}.{GRADIENT_DIGITS}g}")

    def update(self, epoch: int) -> Sequence[Artist]:
        stopped = self.diverged and epoch >= len(self.loss) - 1
        self.text.set_text(self.readout_text(epoch))
        self.text.set_visible(not (self.compact and stopped))  # a cell's banner takes the readout's line
        self.banner.set_visible(stopped)
        if self.forecast is None:
            return [self.text, self.banner]
        self.forecast.set_visible(not stopped)
        return [self.text, self.forecast, self.banner]


class BoxBehind(FancyBboxPatch):
    """A text's rounded box, drawn as an artist of its own just behind it: for a readout whose readings all have
    the same width, so that the box is drawn with the static parts (once per view) and not in every frame. The
    text keeps its own box, hidden, for whoever measures it; this one takes that box's place at each draw."""

    def __init__(self, text: Text) -> None:
        own = text.get_bbox_patch()
        assert own is not None and text.axes is not None, "a text with a box, on an axes"
        super().__init__((0.0, 0.0), 1.0, 1.0, boxstyle=own.get_boxstyle())
        self.update_from(own)
        self.set_zorder(text.get_zorder() - 0.01)  # drawn before the text in a full draw too
        self.set_animated(False)
        own.set_visible(False)
        self.text = text
        text.axes.add_artist(self)
        self.set_clip_on(False)

    def draw(self, renderer: RendererBase) -> None:
        if not self.text.get_visible() or not self.text.get_text():
            return
        self.text.update_bbox_position_size(renderer)  # where the text's own box would be, in this renderer
        own = self.text.get_bbox_patch()
        assert own is not None
        self.set_bounds(own.get_x(), own.get_y(), own.get_width(), own.get_height())
        self.set_transform(own.get_transform())
        self.set_mutation_scale(own.get_mutation_scale())
        super().draw(renderer)


def widest_g(values: np.ndarray, digits: int) -> int:
    """The most characters f"{value:.{digits}g}" takes over `values`, exactly, formatting only a few of them.

    Each value's length is bounded by its sign and decimal exponent: the length before `g` drops trailing zeros.
    Values are formatted from the longest bound down, until no value left can be longer than one already found."""
    values = np.asarray(values, dtype=float).ravel()
    bounds = _g_length_bounds(values, digits)
    widest = 0
    for bound in np.unique(bounds)[::-1]:
        if widest >= bound:
            break
        for value in np.unique(values[bounds == bound]):
            widest = max(widest, len(f"{value:.{digits}g}"))
            if widest == bound:
                break
    return widest


def _g_length_bounds(values: np.ndarray, digits: int) -> np.ndarray:
    """len(f"{value:.{digits}g}") before trailing zeros are dropped, per value (int ndarray).

    With X the decimal exponent of the value rounded to `digits` significant digits, `g` writes -4 <= X < digits
    as fixed point (`digits` digits, a point unless X = digits - 1, and -X leading zeros when X < 0), else as
    d.ddde±XX (the exponent with at least two digits)."""
    magnitude = np.abs(values)
    regular = np.isfinite(values) & (magnitude > 0)
    safe = np.where(regular, magnitude, 1.0)
    exponent = np.floor(np.log10(safe))
    # Rounding can carry into the next decade (9.9996 → 10.00); at the rounding tie itself either may be taken.
    with np.errstate(over="ignore"):  # past the largest float no value carries
        tie = 10.0 ** (exponent + 1) - 0.5 * 10.0 ** (exponent + 1 - digits)
    lengths = np.maximum(_g_length(exponent + (safe >= tie), digits),
                         _g_length(exponent + (safe >= tie * (1 - 1e-12)), digits))
    special = np.where(np.isfinite(values), 1, 3)  # '0'; 'nan', 'inf'
    sign = (values < 0) | ((values == 0) & np.signbit(values))
    return np.where(regular, lengths, special) + sign


def _g_length(exponent: np.ndarray, digits: int) -> np.ndarray:
    fixed = np.where(exponent >= 0, digits + (exponent < digits - 1), digits + 1 - exponent)
    mantissa = digits + 1 if digits > 1 else 1
    scientific = mantissa + 2 + np.maximum(2, np.floor(np.log10(np.maximum(np.abs(exponent), 1))) + 1)
    return np.where((exponent >= -4) & (exponent < digits), fixed, scientific).astype(int)
