"""The scaling scene: the data raw and standardized, each at its best constant rate, axes labelled honestly."""

from __future__ import annotations

import numpy as np
import pytest

from gdcore.datasets import load_preset
from gdcore.errors import GdvizInputError
from gdcore.options import RunOptions
from gdcore.stability import best_constant_rate
from scenes.mpl.contour import ContourPanel
from scenes.mpl.layouts import build_stage
from scenes.registry import scene_runs, scene_spec
from tests.scenes.conftest import TINY


def test_raw_and_standardized_each_at_its_best_rate_with_kappa_and_epochs() -> None:
    raw, standardized = scene_runs(scene_spec("scaling"), load_preset("line-wide"), RunOptions(epochs=30))
    assert not raw.dataset.standardized and standardized.dataset.standardized
    for run in (raw, standardized):
        assert run.trajectory.lr == pytest.approx(best_constant_rate(run.problem.eigenvalues).lr)
    assert raw.problem.condition_number > 10 * standardized.problem.condition_number
    stage = build_stage("scaling", [raw, standardized], TINY)
    contours = [panel for panel in stage.panels if isinstance(panel, ContourPanel)]
    assert [panel.axes.get_ylabel() for panel in contours] == ["w1", "w1 (standardized)"]
    headers = [text.get_text() for axes in stage.figure.axes for text in axes.texts  # each above its contours
               if "κ =" in text.get_text()]
    assert headers[0].startswith("raw · κ = 174") and headers[1].startswith("standardized · κ = 1")
    assert "epochs to 1 %" in headers[0] and "needs 1 epoch to 1 %" in headers[1]  # κ = 1: one step, exactly
    np.testing.assert_allclose(np.ptp(contours[1].base.high - contours[1].base.low), 0.0)  # equal units


def test_scaling_refuses_what_it_chooses_itself() -> None:
    for run in (RunOptions(lr=0.1), RunOptions(optimizer="adam")):
        with pytest.raises(GdvizInputError, match="best constant rate"):
            scene_runs(scene_spec("scaling"), load_preset("plane"), run)
