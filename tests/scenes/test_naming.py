"""File names: every setting that changes the picture is in the name; the same settings give the same name."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

from gdcore.datasets import load_preset, standardize
from gdcore.options import RunOptions, build_experiment
from scenes.mpl.layouts import Look
from scenes.naming import output_stem
from scenes.registry import scene_runs, scene_spec
from scenes.render import RenderSettings, output_paths

RUN_VARIATIONS: list[dict[str, object]] = [
    {}, {"lr": 0.05}, {"optimizer": "momentum"}, {"optimizer": "momentum", "momentum": 0.5}, {"optimizer": "adam"},
    {"optimizer": "adam", "beta1": 0.8}, {"epochs": 20}, {"init": "0.5,0.5"}, {"cost": "mse"}, {"tol": 1e-3},
    {"optimizer": "sgd", "batch_size": 8},
]
RENDER_VARIATIONS: list[dict[str, object]] = [
    {}, {"look": Look(theme="dark")}, {"look": Look(width=640, height=360)}, {"fps": 24.0}, {"duration": 3.0},
    {"time": "linear"}, {"look": Look(rotate=True)},
]


def _path(run: dict[str, object], render: dict[str, object], standardized: bool = False) -> Path:
    dataset = load_preset("line")
    dataset = standardize(dataset) if standardized else dataset
    experiment = build_experiment(dataset, replace(RunOptions(epochs=10), **run))  # type: ignore[arg-type]
    settings = replace(RenderSettings(scene="line", formats=("mp4",), out_dir=Path("out")), **render)
    return output_paths(settings, [experiment])["mp4"]


def test_different_settings_never_share_a_path() -> None:
    paths = [_path(run, render, standardized)
             for run, render, standardized in itertools.product(RUN_VARIATIONS, RENDER_VARIATIONS, (False, True))]
    assert len(set(paths)) == len(paths)


def test_the_same_settings_always_give_the_same_path() -> None:
    assert _path({"lr": 0.05}, {"fps": 24.0}) == _path({"lr": 0.05}, {"fps": 24.0})
    assert _path({}, {}).name.startswith("line-lr") and _path({}, {}) != _path({"epochs": 11}, {})


def test_defaults_read_plainly_and_common_settings_are_spelled_out() -> None:
    plane = load_preset("plane")
    default = scene_runs(scene_spec("dashboard"), plane, RunOptions())
    assert output_stem("dashboard", default) == "dashboard-lr0.1"
    momentum = scene_runs(scene_spec("dashboard"), standardize(plane), RunOptions(optimizer="momentum", lr=0.01))
    assert output_stem("dashboard", momentum, "manim", "dark") == "dashboard-lr0.01-momentum-std-dark-manim"
    regimes = scene_runs(scene_spec("regimes"), plane, RunOptions())
    assert output_stem("regimes", regimes) == "regimes"
    assert output_stem("regimes", regimes, render_settings={"fps": 24.0}).startswith("regimes-h")


def test_a_regime_and_its_rate_name_the_same_file() -> None:
    plane = load_preset("plane")
    by_regime = scene_runs(scene_spec("line"), plane, RunOptions(regime="jumping"))
    by_rate = scene_runs(scene_spec("line"), plane, RunOptions(lr=by_regime[0].trajectory.lr))
    assert output_stem("line", by_regime) == output_stem("line", by_rate)


def test_options_that_resolve_to_the_defaults_name_the_default_file() -> None:
    """The line preset starts at [1, 1]: asking for that start draws the same picture, under the same name."""
    assert _path({"init": "1,1"}, {}) == _path({}, {})
