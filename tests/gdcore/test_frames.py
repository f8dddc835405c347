"""The frame plan: how video time maps to epochs."""

from __future__ import annotations

import numpy as np
import pytest

from gdcore.errors import GdvizInputError
from gdcore.frames import plan_frames


def test_plan_sweeps_from_zero_to_the_last_epoch_then_holds() -> None:
    plan = plan_frames(300, fps=30, duration=4.0)
    assert plan.motion_frames == 120 and plan.hold_frames == 30 and plan.n_frames == 150
    assert plan.duration == pytest.approx(5.0)
    assert plan.epochs[0] == 0 and plan.epochs[plan.motion_frames - 1] == 300
    assert np.all(plan.epochs[plan.motion_frames:] == 300)
    assert np.all(np.diff(plan.epochs) >= 0)


def test_log_time_gives_the_early_epochs_more_frames_than_linear() -> None:
    log, linear = plan_frames(1000, 30, 4.0, "log"), plan_frames(1000, 30, 4.0, "linear")
    assert np.sum(log.epochs <= 10) > 5 * np.sum(linear.epochs <= 10)
    midpoint = log.motion_frames // 2
    assert log.epochs[midpoint] == pytest.approx(np.sqrt(1001) - 1, abs=1.5)  # log time: half-way is √(T+1) − 1


def test_linear_time_is_evenly_spaced() -> None:
    plan = plan_frames(100, fps=10, duration=1.1, time="linear", hold=0)
    np.testing.assert_array_equal(plan.epochs, np.arange(0, 101, 10))


def test_a_run_that_stopped_early_holds_its_last_state() -> None:
    plan = plan_frames(300, fps=20, duration=3.0, epochs_run=40)
    assert plan.epochs.max() == 40
    assert plan.epochs[-1] == 40 and np.sum(plan.epochs == 40) > plan.hold_frames


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"fps": 0}, "fps must be"), ({"duration": -1}, "duration must be"), ({"time": "exp"}, "unknown time scale 'exp'"),
     ({"fps": float("nan")}, "fps must be")],
)
def test_bad_plans_are_rejected(kwargs: dict, message: str) -> None:
    arguments = {"planned_epochs": 10, "fps": 10.0, "duration": 1.0} | kwargs
    with pytest.raises(GdvizInputError, match=message):
        plan_frames(**arguments)


def test_plan_is_read_only() -> None:
    with pytest.raises(ValueError):
        plan_frames(10, 10, 1.0).epochs[0] = 3
