"""The update rules the runner applies: GD, decaying GD, momentum, Nesterov, Adagrad, RMSprop, Adam, SGD.

Each optimiser is a frozen, parameter-only record whose pure `step` follows torch.optim's arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import ClassVar, Protocol

import numpy as np

from gdcore.checks import check
from gdcore.errors import GdvizInputError, closest_hint

State = tuple[np.ndarray, ...]  # optimiser state: a tuple of arrays (possibly empty), never mutated


class Optimizer(Protocol):
    """What the runner needs from an optimiser (read-only attributes, a pure step)."""

    @property
    def name(self) -> str: ...  # a class-level constant, e.g. "adam"

    @property
    def lr(self) -> float: ...

    @property
    def batch_size(self) -> int | None: ...  # None: full-batch gradient; an int: mini-batch (sgd only)

    @property
    def seed(self) -> int: ...  # seeds the mini-batch shuffle (meaningful for sgd only)

    def init_state(self, params: np.ndarray) -> State: ...

    def step(self, params: np.ndarray, grad: np.ndarray, state: State, t: int) -> tuple[np.ndarray, State]:
        """One update from step index t = 0, 1, 2, ...; returns (new params, new state)."""
        ...

    def rate(self, t: int) -> float:
        """The learning rate the t-th step uses."""
        ...

    def describe(self) -> str:
        """The update rule as one line of plain Unicode text, for a figure title."""
        ...


# ---------------------------------------------------------------------------------------------------------
# Small pure helpers.


def _frozen(*arrays: np.ndarray) -> State:
    """The state as read-only arrays, so that no caller can mutate it in place."""
    for array in arrays:
        array.setflags(write=False)
    return arrays


def _zeros(params: np.ndarray) -> np.ndarray:
    return np.zeros(np.shape(params), dtype=np.float64)


class _FullBatch:
    """Mixin for the optimisers that step on the full-batch gradient at a constant rate."""

    batch_size: ClassVar[int | None] = None
    seed: ClassVar[int] = 0
    lr: float

    def rate(self, t: int) -> float:
        return float(self.lr)

    def init_state(self, params: np.ndarray) -> State:
        return ()


# ---------------------------------------------------------------------------------------------------------
# The optimisers.


@dataclass(frozen=True)
class GD(_FullBatch):
    """Plain gradient descent."""

    name: ClassVar[str] = "gd"
    lr: float

    def __post_init__(self) -> None:
        check(("learning rate", self.lr, "positive"))

    def step(self, params: np.ndarray, grad: np.ndarray, state: State, t: int) -> tuple[np.ndarray, State]:
        # w ← w − η g
        return params - self.rate(t) * grad, state

    def describe(self) -> str:
        return "w ← w − η∇L"


@dataclass(frozen=True)
class Decay(_FullBatch):
    """Gradient descent whose rate decays as η₀/√(t+1)."""

    name: ClassVar[str] = "decay"
    lr: float

    def __post_init__(self) -> None:
        check(("learning rate", self.lr, "positive"))

    def rate(self, t: int) -> float:
        # η_t = η₀/√(t+1)
        return float(self.lr) / math.sqrt(t + 1)

    def step(self, params: np.ndarray, grad: np.ndarray, state: State, t: int) -> tuple[np.ndarray, State]:
        # w ← w − η_t g
        return params - self.rate(t) * grad, state

    def describe(self) -> str:
        return "w ← w − η₀/√(t+1) · ∇L"


def _heavy_ball(
    buffer: np.ndarray, grad: np.ndarray, t: int, momentum: float, dampening: float
) -> np.ndarray:
    """torch's momentum buffer: b₁ = g, then b ← μb + (1−dampening)g."""
    if t == 0:
        return np.array(grad, dtype=np.float64)
    return buffer * momentum + (1.0 - dampening) * grad


@dataclass(frozen=True)
class Momentum(_FullBatch):
    """Heavy-ball momentum, as torch.optim.SGD(momentum=μ, dampening=τ)."""

    name: ClassVar[str] = "momentum"
    lr: float
    momentum: float = 0.9
    dampening: float = 0.0

    def __post_init__(self) -> None:
        check(
            ("learning rate", self.lr, "positive"),
            ("momentum", self.momentum, "fraction"),
            ("dampening", self.dampening, "closed-fraction"),
        )

    def init_state(self, params: np.ndarray) -> State:
        return _frozen(_zeros(params))

    def step(self, params: np.ndarray, grad: np.ndarray, state: State, t: int) -> tuple[np.ndarray, State]:
        # b ← μb + (1−τ)g (b₁ = g);  w ← w − η b
        buffer = _heavy_ball(state[0], grad, t, self.momentum, self.dampening)
        return params - self.rate(t) * buffer, _frozen(buffer)

    def describe(self) -> str:
        if self.dampening == 0:
            return "b ← μb + ∇L, w ← w − ηb"
        return "b ← μb + (1−τ)∇L, w ← w − ηb"


