"""`gdviz slides LECTURE.toml`: a lecture's Manim clips as manim-slides slides (a slide per step the scene marks),
then one self-contained reveal.js deck: every video inlined as a data URI, reveal.js inlined from the copy the set-up
installed from npm, so the file plays offline from file://.

    OUT/LECTURE.html            the deck: a title slide per clip, then its steps
    OUT/LECTURE-slides/         manim-slides' folder: manim-slides present --folder OUT/LECTURE-slides NAME ...
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from gdcore.errors import GdvizInputError
from scenes.batch import Checked, Clip
from scenes.jobs import Job
from scenes.theme import palette

REVEAL_ENV = "GDVIZ_REVEAL_JS"  # a reveal.js package folder (holding dist/), instead of the installed one
REVEAL_MAJOR = "6"  # the reveal.js the set-up installs (manim-slides' converter is written for 6)
REVEAL_INSTALL = f"npm install --prefix .venv/reveal reveal.js@{REVEAL_MAJOR} (make demo and make test run it)"
REVEAL_THEME = "black"  # its text turns dark on a light slide background by itself
TEMPLATE = Path(__file__).with_name("templates") / "deck.html"


@dataclass(frozen=True)
class SlideClip:
    """A clip of the lecture shown as slides: its job, its slides' name in manim-slides' folder, its title slide."""

    clip: Clip
    job: Job
    name: str  # 'NN-STEM': unique in the deck, in the lecture's order
    title: str
    subtitle: str


@dataclass(frozen=True)
class DeckPaths:
    """Where a lecture's slides land: the deck and manim-slides' folder beside it."""

    html: Path
    folder: Path

    @classmethod
    def of(cls, lecture: str | Path, out: str | Path) -> DeckPaths:
        stem = Path(lecture).stem
        return cls(Path(out) / f"{stem}.html", Path(out) / f"{stem}-slides")


def slide_clips(checked: Sequence[Checked]) -> tuple[list[SlideClip], list[str]]:
    """The checked clips drawn by Manim, as slides; and one line for each clip skipped because matplotlib draws it
    (bad clips are left out: checking already said why)."""
    clips, skipped = [], []
    for item in checked:
        job = item.job
        if job is None:
            continue
        if job.engine != "manim":
            where = ('add engine = "manim"' if "manim" in job.spec.engines
                     else f"the {job.spec.name} scene is matplotlib-only")
            skipped.append(f"{item.clip.label}: skipped, slides are Manim's ({where})")
            continue
        clips.append(SlideClip(item.clip, job, f"{item.clip.number:02d}-{job.stem}", _title(item.clip, job),
                               _subtitle(job)))
    return clips, skipped


def _title(clip: Clip, job: Job) -> str:
    title = clip.options.get("title")
    return str(title) if title else job.spec.description[:1].upper() + job.spec.description[1:]


def _subtitle(job: Job) -> str:
    """'plane · lr 0.1 · good', or 'plane · four regimes' for a scene of several runs."""
    first = job.experiments[0]
    if len(job.experiments) > 1:
        return f"{first.dataset.name} · {len(job.experiments)} runs"
    return f"{first.dataset.name} · lr {first.trajectory.lr:g} · {first.rate.regime.value}"


def render_clip(item: SlideClip, folder: Path) -> int:
    """Render one clip as manim-slides slides into `folder`; returns its number of slides. The files' paths are
    written relative to the folder's parent (as manim-slides reads them), so the folder can move."""
    from scenes.manim.render import ManimSettings, render_slides

    job = item.job
    settings = ManimSettings(formats=("mp4",), size=job.size, fps=job.fps, duration=job.duration, time=job.time,
                             theme=job.theme, steps=job.steps, theory=job.theory)
    count = render_slides(job.spec, list(job.experiments), settings, folder, item.name)
    _relative_paths(folder / f"{item.name}.json")
    return count


def _relative_paths(config: Path) -> None:
    """manim-slides writes absolute paths and resolves relative ones from the JSON's grandparent folder."""
    base = config.parent.parent
    presentation = json.loads(config.read_text(encoding="utf-8"))
    for slide in presentation["slides"]:
        for key in ("file", "rev_file"):
            slide[key] = Path(os.path.relpath(slide[key], base)).as_posix()
    config.write_text(json.dumps(presentation, indent=2), encoding="utf-8")


def reveal_package() -> Path:
    """The reveal.js package whose dist/ is inlined: $GDVIZ_REVEAL_JS, else the one the set-up installed beside this
    Python (PREFIX/reveal/node_modules/reveal.js); a one-line error naming the install command otherwise."""
    given = os.environ.get(REVEAL_ENV)
    package = Path(given) if given else Path(sys.prefix) / "reveal" / "node_modules" / "reveal.js"
    if not (package / "dist" / "reveal.js").is_file():
        raise GdvizInputError(f"slides need reveal.js, not found at {package}: {REVEAL_INSTALL}, or set "
                              f"{REVEAL_ENV} to a reveal.js package folder")
    return package


