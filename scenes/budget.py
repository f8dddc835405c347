"""A size budget for the web's animations: fit a GIF, WebP or WebM under a number of bytes by lowering, in order,
the frame rate, then the colours (GIF, WebP) or the quality (WebM), then the size, never below a legible size.

The frames come from a callback that draws them at a given size and frame rate, so a smaller file is laid out for its
own pixels, never shrunk from a bigger one. Every attempt is encoded into a hidden folder beside the target; only the
one that fits is moved into place, so a budget that cannot be met leaves no file (and any old file untouched).
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from gdcore.errors import GdvizInputError
from scenes.encoder import (
    GIF_DEFAULT_COLORS,
    VP9_DEFAULT_CRF,
    FrameSink,
    OutputSpec,
    prepare_output_dir,
    working_prefix,
)

FrameSource = Callable[[int, int, float], Iterable[np.ndarray]]
"""(width, height, fps) → frames of shape (height, width, 3 or 4), uint8: the clip drawn at that size and rate."""

BUDGET_KINDS = ("gif", "webp", "webm")
DEFAULT_GIF_BUDGET = 2_000_000  # bytes: a GIF fits a blog post and a slide deck unless --max-size says otherwise
BYTE_UNITS = {"B": 1, "KB": 1000, "MB": 1000**2}  # decimal, as file managers and web hosts count
MIN_SHORT_SIDE = 360  # the legibility floor: text stays at least 10 px tall down to this short side
MIN_FPS = 10.0  # below this, motion turns into a slide show
FPS_STEPS = (50.0, 30.0, 25.0, 20.0, 15.0, 12.0, 10.0)  # the rates tried below the requested one, down to MIN_FPS
GIF_COLOR_STEPS = (GIF_DEFAULT_COLORS, 64, 32)
VP9_CRF_STEPS = (VP9_DEFAULT_CRF, 55, 60)  # 0 best .. 63
SIZE_HEADROOM = 0.95  # aim a little under the budget when predicting the size that fits (bytes ∝ pixels)
MAX_SIZE_RATIO = 0.9  # each size step is at least 10% narrower
FRAME_CACHE_BYTES = 512 * 1024**2  # a clip up to this size stays in memory for the colour or quality steps


@dataclass(frozen=True)
class Attempt:
    """One way to encode the clip: frame size, frame rate and a rung of the kind's quality ladder."""

    width: int
    height: int
    fps: float
    quality_step: int = 0


@dataclass(frozen=True)
class BudgetChoice:
    """What `fit_to_budget` wrote: the settings it chose, the file's size and how many encodes it took.

    `colors` is the GIF's or WebP's palette size, `quality` the WebM's crf (each None for the other kinds).
    """

    path: Path
    kind: str
    width: int
    height: int
    fps: float
    colors: int | None
    quality: int | None
    size_bytes: int
    attempts: int


