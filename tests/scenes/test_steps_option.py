"""`update-rule --steps N`: a scene-specific option declared in the registry, checked before any work, in the
record, the file name, the lecture file and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from gdcore.errors import GdvizInputError
from scenes.batch import check_clips, read_lecture
from scenes.jobs import plan_job
from scenes.registry import DEFAULT_STEPS, MAX_STEPS, scene_spec
from tests.scenes.test_cli import assert_bad_input, invoke


def test_steps_is_declared_for_update_rule_with_manim_only() -> None:
    assert scene_spec("update-rule").options["manim"] == ("steps",)
    job = plan_job({"scene": "update-rule", "steps": 2})
    assert job.steps == 2 and job.options["steps"] == 2
    assert plan_job({"scene": "update-rule"}).steps is None


def test_steps_names_its_own_file_but_the_default_does_not() -> None:
    default = plan_job({"scene": "update-rule"}).stem
    assert plan_job({"scene": "update-rule", "steps": DEFAULT_STEPS}).stem == default
    assert len({default, plan_job({"scene": "update-rule", "steps": 2}).stem,
                plan_job({"scene": "update-rule", "steps": 5}).stem}) == 3


@pytest.mark.parametrize("steps", [0, MAX_STEPS + 1, -1, 2.5, True, "3"])
def test_steps_outside_1_to_20_is_one_line(steps: object) -> None:
    with pytest.raises(GdvizInputError, match=r"`steps` .*from 1 to 20"):
        plan_job({"scene": "update-rule", "steps": steps})


def test_steps_given_to_another_scene_is_an_error() -> None:
    with pytest.raises(GdvizInputError, match=r"not honoured by the line scene.*update-rule \(manim\)"):
        plan_job({"scene": "line", "engine": "manim", "steps": 2})


def test_the_cli_checks_steps_before_any_work(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert_bad_input(invoke("render", "contour", "--steps", "2", "--out", str(out)), "--steps", "contour scene")
    assert_bad_input(invoke("render", "update-rule", "--steps", "0", "--out", str(out)), "--steps 0", "1 to 20")
    assert not out.exists()
    assert "--steps" in invoke("render", "--help").stdout


def test_a_lecture_clip_takes_steps_as_a_whole_number(tmp_path: Path) -> None:
    lecture = tmp_path / "lecture.toml"
    lecture.write_text('[[clip]]\nscene = "update-rule"\nsteps = 4\n[[clip]]\nscene = "update-rule"\nsteps = "4"\n'
                       '[[clip]]\nscene = "line"\nsteps = 4\n')
    good, wrong_type, wrong_scene = check_clips(read_lecture(lecture), str(tmp_path))
    assert good.job is not None and good.job.steps == 4
    assert wrong_type.error is not None and "steps = '4' should be a number" in wrong_type.error
    assert wrong_scene.error is not None and "not honoured by the line scene" in wrong_scene.error
