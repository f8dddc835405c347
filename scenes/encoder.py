"""The one place gdviz writes files: frames piped into the bundled ffmpeg (MP4, GIF, WebM, animated WebP), still
figures (PNG, SVG, PDF) and text (HTML pages).

Every file is written to a temporary file in its target folder and renamed only once complete, so an
interrupted or failed render leaves neither a half-written file nor litter behind.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import glob
import math
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import FrameType, TracebackType
from typing import IO, TYPE_CHECKING, Any, Literal

import imageio_ffmpeg
import numpy as np

from gdcore.errors import GdvizInputError, refusal_reason

if TYPE_CHECKING:  # (matplotlib is imported by what draws figures, not by what plans files: a batch's checks)
    from matplotlib.figure import Figure

GIF_DEFAULT_WIDTH = 720  # a blog column; the frames should be drawn at this width, not shrunk to it
GIF_DEFAULT_MAX_FPS = 25.0
# GIF delays are whole centiseconds and browsers slow delays under 2 cs down to 10 cs: 50 fps is the ceiling.
GIF_MAX_FPS = 50.0
# x264's speed preset for every H.264 file gdviz writes (Manim's too: scenes.manim.render). Measured on 300 gdviz
# frames: 40% less time than x264's default, medium, and 8% smaller files; on Manim's update-rule at 1080p60, 17%
# less time and 14% smaller files (crf 23, Manim's).
X264_PRESET = "veryfast"
# On 300 720p frames of the line scene: subme=1 takes 18% less x264 time for 5% more bytes at the same PSNR
# (49.1 dB); plot frames have no scene cuts worth detecting.
X264_PARAMS = "subme=1:scenecut=0"
X264_PRESETS = (
    "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo",
)  # fmt: skip
# The pipe into each ffmpeg, in bytes (Linux's default is 64 KiB, the most an unprivileged process may ask 1 MiB): a
# 1280×720 RGBA frame is 3.7 MB, which a default pipe takes in 57 hand-overs between gdviz and ffmpeg, each a wake-up
# of both. Measured with benchmarks/render.py's 300 line frames: encoding them alone 1.73 s → 1.56 s (medians of 8).
PIPE_BYTES = 1 << 20

FIGURE_FORMATS = ("png", "svg", "pdf")
VIDEO_KINDS = ("mp4", "gif", "webm", "webp")
VideoKind = Literal["mp4", "gif", "webm", "webp"]
# WebM: VP9 in constant-quality mode (-b:v 0), crf 0 (best) to 63. Measured on the dashboard and regimes scenes at
# 720x405, 150 frames (benchmarks/web.py; encode times on a shared 2-core machine are noisy): a key frame every 10 s
# instead of libvpx's default (a clip is one key frame) saves 25%; screen-content tuning saves 5-13% and suits sharp
# text and lines; libvpx's realtime mode encodes 3-10x faster than its 'good' mode (1-2 s against 5-15 s) and, at speed
# 5, is as small ('good' with alt-ref frames and 25 frames of look-ahead: within 1%). Realtime speed 7 and crf 48 gave
# 0.24x and 0.43x the GIF's bytes; speed 5 (5-10% smaller, a few tenths of a second slower) with crf 50 gives 0.20x
# and 0.37x, the text as legible as the GIF's and the thin red path only slightly softer (chroma is subsampled). crf 52
# would give 0.19x and 0.36x; -aq-mode 0 changes nothing.
VP9_DEFAULT_CRF = 50
VP9_DEADLINE, VP9_CPU_USED = "realtime", 5
VP9_KEYFRAME_SECONDS = 10.0
# Animated WebP: the GIF's palette and dithering first, then lossless WebP (same pixels as the GIF). Measured on the
# dashboard and regimes scenes at 720x405 (benchmarks/web.py): 0.75x and 0.69x the GIF's bytes in up to twice the GIF's
# time; the 0.40x target is not met. libwebp's animation encoder already codes only each frame's changed rectangle,
# unchanged pixels inside it transparent (an all-transparent rectangle costs ~20 bytes), and merges repeated frames;
# what is left is the changed pixels themselves (~2000 a frame: readouts, path, markers) at ~8 bits each, little better
# than the GIF's LZW. Measured through Pillow's WebPAnimEncoder, which exposes what ffmpeg does not: the same bytes
# (±1%) with or without minimize_size and key frames (kmin/kmax), and at the highest effort (method 6, quality 100: 1%
# smaller, 100x slower); lossy or mixed frames (quality 40-80, minimize_size) are 0.95-2.0x the GIF, the changed
# rectangle being coded afresh as an intra VP8 frame (ffmpeg's lossy with -preset text or drawing, quality 30-50:
# 1.1-1.7x); lossless without a palette is 2.6x. Only fewer colours get near the target (undithered, lossless: 64
# colours 0.59x both, 32 colours 0.44x and 0.52x, 16 colours 0.37x and 0.46x), at the price of banded colormaps and,
# from 32 colours down, regime colours visibly off the theme's. Lossless 'quality' is the effort: 25 with compression
# level 1 is within 1% of the best, 7x faster.
WEBP_LOSSLESS_EFFORT = ("-quality", "25", "-compression_level", "1")

# GIF settings, measured in benchmarks/encoder.py on typical gdviz frames (flat colours, antialiased lines
# and text, sometimes a colormap): one palette for the whole GIF from the histogram of every frame
# (stats_mode=full: the static axes and text keep their exact shades; smaller and truer than stats_mode=diff
# on plots); 128 colours (64 saves ~10% more but bands colormap gradients); ordered (bayer) dithering at its
# finest scale, which leaves colours found in the palette untouched and, unlike error diffusion, does not
# shimmer between frames; diff_mode=rectangle re-maps only the changed rectangle, so unchanged pixels keep
# their index and the GIF encoder crops each frame to what changed and stores the rest as transparent.
# The price of one palette in one pass: ffmpeg holds every GIF frame until the last has arrived (about
# 1 MB a frame at 640x360: ~330 MB for 300 frames), so keep GIFs short and small.
GIF_DEFAULT_COLORS = 128
GIF_PALETTEGEN = "palettegen=stats_mode=full:reserve_transparent=0:max_colors={colors}"
GIF_PALETTEUSE = "paletteuse=dither=bayer:bayer_scale=5:diff_mode=rectangle"
_STDERR_TAIL_LINES = 12


class RenderInterrupted(KeyboardInterrupt):
    """SIGTERM arrived during a render; like Ctrl-C, it is not an `Exception`, so only cleanup code sees it."""

    def __init__(self, signum: int = signal.SIGTERM) -> None:
        super().__init__(f"render interrupted by {signal.Signals(signum).name}")
        self.signum = signum

    def __reduce__(self) -> tuple[type[RenderInterrupted], tuple[int]]:
        """Made again from its signal, not its message: a batch's worker sends it to the command (pickled). Made from
        its message, it failed to unpickle there, the pool took that for a broken worker and sent every worker a
        SIGTERM of its own, and a worker ending its clip printed a traceback."""
        return RenderInterrupted, (self.signum,)


@contextlib.contextmanager
def sigterm_raises() -> Iterator[None]:
    """Within the block, SIGTERM raises `RenderInterrupted`; the previous handler is restored afterwards.

    Signal handlers belong to the main thread: elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def raise_interrupted(signum: int, frame: FrameType | None) -> None:
        raise RenderInterrupted(signum)

    previous = signal.signal(signal.SIGTERM, raise_interrupted)
    try:
        yield
    finally:
        # `None` means a handler installed outside Python: it cannot be reinstated, the default can.
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


