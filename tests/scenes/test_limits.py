"""Views for every engine: zoom keys hold every point shown so far; the continuous follow holds it at every
fractional epoch; a still's box holds the whole run; log limits hold every positive value (checked point by point,
and against a naive scan)."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenes.limits import (
    EMPTY_LOG_LIMITS,
    LOG_DECADES_SHOWN,
    MARGIN,
    Box,
    Follow,
    log_limits,
    log_ticks,
    loss_limits,
    pack_levels,
    still_box,
    unpack_levels,
    zoom_levels,
)


def test_levels_round_trip_through_a_key() -> None:
    levels = np.array([[0, 0], [3, 1], [63, 7]])
    keys = pack_levels(levels)
    for key, expected in zip(keys, levels, strict=True):
        np.testing.assert_array_equal(unpack_levels(int(key), 2), expected)


def test_a_stable_path_needs_no_zoom() -> None:
    points = np.array([[0.0, 0.0], [0.5, 0.2], [0.9, 0.9]])
    base = Box.around(points)
    assert np.all(zoom_levels(base, points, np.array([0, 1, 2, 2])) == 0)


def test_an_escaping_path_is_always_inside_the_view_per_axis() -> None:
    base = Box(np.array([-1.0, -1.0]), np.array([1.0, 1.0]))
    points = np.array([[0.0, 0.0], [3.0, 0.5], [-10.0, 0.5], [40.0, 0.9]])  # escapes along the first axis only
    epochs = np.array([0, 1, 2, 3, 3])
    keys = zoom_levels(base, points, epochs)
    for frame, epoch in enumerate(epochs):
        view = base.zoomed_out(int(keys[frame]))
        shown = points[: epoch + 1]
        assert np.all(shown >= view.low) and np.all(shown <= view.high)
    assert unpack_levels(int(keys[-1]), 2)[1] == 0  # the second axis never had to zoom
    assert unpack_levels(int(keys[-1]), 2)[0] == 3  # 4^2 < 40 · 1.08 ≤ 4^3


def test_epochs_past_the_run_hold_its_last_view() -> None:
    base = Box(np.array([-1.0]), np.array([1.0]))
    points = np.array([[0.0], [5.0]])
    keys = zoom_levels(base, points, np.array([0, 1, 7, 9]))
    assert keys[1] == keys[2] == keys[3] > 0


def test_limits_import_no_drawing_library() -> None:
    code = "import sys, scenes.limits, scenes.captions; print([m for m in ('matplotlib', 'manim') if m in sys.modules])"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@settings(deadline=None, max_examples=60)
@given(seed=st.integers(0, 10_000), dims=st.integers(1, 2), values=st.integers(1, 3))
def test_the_followed_view_holds_everything_shown_so_far(seed: int, dims: int, values: int) -> None:
    """At every fractional epoch the view (with its margin) holds every whole epoch reached and the interpolated
    point; it never shrinks; and it is the unzoomed view until something leaves that."""
    rng = np.random.default_rng(seed)
    path = np.cumsum(rng.normal(size=(12, dims, values)) * 10.0 ** rng.uniform(-1, 2, size=(12, 1, 1)), axis=0)
    centre, half = rng.normal(size=dims), rng.uniform(0.5, 2.0, size=dims)
    follow = Follow(centre, half, path)
    previous = np.zeros(dims)
    for epoch in np.linspace(0.0, len(path) - 1, 89):
        low = math.floor(epoch)
        current = path[low] + (epoch - low) * (path[min(low + 1, len(path) - 1)] - path[low])
        now = follow.half_at(float(epoch), current)
        shown = np.concatenate([path[: low + 1], current[None]])
        assert np.all(np.abs(shown - centre[:, None]) * MARGIN <= now[:, None] * (1 + 1e-12))
        assert np.all(now >= previous * (1 - 1e-12)) and np.all(now >= follow.half)
        previous = now
    inside = np.all(np.abs(path - centre[:, None]) * MARGIN <= follow.half[:, None])
    assert follow.moves == (not inside)


def test_a_still_box_holds_the_whole_run_with_its_margin() -> None:
    points = np.array([[0.0, 5.0], [10.0, 5.0], [4.0, 5.0]])  # the second coordinate never moved
    box = still_box(points, margin=0.1)
    np.testing.assert_allclose(box.low, [-1.0, 4.5])  # ±(5 + 1); ±0.05 × the first span
    np.testing.assert_allclose(box.high, [11.0, 5.5])
    still = still_box(np.array([[2.0, -3.0]]), margin=0.1)  # a single point: ±0.5(1 + |value|)
    np.testing.assert_allclose(still.low, [0.5, -5.0])
    np.testing.assert_allclose(still.high, [3.5, -1.0])


def naive_log_limits(values: list[float], floor: float, reference: float, pad: float) -> tuple[float, float]:
    """The rule written out: the smallest and largest positive value (and the floor), the bottom no more than
    LOG_DECADES_SHOWN decades below the reference, then `pad` times further out."""
    top = bottom = None
    for value in values:
        if value > 0:
            top = value if top is None else max(top, value)
            bottom = value if bottom is None else min(bottom, value)
    assert top is not None and bottom is not None
    if floor > 0 and floor < bottom:
        bottom = floor
    lowest_shown = reference / 10**LOG_DECADES_SHOWN
    if bottom < lowest_shown:
        bottom = lowest_shown
    return bottom / pad, top * pad


@settings(deadline=None, max_examples=80)
@given(seed=st.integers(0, 10_000), pad=st.sampled_from([1.6, 2.0]))
def test_log_limits_hold_every_positive_value_and_the_floor(seed: int, pad: float) -> None:
    rng = np.random.default_rng(seed)
    values = 10.0 ** rng.uniform(-30, 20, size=rng.integers(1, 30))
    values[rng.random(len(values)) < 0.2] = 0.0
    values[0] = 10.0 ** rng.uniform(-5, 5)  # the initial loss is positive
    floor = float(values.min()) * rng.choice([0.0, 0.5])
    reference = float(values[0])
    limits = log_limits(values, floor, reference, pad)
    assert limits == pytest.approx(naive_log_limits(list(values), floor, reference, pad), rel=1e-12)
    low, high = limits
    shown = values[(values > 0) & (values >= reference * 10.0**-LOG_DECADES_SHOWN)]
    assert np.all((shown > low) & (shown < high))
    assert floor <= 0 or floor < reference * 10.0**-LOG_DECADES_SHOWN or low < floor
    without_reference = log_limits(values, floor, pad=pad)
    assert without_reference == pytest.approx(naive_log_limits(list(values), floor, float(values.max()), pad))


def test_log_limits_of_nothing_positive() -> None:
    assert log_limits(np.zeros(4), 0.0) is None
    assert loss_limits(np.zeros(4), 0.0) == EMPTY_LOG_LIMITS


def test_a_diverging_runs_loss_limits_count_decades_from_the_start() -> None:
    """The top holds the escape; the bottom is the minimum, not fifteen decades under the escaped loss."""
    loss = np.array([10.0, 3.0, 1.0, 50.0, 1e20])
    assert loss_limits(loss, 0.5) == pytest.approx((0.25, 2e20))
    assert log_limits(loss, 0.5) == pytest.approx((1e5 / 2, 2e20))  # counted from the top: the minimum is lost


@pytest.mark.parametrize(("low", "high", "most"), [(0.1, 1e14, 2), (3e-3, 2.7e12, 2), (0.5, 2e3, 2), (1e-3, 1e15, 4)])
def test_log_ticks_keep_the_lowest_and_highest_decade_inside_the_range(low: float, high: float, most: int) -> None:
    ticks = log_ticks(low, high, most)
    decades = np.log10(ticks)
    assert len(ticks) == most and np.all((low <= ticks) & (ticks <= high))
    np.testing.assert_allclose(decades, np.round(decades))
    assert decades[0] == math.ceil(math.log10(low)) and decades[-1] == math.floor(math.log10(high))


def test_log_ticks_over_less_than_two_decades_give_what_is_there() -> None:
    np.testing.assert_allclose(log_ticks(0.5, 50.0), [1.0, 10.0])
    np.testing.assert_allclose(log_ticks(2.0, 50.0), [10.0])
