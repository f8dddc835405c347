"""The encoder's files as an independent decoder (PyAV, Pillow) reads them, and its atomic-write promises."""

from __future__ import annotations

import errno
import fcntl
import math
import os
import pickle
import re
import signal
import stat
import struct
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from gdcore.errors import GdvizInputError
from scenes import encoder
from scenes.encoder import (
    FrameSink,
    OutputSpec,
    RenderInterrupted,
    WrittenFile,
    prepare_output_dir,
    save_figure,
    sigterm_raises,
    write_png,
)

BLUE, ORANGE, GREY = (31, 119, 180), (255, 127, 14), (128, 128, 128)
COLOUR_TOLERANCE = 8  # levels out of 255: yuv420p and palette rounding, never more for a flat colour


def solid(colour: tuple[int, int, int], width: int = 64, height: int = 48, channels: int = 4) -> np.ndarray:
    frame = np.full((height, width, channels), 255, np.uint8)
    frame[..., :3] = colour
    return frame


def encode(outputs: list[OutputSpec], frames: Iterator[np.ndarray] | list[np.ndarray], **sink_options: object):
    with FrameSink(outputs, **sink_options) as sink:  # type: ignore[arg-type]
        for frame in frames:
            sink.write(frame)
    return sink


def decoded(path: Path) -> tuple[list[np.ndarray], av.video.stream.VideoStream, float]:
    """Every frame as RGB, the video stream and the container's duration in seconds."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(stream)]
        return frames, stream, container.duration / av.time_base


def top_level_boxes(path: Path) -> list[str]:
    """The MP4's top-level box types in file order."""
    data, boxes, offset = path.read_bytes(), [], 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        boxes.append(kind.decode("latin-1"))
        if size == 0:
            break
        offset += size
    return boxes


def assert_close_colour(image: np.ndarray, colour: tuple[int, int, int]) -> None:
    assert np.abs(image.reshape(-1, 3).mean(axis=0) - colour).max() <= COLOUR_TOLERANCE


# MP4 -------------------------------------------------------------------------------------------------------


def test_mp4_as_pyav_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "run.mp4"
    sink = encode([OutputSpec(path, "mp4", 12)], (solid(BLUE, 160, 90) for _ in range(24)))
    frames, stream, duration = decoded(path)
    assert stream.codec_context.name == "h264"
    assert stream.codec_context.pix_fmt == "yuv420p"
    assert (stream.width, stream.height) == (160, 90)
    assert stream.average_rate == 12
    assert len(frames) == 24 == sink.frames_written
    assert duration == pytest.approx(2.0, abs=0.1)
    assert sink.written == (WrittenFile(path, path.stat().st_size, 24, 2.0, 160, 90),)


def test_mp4_moov_before_mdat(tmp_path: Path) -> None:
    path = tmp_path / "run.mp4"
    encode([OutputSpec(path, "mp4", 10)], (solid(BLUE) for _ in range(10)))
    boxes = top_level_boxes(path)
    assert boxes.index("moov") < boxes.index("mdat")


def test_mp4_colours_survive(tmp_path: Path) -> None:
    colours = [BLUE, ORANGE, GREY] * 4
    path = tmp_path / "colours.mp4"
    encode([OutputSpec(path, "mp4", 10)], [solid(colour, channels=3) for colour in colours])
    frames, _, _ = decoded(path)
    assert len(frames) == len(colours)
    for frame, colour in zip(frames, colours, strict=True):
        assert_close_colour(frame[4:-4, 4:-4], colour)


def test_mp4_odd_size_is_padded_with_the_edge(tmp_path: Path) -> None:
    path = tmp_path / "odd.mp4"
    sink = encode([OutputSpec(path, "mp4", 10)], (solid(ORANGE, 65, 49) for _ in range(10)))
    frames, stream, _ = decoded(path)
    assert (stream.width, stream.height) == (66, 50) == (sink.written[0].width, sink.written[0].height)
    assert_close_colour(frames[-1][:, -2:], ORANGE)  # a black pad would pull these far off
    assert_close_colour(frames[-1][-2:, :], ORANGE)


