"""The error w_k − w* in the Hessian's eigenbasis: one bar per eigen-direction (inside gd's envelope
±|1 − ηλᵢ|ᵏ·|start|), and the contours turned to their principal axes with the path in those coordinates."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.contour import ContourSet

from gdcore.experiment import Experiment
from gdcore.regimes import Regime
from scenes.captions import eigen_axis_label, mode_label, modes_caption
from scenes.limits import base_box, zoom_levels
from scenes.mpl.contour import CONTOUR_LEVELS, CONTOUR_RESOLUTION, ring_levels
from scenes.theme import Palette, regime_color

LINEAR_FRACTION = 1e-3  # the symlog axis is linear within this fraction of the largest starting component
BAR_WIDTH = 0.6


def mode_color(factor: float | None) -> str:
    """A direction's colour by what its factor does: grows (divergent), flips (jumping), shrinks (good)."""
    if factor is None:
        return regime_color(None)
    if abs(factor) > 1:
        return regime_color(Regime.DIVERGENT)
    return regime_color(Regime.JUMPING if factor < 0 else Regime.GOOD)


def symlog_ticks(linear: float, top: float, most: int = 4) -> np.ndarray:
    """0 and ±10ᵈ for at most `most` decades d above the linear threshold up to `top`, evenly thinned: every
    stride-th decade, the first a stride above the threshold (the decade at the threshold sits next to 0, where
    their labels would collide)."""
    decades = np.arange(np.ceil(np.log10(linear)), np.floor(np.log10(top)) + 1)
    stride = max(1, int(np.ceil(len(decades) / most)))
    shown = decades[stride::stride] if len(decades) > stride else decades[-1:]
    positive = 10.0**shown
    return np.concatenate([-positive[::-1], [0.0], positive])


class ModesPanel:
    """One bar per eigen-direction i, its height the error's component zᵢ = qᵢᵀ(w_k − w*) at the epoch shown, on a
    symlog axis (so growth by ×10¹⁰ stays readable); for gd, the envelope ±|1 − ηλᵢ|ᵏ·|zᵢ(0)| as two ticks."""

    def __init__(self, axes: Axes, experiment: Experiment, colors: Palette, animated: bool = True) -> None:
        self.axes = axes
        self.modes = experiment.modes
        self.components = self.modes.components  # (epochs_run + 1, p)
        self.envelope = self.modes.envelope()  # (epochs_run + 1, p) or None
        p = len(self.modes.eigenvalues)
        self.positions = np.arange(p, dtype=float)
        factors = [None] * p if self.modes.factors is None else [float(f) for f in self.modes.factors]
        reach = float(np.max(np.abs(self.components[np.all(np.isfinite(self.components), axis=1)])))
        start = float(np.max(np.abs(self.modes.initial))) or 1.0
        axes.set_yscale("symlog", linthresh=start * LINEAR_FRACTION)
        axes.set_ylim(-reach * 2.0, reach * 2.0)
        axes.set_yticks(symlog_ticks(start * LINEAR_FRACTION, reach * 2.0))
        axes.set_xlim(-0.6, p - 0.4)
        axes.axhline(0.0, color=colors.foreground, linewidth=0.8)
        self.factors = factors
        axes.set_xticks(self.positions, self.labels())
        axes.tick_params(axis="x", labelsize="small")
        axes.set_ylabel("error component zᵢ = qᵢᵀ(w − w*)")
        axes.set_title(modes_caption(experiment), fontsize="small", loc="left")
        axes.grid(axis="x", visible=False)
        axes.bar(self.positions, self.modes.initial, width=BAR_WIDTH, fill=False, edgecolor=colors.muted,
                 linestyle=":", linewidth=1.2, zorder=2)  # where each bar started
        self.bars = axes.bar(self.positions, np.zeros(p), width=BAR_WIDTH, color=[mode_color(f) for f in factors],
                             alpha=0.85, animated=animated, zorder=3)
        self.bounds = None if self.envelope is None else LineCollection(
            [], colors=colors.foreground, linewidths=2.0, animated=animated, zorder=4)
        if self.bounds is not None:
            axes.add_collection(self.bounds)

    def labels(self, short: bool = False) -> list[str]:
        """Each bar's label: its eigenvalue and factor (mode_label)."""
        return [mode_label(lam, f, short) for lam, f in zip(self.modes.eigenvalues, self.factors, strict=True)]

    def shorten_labels(self) -> None:
        """The short labels ('λ = 3.1' over '×−0.92'), for a panel too narrow for the long ones."""
        self.axes.set_xticks(self.positions, self.labels(short=True))

    def view_keys(self, epochs: np.ndarray) -> np.ndarray:
        return np.zeros(len(epochs), dtype=int)

    def set_view(self, key: int) -> None:
        """Static: the symlog axis holds the whole run."""

    def heights(self, epoch: int) -> np.ndarray:
        """The bars' heights at `epoch`: the components' row, shape (p,)."""
        return self.components[min(epoch, len(self.components) - 1)]

    def envelope_segments(self, epoch: int) -> np.ndarray:
        """Ticks at ±envelope over each bar: shape (2p, 2, 2)."""
        assert self.envelope is not None
        bound = self.envelope[min(epoch, len(self.envelope) - 1)]
        bound = np.where(np.isfinite(bound), bound, np.finfo(float).max)
        left, right = self.positions - BAR_WIDTH * 0.6, self.positions + BAR_WIDTH * 0.6
        ticks = [[(a, sign * b), (c, sign * b)] for sign in (1.0, -1.0)
                 for a, c, b in zip(left, right, bound, strict=True)]
        return np.array(ticks)

    def update(self, epoch: int) -> Sequence[Artist]:
        for bar, height in zip(self.bars, self.heights(epoch), strict=True):
            bar.set_height(float(height))
        if self.bounds is None:
            return list(self.bars)
        self.bounds.set_segments(self.envelope_segments(epoch))
        return [*self.bars, self.bounds]


