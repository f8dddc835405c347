"""The closest-name hint every 'unknown NAME' error uses."""

from __future__ import annotations

import pytest

from gdcore.errors import GdvizInputError, closest_hint


@pytest.mark.parametrize(
    ("value", "hint"),
    [("plnae", " (did you mean 'plane'?)"), ("PLANE", " (did you mean 'plane'?)"), ("Line", " (did you mean 'line'?)"),
     ("half_mse", " (did you mean 'half-mse'?)"), ("zzzz", ""), ("", "")],
)
def test_closest_hint(value: str, hint: str) -> None:
    assert closest_hint(value, ("plane", "line", "line-wide", "half-mse")) == hint


def test_messages_are_one_line() -> None:
    assert str(GdvizInputError("a\n  b\tc")) == "a b c"
