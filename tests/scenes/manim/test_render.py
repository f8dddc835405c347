"""`gdviz render --engine manim` as a user meets it: where the files land, what they hold, nothing left behind,
and one-line errors with exit status 2."""

from __future__ import annotations

import re
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

import scenes.manim.render as manim_render
from scenes.encoder import FrameSink, OutputSpec
from tests.scenes.manim.conftest import read_video
from tests.scenes.test_cli import assert_bad_input, invoke

TINY_RUN = ["--size", "256x144", "--duration", "1", "--quiet"]


def test_the_mp4_lands_beside_the_matplotlib_renders_and_nothing_else_is_left(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("render", "line", "--engine", "manim", "--dataset", "line", "--lr", "0.5", "--format", "mp4",
                    "--size", "256x144", "--duration", "1", "--out", "renders")
    assert result.exit_code == 0, result.output
    (movie,) = (tmp_path / "renders" / "line").glob("line-lr0.5-manim-h*.mp4")  # a small size: a hashed name
    assert result.stdout.strip().splitlines() == [result.stdout.strip()]  # one line: the file written
    assert result.stdout.startswith(f"wrote {Path('renders') / 'line' / movie.name}  256x144, ")
    video = read_video(movie)
    assert video["codec"] == "h264" and (video["width"], video["height"]) == (256, 144) and video["fps"] == 15
    # one second of motion and the one-second hold at Manim's low-quality 15 fps
    assert video["frames"] == 30
    assert sorted(path.relative_to(tmp_path) for path in tmp_path.rglob("*")) == [
        Path("renders"), Path("renders/line"), Path("renders/line") / f"{movie.stem}.json",
        Path("renders/line") / movie.name]


def _x264_search_settings(movie: Path) -> dict[str, str]:
    """The settings x264's speed preset decides (motion search, sub-pixel refinement, references, trellis), as the
    encoder wrote them into the file."""
    written = re.search(rb"x264 - core .*?options: ([^\x00]*)", movie.read_bytes())
    assert written is not None, f"{movie}: no x264 settings"
    settings = dict(item.split("=", 1) for item in written.group(1).decode().split() if "=" in item)
    return {name: settings[name] for name in ("me", "subme", "ref", "trellis", "mixed_ref", "analyse", "scenecut")}


def test_manim_encodes_at_gdviz_s_own_x264_settings(tmp_path: Path) -> None:
    """Manim's clips are H.264 at the settings gdviz's encoder uses (scenes.encoder.X264_PRESET, X264_PARAMS), not
    x264's slower default: the same speed and size trade-off in both engines."""
    result = invoke("render", "line", "--engine", "manim", "--dataset", "line", "--format", "mp4",
                    "--out", str(tmp_path), *TINY_RUN)
    assert result.exit_code == 0, result.output
    (movie,) = (tmp_path / "line").glob("*.mp4")
    reference = tmp_path / "reference.mp4"
    with FrameSink([OutputSpec(reference, "mp4", 15.0)]) as sink:
        for shade in range(0, 250, 10):
            sink.write(np.full((144, 256, 3), shade, dtype=np.uint8))
    assert _x264_search_settings(movie) == _x264_search_settings(reference)


def test_a_given_fps_overrides_the_quality_s(tmp_path: Path) -> None:
    result = invoke("render", "line", "--engine", "manim", "--dataset", "line", "--format", "mp4", "--fps", "8",
                    "--out", str(tmp_path), *TINY_RUN)
    assert result.exit_code == 0, result.output
    (movie,) = (tmp_path / "line").glob("*.mp4")
    video = read_video(movie)
    assert video["fps"] == 8 and video["frames"] == 16  # one second of motion, one of hold


def test_gif_is_made_from_the_same_frames_and_loops(tmp_path: Path) -> None:
    result = invoke("render", "contour", "--engine", "manim", "--dataset", "line", "--regime", "jumping",
                    "--format", "both", "--out", str(tmp_path), *TINY_RUN)
    assert result.exit_code == 0, result.output
    folder = tmp_path / "line"
    # the line preset's jumping rate: η·L = 1.8 / L, two significant digits; the small size hashed into the name
    (movie,) = folder.glob("contour-lr1.4-manim-h*.mp4")
    stem = movie.stem
    assert sorted(path.name for path in folder.iterdir()) == [f"{stem}.gif", f"{stem}.json", f"{stem}.mp4"]
    with av.open(str(folder / f"{stem}.gif")) as container:
        gif_frames = sum(1 for _ in container.decode(video=0))
    assert gif_frames == read_video(folder / f"{stem}.mp4")["frames"]
    with Image.open(folder / f"{stem}.gif") as image:
        assert image.info.get("loop") == 0  # loops forever


@pytest.mark.parametrize(("args", "fragments"), [
    (["render", "dashboard", "--engine", "manim"], ["dashboard is drawn by the matplotlib engine"]),
    (["render", "line", "--engine", "manim", "--format", "png"], ["'png'", "mp4, gif", "matplotlib engine"]),
    (["render", "line", "--engine", "manim", "--quality", "ultra"], ["'ultra'", "low, medium, high, 4k"]),
    (["render", "line", "--engine", "blender"], ["'blender'", "matplotlib, manim"]),
    (["render", "line", "--engine", "manim", "--size", "427x240"], ["--size 427x240", "even sides", "428x240"]),
    (["render", "line", "--engine", "manim", "--duration", "0"], ["duration", "(0, 600]"]),
    (["render", "line", "--engine", "manim", "--theme", "sepia"], ["sepia"]),
    (["render", "line", "--engine", "manim", "--fps", "0"], ["fps", "1 to 240"]),
])
def test_bad_manim_options_are_one_line_errors(tmp_path: Path, args: list[str], fragments: list[str]) -> None:
    assert_bad_input(invoke(*args, "--out", str(tmp_path)), *fragments)
    assert not any(tmp_path.iterdir())


def test_a_scene_only_manim_draws_renders_with_no_option_but_its_name(tmp_path: Path) -> None:
    result = invoke("render", "update-rule", "--format", "mp4", "--out", str(tmp_path), *TINY_RUN)
    assert result.exit_code == 0, result.output
    (movie,) = (tmp_path / "plane").glob("update-rule-lr0.1-manim-h*.mp4")
    assert read_video(movie)["codec"] == "h264"


def test_without_manim_the_error_gives_the_install_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(manim_render, "manim_available", lambda: False)
    assert_bad_input(invoke("render", "line", "--engine", "manim", "--out", str(tmp_path)),
                     "needs Manim", "libcairo2-dev libpango1.0-dev pkg-config", "gdviz[manim]")
    matplotlib = invoke("render", "loss", "--format", "png", "--size", "320x180", "--out", str(tmp_path))
    assert matplotlib.exit_code == 0, matplotlib.output  # the matplotlib engine keeps working


def test_a_portrait_manim_render_shows_its_picture_in_the_band_the_warning_names(tmp_path: Path) -> None:
    """The warning's claim, checked against Manim's own frame: every drawn pixel lies in the band
    (manim_render.band_height rows across the middle), the rows above and below are the background."""
    result = invoke("render", "line", "--engine", "manim", "--format", "mp4", "--size", "144x256", "--duration", "1",
                    "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "144x256: the manim scenes are composed for landscape frames" in result.stderr
    (movie,) = (tmp_path / "plane").glob("*.mp4")
    with av.open(str(movie)) as container:
        last = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)][-1].astype(int)
    drawn_rows = np.nonzero(np.any(np.abs(last - last[0, 0]) > 40, axis=(1, 2)))[0]
    band = manim_render.band_height((144, 256))
    top = (256 - band) / 2
    assert band == 81 and top - 2 <= drawn_rows.min() and drawn_rows.max() <= top + band + 2, drawn_rows
    assert drawn_rows.max() - drawn_rows.min() > 0.7 * band  # the picture fills the band