@dataclass(frozen=True)
class Nesterov(_FullBatch):
    """Nesterov momentum, as torch.optim.SGD(momentum=μ, nesterov=True)."""

    name: ClassVar[str] = "nesterov"
    lr: float
    momentum: float = 0.9

    def __post_init__(self) -> None:
        check(("learning rate", self.lr, "positive"), ("momentum", self.momentum, "fraction"))

    def init_state(self, params: np.ndarray) -> State:
        return _frozen(_zeros(params))

    def step(self, params: np.ndarray, grad: np.ndarray, state: State, t: int) -> tuple[np.ndarray, State]:
        # b ← μb + g (b₁ = g);  g' = g + μb;  w ← w − η g'
        buffer = _heavy_ball(state[0], grad, t, self.momentum, 0.0)
        look_ahead = grad + self.momentum * buffer
        return params - self.rate(t) * look_ahead, _frozen(buffer)

    def describe(self) -> str:
        return "b ← μb + ∇L, w ← w − η(∇L + μb)"


@dataclass(frozen=True)
class Adagrad(_FullBatch):
    """Adagrad, as torch.optim.Adagrad (no weight decay)."""

    name: ClassVar[str] = "adagrad"
    lr: float
    eps: float = 1e-10
    lr_decay: float = 0.0
    initial_accumulator_value: float = 0.0

    def __post_init__(self) -> None:
        check(
            ("learning rate", self.lr, "positive"),
            ("eps", self.eps, "positive"),
            ("lr_decay", self.lr_decay, "non-negative"),
            ("initial_accumulator_value", self.initial_accumulator_value, "non-negative"),
        )

    def rate(self, t: int) -> float:
        # η_t = η/(1 + t·lr_decay)
        return float(self.lr) / (1 + t * self.lr_decay)

    def init_state(self, params: np.ndarray) -> State:
        return _frozen(np.full(np.shape(params), self.initial_accumulator_value, dtype=np.float64))

    def step(self, params: np.ndarray, grad: np.ndarray, state: State, t: int) -> tuple[np.ndarray, State]:
        # s ← s + g²;  w ← w − η_t g/(√s + ε)
        squares = state[0] + grad * grad
        return params - self.rate(t) * (grad / (np.sqrt(squares) + self.eps)), _frozen(squares)

    def describe(self) -> str:
        if self.lr_decay == 0:
            return "s ← s + g², w ← w − η g/(√s + ε)"
        return "s ← s + g², w ← w − η/(1 + δt) · g/(√s + ε)"


@dataclass(frozen=True)
class RMSprop(_FullBatch):
    """RMSprop, as torch.optim.RMSprop (centered=False, momentum=0, no weight decay)."""

    name: ClassVar[str] = "rmsprop"
    lr: float
    alpha: float = 0.99
    eps: float = 1e-8

    def __post_init__(self) -> None:
        check(
            ("learning rate", self.lr, "positive"),
            ("alpha", self.alpha, "fraction"),
            ("eps", self.eps, "positive"),
        )

    def init_state(self, params: np.ndarray) -> State:
        return _frozen(_zeros(params))

    def step(self, params: np.ndarray, grad: np.ndarray, state: State, t: int) -> tuple[np.ndarray, State]:
        # v ← αv + (1−α)g²;  w ← w − η g/(√v + ε)
        mean_square = state[0] * self.alpha + (1.0 - self.alpha) * (grad * grad)
        return params - self.rate(t) * (grad / (np.sqrt(mean_square) + self.eps)), _frozen(mean_square)

    def describe(self) -> str:
        return "v ← αv + (1−α)g², w ← w − η g/(√v + ε)"