def test_mp4_scaled_to_a_width(tmp_path: Path) -> None:
    path = tmp_path / "small.mp4"
    encode([OutputSpec(path, "mp4", 10, width=81)], (solid(BLUE, 160, 90) for _ in range(5)))
    _, stream, _ = decoded(path)
    assert (stream.width, stream.height) == (80, 46)


# GIF -------------------------------------------------------------------------------------------------------


def test_gif_loops_forever_at_its_width(tmp_path: Path) -> None:
    path = tmp_path / "loop.gif"
    frames = [solid(colour, 160, 90) for colour in [BLUE, ORANGE, GREY] * 4]
    sink = encode([OutputSpec(path, "gif", 10, width=64)], frames)
    with Image.open(path) as image:
        assert image.info["loop"] == 0
        assert image.size == (64, 36)
        assert image.n_frames == 12
        assert image.info["duration"] == 100
    decoded_frames, stream, duration = decoded(path)
    assert len(decoded_frames) == 12
    assert (stream.width, stream.height) == (64, 36)
    assert duration == pytest.approx(1.2, abs=0.05)
    assert sink.written[0].frames == 12 and sink.written[0].duration_s == pytest.approx(1.2)
    for frame, colour in zip(decoded_frames, [BLUE, ORANGE, GREY] * 4, strict=True):
        assert_close_colour(frame, colour)


def test_gif_keeps_an_odd_size_and_never_enlarges(tmp_path: Path) -> None:
    path = tmp_path / "odd.gif"
    encode([OutputSpec.for_path(path, 10)], (solid(GREY, 65, 49) for _ in range(3)))
    with Image.open(path) as image:
        assert image.size == (65, 49)


def test_gif_drops_frames_evenly(tmp_path: Path) -> None:
    """A 30 fps stream into a 20 fps GIF: GIF frame j shows stream frame ceil(1.5 j)."""
    path = tmp_path / "slower.gif"
    levels = [8 * index for index in range(30)]
    sink = encode([OutputSpec(path, "gif", 20)], [solid((level,) * 3) for level in levels], fps=30)
    frames, _, duration = decoded(path)
    shown = [levels[math.ceil(1.5 * j)] for j in range(20)]
    assert [round(float(frame.mean())) for frame in frames] == shown
    assert sink.frames_written == 30 and sink.written[0].frames == 20
    assert duration == pytest.approx(1.0, abs=0.05)


def test_for_path_picks_the_kind_and_gif_defaults() -> None:
    assert OutputSpec.for_path(Path("a.mp4"), 60) == OutputSpec(Path("a.mp4"), "mp4", 60)
    assert OutputSpec.for_path(Path("a.GIF"), 60) == OutputSpec(Path("a.GIF"), "gif", 25, width=720)
    assert OutputSpec.for_path(Path("a.gif"), 12, width=320).fps == 12
    assert OutputSpec.for_path(Path("a.WebM"), 60) == OutputSpec(Path("a.WebM"), "webm", 60)
    assert OutputSpec.for_path(Path("a.webp"), 30, width=320) == OutputSpec(Path("a.webp"), "webp", 30, width=320)
    with pytest.raises(GdvizInputError, match=r"must end in \.mp4, \.gif, \.webm, \.webp"):
        OutputSpec.for_path(Path("a.avi"), 30)


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"kind": "gif", "fps": 60}, "at most 50 fps"),
        ({"fps": 0}, "fps must be a positive number"),
        ({"fps": float("nan")}, "fps must be a positive number"),
        ({"preset": "warp"}, "preset must be one of"),
        ({"crf": 60}, "crf must be between"),
        ({"width": 1}, "width must be at least 2"),
        ({"kind": "gif", "colors": 300}, "colors must be between"),
        ({"kind": "webm", "vp9_crf": 64}, "vp9_crf must be between 0 and 63"),
        ({"kind": "webp", "colors": 1}, "colors must be between"),
        ({"kind": "avi"}, "kind must be one of mp4, gif, webm, webp"),
    ],
)
def test_output_spec_rejects_bad_settings(options: dict[str, object], problem: str) -> None:
    settings: dict[str, object] = {"path": Path("x"), "kind": "mp4", "fps": 30} | options
    with pytest.raises(GdvizInputError, match=problem):
        OutputSpec(**settings)  # type: ignore[arg-type]


