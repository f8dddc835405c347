"""Optimizers racing: every run's path on one contour and its loss on one panel, a colour and a legend entry each."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes

from gdcore.experiment import Experiment
from scenes.captions import race_label
from scenes.limits import Box, loss_limits, no_worse_than_start, zoom_levels
from scenes.mpl.contour import shared_contours
from scenes.mpl.hud import BoxBehind
from scenes.theme import RACE_COLORS, Palette


def padded(values: np.ndarray, length: int) -> np.ndarray:
    """values (m, ...) continued with its last row to `length` rows: a run that stopped holds its last state."""
    return np.concatenate([values, np.repeat(values[-1:], length - len(values), axis=0)])


class RaceContourPanel:
    """The contours of the first run's slice (every run shares the problem and the start), one path per run; the
    view follows the runs together."""

    def __init__(self, axes: Axes, experiments: Sequence[Experiment], colors: Palette, animated: bool = True) -> None:
        self.contour, self.paths = shared_contours(axes, experiments, colors, animated)
        params = list(self.contour.params)
        kept = np.vstack([path[no_worse_than_start(run.trajectory.loss)]
                          for path, run in zip(self.paths, experiments, strict=True)])
        optimum = experiments[0].problem.closed_form[params]
        self.contour.base = Box.around(np.vstack([kept, optimum[None, :]]), pad=0.15)
        longest = max(len(path) for path in self.paths)
        self.together = np.stack([padded(path, longest) for path in self.paths], axis=-1)  # (epochs + 1, 2, runs)
        self.trails, self.heads = [], []
        for index, run in enumerate(experiments):
            color = RACE_COLORS[index % len(RACE_COLORS)]
            (trail,) = axes.plot([], [], color=color, linewidth=1.8, marker="o", markersize=2.5, zorder=4,
                                 animated=animated, label=race_label(run))
            (head,) = axes.plot([], [], marker="o", markersize=8, color=color, markeredgecolor="white",
                                linestyle="none", zorder=6, animated=animated)
            self.trails.append(trail)
            self.heads.append(head)

    def view_keys(self, epochs: np.ndarray) -> np.ndarray:
        return zoom_levels(self.contour.base, self.together, epochs)

    def set_view(self, key: int) -> None:
        self.contour.set_view(key)

    def settle(self) -> None:
        self.contour.settle(self.paths, np.unique(self.view_keys(np.arange(len(self.together)))))

    def update(self, epoch: int) -> Sequence[Artist]:
        for path, trail, head in zip(self.paths, self.trails, self.heads, strict=True):
            shown = path[: min(epoch, len(path) - 1) + 1]
            trail.set_data(shown[:, 0], shown[:, 1])
            head.set_data(shown[-1:, 0], shown[-1:, 1])
        return [*self.trails, *self.heads]


class RaceLossPanel:
    """Every run's loss against the epoch on one log axis, with the closed-form minimum; `labels` (one a run) name
    the curves in the panel's legend."""

    def __init__(self, axes: Axes, experiments: Sequence[Experiment], colors: Palette, animated: bool = True,
                 labels: Sequence[str] = ()) -> None:
        self.losses = [run.trajectory.loss for run in experiments]
        minimum = experiments[0].problem.closed_form_loss
        axes.set_yscale("log")
        axes.set_xlim(0, max(max(run.epochs for run in experiments), 1))
        limits = [loss_limits(loss, minimum) for loss in self.losses]
        axes.set_ylim(min(low for low, _ in limits), max(high for _, high in limits))
        axes.set_xlabel("epoch")
        axes.set_ylabel(f"loss ({experiments[0].problem.cost})")
        if minimum > 0:
            axes.axhline(minimum, color=colors.optimum, linestyle="--", linewidth=1.2,
                         label=f"closed-form minimum {minimum:.4g}")
        names = list(labels) or [None] * len(experiments)
        self.curves = [axes.plot([], [], color=RACE_COLORS[index % len(RACE_COLORS)], linewidth=2.0,
                                 animated=animated, label=name)[0] for index, name in enumerate(names)]
        if minimum > 0 or labels:
            # The (animated, still empty) curves' entries are drawn from their style, with the static parts.
            axes.legend(loc="upper right", fontsize="small")

    def view_keys(self, epochs: np.ndarray) -> np.ndarray:
        return np.zeros(len(epochs), dtype=int)

    def set_view(self, key: int) -> None:
        """Static: the limits hold every run."""

    def update(self, epoch: int) -> Sequence[Artist]:
        for loss, curve in zip(self.losses, self.curves, strict=True):
            last = min(epoch, len(loss) - 1)
            curve.set_data(np.arange(last + 1), loss[: last + 1])
        return self.curves


class EpochReadout:
    """'epoch 37 / 300' at a corner of the figure: the races' shared clock."""

    def __init__(self, axes: Axes, planned_epochs: int, colors: Palette, animated: bool = True) -> None:
        self.planned_epochs = planned_epochs
        self.text = axes.text(0.985, 0.955, "", transform=axes.transAxes, ha="right", va="top",
                              family="DejaVu Sans Mono", color=colors.foreground, animated=animated, zorder=10,
                              bbox={"boxstyle": "round,pad=0.3", "facecolor": colors.background, "alpha": 0.8,
                                    "edgecolor": colors.muted})
        BoxBehind(self.text)  # every reading has the same width: the box is drawn with the static parts

    def view_keys(self, epochs: np.ndarray) -> np.ndarray:
        return np.zeros(len(epochs), dtype=int)

    def set_view(self, key: int) -> None:
        """The text holds a reading for the box behind it, drawn with the static parts."""
        self.text.set_text(self.reading(self.planned_epochs))

    def reading(self, epoch: int) -> str:
        return f"epoch {min(epoch, self.planned_epochs):>{len(str(self.planned_epochs))}} / {self.planned_epochs}"

    def update(self, epoch: int) -> Sequence[Artist]:
        self.text.set_text(self.reading(epoch))
        return [self.text]
