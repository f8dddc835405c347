"""The data and run options of every command, declared once: the CLI's flags, the notebook's keywords and their
validation all read these two dataclasses.

A field `batch_size` is the flag `--batch-size` and the keyword `batch_size=`. Messages name a parameter as
`batch_size` (in backticks); `as_flags` turns that into the CLI's `--batch-size`.
"""

from __future__ import annotations

import re
from dataclasses import MISSING, dataclass, field, fields
from typing import Any

import numpy as np

from gdcore.datasets import DATASET_NAMES, Dataset, load_dataset, load_file, standardize
from gdcore.errors import GdvizInputError, closest_hint
from gdcore.experiment import Experiment, Hyperparameters, RunRequest, parse_init, prepare
from gdcore.optimizers import OPTIMIZER_NAMES
from gdcore.problem import COST_NAMES
from gdcore.regimes import REGIME_NAMES
from gdcore.stability import stability_of
from gdcore.sweep import OptimizerSpec, Sweep, log_rates, sweep


def _option(help_text: str, metavar: str | None = None, default: Any = None) -> Any:
    """A field with its help text and metavar: the one place an option is described."""
    return field(default=default, metadata={"help": help_text, "metavar": metavar})


@dataclass(frozen=True)
class DataOptions:
    """Where the data comes from: a built-in dataset, or a CSV file and its columns; then optional standardizing."""

    dataset: str | None = _option(f"Built-in data: {', '.join(DATASET_NAMES)} (default: plane).", "NAME")
    data: str | None = _option("A CSV file with a header row.", "FILE")
    x: str | None = _option("Feature columns of --data (names or 0-based indices).", "COL[,COL...]")
    y: str | None = _option("Target column of --data (name or 0-based index).", "COL")
    standardize: bool = _option("Z-score the features before training.", default=False)
    seed: int | None = _option("Seed for synthetic data and mini-batch shuffling (default 0).", "INT")
    n: int | None = _option("Rows of synthetic data (default 100).", "INT")
    features: int | None = _option("Features of synthetic data (default 1).", "INT")
    noise: float | None = _option("Noise std of synthetic data (default 1.0).", "FLOAT")
    scheduler: str | None = _option("Read --data's files on a Dask cluster (tcp://HOST:PORT, or local): each worker "
                                    "streams its files into the statistics; the files must be on a shared path.",
                                    "ADDRESS")


@dataclass(frozen=True)
class RunOptions:
    """How to train: the rate (or a regime's preset rate), epochs, optimiser and its hyperparameters, start, cost.

    None everywhere means the dataset's tutorial settings, then gdviz's defaults.
    """

    lr: float | None = _option("Learning rate η (scenes that compare rates: repeat it).", "FLOAT")
    regime: str | None = _option(f"Use the preset rate of a regime: {', '.join(REGIME_NAMES)}.", "NAME")
    epochs: int | None = _option("Epochs to run (default: the dataset's tutorial setting).", "INT")
    optimizer: str = _option(f"One of {', '.join(OPTIMIZER_NAMES)} (default gd).", "NAME", default="gd")
    init: str | None = _option("Initial weights, bias first: zeros or B,W1,...", "zeros|B,W1,...")
    cost: str | None = _option(f"{' or '.join(COST_NAMES)} (default: the dataset's).", "NAME")
    tol: float | None = _option("Stop when ‖Δw‖ of an epoch is below this.", "FLOAT")
    momentum: float | None = _option("Momentum μ (momentum, nesterov; default 0.9).", "FLOAT")
    beta1: float | None = _option("Adam's β₁ (default 0.9).", "FLOAT")
    beta2: float | None = _option("Adam's β₂ (default 0.999).", "FLOAT")
    alpha: float | None = _option("RMSprop's smoothing α (default 0.99).", "FLOAT")
    eps: float | None = _option("Adagrad/RMSprop/Adam's ε.", "FLOAT")
    batch_size: int | None = _option("Mini-batch size for sgd (default 32).", "INT")


DATA_OPTION_NAMES: tuple[str, ...] = tuple(option.name for option in fields(DataOptions))
RUN_OPTION_NAMES: tuple[str, ...] = tuple(option.name for option in fields(RunOptions))


def flag(name: str) -> str:
    """The CLI flag of an option: batch_size → --batch-size."""
    return "--" + name.replace("_", "-")


def as_flags(message: str) -> str:
    """A message naming options in backticks (`batch_size`), as the CLI says it (--batch-size)."""
    return re.sub(r"`([a-z][a-z0-9_]*)`", lambda match: flag(match.group(1)), message)


def default_of(options: type, name: str) -> Any:
    """The declared default of one option."""
    option = next(option for option in fields(options) if option.name == name)
    return None if option.default is MISSING else option.default


def split_options(keywords: dict[str, Any]) -> tuple[DataOptions, RunOptions]:
    """Keywords (the notebook's, or the CLI's after parsing) → the two option sets; an unknown one is an error."""
    known = DATA_OPTION_NAMES + RUN_OPTION_NAMES
    for name in keywords:
        if name not in known:
            raise GdvizInputError(f"unknown option {name!r}: the data and run options are {', '.join(known)}"
                                  f"{closest_hint(name, known)}")
    data = DataOptions(**{name: value for name, value in keywords.items() if name in DATA_OPTION_NAMES})
    run = RunOptions(**{name: value for name, value in keywords.items() if name in RUN_OPTION_NAMES})
    return data, run


