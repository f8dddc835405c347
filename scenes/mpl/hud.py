"""Text over a scene: the title that names the run, a live readout, and the banner that explains a divergence."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from gdcore.experiment import Experiment
from scenes.theme import Palette, regime_color


def run_title(experiment: Experiment) -> str:
    """'plane · gd · lr 0.1 · η·L = 0.62 (good) · w ← w − η∇L'."""
    rate, trajectory = experiment.rate, experiment.trajectory
    rule = experiment.optimizer.describe()
    return (f"{experiment.dataset.name} · {trajectory.optimizer} · lr {trajectory.lr:g} · "
            f"η·L = {rate.eta_lambda_max:.3g} ({rate.regime.value}) · {rule}")


def divergence_text(experiment: Experiment) -> str:
    """'diverged at epoch 11: η·L = 4.96 > 2' over 'the error grows ×3.96 per step'."""
    rate = experiment.rate
    return (f"diverged at epoch {experiment.trajectory.epochs_run}: η·L = {rate.eta_lambda_max:.3g} > 2\n"
            f"the error grows ×{rate.growth:.3g} per step")


class Readout:
    """'epoch 37 / 300  loss 0.2364' in a corner of an axes; once a diverged run has stopped, a banner saying why.

    The banner sits in the middle of `banner_in` (an axes or the whole figure; default: the readout's axes).
    """

    def __init__(self, axes: Axes, experiment: Experiment, colors: Palette, planned_epochs: int,
                 animated: bool = True, banner_in: Axes | Figure | None = None,
                 corner: tuple[float, float] = (0.98, 0.97), boxed: bool = True) -> None:
        self.loss = experiment.trajectory.loss
        self.planned_epochs = planned_epochs
        self.diverged = experiment.trajectory.diverged
        box = {"boxstyle": "round,pad=0.3", "facecolor": colors.background, "alpha": 0.8, "edgecolor": colors.muted}
        self.text = axes.text(*corner, "", transform=axes.transAxes, ha="right", va="top" if boxed else "bottom",
                              fontsize="medium" if boxed else "small", family="DejaVu Sans Mono",
                              color=colors.foreground, animated=animated, zorder=10, bbox=box if boxed else None)
        host = banner_in if banner_in is not None else axes
        self.banner = host.text(0.5, 0.5, divergence_text(experiment) if self.diverged else "",
                                transform=host.transAxes if isinstance(host, Axes) else host.transFigure,
                                ha="center", va="center", fontsize="large",
                                fontweight="bold", linespacing=1.4, color=regime_color(experiment.rate.regime),
                                animated=animated, zorder=11, visible=False,
                                bbox={"boxstyle": "round,pad=0.5", "facecolor": colors.banner, "alpha": 0.92,
                                      "edgecolor": regime_color(experiment.rate.regime)})

    def view_keys(self, epochs: np.ndarray) -> np.ndarray:
        return np.zeros(len(epochs), dtype=int)

    def set_view(self, key: int) -> None:
        """Nothing static."""

    def update(self, epoch: int) -> Sequence[Artist]:
        last = len(self.loss) - 1
        shown = min(epoch, last)
        self.text.set_text(f"epoch {shown:>{len(str(self.planned_epochs))}} / {self.planned_epochs}"
                           f"   loss {self.loss[shown]:.4g}")
        self.banner.set_visible(self.diverged and epoch >= last)
        return [self.text, self.banner]
