"""Whole renders read back by an independent decoder (PyAV): codec, pixel format, size, fps, frame count."""

from __future__ import annotations

import itertools
import os
import signal
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from gdcore.errors import GdvizInputError
from gdcore.experiment import Experiment
from scenes.encoder import RenderInterrupted
from scenes.mpl.layouts import Look
from scenes.registry import parse_size
from scenes.render import RenderSettings, frame_plan, gif_look, output_paths, passes, render

SMALL = Look(width=320, height=180)


def settings(tmp_path: Path, **changes: object) -> RenderSettings:
    base = {"scene": "line", "formats": ("mp4", "gif"), "look": SMALL, "fps": 10.0, "duration": 1.0,
            "out_dir": tmp_path}
    return RenderSettings(**(base | changes))  # type: ignore[arg-type]


def test_mp4_and_gif_as_a_decoder_reads_them(tmp_path: Path, line_run: Experiment) -> None:
    chosen = settings(tmp_path)
    written = render([line_run], chosen)
    plan = frame_plan(chosen, [line_run])
    paths = output_paths(chosen, [line_run])
    assert paths["mp4"].parent == tmp_path / "line"  # 60 epochs at 320x180, 10 fps: settings hashed into the name
    assert paths["mp4"].name.startswith(f"line-lr{line_run.trajectory.lr:g}-h") and paths["gif"].suffix == ".gif"
    assert [file.path for file in written] == [paths["mp4"], paths["gif"]]
    with av.open(str(paths["mp4"])) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"
        assert (stream.codec_context.width, stream.codec_context.height) == (320, 180)
        assert stream.average_rate == Fraction(10)
        frames = list(container.decode(video=0))
    assert len(frames) == plan.n_frames == written[0].frames
    assert float(stream.duration * stream.time_base) == pytest.approx(plan.duration, abs=0.15)
    with Image.open(paths["gif"]) as gif:
        assert gif.info["loop"] == 0
        assert gif.n_frames == written[1].frames
        assert gif.width == 320


def test_png_is_the_last_frame_as_a_still(tmp_path: Path, line_run: Experiment) -> None:
    (written,) = render([line_run], settings(tmp_path, formats=("png",)))
    assert written.path.suffix == ".png" and written.frames == 1
    with Image.open(written.path) as image:
        assert image.size == (320, 180)


def test_a_divergent_render_finishes_and_shows_the_escape(tmp_path: Path, diverging_run: Experiment) -> None:
    written = render([diverging_run], settings(tmp_path, scene="dashboard", formats=("mp4",)))
    with av.open(str(written[0].path)) as container:
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    assert len(frames) == written[0].frames
    assert all(frame.std() > 10 for frame in frames)  # never a blank frame
    assert np.abs(frames[-1].astype(int) - frames[0].astype(int)).mean() > 2  # the picture moved


def test_an_interrupted_render_leaves_no_file(tmp_path: Path, line_run: Experiment) -> None:
    calls = []

    def interrupt(count: int) -> None:
        calls.append(count)
        if len(calls) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        render([line_run], settings(tmp_path), progress=interrupt)
    assert list((tmp_path / "line").iterdir()) == []


def test_sigterm_mid_render_leaves_no_file(tmp_path: Path, line_run: Experiment) -> None:
    """`kill <pid>` while frames are encoded: RenderInterrupted, no MP4, no GIF, no temporary file."""
    before = signal.getsignal(signal.SIGTERM)
    calls = []

    def terminate(count: int) -> None:
        calls.append(count)
        if len(calls) == 3:
            os.kill(os.getpid(), signal.SIGTERM)

    with pytest.raises(RenderInterrupted):
        render([line_run], settings(tmp_path), progress=terminate)
    assert list((tmp_path / "line").iterdir()) == []
    assert signal.getsignal(signal.SIGTERM) == before


def test_a_diverged_render_ends_on_its_banner_and_holds(tmp_path: Path, diverging_run: Experiment) -> None:
    chosen = settings(tmp_path, scene="dashboard", formats=("mp4",))
    (written,) = render([diverging_run], chosen)
    plan = frame_plan(chosen, [diverging_run])
    with av.open(str(written.path)) as container:
        frames = [frame.to_ndarray(format="rgb24").astype(int) for frame in container.decode(video=0)]
    held = frames[plan.motion_frames :]
    assert held and all(np.abs(frame - held[0]).mean() < 0.5 for frame in held)  # the last state, held
    changes = [np.abs(second - first).mean() for first, second in itertools.pairwise(frames[: plan.motion_frames])]
    assert sum(change > 0.05 for change in changes) > 0.6 * len(changes)  # while it runs, the picture moves


def test_a_file_in_the_way_of_the_output_folder_is_an_input_error(tmp_path: Path, line_run: Experiment) -> None:
    (tmp_path / "line").write_text("not a folder")
    with pytest.raises(GdvizInputError, match="line"):
        render([line_run], settings(tmp_path))


@pytest.mark.parametrize("text", ["12x12", "1280", "axb", "5000x720", "-640x360"])
def test_bad_sizes_are_rejected(text: str) -> None:
    with pytest.raises(GdvizInputError, match=f"`size` '{text}'"):
        parse_size(text)


def test_sizes_parse() -> None:
    assert parse_size("1280x720") == (1280, 720)
    assert parse_size(" 640X360 ") == (640, 360)


def test_a_gif_of_another_width_is_drawn_at_its_own_size(tmp_path: Path, line_run: Experiment) -> None:
    """MP4 at 320x180 and a GIF 240 wide: two passes, each laid out for its own pixels (not a shrunk copy)."""
    chosen = settings(tmp_path, gif_width=240)
    assert [look.width for look, _ in passes(chosen)] == [320, 240]
    mp4, gif = render([line_run], chosen)
    assert (mp4.width, mp4.height, gif.width, gif.height) == (320, 180, 240, 136)
    with Image.open(gif.path) as image:
        assert image.size == (240, 136) and image.n_frames == gif.frames == mp4.frames


def test_one_pass_when_every_format_shares_a_size() -> None:
    assert passes(RenderSettings(look=Look(640, 360), gif_width=640)) == [(Look(640, 360), ("mp4", "gif"))]
    assert gif_look(RenderSettings()) == Look(720, 404)  # the default: 720 px wide, the frame's aspect
    assert passes(RenderSettings(formats=("png",))) == []
