"""Datasets for linear regression: the tutorials' presets (same random calls, same numbers), a synthetic
generator, and data files (CSV or Parquet, streamed: see gdcore.reader); each comes with its training settings.

A Dataset holds the statistics of all its rows, and the rows themselves when they fit the row budget (otherwise a
seeded sample of them, for drawing)."""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numpy as np

from gdcore.checks import check
from gdcore.errors import GdvizInputError, closest_hint
from gdcore.problem import cost_scale
from gdcore.reader import MAX_FEATURES, READ_TIMEOUT_S, read_table
from gdcore.statistics import ROW_BUDGET_BYTES, SHOWN_ROWS, Accumulator, Moments

PRESET_NAMES: tuple[str, ...] = ("plane", "line", "line-wide", "five-points")
DATASET_NAMES: tuple[str, ...] = (*PRESET_NAMES, "synthetic")

# The `line` tutorial drew its data with Python's unseeded `random`; gdviz fixes this seed instead.
LINE_SEED = 4
# Synthetic data: y = 1 + Σ wⱼ·xⱼ + noise, with wⱼ = 2, 3, 4, 5, 2, 3, ... (j = 1..d).
SYNTHETIC_BIAS = 1.0
SYNTHETIC_WEIGHT_CYCLE: tuple[float, ...] = (2.0, 3.0, 4.0, 5.0)
# Synthetic noise stays below this, so that y (a few noise levels at most) stays within VALUE_LIMIT.
MAX_NOISE = 1e140
# Synthetic data costs n × (d + 1) random numbers and products: at most this many (measured: about 25 s).
MAX_SYNTHETIC_VALUES = 500_000_000
# Rows generated at a time when synthetic data is streamed (past the row budget) instead of held.
_SYNTHETIC_CHUNK_VALUES = 2**20


def _read_only(values: object, ndim: int) -> np.ndarray:
    """A read-only float64 copy; an array that is already read-only float64 and owns its data is taken as it is
    (the reader hands over the rows it made, so millions of rows are not copied again)."""
    owned = isinstance(values, np.ndarray) and values.base is None and not values.flags.writeable
    array = values if owned and values.dtype == np.float64 else np.array(values, dtype=np.float64)
    if array.ndim != ndim:
        raise GdvizInputError(f"expected a {ndim}-D array, got shape {array.shape}")
    array.setflags(write=False)
    return array


def _float_tuple(values: Sequence[float] | None) -> tuple[float, ...] | None:
    return None if values is None else tuple(float(v) for v in values)


@dataclass(frozen=True)
class TrainingDefaults:
    """The tutorial's own training settings."""

    lr: float | None  # None: the caller picks the 'good' regime rate from the data
    epochs: int
    init: tuple[float, ...] | None  # initial weights, bias first [b, w1, ..., wd]; None = zeros
    cost: str  # "mse" (1/n Σ r²) or "half-mse" (1/(2n) Σ r²)
    tolerance: float | None = None  # stop when ‖Δw‖ < tolerance (None: never)

    def __post_init__(self) -> None:
        cost_scale(self.cost)  # an unknown cost: a one-line error with the closest name
        if self.lr is not None:
            check(("learning rate", self.lr, "positive"))
        check(("epochs", self.epochs, "epochs"))
        if self.tolerance is not None:
            check(("tolerance", self.tolerance, "positive"))
        object.__setattr__(self, "init", _float_tuple(self.init))


