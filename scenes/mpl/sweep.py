"""A learning-rate sweep drawn: final loss against rate (log–log) over the regime bands, 2/L and the presets
marked. The still figure draws every rate; the sweep scene adds them one by one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.path import Path
from matplotlib.text import Text

from gdcore.experiment import Experiment
from gdcore.regimes import preset_rates
from gdcore.sweep import Sweep, regime_bands
from scenes.captions import rate_label, run_regime
from scenes.limits import zoom_levels
from scenes.mpl.contour import shared_contours
from scenes.sweep_chart import (
    BAND_ALPHA,
    GREW_ARROW,
    NAMED_BAND_FRACTION,
    off_chart,
    rate_index,
    shown_losses,
    sweep_limits,
    sweep_of,
)
from scenes.theme import Palette, regime_color

LABEL_GAP_POINTS = 3.0  # a preset's label keeps this clear of its mark, the lines and the other labels
GREW_MARKER = Path(np.vstack([GREW_ARROW, GREW_ARROW[:1]]), closed=True)


def draw_sweep_frame(axes: Axes, result: Sweep, experiment: Experiment, colors: Palette) -> PresetLabels:
    """The static parts: regime bands, the minimum, 2/L (the spectrum's largest stable rate), the observed
    threshold, the dataset's preset rates, log–log axes holding every rate and final loss. Returns the presets'
    labels, to be placed (PresetLabels.place) once the axes stand where they will be drawn."""
    axes.set_xscale("log")
    axes.set_yscale("log")
    bands = regime_bands(result)
    span = np.log(bands[-1][1] / bands[0][0])
    for low, high, regime in bands:
        axes.axvspan(low, high, color=regime_color(regime), alpha=BAND_ALPHA, linewidth=0, zorder=0)
        if regime is not None and np.log(high / low) >= NAMED_BAND_FRACTION * span:  # a narrow band: its colour
            axes.text(np.sqrt(low * high), 0.98, regime.value, transform=axes.get_xaxis_transform(), ha="center",
                      va="top", fontsize="small", color=regime_color(regime), fontweight="bold")
    minimum = experiment.problem.closed_form_loss
    if minimum > 0:
        axes.axhline(minimum, color=colors.optimum, linestyle="--", linewidth=1.0,
                     label=f"closed-form minimum {minimum:.4g}")
    if result.lr_stable_max is not None:
        axes.axvline(result.lr_stable_max, color=colors.foreground, linewidth=1.4,
                     label=f"largest stable rate {result.lr_stable_max:.4g} (spectrum)")
    if result.observed_threshold is not None:
        axes.axvline(result.observed_threshold, color=regime_color(None), linestyle=":", linewidth=1.6,
                     label=f"smallest seen to diverge {result.observed_threshold:.4g}")
    rates = np.array([row.lr for row in result.rows])
    presets: list[tuple[float, Text]] = []
    if result.optimizer == "gd":  # the presets are gd's η·L: marked only where they mean what they say
        for regime, rate in preset_rates(experiment.problem.lambda_max).items():
            if rates.min() <= rate <= rates.max():
                axes.plot(rate, 0.0, marker="^", color=regime_color(regime), markersize=9,
                          transform=axes.get_xaxis_transform(), linestyle="none", clip_on=False, zorder=5)
                presets.append((rate, axes.text(rate, 0.04, f"{regime.value} preset", rotation=90, ha="right",
                                                va="bottom", transform=axes.get_xaxis_transform(),
                                                fontsize="small", color=regime_color(regime))))
    axes.set_xlim(rates.min() / 1.15, rates.max() * 1.15)
    axes.set_ylim(*sweep_limits(result, minimum, float(experiment.trajectory.loss[0])))
    axes.set_xlabel(f"learning rate η ({result.optimizer})")
    axes.set_ylabel(f"final loss after {result.epochs} epochs ({experiment.problem.cost})")
    axes.grid(True, which="major", alpha=0.5)
    marked = tuple(rate for rate in (result.lr_stable_max, result.observed_threshold) if rate is not None)
    return PresetLabels(axes, tuple(presets), marked)


@dataclass(frozen=True)
class PresetLabels:
    """The presets' upright labels on a sweep's axes, each beside its rate, and the rates of the lines marked
    across the axes (2/L, the observed threshold) that no label may cross."""

    axes: Axes
    presets: tuple[tuple[float, Text], ...]
    marked: tuple[float, ...]

    def place(self) -> None:
        """Puts each label beside its preset, on the first side (left, right, or just past a line or label in
        the way, nearest first) where it crosses no marked line and no label placed before it. In pixels: call
        once the axes stand where they will be drawn."""
        figure = self.axes.get_figure(root=True)
        renderer = figure._get_renderer()  # type: ignore[union-attr]  # whatever canvas the figure has
        to_pixels, gap = self.axes.transData, LABEL_GAP_POINTS * figure.dpi / 72  # type: ignore[union-attr]
        lines = [float(to_pixels.transform((rate, 1.0))[0]) for rate in self.marked]
        taken: list[tuple[float, float]] = []
        for rate, text in sorted(self.presets, key=lambda preset: preset[0]):
            x = float(to_pixels.transform((rate, 1.0))[0])
            width = float(text.get_window_extent(renderer).width)
            left = label_spot(x, width, gap, [(line, line) for line in lines] + taken,
                              (float(self.axes.bbox.x0), float(self.axes.bbox.x1)))
            text.set_x(float(to_pixels.inverted().transform((left, 0.0))[0]))
            text.set_ha("left")
            taken.append((left, left + width))


def label_spot(x: float, width: float, gap: float, obstacles: Sequence[tuple[float, float]],
               bounds: tuple[float, float]) -> float:
    """The left edge (pixels) of a label `width` wide beside a mark at x: left of it, right of it, or just past an
    obstacle (an interval [a, b] in pixels: a line, a placed label), the nearest to x first, inside `bounds`,
    `gap` clear of the mark and every obstacle. Where nothing is free, the left of the mark."""
    obstacles = [(x, x), *obstacles]  # its own mark too: the label stands beside it
    candidates = [edge for a, b in obstacles for edge in (a - gap - width, b + gap)]

    def free(left: float) -> bool:
        inside = bounds[0] <= left and left + width <= bounds[1]
        return inside and all(left + width + gap <= a or b + gap <= left for a, b in obstacles)

    spots = sorted((spot for spot in candidates if free(spot)), key=lambda spot: abs(spot + width / 2 - x))
    return spots[0] if spots else x - gap - width


class SweepPoints:
    """The sweep's final losses up to a rate index: the rates the chart holds as dots in their regime's colour joined
    by a faint line; those off the chart in a row under its top, diverged ones as crosses (their last finite loss
    is off the scale), grown ones as upward arrows (their final loss is above the top)."""

    def __init__(self, axes: Axes, result: Sweep, colors: Palette, animated: bool = False) -> None:
        self.rows = sorted(result.rows, key=lambda row: row.lr)
        self.rates = np.array([row.lr for row in self.rows])
        top = axes.get_ylim()[1]
        self.diverged, self.grew = off_chart(self.rows, top)
        self.losses = shown_losses(self.rows, top)
        point_colors = [regime_color(row.regime) for row in self.rows]
        (self.curve,) = axes.plot([], [], color=colors.foreground, linewidth=1.0, alpha=0.6, animated=animated,
                                  zorder=3)
        self.points = axes.scatter(self.rates, self.losses, c=point_colors, s=36, zorder=4, animated=animated,
                                   edgecolors=colors.background, linewidths=0.5)
        self.crosses = axes.scatter(self.rates, self.losses, c=point_colors, s=60, marker="x", zorder=4,
                                    animated=animated, linewidths=2.0, label="diverged (loss off the scale)")
        self.arrows = axes.scatter(self.rates, self.losses, c=point_colors, s=160, marker=GREW_MARKER, zorder=4,
                                   animated=animated, linewidths=0.0,
                                   label="grew past the top (final loss off the scale)" if self.grew.any() else None)
        self.show(len(self.rows) - 1)

    def show(self, index: int) -> Sequence[Artist]:
        """Rates 0..index shown; returns the artists."""
        shown = np.arange(len(self.rows)) <= index
        on_chart, blown, grown = shown & ~(self.diverged | self.grew), shown & self.diverged, shown & self.grew
        self.curve.set_data(self.rates[on_chart], self.losses[on_chart])
        for artist, chosen in ((self.points, on_chart), (self.crosses, blown), (self.arrows, grown)):
            artist.set_offsets(np.column_stack([self.rates[chosen], self.losses[chosen]]).reshape(-1, 2))
            artist.set_array(None)
            artist.set_facecolors([regime_color(self.rows[k].regime) for k in np.flatnonzero(chosen)])
        for artist, chosen in ((self.crosses, blown), (self.arrows, grown)):
            artist.set_edgecolors([regime_color(self.rows[k].regime) for k in np.flatnonzero(chosen)])
        return [self.curve, self.points, self.crosses, self.arrows]


class SweepContourPanel:
    """The contours, and the whole path of the rate being shown; the view zooms out for a diverging rate."""

    def __init__(self, axes: Axes, experiments: Sequence[Experiment], colors: Palette, animated: bool = True) -> None:
        self.contour, self.paths = shared_contours(axes, experiments, colors, animated)
        self.colors = [regime_color(run_regime(run)) for run in experiments]
        self.longest = max(run.trajectory.epochs_run for run in experiments)
        # Each rate's view: the zoom holding its whole path.
        self.keys = np.array([int(zoom_levels(self.contour.base, path, np.array([len(path) - 1]))[0])
                              for path in self.paths])
        (self.trail,) = axes.plot([], [], linewidth=1.6, marker="o", markersize=2.5, zorder=4, animated=animated)

    def view_keys(self, epochs: np.ndarray) -> np.ndarray:
        return np.array([self.keys[rate_index(int(epoch), self.longest, len(self.paths))] for epoch in epochs])

    def set_view(self, key: int) -> None:
        self.contour.set_view(key)

    def settle(self) -> None:
        self.contour.settle(self.paths, np.unique(self.keys))

    def update(self, epoch: int) -> Sequence[Artist]:
        index = rate_index(epoch, self.longest, len(self.paths))
        self.trail.set_data(self.paths[index][:, 0], self.paths[index][:, 1])
        self.trail.set_color(self.colors[index])
        return [self.trail]


class SweepLossPanel:
    """Final loss against rate over the regime bands, the rates so far; a line at the rate being shown, named by
    `label` (a text the layout placed)."""

    def __init__(self, axes: Axes, experiments: Sequence[Experiment], colors: Palette, label: Text,
                 animated: bool = True) -> None:
        result = sweep_of(experiments)
        self.presets = draw_sweep_frame(axes, result, experiments[0], colors)
        self.points = SweepPoints(axes, result, colors, animated)
        self.runs = experiments
        self.longest = max(run.trajectory.epochs_run for run in experiments)
        self.marker = axes.axvline(experiments[0].trajectory.lr, color=colors.foreground, linewidth=2.0, alpha=0.5,
                                   animated=animated)
        self.label = label  # the rate shown: where the layout put it

    def view_keys(self, epochs: np.ndarray) -> np.ndarray:
        return np.zeros(len(epochs), dtype=int)

    def set_view(self, key: int) -> None:
        """Static, but for the presets' labels, placed where the axes now stand."""
        self.presets.place()

    def update(self, epoch: int) -> Sequence[Artist]:
        index = rate_index(epoch, self.longest, len(self.runs))
        run = self.runs[index]
        self.marker.set_xdata([run.trajectory.lr, run.trajectory.lr])
        self.label.set_text(rate_label(run))
        self.label.set_color(regime_color(run_regime(run)))
        return [*self.points.show(index), self.marker, self.label]
