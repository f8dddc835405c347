"""Every check of a value given to gdcore, in one declared place: one rule table, one wording per kind of bad value,
'{name} must be {what is accepted}, got {value}'. gdcore's messages name parameters; the CLI turns them into flags."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Literal

from gdcore.errors import GdvizInputError

Rule = Literal["positive", "non-negative", "fraction", "closed-fraction", "count", "seed", "epochs"]

# The most epochs one run may ask for: the trajectory keeps every epoch's weights (about 12 s and 24 MB for 3
# parameters at this size), so a typo like --epochs 100000000000 is an error rather than a run that never ends.
MAX_EPOCHS = 1_000_000

# rule → (what is accepted, integers only?, the condition on the number)
RULES: dict[Rule, tuple[str, bool, Callable[[float], bool]]] = {
    "positive": ("a finite number > 0", False, lambda x: x > 0),
    "non-negative": ("a finite number >= 0", False, lambda x: x >= 0),
    "fraction": ("in [0, 1)", False, lambda x: 0 <= x < 1),
    "closed-fraction": ("in [0, 1]", False, lambda x: 0 <= x <= 1),
    "count": ("an integer >= 1", True, lambda x: x >= 1),
    "seed": ("an integer >= 0", True, lambda x: x >= 0),
    "epochs": (f"an integer from 1 to {MAX_EPOCHS:,}", True, lambda x: 1 <= x <= MAX_EPOCHS),
}


def as_number(value: object, integral: bool) -> float | None:
    """value as a float if it is a finite real (an integer, when asked), else None; a bool is no number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral) or (not integral and isinstance(value, numbers.Real)):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


def shown(value: object) -> str:
    """A value as the user would type it: 1.5, nan, 0, 'x'."""
    if isinstance(value, bool):
        return repr(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))
    return repr(value)


def check(*checks: tuple[str, object, Rule]) -> None:
    """Raise GdvizInputError for the first (name, value, rule) whose value breaks its rule."""
    for name, value, rule in checks:
        accepted, integral, holds = RULES[rule]
        number = as_number(value, integral)
        if number is None or not holds(number):
            raise GdvizInputError(f"{name} must be {accepted}, got {shown(value)}")
