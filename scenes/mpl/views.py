"""Views that follow an escaping run: the axes zoom out by doubling, so only a few frames need a full redraw."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MARGIN = 1.08  # keep the escaping point a little inside the view


@dataclass(frozen=True)
class Box:
    """An axis-aligned box: low and high, each an ndarray of shape (dims,)."""

    low: np.ndarray
    high: np.ndarray

    @classmethod
    def around(cls, points: np.ndarray, pad: float = 0.1, min_half_width: float = 1e-9) -> Box:
        """The smallest box holding points (m, dims), padded by `pad` of its size on each side."""
        low, high = points.min(axis=0), points.max(axis=0)
        half = np.maximum((high - low) / 2 * (1 + 2 * pad), min_half_width)
        centre = (low + high) / 2
        return cls(centre - half, centre + half)

    @property
    def centre(self) -> np.ndarray:
        return (self.low + self.high) / 2

    @property
    def half_width(self) -> np.ndarray:
        return (self.high - self.low) / 2

    def zoomed_out(self, level: int) -> Box:
        """The box scaled by 2^level about its centre."""
        half = self.half_width * 2.0**level
        return Box(self.centre - half, self.centre + half)


def no_worse_than_start(loss: np.ndarray) -> np.ndarray:
    """Mask of the epochs whose loss is at most the initial one: what the view should hold before any zoom."""
    return loss <= loss[0] * (1 + 1e-9)


def zoom_levels(base: Box, points: np.ndarray, epochs: np.ndarray) -> np.ndarray:
    """For each frame, the smallest k ≥ 0 such that base zoomed out by 2^k holds every point up to its epoch.

    points: ndarray of shape (n_epochs + 1, dims), the state each epoch shows (or (n_epochs + 1, m) values all
    measured on a one-dimensional box);
    epochs: ndarray of shape (n_frames,), the plan (epochs past the run's end show its last state).
    Returns an int ndarray of shape (n_frames,), non-decreasing.
    """
    reach = np.abs(points - base.centre) / base.half_width * MARGIN  # ≤ 1: inside the base view
    reach_so_far = np.maximum.accumulate(reach.max(axis=1))[np.minimum(epochs, len(points) - 1)]
    levels = np.ceil(np.log2(np.maximum(reach_so_far, 1.0)))
    return levels.astype(int)