@dataclass(frozen=True, eq=False)
class Standardization:
    """What `standardize` did to each feature: x_std = (x − means) / scales (a constant feature has scale 1).

    means, scales: read-only ndarrays of shape (n_features,). Equality is identity, as for Dataset.
    """

    means: np.ndarray
    scales: np.ndarray

    def __post_init__(self) -> None:
        means, scales = _read_only(self.means, 1), _read_only(self.scales, 1)
        if means.shape != scales.shape or not (np.all(np.isfinite(means)) and np.all(scales > 0)):
            raise GdvizInputError("a standardization needs finite means and positive scales of the same length")
        object.__setattr__(self, "means", means)
        object.__setattr__(self, "scales", scales)

    def to_original_units(self, weights: np.ndarray) -> np.ndarray:
        """Weights [b, w1..wd] learned on standardized features, in the raw features' units; shape (..., p) kept.

        b + Σ wⱼ (xⱼ − μⱼ)/σⱼ = (b − Σ wⱼ μⱼ/σⱼ) + Σ (wⱼ/σⱼ) xⱼ.
        """
        weights = np.asarray(weights, dtype=float)
        slopes = weights[..., 1:] / self.scales
        bias = weights[..., :1] - np.sum(slopes * self.means, axis=-1, keepdims=True)
        return np.concatenate([bias, slopes], axis=-1)

    def to_standardized_units(self, weights: np.ndarray) -> np.ndarray:
        """The inverse: raw-unit weights [b, w1..wd] as weights on the standardized features, shape (..., p) kept.

        b + Σ wⱼ xⱼ = (b + Σ wⱼ μⱼ) + Σ (wⱼ σⱼ) (xⱼ − μⱼ)/σⱼ.
        """
        weights = np.asarray(weights, dtype=float)
        slopes = weights[..., 1:]
        bias = weights[..., :1] + np.sum(slopes * self.means, axis=-1, keepdims=True)
        return np.concatenate([bias, slopes * self.scales], axis=-1)


@dataclass(frozen=True, eq=False)
class Dataset:
    """Features X of shape (rows, n_features) and target y of shape (rows,), both read-only, and the statistics
    of all n_samples rows.

    The arrays hold every row (rows = n_samples, `rows_kept`) unless the data exceeded the reader's row budget;
    then they hold a seeded uniform sample of SHOWN_ROWS rows, for drawing, and every number comes from
    `statistics`. Equality is identity (eq=False): comparing arrays field by field has no single truth value.
    """

    name: str  # "plane", "line", ..., "synthetic", or the data file's stem
    features: np.ndarray = field(repr=False)  # float64, shape (rows, n_features), read-only
    target: np.ndarray = field(repr=False)  # float64, shape (rows,), read-only
    feature_names: tuple[str, ...]  # e.g. ("x1", "x2"); for a file the column headers
    target_name: str  # "y" or the file's header
    true_params: tuple[float, ...] | None  # bias first, when known
    source: str  # one line: where the data comes from
    defaults: TrainingDefaults
    standardized: bool = False
    standardization: Standardization | None = None  # set by standardize(): the raw features' means and scales
    # The moments of the columns [x1, ..., xd, y] over all rows; None: computed from the arrays (all rows).
    statistics: Moments = field(default=None, repr=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        features, target = _read_only(self.features, 2), _read_only(self.target, 1)
        n, d = features.shape
        if n < 1 or d < 1:
            raise GdvizInputError(f"dataset {self.name!r} needs at least 1 row and 1 feature, got {n}×{d}")
        if target.shape != (n,):
            raise GdvizInputError(f"dataset {self.name!r}: {n} feature rows but {target.shape[0]} targets")
        if len(self.feature_names) != d:
            raise GdvizInputError(f"dataset {self.name!r}: {d} features but {len(self.feature_names)} names")
        for label, params in (("true parameters", self.true_params), ("initial weights", self.defaults.init)):
            if params is not None and len(params) != d + 1:
                raise GdvizInputError(f"dataset {self.name!r}: {label} need {d + 1} values: {params}")
        if self.standardization is not None and self.standardization.means.shape != (d,):
            raise GdvizInputError(f"dataset {self.name!r}: {d} features but a standardization of "
                                  f"{self.standardization.means.shape[0]}")
        statistics = self.statistics
        if statistics is None:
            statistics = Moments.of(np.column_stack([features, target]))
        elif statistics.k != d + 1 or statistics.n < n:
            raise GdvizInputError(f"dataset {self.name!r}: statistics of {statistics.k} columns and "
                                  f"{statistics.n} rows do not describe {n} rows of {d + 1} columns")
        statistics.check_scale((*self.feature_names, self.target_name))
        object.__setattr__(self, "features", features)
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "feature_names", tuple(self.feature_names))
        object.__setattr__(self, "true_params", _float_tuple(self.true_params))
        object.__setattr__(self, "statistics", statistics)

    @property
    def n_samples(self) -> int:
        """All the rows of the data, kept or not."""
        return int(self.statistics.n)

    @property
    def n_features(self) -> int:
        return int(self.features.shape[1])

    @property
    def rows_kept(self) -> bool:
        """True when `features` and `target` hold every row (mini-batch sgd needs them)."""
        return int(self.features.shape[0]) == self.n_samples

    @property
    def param_names(self) -> tuple[str, ...]:
        """("b", "w1", ..., "wd"): bias first, whatever the features are called."""
        return ("b", *(f"w{j}" for j in range(1, self.n_features + 1)))

    def weights_in_original_units(self, weights: np.ndarray) -> np.ndarray:
        """Weights of shape (..., p) in the raw features' units: mapped back when standardized, else a copy."""
        if self.standardization is None:
            return np.array(weights, dtype=float)
        return self.standardization.to_original_units(weights)

    @cached_property
    def shown(self) -> tuple[np.ndarray, np.ndarray]:
        """The points a drawing shows: features (shown_rows, d) and target (shown_rows,), read-only.

        Every row up to SHOWN_ROWS; past it a seeded uniform sample of SHOWN_ROWS rows (always the same one).
        """
        rows = int(self.features.shape[0])
        if rows <= SHOWN_ROWS:
            return self.features, self.target
        chosen = np.sort(np.random.default_rng(0).choice(rows, SHOWN_ROWS, replace=False))
        features, target = self.features[chosen], self.target[chosen]
        features.setflags(write=False)
        target.setflags(write=False)
        return features, target

    @property
    def shown_rows(self) -> int:
        return int(self.shown[1].shape[0])

    @property
    def sample_note(self) -> str:
        """'10,000 of 5,000,000 points shown' when a drawing shows a sample, else ''."""
        if self.shown_rows == self.n_samples:
            return ""
        return f"{self.shown_rows:,} of {self.n_samples:,} points shown"


