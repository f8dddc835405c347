"""Zoom keys: the view holds every point shown so far, and grows only by doubling."""

from __future__ import annotations

import numpy as np

from scenes.mpl.views import Box, pack_levels, unpack_levels, zoom_levels


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
