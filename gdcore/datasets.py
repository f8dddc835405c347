"""Datasets for linear regression: the tutorials' presets (same random calls, same numbers), a synthetic
generator, and CSV files; each comes with the tutorial's own training settings."""

from __future__ import annotations

import csv
import math
import numbers
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from gdcore.checks import check
from gdcore.errors import GdvizInputError, closest_hint
from gdcore.problem import cost_scale

PRESET_NAMES: tuple[str, ...] = ("plane", "line", "line-wide", "five-points")
DATASET_NAMES: tuple[str, ...] = (*PRESET_NAMES, "synthetic")

# The `line` tutorial drew its data with Python's unseeded `random`; gdviz fixes this seed instead.
LINE_SEED = 4
# Synthetic data: y = 1 + Σ wⱼ·xⱼ + noise, with wⱼ = 2, 3, 4, 5, 2, 3, ... (j = 1..d).
SYNTHETIC_BIAS = 1.0
SYNTHETIC_WEIGHT_CYCLE: tuple[float, ...] = (2.0, 3.0, 4.0, 5.0)
# A feature whose spread is below this fraction of its magnitude counts as constant for standardize().
_CONSTANT_RTOL = 1e-12
# Non-blank lines given to csv.Sniffer to guess the delimiter.
_SNIFF_LINES = 50


def _read_only(values: object, ndim: int) -> np.ndarray:
    array = np.array(values, dtype=np.float64)
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
    """Features X of shape (n_samples, n_features) and target y of shape (n_samples,), both read-only.

    Equality is identity (eq=False): comparing arrays field by field has no single truth value.
    """

    name: str  # "plane", "line", ..., "synthetic", or the CSV file's stem
    features: np.ndarray = field(repr=False)  # float64, shape (n_samples, n_features), read-only
    target: np.ndarray = field(repr=False)  # float64, shape (n_samples,), read-only
    feature_names: tuple[str, ...]  # e.g. ("x1", "x2"); for CSV the column headers
    target_name: str  # "y" or the CSV header
    true_params: tuple[float, ...] | None  # bias first, when known
    source: str  # one line: where the data comes from
    defaults: TrainingDefaults
    standardized: bool = False
    standardization: Standardization | None = None  # set by standardize(): the raw features' means and scales

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
        object.__setattr__(self, "features", features)
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "feature_names", tuple(self.feature_names))
        object.__setattr__(self, "true_params", _float_tuple(self.true_params))

    @property
    def n_samples(self) -> int:
        return int(self.features.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.features.shape[1])

    @property
    def param_names(self) -> tuple[str, ...]:
        """("b", "w1", ..., "wd"): bias first, whatever the features are called."""
        return ("b", *(f"w{j}" for j in range(1, self.n_features + 1)))

    def weights_in_original_units(self, weights: np.ndarray) -> np.ndarray:
        """Weights of shape (..., p) in the raw features' units: mapped back when standardized, else a copy."""
        if self.standardization is None:
            return np.array(weights, dtype=float)
        return self.standardization.to_original_units(weights)


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
    if not (is_real and math.isfinite(value) and value >= 0):
        raise GdvizInputError(f"noise {value!r} must be a finite number ≥ 0")
    return float(value)


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