def prepare_output_dir(path: Path) -> Path:
    """Create the folder `path` if needed and check that files can be written into it.

    Raises GdvizInputError (one line naming the path) if a file is in the way or the folder cannot be
    created or written.
    """
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        blocker = next((p for p in (path, *path.parents) if _is_file(p)), None)
        if blocker is not None:
            raise GdvizInputError(f"output folder {path}: {blocker} is a file, not a folder") from exc
        raise GdvizInputError(f"output folder {path}: cannot create it ({refusal_reason(exc)})") from exc
    try:
        fd, probe = tempfile.mkstemp(dir=path, prefix=".gdviz-write-test-")
    except OSError as exc:
        raise GdvizInputError(f"output folder {path}: cannot write into it ({refusal_reason(exc)})") from exc
    os.close(fd)
    os.unlink(probe)
    return path


@dataclass(frozen=True)
class OutputSpec:
    """One file to encode from the frame stream.

    `fps` is the output's frame rate; when it is below the stream's, frames are dropped evenly.
    `width` scales the output (lanczos, aspect kept, even height), never up; None keeps the frame width.
    `crf`, `preset` and `x264_params` are libx264's quality and speed settings (MP4 only); `colors` is the size of the
    GIF's or WebP's palette (256 for smooth colormaps, 64 for smaller files of flat-colour plots); `vp9_crf` is the
    WebM's constant quality (0 best to 63). GIF and WebP loop
    forever; a WebM loops where the page says so (`<video loop>`).
    """

    path: Path
    kind: VideoKind
    fps: float
    width: int | None = None
    crf: int = 20
    preset: str = X264_PRESET
    x264_params: str = X264_PARAMS
    colors: int = GIF_DEFAULT_COLORS
    vp9_crf: int = VP9_DEFAULT_CRF

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", Path(self.path))
        if self.kind not in VIDEO_KINDS:
            raise GdvizInputError(
                f"output {self.path}: kind must be one of {', '.join(VIDEO_KINDS)}, got {self.kind!r}"
            )
        if not (math.isfinite(self.fps) and self.fps > 0):
            raise GdvizInputError(f"output {self.path}: fps must be a positive number, got {self.fps}")
        if self.kind == "gif" and self.fps > GIF_MAX_FPS:
            raise GdvizInputError(f"output {self.path}: a GIF plays at most {GIF_MAX_FPS:g} fps, got {self.fps:g}")
        if self.width is not None and self.width < 2:
            raise GdvizInputError(f"output {self.path}: width must be at least 2 pixels, got {self.width}")
        if not 0 <= self.crf <= 51:
            raise GdvizInputError(f"output {self.path}: crf must be between 0 and 51, got {self.crf}")
        if not 0 <= self.vp9_crf <= 63:
            raise GdvizInputError(f"output {self.path}: vp9_crf must be between 0 and 63, got {self.vp9_crf}")
        if not 2 <= self.colors <= 256:
            raise GdvizInputError(f"output {self.path}: colors must be between 2 and 256, got {self.colors}")
        if self.preset not in X264_PRESETS:
            raise GdvizInputError(
                f"output {self.path}: preset must be one of {', '.join(X264_PRESETS)}, got {self.preset!r}"
            )

    @classmethod
    def for_path(cls, path: Path, fps: float, *, width: int | None = None) -> OutputSpec:
        """The output its suffix asks for (.mp4, .gif, .webm or .webp); a GIF defaults to at most 25 fps and 720 px
        wide, the others keep the stream's fps and the frames' width."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".gif":
            return cls(path, "gif", min(fps, GIF_DEFAULT_MAX_FPS), GIF_DEFAULT_WIDTH if width is None else width)
        if suffix.removeprefix(".") in VIDEO_KINDS:
            return cls(path, suffix.removeprefix("."), fps, width)  # type: ignore[arg-type]
        raise GdvizInputError(f"output {path}: the file name must end in {', '.join('.' + k for k in VIDEO_KINDS)}")


@dataclass(frozen=True)
class WrittenFile:
    """A finished output file, as the CLI reports it."""

    path: Path
    size_bytes: int
    frames: int
    duration_s: float
    width: int
    height: int
    note: str = ""  # what was chosen for it, e.g. to fit a size budget


class FrameSink:
    """Feeds one stream of frames to one ffmpeg process per output, so each frame is rendered once.

    matplotlib's writer protocol as a context manager: entering is `setup`, `write` is `grab_frame`, a clean
    exit is `finish` (ffmpeg must exit 0, then the temporary files are renamed into place).  On an exception,
    Ctrl-C or SIGTERM (raised as `RenderInterrupted` while the sink is open) ffmpeg is killed, the temporary
    files are deleted and any existing file at the destination is left untouched.

    Frames are uint8 arrays of shape (height, width, 3) RGB or (height, width, 4) RGBA (alpha is ignored),
    e.g. `np.asarray(fig.canvas.buffer_rgba())`; the first frame fixes the size unless `frame_size`
    (width, height) is given, and the channels unless `channels` is.  Given both, ffmpeg starts on entering, so
    that its start-up overlaps whatever prepares the first frame (building a figure takes longer than it).
    `fps` is the stream's rate, by default the highest output fps.
    """

    def __init__(
        self,
        outputs: Sequence[OutputSpec],
        *,
        fps: float | None = None,
        frame_size: tuple[int, int] | None = None,
        channels: int | None = None,
    ) -> None:
        if not outputs:
            raise ValueError("FrameSink needs at least one output")
        paths = [spec.path.resolve() for spec in outputs]
        if len(set(paths)) != len(paths):
            raise GdvizInputError(f"outputs {', '.join(map(str, paths))}: the same file is named twice")
        self.fps = max(spec.fps for spec in outputs) if fps is None else fps
        if not (math.isfinite(self.fps) and self.fps > 0):
            raise ValueError(f"the stream fps must be a positive number, got {self.fps}")
        for spec in outputs:
            if spec.fps > self.fps:
                raise ValueError(f"output {spec.path}: {spec.fps:g} fps is above the stream's {self.fps:g} fps")
        self.outputs = tuple(outputs)
        if channels not in (None, 3, 4):
            raise ValueError(f"a frame has 3 (RGB) or 4 (RGBA) channels, got {channels}")
        self.frame_size = frame_size
        self.frames_written = 0
        self.written: tuple[WrittenFile, ...] = ()
        self._channels = channels or 0
        self._encoders: list[_Encoder] = []
        self._signals = contextlib.ExitStack()

    def __enter__(self) -> FrameSink:
        try:
            self._signals.enter_context(sigterm_raises())
            for spec in self.outputs:
                self._encoders.append(_Encoder(spec, self.fps, _temp_file_for(spec.path)))
            if self.frame_size is not None and self._channels:
                self._start_encoders(*self.frame_size)
        except BaseException:
            self._abort()
            raise
        return self

    def write(self, frame: np.ndarray) -> None:
        """Send one frame, of shape (height, width, 3 or 4) and dtype uint8, to every output that wants it."""
        frame = np.asarray(frame)
        self._check(frame)
        if self.frames_written == 0 and not self._started:
            height, width, self._channels = frame.shape
            self._start_encoders(width, height)
        data = np.ascontiguousarray(frame).data.cast("B")
        for encoder in self._encoders:
            encoder.send(self.frames_written, data)
        self.frames_written += 1

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if exc_type is not None:
                self._abort()
                return
            try:
                self.written = self._finish()
            except BaseException:
                self._abort()
                raise
        finally:
            self._signals.close()

    @property
    def _started(self) -> bool:
        return any(encoder.process is not None for encoder in self._encoders)

    def _start_encoders(self, width: int, height: int) -> None:
        self.frame_size = (width, height)
        for encoder in self._encoders:
            encoder.start(width, height, self._channels)

    def _check(self, frame: np.ndarray) -> None:
        """The first frame fixes the channels (3 or 4) and, unless `frame_size` did, the size; others follow."""
        channels = (self._channels,) if self._channels else (3, 4)
        size = self.frame_size
        if (
            frame.dtype != np.uint8
            or frame.ndim != 3
            or frame.shape[2] not in channels
            or (size is not None and frame.shape[:2] != (size[1], size[0]))
        ):
            width, height = size or ("width", "height")
            expected = " or ".join(f"({height}, {width}, {c})" for c in channels)
            got = f"{frame.dtype} of shape {frame.shape}"
            raise ValueError(f"a frame must be a uint8 array of shape {expected}, got {got}")

    def _finish(self) -> tuple[WrittenFile, ...]:
        if self.frames_written == 0:
            raise ValueError(f"no frames were written to {', '.join(str(s.path) for s in self.outputs)}")
        for encoder in self._encoders:
            encoder.close_input()
        for encoder in self._encoders:
            encoder.wait()
        return tuple(encoder.publish() for encoder in self._encoders)

    def _abort(self) -> None:
        for encoder in self._encoders:
            encoder.abort()


def write_png(image: np.ndarray | Figure, path: Path, **savefig_kwargs: Any) -> Path:
    """Write an RGB(A) uint8 image of shape (height, width, 3 or 4), or a figure, to a PNG file, atomically."""
    if hasattr(image, "savefig"):  # a Figure
        return save_figure(image, path, "png", **savefig_kwargs)
    image = np.asarray(image)
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] not in (3, 4):
        raise ValueError(
            f"an image must be a uint8 array of shape (height, width, 3) or (height, width, 4), "
            f"got {image.dtype} of shape {image.shape}"
        )
    import imageio.v3 as iio  # (here, not at the top: a batch's checks plan files without it)

    with _atomic(Path(path)) as temp:
        iio.imwrite(temp, image, extension=".png")
    return Path(path)


def write_text(text: str, path: Path) -> Path:
    """Write a UTF-8 text file (a render's JSON record, an HTML page), atomically."""
    with _atomic(Path(path)) as temp:
        temp.write_text(text, encoding="utf-8")
    return Path(path)


def save_figure(fig: Figure, path: Path, format: str | None = None, **savefig_kwargs: Any) -> Path:
    """`fig.savefig` to png, svg or pdf (by default from the suffix), atomically."""
    path = Path(path)
    fmt = (format or path.suffix.removeprefix(".")).lower()
    if fmt not in FIGURE_FORMATS:
        raise GdvizInputError(f"output {path}: a figure is saved as {', '.join(FIGURE_FORMATS)}, not {fmt!r}")
    with _atomic(path) as temp:
        fig.savefig(temp, format=fmt, **savefig_kwargs)
    return path


class _Encoder:
    """One ffmpeg process writing one output into its temporary file."""

    def __init__(self, spec: OutputSpec, stream_fps: float, temp: Path) -> None:
        self.spec = spec
        self.temp = temp
        self.ratio = Fraction(spec.fps) / Fraction(stream_fps)  # output frames per stream frame, <= 1
        self.frames = 0
        self.size = (0, 0)
        self.process: subprocess.Popen[bytes] | None = None
        self.stderr: IO[bytes] | None = None

    def start(self, width: int, height: int, channels: int) -> None:
        self.size, command = _ffmpeg_command(self.spec, width, height, channels, self.temp)
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as ffmpeg; closed in _close_stderr)
        # A session of its own: Ctrl-C in the terminal reaches Python only, which then kills ffmpeg.
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self.stderr, start_new_session=True
        )
        _widen_pipe(self.process.stdin)

    def send(self, index: int, data: memoryview) -> None:
        """Pipe stream frame `index` unless dropping it keeps this output's frames evenly spaced."""
        if index > 0 and math.floor(index * self.ratio) == math.floor((index - 1) * self.ratio):
            return
        assert self.process is not None and self.process.stdin is not None
        fd = self.process.stdin.fileno()
        try:
            while data:
                data = data[os.write(fd, data) :]
        except BrokenPipeError:
            self.process.wait()
            raise self._failure() from None
        self.frames += 1

    def close_input(self) -> None:
        if self.process is not None and self.process.stdin is not None:
            with contextlib.suppress(BrokenPipeError):
                self.process.stdin.close()

    def wait(self) -> None:
        assert self.process is not None
        if self.process.wait() != 0:
            raise self._failure()

    def publish(self) -> WrittenFile:
        _publish(self.temp, self.spec.path)
        self._close_stderr()
        return WrittenFile(
            path=self.spec.path,
            size_bytes=self.spec.path.stat().st_size,
            frames=self.frames,
            duration_s=self.frames / self.spec.fps,
            width=self.size[0],
            height=self.size[1],
        )

    def abort(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            with contextlib.suppress(OSError):
                if self.process.stdin is not None:
                    self.process.stdin.close()
            self.process.wait()
        self._close_stderr()
        self.temp.unlink(missing_ok=True)

    def _failure(self) -> Exception:
        assert self.process is not None and self.stderr is not None
        self.stderr.seek(0)
        lines = self.stderr.read().decode(errors="replace").strip().splitlines()[-_STDERR_TAIL_LINES:]
        return ffmpeg_failure(self.spec.path, self.process.returncode, lines)

    def _close_stderr(self) -> None:
        if self.stderr is not None:
            self.stderr.close()


# What the system can refuse an encoder's writes, as ffmpeg reports it: the reason os.strerror gives (ENOENT: the
# output folder removed midway; ffmpeg reads only its pipe). Not EIO: ffmpeg says "Input/output error" of much else.
REFUSALS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.ENOENT)


