"""Slides that pause: the scenes' step marks become manim-slides slides, and `gdviz slides` makes one offline
reveal.js deck of a lecture's Manim clips, checked as files and in headless Chromium."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from click.testing import Result

pytest.importorskip("manim_slides", reason="the manim extra (with manim-slides) is not installed (make test does)")

from scenes.manim.common import RunScene, plan_for
from scenes.manim.update_rule import UpdateRuleScene
from scenes.notebook import run
from scenes.slides import REVEAL_ENV, reveal_package
from tests.scenes.test_cli import assert_bad_input, invoke

STEPS = 2
LECTURE = f"""
[defaults]
size = "256x144"
duration = 1

[[clip]]
title = "Rates < 2/L & the update rule"
scene = "update-rule"
steps = {STEPS}

[[clip]]
name = "dash"
scene = "dashboard"

[[clip]]
scene = "contour"
engine = "manim"
regime = "good"

[[clip]]
name = "odd"
scene = "update-rule"
size = "255x144"
"""
UPDATE_RULE_SLIDES = 1 + STEPS  # the rule written out, then a slide per step (the ending joins the last)
CONTOUR_SLIDES = 1  # a converging run: one descent, no zoom
DECK_SLIDES = 2 + UPDATE_RULE_SLIDES + CONTOUR_SLIDES  # a title slide per clip
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
SCREENSHOT = Path("/tmp/gdviz-slides-step.png")


@pytest.fixture(scope="module")
def deck(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Result, Path]]:
    """`gdviz slides` on a lecture of two Manim clips, a matplotlib one and one that fails, into a fresh folder."""
    folder = tmp_path_factory.mktemp("lecture")
    (folder / "lecture.toml").write_text(LECTURE)
    yield invoke("slides", str(folder / "lecture.toml"), "--out", str(folder / "out")), folder / "out"


def test_a_slide_per_step_and_a_title_per_clip(deck: tuple[Result, Path]) -> None:
    from manim_slides.config import PresentationConfig

    result, out = deck
    assert result.exit_code == 1, result.output  # the odd clip failed: named, left out, the others shown
    assert result.stderr.splitlines() == ['gdviz: clip 4 "odd": --size 255x144: the manim engine needs even sides '
                                          '(try 256x144)']
    assert 'clip 2 "dash": skipped, slides are Manim\'s (the dashboard scene is matplotlib-only)' in result.stdout
    assert f"wrote {out / 'lecture.html'}  {DECK_SLIDES} slides" in result.stdout
    configs = sorted((out / "lecture-slides").glob("*.json"))
    assert [path.name.split("-")[:2] for path in configs] == [["01", "update"], ["03", "contour"]]
    counts = [len(PresentationConfig.from_file(path).slides) for path in configs]  # as manim-slides present reads
    assert counts == [UPDATE_RULE_SLIDES, CONTOUR_SLIDES]
    for path in configs:  # paths relative to the folder's parent: the folder may move
        assert all(not Path(slide["file"]).is_absolute() for slide in json.loads(path.read_text())["slides"])
    assert sorted(path.name for path in out.iterdir()) == ["lecture-slides", "lecture.html"]  # no litter
    assert sorted(path.name for path in (out / "lecture-slides" / "files").iterdir()) == [path.stem for path in configs]
    listed = subprocess.run([sys.executable, "-m", "manim_slides", "list-scenes", "--folder",
                             str(out / "lecture-slides")], capture_output=True, text=True, check=True, timeout=60)
    assert [line.split(": ")[1] for line in listed.stdout.split("\n") if ": " in line] == [p.stem for p in configs]
    html = (out / "lecture.html").read_text(encoding="utf-8")
    assert html.count('class="gdviz-title"') == 2 and "Rates &lt; 2/L &amp; the update rule" in html
    assert html.count("data-background-video=\"data:video/mp4;base64,") == UPDATE_RULE_SLIDES + CONTOUR_SLIDES


def test_the_deck_loads_nothing_from_the_web(deck: tuple[Result, Path]) -> None:
    html = (deck[1] / "lecture.html").read_text(encoding="utf-8")
    tags = re.findall(r"<(?:script|link|img|video|source|iframe)\b[^>]*>", html, flags=re.IGNORECASE)
    assert [tag for tag in tags if re.search(r"\b(?:src|href)\s*=", tag)] == []  # reveal.js and CSS are inline
    assert not re.search(r"""(?:src|href|data-background-[a-z-]+)\s*=\s*["']?(?:https?:)?//""", html)
    assert not re.search(r"@import|url\(\s*[\"']?(?:https?:)?//", html)


