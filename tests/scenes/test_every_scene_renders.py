"""What `gdviz list --json` promises: every scene it lists renders with every engine it lists for it (tiny renders
through the CLI), and race, sweep and scaling are drawn by both engines."""

from __future__ import annotations

import importlib.util
import json
import warnings
from pathlib import Path

import pytest

from tests.scenes.test_cli import invoke

HAS_MANIM = importlib.util.find_spec("manim") is not None
if HAS_MANIM:  # imported once here, as pytest.importorskip does in tests/scenes/manim: pydub's import warns
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
        import manim  # noqa: F401

LISTED = json.loads(invoke("list", "--json").stdout)["scenes"]
PAIRS = [(scene["name"], engine) for scene in LISTED for engine in scene["engines"]]
TINY = ["--format", "mp4", "--size", "256x144", "--fps", "5", "--duration", "1", "--epochs", "5", "--quiet"]


def test_race_sweep_and_scaling_are_listed_for_both_engines() -> None:
    engines = {scene["name"]: scene["engines"] for scene in LISTED}
    for name in ("race", "sweep", "scaling"):
        assert engines[name] == ["matplotlib", "manim"]


@pytest.mark.parametrize(("scene", "engine"), PAIRS, ids=[f"{scene}-{engine}" for scene, engine in PAIRS])
def test_every_listed_scene_renders_with_every_listed_engine(scene: str, engine: str, tmp_path: Path) -> None:
    if engine == "manim" and not HAS_MANIM:
        pytest.skip("the manim extra is not installed (make test installs it)")
    result = invoke("render", scene, "--engine", engine, *TINY, "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    (movie,) = (tmp_path / "plane").glob(f"{scene}-*.mp4")
    assert movie.stat().st_size > 0 and (movie.with_suffix(".json")).exists()
