"""Every scene declared once, as data: its name, what it shows, the engines that draw it, the runs it takes and
their defaults. The CLI's help and validation, `gdviz list`, file names and both engines read this table.

Adding a scene is one `register(SceneSpec(...))` plus its drawing code. Nothing here imports a drawing library:
an engine's entry names the object that draws the scene ("module:attribute"), imported only to render.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field, replace
from enum import Enum
from types import MappingProxyType
from typing import Any

import numpy as np

from gdcore.datasets import Dataset, standardize
from gdcore.errors import GdvizInputError, closest_hint
from gdcore.experiment import Experiment
from gdcore.optimizers import hyperparameter_names
from gdcore.options import RunOptions, build_experiment, check_seed_is_used, sweep_rates
from gdcore.problem import Problem
from gdcore.regimes import REGIME_NAMES, round_significant
from gdcore.stability import best_constant_rate

MAX_COMPARED = 4
DEFAULT_STEPS, MAX_STEPS = 3, 20  # update-rule's steps written out (--steps)
MAX_SWEPT, SWEEP_STEPS = 200, 40
MAX_RACED = 5  # optimizers on one contour: more paths than this tangle
RACE_DEFAULT = ("gd", "momentum", "adam")
HYPERPARAMETER_OPTIONS = ("momentum", "beta1", "beta2", "alpha", "eps", "batch_size")
ADAPTIVE_STEP_FRACTION = 0.1  # adaptive methods' default rate: this fraction of the largest distance to travel
MIN_SIDE, MAX_SIDE = 64, 3840  # frame sides in pixels


class Runs(str, Enum):
    """The runs a scene takes."""

    ONE = "one run"  # the rate asked for (--lr or --regime), else the dataset's tutorial rate
    REGIMES = "the four regime presets"  # slow, good, jumping, divergent of the dataset: no --lr/--regime
    RATES = "several rates"  # each --lr, 1 to MAX_COMPARED; default: the slow, good and jumping presets
    SCALING = "the data raw and standardized"  # each at its best constant rate 2/(λ_max + λ_min)
    SWEEP = "a sweep of rates"  # each --lr (two or more), else SWEEP_STEPS from 1 % to 150 % of the stable limit
    OPTIMIZERS = "several optimizers"  # each --optimizer (1 to MAX_RACED), each at its --lr or its default rate


@dataclass(frozen=True)
class Engine:
    """A renderer: the formats it writes and its named qualities (width, height, frames per second or None for
    the --fps option's)."""

    name: str
    description: str
    formats: tuple[str, ...]
    qualities: MappingProxyType[str, tuple[int, int, float | None]]
    default_quality: str


ENGINES: dict[str, Engine] = {
    "matplotlib": Engine(
        "matplotlib", "fast, every 2D and 3D panel", ("mp4", "gif", "webm", "webp", "png", "svg", "pdf"),
        MappingProxyType({"low": (854, 480, None), "medium": (1280, 720, None), "high": (1920, 1080, None)}),
        "medium"),
    "manim": Engine(
        "manim", "lecture quality, equations (Manim Community)", ("mp4", "gif", "webm", "webp"),
        MappingProxyType({"low": (854, 480, 15.0), "medium": (1280, 720, 30.0), "high": (1920, 1080, 60.0),
                          "4k": (3840, 2160, 60.0)}),
        "low"),
}


def parse_size(text: str) -> tuple[int, int]:
    """'1280x720' → (1280, 720), each side from 64 to 3840 pixels."""
    match = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", text)
    size = (int(match.group(1)), int(match.group(2))) if match else None
    if size is None or not all(MIN_SIDE <= side <= MAX_SIDE for side in size):
        raise GdvizInputError(f"`size` {text!r}: give WIDTHxHEIGHT, each from {MIN_SIDE} to {MAX_SIDE} pixels")
    return size


@dataclass(frozen=True)
class SceneSpec:
    """One scene. `engines` maps an engine's name to what draws the scene there ("module:attribute"), the first
    being the scene's default engine; `options` maps an engine to the scene-specific render options it honours
    (e.g. {"matplotlib": ("rotate",)})."""

    name: str
    description: str
    engines: MappingProxyType[str, str]
    runs: Runs = Runs.ONE
    options: MappingProxyType[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    default_regimes: tuple[str, ...] = ()  # Runs.RATES without --lr: these presets' rates

    @property
    def default_engine(self) -> str:
        return next(iter(self.engines))

    def drawer(self, engine: str) -> Any:
        """The object that draws this scene with `engine` (imported now)."""
        module, attribute = self.engines[self.check_engine(engine)].split(":")
        return getattr(importlib.import_module(module), attribute)

    def check_engine(self, engine: str) -> str:
        """`engine` if it draws this scene; otherwise a one-line error naming the engines that do."""
        if engine not in ENGINES:
            raise GdvizInputError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}"
                                  f"{closest_hint(engine, tuple(ENGINES))}")
        if engine not in self.engines:
            others = " or ".join(self.engines)
            raise GdvizInputError(f"{self.name} is drawn by the {others} engine: add `engine` {self.default_engine}")
        return engine

    def check_option(self, engine: str, option: str) -> None:
        """A scene-specific option this scene does not honour with `engine`: a one-line error, never ignored."""
        if option in self.options.get(engine, ()):
            return
        honoured = [f"{name} ({engine_name})" for name, spec in SCENES.items()
                    for engine_name, names in spec.options.items() if option in names]
        raise GdvizInputError(f"`{option}` is not honoured by the {self.name} scene with the {engine} engine; "
                              f"it works with: {', '.join(honoured) or 'no scene'}")


