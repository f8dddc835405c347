"""Loss against epoch on a log scale, drawn up to the current epoch, with the closed-form minimum as a line."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.ticker import LogFormatterSciNotation, LogLocator

from gdcore.experiment import Experiment
from scenes.limits import loss_limits
from scenes.mpl.ghost import THEORY_STYLE, theory_loss
from scenes.theme import Palette

# Under two decades, a log axis labels a single tick or none: there, minor ticks at 2·10^k and 5·10^k, labelled.
MINOR_LABELS_BELOW_DECADES = 2.0


class LossPanel:
    """Loss of each epoch so far; the axes hold the whole run from the start, so this panel never zooms."""

    def __init__(self, axes: Axes, experiment: Experiment, colors: Palette, planned_epochs: int,
                 animated: bool = True, color: str | None = None, legend: bool = True, theory: bool = True) -> None:
        self.loss = experiment.trajectory.loss
        self.epochs = np.arange(len(self.loss))
        minimum = experiment.problem.closed_form_loss
        color = color or colors.path
        axes.set_yscale("log")
        # A run that stopped early (diverged, or met its tolerance) fills the axis up to where it stopped.
        stopped_early = experiment.trajectory.status != "max_epochs"
        axes.set_xlim(0, max(experiment.trajectory.epochs_run if stopped_early else planned_epochs, 1))
        low, high = loss_limits(self.loss, minimum)
        axes.set_ylim(low, high)
        if np.log10(high / low) < MINOR_LABELS_BELOW_DECADES:  # label 2·10^k and 5·10^k too
            axes.yaxis.set_minor_locator(LogLocator(subs=(2.0, 5.0)))
            axes.yaxis.set_minor_formatter(LogFormatterSciNotation(labelOnlyBase=False,
                                                                   minor_thresholds=(np.inf, np.inf)))
        axes.set_xlabel("epoch")
        axes.set_ylabel(f"loss ({experiment.problem.cost})")
        if minimum > 0:
            axes.axhline(minimum, color=colors.optimum, linestyle="--", linewidth=1.2,
                         label=f"closed-form minimum {minimum:.4g}")
        ghost = theory_loss(experiment) if theory else None
        self.theory = None if ghost is None else axes.plot(
            np.arange(len(ghost)), ghost, color=colors.foreground, label="theory (I − ηH)ᵏ", **THEORY_STYLE)[0]
        # The legend goes where the curve is not: a falling loss leaves the top right free, a rising one the bottom.
        if legend and (minimum > 0 or ghost is not None):
            rising = self.loss[-1] > self.loss[0]
            axes.legend(loc="lower right" if rising else "upper right", fontsize="small")
        (self.curve,) = axes.plot([], [], color=color, linewidth=2.2, animated=animated)
        (self.head,) = axes.plot([], [], marker="o", markersize=7, color=color, linestyle="none", animated=animated)

    def view_keys(self, epochs: np.ndarray) -> np.ndarray:
        return np.zeros(len(epochs), dtype=int)

    def set_view(self, key: int) -> None:
        """Static: the limits were set once for the whole run."""

    def update(self, epoch: int) -> Sequence[Artist]:
        last = min(epoch, len(self.loss) - 1)
        self.curve.set_data(self.epochs[: last + 1], self.loss[: last + 1])
        self.head.set_data(self.epochs[last : last + 1], self.loss[last : last + 1])
        return [self.curve, self.head]
