"""The frame plan: which epoch each video frame shows. Both rendering engines read the same plan."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from gdcore.checks import check
from gdcore.errors import GdvizInputError, closest_hint

TimeScale = Literal["log", "linear"]
TIME_SCALES: tuple[str, ...] = ("log", "linear")
HOLD_SECONDS = 1.0


@dataclass(frozen=True)
class FramePlan:
    """epochs: ndarray of shape (n_frames,), non-decreasing, the epoch frame i shows; ends on the last epoch.

    The first `motion_frames` frames sweep from epoch 0 to the end; the last `hold_frames` hold the last state.
    """

    epochs: np.ndarray
    fps: float
    motion_frames: int
    hold_frames: int

    @property
    def n_frames(self) -> int:
        return int(self.epochs.shape[0])

    @property
    def duration(self) -> float:
        """Seconds of video, hold included."""
        return self.n_frames / self.fps


def plan_frames(
    planned_epochs: int,
    fps: float,
    duration: float,
    time: str = "log",
    epochs_run: int | None = None,
    hold: float = HOLD_SECONDS,
) -> FramePlan:
    """Spread `planned_epochs` over `duration` seconds of motion at `fps`, then hold `hold` seconds.

    Log time (default) puts epoch e at video time ∝ log(1 + e): the fast early drop and the long tail both get
    screen time. Linear time puts it at ∝ e. A run that stopped early (epochs_run < planned_epochs, say it
    diverged) holds its last state for the rest of the sweep.
    """
    _check_plan(planned_epochs, fps, duration, time, hold)
    motion_frames = max(2, round(duration * fps))
    hold_frames = round(hold * fps)
    sweep = np.linspace(0.0, 1.0, motion_frames)
    # Log time: epoch e shows at video time ∝ log(1 + e), so e = expm1(t · log(1 + T)).
    epochs = np.expm1(sweep * math.log1p(planned_epochs)) if time == "log" else sweep * planned_epochs
    last = planned_epochs if epochs_run is None else min(planned_epochs, epochs_run)
    epochs = np.minimum(np.rint(epochs).astype(int), last)
    epochs = np.concatenate([epochs, np.full(hold_frames, last, dtype=int)])
    epochs.setflags(write=False)
    return FramePlan(epochs=epochs, fps=float(fps), motion_frames=motion_frames, hold_frames=hold_frames)


def _check_plan(planned_epochs: int, fps: float, duration: float, time: str, hold: float) -> None:
    check(("epochs", planned_epochs, "epochs"))
    if not (math.isfinite(fps) and 1 <= fps <= 240):
        raise GdvizInputError(f"fps must be a number from 1 to 240, got {fps}")
    if not (math.isfinite(duration) and 0 < duration <= 600):
        raise GdvizInputError(f"duration must be a number of seconds in (0, 600], got {duration}")
    if time not in TIME_SCALES:
        raise GdvizInputError(
            f"unknown time scale {time!r}: choose one of {', '.join(TIME_SCALES)}{closest_hint(time, TIME_SCALES)}"
        )
    if not (math.isfinite(hold) and hold >= 0):
        raise GdvizInputError(f"hold must be a number of seconds >= 0, got {hold}")
