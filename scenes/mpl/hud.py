"""Text over a scene: the title that names the run, a live readout, and the banner that explains a divergence."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes

from gdcore.experiment import Experiment
from gdcore.runner import Trajectory
from scenes.theme import Palette, regime_color


def run_title(experiment: Experiment) -> str:
    """'plane · gd · lr 0.1 · η·L = 0.62 (good) · w ← w − η∇L'."""
    rate, trajectory = experiment.rate, experiment.trajectory
    rule = experiment.optimizer.describe()
    return (f"{experiment.dataset.name} · {trajectory.optimizer} · lr {trajectory.lr:g} · "
            f"η·L = {rate.eta_lambda_max:.3g} ({rate.regime.value}) · {rule}")


def diverged_epoch(trajectory: Trajectory) -> int:
    """The epoch whose update blew up: the last one kept, or the one after it when its state was not finite."""
    return trajectory.epochs_run if trajectory.diverged_at is None else trajectory.diverged_at


def divergence_text(experiment: Experiment) -> str:
    """'diverged at epoch 11: η·L = 4.96 > 2' over 'the error grows ×3.96 per step'."""
    rate = experiment.rate
    return (f"diverged at epoch {diverged_epoch(experiment.trajectory)}: η·L = {rate.eta_lambda_max:.3g} > 2\n"
            f"the error grows ×{rate.growth:.3g} per step")


def compact_divergence_text(experiment: Experiment) -> str:
    """The banner on one line, for a grid cell: 'diverged at epoch 11: η·L = 4.96 > 2 · error ×3.96 per step'."""
    rate = experiment.rate
    return (f"diverged at epoch {diverged_epoch(experiment.trajectory)}: η·L = {rate.eta_lambda_max:.3g} > 2 · "
            f"error ×{rate.growth:.3g} per step")


class Readout:
    """'epoch 37 / 300  loss 0.2364' at a corner of an axes; once a diverged run has stopped, a banner saying why.

    The banner sits at `banner_at` (axes coordinates of `axes`), in space the layout keeps free for it: it must
    hide no axis, tick or data. Compact (grid cells): a shorter readout, and the banner on one line, which
    replaces the readout once shown.
    """

    def __init__(self, axes: Axes, experiment: Experiment, colors: Palette, planned_epochs: int,
                 animated: bool = True, corner: tuple[float, float] = (0.98, 0.97),
                 banner_at: tuple[float, float] = (0.5, 0.5), compact: bool = False) -> None:
        self.loss = experiment.trajectory.loss
        self.planned_epochs = planned_epochs
        self.diverged = experiment.trajectory.diverged
        self.compact = compact
        box = {"boxstyle": "round,pad=0.3", "facecolor": colors.background, "alpha": 0.8, "edgecolor": colors.muted}
        self.text = axes.text(*corner, "", transform=axes.transAxes, ha="right", va="bottom" if compact else "top",
                              fontsize="small" if compact else "medium", family="DejaVu Sans Mono",
                              color=colors.foreground, animated=animated, zorder=10, bbox=None if compact else box)
        explain = compact_divergence_text if compact else divergence_text
        words = explain(experiment) if self.diverged else ""
        regime = regime_color(experiment.rate.regime)
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
        """'epoch  37 / 300   loss 0.2364'; compact: 'epoch 37/300  loss 0.236'."""
        shown = min(epoch, len(self.loss) - 1)
        if self.compact:
            return f"epoch {shown}/{self.planned_epochs}  loss {self.loss[shown]:.3g}"
        return (f"epoch {shown:>{len(str(self.planned_epochs))}} / {self.planned_epochs}"
                f"   loss {self.loss[shown]:.4g}")

    def update(self, epoch: int) -> Sequence[Artist]:
        stopped = self.diverged and epoch >= len(self.loss) - 1
        self.text.set_text(self.readout_text(epoch))
        self.text.set_visible(not (self.compact and stopped))  # a cell's banner takes the readout's line
        self.banner.set_visible(stopped)
        return [self.text, self.banner]
