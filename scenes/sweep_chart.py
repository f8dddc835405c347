"""What a learning-rate sweep's chart shows, the same in both engines (scenes.mpl.sweep, scenes.manim.sweep): the
loss axis' range, which rates are off the chart and where they sit, the off-chart arrow's shape, the regime bands'
look, and which rate a frame of the sweep scene shows."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gdcore.experiment import Experiment
from gdcore.sweep import Sweep, SweepRow
from scenes.captions import run_regime
from scenes.limits import log_limits, no_worse_than_start

BAND_ALPHA = 0.13
NAMED_BAND_FRACTION = 0.12  # a regime band narrower than this fraction of the axis is not named (no room)
OFF_SCALE = 0.7  # a rate off the chart (diverged, or grown past the top) sits at this fraction of the loss axis' top
# A rate that ran every epoch and grew past the top: an upward arrow (its loss is above the chart), a polygon in
# marker units (the head's tip at y = 1), the same shape in both engines.
GREW_ARROW = np.array([[-0.16, -1.0], [0.16, -1.0], [0.16, 0.1], [0.55, 0.1], [0.0, 1.0], [-0.55, 0.1],
                       [-0.16, 0.1]])


def sweep_limits(result: Sweep, minimum: float, start: float) -> tuple[float, float]:
    """The loss axis: the minimum and every final loss no worse than the start's loss `start` (the rates that made
    progress), padded ×3; with none, the start. A rate whose final loss is past the top (diverged: stopped at the
    bound; or grown every epoch, as a rate just past 2/L may: 8.5·10¹¹ on `plane`) is drawn off the chart
    (shown_losses), or it would flatten every other."""
    finals = np.array([row.final_loss for row in result.rows if not row.diverged])
    progressed = finals[no_worse_than_start(np.concatenate([[start], finals]))[1:]]
    return log_limits(progressed if progressed.size else np.array([start]), minimum, pad=3.0) or (1e-6, 1.0)


def off_chart(rows: Sequence[SweepRow], top: float) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the rates whose final loss the chart cannot show: those that diverged (drawn as ×), and those that
    ran every epoch and ended past the loss axis' top (drawn as ↑)."""
    diverged = np.array([row.diverged for row in rows], dtype=bool)
    grew = np.array([row.final_loss > top for row in rows], dtype=bool) & ~diverged
    return diverged, grew


def shown_losses(rows: Sequence[SweepRow], top: float) -> np.ndarray:
    """Each rate's final loss where the chart draws it: its value, or OFF_SCALE·top when it is off the chart (a ×
    where it diverged, an ↑ where it grew: never a dot, which would claim the value is there)."""
    losses = np.array([row.final_loss for row in rows], dtype=float)
    diverged, grew = off_chart(rows, top)
    return np.where(diverged | grew, top * OFF_SCALE, losses)


def sweep_of(experiments: Sequence[Experiment]) -> Sweep:
    """The sweep the scene's runs make (one row per run, no bisection): what the figure draws."""
    rows = tuple(SweepRow(lr=run.trajectory.lr, regime=run_regime(run), status=run.trajectory.status,
                          final_loss=run.trajectory.final_loss, epochs_run=run.trajectory.epochs_run,
                          diverged_at=run.trajectory.diverged_at) for run in experiments)
    first = experiments[0]
    limit = first.stability.lr_stable_max if first.stability is not None else None
    return Sweep(optimizer=first.trajectory.optimizer, epochs=first.epochs, rows=rows, lr_stable_max=limit,
                 observed_threshold=None)


def rate_index(epoch: int, longest: int, count: int) -> int:
    """The rate a frame shows, from the epoch the clock gives it: the clock's epochs run from 0 to `longest`
    (log-spaced by default), so index = (count − 1)·log(1 + epoch)/log(1 + longest) moves at about one rate per
    equal slice of the clip."""
    fraction = np.log1p(max(epoch, 0)) / np.log1p(max(longest, 1))
    return int(np.clip(np.round(fraction * (count - 1)), 0, count - 1))