def synthetic(n_samples: int = 100, n_features: int = 1, noise: float = 1.0, seed: int = 0) -> Dataset:
    """n_samples rows, features uniform in [0, 2), y = 1 + Σ wⱼ·xⱼ + noise·N(0, 1) (see synthetic_params)."""
    n = _check_int("n_samples", n_samples, 1)
    d = _check_int("n_features", n_features, 1)
    sigma = _check_noise(noise)
    seed = _check_int("seed", seed, 0)
    if n < d + 1:
        raise GdvizInputError(
            f"n_samples {n} is fewer than the {d + 1} parameters of {d} feature(s) plus the bias: "
            f"--n must be at least {d + 1} (--features + 1)"
        )
    rng = np.random.default_rng(seed)
    params = synthetic_params(d)
    try:
        features = rng.uniform(0, 2, (n, d))  # drawn first, so the features do not depend on the noise level
        target = features @ np.array(params[1:]) + params[0] + sigma * rng.standard_normal(n)
    except MemoryError:
        raise GdvizInputError(
            f"synthetic data of n_samples {n} × n_features {d} = {n * d:,} numbers does not fit in memory: "
            "ask for fewer rows or features"
        ) from None
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
    )


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
    """Each feature as a z-score (x − mean) / std, std with 1/n; a constant feature is only centred.

    The true parameters refer to the raw scale, so they become None; the training defaults are kept. The means and
    scales are recorded (`Dataset.standardization`), so weights can be mapped back to the raw units.
    """
    if dataset.standardized:
        return dataset
    features = dataset.features
    mean = features.mean(axis=0)
    centred = features - mean
    std = np.sqrt(np.mean(centred**2, axis=0))  # population std: (1/n) Σ (x − mean)²
    constant = std <= _CONSTANT_RTOL * np.abs(features).max(axis=0)
    scale = np.where(constant, 1.0, std)  # dividing a constant feature by its std (0) is 0/0
    return replace(
        dataset,
        features=centred / scale,
        true_params=None,
        source=f"{dataset.source} (features standardized)",
        standardized=True,
        standardization=Standardization(means=mean, scales=scale),
    )


# ── CSV ───────────────────────────────────────────────────────────────────────────────────────────────


def _read_text(path: Path) -> str:
    """The file's text, or a one-line error: missing, a directory, unreadable, empty, binary, not UTF-8."""
    if not path.exists():
        raise GdvizInputError(f"no such file: '{path}'")
    if path.is_dir():
        raise GdvizInputError(f"'{path}' is a directory, not a CSV file")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise GdvizInputError(f"cannot read '{path}': {error.strerror or error}") from error
    if not raw.strip():
        raise GdvizInputError(f"'{path}' is empty: a CSV file needs a header row and data rows")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise GdvizInputError(f"'{path}' is UTF-16 text: save it as UTF-8 (a CSV file must be UTF-8 text)")
    if b"\x00" in raw:
        raise GdvizInputError(f"'{path}' looks like a binary file (it has NUL bytes), not a CSV text file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise GdvizInputError(
            f"'{path}' is not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {error.start}): "
            "a CSV file must be UTF-8 text"
        ) from error


