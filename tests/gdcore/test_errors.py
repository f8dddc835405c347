"""The closest-name hint every 'unknown NAME' error uses, and the one line for what the system refused."""

from __future__ import annotations

import errno
import os

import pytest

from gdcore.errors import GdvizInputError, closest_hint, refusal_in, refusal_text


@pytest.mark.parametrize(
    ("value", "hint"),
    [("plnae", " (did you mean 'plane'?)"), ("PLANE", " (did you mean 'plane'?)"), ("Line", " (did you mean 'line'?)"),
     ("half_mse", " (did you mean 'half-mse'?)"), ("zzzz", ""), ("", "")],
)
def test_closest_hint(value: str, hint: str) -> None:
    assert closest_hint(value, ("plane", "line", "line-wide", "half-mse")) == hint


def test_messages_are_one_line() -> None:
    assert str(GdvizInputError("a\n  b\tc")) == "a b c"


FULL = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "out/line.mp4")


def _wrapped(refusal: OSError, explicitly: bool) -> RuntimeError:
    try:
        try:
            raise refusal
        except OSError as error:
            if explicitly:
                raise RuntimeError("Failed to finish video segment") from error
            raise RuntimeError("Failed to finish video segment")  # noqa: B904 (its context only)
    except RuntimeError as wrapper:
        return wrapper


@pytest.mark.parametrize("explicitly", [True, False])
def test_the_system_s_refusal_is_found_behind_what_wraps_it(explicitly: bool) -> None:
    assert refusal_in(_wrapped(FULL, explicitly)) is FULL
    assert refusal_in(FULL) is FULL and refusal_in(ValueError("not the system")) is None


def test_a_refusal_is_one_line_naming_the_file() -> None:
    assert refusal_text(FULL) == "no space left on device (out/line.mp4)"
    assert refusal_text(OSError(errno.EIO, os.strerror(errno.EIO))) == "input/output error"
    assert refusal_text(OSError(errno.ENOENT, os.strerror(errno.ENOENT), "<none>")) == "no such file or directory"
