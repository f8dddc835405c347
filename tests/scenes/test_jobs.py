"""A render as data: the record beside every render, and `--from` rendering the same frames again."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from scenes.jobs import data_fingerprint, legibility_warning, plan_job, record_of, up_to_date
from tests.scenes.test_cli import assert_bad_input, invoke

TINY = ["--size", "320x180", "--fps", "6", "--duration", "0.5"]


def _png(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.int16)


def test_every_render_writes_a_record_of_how_it_was_made(tmp_path: Path) -> None:
    result = invoke("render", "contour", "--dataset", "line", "--lr", "5", "--epochs", "30", "--format", "png",
                    *TINY, "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    (still,) = (tmp_path / "line").glob("contour-lr5-h*.png")
    record = json.loads(still.with_suffix(".json").read_text())
    assert record["options"]["scene"] == "contour" and record["options"]["lr"] == [5.0]
    assert record["options"]["epochs"] == 30 and record["options"]["size"] == "320x180"
    assert record["files"] == [{"path": still.name, "bytes": still.stat().st_size, "frames": 1, "width": 320,
                                "height": 180, "duration_s": 0.0}]
    (run,) = record["runs"]
    assert run["regime"] == "divergent" and run["status"] == "diverged" and run["lr"] == 5.0
    assert isinstance(run["final_loss"], float) and len(record["data_fingerprint"]) == 16
    assert record["gdviz"] and record["record"] == 1


def test_from_a_record_renders_the_same_frames_and_options_given_beside_it_win(tmp_path: Path) -> None:
    first = invoke("render", "line", "--dataset", "five-points", "--epochs", "20", "--format", "png", *TINY,
                   "--out", str(tmp_path / "a"))
    assert first.exit_code == 0, first.output
    (still,) = (tmp_path / "a" / "five-points").glob("*.png")
    again = invoke("render", "--from", str(still.with_suffix(".json")), "--out", str(tmp_path / "b"))
    assert again.exit_code == 0, again.output
    assert np.array_equal(_png(still), _png(tmp_path / "b" / "five-points" / still.name))
    bigger = invoke("render", "--from", str(still.with_suffix(".json")), "--quality", "low", "--out",
                    str(tmp_path / "c"))
    assert bigger.exit_code == 0, bigger.output
    (larger,) = (tmp_path / "c" / "five-points").glob("*.png")
    assert _png(larger).shape == (480, 854, 3) and larger.name != still.name


def test_a_record_from_another_version_or_other_data_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "points.csv"
    data.write_text("x,y\n" + "\n".join(f"{i},{2 * i + 1 + (i % 3) * 0.1}" for i in range(12)))
    made = invoke("render", "loss", "--data", str(data), "--x", "x", "--y", "y", "--format", "png", *TINY,
                  "--out", str(tmp_path))
    assert made.exit_code == 0, made.output
    (record_path,) = (tmp_path / "points").glob("*.json")
    data.write_text("x,y\n" + "\n".join(f"{i},{3 * i}" for i in range(12)))
    assert_bad_input(invoke("render", "--from", str(record_path)), "data has changed")
    record = json.loads(record_path.read_text())
    record["gdviz"] = "0.0.1"
    record_path.write_text(json.dumps(record))
    assert_bad_input(invoke("render", "--from", str(record_path)), "written by gdviz 0.0.1")
    assert_bad_input(invoke("render", "--from", str(tmp_path / "missing.json")), "missing.json", "cannot read")
    record_path.write_text("[1, 2]")
    assert_bad_input(invoke("render", "--from", str(record_path)), "not a gdviz render record")


def test_up_to_date_needs_the_same_options_data_and_files(tmp_path: Path) -> None:
    options = {"scene": "loss", "dataset": "line", "epochs": 10, "format": ["png"], "size": "320x180",
               "out": str(tmp_path)}
    job = plan_job(options)
    assert not up_to_date(job)
    from scenes.jobs import render_job

    render_job(job)
    assert up_to_date(plan_job(options))
    assert not up_to_date(plan_job(options | {"theme": "dark"}))  # another file altogether
    job.paths["png"].unlink()
    assert not up_to_date(job)


def test_the_fingerprint_follows_the_data() -> None:
    plane, line = plan_job({"dataset": "plane"}), plan_job({"dataset": "line"})
    assert data_fingerprint(plane.experiments[0].dataset) == data_fingerprint(plan_job({}).experiments[0].dataset)
    assert data_fingerprint(plane.experiments[0].dataset) != data_fingerprint(line.experiments[0].dataset)
    assert record_of(plane)["options"]["dataset"] == "plane"


@pytest.mark.parametrize(("options", "fragment"), [
    ({"scene": "line", "colour": "red"}, "unknown option 'colour'"),
    ({"scene": "line", "name": "../escape"}, "`name` '../escape'"),
    ({"scene": "line", "fps": 0}, "fps"),
])
def test_bad_job_options_are_one_line(options: dict[str, object], fragment: str) -> None:
    from gdcore.errors import GdvizInputError

    with pytest.raises(GdvizInputError, match=fragment):
        plan_job(options)


def test_no_theory_reaches_the_look_and_the_file_name(tmp_path) -> None:
    from scenes.jobs import plan_job as plan

    shown = plan({"scene": "contour", "epochs": 5, "out": str(tmp_path)})
    hidden = plan({"scene": "contour", "epochs": 5, "theory": False, "out": str(tmp_path)})
    assert shown.theory and not hidden.theory and shown.stem != hidden.stem
    assert hidden.stem.startswith(shown.stem.split("-h")[0])


def test_the_cli_and_a_lecture_take_no_theory(tmp_path) -> None:
    from scenes.batch import OPTION_TYPES
    from tests.scenes.test_cli import invoke

    assert OPTION_TYPES["theory"] == (bool,)
    result = invoke("render", "loss", "--no-theory", "--epochs", "5", "--format", "png", "--size", "160x90",
                    "--out", str(tmp_path), "--quiet")
    assert result.exit_code == 0, result.output
    record = next((tmp_path / "plane").glob("loss-*.json")).read_text()
    assert '"theory": false' in record


def test_size_sets_every_format_and_gif_width_the_gif() -> None:
    assert plan_job({"size": "800x450"}).gif_width == 800  # --size: the GIF too
    assert plan_job({}).gif_width is None  # the default: 720 px (scenes.render.GIF_WIDTH)
    job = plan_job({"size": "800x450", "gif_width": 480})
    assert job.gif_width == 480 and job.stem != plan_job({"size": "800x450"}).stem


@pytest.mark.parametrize(("args", "words"), [
    (["--gif-width", "20"], ["gif-width", "64"]),
    (["--gif-width", "480", "--format", "mp4"], ["gif-width", "--format gif"]),
])
def test_bad_gif_widths_are_one_line(args: list[str], words: list[str]) -> None:
    assert_bad_input(invoke("render", *args), *words)


def test_a_thumbnail_renders_with_one_warning_line(tmp_path: Path) -> None:
    result = invoke("render", "loss", "--format", "png", *TINY, "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.stderr.strip().splitlines() == [
        "gdviz: warning: 320x180: text falls under 10 px (legible from a short side of 360 px)"]
    assert plan_job({"size": "640x360"}).size == (640, 360)
    assert invoke("render", "loss", "--format", "png", "--size", "640x360", "--out", str(tmp_path)).stderr == ""


@pytest.mark.parametrize(("scene", "size", "band"), [
    ("line", (540, 960), "540x304 band across the middle (the matplotlib engine lays square and portrait frames out)"),
    ("update-rule", (1080, 1080), "1080x608 band across the middle"), ("line", (1024, 768), None),
    ("line", (854, 480), None)])
def test_a_manim_frame_too_tall_for_its_landscape_composition_is_said_to_show_a_band(
        scene: str, size: tuple[int, int], band: str | None) -> None:
    """Manim keeps its frame 14.2 units wide: a square or portrait frame shows the scene's 16:9 composition as a
    band, with small text. The render goes on; one line says so, and where the scene has it, which engine fits."""
    job = plan_job({"scene": scene, "engine": "manim", "size": f"{size[0]}x{size[1]}", "format": "mp4"})
    warning = legibility_warning(job)
    if band is None:
        assert warning is None
    else:
        assert warning is not None and warning.endswith(band) and warning.startswith(f"{size[0]}x{size[1]}: the manim")