# WebM and WebP ---------------------------------------------------------------------------------------------


def test_webm_is_vp9_yuv420p_as_pyav_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "run.webm"
    colours = [BLUE, ORANGE, GREY] * 4
    sink = encode([OutputSpec.for_path(path, 12)], [solid(colour, 160, 90) for colour in colours])
    frames, stream, duration = decoded(path)
    assert stream.codec_context.name in ("vp9", "libvpx-vp9")
    assert stream.codec_context.pix_fmt == "yuv420p"
    assert (stream.width, stream.height) == (160, 90)
    assert len(frames) == 12 == sink.written[0].frames
    assert duration == pytest.approx(1.0, abs=0.1)
    for frame, colour in zip(frames, colours, strict=True):
        assert_close_colour(frame[4:-4, 4:-4], colour)


def text_frames(count: int, width: int = 320, height: int = 180) -> list[np.ndarray]:
    """A readout that changes every frame over a moving marker: what a scene's frames mostly change by."""
    fig = Figure(figsize=(width / 100, height / 100), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.1, 0.15, 0.85, 0.7), xlim=(0, 1), ylim=(0, 1))
    (marker,) = ax.plot([], [], "o", color=(0.8, 0.2, 0.1))
    readout = ax.set_title("")
    frames = []
    for k in range(count):
        marker.set_data([k / count], [0.5])
        readout.set_text(f"epoch {k}/300  loss {2.13 / (k + 1):.3g}")
        fig.canvas.draw()
        frames.append(np.asarray(fig.canvas.buffer_rgba())[..., :3].copy())
    return frames


def psnr(source: list[np.ndarray], decoded_frames: list[np.ndarray]) -> float:
    """Peak signal-to-noise ratio in dB over all frames: 10·log10(255² / mean squared error)."""
    errors = [(np.asarray(a, float) - b) ** 2 for a, b in zip(source, decoded_frames, strict=True)]
    return float(10 * np.log10(255**2 / np.mean(errors)))


def test_webm_default_quality_keeps_text_sharp(tmp_path: Path) -> None:
    # Measured on these frames: crf 40 41 dB, the default crf 50 36 dB, crf 55 33 dB, crf 63 29 dB.
    source = text_frames(10)
    path = tmp_path / "text.webm"
    encode([OutputSpec.for_path(path, 10)], source)
    frames, _, _ = decoded(path)
    assert psnr(source, frames) >= 34.0


def test_webm_odd_size_is_padded_and_scaled(tmp_path: Path) -> None:
    path = tmp_path / "odd.webm"
    sink = encode([OutputSpec(path, "webm", 10, width=81)], (solid(ORANGE, 161, 91) for _ in range(4)))
    _, stream, _ = decoded(path)
    assert (stream.width, stream.height) == (80, 46) == (sink.written[0].width, sink.written[0].height)


def test_webp_is_animated_and_loops_as_pillow_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "loop.webp"
    colours = [BLUE, ORANGE, GREY] * 3
    sink = encode([OutputSpec.for_path(path, 10, width=64)], [solid(colour, 161, 91) for colour in colours])
    with Image.open(path) as image:
        assert image.format == "WEBP" and image.is_animated
        assert image.n_frames == 9 == sink.written[0].frames
        assert image.info["loop"] == 0
        assert image.size == (64, 36) == (sink.written[0].width, sink.written[0].height)
        for index, colour in enumerate(colours):
            image.seek(index)
            assert_close_colour(np.asarray(image.convert("RGB"))[4:-4, 4:-4], colour)
            assert image.info["duration"] == pytest.approx(100, abs=1)  # known once the frame is loaded


