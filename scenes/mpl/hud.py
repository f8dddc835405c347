"""Text over a scene: a live readout, and the banner that explains a divergence (its words: scenes.captions)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.text import Text

from gdcore.experiment import Experiment
from scenes.captions import divergence_text, run_regime
from scenes.theme import Palette, regime_color


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
        self.text = axes.text(*corner, "", transform=axes.transAxes, ha="right", va="bottom" if compact else "top",
                              fontsize="small" if compact else "medium", family="DejaVu Sans Mono",
                              color=colors.foreground, animated=animated, zorder=10, bbox=None if compact else box)
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
        """Nothing static."""

    def readout_text(self, epoch: int) -> str:
        """'epoch  37 / 300   loss 0.2364' over '‖∇L‖ 0.0123'; compact: 'epoch 37/300  loss 0.236'."""
        shown = min(epoch, len(self.loss) - 1)
        if self.compact:
            return f"epoch {shown}/{self.planned_epochs}{chr(10) if self.stacked else '  '}loss {self.loss[shown]:.3g}"
        return (f"epoch {shown:>{len(str(self.planned_epochs))}} / {self.planned_epochs}"
                f"   loss {self.loss[shown]:.4g}\n‖∇L‖ {self.gradient_norms[shown]:.3g}")

    def update(self, epoch: int) -> Sequence[Artist]:
        stopped = self.diverged and epoch >= len(self.loss) - 1
        self.text.set_text(self.readout_text(epoch))
        self.text.set_visible(not (self.compact and stopped))  # a cell's banner takes the readout's line
        self.banner.set_visible(stopped)
        if self.forecast is None:
            return [self.text, self.banner]
        self.forecast.set_visible(not stopped)
        return [self.text, self.forecast, self.banner]