def _spec(name: str, description: str, engines: dict[str, str], **more: Any) -> SceneSpec:
    options = MappingProxyType(more.pop("options", {}))
    return SceneSpec(name, description, MappingProxyType(engines), options=options, **more)


_MPL, _MANIM = "scenes.mpl.layouts", "scenes.manim"
SCENES: dict[str, SceneSpec] = {}


def register(spec: SceneSpec) -> SceneSpec:
    """Add (or replace) a scene; returns it."""
    for engine in spec.engines:
        if engine not in ENGINES:
            raise ValueError(f"scene {spec.name!r}: unknown engine {engine!r}")
    SCENES[spec.name] = spec
    return spec


for _scene in (
    _spec("dashboard", "the fit, the path across the contours and the loss, side by side",
          {"matplotlib": f"{_MPL}:dashboard"}),
    _spec("line", "the line (or plane) being fitted to the data, epoch by epoch",
          {"matplotlib": f"{_MPL}:line", "manim": f"{_MANIM}.line_fit:LineFitScene"}),
    _spec("contour", "the path across the loss contours of two parameters",
          {"matplotlib": f"{_MPL}:contour", "manim": f"{_MANIM}.contour_path:ContourPathScene"}),
    _spec("surface", "the 3D loss bowl with the path descending it",
          {"matplotlib": f"{_MPL}:surface", "manim": f"{_MANIM}.surface_descent:SurfaceDescentScene"},
          options={"matplotlib": ("rotate",)}),
    _spec("loss", "the loss against the epoch, log scale", {"matplotlib": f"{_MPL}:loss"}),
    _spec("modes", "the error along each eigen-direction of the Hessian: shrinking, flipping or growing by 1 − ηλ",
          {"matplotlib": f"{_MPL}:modes", "manim": f"{_MANIM}.modes:ModesScene"}),
    _spec("race", "optimizers racing on one contour and one loss panel (default: gd, momentum, adam)",
          {"matplotlib": f"{_MPL}:race", "manim": f"{_MANIM}.race:RaceScene"}, runs=Runs.OPTIMIZERS),
    _spec("scaling", "the same data raw and standardized, each at its best constant rate: stripes against circles",
          {"matplotlib": f"{_MPL}:scaling", "manim": f"{_MANIM}.scaling:ScalingScene"}, runs=Runs.SCALING),
    _spec("sweep", "the rate moving from 1 % to 150 % of the stable limit: each rate's path, the final losses so far",
          {"matplotlib": f"{_MPL}:sweep", "manim": f"{_MANIM}.sweep:SweepScene"}, runs=Runs.SWEEP),
    _spec("update-rule", "w ← w − η∇L(w) written out, then its numbers step by step",
          {"manim": f"{_MANIM}.update_rule:UpdateRuleScene"}, options={"manim": ("steps",)}),
    _spec("regimes", "the four regimes of one problem on one clock",
          {"matplotlib": f"{_MPL}:regimes", "manim": f"{_MANIM}.regimes:RegimesScene"}, runs=Runs.REGIMES),
    _spec("compare", "chosen learning rates side by side (default: the slow, good and jumping presets)",
          {"matplotlib": f"{_MPL}:compare"}, runs=Runs.RATES, default_regimes=("slow", "good", "jumping")),
):
    register(_scene)


def scene_spec(name: str) -> SceneSpec:
    """The scene called `name`; a one-line error with the closest name otherwise."""
    if name not in SCENES:
        raise GdvizInputError(f"unknown scene {name!r}: choose one of {', '.join(SCENES)}"
                              f"{closest_hint(name, tuple(SCENES))}")
    return SCENES[name]


