"""The contour panel's geometry: which of a path's segments pass through a note's box."""

from __future__ import annotations

import itertools

import numpy as np
from matplotlib.transforms import Bbox

from scenes.mpl.contour import segments_crossing


def test_segments_crossing_counts_what_dense_sampling_finds() -> None:
    """Against an oracle: each segment sampled at 20001 points, inside if any sample is (the random segments come
    nowhere near grazing the box by less than a sample's spacing, with this seed)."""
    rng = np.random.default_rng(7)
    box = Bbox([[2.0, 3.0], [6.0, 5.0]])
    polyline = rng.uniform(-2.0, 10.0, size=(400, 2))
    t = np.linspace(0.0, 1.0, 20001)[:, None]
    expected = 0
    for start, end in itertools.pairwise(polyline):
        samples = start + t * (end - start)
        expected += bool(np.any((samples[:, 0] >= 2) & (samples[:, 0] <= 6) & (samples[:, 1] >= 3)
                                & (samples[:, 1] <= 5)))
    assert 0 < expected < len(polyline) - 1
    assert segments_crossing(polyline, box) == expected


def test_segments_crossing_edge_cases() -> None:
    box = Bbox([[0.0, 0.0], [10.0, 10.0]])
    cases = {((-5, 5), (15, 5)): 1, ((2, 2), (3, 3)): 1, ((-5, -5), (-1, 20)): 0, ((-1, 5), (5, 11)): 1,
             ((-5, 11), (15, 11)): 0, ((5, -5), (5, 15)): 1, ((20, 20), (20, 20)): 0, ((5, 5), (5, 5)): 1,
             ((-1, 9), (9, 21)): 0}
    for segment, crossing in cases.items():
        assert segments_crossing(np.array(segment, dtype=float), box) == crossing, segment
