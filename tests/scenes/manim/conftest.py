"""Tiny Manim renders (256x144 at 5 fps, a second or two) into tmp_path; skipped only where Manim is absent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

manim = pytest.importorskip("manim", reason="the manim extra is not installed (make test installs it)")

from gdcore.experiment import Experiment  # noqa: E402
from scenes.manim.common import plan_for, quiet_manim  # noqa: E402

TINY = {"pixel_width": 256, "pixel_height": 144, "frame_rate": 5}


@pytest.fixture
def tiny_config(tmp_path: Path) -> Iterator[Path]:
    """Manim's config for one tiny render whose every file lands under tmp_path."""
    settings = {"media_dir": str(tmp_path), "video_dir": str(tmp_path), "images_dir": str(tmp_path),
                "tex_dir": str(tmp_path / "tex"), "text_dir": str(tmp_path / "text"),
                "partial_movie_dir": str(tmp_path / "partial"), "output_file": "scene", "format": "mp4",
                "disable_caching": True, "verbosity": "WARNING", "progress_bar": "none", **TINY}
    with manim.tempconfig(settings):
        quiet_manim()
        yield tmp_path


def render_tiny(scene_class: type, runs: list[Experiment], seconds: float = 1.0) -> tuple[object, Path]:
    """Render inside tiny_config; returns the scene (its state after construct) and the movie's path."""
    scene = scene_class(runs=runs, plan=plan_for(runs, seconds))
    scene.render()
    return scene, Path(scene.renderer.file_writer.movie_file_path)


def read_video(path: Path) -> dict[str, object]:
    """What an independent decoder (PyAV) sees in the file."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(video=0))
        return {"codec": stream.codec_context.name, "width": stream.codec_context.width,
                "height": stream.codec_context.height, "fps": float(stream.average_rate), "frames": frames}
