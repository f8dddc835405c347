"""Optimisers against torch.optim's numbers, naive loops and the closed form; purity; validation messages."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gdcore.errors import GdvizInputError
from gdcore.optimizers import (
    GD,
    OPTIMIZER_NAMES,
    SGD,
    Adagrad,
    Adam,
    Decay,
    Momentum,
    Nesterov,
    Optimizer,
    RMSprop,
    make_optimizer,
)

CLASSES: dict[str, Any] = {
    "gd": GD, "decay": Decay, "momentum": Momentum, "nesterov": Nesterov,
    "adagrad": Adagrad, "rmsprop": RMSprop, "adam": Adam, "sgd": SGD,
}
REFERENCE = json.loads(Path(__file__).with_name("torch_reference.json").read_text())
PROBLEM = REFERENCE["problem"]
A = np.array(PROBLEM["A"])
C = np.array(PROBLEM["c"])
W0 = np.array(PROBLEM["w0"])

# one non-default instance of each optimiser, for the properties every optimiser shares
EXAMPLES: list[Optimizer] = [
    GD(lr=0.2),
    Decay(lr=0.3),
    Momentum(lr=0.1, momentum=0.5, dampening=0.3),
    Nesterov(lr=0.1, momentum=0.6),
    Adagrad(lr=0.8, eps=1e-6, lr_decay=0.05, initial_accumulator_value=0.5),
    RMSprop(lr=0.02, alpha=0.9, eps=1e-6),
    Adam(lr=0.2, beta1=0.8, beta2=0.99, eps=1e-6),
    SGD(lr=0.2, batch_size=4, seed=7),
]


def gradient(w: np.ndarray) -> np.ndarray:
    # ∇ ½ (w − c)ᵀA(w − c) = A(w − c)
    return A @ (w - C)


def run(optimizer: Optimizer, steps: int, w0: np.ndarray = W0) -> np.ndarray:
    """The parameters before the first step and after each step: shape (steps + 1, 3)."""
    w, state = w0, optimizer.init_state(w0)
    rows = [w]
    for t in range(steps):
        w, state = optimizer.step(w, gradient(w), state, t)
        rows.append(w)
    return np.array(rows)


def case_id(case: dict[str, Any]) -> str:
    return case["optimizer"] + "-" + "-".join(f"{key}={value}" for key, value in case["params"].items())


# ---------------------------------------------------------------------------------------------------------
# Numbers


@pytest.mark.parametrize("case", REFERENCE["cases"], ids=case_id)
def test_trajectory_matches_torch_optim(case: dict[str, Any]) -> None:
    optimizer = CLASSES[case["optimizer"]](**case["params"])
    expected = np.array(case["weights"])
    # rtol 1e-12; the atol (~50 ulps at the problem's scale of 1) only matters where a coordinate crosses zero
    np.testing.assert_allclose(run(optimizer, PROBLEM["steps"]), expected, rtol=1e-12, atol=1e-14)


def test_reference_covers_every_optimizer_with_defaults_and_a_non_default_set() -> None:
    names = [case["optimizer"] for case in REFERENCE["cases"]]
    assert set(names) == set(OPTIMIZER_NAMES)
    non_default = {case["optimizer"] for case in REFERENCE["cases"] if set(case["params"]) != {"lr"}}
    assert non_default == {"momentum", "nesterov", "adagrad", "rmsprop", "adam"}


def naive_gd(lr_of_step: list[float], w0: list[float]) -> list[list[float]]:
    """Plain-Python loops: w_i ← w_i − η_t Σ_j A_ij (w_j − c_j)."""
    a, c = PROBLEM["A"], PROBLEM["c"]
    w = list(w0)
    rows = [list(w)]
    for lr in lr_of_step:
        g = [sum(a[i][j] * (w[j] - c[j]) for j in range(3)) for i in range(3)]
        w = [w[i] - lr * g[i] for i in range(3)]
        rows.append(list(w))
    return rows


@pytest.mark.parametrize("lr", [0.05, 0.2, 0.45, 0.6])
def test_gd_matches_a_naive_loop(lr: float) -> None:
    np.testing.assert_allclose(run(GD(lr=lr), 30), naive_gd([lr] * 30, list(W0)), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("lr", [0.05, 0.3, 0.9])
def test_decay_matches_a_naive_loop(lr: float) -> None:
    rates = [lr / math.sqrt(t + 1) for t in range(30)]
    np.testing.assert_allclose(run(Decay(lr=lr), 30), naive_gd(rates, list(W0)), rtol=1e-12, atol=1e-15)


def test_gd_matches_the_closed_form() -> None:
    # w_k = c + (I − ηA)^k (w₀ − c)
    lr, steps = 0.3, 25
    contraction = np.eye(3) - lr * A
    expected = [C + np.linalg.matrix_power(contraction, k) @ (W0 - C) for k in range(steps + 1)]
    np.testing.assert_allclose(run(GD(lr=lr), steps), expected, rtol=1e-10, atol=1e-14)


def test_sgd_steps_like_gd_on_the_gradient_it_is_given() -> None:
    grad = np.array([0.5, -1.0, 2.0])
    w_sgd, state = SGD(lr=0.1, batch_size=8).step(W0, grad, (), 3)
    w_gd, _ = GD(lr=0.1).step(W0, grad, (), 3)
    np.testing.assert_array_equal(w_sgd, w_gd)
    assert state == ()


def test_momentum_first_buffer_is_the_gradient_even_with_dampening() -> None:
    grad = np.array([1.0, -2.0, 3.0])
    optimizer = Momentum(lr=0.1, momentum=0.5, dampening=0.3)
    w1, (buffer,) = optimizer.step(W0, grad, optimizer.init_state(W0), 0)
    np.testing.assert_array_equal(buffer, grad)
    _, (buffer2,) = optimizer.step(w1, grad, (buffer,), 1)
    np.testing.assert_allclose(buffer2, 0.5 * grad + 0.7 * grad, rtol=1e-15)


def test_init_state() -> None:
    assert GD(lr=0.1).init_state(W0) == ()
    assert SGD(lr=0.1).init_state(W0) == ()
    (accumulator,) = Adagrad(lr=0.1, initial_accumulator_value=0.5).init_state(W0)
    np.testing.assert_array_equal(accumulator, [0.5, 0.5, 0.5])
    for moment in Adam(lr=0.1).init_state(W0):
        np.testing.assert_array_equal(moment, np.zeros(3))


# ---------------------------------------------------------------------------------------------------------
# Rates, descriptions, attributes


@pytest.mark.parametrize("t", range(6))
def test_rate(t: int) -> None:
    assert Decay(lr=0.8).rate(t) == 0.8 / math.sqrt(t + 1)
    assert Adagrad(lr=0.8, lr_decay=0.5).rate(t) == 0.8 / (1 + 0.5 * t)
    for optimizer in (GD(lr=0.8), Momentum(lr=0.8), Adam(lr=0.8), SGD(lr=0.8), Adagrad(lr=0.8)):
        assert optimizer.rate(t) == 0.8


@pytest.mark.parametrize("optimizer", EXAMPLES, ids=lambda o: o.name)
def test_describe_is_one_line(optimizer: Optimizer) -> None:
    text = optimizer.describe()
    assert text and text.isprintable() and text == text.strip()
    assert "←" in text


@pytest.mark.parametrize("optimizer", EXAMPLES, ids=lambda o: o.name)
def test_attributes(optimizer: Optimizer) -> None:
    assert optimizer.name in OPTIMIZER_NAMES
    assert isinstance(optimizer.seed, int)
    assert (optimizer.batch_size is None) == (optimizer.name != "sgd")
    with pytest.raises(dataclasses.FrozenInstanceError):
        optimizer.lr = 1.0  # type: ignore[misc]


def test_names() -> None:
    assert OPTIMIZER_NAMES == ("gd", "decay", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "sgd")
    assert [CLASSES[name].name for name in OPTIMIZER_NAMES] == list(OPTIMIZER_NAMES)
    assert [optimizer.name for optimizer in EXAMPLES] == list(OPTIMIZER_NAMES)


# ---------------------------------------------------------------------------------------------------------
# Purity


def read_only(array: np.ndarray) -> np.ndarray:
    copy = np.array(array, dtype=np.float64)
    copy.setflags(write=False)
    return copy


@pytest.mark.parametrize("optimizer", EXAMPLES, ids=lambda o: o.name)
def test_step_is_pure(optimizer: Optimizer) -> None:
    w = read_only(W0)
    state = optimizer.init_state(w)
    for t in range(3):
        grad = read_only(gradient(w))
        before = (w.copy(), grad.copy(), tuple(s.copy() for s in state))
        new_w, new_state = optimizer.step(w, grad, state, t)
        # the inputs are unchanged (and, being read-only, could not have been written in place)
        np.testing.assert_array_equal(w, before[0])
        np.testing.assert_array_equal(grad, before[1])
        for old, kept in zip(state, before[2], strict=True):
            np.testing.assert_array_equal(old, kept)
        # the outputs are fresh arrays, and the new state cannot be written
        inputs = (w, grad, *state)
        for output in (new_w, *new_state):
            assert not any(np.shares_memory(output, given) for given in inputs)
        assert all(not s.flags.writeable for s in new_state)
        assert new_w.shape == w.shape and len(new_state) == len(state)
        w, state = read_only(new_w), new_state


@pytest.mark.parametrize("optimizer", EXAMPLES, ids=lambda o: o.name)
def test_same_inputs_same_outputs(optimizer: Optimizer) -> None:
    np.testing.assert_array_equal(run(optimizer, 5), run(optimizer, 5))


# ---------------------------------------------------------------------------------------------------------
# make_optimizer and validation


def test_make_optimizer_defaults_are_torch_defaults() -> None:
    assert make_optimizer("gd", 0.1) == GD(lr=0.1)
    assert make_optimizer("momentum", 0.1) == Momentum(lr=0.1, momentum=0.9, dampening=0.0)
    assert make_optimizer("nesterov", 0.1) == Nesterov(lr=0.1, momentum=0.9)
    assert make_optimizer("adagrad", 0.1) == Adagrad(lr=0.1, eps=1e-10)
    assert make_optimizer("rmsprop", 0.1) == RMSprop(lr=0.1, alpha=0.99, eps=1e-8)
    assert make_optimizer("adam", 0.1) == Adam(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8)
    assert make_optimizer("sgd", 0.1) == SGD(lr=0.1, batch_size=32, seed=0)


def test_make_optimizer_passes_hyperparameters() -> None:
    assert make_optimizer("adam", 0.2, beta1=0.8, beta2=0.99, eps=1e-6) == Adam(0.2, 0.8, 0.99, 1e-6)
    assert make_optimizer("rmsprop", 0.2, alpha=0.9) == RMSprop(lr=0.2, alpha=0.9)
    assert make_optimizer("nesterov", 0.2, momentum=0.5) == Nesterov(lr=0.2, momentum=0.5)
    assert make_optimizer("adagrad", 0.2, eps=1e-6) == Adagrad(lr=0.2, eps=1e-6)
    assert make_optimizer("sgd", 0.2, batch_size=8, seed=3) == SGD(lr=0.2, batch_size=8, seed=3)
    assert make_optimizer("decay", 0.2) == Decay(lr=0.2)


def expect_error(message: str, name: str, lr: float, **hyper: Any) -> None:
    with pytest.raises(GdvizInputError) as caught:
        make_optimizer(name, lr, **hyper)
    assert str(caught.value) == message
    assert "\n" not in str(caught.value)


CHOICES = "gd, decay, momentum, nesterov, adagrad, rmsprop, adam, sgd"


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [("adma", " (did you mean 'adam'?)"), ("nesterv", " (did you mean 'nesterov'?)"), ("xyz", ""), ("", "")],
)
def test_unknown_optimizer(name: str, suggestion: str) -> None:
    expect_error(f"unknown optimizer {name!r}: choose one of {CHOICES}{suggestion}", name, 0.1)


@pytest.mark.parametrize(
    ("name", "hyper", "message"),
    [
        ("gd", {"beta1": 0.9}, "--beta1 does not apply to optimizer 'gd' (it applies to adam)"),
        (
            "adam",
            {"momentum": 0.9},
            "--momentum does not apply to optimizer 'adam' (it applies to momentum, nesterov)",
        ),
        (
            "sgd",
            {"eps": 1e-8},
            "--eps does not apply to optimizer 'sgd' (it applies to adagrad, rmsprop, adam)",
        ),
        ("adam", {"alpha": 0.9}, "--alpha does not apply to optimizer 'adam' (it applies to rmsprop)"),
        ("gd", {"batch_size": 8}, "--batch-size does not apply to optimizer 'gd' (it applies to sgd)"),
        ("decay", {"seed": 1}, "--seed does not apply to optimizer 'decay' (it applies to sgd)"),
    ],
)
def test_hyperparameter_that_does_not_apply(name: str, hyper: dict[str, Any], message: str) -> None:
    expect_error(message, name, 0.1, **hyper)


@pytest.mark.parametrize(
    ("name", "lr", "hyper", "message"),
    [
        ("gd", math.nan, {}, "learning rate must be a finite number > 0, got nan"),
        ("gd", math.inf, {}, "learning rate must be a finite number > 0, got inf"),
        ("adam", 0.0, {}, "learning rate must be a finite number > 0, got 0.0"),
        ("sgd", -1, {}, "learning rate must be a finite number > 0, got -1"),
        ("gd", "0.1", {}, "learning rate must be a finite number > 0, got '0.1'"),
        ("gd", np.float64(-0.5), {}, "learning rate must be a finite number > 0, got -0.5"),
        ("momentum", 0.1, {"momentum": 1.5}, "momentum must be in [0, 1), got 1.5"),
        ("nesterov", 0.1, {"momentum": -0.1}, "momentum must be in [0, 1), got -0.1"),
        ("adam", 0.1, {"beta1": 1.0}, "beta1 must be in [0, 1), got 1.0"),
        ("adam", 0.1, {"beta2": math.nan}, "beta2 must be in [0, 1), got nan"),
        ("rmsprop", 0.1, {"alpha": 1}, "alpha must be in [0, 1), got 1"),
        ("adam", 0.1, {"eps": 0.0}, "eps must be a finite number > 0, got 0.0"),
        ("adagrad", 0.1, {"eps": -1e-8}, "eps must be a finite number > 0, got -1e-08"),
        ("sgd", 0.1, {"batch_size": 0}, "batch size must be an integer >= 1, got 0"),
        ("sgd", 0.1, {"batch_size": 2.5}, "batch size must be an integer >= 1, got 2.5"),
        ("sgd", 0.1, {"batch_size": True}, "batch size must be an integer >= 1, got True"),
        ("sgd", 0.1, {"seed": -1}, "seed must be an integer >= 0, got -1"),
    ],
)
def test_bad_values(name: str, lr: Any, hyper: dict[str, Any], message: str) -> None:
    expect_error(message, name, lr, **hyper)


def test_numpy_scalars_are_accepted() -> None:
    assert make_optimizer("sgd", np.float32(0.5), batch_size=np.int64(4)).batch_size == 4


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: GD(lr=-0.1), "learning rate must be a finite number > 0, got -0.1"),
        (lambda: Momentum(lr=0.1, dampening=1.5), "dampening must be in [0, 1], got 1.5"),
        (lambda: Adagrad(lr=0.1, lr_decay=-1.0), "lr_decay must be a finite number >= 0, got -1.0"),
        (
            lambda: Adagrad(lr=0.1, initial_accumulator_value=math.inf),
            "initial_accumulator_value must be a finite number >= 0, got inf",
        ),
        (lambda: Adam(lr=0.1, beta2=1.5), "beta2 must be in [0, 1), got 1.5"),
        (lambda: SGD(lr=0.1, batch_size=0), "batch size must be an integer >= 1, got 0"),
    ],
)
def test_records_validate_themselves(build: Any, message: str) -> None:
    with pytest.raises(GdvizInputError) as caught:
        build()
    assert str(caught.value) == message
