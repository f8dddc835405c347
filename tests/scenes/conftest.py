"""Small experiments and looks for the scene tests: tiny frames, few epochs."""

from __future__ import annotations

import matplotlib
import pytest

from gdcore.datasets import load_preset
from gdcore.experiment import Experiment, RunRequest, prepare
from scenes.mpl.layouts import Look

matplotlib.use("Agg")

TINY = Look(width=320, height=180)


def experiment(dataset: str = "line", **request: object) -> Experiment:
    return prepare(load_preset(dataset), RunRequest(**request))  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def line_run() -> Experiment:
    return experiment("line", epochs=60, regime="good")


@pytest.fixture(scope="session")
def plane_run() -> Experiment:
    return experiment("plane", epochs=40)


@pytest.fixture(scope="session")
def diverging_run() -> Experiment:
    return experiment("plane", lr=0.8)