def max_runs(spec: SceneSpec) -> int:
    """How many runs the scene shows at most."""
    return {Runs.ONE: 1, Runs.REGIMES: len(REGIME_NAMES), Runs.RATES: MAX_COMPARED,
            Runs.OPTIMIZERS: MAX_RACED, Runs.SCALING: 2, Runs.SWEEP: MAX_SWEPT}[spec.runs]


def race_rate(optimizer: str, gd_run: Experiment, momentum: float | None = None) -> float:
    """An optimizer's default rate in a race, from gd's run at the good preset (η_gd = 0.9/L: a fair gd, where a
    dataset's tutorial rate may be deliberately slow):
    gd, sgd, decay: η_gd. Momentum, Nesterov: η_gd·(1 − μ), so that the step a steady gradient builds up,
    η/(1 − μ), is gd's. Adagrad, RMSprop, Adam (steps of about η per coordinate, whatever the gradient's size):
    ADAPTIVE_STEP_FRACTION of the largest distance |w* − w₀| a coordinate has to travel. Two significant digits."""
    if optimizer in ("momentum", "nesterov"):
        return round_significant(gd_run.trajectory.lr * (1.0 - (0.9 if momentum is None else momentum)), 2)
    if optimizer in ("adagrad", "rmsprop", "adam"):
        travel = float(np.max(np.abs(gd_run.problem.closed_form - gd_run.init)))
        return round_significant(ADAPTIVE_STEP_FRACTION * (travel if travel > 0 else 1.0), 2)
    return gd_run.trajectory.lr


def race_runs(spec: SceneSpec, dataset: Dataset, run: RunOptions, rates: tuple[float, ...],
              optimizers: tuple[str, ...], seed: int | None) -> list[Experiment]:
    """One run per optimizer (default RACE_DEFAULT), at the rates given in the optimizers' order or each one's
    race_rate."""
    optimizers = optimizers or RACE_DEFAULT
    check_seed_is_used(seed, dataset, optimizers)
    if len(optimizers) > MAX_RACED:
        raise GdvizInputError(f"{spec.name} races 1 to {MAX_RACED} optimizers, got {len(optimizers)} `optimizer`")
    if len(set(optimizers)) < len(optimizers):
        raise GdvizInputError(f"{spec.name}: an `optimizer` is given twice ({', '.join(optimizers)})")
    if run.regime is not None:
        raise GdvizInputError(f"{spec.name}: `regime` is gd's; give one `lr` per `optimizer` instead")
    if rates and len(rates) != len(optimizers):
        raise GdvizInputError(f"{spec.name}: give one `lr` per `optimizer` in their order ({len(optimizers)}), "
                              f"got {len(rates)}")
    gd_run = build_experiment(dataset, replace(run, optimizer="gd", lr=None, regime="good",
                                                **dict.fromkeys(HYPERPARAMETER_OPTIONS)))
    chosen = rates or tuple(race_rate(name, gd_run, run.momentum) for name in optimizers)
    given = {name for name in HYPERPARAMETER_OPTIONS if getattr(run, name) is not None}
    unused = given - set().union(*(hyperparameter_names(name) for name in optimizers))
    if unused:
        raise GdvizInputError(f"{', '.join(f'`{name}`' for name in sorted(unused))} applies to none of the "
                              f"optimizers raced ({', '.join(optimizers)})")
    # A hyperparameter goes to the racers that have it (--momentum 0.5: momentum and nesterov; gd runs plain).
    return [build_experiment(dataset, replace(run, optimizer=name, lr=rate, **{
        option: None for option in HYPERPARAMETER_OPTIONS if option not in hyperparameter_names(name)}), seed)
        for name, rate in zip(optimizers, chosen, strict=True)]


def sweep_runs(spec: SceneSpec, dataset: Dataset, run: RunOptions, rates: tuple[float, ...],
               seed: int | None) -> list[Experiment]:
    """One run per rate, ascending: the rates given (2 to MAX_SWEPT), else SWEEP_STEPS log-spaced from 1 % to
    150 % of the optimizer's largest stable rate (gdcore.options.build_sweep's range)."""
    check_seed_is_used(seed, dataset, (run.optimizer,))
    if run.regime is not None:
        raise GdvizInputError(f"the {spec.name} scene sweeps rates: drop `regime`")
    if len(rates) == 1 or len(rates) > MAX_SWEPT:
        raise GdvizInputError(f"the {spec.name} scene sweeps 2 to {MAX_SWEPT} `lr` (or none: {SWEEP_STEPS} "
                              f"rates around the stable limit), got {len(rates)}")
    if not rates:
        rates = tuple(float(rate) for rate in sweep_rates(dataset, replace(run, lr=None), SWEEP_STEPS, seed=seed)[1])
    return [build_experiment(dataset, replace(run, lr=rate), seed) for rate in sorted(rates)]


