"""The scaling scene: the data raw and standardized, each at its best constant rate, axes labelled honestly."""

from __future__ import annotations

import numpy as np
import pytest

from gdcore.datasets import load_preset
from gdcore.errors import GdvizInputError
from gdcore.options import RunOptions
from gdcore.stability import best_constant_rate
from scenes.mpl.contour import ContourPanel
from scenes.mpl.layouts import Look, build_stage
from scenes.mpl.race import RaceLossPanel
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


@pytest.mark.parametrize("size", [(1080, 1080), (900, 1000), (1280, 720), (720, 1280)])
def test_a_squarish_frame_shows_both_losses_under_the_bowls_which_stand_level(size: tuple[int, int]) -> None:
    """Side by side, the two square bowls are as wide as a squarish frame lets them and would leave its bottom
    third empty: the runs' losses fill it, one labelled curve each. Landscape and portrait frames have no room."""
    runs = scene_runs(scene_spec("scaling"), load_preset("line-wide"), RunOptions(epochs=30))
    stage = build_stage("scaling", runs, Look(*size))
    contours = [panel for panel in stage.panels if isinstance(panel, ContourPanel)]
    losses = [panel for panel in stage.panels if isinstance(panel, RaceLossPanel)]
    squarish = size in [(1080, 1080), (900, 1000)]
    assert len(losses) == int(squarish)
    if size[0] > size[1] or squarish:  # side by side: level under headers of one height
        assert contours[0].axes.bbox.y1 == pytest.approx(contours[1].axes.bbox.y1, abs=0.5)
    if not squarish:
        return
    (loss,) = losses
    loss_axes = loss.curves[0].axes
    renderer = stage.canvas.get_renderer()
    assert all(loss_axes.get_tightbbox(renderer).y1 < panel.axes.get_tightbbox(renderer).y0 for panel in contours)
    assert [curve.get_label() for curve in loss.curves] == [f"raw · lr {runs[0].trajectory.lr:.3g}",
                                                             f"standardized · lr {runs[1].trajectory.lr:.3g}"]
    legend = [text.get_text() for text in loss_axes.get_legend().get_texts()]
    assert [curve.get_label() for curve in loss.curves] == legend[1:]
    stage.update(12)
    for curve, run in zip(loss.curves, runs, strict=True):
        np.testing.assert_array_equal(curve.get_ydata(), run.trajectory.loss[:13])
