"""The scene registry: one entry per scene read by the CLI's help, validation, `list`, and both engines."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner
from matplotlib.figure import Figure

from gdcore.datasets import load_preset
from gdcore.experiment import Experiment
from gdcore.options import RunOptions
from scenes.cli import cli
from scenes.mpl.layouts import Layout, Look
from scenes.mpl.loss import LossPanel
from scenes.mpl.stage import Panel
from scenes.registry import SCENES, Runs, SceneSpec, _spec, figure_runs, register, scene_runs, scene_spec


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def _place_loss_only(figure: Figure, experiments: Sequence[Experiment], look: Look, animated: bool) -> list[Panel]:
    return [LossPanel(figure.add_subplot(), experiments[0], look.colors, experiments[0].epochs, animated)]


bare_loss = Layout(_place_loss_only)  # the drawing code of the scene the test registers


@pytest.fixture
def registered() -> Iterator[SceneSpec]:
    spec = register(_spec("test-bare-loss", "a registered test scene: the loss alone, no title",
                          {"matplotlib": f"{__name__}:bare_loss"}))
    yield spec
    del SCENES[spec.name]


def test_a_registered_scene_is_listed_in_help_and_renders(registered: SceneSpec, tmp_path: Path) -> None:
    code, out, _ = invoke("list")
    assert code == 0 and "test-bare-loss" in out and registered.description in out
    code, out, _ = invoke("list", "--json")
    assert {"name": "test-bare-loss", "description": registered.description, "engines": ["matplotlib"]} in (
        json.loads(out)["scenes"])
    code, out, _ = invoke("render", "--help")
    assert "test-bare-loss" in out
    code, out, err = invoke("render", "test-bare-loss", "--dataset", "line", "--epochs", "5", "--format", "png",
                            "--size", "320x180", "--out", str(tmp_path))
    assert code == 0, err
    (still,) = (tmp_path / "line").glob("test-bare-loss-lr*.png")
    assert f"wrote {still}" in out


def test_list_json_has_every_key_and_each_scene_names_its_engines() -> None:
    code, out, _ = invoke("list", "--json")
    known = json.loads(out)
    assert code == 0 and set(known) == {"datasets", "optimizers", "regimes", "scenes", "formats"}
    assert known["formats"] == {"matplotlib": ["mp4", "gif", "webm", "webp", "png", "svg", "pdf"],
                                "manim": ["mp4", "gif", "webm", "webp"]}
    names = [scene["name"] for scene in known["scenes"]]
    assert names == list(SCENES) and "update-rule" in names
    update_rule = next(scene for scene in known["scenes"] if scene["name"] == "update-rule")
    assert update_rule["engines"] == ["manim"]
    modes = next(scene for scene in known["scenes"] if scene["name"] == "modes")
    assert modes["engines"] == ["matplotlib", "manim"]


def test_a_scene_asked_of_an_engine_that_does_not_draw_it_names_the_one_that_does(tmp_path: Path) -> None:
    code, _, err = invoke("render", "update-rule", "--engine", "matplotlib", "--out", str(tmp_path))
    assert code == 2
    assert err.strip() == ("gdviz: error: update-rule is drawn by the manim engine: add --engine manim")
    code, _, err = invoke("render", "dashboard", "--engine", "manim", "--out", str(tmp_path))
    assert code == 2 and "dashboard is drawn by the matplotlib engine: add --engine matplotlib" in err
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(("args", "fragments"), [
    (["surface", "--engine", "manim", "--rotate"], ["--rotate", "not honoured", "surface (matplotlib)"]),
    (["line", "--rotate"], ["--rotate", "line scene", "surface (matplotlib)"]),
    (["line", "--quality", "4k"], ["'4k'", "matplotlib", "--engine manim"]),
    (["line", "--engine", "manim", "--format", "png"], ["'png'", "manim", "matplotlib engine"]),
    (["line", "--format", "mp4,webmm"], ["'webmm'"]),
    (["line", "--optimizer", "gd", "--optimizer", "adam"], ["one --optimizer", "gd, adam"]),
    (["line", "--engine", "blender"], ["'blender'", "matplotlib, manim"]),
])
def test_an_option_an_engine_does_not_honour_is_an_error(args: list[str], fragments: list[str],
                                                         tmp_path: Path) -> None:
    code, out, err = invoke("render", *args, "--out", str(tmp_path))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1, err
    assert all(fragment in err for fragment in fragments), err


def test_help_shows_every_quality_of_every_engine() -> None:
    _, out, _ = invoke("render", "--help")
    flat = " ".join(out.split())
    for quality in ("low", "medium", "high", "4k"):
        assert quality in flat
    assert "manim: low 854x480@15" in flat and "4k 3840x2160@60" in flat


def test_every_scene_has_runs_with_no_option_but_its_name() -> None:
    dataset = load_preset("line")
    for name, spec in SCENES.items():
        runs = scene_runs(spec, dataset, RunOptions(epochs=5))
        expected = {Runs.ONE: 1, Runs.REGIMES: 4, Runs.RATES: 3, Runs.OPTIMIZERS: 3, Runs.SCALING: 2,
                    Runs.SWEEP: 40}[spec.runs]
        assert len(runs) == expected, name
    compared = scene_runs(scene_spec("compare"), dataset, RunOptions(epochs=5))
    assert [run.rate.regime.value for run in compared] == ["slow", "good", "jumping"]


def test_an_unknown_scene_suggests_the_closest() -> None:
    code, _, err = invoke("render", "dashbord")
    assert code == 2 and "unknown scene 'dashbord'" in err and "did you mean 'dashboard'?" in err


def test_figures_compares_the_presets_and_a_main_run_that_is_none_of_them() -> None:
    plane = load_preset("plane")
    main_run, compared = figure_runs(plane, RunOptions(), (0.8,))
    assert main_run.trajectory.lr == 0.8 and main_run.trajectory.diverged
    assert [run.rate.regime.value for run in compared] == ["slow", "good", "jumping", "divergent"]
    assert compared[-1] is main_run
    main_run, compared = figure_runs(plane, RunOptions(regime="good"))
    assert [run.rate.regime.value for run in compared] == ["slow", "good", "jumping"]


def test_figures_with_several_rates_keeps_the_tutorials_main_run() -> None:
    main_run, compared = figure_runs(load_preset("plane"), RunOptions(), (0.005, 0.1, 0.3))
    assert main_run.trajectory.lr == 0.1 and main_run.trajectory.epochs_run == 300  # the lab's own run
    assert [run.trajectory.lr for run in compared] == [0.005, 0.1, 0.3]
