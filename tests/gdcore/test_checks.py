"""Validation in one declared place: each rule at its boundaries, and one wording per bad value whichever part of
gdcore meets it first."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gdcore.checks import MAX_EPOCHS, RULES, Rule, check
from gdcore.datasets import TrainingDefaults
from gdcore.errors import GdvizInputError
from gdcore.experiment import check_rate
from gdcore.frames import plan_frames
from gdcore.optimizers import GD
from gdcore.problem import Problem
from gdcore.runner import run
from tests.conftest import random_data

# rule → (values it accepts, values it rejects)
CASES: dict[Rule, tuple[list[object], list[object]]] = {
    "positive": ([1e-300, 0.5, 3, np.float64(2.0)], [0, 0.0, -1, math.nan, math.inf, "1", True, None]),
    "non-negative": ([0, 0.0, 2.5], [-1e-300, math.nan, -math.inf, False]),
    "fraction": ([0, 0.5, 0.999], [1, 1.0, -0.1, math.nan]),
    "closed-fraction": ([0, 1, 1.0], [1.0001, -0.1]),
    "count": ([1, np.int64(7)], [0, 2.0, 2.5, True, -3]),
    "seed": ([0, 12], [-1, 1.0, False]),
    "epochs": ([1, MAX_EPOCHS, np.int32(40)], [0, MAX_EPOCHS + 1, 10.0, True, "300"]),
}


@pytest.mark.parametrize("rule", list(RULES))
def test_each_rule_accepts_and_rejects_at_its_boundaries(rule: Rule) -> None:
    accepted, rejected = CASES[rule]
    for value in accepted:
        check(("x", value, rule))
    for value in rejected:
        with pytest.raises(GdvizInputError) as caught:
            check(("x", value, rule))
        assert str(caught.value).startswith(f"x must be {RULES[rule][0]}, got ")


def test_the_first_broken_check_is_named() -> None:
    with pytest.raises(GdvizInputError, match=r"^b must be an integer >= 1, got 0$"):
        check(("a", 1.0, "positive"), ("b", 0, "count"), ("c", -1, "seed"))


@pytest.mark.parametrize("bad", [0.0, -0.1, math.nan])
def test_a_bad_rate_reads_the_same_wherever_it_is_met(bad: float) -> None:
    expected = f"learning rate must be a finite number > 0, got {bad!r}"
    for make in (lambda: check_rate(bad), lambda: GD(lr=bad),
                 lambda: TrainingDefaults(lr=bad, epochs=10, init=None, cost="mse")):
        with pytest.raises(GdvizInputError) as caught:
            make()
        assert str(caught.value) == expected


@pytest.mark.parametrize("bad", [0, MAX_EPOCHS + 1])
def test_bad_epochs_read_the_same_wherever_they_are_met(bad: int) -> None:
    expected = f"epochs must be an integer from 1 to {MAX_EPOCHS:,}, got {bad}"
    problem = Problem.from_data(*random_data(0))
    for make in (lambda: run(problem, GD(lr=0.01), bad), lambda: plan_frames(bad, 30.0, 5.0),
                 lambda: TrainingDefaults(lr=None, epochs=bad, init=None, cost="mse")):
        with pytest.raises(GdvizInputError) as caught:
            make()
        assert str(caught.value) == expected
