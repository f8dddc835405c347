"""The web's formats from the command line: WebM, WebP and vector stills, a size budget, embed snippets, and the
explorable page from `gdviz html` and the notebook."""

from __future__ import annotations

import json
from pathlib import Path

import av
import pytest
from PIL import Image

from scenes.notebook import page
from tests.scenes.test_cli import assert_bad_input, invoke

TINY = ["--dataset", "line", "--epochs", "20", "--size", "400x360", "--fps", "8", "--duration", "1"]


def test_web_formats_and_vector_stills_in_one_render(tmp_path: Path) -> None:
    result = invoke("render", "line", *TINY, "--format", "webm,webp", "--format", "svg", "--format", "pdf",
                    "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    folder = tmp_path / "line"
    (webm,) = folder.glob("*.webm")
    with av.open(str(webm)) as container:
        assert container.streams.video[0].codec_context.name == "vp9"
    with Image.open(next(folder.glob("*.webp"))) as image:
        assert image.n_frames > 1 and image.info.get("loop") == 0
    assert next(folder.glob("*.svg")).read_bytes().lstrip().startswith((b"<?xml", b"<svg"))
    assert next(folder.glob("*.pdf")).read_bytes().startswith(b"%PDF")
    assert len(result.stdout.strip().splitlines()) == 4


def test_embed_prints_a_video_or_img_tag_with_size_and_alt(tmp_path: Path) -> None:
    result = invoke("render", "line", *TINY, "--format", "webm,gif", "--embed", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    video = next(line for line in result.stdout.splitlines() if line.startswith("<video"))
    image = next(line for line in result.stdout.splitlines() if line.startswith("<img"))
    assert "autoplay loop muted playsinline" in video and 'width="400"' in video
    assert 'alt="the line (or plane) being fitted' in image and "η·L" in image


def test_a_budget_is_met_or_refused_with_the_smallest_reached(tmp_path: Path) -> None:
    plain = invoke("render", "line", *TINY, "--format", "gif", "--out", str(tmp_path / "plain"))
    (first,) = (tmp_path / "plain" / "line").glob("*.gif")
    budget = int(first.stat().st_size * 0.9)  # a tenth smaller: fewer colours reach it
    fitted = invoke("render", "line", *TINY, "--format", "gif", "--max-size", str(budget), "--out", str(tmp_path))
    assert plain.exit_code == 0 and fitted.exit_code == 0, fitted.output
    (gif,) = (tmp_path / "line").glob("*.gif")
    assert gif.stat().st_size <= budget and "fitted under" in fitted.stdout
    refused = invoke("render", "line", *TINY, "--format", "gif", "--max-size", "2KB", "--out", str(tmp_path / "x"))
    assert_bad_input(refused, "cannot fit in 2.0 KB", "smallest legible file reached")
    assert not list((tmp_path / "x").rglob("*.gif"))


@pytest.mark.parametrize(("args", "fragments"), [
    (["--format", "mp4", "--max-size", "1MB"], ["--max-size 1MB applies to gif, webp, webm"]),
    (["--format", "gif", "--max-size", "lots"], ["'lots'", "KB"]),
    (["--engine", "manim", "--format", "gif", "--max-size", "1MB"], ["--max-size", "matplotlib engine"]),
    (["--format", "mkv"], ["'mkv'", "webm"]),
])
def test_bad_web_options_are_one_line(tmp_path: Path, args: list[str], fragments: list[str]) -> None:
    assert_bad_input(invoke("render", "line", *TINY, *args, "--out", str(tmp_path)), *fragments)


def test_html_writes_one_page_and_the_notebook_gives_the_same(tmp_path: Path) -> None:
    result = invoke("html", "--dataset", "five-points", "--lr", "0.05", "--cdn", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    (written,) = (tmp_path / "five-points").glob("explore*.html")
    text = written.read_text()
    assert f"wrote {written}" in result.stdout and 'id="lr"' in text and 'id="epoch"' in text
    assert len(text) < 300_000
    assert page("five-points", lr=[0.05], cdn=True) == text
    data = json.loads(text.split('type="application/json"', 1)[1].split(">", 1)[1].split("</script>", 1)[0])
    assert data