# ── Presets ────────────────────────────────────────────────────────────────────────────────────────────


def _plane() -> Dataset:
    # Tutorial 1 used np.random.seed(42) and the global generator; RandomState(42) gives the same stream
    # without touching global state. Order: x1, x2, then noise.
    rs = np.random.RandomState(42)
    n = 100
    x1 = rs.uniform(0, 2, n)
    x2 = rs.uniform(0, 2, n)
    noise = 0.5 * rs.randn(n)
    y = 1 + 2 * x1 + 3 * x2 + noise  # y = b + w1·x1 + w2·x2 + N(0, 0.5²)
    return Dataset(
        name="plane",
        features=np.column_stack([x1, x2]),
        target=y,
        feature_names=("x1", "x2"),
        target_name="y",
        true_params=(1.0, 2.0, 3.0),
        source="University lab 'Linear Regression via Gradient Descent': "
        "y = 1 + 2·x1 + 3·x2 + N(0, 0.5²), x uniform in [0, 2), n = 100, np.random.seed(42)",
        defaults=TrainingDefaults(lr=0.1, epochs=300, init=None, cost="mse"),
    )


def _line() -> Dataset:
    # Tutorial 4 used unseeded Python `random`; gdviz draws all x first, then all noise, from its own seed.
    rng = np.random.default_rng(LINE_SEED)
    n = 100
    x = rng.uniform(0, 1, n)
    noise = rng.uniform(-0.2, 0.2, n)
    y = 2 * x + 1 + noise  # y = 1 + 2·x + U(−0.2, 0.2)
    return Dataset(
        name="line",
        features=x[:, np.newaxis],
        target=y,
        feature_names=("x",),
        target_name="y",
        true_params=(1.0, 2.0),
        source="Article 'Gradient descent for linear regression': y = 1 + 2·x + U(−0.2, 0.2), x uniform in "
        f"[0, 1), n = 100 (the article's random was unseeded; gdviz uses np.random.default_rng({LINE_SEED}))",
        defaults=TrainingDefaults(lr=0.01, epochs=1000, init=(1.0, 1.0), cost="half-mse"),
    )