def test_one_stream_feeds_every_video_kind(tmp_path: Path) -> None:
    paths = [tmp_path / f"all.{kind}" for kind in encoder.VIDEO_KINDS]
    sink = encode([OutputSpec.for_path(path, 20, width=48) for path in paths], (solid(GREY) for _ in range(20)))
    assert [w.path for w in sink.written] == paths
    assert sorted(os.listdir(tmp_path)) == sorted(path.name for path in paths)


def test_write_text_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = encoder.write_text("<p>é</p>", tmp_path / "page.html")
    assert path.read_text(encoding="utf-8") == "<p>é</p>" and os.listdir(tmp_path) == ["page.html"]

    def fail(self: Path, *args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(Path, "write_text", fail)
    with pytest.raises(OSError, match="disk full"):
        encoder.write_text("new", path)
    assert path.read_text(encoding="utf-8") == "<p>é</p>" and os.listdir(tmp_path) == ["page.html"]



def test_a_killed_render_s_leftovers_are_removed_and_nothing_else(tmp_path: Path) -> None:
    stem = "fit[1]"  # a glob's special characters, taken as they are
    left = [f".{stem}.tmp-a1.mp4", f".{stem}.tmp-b2.json", f".{stem}.trial-c3", f".{stem}.budget-d4",
            f".{stem}.manim-e5"]
    kept = [f"{stem}.mp4", f".{stem}.notes", ".fit1.tmp-f6.mp4", f".{stem}2.tmp-g7.mp4", ".other.trial-h8"]
    folders = {f".{stem}.trial-c3", f".{stem}.budget-d4", f".{stem}.manim-e5", ".other.trial-h8"}
    for name in left + kept:
        (tmp_path / name).mkdir() if name in folders else (tmp_path / name).touch()
    (tmp_path / f".{stem}.trial-c3" / f".{stem}.tmp-i9.gif").touch()
    encoder.remove_leftovers([tmp_path / f"{stem}.mp4", tmp_path / f"{stem}.gif"])
    assert sorted(os.listdir(tmp_path)) == sorted(kept)



@pytest.mark.parametrize(("line", "code"), [
    ("[out#0/mp4] Error writing trailer: No space left on device", errno.ENOSPC),
    ("[mp4] Unable to re-open out/.line.tmp-x.mp4 output file for the second pass: No such file or directory",
     errno.ENOENT),
])
def test_an_ffmpeg_the_system_refused_is_the_system_s_refusal(tmp_path: Path, line: str, code: int) -> None:
    path = tmp_path / "line.mp4"
    refused = encoder.ffmpeg_failure(path, 228, [line])
    assert isinstance(refused, OSError) and (refused.errno, refused.filename) == (code, str(path))
    other = encoder.ffmpeg_failure(path, 1, ["Unknown encoder 'libx264'"])
    assert isinstance(other, RuntimeError) and str(other) == (f"ffmpeg failed writing {path} (exit code 1):\n"
                                                              "Unknown encoder 'libx264'")


# Both at once ----------------------------------------------------------------------------------------------


def test_one_stream_feeds_mp4_and_gif(tmp_path: Path) -> None:
    mp4, gif = tmp_path / "both.mp4", tmp_path / "both.gif"
    outputs = [OutputSpec.for_path(mp4, 30), OutputSpec.for_path(gif, 30, width=32)]
    sink = encode(outputs, (solid(BLUE) for _ in range(30)))
    assert sink.frames_written == 30
    assert [(w.path, w.frames, w.duration_s) for w in sink.written] == [(mp4, 30, 1.0), (gif, 25, 1.0)]
    assert len(decoded(mp4)[0]) == 30
    with Image.open(gif) as image:
        assert (image.n_frames, image.size) == (25, (32, 24))
    assert sorted(os.listdir(tmp_path)) == ["both.gif", "both.mp4"]


@pytest.mark.skipif(not hasattr(fcntl, "F_GETPIPE_SZ"), reason="pipe sizes are Linux's")
def test_frames_go_to_ffmpeg_through_a_wide_pipe(tmp_path: Path) -> None:
    """A default 64 KiB pipe takes a 720p frame in 57 hand-overs; the encoder asks for encoder.PIPE_BYTES."""
    with FrameSink([OutputSpec.for_path(tmp_path / "wide.mp4", 30)]) as sink:
        sink.write(solid(BLUE))
        (encoding,) = sink._encoders
        assert encoding.process is not None and encoding.process.stdin is not None
        assert fcntl.fcntl(encoding.process.stdin.fileno(), fcntl.F_GETPIPE_SZ) == encoder.PIPE_BYTES


def test_finished_files_get_the_usual_permissions(tmp_path: Path) -> None:
    path = tmp_path / "run.mp4"
    encode([OutputSpec(path, "mp4", 10)], [solid(BLUE)])
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


# Failures leave nothing behind ------------------------------------------------------------------------------


def test_an_exception_mid_render_leaves_no_file(tmp_path: Path) -> None:
    outputs = [OutputSpec.for_path(tmp_path / "a.mp4", 10), OutputSpec.for_path(tmp_path / "a.gif", 10)]
    with pytest.raises(ZeroDivisionError), FrameSink(outputs) as sink:
        for index in range(10):
            sink.write(solid(BLUE))
            if index == 5:
                _ = 1 / 0
    assert os.listdir(tmp_path) == []


def test_a_failed_render_leaves_an_existing_file_untouched(tmp_path: Path) -> None:
    path = tmp_path / "kept.mp4"
    path.write_bytes(b"the previous render")
    with pytest.raises(RuntimeError, match="boom"), FrameSink([OutputSpec(path, "mp4", 10)]) as sink:
        sink.write(solid(BLUE))
        raise RuntimeError("boom")
    assert path.read_bytes() == b"the previous render"
    assert os.listdir(tmp_path) == ["kept.mp4"]


def test_sigterm_mid_render_leaves_no_file_and_restores_the_handler(tmp_path: Path) -> None:
    before = signal.getsignal(signal.SIGTERM)
    outputs = [OutputSpec.for_path(tmp_path / "a.mp4", 10), OutputSpec.for_path(tmp_path / "a.gif", 10)]
    with pytest.raises(RenderInterrupted), FrameSink(outputs) as sink:
        for index in range(20):
            sink.write(solid(GREY))
            if index == 5:
                os.kill(os.getpid(), signal.SIGTERM)
    assert os.listdir(tmp_path) == []
    assert signal.getsignal(signal.SIGTERM) is before


def test_sigterm_raises_only_inside_the_block() -> None:
    calls: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: calls.append(signum))
    try:
        with pytest.raises(RenderInterrupted) as caught, sigterm_raises():
            os.kill(os.getpid(), signal.SIGTERM)
        assert caught.value.signum == signal.SIGTERM
        assert isinstance(caught.value, KeyboardInterrupt)
        os.kill(os.getpid(), signal.SIGTERM)
        assert calls == [signal.SIGTERM]
    finally:
        signal.signal(signal.SIGTERM, previous)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_render_interrupt_crosses_from_a_worker_to_the_command_whole(signum: signal.Signals) -> None:
    """A batch's worker sends its clip's interrupt to the command pickled. Unpickled from its message, it failed;
    the pool took that for a broken worker and sent every worker a SIGTERM of its own (a worker's traceback then
    reached the terminal, once in a full test run)."""
    sent = RenderInterrupted(signum)
    received = pickle.loads(pickle.dumps(sent))
    assert (type(received), received.signum, str(received)) == (RenderInterrupted, signum, str(sent))