def write_deck(clips: Sequence[SlideClip], folder: Path, path: Path, title: str) -> Path:
    """Convert the clips' slides in `folder` to one reveal.js HTML file with manim-slides' RevealJS converter and
    gdviz's template, reveal.js and the videos inlined; written atomically. Returns the path."""
    from manim_slides.config import PresentationConfig

    package = reveal_package()
    configs = [PresentationConfig.from_file(folder / f"{item.name}.json") for item in clips]
    converter = _converter()(
        presentation_configs=configs, template=TEMPLATE, one_file=True, title=title,
        reveal_version=json.loads((package / "package.json").read_text(encoding="utf-8"))["version"],
        reveal_js=_inline((package / "dist" / "reveal.js").read_text(encoding="utf-8"), "script"),
        reveal_css=_inline((package / "dist" / "reveal.css").read_text(encoding="utf-8"), "style"),
        theme_css=_inline((package / "dist" / "theme" / f"{REVEAL_THEME}.css").read_text(encoding="utf-8"), "style"),
        clips=[{"title": item.title, "subtitle": item.subtitle, "background": palette(item.job.theme).background,
                "foreground": palette(item.job.theme).foreground} for item in clips])
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".gdviz-deck-", dir=path.parent) as work:
        temp = Path(work) / path.name
        converter.convert_to(temp)
        os.replace(temp, path)  # the same folder: atomic
    return path


def _converter() -> type:
    """manim-slides' RevealJS converter with the fields gdviz's template reads (reveal.js inlined, clip titles)."""
    from manim_slides.convert import RevealJS

    class InlineRevealJS(RevealJS):
        reveal_js: str
        reveal_css: str
        theme_css: str
        clips: list[dict[str, str]]

    return InlineRevealJS


def _inline(text: str, tag: str) -> str:
    """Text safe inside <script> or <style>: it must not close its own element."""
    closing = f"</{tag}"
    if closing in text.lower():
        raise GdvizInputError(f"the installed reveal.js contains '{closing}': it cannot be inlined")
    return text


def publish_folder(staged: Path, final: Path) -> None:
    """Move a freshly rendered slides folder into place, replacing the previous one."""
    if final.exists():
        old = staged.parent / f"{final.name}.old"
        os.replace(final, old)
        shutil.rmtree(old)
    os.replace(staged, final)


@dataclass(frozen=True)
class Rendered:
    """What rendering one clip's slides did: its number of slides and seconds, or the one-line error."""

    item: SlideClip
    slides: int = 0
    seconds: float = 0.0
    error: str | None = None


def make_deck(clips: Sequence[SlideClip], paths: DeckPaths, title: str,
              on_clip: Callable[[Rendered], None] | None = None) -> int:
    """Render every clip's slides into a staging folder beside the deck, write the deck of those that rendered,
    then move the slides folder into place: nothing is half-written, and if no clip renders the previous deck and
    folder stay as they were. `on_clip` hears of each clip (a failed one is named and left out, as in `batch`).
    Returns the deck's number of slides, title slides included."""
    if not clips:
        raise GdvizInputError("the lecture has no Manim clip to make slides of: give a clip engine = \"manim\"")
    reveal_package()  # missing reveal.js: one line before any rendering
    paths.html.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".gdviz-slides-", dir=paths.html.parent) as work:
        staged = Path(work) / paths.folder.name
        rendered = [_render(item, staged) for item in clips]
        for outcome in rendered:
            if on_clip is not None:
                on_clip(outcome)
        shown = [outcome for outcome in rendered if outcome.error is None]
        if not shown:
            raise GdvizInputError("no clip of the lecture rendered as slides: nothing written")
        write_deck([outcome.item for outcome in shown], staged, paths.html, title)
        for outcome in rendered:  # a failed clip leaves nothing in the folder
            if outcome.error is not None:
                (staged / f"{outcome.item.name}.json").unlink(missing_ok=True)
                shutil.rmtree(staged / "files" / outcome.item.name, ignore_errors=True)
        publish_folder(staged, paths.folder)
    return sum(outcome.slides + 1 for outcome in shown)


def _render(item: SlideClip, folder: Path) -> Rendered:
    start = time.perf_counter()
    try:
        count = render_clip(item, folder)
    except GdvizInputError as error:
        return Rendered(item, error=str(error))
    except Exception as error:  # a failed render is reported with its clip; the others go on
        return Rendered(item, error=f"{type(error).__name__}: {' '.join(str(error).split())[:300]}")
    return Rendered(item, count, time.perf_counter() - start)
