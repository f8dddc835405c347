"""The one error type gdviz raises for bad input, its message a single line meant for the user; and the one line
that says what the system refused (a full disk, a vanished folder)."""

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


def refusal_in(error: BaseException) -> OSError | None:
    """The system's refusal behind an error: the error itself if it is an OSError, else the first OSError among its
    causes and contexts (Manim wraps a full disk in a RuntimeError of its own); None if there is none."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, OSError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def refusal_reason(refusal: OSError) -> str:
    """What the system refused, without where: 'no space left on device'."""
    return (refusal.strerror or str(refusal)).lower()


def refusal_text(refusal: OSError) -> str:
    """One line for what the system refused: 'no space left on device (out/plane/line-lr0.1.mp4)'. A file named
    like '<none>' (PyAV's, for a stream it could not name) is no file."""
    where = f" ({refusal.filename})" if refusal.filename and not str(refusal.filename).startswith("<") else ""
    return f"{refusal_reason(refusal)}{where}"
