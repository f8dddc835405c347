"""The size budget on synthetic clips: flat frames are tiny, noise frames incompressible, so every step is forced."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from gdcore.errors import GdvizInputError
from scenes.budget import BudgetChoice, fit_to_budget, format_bytes, parse_byte_size
from scenes.encoder import VP9_DEFAULT_CRF

SECONDS = 1.0


class Clip:
    """A FrameSource that records what it was asked for: noise (incompressible) or one flat grey."""

    def __init__(self, noise: bool) -> None:
        self.noise = noise
        self.calls: list[tuple[int, int, float]] = []

    def __call__(self, width: int, height: int, fps: float) -> Iterator[np.ndarray]:
        self.calls.append((width, height, fps))
        rng = np.random.default_rng(0)
        for _ in range(round(SECONDS * fps)):
            if self.noise:
                yield rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
            else:
                yield np.full((height, width, 3), 128, np.uint8)


def gif_frames(path: Path) -> tuple[int, tuple[int, int]]:
    with Image.open(path) as image:
        return image.n_frames, image.size


@pytest.mark.parametrize(
    ("text", "size"),
    [("1MB", 1_000_000), ("500 KB", 500_000), ("2.5mb", 2_500_000), ("800B", 800), ("1234", 1234), (" 1kb ", 1000)],
)
def test_parse_byte_size(text: str, size: int) -> None:
    assert parse_byte_size(text) == size


@pytest.mark.parametrize("text", ["", "MB", "1GB", "1 MiB", "-1MB", "0KB", "1e6", "one MB"])
def test_parse_byte_size_refuses(text: str) -> None:
    with pytest.raises(GdvizInputError, match=r"size '.*'") as error:
        parse_byte_size(text)
    assert "\n" not in str(error.value)


def test_format_bytes_reads_back() -> None:
    assert [format_bytes(n) for n in (800, 12_345, 1_050_000)] == ["800 B", "12.3 KB", "1.05 MB"]


def test_a_clip_under_budget_is_written_as_asked(tmp_path: Path) -> None:
    clip, path = Clip(noise=False), tmp_path / "flat.gif"
    choice = fit_to_budget(path, clip, 100_000, width=64, height=48, fps=20, min_short_side=16)
    assert choice == BudgetChoice(path, "gif", 64, 48, 20, 128, None, path.stat().st_size, 1)
    assert clip.calls == [(64, 48, 20)]
    assert gif_frames(path) == (20, (64, 48))
    assert os.listdir(tmp_path) == ["flat.gif"]


def test_frame_rate_goes_first(tmp_path: Path) -> None:
    clip, path = Clip(noise=True), tmp_path / "noise.gif"
    full = fit_to_budget(tmp_path / "full.gif", clip, 10**7, width=64, height=48, fps=20).size_bytes
    choice = fit_to_budget(path, clip, int(full * 0.7), width=64, height=48, fps=20, min_short_side=16)
    assert (choice.width, choice.height, choice.colors) == (64, 48, 128)
    assert 10 <= choice.fps < 20
    assert choice.size_bytes == path.stat().st_size <= full * 0.7
    assert gif_frames(path) == (round(choice.fps * SECONDS), (64, 48))


def test_a_drafted_clip_is_not_drawn_again(tmp_path: Path) -> None:
    """A render's draft at the requested size and rate is the first attempt: only the lower rates are drawn."""
    clip, path = Clip(noise=True), tmp_path / "noise.gif"
    full = fit_to_budget(tmp_path / "draft.gif", clip, 10**7, width=64, height=48, fps=20).size_bytes
    clip.calls.clear()
    choice = fit_to_budget(path, clip, int(full * 0.7), width=64, height=48, fps=20, min_short_side=16,
                           drafted=tmp_path / "draft.gif")
    assert (64, 48, 20) not in clip.calls and clip.calls and choice.fps < 20
    assert sorted(os.listdir(tmp_path)) == ["noise.gif"]  # the draft went into the trials, and with them


def test_then_colours_then_size_never_below_the_floor(tmp_path: Path) -> None:
    clip, path = Clip(noise=True), tmp_path / "noise.gif"
    choice = fit_to_budget(path, clip, 20_000, width=96, height=64, fps=20, min_short_side=24)
    assert (choice.fps, choice.colors) == (10, 32)
    assert 24 <= choice.height < 64 and choice.width / choice.height == pytest.approx(1.5, abs=0.1)
    assert choice.size_bytes == path.stat().st_size <= 20_000
    rates = [fps for _, _, fps in clip.calls]
    assert rates == sorted(rates, reverse=True)  # the rate only ever falls...
    sizes = [(w, h) for w, h, _ in clip.calls]
    assert all(size == (96, 64) for size, fps in zip(sizes, rates, strict=True) if fps > 10)  # ...before the size
    assert len(set(clip.calls)) == len(clip.calls) < choice.attempts <= 10  # colour steps re-encode, not redraw
    assert os.listdir(tmp_path) == ["noise.gif"]


def test_an_impossible_budget_says_the_smallest_and_leaves_no_file(tmp_path: Path) -> None:
    old = tmp_path / "old.gif"
    old.write_bytes(b"old")
    with pytest.raises(GdvizInputError, match=r"cannot fit in 2.0 KB; the smallest legible file reached is") as error:
        fit_to_budget(old, Clip(noise=True), 2_000, width=64, height=48, fps=20, min_short_side=40)
    message = str(error.value)
    assert "\n" not in message and "10 fps, colours 32" in message and "x40," in message
    assert old.read_bytes() == b"old" and os.listdir(tmp_path) == ["old.gif"]


def test_webm_lowers_rate_then_quality(tmp_path: Path) -> None:
    clip, path = Clip(noise=True), tmp_path / "noise.webm"
    full = fit_to_budget(tmp_path / "full.webm", clip, 10**7, width=64, height=48, fps=20).size_bytes
    choice = fit_to_budget(path, clip, int(full * 0.4), width=64, height=48, fps=20, min_short_side=16)
    assert choice.fps == 10 and choice.colors is None
    assert choice.quality is not None and choice.quality > VP9_DEFAULT_CRF
    assert choice.size_bytes == path.stat().st_size <= full * 0.4
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name in ("vp9", "libvpx-vp9")
        assert sum(1 for _ in container.decode(stream)) == 10


def test_webp_lowers_rate_then_colours(tmp_path: Path) -> None:
    clip, path = Clip(noise=True), tmp_path / "noise.webp"
    full = fit_to_budget(tmp_path / "full.webp", clip, 10**7, width=64, height=48, fps=20).size_bytes
    choice = fit_to_budget(path, clip, int(full * 0.4), width=64, height=48, fps=20, min_short_side=16)
    assert choice.fps == 10 and choice.colors is not None and choice.colors < 128 and choice.quality is None
    assert choice.size_bytes == path.stat().st_size <= full * 0.4
    with Image.open(path) as image:
        assert image.n_frames == 10 and image.info["loop"] == 0


def test_only_web_animations_take_a_budget(tmp_path: Path) -> None:
    with pytest.raises(GdvizInputError, match=r"applies to gif, webp, webm files, not clip\.mp4"):
        fit_to_budget(tmp_path / "clip.mp4", Clip(noise=False), 1000, width=64, height=48, fps=20)
