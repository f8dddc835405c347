"""`gdviz render --engine manim`: render a Manim scene into a private temporary folder, then move the finished
file beside the matplotlib renders. Manim's media tree, partial movies and caches never reach the user's folders.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from gdcore.errors import GdvizInputError
from gdcore.experiment import Experiment
from gdcore.frames import plan_frames
from scenes.encoder import (
    X264_PARAMS,
    X264_PRESET,
    FrameSink,
    OutputSpec,
    WrittenFile,
    prepare_output_dir,
    working_prefix,
)
from scenes.naming import output_stem, picture_settings
from scenes.registry import SceneSpec
from scenes.theme import palette

# The Manim scenes are composed for a landscape frame of this aspect (Manim keeps its frame 14.2 units wide, 8 high
# at 16:9); in a frame of another aspect the composition keeps its width, so a taller frame shows it as a band.
COMPOSED_ASPECT = 16 / 9
BAND_WARNING_BELOW = 0.6  # the composition's share of a frame's height under which the CLI says so (a square: 0.56)

INSTALL_HINT = ("install the manim extra: sudo apt-get install libcairo2-dev libpango1.0-dev pkg-config && "
                "pip install 'gdviz[manim]' (make demo and make test do both)")


def manim_available() -> bool:
    return importlib.util.find_spec("manim") is not None


@dataclass(frozen=True)
class ManimSettings:
    """How to render with Manim: formats, frame size and rate (from --quality or --size/--fps), clip timing, look."""

    formats: tuple[str, ...] = ("mp4",)
    size: tuple[int, int] = (854, 480)
    fps: float = 15.0
    duration: float = 5.0  # seconds of motion
    time: str = "log"
    theme: str = "light"
    out_dir: Path = Path("output")
    stem: str | None = None  # the file name without its extension; None: as scenes.naming spells it
    steps: int | None = None  # update-rule's steps written out; None: the scene's default
    theory: bool = True  # gd's exact path drawn faint beside the run's (--theory/--no-theory)

    @property
    def scene_options(self) -> dict[str, object]:
        """The keywords the scene's constructor takes beyond runs, plan and theme (steps only where given)."""
        return {"theory": self.theory} | ({} if self.steps is None else {"steps": self.steps})


def scene_class(spec: SceneSpec) -> type:
    """The Manim scene class of a registered scene (imports manim, lazily)."""
    spec.check_engine("manim")
    if not manim_available():
        raise GdvizInputError(f"the manim engine needs Manim, which is not installed: {INSTALL_HINT}")
    return spec.drawer("manim")


def render_manim(spec: SceneSpec, experiments: Sequence[Experiment],
                 settings: ManimSettings = ManimSettings()) -> list[WrittenFile]:
    """Render the scene once to MP4 and, if asked, a GIF made from it; returns what was written."""
    cls = scene_class(spec)
    plan_frames(1, settings.fps, settings.duration, settings.time)  # bad timing: one line before any work
    _check_even(settings.size)
    palette(settings.theme)
    import manim as mn

    from scenes.manim.common import plan_for, quiet_manim

    folder = prepare_output_dir(settings.out_dir / experiments[0].dataset.name)
    chosen = picture_settings("manim", settings.size, settings.fps, settings.duration, settings.time,
                              theory=settings.theory)
    stem = settings.stem or output_stem(spec.name, experiments, "manim", settings.theme, chosen)
    with tempfile.TemporaryDirectory(prefix=working_prefix(stem, "manim"), dir=folder) as work:
        with mn.tempconfig(_config(work, stem, settings)):
            quiet_manim()
            plan = plan_for(experiments, settings.duration, settings.time)
            instance = cls(runs=experiments, plan=plan, theme=settings.theme, **settings.scene_options)
            instance.render()
            movie = Path(instance.renderer.file_writer.movie_file_path)
        return _publish(movie, folder / stem, settings.formats, settings.fps)


def render_slides(spec: SceneSpec, experiments: Sequence[Experiment], settings: ManimSettings, folder: Path,
                  name: str) -> int:
    """Render the scene as manim-slides slides, a slide per step the scene marks (RunScene.mark_step): NAME.json
    and files/NAME/ in `folder` (what `manim-slides present --folder FOLDER NAME` plays). The scene class is mixed
    with manim-slides' Slide on the fly; Manim's own files stay in a private temporary folder. Returns the number
    of slides."""
    cls = scene_class(spec)
    plan_frames(1, settings.fps, settings.duration, settings.time)
    _check_even(settings.size)
    palette(settings.theme)
    try:
        from manim_slides import Slide
        from manim_slides.config import PresentationConfig
    except ImportError:
        raise GdvizInputError(f"slides need manim-slides, which is not installed: {INSTALL_HINT}") from None
    import manim as mn

    from scenes.manim.common import plan_for, quiet_manim

    slide_class = _slide_class(name, Slide, cls)
    folder = folder.resolve()  # manim-slides writes the files' paths as given
    folder.mkdir(parents=True, exist_ok=True)
    with (tempfile.TemporaryDirectory(prefix=working_prefix(name, "manim"), dir=folder) as work,
          mn.tempconfig(_config(work, name, settings))):
        quiet_manim()
        logging.getLogger("manim-slides").setLevel(logging.WARNING)
        plan = plan_for(experiments, settings.duration, settings.time)
        slide_class(runs=experiments, plan=plan, theme=settings.theme, output_folder=folder,
                    **settings.scene_options).render()
    return len(PresentationConfig.from_file(folder / f"{name}.json").slides)