def test_ffmpeg_failure_reports_its_stderr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(encoder, "GIF_PALETTEUSE", "paletteuse=no_such_option=1")
    with pytest.raises(RuntimeError, match=r"ffmpeg failed writing .*bad\.gif[\s\S]*no_such_option"):
        encode([OutputSpec(tmp_path / "bad.gif", "gif", 10)], (solid(BLUE) for _ in range(5)))
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    ("frame", "frame_size", "expected"),
    [
        (np.zeros((48, 64, 4)), None, r"\(height, width, 3\) or \(height, width, 4\)"),
        (np.zeros((48, 64), np.uint8), None, r"\(height, width, 3\) or \(height, width, 4\)"),
        (np.zeros((48, 64, 2), np.uint8), None, r"\(height, width, 3\) or \(height, width, 4\)"),
        (np.zeros((48, 64, 4), np.uint8), (32, 24), r"\(24, 32, 3\) or \(24, 32, 4\)"),
    ],
)
def test_a_bad_first_frame_names_the_expected_shape(
    tmp_path: Path, frame: np.ndarray, frame_size: tuple[int, int] | None, expected: str
) -> None:
    with pytest.raises(ValueError, match=expected):
        encode([OutputSpec(tmp_path / "a.mp4", "mp4", 10)], [frame], frame_size=frame_size)
    assert os.listdir(tmp_path) == []


