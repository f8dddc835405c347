"""`gdviz render --engine manim`: render a Manim scene into a private temporary folder, then move the finished
file beside the matplotlib renders. Manim's media tree, partial movies and caches never reach the user's folders.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from gdcore.errors import GdvizInputError
from gdcore.experiment import Experiment
from scenes.encoder import FrameSink, OutputSpec, WrittenFile, prepare_output_dir
from scenes.render import output_stem

# Manim's quality presets: (width, height, fps).
MANIM_QUALITIES: dict[str, tuple[int, int, int]] = {
    "low": (854, 480, 15), "medium": (1280, 720, 30), "high": (1920, 1080, 60), "4k": (3840, 2160, 60),
}
MANIM_SCENES: dict[str, str] = {
    "line": "line_fit.LineFitScene",
    "update-rule": "update_rule.UpdateRuleScene",
    "contour": "contour_path.ContourPathScene",
    "surface": "surface_descent.SurfaceDescentScene",
    "regimes": "regimes.RegimesScene",
}
INSTALL_HINT = ("install the manim extra: sudo apt-get install libcairo2-dev libpango1.0-dev pkg-config && "
                "pip install 'gdviz[manim]' (make demo and make test do both)")


def manim_available() -> bool:
    return importlib.util.find_spec("manim") is not None


def scene_class(scene: str) -> type:
    """The Manim scene class for a gdviz scene name (imports manim, lazily)."""
    if scene not in MANIM_SCENES:
        raise GdvizInputError(f"scene {scene!r} has no Manim version: choose one of {', '.join(MANIM_SCENES)}")
    if not manim_available():
        raise GdvizInputError(f"--engine manim needs Manim, which is not installed: {INSTALL_HINT}")
    module_name, class_name = MANIM_SCENES[scene].split(".")
    return getattr(importlib.import_module(f"scenes.manim.{module_name}"), class_name)


def render_manim(scene: str, experiments: Sequence[Experiment], out_dir: Path, formats: Sequence[str],
                 quality: str = "low", theme: str = "light", seconds: float = 5.0,
                 time: str = "log", size: tuple[int, int] | None = None,
                 fps: float | None = None) -> list[WrittenFile]:
    """Render `scene` once to MP4 and, if asked, a GIF made from it; returns what was written. `size` and `fps`
    override the quality's."""
    cls = scene_class(scene)
    import manim as mn

    from scenes.manim.common import plan_for, quiet_manim

    width, height, quality_fps = MANIM_QUALITIES[quality]
    if size is not None:
        width, height = size
    fps = quality_fps if fps is None else fps
    folder = prepare_output_dir(out_dir / experiments[0].dataset.name)
    stem = f"{output_stem(scene, experiments)}-manim"  # beside the matplotlib render of the same run
    with tempfile.TemporaryDirectory(prefix=".gdviz-manim-", dir=folder) as work:
        settings = {"media_dir": work, "video_dir": work, "images_dir": work, "tex_dir": f"{work}/tex",
                    "text_dir": f"{work}/text", "partial_movie_dir": f"{work}/partial", "output_file": stem,
                    "pixel_width": width, "pixel_height": height, "frame_rate": fps, "format": "mp4",
                    "disable_caching": True, "verbosity": "WARNING", "progress_bar": "none"}
        with mn.tempconfig(settings):
            quiet_manim()
            plan = plan_for(experiments, seconds, time)
            instance = cls(runs=experiments, plan=plan, theme=theme)
            instance.render()
            movie = Path(instance.renderer.file_writer.movie_file_path)
        return _publish(movie, folder / stem, formats, fps)


def _publish(movie: Path, stem: Path, formats: Sequence[str], fps: float) -> list[WrittenFile]:
    """Move the MP4 into place (same folder, so the rename is atomic) and make the GIF from its frames."""
    written = []
    if "gif" in formats:
        written.append(_gif_from(movie, stem.parent / f"{stem.name}.gif", fps))
    if "mp4" in formats:
        final = stem.parent / f"{stem.name}.mp4"
        os.replace(movie, final)
        written.append(_describe(final))
    return sorted(written, key=lambda file: file.path.suffix != ".mp4")


def _gif_from(movie: Path, path: Path, fps: float) -> WrittenFile:
    import av  # PyAV comes with Manim

    with av.open(str(movie)) as container:
        stream = container.streams.video[0]
        size = (stream.codec_context.width, stream.codec_context.height)
        with FrameSink([OutputSpec.for_path(path, fps)], fps=fps, frame_size=size) as sink:
            for frame in container.decode(video=0):
                sink.write(frame.to_ndarray(format="rgb24"))
    return sink.written[0]


def _describe(path: Path) -> WrittenFile:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(video=0))
        return WrittenFile(path=path, size_bytes=path.stat().st_size, frames=frames,
                           duration_s=frames / float(stream.average_rate), width=stream.codec_context.width,
                           height=stream.codec_context.height)