def _line_wide() -> Dataset:
    # Tutorial 5: data first, then the initial weights from the same generator, drawn as (slope, intercept).
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 10, 100)
    y = 3 * x + 2 + rng.normal(0, 1, 100)  # y = 2 + 3·x + N(0, 1)
    slope, intercept = rng.standard_normal(2)
    return Dataset(
        name="line-wide",
        features=x[:, np.newaxis],
        target=y,
        feature_names=("x",),
        target_name="y",
        true_params=(2.0, 3.0),
        source="Lesson 'Linear regression as the full training loop': y = 2 + 3·x + N(0, 1), "
        "x uniform in [0, 10), n = 100, np.random.default_rng(0)",
        defaults=TrainingDefaults(lr=0.01, epochs=200, init=(intercept, slope), cost="mse"),
    )


def _five_points() -> Dataset:
    # Tutorial 3 starts at (m, b) = (0.48, 0.75): bias first that is (0.75, 0.48).
    return Dataset(
        name="five-points",
        features=np.array([[1.0], [2.0], [3.0], [4.0], [5.0]]),
        target=np.array([1.0, 3.0, 3.0, 3.0, 5.0]),
        feature_names=("x",),
        target_name="y",
        true_params=None,
        source="Notebook 'Linear regression with gradient descent vs least squares': "
        "x = [1, 2, 3, 4, 5], y = [1, 3, 3, 3, 5]",
        defaults=TrainingDefaults(lr=0.01, epochs=1000, init=(0.75, 0.48), cost="mse"),
    )


_PRESETS = {"plane": _plane, "line": _line, "line-wide": _line_wide, "five-points": _five_points}


def _unknown_dataset(name: object) -> GdvizInputError:
    hint = closest_hint(str(name), DATASET_NAMES)
    return GdvizInputError(f"unknown dataset {name!r}: choose one of {', '.join(DATASET_NAMES)}{hint}")


def load_preset(name: str) -> Dataset:
    """The preset called `name` (one of PRESET_NAMES), reproducing its tutorial's numbers exactly."""
    if name not in _PRESETS:
        raise _unknown_dataset(name)
    return _PRESETS[name]()


# ── Synthetic ─────────────────────────────────────────────────────────────────────────────────────────


