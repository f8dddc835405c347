"""The race scene: one path and one loss curve per optimizer, legend entries naming optimizer and rate."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gdcore.datasets import load_preset
from gdcore.errors import GdvizInputError
from gdcore.options import RunOptions
from scenes.jobs import plan_job
from scenes.mpl.layouts import build_stage
from scenes.mpl.race import RaceContourPanel, RaceLossPanel
from scenes.mpl.stage import still_frame
from scenes.registry import race_rate, scene_runs, scene_spec
from tests.scenes.conftest import TINY
from tests.scenes.test_cli import assert_bad_input, invoke


def test_render_race_draws_three_paths_named_by_optimizer_and_rate(tmp_path: Path) -> None:
    job = plan_job({"scene": "race", "optimizer": ["gd", "momentum", "adam"], "lr": [0.1, 0.01, 0.2],
                    "epochs": 30, "out": str(tmp_path)})
    runs = job.experiments
    assert [run.trajectory.optimizer for run in runs] == ["gd", "momentum", "adam"]
    assert [run.trajectory.lr for run in runs] == [0.1, 0.01, 0.2]
    stage = build_stage("race", runs, TINY)
    still_frame(stage, 30)
    contour, loss = stage.panels[0], stage.panels[1]
    assert isinstance(contour, RaceContourPanel) and isinstance(loss, RaceLossPanel)
    for trail, curve, run in zip(contour.trails, loss.curves, runs, strict=True):
        np.testing.assert_allclose(np.column_stack(trail.get_data()), run.trajectory.weights[:, 1:])
        np.testing.assert_allclose(curve.get_ydata(), run.trajectory.loss)
    legend = [text.get_text() for text in stage.figure.legends[0].get_texts()]
    assert legend[0].startswith("gd · lr 0.1") and legend[1].startswith("momentum · lr 0.01")
    assert legend[2].startswith("adam · lr 0.2")


def test_race_cli_writes_a_still(tmp_path: Path) -> None:
    result = invoke("render", "race", "--optimizer", "gd", "--optimizer", "momentum", "--optimizer", "adam",
                    "--epochs", "20", "--format", "png", "--size", "320x180", "--out", str(tmp_path), "--quiet")
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "plane").glob("race-*gd-momentum-adam*.png"))) == 1


def test_default_race_rates_are_documented_defaults() -> None:
    dataset = load_preset("plane")
    runs = scene_runs(scene_spec("race"), dataset, RunOptions(epochs=10))
    gd, momentum, adam = runs
    assert momentum.trajectory.lr == pytest.approx(gd.trajectory.lr * 0.1)
    assert adam.trajectory.lr == race_rate("adam", gd)


def test_repeated_optimizer_outside_race_is_an_error(tmp_path: Path) -> None:
    assert_bad_input(invoke("render", "contour", "--optimizer", "gd", "--optimizer", "adam", "--out",
                            str(tmp_path)), "give one --optimizer, got 2")


@pytest.mark.parametrize(("given", "fragment"), [
    ({"lr": [0.1]}, "one `lr` per `optimizer`"),
    ({"optimizer": ["gd", "gd"]}, "given twice"),
    ({"regime": "good"}, "`regime` is gd's"),
])
def test_race_bad_input(given: dict, fragment: str) -> None:
    with pytest.raises(GdvizInputError, match=fragment.replace("(", r"\(")):
        plan_job({"scene": "race", "epochs": 5, **given})


def test_a_hyperparameter_goes_to_the_racers_that_have_it() -> None:
    runs = plan_job({"scene": "race", "optimizer": ["gd", "momentum"], "momentum": 0.5, "epochs": 5}).experiments
    assert runs[1].optimizer.momentum == 0.5  # type: ignore[attr-defined]
    assert runs[1].trajectory.lr == pytest.approx(runs[0].trajectory.lr * 0.5)
    with pytest.raises(GdvizInputError, match="applies to none"):
        plan_job({"scene": "race", "optimizer": ["gd", "momentum"], "beta1": 0.5, "epochs": 5})
