"""Column moments of a table streamed in batches: n, means and the centred scatter matrix, in one accurate pass.

Each batch is centred on its own mean before its products are summed, and batches are merged with Chan's parallel
update, so data far from the origin (x = 1e8 + i) loses no precision to cancellation. A seeded reservoir keeps a
fixed-size uniform sample of the rows for drawing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from gdcore.errors import GdvizInputError

# The rows are kept (for mini-batch sgd and for drawing every point) while they take at most this many bytes.
ROW_BUDGET_BYTES = 128 * 2**20
# Rows drawn when they were not all kept: a seeded uniform sample of this size.
SHOWN_ROWS = 10_000
# The largest |value| accepted in a column: its square (1e300) and sums of a few million squares stay finite.
VALUE_LIMIT = 1e150


def _read_only(array: np.ndarray) -> np.ndarray:
    array = np.array(array, dtype=np.float64)
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class Moments:
    """n rows of k columns z (the features, then the target), summarised.

    mean: ndarray of shape (k,), (1/n) Σ zᵢ.
    scatter: ndarray of shape (k, k), Σ (zᵢ − mean)(zᵢ − mean)ᵀ: the centred sums of squares and products.
    largest: ndarray of shape (k,), max |zᵢⱼ| per column (for scale checks and their messages).
    """

    n: int
    mean: np.ndarray = field(repr=False)
    scatter: np.ndarray = field(repr=False)
    largest: np.ndarray = field(repr=False)

    def __post_init__(self) -> None:
        for name in ("mean", "scatter", "largest"):
            object.__setattr__(self, name, _read_only(getattr(self, name)))

    @classmethod
    def of(cls, table: np.ndarray) -> Moments:
        """The moments of one batch of shape (rows, k): centred on its rounded mean c, with the correction
        Σ(z − m)(z − m)ᵀ = Σ(z − c)(z − c)ᵀ − s sᵀ/n for s = Σ(z − c), m = c + s/n (the corrected two-pass sum)."""
        table = np.asarray(table, dtype=np.float64)
        n = int(table.shape[0])
        if n == 0:
            return cls.empty(table.shape[1])
        with np.errstate(over="ignore", invalid="ignore"):
            centre = table.mean(axis=0)
            centred = table - centre
            shift = centred.sum(axis=0)
            scatter = centred.T @ centred - np.outer(shift, shift) / n
            mean = centre + shift / n
            largest = np.maximum(table.max(axis=0), -table.min(axis=0))  # max |z|, without an |table| copy
        return cls(n=n, mean=mean, scatter=scatter, largest=largest)

    @classmethod
    def empty(cls, k: int) -> Moments:
        return cls(n=0, mean=np.zeros(k), scatter=np.zeros((k, k)), largest=np.zeros(k))

    def merge(self, other: Moments) -> Moments:
        """Chan et al.'s parallel update: with δ = m_b − m_a and n = n_a + n_b,
        mean = m_a + δ·n_b/n and scatter = S_a + S_b + δδᵀ·n_a·n_b/n."""
        if other.n == 0:
            return self
        if self.n == 0:
            return other
        n = self.n + other.n
        with np.errstate(over="ignore", invalid="ignore"):
            delta = other.mean - self.mean
            mean = self.mean + delta * (other.n / n)
            scatter = self.scatter + other.scatter + np.outer(delta, delta) * (self.n * other.n / n)
        return Moments(n=n, mean=mean, scatter=scatter, largest=np.maximum(self.largest, other.largest))

    @property
    def k(self) -> int:
        return int(self.mean.shape[0])

    @property
    def std(self) -> np.ndarray:
        """Population standard deviation per column, sqrt(scatter_jj / n), shape (k,)."""
        return np.sqrt(np.clip(np.diag(self.scatter), 0.0, None) / self.n)

    def standardized(self, columns: int) -> tuple[Moments, np.ndarray, np.ndarray]:
        """The moments after z-scoring the first `columns` columns (x → (x − mean)/scale), with the mean and scale.

        A constant column (std ≤ 1e-12 · max|x|) is only centred (scale 1). Linear maps act on moments exactly:
        mean → (mean − μ)/σ = 0, scatter → D⁻¹ S D⁻¹ with D = diag(σ, 1 for the others).
        """
        mean, std = self.mean[:columns], self.std[:columns]
        constant = std <= 1e-12 * self.largest[:columns]
        scale = np.where(constant, 1.0, std)
        divisor = np.concatenate([scale, np.ones(self.k - columns)])
        new_mean = np.concatenate([np.zeros(columns), self.mean[columns:]])
        with np.errstate(over="ignore", invalid="ignore"):
            largest = np.concatenate([(self.largest[:columns] + np.abs(mean)) / scale, self.largest[columns:]])
        return Moments(self.n, new_mean, self.scatter / np.outer(divisor, divisor), largest), mean, scale

    def check_scale(self, names: tuple[str, ...], hint: str = "") -> None:
        """A one-line error naming the first column whose values or sums of squares would overflow float64.

        Accepted: every |value| ≤ VALUE_LIMIT and finite sums; the message suggests a power of ten to divide the
        column by, which brings its values to at most 1 in size (and then they work).
        """
        with np.errstate(over="ignore", invalid="ignore"):
            # Σ z² = scatter_jj + n·mean_j²: the uncentred sum the problem's XᵀX holds.
            squares = np.diag(self.scatter) + self.n * self.mean**2
        for j, name in enumerate(names):
            largest = float(self.largest[j])
            if largest <= VALUE_LIMIT and math.isfinite(float(squares[j])):
                continue
            if math.isnan(largest):
                raise GdvizInputError(f"column {name!r} has a value that is not a number (NaN){hint}")
            if not math.isfinite(largest):
                raise GdvizInputError(f"column {name!r} has values too large for float64 (past 1.8e308){hint}")
            power = math.ceil(math.log10(largest))
            raise GdvizInputError(
                f"column {name!r} reaches {largest:.3g}, too large to square in float64 (accepted: |values| up to "
                f"{VALUE_LIMIT:.0e}){hint or f': divide it by 1e{power} (for example, change its unit)'}"
            )


class Reservoir:
    """A uniform random sample of at most `size` rows of a stream (Algorithm R, vectorised per batch), seeded.

    Row t (0-based, over the whole stream) replaces a random slot with probability size/(t + 1).
    """

    def __init__(self, size: int, columns: int, seed: int = 0) -> None:
        self.size = size
        self.rows = np.empty((size, columns))
        self.seen = 0
        self.rng = np.random.default_rng(seed)

    def add(self, table: np.ndarray) -> None:
        count = table.shape[0]
        filling = max(0, min(self.size - self.seen, count))
        self.rows[self.seen : self.seen + filling] = table[:filling]
        rest = table[filling:]
        if len(rest):
            positions = self.seen + filling + np.arange(len(rest))  # t for each remaining row
            slots = (self.rng.random(len(rest)) * (positions + 1)).astype(np.int64)  # uniform in 0..t
            chosen = slots < self.size
            # Later rows win a slot they share with earlier rows of the batch, as in the sequential algorithm.
            self.rows[slots[chosen]] = rest[chosen]
        self.seen += count

    def sample(self) -> np.ndarray:
        return self.rows[: min(self.seen, self.size)].copy()


class Accumulator:
    """Merges batches of shape (rows, k) into moments, and keeps the rows while they fit `row_budget` bytes.

    Past the budget the rows kept so far, then every later batch, go through a seeded reservoir of SHOWN_ROWS rows
    (the same sample as if it had seen every batch from the start).
    """

    def __init__(self, k: int, seed: int, row_budget: int) -> None:
        self.moments = Moments.empty(k)
        self.reservoir = Reservoir(SHOWN_ROWS, k, seed)
        self.kept: list[np.ndarray] | None = []
        self.row_budget = row_budget
        self.kept_bytes = 0

    def add(self, table: np.ndarray) -> None:
        self.moments = self.moments.merge(Moments.of(table))
        if self.kept is None:
            self.reservoir.add(table)
            return
        self.kept_bytes += table.nbytes
        self.kept.append(table)
        if self.kept_bytes > self.row_budget:  # past the budget: from now on only the moments and the sample
            for kept in self.kept:
                self.reservoir.add(kept)
            self.kept = None

    def columns(self) -> tuple[np.ndarray, np.ndarray]:
        """(features of shape (rows, k − 1), target of shape (rows,)), read-only: all rows, or the sample."""
        parts = self.kept if self.kept is not None else [self.reservoir.sample()]
        k = self.moments.k
        features = np.concatenate([part[:, : k - 1] for part in parts]) if parts else np.empty((0, k - 1))
        target = np.concatenate([part[:, k - 1] for part in parts]) if parts else np.empty(0)
        for array in (features, target):
            array.setflags(write=False)
        return features, target