def parse_byte_size(text: str) -> int:
    """'1MB' → 1000000, '500 KB' → 500000, '2.5MB', '800B' or a bare number of bytes (units: B, KB, MB, decimal)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([A-Za-z]*)\s*", str(text))
    unit = match.group(2).upper() if match else ""
    if match is None or unit not in (*BYTE_UNITS, ""):
        raise GdvizInputError(f"size {text!r}: give a number and a unit, B, KB or MB (like 800KB or 1.5MB)")
    size = math.floor(float(match.group(1)) * BYTE_UNITS[unit or "B"])
    if size < 1:
        raise GdvizInputError(f"size {text!r}: must be at least 1 byte")
    return size


def format_bytes(size: int) -> str:
    """800 B, 12.3 KB, 1.05 MB: the units parse_byte_size reads."""
    if size < 1000:
        return f"{size} B"
    return f"{size / 1000:.1f} KB" if size < 1000**2 else f"{size / 1000**2:.2f} MB"


def fit_to_budget(
    path: Path,
    frames: FrameSource,
    max_bytes: int,
    *,
    width: int,
    height: int,
    fps: float,
    min_short_side: int = MIN_SHORT_SIDE,
    min_fps: float = MIN_FPS,
    drafted: Path | None = None,
) -> BudgetChoice:
    """Write the clip to `path` (.gif, .webp or .webm) in at most `max_bytes`, as large and smooth as fits.

    Tries the requested size and rate first; then lower frame rates (down to `min_fps`), then fewer colours (GIF, WebP)
    or a lower quality (WebM), then smaller sizes (aspect kept, down to a short side of `min_short_side`, or the
    requested one if smaller). Raises GdvizInputError, one line giving the smallest file reached, if nothing fits;
    no file is left then. `drafted`: the clip already encoded at the requested size and rate (a render's draft), taken
    as the first attempt instead of drawing and encoding it again.
    """
    path = Path(path)
    kind = path.suffix.lower().removeprefix(".")
    if kind not in BUDGET_KINDS:
        raise GdvizInputError(f"a size budget applies to {', '.join(BUDGET_KINDS)} files, not {path.name}")
    if max_bytes < 1:
        raise GdvizInputError(f"a size budget must be at least 1 byte, got {max_bytes}")
    floor = min(min_short_side, width, height)
    prepare_output_dir(path.parent)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=working_prefix(path.stem, "budget")) as folder:
        trial = _Trials(path, Path(folder), frames)
        attempt = Attempt(width, height, fps)
        size = trial.encode(attempt) if drafted is None else trial.adopt(attempt, drafted)
        for step in _steps(attempt, max_bytes, min_fps, floor, trial):
            if size <= max_bytes:
                break
            attempt = step
            size = trial.encode(attempt)
        if size > max_bytes:
            raise GdvizInputError(
                f"{path.name}: cannot fit in {format_bytes(max_bytes)}; the smallest legible file reached is "
                f"{format_bytes(size)} ({_describe(kind, attempt)})"
            )
        os.replace(trial.file(attempt), path)
    return BudgetChoice(path, kind, attempt.width, attempt.height, attempt.fps, _colors(kind, attempt),
                        _quality(kind, attempt), size, trial.count)


class _Trials:
    """Encodes attempts into a scratch folder, remembering each one's size.

    The last clip drawn is kept in memory (up to FRAME_CACHE_BYTES), so an attempt that changes only the colours or
    the quality re-encodes those frames instead of drawing them again.
    """

    def __init__(self, path: Path, folder: Path, frames: FrameSource) -> None:
        self.path, self.folder, self.frames = path, folder, frames
        self.kind = path.suffix.lower().removeprefix(".")
        self.sizes: dict[Attempt, int] = {}
        self.files: dict[Attempt, Path] = {}
        self.drawn: tuple[tuple[int, int, float], list[np.ndarray]] | None = None
        self.draws = 0

    @property
    def count(self) -> int:
        return len(self.files)

    def file(self, attempt: Attempt) -> Path:
        return self.files[attempt]

    def adopt(self, attempt: Attempt, file: Path) -> int:
        """Take an attempt encoded elsewhere (moved into the scratch folder); its size."""
        self.files[attempt] = self.folder / f"{self.count}{self.path.suffix}"
        os.replace(file, self.files[attempt])
        self.sizes[attempt] = self.files[attempt].stat().st_size
        return self.sizes[attempt]

    def encode(self, attempt: Attempt) -> int:
        if attempt in self.sizes:
            return self.sizes[attempt]
        self.files[attempt] = self.folder / f"{self.count}{self.path.suffix}"
        spec = _spec(self.kind, self.files[attempt], attempt)
        with FrameSink([spec], fps=attempt.fps, frame_size=(attempt.width, attempt.height)) as sink:
            for frame in self._clip(attempt.width, attempt.height, attempt.fps):
                sink.write(frame)
        self.sizes[attempt] = sink.written[0].size_bytes
        return self.sizes[attempt]

    def _clip(self, width: int, height: int, fps: float) -> Iterator[np.ndarray]:
        """The clip at this size and rate: from memory if it was the last drawn, else drawn (and kept if small)."""
        key = (width, height, fps)
        if self.drawn is not None and self.drawn[0] == key:
            yield from self.drawn[1]
            return
        self.drawn, kept, total = None, [], 0
        self.draws += 1
        for frame in self.frames(width, height, fps):
            total += frame.nbytes
            if total <= FRAME_CACHE_BYTES:
                kept.append(np.array(frame, copy=True))  # a renderer may reuse its buffer for the next frame
            yield frame
        if total <= FRAME_CACHE_BYTES:
            self.drawn = (key, kept)


def _steps(start: Attempt, max_bytes: int, min_fps: float, floor: int, trial: _Trials) -> Iterator[Attempt]:
    """The attempts after `start`, in order; each reads the last measured size through `trial` to skip ahead."""
    attempt = start
    rates = [rate for rate in FPS_STEPS if min_fps <= rate < start.fps]
    if start.fps > min_fps and min_fps not in rates:
        rates.append(min_fps)
    for index, rate in enumerate(rates):
        measured = trial.sizes[attempt]
        # Bytes fall at most in proportion to the frame count: skip a rate that even that would leave over budget.
        if measured * rate / attempt.fps > max_bytes and index < len(rates) - 1:
            continue
        attempt = replace(attempt, fps=rate)
        yield attempt
    for quality_step in range(1, len(_ladder(trial.kind))):
        attempt = replace(attempt, quality_step=quality_step)
        yield attempt
    while min(attempt.width, attempt.height) > floor:
        ratio = min(MAX_SIZE_RATIO, math.sqrt(SIZE_HEADROOM * max_bytes / trial.sizes[attempt]))
        attempt = replace(attempt, **dict(zip(("width", "height"), _scaled(attempt, ratio, floor), strict=True)))
        yield attempt


def _scaled(attempt: Attempt, ratio: float, floor: int) -> tuple[int, int]:
    """The size `ratio` times the attempt's, aspect kept, even sides, the short side at least `floor`."""
    short = min(attempt.width, attempt.height)
    ratio = max(ratio, floor / short)
    width, height = (max(2, 2 * round(side * ratio / 2)) for side in (attempt.width, attempt.height))
    if min(width, height) < floor:  # rounding to even sides went under the floor: use the floor exactly
        ratio = floor / short
        width, height = (max(floor, round(side * ratio)) for side in (attempt.width, attempt.height))
    return width, height


def _ladder(kind: str) -> tuple[int, ...]:
    return VP9_CRF_STEPS if kind == "webm" else GIF_COLOR_STEPS


def _colors(kind: str, attempt: Attempt) -> int | None:
    return None if kind == "webm" else GIF_COLOR_STEPS[attempt.quality_step]


def _quality(kind: str, attempt: Attempt) -> int | None:
    return VP9_CRF_STEPS[attempt.quality_step] if kind == "webm" else None


def _spec(kind: str, path: Path, attempt: Attempt) -> OutputSpec:
    rung = _ladder(kind)[attempt.quality_step]
    options = {"vp9_crf": rung} if kind == "webm" else {"colors": rung}
    return OutputSpec(path, kind, attempt.fps, **options)  # type: ignore[arg-type]


def _describe(kind: str, attempt: Attempt) -> str:
    setting = "crf" if kind == "webm" else "colours"
    return f"{attempt.width}x{attempt.height}, {attempt.fps:g} fps, {setting} {_ladder(kind)[attempt.quality_step]}"
