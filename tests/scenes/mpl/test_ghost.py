"""The theory path drawn faint: its data is gdcore.theory's, only for gd, and --no-theory leaves it out."""

from __future__ import annotations

import dataclasses

import numpy as np

from gdcore.experiment import Experiment
from gdcore.theory import theory_path
from scenes.mpl.contour import ContourPanel
from scenes.mpl.layouts import build_stage
from scenes.mpl.loss import LossPanel
from scenes.mpl.stage import still_frame
from scenes.mpl.surface import SurfacePanel
from scenes.naming import picture_settings
from tests.scenes.conftest import TINY, experiment


def test_the_drawn_theory_lines_hold_theory_path(plane_run: Experiment) -> None:
    stage = build_stage("dashboard", [plane_run], TINY)
    expected = theory_path(plane_run.trajectory, plane_run.problem, plane_run.init)
    assert expected is not None
    (contour,) = [panel for panel in stage.panels if isinstance(panel, ContourPanel)]
    (loss,) = [panel for panel in stage.panels if isinstance(panel, LossPanel)]
    assert contour.theory is not None and loss.theory is not None
    np.testing.assert_allclose(np.column_stack(contour.theory.get_data()), expected[:, 1:])
    np.testing.assert_allclose(loss.theory.get_ydata(), plane_run.problem.loss(expected))


def test_the_surface_draws_the_theory_path_on_the_slice(plane_run: Experiment) -> None:
    stage = build_stage("surface", [plane_run], TINY)
    still_frame(stage, plane_run.epochs)
    (surface,) = [panel for panel in stage.panels if isinstance(panel, SurfacePanel)]
    x, y, z = surface.theory.get_data_3d()
    expected = theory_path(plane_run.trajectory, plane_run.problem, plane_run.init)
    np.testing.assert_allclose(np.column_stack([x, y]), expected[: len(x), 1:])
    assert len(x) > 1
    np.testing.assert_allclose(z, surface.slice.loss(x, y))


def test_no_theory_for_other_optimizers_nor_when_turned_off(plane_run: Experiment) -> None:
    adam = experiment("plane", epochs=20, optimizer="adam", lr=0.1)
    for run, look in ((adam, TINY), (plane_run, dataclasses.replace(TINY, theory=False))):
        stage = build_stage("dashboard", [run], look)
        assert all(getattr(panel, "theory", None) is None for panel in stage.panels)


def test_no_theory_is_in_the_file_name_only_when_off() -> None:
    assert "theory" not in picture_settings("matplotlib", (1280, 720), 30.0, 5.0, "log")
    assert picture_settings("matplotlib", (1280, 720), 30.0, 5.0, "log", theory=False) == {"theory": False}
