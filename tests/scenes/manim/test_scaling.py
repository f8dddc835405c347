"""ScalingScene: tiny renders through the CLI and the registry; raw on the left, standardized on the right with its
axes labelled so, each bowl drawn in equal units, κ of each against the Hessian's own eigenvalues."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gdcore.problem import cost_scale
from scenes.notebook import runs
from scenes.registry import scene_spec
from tests.scenes.manim.conftest import read_video, render_tiny
from tests.scenes.test_cli import invoke


def test_scaling_renders_through_the_command_line(tmp_path: Path) -> None:
    result = invoke("render", "scaling", "--engine", "manim", "--dataset", "line-wide", "--format", "mp4",
                    "--size", "256x144", "--fps", "5", "--duration", "1", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    (movie,) = (tmp_path / "line-wide").glob("scaling-*-manim-h*.mp4")
    assert read_video(movie)["frames"] == 10


def test_raw_and_standardized_side_by_side_in_equal_units(tiny_config: Path) -> None:
    pair = runs("scaling", "plane")
    scene, movie = render_tiny(scene_spec("scaling").drawer("manim"), pair, seconds=1.0)
    assert read_video(movie)["frames"] == scene.plan.n_frames
    assert scene.steps_marked == ["the finish"]
    raw, standardized = scene.headers
    for header, run in zip((raw, standardized), pair, strict=True):
        design = np.column_stack([np.ones(len(run.dataset.target)), run.dataset.features])
        # H = (2s/n)·XᵀX for the loss (s/n)·Σ rᵢ²
        eigenvalues = np.linalg.eigvalsh(2 * cost_scale(run.problem.cost) / len(design) * design.T @ design)
        kappa = eigenvalues.max() / eigenvalues.min()
        shown = float(header.split("κ = ")[1].split(" ")[0])
        assert shown == pytest.approx(kappa, rel=0.01)
        assert f"2/L = {2 / eigenvalues.max():.3g}" in header
    assert raw.startswith("raw") and standardized.startswith("standardized")
    assert scene.panels[0].names == ("w1", "w2")
    assert scene.panels[1].names == ("w1 (standardized)", "w2 (standardized)")
    for panel, rect in zip(scene.panels, scene.rects, strict=True):  # equal units: as long across as up
        span = panel.window.high - panel.window.low
        assert span[0] / rect.width == pytest.approx(span[1] / rect.height)
    assert scene.finish_lines[1].startswith("error at 1 % of its start by epoch ")
