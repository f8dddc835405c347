"""The one error type gdviz raises for bad input: its message is a single line meant for the user."""

from __future__ import annotations

import difflib
from collections.abc import Sequence


class GdvizInputError(ValueError):
    """Bad input from the user: the message names the bad value and what is accepted, on one line."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


def closest_hint(value: object, choices: Sequence[str]) -> str:
    """' (did you mean 'plane'?)' for the closest choice (a case-insensitive match first), else ''."""
    text = str(value)
    same_but_case = [choice for choice in choices if choice.lower() == text.lower()]
    hint = same_but_case or difflib.get_close_matches(text.lower(), list(choices), n=1)
    return f" (did you mean {hint[0]!r}?)" if hint else ""
