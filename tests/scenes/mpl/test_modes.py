"""The modes scene's artists against gdcore.modes: bars, envelope, the turned contour's path."""

from __future__ import annotations

import numpy as np

from gdcore.frames import plan_frames
from gdcore.modes import modes
from scenes.mpl.layouts import build_stage
from scenes.mpl.modes import EigenContourPanel, ModesPanel
from scenes.mpl.stage import blitted_frames
from tests.scenes.conftest import TINY, experiment


def test_bars_and_envelope_follow_the_modes_at_the_plans_epoch() -> None:
    run = experiment("plane", lr=0.3, epochs=30)  # jumping: the stiffest bar flips sign each step
    stage = build_stage("modes", [run], TINY)
    bars, turned = stage.panels[0], stage.panels[1]
    assert isinstance(bars, ModesPanel) and isinstance(turned, EigenContourPanel)
    oracle = modes(run.problem, run.trajectory)
    assert oracle.factors is not None and oracle.factors[-1] < 0
    plan = plan_frames(run.epochs, fps=4, duration=1.0)
    for frame, _ in enumerate(blitted_frames(stage, plan)):
        k = int(plan.epochs[frame])
        np.testing.assert_allclose([bar.get_height() for bar in bars.bars], oracle.components[k])
        envelope = np.abs(oracle.factors) ** k * np.abs(oracle.initial)
        ticks = np.array(bars.bounds.get_segments())
        np.testing.assert_allclose(ticks[: len(envelope), 0, 1], envelope)
        np.testing.assert_allclose(ticks[len(envelope):, 0, 1], -envelope)
        np.testing.assert_allclose(np.column_stack(turned.trail.get_data())[-1], oracle.components[k][[0, -1]])
    labels = [tick.get_text() for tick in bars.axes.get_xticklabels()]
    assert all(f"1 − ηλ = {factor:.3g}" in label or label.endswith(f"\n×{factor:.3g}")  # short, in a narrow panel
               for factor, label in zip(oracle.factors, labels, strict=True))


def test_other_optimizers_get_bars_without_factors_and_say_so() -> None:
    run = experiment("plane", lr=0.1, epochs=20, optimizer="adam")
    stage = build_stage("modes", [run], TINY)
    bars = stage.panels[0]
    assert isinstance(bars, ModesPanel) and bars.bounds is None
    bars.update(5)
    np.testing.assert_allclose([bar.get_height() for bar in bars.bars], run.modes.components[5])
    assert "no fixed factor" in bars.axes.get_title(loc="left")
    assert not any("1 − ηλ" in tick.get_text() for tick in bars.axes.get_xticklabels())


def test_a_diverging_run_keeps_its_bars_on_the_axis() -> None:
    run = experiment("plane", lr=0.8)
    stage = build_stage("modes", [run], TINY)
    bars = stage.panels[0]
    low, high = bars.axes.get_ylim()
    assert np.all(np.abs(run.modes.components) <= high) and low == -high