def _slide_class(name: str, slide: type, scene: type) -> type:
    """manim-slides' Slide mixed into a scene class. No reversed copies: reveal.js never plays them, and the
    presenter plays a slide forwards to go back.

    manim-slides 5.7 sets two config keys that Manim 0.22 changed (write_to_movie is gone, max_files_cached takes
    no infinity; both matter only for the OpenGL renderer and Manim's cache, neither used here): with such a Manim
    the mixed class skips those two lines and keeps the rest (Slide's play, next_slide and saving)."""
    import manim as mn
    from manim_slides.slide.base import BaseSlide

    body: dict[str, object] = {"skip_reversing": True, "__module__": scene.__module__}
    if not hasattr(type(mn.config), "write_to_movie"):
        def __init__(self: BaseSlide, *args: object, **kwargs: object) -> None:
            BaseSlide.__init__(self, *args, **kwargs)

        def render(self: BaseSlide, *args: object, **kwargs: object) -> None:
            super(BaseSlide, self).render(*args, **kwargs)  # type: ignore[misc]
            self._save_slides(use_cache=False, flush_cache=False, skip_reversing=True)

        body |= {"__init__": __init__, "render": render}
    return type(name, (slide, scene), body)


def _config(work: str, stem: str, settings: ManimSettings) -> dict[str, object]:
    """Manim's config for one render whose every file lands in `work`."""
    width, height = settings.size
    return {"media_dir": work, "video_dir": work, "images_dir": work, "tex_dir": f"{work}/tex",
            "text_dir": f"{work}/text", "partial_movie_dir": f"{work}/partial", "output_file": stem,
            "pixel_width": width, "pixel_height": height, "frame_rate": settings.fps, "format": "mp4",
            "disable_caching": True, "verbosity": "WARNING", "progress_bar": "none", **_encoder_options()}


def _encoder_options() -> dict[str, object]:
    """x264 at gdviz's settings (scenes.encoder.X264_PRESET and X264_PARAMS) for the clips Manim encodes, where
    its config takes encoder options (0.22 on; before, Manim's own settings)."""
    import manim as mn

    if not hasattr(type(mn.config), "video_encoder_options"):
        return {}
    return {"video_encoder_options": {"preset": X264_PRESET, "x264-params": X264_PARAMS}}


def band_height(size: tuple[int, int]) -> int:
    """The height, in pixels, of the band a frame of `size` shows the landscape composition in (all of it when the
    frame is at least as wide as COMPOSED_ASPECT)."""
    width, height = size
    return min(height, round(width / COMPOSED_ASPECT))


def _check_even(size: tuple[int, int]) -> None:
    """Manim's H.264 writer (yuv420p) needs even sides; it would fail deep inside the render otherwise."""
    if size[0] % 2 or size[1] % 2:
        even = "x".join(str(side + side % 2) for side in size)
        raise GdvizInputError(f"`size` {size[0]}x{size[1]}: the manim engine needs even sides (try {even})")


def _publish(movie: Path, stem: Path, formats: Sequence[str], fps: float) -> list[WrittenFile]:
    """Move the MP4 into place (same folder, so the rename is atomic) and make the GIF, WebM and WebP from its
    frames, in one decoding pass."""
    written = []
    others = [stem.parent / f"{stem.name}.{fmt}" for fmt in formats if fmt != "mp4"]
    if others:
        written.extend(_encoded_from(movie, others, fps))
    if "mp4" in formats:
        final = stem.parent / f"{stem.name}.mp4"
        os.replace(movie, final)
        written.append(_describe(final))
    return sorted(written, key=lambda file: file.path.suffix != ".mp4")


def _encoded_from(movie: Path, paths: Sequence[Path], fps: float) -> tuple[WrittenFile, ...]:
    import av  # PyAV comes with Manim

    with av.open(str(movie)) as container:
        stream = container.streams.video[0]
        size = (stream.codec_context.width, stream.codec_context.height)
        specs = [OutputSpec.for_path(path, fps, width=size[0]) for path in paths]  # drawn at its size: not shrunk
        with FrameSink(specs, fps=fps, frame_size=size, channels=3) as sink:
            for frame in container.decode(video=0):
                sink.write(frame.to_ndarray(format="rgb24"))
    return sink.written


def _describe(path: Path) -> WrittenFile:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(video=0))
        return WrittenFile(path=path, size_bytes=path.stat().st_size, frames=frames,
                           duration_s=frames / float(stream.average_rate), width=stream.codec_context.width,
                           height=stream.codec_context.height)

