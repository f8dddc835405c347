"""What a view shows, for every engine: the box before any zoom, the view that follows an escaping run, a still's
view of a whole run, and log-axis limits. Numbers only: matplotlib, Manim and the still figures all read these.

Following an escape is one idea: how far the run has reached out of the unzoomed view so far, in half-widths of it
(with a margin). Manim zooms continuously by that reach; matplotlib rounds it up to steps of ×4, so that only a few
frames need a full redraw (a view key packs the zoom level of every axis into one int, six bits an axis).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MARGIN = 1.08  # keep the escaping point a little inside the view
ZOOM_STEP = 4.0  # each zoom level widens an axis ×4: the escaping point stays in the outer three quarters
LEVEL_BITS = 6  # 4^63 is further than any finite float run can escape: levels fit in six bits
LOG_DECADES_SHOWN = 15  # a perfect fit (loss → 0) gets fifteen decades on a log axis, not infinitely many
LOG_PAD = 2.0  # a log axis reaches this factor past its extreme values
EMPTY_LOG_LIMITS = (5e-7, 2.0)  # a log axis for values none of which is positive (a loss that is 0 throughout)


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


def base_box(points: np.ndarray, loss: np.ndarray, anchor: np.ndarray, pad: float = 0.15) -> Box:
    """The view before any zoom: every point (n_epochs + 1, dims) no worse than the start, and the anchor (the
    optimum)."""
    kept = points[no_worse_than_start(loss)]
    return Box.around(np.vstack([kept, anchor[None, :]]), pad=pad)


def still_box(points: np.ndarray, margin: float) -> Box:
    """A still's view of a whole run: every point of (m, 2), widened by `margin` of the span on each side.

    An axis that hardly moved still gets a visible range: a twentieth of the other's, or ±0.5 around its value.
    """
    low, high = points.min(axis=0), points.max(axis=0)
    span, centre = high - low, (low + high) / 2
    half = np.maximum(span / 2 * (1 + 2 * margin), 0.05 * float(span.max()))
    half = np.where(half > 1e-9 * (1 + np.abs(centre)), half, 0.5 * (1 + np.abs(centre)))
    return Box(centre - half, centre + half)


class Follow:
    """A view of half-widths h about a fixed centre c (each of shape (dims,)) following values of shape
    (n_epochs + 1, dims, k) (k values measured on each axis): at each epoch it grows just enough to hold every
    value shown so far."""

    def __init__(self, centre: np.ndarray, half: np.ndarray, values: np.ndarray) -> None:
        self.centre, self.half = np.asarray(centre, dtype=float), np.asarray(half, dtype=float)
        self.reach_so_far = np.maximum.accumulate(self.reach(values), axis=0)  # (n_epochs + 1, dims)
        self.moves = bool(np.any(self.reach_so_far[-1] > 1.0))

    def reach(self, values: np.ndarray) -> np.ndarray:
        """max_k |v − c| / h · MARGIN of values (..., dims, k): ≤ 1 inside the unzoomed view; shape (..., dims)."""
        values = np.asarray(values, dtype=float)
        return (np.abs(values - self.centre[..., :, None]) / self.half[..., :, None] * MARGIN).max(axis=-1)

    def zoom_at(self, epoch: float, current: np.ndarray) -> np.ndarray:
        """The zoom (≥ 1) of each axis at a fractional epoch whose interpolated values are `current` (dims, k):
        continuous, as the reach along a straight step is largest at one of its ends."""
        if not self.moves:
            return np.ones_like(self.half)
        so_far = self.reach_so_far[min(math.floor(epoch), len(self.reach_so_far) - 1)]
        return np.maximum(1.0, np.maximum(so_far, self.reach(current)))

    def half_at(self, epoch: float, current: np.ndarray) -> np.ndarray:
        """Half-widths at a fractional epoch whose interpolated values are `current` (dims, k)."""
        return self.half * self.zoom_at(epoch, current)

    def levels(self, epochs: np.ndarray) -> np.ndarray:
        """For each frame, the zoom level k_d ≥ 0 per axis of the smallest view ZOOM_STEP^k_d wide holding every
        value so far: int ndarray of shape (n_frames, dims); epochs past the run's end show its last state."""
        reach = self.reach_so_far[np.minimum(epochs, len(self.reach_so_far) - 1)]
        levels = np.ceil(np.log(np.maximum(reach, 1.0)) / np.log(ZOOM_STEP)).astype(int)
        return np.minimum(levels, 2**LEVEL_BITS - 1)


def zoom_levels(base: Box, points: np.ndarray, epochs: np.ndarray) -> np.ndarray:
    """For each frame, the view key of the smallest zoom (ZOOM_STEP^k_d on axis d, k_d ≥ 0) holding every point so far.

    points: ndarray of shape (n_epochs + 1, dims), the state each epoch shows (or (n_epochs + 1, m) values all
    measured on a one-dimensional box);
    epochs: ndarray of shape (n_frames,), the plan (epochs past the run's end show its last state).
    Returns an int ndarray of shape (n_frames,).
    """
    values = points.reshape(len(points), len(base.low), -1)
    return pack_levels(Follow(base.centre, base.half_width, values).levels(epochs))


def pack_levels(levels: np.ndarray) -> np.ndarray:
    """Zoom levels of shape (n, dims) → one int key per row: Σ level_d · 2^(6d)."""
    shifts = LEVEL_BITS * np.arange(levels.shape[1])
    return (levels.astype(np.int64) << shifts).sum(axis=1)


def unpack_levels(key: int, dims: int) -> np.ndarray:
    """The zoom level of each axis in a view key: int ndarray of shape (dims,)."""
    return np.array([(int(key) >> (LEVEL_BITS * d)) & (2**LEVEL_BITS - 1) for d in range(dims)])


def log_limits(values: np.ndarray, floor: float, reference: float | None = None,
               pad: float = LOG_PAD) -> tuple[float, float] | None:
    """Limits of a log axis holding every positive value and the floor (a minimum, if > 0), `pad` times past them;
    None when no value is positive.

    Below `reference` (default: the largest value) it shows at most LOG_DECADES_SHOWN decades, however near zero
    a fit gets.
    """
    positive = values[values > 0]
    if not positive.size:
        return None
    top = float(positive.max())
    bottom = min(float(positive.min()), floor) if floor > 0 else float(positive.min())
    cap_from = reference if reference is not None and reference > 0 else top
    return max(bottom, cap_from * 10.0**-LOG_DECADES_SHOWN) / pad, top * pad


def loss_limits(loss: np.ndarray, minimum: float, pad: float = LOG_PAD) -> tuple[float, float]:
    """log_limits of a whole run's loss (n_epochs + 1,): the top holds every epoch (an escaping run too); the
    decades shown are counted from the initial loss, so that a diverged run's cap does not hide the minimum."""
    return log_limits(loss, minimum, float(loss[0]), pad) or EMPTY_LOG_LIMITS


def log_ticks(low: float, high: float, most: int = 2) -> np.ndarray:
    """Decades 10ᵈ inside [low, high] (low > 0) for a log axis with room for `most` ≥ 2 labels: the lowest and the
    highest decade and, evenly between them, the rest, so that a range of two decades or more keeps at least two
    labelled ticks however small the panel."""
    decades = np.arange(np.ceil(np.log10(low)), np.floor(np.log10(high)) + 1)
    if len(decades) <= most:
        return 10.0**decades
    return 10.0 ** decades[np.unique(np.round(np.linspace(0, len(decades) - 1, most)).astype(int))]