def ffmpeg_failure(path: Path, exit_code: int | None, lines: Sequence[str]) -> Exception:
    """The error for an ffmpeg that failed writing `path`, its last lines of stderr given: the system's refusal as
    an OSError when ffmpeg names one (a full disk: one line, as any other write's), else its lines themselves."""
    text = "\n".join(lines)
    for code in REFUSALS:
        if os.strerror(code) in text:
            return OSError(code, os.strerror(code), str(path))
    return RuntimeError(f"ffmpeg failed writing {path} (exit code {exit_code}):\n{text}")


def _widen_pipe(pipe: IO[bytes] | None) -> None:
    """Ask for a PIPE_BYTES pipe where the system offers it (Linux); keep the default where it refuses."""
    if pipe is not None and hasattr(fcntl, "F_SETPIPE_SZ"):
        with contextlib.suppress(OSError):
            fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _ffmpeg_command(
    spec: OutputSpec, width: int, height: int, channels: int, temp: Path
) -> tuple[tuple[int, int], list[str]]:
    """The output's size and the ffmpeg command reading raw frames of this size from stdin into `temp`."""
    out_width, out_height = _scaled_size(width, height, spec.width)
    filters = [f"scale={out_width}:{out_height}:flags=lanczos"] if (out_width, out_height) != (width, height) else []
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostats", "-y",
        "-f", "rawvideo", "-pix_fmt", "rgba" if channels == 4 else "rgb24", "-s", f"{width}x{height}",
        "-framerate", _rational(spec.fps), "-i", "pipe:0", "-an",
    ]  # fmt: skip
    if spec.kind in ("gif", "webp"):
        # One process: the stream is split, one copy builds the palette, the other waits for it.
        palette = f"split[a][b];[a]{GIF_PALETTEGEN.format(colors=spec.colors)}[p];[b][p]{GIF_PALETTEUSE}"
        if spec.kind == "gif":
            command += ["-filter_complex", ",".join([*filters, palette]), "-loop", "0", "-f", "gif", str(temp)]
        else:
            command += [
                "-filter_complex", ",".join([*filters, palette, "format=bgra"]), "-c:v", "libwebp_anim",
                "-lossless", "1", *WEBP_LOSSLESS_EFFORT, "-loop", "0", "-f", "webp", str(temp),
            ]  # fmt: skip
        return (out_width, out_height), command
    # H.264 and VP9 in yuv420p: even sides, padded with a copy of the edge pixels (in RGB, before chroma
    # subsampling), then converted with the BT.709 matrix the file is tagged with.
    even_width, even_height = out_width + out_width % 2, out_height + out_height % 2
    if (even_width, even_height) != (out_width, out_height):
        filters += [
            f"format=gbrp,pad={even_width}:{even_height}:0:0",
            f"fillborders=right={even_width - out_width}:bottom={even_height - out_height}:mode=smear",
        ]
    filters += ["scale=out_color_matrix=bt709:out_range=tv", "format=yuv420p"]
    command += ["-vf", ",".join(filters), *_codec_options(spec),
        "-pix_fmt", "yuv420p", "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
        "-color_range", "tv",
    ]  # fmt: skip
    command += ["-f", "webm", str(temp)] if spec.kind == "webm" else ["-movflags", "+faststart", "-f", "mp4", str(temp)]
    return (even_width, even_height), command


