"""Shared test helpers: small random regression problems."""

from __future__ import annotations

import numpy as np
import pytest


def random_data(
    seed: int, n_samples: int = 40, n_features: int = 2, noise: float = 0.3
) -> tuple[np.ndarray, np.ndarray]:
    """Features (n, d) of mixed scales and a noisy linear target."""
    rng = np.random.default_rng(seed)
    scales, offsets = rng.uniform(0.5, 3.0, n_features), rng.normal(size=n_features)
    features = rng.normal(size=(n_samples, n_features)) * scales + offsets
    target = 1.5 + features @ rng.normal(size=n_features) + noise * rng.normal(size=n_samples)
    return features, target


@pytest.fixture
def data() -> tuple[np.ndarray, np.ndarray]:
    return random_data(0)
