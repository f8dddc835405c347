"""Views that follow an escaping run: each axis zooms out by steps of ×4, so only a few frames need a full redraw.

A view key packs the zoom level of every axis into one int (six bits an axis), so that frames with equal keys
share one background.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MARGIN = 1.08  # keep the escaping point a little inside the view
ZOOM_STEP = 4.0  # each zoom level widens an axis ×4: the escaping point stays in the outer three quarters
LEVEL_BITS = 6  # 4^63 is further than any finite float run can escape: levels fit in six bits


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

    def zoomed_out(self, key: int) -> Box:
        """The box with axis d scaled by ZOOM_STEP^level_d about its centre, the levels unpacked from a view key."""
        half = self.half_width * ZOOM_STEP ** unpack_levels(key, len(self.low))
        return Box(self.centre - half, self.centre + half)


def no_worse_than_start(loss: np.ndarray) -> np.ndarray:
    """Mask of the epochs whose loss is at most the initial one: what the view should hold before any zoom."""
    return loss <= loss[0] * (1 + 1e-9)


def zoom_levels(base: Box, points: np.ndarray, epochs: np.ndarray) -> np.ndarray:
    """For each frame, the view key of the smallest zoom (ZOOM_STEP^k_d on axis d, k_d ≥ 0) holding every point so far.

    points: ndarray of shape (n_epochs + 1, dims), the state each epoch shows (or (n_epochs + 1, m) values all
    measured on a one-dimensional box);
    epochs: ndarray of shape (n_frames,), the plan (epochs past the run's end show its last state).
    Returns an int ndarray of shape (n_frames,).
    """
    dims = len(base.low)
    reach = np.abs(points - base.centre) / base.half_width * MARGIN  # ≤ 1: inside the base view
    reach = reach.reshape(len(points), dims, -1).max(axis=2)  # several values measured on one axis: the widest
    reach_so_far = np.maximum.accumulate(reach, axis=0)[np.minimum(epochs, len(points) - 1)]
    levels = np.ceil(np.log(np.maximum(reach_so_far, 1.0)) / np.log(ZOOM_STEP)).astype(int)
    return pack_levels(np.minimum(levels, 2**LEVEL_BITS - 1))


def pack_levels(levels: np.ndarray) -> np.ndarray:
    """Zoom levels of shape (n, dims) → one int key per row: Σ level_d · 2^(6d)."""
    shifts = LEVEL_BITS * np.arange(levels.shape[1])
    return (levels.astype(np.int64) << shifts).sum(axis=1)


def unpack_levels(key: int, dims: int) -> np.ndarray:
    """The zoom level of each axis in a view key: int ndarray of shape (dims,)."""
    return np.array([(int(key) >> (LEVEL_BITS * d)) & (2**LEVEL_BITS - 1) for d in range(dims)])