class EigenContourPanel:
    """The loss over two eigen-directions (the slowest and the stiffest; the others at the optimum): in these
    coordinates L = L* + ½ Σ λᵢ zᵢ², so the contours are ellipses aligned with the axes; the path is its
    components along the two."""

    def __init__(self, axes: Axes, experiment: Experiment, colors: Palette, animated: bool = True) -> None:
        self.axes, self.colors = axes, colors
        modes = experiment.modes
        eigenvalues = modes.eigenvalues
        self.directions = (0, len(eigenvalues) - 1)  # ascending: slowest first, stiffest last
        self.curvatures = eigenvalues[list(self.directions)]
        self.minimum = experiment.problem.closed_form_loss
        self.path = modes.components[:, list(self.directions)]
        self.base = base_box(self.path, experiment.trajectory.loss, np.zeros(2))
        self.contours: ContourSet | None = None
        axes.set_xlabel(eigen_axis_label(self.directions[0], self.curvatures[0], "slowest"))
        axes.set_ylabel(eigen_axis_label(self.directions[1], self.curvatures[1], "stiffest"))
        axes.grid(False)
        axes.plot(0.0, 0.0, marker="X", markersize=11, color=colors.optimum, linestyle="none", zorder=5)
        axes.plot(*self.path[0], marker="o", markersize=8, color=colors.path, markerfacecolor="none",
                  markeredgewidth=2, linestyle="none", zorder=5)
        (self.trail,) = axes.plot([], [], color=colors.path, linewidth=1.6, marker="o", markersize=3, zorder=4,
                                  animated=animated)
        (self.head,) = axes.plot([], [], marker="o", markersize=9, color=colors.path, markeredgecolor="white",
                                 linestyle="none", zorder=6, animated=animated)

    def loss(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """L* + ½(λ_a z_a² + λ_b z_b²) on a grid of the two eigen-coordinates."""
        return self.minimum + 0.5 * (self.curvatures[0] * first**2 + self.curvatures[1] * second**2)

    def view_keys(self, epochs: np.ndarray) -> np.ndarray:
        return zoom_levels(self.base, self.path, epochs)

    def set_view(self, key: int) -> None:
        view = self.base.zoomed_out(key)
        if self.contours is not None:
            self.contours.remove()
        first = np.linspace(view.low[0], view.high[0], CONTOUR_RESOLUTION)
        second = np.linspace(view.low[1], view.high[1], CONTOUR_RESOLUTION)
        values = self.loss(*np.meshgrid(first, second))
        levels = ring_levels(values, self.minimum, CONTOUR_LEVELS)
        self.contours = self.axes.contourf(first, second, values, levels=[self.minimum, *levels],
                                           cmap=self.colors.colormap, alpha=0.55, zorder=1)
        self.axes.set_xlim(view.low[0], view.high[0])
        self.axes.set_ylim(view.low[1], view.high[1])

    def update(self, epoch: int) -> Sequence[Artist]:
        shown = self.path[: min(epoch, len(self.path) - 1) + 1]
        self.trail.set_data(shown[:, 0], shown[:, 1])
        self.head.set_data(shown[-1:, 0], shown[-1:, 1])
        return [self.trail, self.head]
