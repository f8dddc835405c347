"""The --embed snippets: the right element per format, the file's own size, and escaped text."""

from __future__ import annotations

from pathlib import Path

import pytest

from gdcore.errors import GdvizInputError
from scenes.embed import embed_snippet
from scenes.encoder import WrittenFile


def written(name: str) -> WrittenFile:
    return WrittenFile(Path("output/plane") / name, 1000, 150, 6.0, 720, 406)


@pytest.mark.parametrize("name", ["run.webm", "run.mp4"])
def test_videos_play_like_a_gif(name: str) -> None:
    assert embed_snippet(written(name), "GD on plane") == (
        f'<video src="{name}" width="720" height="406" autoplay loop muted playsinline aria-label="GD on plane">'
        "GD on plane</video>"
    )


@pytest.mark.parametrize("name", ["run.gif", "run.webp", "still.png", "still.svg"])
def test_images_are_img(name: str) -> None:
    assert embed_snippet(written(name), "GD", src=f"/media/{name}") == (
        f'<img src="/media/{name}" width="720" height="406" alt="GD" loading="lazy">'
    )


def test_text_is_escaped() -> None:
    snippet = embed_snippet(written("a.gif"), 'loss "<b>" & more', src='x".gif')
    assert 'alt="loss &quot;&lt;b&gt;&quot; &amp; more"' in snippet and 'src="x&quot;.gif"' in snippet


def test_other_files_have_no_snippet() -> None:
    with pytest.raises(GdvizInputError, match=r"no HTML snippet for run\.pdf; it takes webm, mp4, gif"):
        embed_snippet(written("run.pdf"), "GD")