def build_dataset(options: DataOptions) -> Dataset:
    """The dataset the data options describe, validated: a CSV file, or a built-in (synthetic: sized by n,
    features, noise, seed), then standardized if asked."""
    if options.scheduler is not None and options.data is None:
        raise GdvizInputError(f"`scheduler` {options.scheduler} reads the files of `data` on a cluster: give "
                              "`data` FILES too")
    if options.data is not None:
        dataset = _csv_dataset(options)
    else:
        if options.x is not None or options.y is not None:
            raise GdvizInputError("`x` and `y` select columns of a CSV file: give `data` FILE too")
        name = options.dataset or "plane"
        # seed also seeds mini-batch shuffling: it shapes the data only when the data is synthetic.
        dataset = load_dataset(name, n_samples=options.n, n_features=options.features, noise=options.noise,
                               seed=options.seed if name == "synthetic" else None)
    return standardize(dataset) if options.standardize else dataset


def _csv_dataset(options: DataOptions) -> Dataset:
    if options.dataset is not None:
        raise GdvizInputError(f"give either `dataset` or `data`, not both (got `dataset` {options.dataset})")
    sizes = {"n": options.n, "features": options.features, "noise": options.noise}
    given = [f"`{name}`" for name, value in sizes.items() if value is not None]
    if given:
        raise GdvizInputError(f"{', '.join(given)} shape synthetic data (`dataset` synthetic), "
                              f"not `data` {options.data}")
    if options.x is None or options.y is None:
        raise GdvizInputError(f"`data` {options.data} needs `x` COL[,COL...] and `y` COL")
    return load_file(options.data, options.x, options.y, scheduler=options.scheduler)


def check_seed_is_used(seed: int | None, dataset: Dataset, optimizers: tuple[str, ...]) -> None:
    """seed seeds synthetic data and sgd's shuffling: given for neither, it is an error rather than ignored."""
    if seed is not None and "sgd" not in optimizers and dataset.name != "synthetic":
        uses = "synthetic data (`dataset` synthetic) and mini-batch shuffling (`optimizer` sgd)"
        raise GdvizInputError(f"`seed` {seed} seeds {uses}; this run has neither")


def hyperparameters(run: RunOptions, seed: int | None = None) -> Hyperparameters:
    """The optimiser's settings beyond the rate; `seed` seeds sgd's mini-batches only."""
    return Hyperparameters(run.momentum, run.beta1, run.beta2, run.alpha, run.eps, run.batch_size,
                           seed if run.optimizer == "sgd" else None)


def run_request(dataset: Dataset, run: RunOptions, seed: int | None = None) -> RunRequest:
    """The run options as gdcore.experiment's request; `seed` (the data options') seeds sgd's mini-batches."""
    return RunRequest(
        lr=run.lr, regime=run.regime, epochs=run.epochs,
        init=None if run.init is None else parse_init(run.init, dataset.param_names),
        cost=run.cost, optimizer=run.optimizer, tolerance=run.tol, hyper=hyperparameters(run, seed),
    )


def build_experiment(dataset: Dataset, run: RunOptions, seed: int | None = None) -> Experiment:
    """One run of `dataset` with the run options; `seed` (the data options') seeds sgd's mini-batches."""
    return prepare(dataset, run_request(dataset, run, seed))


def sweep_rates(dataset: Dataset, run: RunOptions, steps: int = 40, lr_min: float | None = None,
                lr_max: float | None = None, seed: int | None = None) -> tuple[Experiment, np.ndarray]:
    """The run at the dataset's own rate (its problem, start and epochs: what a sweep shares) and `steps` rates
    log-spaced from 1 % to 150 % of the optimiser's largest stable rate (2/L for gd; 2(1 + μ)/L for heavy ball;
    2/L for the adaptive methods, which have none), or from `lr_min` to `lr_max`: ndarray of shape (steps,)."""
    if run.lr is not None or run.regime is not None:
        raise GdvizInputError("a sweep chooses its rates: give `lr_min`/`lr_max` (and `steps`), not `lr`/`regime`")
    if isinstance(steps, bool) or steps < 1:
        raise GdvizInputError(f"`steps` must be at least 1, got {steps}")
    base = build_experiment(dataset, run, seed)
    problem = base.problem
    limit = stability_of(problem, optimizer_spec(run, seed).at(1.0), base.epochs).lr_stable_max
    reference = limit or 2.0 / problem.lambda_max
    low = 0.01 if lr_min is None else lr_min / reference
    high = 1.5 if lr_max is None else lr_max / reference
    return base, log_rates(problem, steps, low, high, of=reference)


def optimizer_spec(run: RunOptions, seed: int | None = None) -> OptimizerSpec:
    """The run's optimiser without its rate."""
    return OptimizerSpec(run.optimizer, hyperparameters(run, seed))


def build_sweep(dataset: Dataset, run: RunOptions, steps: int = 40, lr_min: float | None = None,
                lr_max: float | None = None, seed: int | None = None) -> tuple[Experiment, Sweep]:
    """A learning-rate sweep over sweep_rates' rates, each run for the dataset's epochs (or `epochs`) from the
    same start; its threshold refined by bisection. Returns the base run (see sweep_rates) and the sweep."""
    base, rates = sweep_rates(dataset, run, steps, lr_min, lr_max, seed)
    return base, sweep(base.problem, optimizer_spec(run, seed), base.epochs, rates, base.init)
