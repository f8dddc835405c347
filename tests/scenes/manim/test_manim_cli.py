"""Each scene through Manim's own command line, as Manim users run it: the defaults (data `plane`, regime `good`)
and Manim's flags for resolution, frame rate and media folder respected."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scenes.registry import SCENES
from tests.scenes.manim.conftest import read_video

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("entry", sorted(spec.engines["manim"] for spec in SCENES.values() if "manim" in spec.engines))
def test_the_manim_command_renders_each_scene_with_its_flags(entry: str, tmp_path: Path) -> None:
    module, scene = entry.removeprefix("scenes.manim.").split(":")
    script = ROOT / "scenes" / "manim" / f"{module}.py"
    media = tmp_path / "media"
    done = subprocess.run([sys.executable, "-m", "manim", "render", "-ql", "-r", "256,144", "--fps", "5",
                           "--media_dir", str(media), "--progress_bar", "none", str(script), scene],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "WARNING" not in done.stdout + done.stderr
    (movie,) = (media / "videos" / module / "144p5").glob(f"{scene}.mp4")
    video = read_video(movie)
    assert (video["width"], video["height"], video["fps"]) == (256, 144, 5)
    assert video["frames"] >= 5 * 6  # at least the default five seconds of motion and the one-second hold