def _codec_options(spec: OutputSpec) -> list[str]:
    """ffmpeg's codec options for an MP4 (libx264) or a WebM (libvpx-vp9, constant quality)."""
    if spec.kind == "webm":
        return [
            "-c:v", "libvpx-vp9", "-crf", str(spec.vp9_crf), "-b:v", "0", "-deadline", VP9_DEADLINE,
            "-cpu-used", str(VP9_CPU_USED), "-row-mt", "1", "-tune-content", "screen",
            "-g", str(max(1, round(VP9_KEYFRAME_SECONDS * spec.fps))),
        ]  # fmt: skip
    return ["-c:v", "libx264", "-preset", spec.preset, "-crf", str(spec.crf), "-x264-params", spec.x264_params]


def _scaled_size(width: int, height: int, target_width: int | None) -> tuple[int, int]:
    """(width, height) scaled to `target_width` with the aspect kept and an even height; never enlarged."""
    if target_width is None or target_width >= width:
        return width, height
    scaled_width = target_width - target_width % 2
    return scaled_width, max(2, 2 * math.floor(height * scaled_width / width / 2 + 0.5))  # ties go up


def _rational(fps: float) -> str:
    rate = Fraction(fps).limit_denominator(1001)
    return f"{rate.numerator}/{rate.denominator}"