def _delimiter(lines: list[str]) -> str:
    """Comma, semicolon or tab, guessed by csv.Sniffer from the first lines; comma when it cannot tell."""
    try:
        return csv.Sniffer().sniff("\n".join(lines[:_SNIFF_LINES]), delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _parse_rows(path: Path, text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the data rows with their 1-based line numbers; cells stripped, blank lines skipped."""
    numbered = [(number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    reader = csv.reader((line for _, line in numbered), delimiter=_delimiter([line for _, line in numbered]))
    rows = [(numbered[reader.line_num - 1][0], [cell.strip() for cell in cells]) for cells in reader]
    header_line, header = rows[0]
    if all(_is_number(cell) for cell in header):
        raise GdvizInputError(
            f"'{path}': the first row ({', '.join(header)}) looks like data, not a header of column names"
        )
    if len(rows) == 1:
        raise GdvizInputError(f"'{path}' has a header row but no data rows")
    for number, cells in rows[1:]:
        if len(cells) != len(header):
            raise GdvizInputError(
                f"'{path}' row {number} has {len(cells)} cells, but the header (row {header_line}) "
                f"has {len(header)}"
            )
    return header, rows[1:]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _column_index(path: Path, header: list[str], token: str, role: str) -> int:
    """The 0-based index of the column named `token` (a header name, else a 0-based index)."""
    if token == "":
        raise GdvizInputError(f"empty column name in the {role} column list for '{path}'")
    matches = [i for i, name in enumerate(header) if name == token]
    if len(matches) > 1:
        raise GdvizInputError(
            f"column name {token!r} appears {len(matches)} times in the header of '{path}' "
            f"(indices {', '.join(map(str, matches))}): select it by index"
        )
    if matches:
        return matches[0]
    try:
        index = int(token)
    except ValueError:
        separators = (
            " (the header has a single column: separate columns with commas, semicolons or tabs)"
            if len(header) == 1 and len(header[0].split()) > 1 else ""
        )
        raise GdvizInputError(
            f"unknown {role} column {token!r} in '{path}': available columns are "
            f"{', '.join(header)}{closest_hint(token, header)}{separators}"
        ) from None
    if not 0 <= index < len(header):
        raise GdvizInputError(
            f"{role} column index {index} is out of range for '{path}': it has {len(header)} columns "
            f"(indices 0 to {len(header) - 1})"
        )
    return index


def _select_columns(path: Path, header: list[str], x_columns: str, y_column: str) -> tuple[list[int], int]:
    x_indices = [_column_index(path, header, token.strip(), "x") for token in x_columns.split(",")]
    y_index = _column_index(path, header, y_column.strip(), "y")
    repeated = sorted({i for i in x_indices if x_indices.count(i) > 1})
    if repeated:
        raise GdvizInputError(f"x column {header[repeated[0]]!r} is listed more than once in {x_columns!r}")
    if y_index in x_indices:
        raise GdvizInputError(f"y column {header[y_index]!r} is also among the x columns {x_columns!r}")
    return x_indices, y_index


def _cell_value(path: Path, number: int, column: str, cell: str) -> float:
    """One cell as a finite float, or an error naming its row (as in the file) and column."""
    where = f"'{path}' row {number}, column {column!r}"
    if cell == "":
        raise GdvizInputError(f"{where} is empty: every selected cell must be a number")
    try:
        value = float(cell)
    except ValueError:
        decimal_comma = " (write decimals with a point: 1.5, not 1,5)" if _is_number(cell.replace(",", ".", 1)) else ""
        raise GdvizInputError(f"{where}: {cell!r} is not a number{decimal_comma}") from None
    if not math.isfinite(value):
        raise GdvizInputError(f"{where}: {cell!r} is not a finite number (NaN and infinity are not accepted)")
    return value


def _numeric_table(
    path: Path, rows: list[tuple[int, list[str]]], columns: list[int], names: list[str]
) -> np.ndarray:
    """The chosen columns as floats, shape (n_rows, len(columns)); the first bad cell in file order raises.

    `names` names every column of the file (indexed like the header), for the error message.
    """
    try:
        table = np.array([[row[i] for i in columns] for _, row in rows], dtype=np.float64)
    except ValueError:
        table = None
    if table is None or not np.isfinite(table).all():  # slow path, cell by cell, to name the first bad one
        table = np.array(
            [[_cell_value(path, number, names[i], row[i]) for i in columns] for number, row in rows]
        )
    return table


def load_csv(path: str | os.PathLike[str], x_columns: str, y_column: str) -> Dataset:
    """A CSV file with a header row; x_columns: comma-separated names or 0-based indices, y_column: one."""
    file = Path(path)
    header, rows = _parse_rows(file, _read_text(file))
    x_indices, y_index = _select_columns(file, header, x_columns, y_column)
    names = [name or f"column {i}" for i, name in enumerate(header)]
    table = _numeric_table(file, rows, [*x_indices, y_index], names)
    n, d = table.shape[0], len(x_indices)
    if n < d + 1:
        params = ", ".join(("b", *(f"w{j}" for j in range(1, d + 1))))
        raise GdvizInputError(
            f"'{file}' has {n} rows but {d + 1} parameters ({params}): need at least {d + 1} rows"
        )
    x_names = tuple(names[i] for i in x_indices)
    return Dataset(
        name=file.stem,
        features=table[:, :d],
        target=table[:, d],
        feature_names=x_names,
        target_name=names[y_index],
        true_params=None,
        source=f"CSV file {file}: y={names[y_index]}, x={','.join(x_names)}",
        defaults=TrainingDefaults(lr=None, epochs=300, init=None, cost="mse"),
    )
