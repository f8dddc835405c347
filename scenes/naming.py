"""File names that tell renders apart: every setting that changes the picture is in the name.

    OUT/DATASET/SCENE-lrRATES[-OPTIMIZER][-std][-dark][-ENGINE][-hHASH].EXT

Readable parts for the common settings: the rates (none for the regimes scene: they come from the data), the
optimizer when not gd, `std` for standardized features, `dark`, the engine when not matplotlib. Every other
setting that differs from its default (epochs, start, cost, tolerance, the optimizer's hyperparameters, the data
of a CSV file or synthetic set, the frame size, frame rate, duration, time scale, camera, GIF width) goes into a
short stable hash. Values are the resolved ones (a --regime gives its rate), so the same settings always give the
same path (a re-render replaces its own file) and different settings never share one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence

from gdcore.datasets import PRESET_NAMES
from gdcore.experiment import Experiment
from gdcore.optimizers import make_optimizer
from scenes.registry import ENGINES

DEFAULT_FPS, DEFAULT_DURATION = 30.0, 5.0  # the render options' defaults (Manim: its quality's frame rate)
MAX_RATES_NAMED = 5  # more rates than this (a sweep) are named by their range and count
HASH_CHARACTERS = 6  # 16⁶ ≈ 1.7·10⁷ values: collisions between one folder's renders are vanishingly rare


def output_stem(scene: str, experiments: Sequence[Experiment], engine: str = "matplotlib", theme: str = "light",
                render_settings: Mapping[str, object] | None = None) -> str:
    """'dashboard-lr0.8', 'compare-lr0.1-0.3-momentum-std-dark', 'line-lr0.1-manim-h3f9a0c'.

    render_settings: the render options that differ from their defaults (size, fps, ...), as name → value.
    """
    first = experiments[0]
    rates = [run.trajectory.lr for run in experiments]
    if len(rates) > MAX_RATES_NAMED:  # a sweep: its range and count
        parts = [f"{scene}-lr{min(rates):.3g}-{max(rates):.3g}-n{len(rates)}"]
    else:
        parts = [scene if scene == "regimes" else f"{scene}-lr" + "-".join(f"{rate:g}" for rate in rates)]
    optimizers = list(dict.fromkeys(run.trajectory.optimizer for run in experiments))
    if optimizers != ["gd"]:
        parts.append("-".join(optimizers))
    if first.dataset.standardized:
        parts.append("std")
    if theme != "light":
        parts.append(theme)
    if engine != "matplotlib":
        parts.append(engine)
    hidden = run_settings(experiments) | dict(render_settings or {})
    if hidden:
        parts.append("h" + settings_hash(hidden))
    return "-".join(parts)


def picture_settings(engine: str, size: tuple[int, int], fps: float, duration: float, time: str,
                     rotate: bool = False, gif_width: int | None = None, theory: bool = True) -> dict[str, object]:
    """The render settings that differ from the engine's defaults (its default quality's size and frame rate, five
    seconds, log time, a still camera, the default GIF width, the theory path drawn), as name → value."""
    engine_spec = ENGINES[engine]
    width, height, quality_fps = engine_spec.qualities[engine_spec.default_quality]
    chosen = {"size": tuple(size), "fps": float(fps), "duration": float(duration), "time": time, "rotate": rotate,
              "gif_width": gif_width, "theory": theory}
    usual = {"size": (width, height), "fps": quality_fps or DEFAULT_FPS, "duration": DEFAULT_DURATION, "time": "log",
             "rotate": False, "gif_width": None, "theory": True}
    return {name: value for name, value in chosen.items() if value != usual[name]}


def run_settings(experiments: Sequence[Experiment]) -> dict[str, object]:
    """The settings of the runs that differ from the dataset's defaults and are not in the readable parts."""
    settings: dict[str, object] = {}
    first = experiments[0]
    dataset, defaults = first.dataset, first.dataset.defaults
    if dataset.name not in PRESET_NAMES:  # a CSV file (its path and columns) or a synthetic set (its sizes, seed)
        settings["data"] = dataset.source
    if first.epochs != defaults.epochs:
        settings["epochs"] = first.epochs
    default_init = defaults.init or (0.0,) * first.problem.n_params
    if tuple(float(value) for value in first.init) != tuple(default_init):
        settings["init"] = [float(value) for value in first.init]
    if first.problem.cost != defaults.cost:
        settings["cost"] = first.problem.cost
    if first.tolerance != defaults.tolerance:
        settings["tol"] = first.tolerance
    for index, run in enumerate(experiments):
        hyper = _non_default_hyperparameters(run)
        if hyper:
            settings[f"hyper{index}" if len(experiments) > 1 else "hyper"] = hyper
    return settings


def _non_default_hyperparameters(run: Experiment) -> dict[str, object]:
    """The optimiser's fields (but the rate) that differ from its defaults."""
    optimizer = run.optimizer
    default = make_optimizer(run.trajectory.optimizer, run.trajectory.lr)
    chosen, usual = dataclasses.asdict(optimizer), dataclasses.asdict(default)  # type: ignore[call-overload]
    return {name: value for name, value in chosen.items() if name != "lr" and value != usual.get(name)}


def settings_hash(settings: Mapping[str, object]) -> str:
    """A short hash of the settings, stable across runs, machines and Python versions (sorted JSON)."""
    text = json.dumps(settings, sort_keys=True, default=repr, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:HASH_CHARACTERS]


def sweep_stem(experiment: Experiment, rates: Sequence[float], theme: str = "light") -> str:
    """'figure-sweep-lr0.00322-0.484-n40' (beside the lab figures; the sweep scene is sweep-…), with the optimizer,
    std, dark and a hash of the run settings as for renders."""
    parts = [f"figure-sweep-lr{min(rates):.3g}-{max(rates):.3g}-n{len(rates)}"]
    if experiment.trajectory.optimizer != "gd":
        parts.append(experiment.trajectory.optimizer)
    if experiment.dataset.standardized:
        parts.append("std")
    if theme != "light":
        parts.append(theme)
    hidden = run_settings([experiment])
    if hidden:
        parts.append("h" + settings_hash(hidden))
    return "-".join(parts)