# What a render of STEM keeps beside its files while it works, each named `.STEM.TAG-<random>` (working_prefix):
# temporary files renamed into place when whole, trial folders for size budgets, Manim's working folder.
WORKING_TAGS = ("tmp", "trial", "budget", "manim")


def working_prefix(stem: str, tag: str) -> str:
    """The start of the hidden name of a file or folder a render of `stem` works in (tag: one of WORKING_TAGS)."""
    return f".{stem}.{tag}-"


def remove_leftovers(paths: Iterable[Path]) -> None:
    """Remove what a render of `paths` that was killed midway (SIGKILL, out of memory: none of its own cleaning-up
    ran) left beside them: its hidden working files and folders. A render that ends otherwise removes its own."""
    for folder, stem in {(Path(path).parent, Path(path).stem) for path in paths}:
        for tag in WORKING_TAGS:
            for leftover in folder.glob(glob.escape(working_prefix(stem, tag)) + "*"):
                if leftover.is_dir() and not leftover.is_symlink():
                    shutil.rmtree(leftover, ignore_errors=True)
                else:
                    leftover.unlink(missing_ok=True)


def _temp_file_for(path: Path) -> Path:
    """An empty, hidden temporary file next to `path` (same folder, so the final rename is atomic)."""
    prepare_output_dir(path.parent)
    if path.is_dir():
        raise GdvizInputError(f"output {path}: a folder is in the way of the file")
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=working_prefix(path.stem, "tmp"), suffix=path.suffix)
    os.close(fd)
    return Path(name)


def _publish(temp: Path, path: Path) -> None:
    """Give the finished temporary file the usual permissions (mkstemp makes it private), rename it into place."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temp, 0o666 & ~umask)
    os.replace(temp, path)


@contextlib.contextmanager
def _atomic(path: Path) -> Iterator[Path]:
    """A temporary path to write; renamed to `path` if the block succeeds, deleted if it fails."""
    temp = _temp_file_for(path)
    try:
        yield temp
        _publish(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _is_file(path: Path) -> bool:
    """True when `path` exists and is not a folder; False when it cannot even be looked at (a name too long)."""
    try:
        return path.exists() and not path.is_dir()
    except OSError:
        return False