def test_later_frames_must_match_the_first(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"shape \(48, 64, 4\), got uint8 of shape \(48, 64, 3\)"):
        encode([OutputSpec(tmp_path / "a.mp4", "mp4", 10)], [solid(BLUE), solid(BLUE, channels=3)])
    assert os.listdir(tmp_path) == []


def test_a_sink_told_the_frame_s_shape_starts_ffmpeg_before_the_first_frame(tmp_path: Path) -> None:
    """Given the size and the channels, ffmpeg starts on entering (its start-up overlaps building the figure);
    the frames must then have that shape, and the file is the same as one started by its first frame."""
    early, late = tmp_path / "early.mp4", tmp_path / "late.mp4"
    with FrameSink([OutputSpec.for_path(early, 10)], frame_size=(64, 48), channels=4) as sink:
        (encoding,) = sink._encoders
        assert encoding.process is not None and encoding.process.poll() is None
        for color in (BLUE, ORANGE, GREY):
            sink.write(solid(color))
    encode([OutputSpec.for_path(late, 10)], [solid(color) for color in (BLUE, ORANGE, GREY)])
    assert [frame.tolist() for frame in decoded(early)[0]] == [frame.tolist() for frame in decoded(late)[0]]
    with pytest.raises(ValueError, match=r"shape \(48, 64, 4\), got uint8 of shape \(48, 64, 3\)"):
        encode([OutputSpec.for_path(tmp_path / "a.mp4", 10)], [solid(BLUE, channels=3)], frame_size=(64, 48),
               channels=4)
    with pytest.raises(ValueError, match=r"3 \(RGB\) or 4 \(RGBA\) channels, got 2"):
        FrameSink([OutputSpec.for_path(tmp_path / "b.mp4", 10)], channels=2)
    assert sorted(os.listdir(tmp_path)) == ["early.mp4", "late.mp4"]


def test_a_started_sink_given_no_frames_stops_ffmpeg_and_leaves_no_file(tmp_path: Path) -> None:
    sink = FrameSink([OutputSpec.for_path(tmp_path / "a.mp4", 10)], frame_size=(64, 48), channels=3)
    with pytest.raises(ValueError, match="no frames were written"), sink:
        (encoding,) = sink._encoders
    assert encoding.process is not None and encoding.process.returncode is not None
    assert os.listdir(tmp_path) == []


def test_no_frames_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no frames were written"):
        encode([OutputSpec(tmp_path / "a.mp4", "mp4", 10)], [])
    assert os.listdir(tmp_path) == []