@dataclass(frozen=True)
class Adam(_FullBatch):
    """Adam, as torch.optim.Adam (amsgrad=False, no weight decay)."""

    name: ClassVar[str] = "adam"
    lr: float
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8

    def __post_init__(self) -> None:
        check(
            ("learning rate", self.lr, "positive"),
            ("beta1", self.beta1, "fraction"),
            ("beta2", self.beta2, "fraction"),
            ("eps", self.eps, "positive"),
        )

    def init_state(self, params: np.ndarray) -> State:
        return _frozen(_zeros(params), _zeros(params))

    def step(self, params: np.ndarray, grad: np.ndarray, state: State, t: int) -> tuple[np.ndarray, State]:
        # m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²
        mean = state[0] * self.beta1 + (1.0 - self.beta1) * grad
        mean_square = state[1] * self.beta2 + (1.0 - self.beta2) * (grad * grad)
        # w ← w − η m̂/(√v̂ + ε) with m̂ = m/(1−β₁ᵗ⁺¹), v̂ = v/(1−β₂ᵗ⁺¹), in torch's order:
        # denominator √v/√(1−β₂ᵗ⁺¹) + ε, step size η/(1−β₁ᵗ⁺¹)
        correction1 = 1.0 - self.beta1 ** (t + 1)
        correction2 = 1.0 - self.beta2 ** (t + 1)
        denominator = np.sqrt(mean_square) / math.sqrt(correction2) + self.eps
        step_size = self.rate(t) / correction1
        return params - step_size * (mean / denominator), _frozen(mean, mean_square)

    def describe(self) -> str:
        return "m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², w ← w − η m̂/(√v̂ + ε)"


@dataclass(frozen=True)
class SGD:
    """Stochastic gradient descent: the plain update on a mini-batch gradient the runner computes."""

    name: ClassVar[str] = "sgd"
    lr: float
    batch_size: int = 32
    seed: int = 0

    def __post_init__(self) -> None:
        check(
            ("learning rate", self.lr, "positive"),
            ("batch size", self.batch_size, "count"),
            ("seed", self.seed, "seed"),
        )

    def init_state(self, params: np.ndarray) -> State:
        return ()

    def rate(self, t: int) -> float:
        return float(self.lr)

    def step(self, params: np.ndarray, grad: np.ndarray, state: State, t: int) -> tuple[np.ndarray, State]:
        # w ← w − η g_B, g_B the gradient on mini-batch B
        return params - self.rate(t) * grad, state

    def describe(self) -> str:
        return f"w ← w − η∇L_B (mini-batches B of {self.batch_size})"


# ---------------------------------------------------------------------------------------------------------
# Construction by name, as the CLI does it.

_BY_NAME: dict[str, type[Optimizer]] = {
    "gd": GD, "decay": Decay, "momentum": Momentum, "nesterov": Nesterov,
    "adagrad": Adagrad, "rmsprop": RMSprop, "adam": Adam, "sgd": SGD,
}
OPTIMIZER_NAMES: tuple[str, ...] = tuple(_BY_NAME)


def hyperparameter_names(name: str) -> set[str]:
    """The hyperparameters (fields but the rate) the optimiser called `name` takes."""
    return {field.name for field in fields(_class_named(name))} - {"lr"}  # type: ignore[arg-type]


def _field_names(name: str) -> set[str]:
    """The record fields (lr and hyperparameters) of the optimiser called `name`."""
    return {field.name for field in fields(_BY_NAME[name])}  # type: ignore[arg-type]


def _class_named(name: str) -> type[Optimizer]:
    """The optimiser class called `name`; a one-line error with the choices (and a guess) otherwise."""
    if name in _BY_NAME:
        return _BY_NAME[name]
    choices = ", ".join(OPTIMIZER_NAMES)
    raise GdvizInputError(f"unknown optimizer {name!r}: choose one of {choices}{closest_hint(name, OPTIMIZER_NAMES)}")


def _check_applies(name: str, hyperparameter: str) -> None:
    """A hyperparameter given for an optimiser that has no such field is an error naming who has it."""
    if hyperparameter in _field_names(name):
        return
    owners = ", ".join(other for other in OPTIMIZER_NAMES if hyperparameter in _field_names(other))
    flag = "--" + hyperparameter.replace("_", "-")
    raise GdvizInputError(f"{flag} does not apply to optimizer {name!r} (it applies to {owners})")


def make_optimizer(
    name: str,
    lr: float,
    *,
    momentum: float | None = None,
    beta1: float | None = None,
    beta2: float | None = None,
    alpha: float | None = None,
    eps: float | None = None,
    batch_size: int | None = None,
    seed: int | None = None,
) -> Optimizer:
    """The optimiser `name` at rate `lr`; a hyperparameter left None takes that optimiser's default.

    Raises GdvizInputError for an unknown name, a hyperparameter the optimiser does not have, or a bad value.
    """
    cls = _class_named(name)
    given = {
        "momentum": momentum, "beta1": beta1, "beta2": beta2, "alpha": alpha,
        "eps": eps, "batch_size": batch_size, "seed": seed,
    }
    chosen = {key: value for key, value in given.items() if value is not None}
    for hyperparameter in chosen:
        _check_applies(name, hyperparameter)
    return cls(lr=lr, **chosen)  # type: ignore[call-arg]