def _check_int(label: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise GdvizInputError(f"{label} {value!r} must be a whole number ≥ {minimum}")
    return int(value)


def _check_noise(value: object) -> float:
    is_real = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not (is_real and math.isfinite(value) and 0 <= value <= MAX_NOISE):
        raise GdvizInputError(f"noise {value!r} must be a finite number ≥ 0 and at most {MAX_NOISE:.0e}")
    return float(value)


def _memory_bytes() -> int | None:
    """The machine's physical memory (os.sysconf), or None where it cannot tell."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def _check_synthetic_size(n: int, d: int) -> None:
    """One line before any work: n × (d + 1) float64 values past the machine's memory, or past the cost budget."""
    values = n * (d + 1)
    memory = _memory_bytes()
    if memory is not None and values * 8 > memory:
        raise GdvizInputError(
            f"synthetic data of n_samples {n} × (n_features {d} + 1) = {values:,} numbers ({values * 8 / 1e9:,.3g} GB) "
            f"does not fit in memory ({memory / 1e9:.3g} GB): ask for fewer rows or features")
    if values > MAX_SYNTHETIC_VALUES:
        raise GdvizInputError(
            f"synthetic data of n_samples {n:,} × (n_features {d} + 1) = {values:,} numbers is past the budget of "
            f"{MAX_SYNTHETIC_VALUES:,} (about 25 s to draw and sum): ask for fewer rows or features")


def synthetic_params(n_features: int) -> tuple[float, ...]:
    """The synthetic truth, bias first: b = 1, wⱼ = 2, 3, 4, 5, 2, 3, ... cycling (j = 1..d)."""
    weights = (SYNTHETIC_WEIGHT_CYCLE[j % len(SYNTHETIC_WEIGHT_CYCLE)] for j in range(n_features))
    return (SYNTHETIC_BIAS, *weights)


def _equation(params: tuple[float, ...], noise: float) -> str:
    """'y = 1 + 2·x1 + 3·x2 + N(0, 1²)', eliding the middle terms when there are many features."""
    terms = [f"{w:g}·x{j}" for j, w in enumerate(params[1:], start=1)]
    if len(terms) > 4:
        terms = [*terms[:2], "…", terms[-1]]
    return " + ".join([f"y = {params[0]:g}", *terms, f"N(0, {noise:g}²)"])


def synthetic(n_samples: int = 100, n_features: int = 1, noise: float = 1.0, seed: int = 0, *,
              row_budget: int = ROW_BUDGET_BYTES) -> Dataset:
    """n_samples rows, features uniform in [0, 2), y = 1 + Σ wⱼ·xⱼ + noise·N(0, 1) (see synthetic_params).

    Sizes are checked before any work (memory, MAX_SYNTHETIC_VALUES, MAX_FEATURES); past row_budget bytes the
    rows are streamed into the statistics and a seeded sample of SHOWN_ROWS rows is kept.
    """
    n = _check_int("n_samples", n_samples, 1)
    d = _check_int("n_features", n_features, 1)
    sigma = _check_noise(noise)
    seed = _check_int("seed", seed, 0)
    if n < d + 1:
        raise GdvizInputError(
            f"n_samples {n} is fewer than the {d + 1} parameters of {d} feature(s) plus the bias: "
            f"--n must be at least {d + 1} (--features + 1)"
        )
    if d > MAX_FEATURES:
        raise GdvizInputError(f"n_features {d:,} is past the limit of {MAX_FEATURES:,} features")
    _check_synthetic_size(n, d)
    params = synthetic_params(d)
    features, target, statistics = _synthetic_rows(n, d, sigma, seed, params, row_budget)
    return Dataset(
        name="synthetic",
        features=features,
        target=target,
        feature_names=tuple(f"x{j}" for j in range(1, d + 1)),
        target_name="y",
        true_params=params,
        source=f"synthetic: {_equation(params, sigma)}, x uniform in [0, 2), n = {n}, "
        f"np.random.default_rng({seed})",
        defaults=TrainingDefaults(lr=None, epochs=300, init=None, cost="mse"),
        statistics=statistics,
    )


def _synthetic_rows(n: int, d: int, sigma: float, seed: int, params: tuple[float, ...],
                    row_budget: int) -> tuple[np.ndarray, np.ndarray, Moments | None]:
    """All n·d features are drawn first, then the n noises, from default_rng(seed).

    Within the row budget the arrays are drawn whole. Past it they are drawn in chunks, the same numbers: the
    noise comes from a copy of the generator advanced past the n·d uniforms (one 64-bit draw each), and only the
    moments and a seeded sample are kept.
    """
    rng = np.random.default_rng(seed)
    weights = np.array(params[1:])
    if n * (d + 1) * 8 <= row_budget:
        features = rng.uniform(0, 2, (n, d))  # drawn first, so the features do not depend on the noise level
        return features, features @ weights + params[0] + sigma * rng.standard_normal(n), None
    noise_bits = np.random.PCG64()
    noise_bits.state = rng.bit_generator.state
    noise_bits.advance(n * d)
    noise_rng = np.random.Generator(noise_bits)
    accumulator = Accumulator(d + 1, seed, row_budget)
    chunk = max(1, _SYNTHETIC_CHUNK_VALUES // d)
    for start in range(0, n, chunk):
        rows = min(chunk, n - start)
        features = rng.uniform(0, 2, (rows, d))
        target = features @ weights + params[0] + sigma * noise_rng.standard_normal(rows)
        accumulator.add(np.column_stack([features, target]))
    features, target = accumulator.columns()
    return features, target, accumulator.moments


_SYNTHETIC_FLAGS = {"n_samples": "--n", "n_features": "--features", "noise": "--noise", "seed": "--seed"}


def load_dataset(
    name: str,
    *,
    n_samples: int | None = None,
    n_features: int | None = None,
    noise: float | None = None,
    seed: int | None = None,
) -> Dataset:
    """A preset by name, or "synthetic" built from the options given (the others at their defaults).

    The options only shape synthetic data: passing one with a preset is an error, not silently ignored.
    """
    options = {"n_samples": n_samples, "n_features": n_features, "noise": noise, "seed": seed}
    given = {key: value for key, value in options.items() if value is not None}
    if name == "synthetic":
        return synthetic(**given)
    if name not in _PRESETS:
        raise _unknown_dataset(name)
    if given:
        flags = ", ".join(_SYNTHETIC_FLAGS[key] for key in given)
        raise GdvizInputError(
            f"{flags} {'applies' if len(given) == 1 else 'apply'} only to --dataset synthetic; "
            f"preset {name!r} has fixed data"
        )
    return load_preset(name)


# ── Standardize ───────────────────────────────────────────────────────────────────────────────────────


def standardize(dataset: Dataset) -> Dataset:
    """Each feature as a z-score (x − mean) / std, std with 1/n over all rows; a constant feature is only centred.

    The statistics are mapped exactly (see Moments.standardized); the true parameters refer to the raw scale,
    so they become None; the training defaults are kept. The means and scales are recorded
    (`Dataset.standardization`), so weights can be mapped back to the raw units.
    """
    if dataset.standardized:
        return dataset
    statistics, mean, scale = dataset.statistics.standardized(dataset.n_features)
    return replace(
        dataset,
        features=(dataset.features - mean) / scale,
        true_params=None,
        source=f"{dataset.source} (features standardized)",
        standardized=True,
        standardization=Standardization(means=mean, scales=scale),
        statistics=statistics,
    )


# ── Files: CSV and Parquet ────────────────────────────────────────────────────────────────────────────


def load_file(path: str | os.PathLike[str], x_columns: str, y_column: str, *, seed: int = 0,
              timeout: float = READ_TIMEOUT_S, row_budget: int = ROW_BUDGET_BYTES,
              scheduler: str | None = None) -> Dataset:
    """A CSV or Parquet file with named columns, a folder of them or a glob ('parts/*.csv'), streamed once.

    x_columns: comma-separated names or 0-based indices, y_column: one. The rows are kept while they fit
    row_budget bytes; past it the dataset holds a seeded sample of SHOWN_ROWS rows and the statistics of all rows.
    With a Dask `scheduler` (tcp://HOST:PORT or 'local') each file is read on a worker (gdcore.cluster).
    """
    if scheduler is not None:
        from gdcore.cluster import read_table_on_cluster

        table = read_table_on_cluster(path, x_columns, y_column, scheduler, seed=seed)
    else:
        table = read_table(path, x_columns, y_column, seed=seed, timeout=timeout, row_budget=row_budget)
    n, d = table.moments.n, table.moments.k - 1
    if n < d + 1:
        params = ", ".join(("b", *(f"w{j}" for j in range(1, d + 1))))
        raise GdvizInputError(f"'{path}' has {n} rows but {d + 1} parameters ({params}): need at least {d + 1} rows")
    x_names = table.names[:d]
    name = table.files[0].stem if len(table.files) == 1 else _folder_name(path)
    return Dataset(
        name=name,
        features=table.features,
        target=table.target,
        feature_names=x_names,
        target_name=table.names[d],
        true_params=None,
        source=f"{table.description}: y={table.names[d]}, x={','.join(x_names)}",
        defaults=TrainingDefaults(lr=None, epochs=300, init=None, cost="mse"),
        statistics=table.moments,
    )


def _folder_name(path: str | os.PathLike[str]) -> str:
    """'parts' for 'parts/', 'parts' or 'parts/*.csv'."""
    given = Path(os.fspath(path))
    return given.name if given.is_dir() else given.parent.name or given.stem


def load_csv(path: str | os.PathLike[str], x_columns: str, y_column: str) -> Dataset:
    """A CSV (or Parquet) file, folder or glob: see load_file."""
    return load_file(path, x_columns, y_column)