def scaling_runs(spec: SceneSpec, dataset: Dataset, run: RunOptions, rates: tuple[float, ...],
                 optimizers: tuple[str, ...], seed: int | None) -> list[Experiment]:
    """The data raw, then standardized, each run by gd at its own best constant rate 2/(λ_max + λ_min)."""
    if dataset.standardized:
        raise GdvizInputError(f"the {spec.name} scene shows the data raw and standardized: drop `standardize`")
    if rates or run.regime is not None or len(optimizers) > 1 or run.optimizer != "gd" or set(optimizers) - {"gd"}:
        raise GdvizInputError(f"the {spec.name} scene runs gd at each data's best constant rate 2/(λmax + λmin): "
                              "drop `lr`, `regime` and `optimizer`")
    check_seed_is_used(seed, dataset, ("gd",))
    runs = []
    for data in (dataset, standardize(dataset)):
        problem = Problem.from_data(data.features, data.target, run.cost or data.defaults.cost)
        runs.append(build_experiment(data, replace(run, lr=best_constant_rate(problem.eigenvalues).lr)))
    return runs


def scene_runs(spec: SceneSpec, dataset: Dataset, run: RunOptions, rates: tuple[float, ...] = (),
               seed: int | None = None, optimizers: tuple[str, ...] = ()) -> list[Experiment]:
    """The runs `spec` shows: the rate asked for, the regime presets, the rates compared, or the optimizers raced
    (see Runs). Several `optimizers` are for a race only."""
    if run.lr is not None:
        rates = (*rates, run.lr)
    if spec.runs is Runs.OPTIMIZERS:
        return race_runs(spec, dataset, run, rates, optimizers, seed)
    if spec.runs is Runs.SWEEP:
        return sweep_runs(spec, dataset, run, rates, seed)
    if spec.runs is Runs.SCALING:
        return scaling_runs(spec, dataset, run, rates, optimizers, seed)
    if len(optimizers) > 1:
        raise GdvizInputError(f"give one `optimizer`, got {len(optimizers)}: {', '.join(optimizers)} "
                              "(the race scene takes several)")
    if optimizers:
        run = replace(run, optimizer=optimizers[0])
    check_seed_is_used(seed, dataset, (run.optimizer,))
    if spec.runs is Runs.REGIMES:
        if rates or run.regime:
            raise GdvizInputError(f"the {spec.name} scene shows the dataset's four regime presets: drop `lr`/`regime`"
                                  " (use 'compare' with several `lr` for chosen rates)")
        return [build_experiment(dataset, replace(run, regime=regime), seed) for regime in REGIME_NAMES]
    if spec.runs is Runs.RATES:
        if len(rates) > MAX_COMPARED:
            raise GdvizInputError(f"{spec.name} shows 1 to {MAX_COMPARED} rates, got {len(rates)} `lr`")
        if rates and run.regime is not None:
            raise GdvizInputError(f"give either `lr` or `regime`, not both (got `regime` {run.regime})")
        if rates:
            return [build_experiment(dataset, replace(run, lr=rate), seed) for rate in rates]
        if run.regime is not None:  # one regime's preset: a single cell
            return [build_experiment(dataset, run, seed)]
        return [build_experiment(dataset, replace(run, regime=regime), seed) for regime in spec.default_regimes]
    if len(rates) > 1:
        raise GdvizInputError(f"scene {spec.name!r} shows one rate, got {len(rates)} `lr` (use 'compare' for several)")
    return [build_experiment(dataset, replace(run, lr=rates[0] if rates else None), seed)]


def figure_runs(dataset: Dataset, run: RunOptions, rates: tuple[float, ...] = (),
                seed: int | None = None) -> tuple[Experiment, list[Experiment]]:
    """The still figures' main run and the runs compared: one rate (or regime) sets the main run and the slow,
    good and jumping presets are compared, with the main run when its rate is none of them; two or more rates are
    the comparison, and the main run keeps the tutorial's rate (or the regime's)."""
    check_seed_is_used(seed, dataset, (run.optimizer,))
    rates = (*rates, run.lr) if run.lr is not None else rates
    if len(rates) > 1:
        return (build_experiment(dataset, replace(run, lr=None), seed),
                [build_experiment(dataset, replace(run, lr=rate, regime=None), seed) for rate in rates])
    main_run = build_experiment(dataset, replace(run, lr=rates[0] if rates else None), seed)
    compared = [build_experiment(dataset, replace(run, lr=None, regime=regime), seed)
                for regime in ("slow", "good", "jumping")]
    if all(other.trajectory.lr != main_run.trajectory.lr for other in compared):
        compared.append(main_run)
    return main_run, compared
