"""Ready-to-paste HTML for a written file (`--embed`): a looping muted <video> for WebM/MP4, an <img> otherwise."""

from __future__ import annotations

import html
from pathlib import Path

from gdcore.errors import GdvizInputError
from scenes.encoder import WrittenFile

VIDEO_SUFFIXES = (".webm", ".mp4")
IMAGE_SUFFIXES = (".gif", ".webp", ".png", ".svg")


def embed_snippet(written: WrittenFile, alt: str, src: str | None = None) -> str:
    """One line of HTML showing `written` at its own width and height; `src` defaults to the file's name.

    WebM and MP4 play like a GIF (autoplay, loop, muted, playsinline: browsers autoplay only muted video), with `alt`
    as their accessible name and fallback text; GIF, WebP, PNG and SVG are an <img> with `alt`.
    """
    suffix = Path(written.path).suffix.lower()
    source = html.escape(src if src is not None else Path(written.path).name, quote=True)
    text = html.escape(alt, quote=True)
    size = f'width="{written.width}" height="{written.height}"'
    if suffix in VIDEO_SUFFIXES:
        return f'<video src="{source}" {size} autoplay loop muted playsinline aria-label="{text}">{text}</video>'
    if suffix in IMAGE_SUFFIXES:
        return f'<img src="{source}" {size} alt="{text}" loading="lazy">'
    accepted = ", ".join(s.removeprefix(".") for s in (*VIDEO_SUFFIXES, *IMAGE_SUFFIXES))
    raise GdvizInputError(f"--embed: no HTML snippet for {Path(written.path).name}; it takes {accepted} files")