def test_the_deck_plays_offline_in_chromium(deck: tuple[Result, Path]) -> None:
    playwright = pytest.importorskip("playwright.sync_api", reason="make test installs playwright")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (scripts/system-deps.sh installs it)")
    page_errors: list[str] = []
    requests: list[str] = []
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 960, "height": 540})
            page.on("console", lambda message: page_errors.extend(
                [f"console {message.type}: {message.text}"] if message.type in ("error", "warning") else []))
            page.on("pageerror", lambda error: page_errors.append(f"page error: {error}"))
            page.on("request", lambda request: requests.append(request.url))
            page.goto((deck[1] / "lecture.html").resolve().as_uri())
            page.wait_for_function("window.Reveal !== undefined && Reveal.isReady()", timeout=20_000)
            assert page.evaluate("Reveal.getTotalSlides()") == DECK_SLIDES
            assert page.evaluate("document.querySelectorAll('.slides > section').length") == DECK_SLIDES
            page.evaluate("Reveal.slide(2)")  # the update rule's first step
            page.wait_for_function("""(() => { const video = Reveal.getCurrentSlide().slideBackgroundContentElement
                                                   .querySelector('video');
                                               return video !== null && video.readyState >= 2; })()""",
                                   timeout=20_000)
            state = page.evaluate("""(() => { const video = Reveal.getCurrentSlide().slideBackgroundContentElement
                                                  .querySelector('video');
                                              return {error: video.error, width: video.videoWidth,
                                                      src: video.currentSrc.slice(0, 22)}; })()""")
            assert state == {"error": None, "width": 256, "src": "data:video/mp4;base64,"}
            page.wait_for_timeout(500)
            page.screenshot(path=str(SCREENSHOT))
        finally:
            browser.close()
    assert page_errors == []
    assert [url for url in requests if not url.startswith(("file:", "data:"))] == []


def test_marks_leave_a_plain_renders_frames_unchanged(tiny_config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runs = [run("plane", regime="good")]

    def frames(folder: Path) -> list[np.ndarray]:
        """A tiny render in a folder of its own (Manim reuses the partial movies a folder holds)."""
        import av
        import manim

        dirs = {key: str(folder / part) for key, part in (("media_dir", ""), ("video_dir", ""), ("images_dir", ""),
                                                          ("tex_dir", "tex"), ("text_dir", "text"),
                                                          ("partial_movie_dir", "partial"))}
        with manim.tempconfig(dirs):
            scene = UpdateRuleScene(runs=runs, plan=plan_for(runs, 1.0), steps=STEPS)
            scene.render()
            with av.open(str(scene.renderer.file_writer.movie_file_path)) as container:
                return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]

    marked = frames(tiny_config / "marked")
    monkeypatch.setattr(RunScene, "mark_step", lambda self, name: None)
    unmarked = frames(tiny_config / "unmarked")
    assert len(marked) == len(unmarked) and all(np.array_equal(a, b) for a, b in zip(marked, unmarked, strict=True))


def test_missing_reveal_js_is_one_line_before_any_render(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "lecture.toml").write_text(LECTURE)
    monkeypatch.setenv(REVEAL_ENV, str(tmp_path / "nowhere"))
    out = tmp_path / "out"
    assert_bad_input(invoke("slides", str(tmp_path / "lecture.toml"), "--out", str(out)), "reveal.js", "npm install")
    assert not (out / "lecture.html").exists() and not (out / "lecture-slides").exists()


def test_a_lecture_without_manim_clips_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "lecture.toml").write_text('[[clip]]\nscene = "dashboard"\n')
    assert_bad_input(invoke("slides", str(tmp_path / "lecture.toml"), "--out", str(tmp_path)), "no Manim clip")


def test_the_set_up_installed_reveal_js() -> None:
    package = reveal_package()
    assert (package / "dist" / "reveal.css").is_file() and (package / "dist" / "theme" / "black.css").is_file()


@pytest.mark.parametrize("scene", ["line", "surface"])
def test_an_escaping_run_pauses_at_each_zoom_and_keeps_every_frame(scene: str, tmp_path: Path) -> None:
    """Line and surface follow an escape continuously: as slides, their motion is cut at the frames where the view
    has just grown, and the slides' frames add up to the plain render's."""
    import av
    import manim

    from scenes.jobs import plan_job
    from scenes.manim.render import ManimSettings, render_slides

    job = plan_job({"scene": scene, "engine": "manim", "lr": 0.8, "size": "256x144", "duration": 1})
    settings = ManimSettings(size=job.size, fps=job.fps, duration=job.duration, time=job.time, theme=job.theme)
    count = render_slides(job.spec, list(job.experiments), settings, tmp_path, "escape")
    frames = []
    for slide in json.loads((tmp_path / "escape.json").read_text())["slides"]:
        with av.open(str(slide["file"])) as container:
            frames.append(sum(1 for _ in container.decode(video=0)))
    with manim.tempconfig({"frame_rate": job.fps}):
        plan = plan_for(list(job.experiments), job.duration)
    assert count == len(frames) >= 3 and sum(frames) == plan.n_frames
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".gdviz")] == []
