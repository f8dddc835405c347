"""The CLI under hostile input: hypothesis draws options and values (huge, tiny, NaN, negative, malformed, long), and
every call ends with exit 0 or 2, at most one line on stderr for 2, no traceback, and strict finite JSON.

500 examples run in `make test`; GDVIZ_FUZZ_EXAMPLES=20000 runs a longer search.
"""

from __future__ import annotations

import json
import math
import os

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenes.cli import cli

EXAMPLES = int(os.environ.get("GDVIZ_FUZZ_EXAMPLES", "500"))
NUMBERS = st.one_of(
    st.sampled_from(["0", "-1", "1e-320", "1e308", "1e309", "-1e308", "nan", "inf", "-inf", "1e154", "1e-154",
                     "0.1", "3", "9223372036854775808", "-9223372036854775809", "1.5", "", " ", "abc", "1,2"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
WORDS = st.one_of(st.sampled_from(["plane", "line", "line-wide", "five-points", "synthetic", "gd", "momentum",
                                   "nesterov", "adam", "adagrad", "rmsprop", "sgd", "decay", "good", "slow",
                                   "jumping", "divergent", "mse", "half-mse", "zeros", "x" * 300, "", "Plane"]),
                  st.text(max_size=12))
# Options of train and regimes, with what each takes; synthetic sizes are kept small so each call stays quick.
VALUED = {"--lr": NUMBERS, "--epochs": st.sampled_from(["1", "5", "0", "-3", "1000001", "2.5", "x", "30"]),
          "--optimizer": WORDS, "--regime": WORDS,
          "--init": st.one_of(WORDS, st.lists(NUMBERS, max_size=4).map(",".join)),
          "--cost": WORDS, "--tol": NUMBERS, "--momentum": NUMBERS, "--beta1": NUMBERS, "--beta2": NUMBERS,
          "--alpha": NUMBERS, "--eps": NUMBERS, "--batch-size": st.sampled_from(["1", "0", "-1", "7", "x", "2.5"]),
          "--dataset": WORDS, "--seed": st.sampled_from(["0", "1", "-1", "x", "99999999999999999999"]),
          "--n": st.sampled_from(["1", "2", "3", "50", "0", "-5", "x", "9223372036854775808"]),
          "--features": st.sampled_from(["1", "2", "3", "0", "x", "100000"]), "--noise": NUMBERS}
FLAGS = ["--standardize"]


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    command = draw(st.sampled_from(["train", "regimes"]))
    chosen = draw(st.lists(st.sampled_from(sorted(VALUED)), max_size=5, unique=True))
    arguments = [command, "--json"]
    for option in chosen:
        if command == "regimes" and option not in ("--lr", "--cost", "--dataset", "--seed", "--n", "--features",
                                                   "--noise"):
            continue
        arguments += [option, draw(VALUED[option])]
    if draw(st.booleans()):
        arguments += FLAGS
    return arguments


def _finite(value: object) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(item) for item in value.values())
    if isinstance(value, list):
        return all(_finite(item) for item in value)
    return True


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(command_lines())
def test_hostile_options_end_in_one_line_or_finite_json(arguments: list[str]) -> None:
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code in (0, 2), (arguments, result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.stderr
    if result.exit_code == 2:
        assert len(result.stderr.strip().splitlines()) == 1, (arguments, result.stderr)
        assert result.stdout == ""
        return
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, (arguments, result.stdout)

    def refuse(token: str) -> None:
        raise AssertionError(f"non-standard JSON token {token} for {arguments}")

    report = json.loads(lines[0], parse_constant=refuse)
    assert _finite(report), (arguments, report)
    assert all(line.startswith("gdviz: warning:") for line in result.stderr.strip().splitlines() if line)