def test_a_folder_in_the_way_of_the_file(tmp_path: Path) -> None:
    (tmp_path / "taken.mp4").mkdir()
    with pytest.raises(GdvizInputError, match="a folder is in the way"):
        encode([OutputSpec(tmp_path / "taken.mp4", "mp4", 10)], [solid(BLUE)])
    assert os.listdir(tmp_path) == ["taken.mp4"]


# Output folders ----------------------------------------------------------------------------------------------


def test_prepare_output_dir_creates_nested_folders(tmp_path: Path) -> None:
    folder = tmp_path / "a" / "b"
    assert prepare_output_dir(folder) == folder
    assert folder.is_dir() and os.listdir(folder) == []


def test_prepare_output_dir_refuses_a_file(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    for folder in (tmp_path / "notes.txt", tmp_path / "notes.txt" / "renders"):
        with pytest.raises(GdvizInputError) as caught:
            prepare_output_dir(folder)
        message = str(caught.value)
        assert "\n" not in message and str(folder) in message
        assert f"{tmp_path / 'notes.txt'} is a file, not a folder" in message


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write anywhere")
def test_prepare_output_dir_refuses_a_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o500)
    try:
        with pytest.raises(GdvizInputError, match=f"output folder {folder}: cannot write into it"):
            prepare_output_dir(folder)
        with pytest.raises(GdvizInputError, match="cannot create it"):
            prepare_output_dir(folder / "inner")
    finally:
        folder.chmod(0o700)


def test_prepare_output_dir_reports_an_unwritable_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(encoder.tempfile, "mkstemp", refuse)
    message = f"output folder {tmp_path}: cannot write into it (permission denied)"
    with pytest.raises(GdvizInputError, match=f"^{re.escape(message)}$"):
        prepare_output_dir(tmp_path)


# Stills ----------------------------------------------------------------------------------------------------


def small_figure() -> Figure:
    fig = Figure(figsize=(1.6, 0.9), dpi=100)
    FigureCanvasAgg(fig)
    fig.add_subplot().plot([0, 1], [1, 0], color="tab:blue")
    return fig


def test_write_png_round_trips_pixels(tmp_path: Path) -> None:
    image = np.random.default_rng(0).integers(0, 256, (9, 13, 3), dtype=np.uint8)
    path = write_png(image, tmp_path / "still.png")
    with Image.open(path) as png:
        assert np.array_equal(np.asarray(png.convert("RGB")), image)
    assert os.listdir(tmp_path) == ["still.png"]


def test_write_png_of_a_figure_matches_its_canvas(tmp_path: Path) -> None:
    fig = small_figure()
    fig.canvas.draw()
    canvas = np.asarray(fig.canvas.buffer_rgba())
    path = write_png(fig, tmp_path / "figure.png")
    with Image.open(path) as png:
        pixels = np.asarray(png.convert("RGBA"))
    assert pixels.shape == canvas.shape == (90, 160, 4)
    assert np.abs(pixels.astype(int) - canvas).mean() < 1


@pytest.mark.parametrize(("name", "signature"), [("f.svg", b"<svg"), ("f.pdf", b"%PDF"), ("f.png", b"\x89PNG")])
def test_save_figure_formats(tmp_path: Path, name: str, signature: bytes) -> None:
    path = save_figure(small_figure(), tmp_path / name)
    assert signature in path.read_bytes()[:400]
    assert os.listdir(tmp_path) == [name]


def test_save_figure_refuses_other_formats(tmp_path: Path) -> None:
    with pytest.raises(GdvizInputError, match="png, svg, pdf, not 'jpg'"):
        save_figure(small_figure(), tmp_path / "f.jpg")


def test_a_failed_save_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "f.png"
    path.write_bytes(b"old")
    fig = small_figure()

    def fail(*args: object, **kwargs: object) -> None:
        Path(args[0]).write_bytes(b"half")  # type: ignore[arg-type]
        raise OSError("disk full")

    monkeypatch.setattr(fig, "savefig", fail)
    with pytest.raises(OSError, match="disk full"):
        save_figure(fig, path)
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["f.png"]
