"""Render benchmark: gdviz's blitted renderer against matplotlib's usual `FuncAnimation.save`, and the CLI's wall time.

Measures, in one run and at 1280x720, 30 fps, H.264 crf 20 on both sides (FuncAnimation with x264's default
preset, medium, as tutorials get it; gdviz with its own encoder defaults, veryfast: see scenes/encoder.py):
  - `line` (300 frames), `dashboard` (300) and `surface` (150): gdviz `render()` to MP4 vs
    `scenes.notebook.animation(...).save(writer=FFMpegWriter)`, the same panels fully redrawn every frame;
  - gdviz's `line` render+encode rate as a fraction of encoding the same 300 ready frames alone (the median of
    RATIO_ROUNDS paired rounds);
  - `gdviz render --lr 0.8` (dashboard, MP4 + GIF) as a subprocess, wall time.
Both sides first render a short clip of each scene (a warm-up, untimed). Frame counts are read back from the
written files. Takes a few minutes; x264 uses both cores, so run it on an
otherwise idle machine (other load shows up mostly in the gdviz side, which is encoder-bound).

Run with `.venv/bin/python benchmarks/render.py`; prints one line per comparison. `--breakdown` instead prints
where the `line` scene's frame drawing goes: the seconds each animated artist takes to draw, over the 300 frames.
"""

from __future__ import annotations

import argparse
import collections
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import imageio_ffmpeg
import numpy as np
from matplotlib.animation import FFMpegWriter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gdcore.experiment import Experiment
from scenes.encoder import FrameSink, OutputSpec
from scenes.mpl.layouts import Look, build_stage
from scenes.mpl.stage import blitted_frames
from scenes.notebook import animation, run, use_bundled_ffmpeg
from scenes.render import RenderSettings, frame_plan, render

ROOT = Path(__file__).resolve().parents[1]
LOOK = Look(1280, 720)
FPS = 30.0
RATIO_ROUNDS = 5  # paired rounds of the line render+encode against encoding alone
X264_ARGS = ["-pix_fmt", "yuv420p", "-preset", "medium", "-crf", "20"]  # FFMpegWriter's usual x264 settings


def settings(scene: str, duration: float, folder: Path) -> RenderSettings:
    return RenderSettings(scene=scene, formats=("mp4",), look=LOOK, fps=FPS, duration=duration, out_dir=folder)


def frame_count(path: Path) -> int:
    return imageio_ffmpeg.count_frames_and_secs(str(path))[0]


def gdviz_seconds(scene: str, experiment: Experiment, duration: float, folder: Path) -> tuple[float, int]:
    """Seconds for render() to MP4 (stage built, frames blitted and piped to x264), and the file's frame count."""
    start = time.perf_counter()
    (written,) = render([experiment], settings(scene, duration, folder / "gdviz"))
    return time.perf_counter() - start, frame_count(written.path)


def funcanimation_seconds(scene: str, experiment: Experiment, duration: float, folder: Path) -> tuple[float, int]:
    """Seconds for the notebook's FuncAnimation (same panels, full redraws) saved with FFMpegWriter."""
    path = folder / f"funcanimation-{scene}.mp4"
    start = time.perf_counter()
    anim = animation(scene, experiment, LOOK, fps=FPS, duration=duration)
    anim.save(path, writer=FFMpegWriter(fps=FPS, codec="libx264", extra_args=X264_ARGS))
    return time.perf_counter() - start, frame_count(path)


def compare(scene: str, experiment: Experiment, n_frames: int, target: float, folder: Path) -> str:
    """The speedup line for one scene."""
    duration = n_frames / FPS - 1.0  # seconds of motion; the plan adds a one-second hold
    planned = frame_plan(settings(scene, duration, folder), [experiment]).n_frames
    assert planned == n_frames, f"{scene}: planned {planned} frames, wanted {n_frames}"
    ours, our_frames = gdviz_seconds(scene, experiment, duration, folder)
    theirs, their_frames = funcanimation_seconds(scene, experiment, duration, folder)
    line = (
        f"{scene} {planned} frames {LOOK.width}x{LOOK.height}: gdviz {ours:.1f} s ({our_frames} frames, "
        f"{our_frames / ours:.0f} fps) vs FuncAnimation.save {theirs:.1f} s ({their_frames} frames, "
        f"{their_frames / theirs:.0f} fps), target >= {target:g}x: speedup {theirs / ours:.1f}x"
    )
    return line


def render_vs_encode(experiment: Experiment, folder: Path, rounds: int = RATIO_ROUNDS) -> str:
    """gdviz's line render+encode rate over the rate of encoding the same frames, drawn beforehand, alone: the
    median of `rounds` paired rounds (a virtual machine's speed drifts by tens of percent within a minute, and both
    sides are CPU-bound on every core: a single pair is mostly noise)."""
    stage = build_stage("line", [experiment], LOOK)
    plan = frame_plan(settings("line", 9.0, folder), [experiment])
    frames = [np.array(frame) for frame in blitted_frames(stage, plan)]
    ratios, rates = [], []
    for _ in range(rounds):
        render_seconds, rendered = gdviz_seconds("line", experiment, 9.0, folder)
        start = time.perf_counter()
        with FrameSink([OutputSpec(folder / "encode-alone.mp4", "mp4", FPS)]) as sink:
            for frame in frames:
                sink.write(frame)
        encode_seconds = time.perf_counter() - start
        rates.append((rendered / render_seconds, sink.written[0].frames / encode_seconds))
        ratios.append(rates[-1][0] / rates[-1][1])
    median = statistics.median(ratios)
    rendering, encoding = rates[ratios.index(sorted(ratios)[len(ratios) // 2])]
    return (
        f"line render+encode vs encode alone, {plan.n_frames} frames, median of {rounds} paired rounds "
        f"({min(ratios):.2f}-{max(ratios):.2f}; median round {rendering:.0f} fps vs {encoding:.0f} fps), "
        f"target >= 0.8x: {median:.2f}x"
    )


def cli_wall(folder: Path) -> str:
    command = [str(ROOT / ".venv" / "bin" / "gdviz"), "render", "--lr", "0.8", "--out", str(folder / "cli"), "--quiet"]
    start = time.perf_counter()
    subprocess.run(command, check=True)
    seconds = time.perf_counter() - start
    return f"default render --lr 0.8 (mp4+gif): {seconds:.1f} s wall (target <= 10 s)"


def warm_up(experiment: Experiment, folder: Path) -> None:
    """A short clip each way first, so that neither side's timing pays the process's first draw (font cache,
    first canvas) and its first ffmpeg start: whoever ran first would otherwise carry them."""
    for scene in ("line", "dashboard", "surface"):
        gdviz_seconds(scene, experiment, 0.5, folder / "warm-up")
        funcanimation_seconds(scene, experiment, 0.5, folder / "warm-up")


def breakdown() -> None:
    """Seconds per animated artist over the line scene's 300 blitted frames (no encoder): what to make cheaper for
    the render+encode rate (the frames compete with x264 for the cores)."""
    from matplotlib.text import Text

    line = run("line")
    plan = frame_plan(settings("line", 9.0, Path(".")), [line])
    collections.deque(blitted_frames(build_stage("line", [line], LOOK), plan), maxlen=0)  # a warm-up: fonts, caches
    seconds: collections.Counter[str] = collections.Counter()

    def timed(artist: Any) -> None:
        draw = artist.draw
        name = " ".join(artist.get_text().split()[:1]) + "…" if isinstance(artist, Text) else artist.get_label()

        def draw_timed(renderer: Any) -> None:
            start = time.perf_counter()
            draw(renderer)
            seconds[f"{type(artist).__name__} {name}"] += time.perf_counter() - start

        artist.draw = draw_timed  # an instance's own draw, as the frame loop calls it

    stage = build_stage("line", [line], LOOK)
    for artist in stage.update(0):
        timed(artist)
    start = time.perf_counter()
    count = sum(1 for frame in blitted_frames(stage, plan))
    total = time.perf_counter() - start
    print(f"line, {count} frames {LOOK.width}x{LOOK.height} drawn alone: {total:.2f} s; by animated artist:")
    for name, spent in seconds.most_common():
        print(f"  {spent:.3f} s ({spent / total:.0%})  {name}")


def main() -> None:
    use_bundled_ffmpeg()
    line, plane = run("line"), run("plane")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "warm-up").mkdir()
        warm_up(plane, folder)
        print(compare("line", line, 300, 8, folder), flush=True)
        print(render_vs_encode(line, folder), flush=True)
        print(compare("dashboard", plane, 300, 5, folder), flush=True)
        print(compare("surface", plane, 150, 8, folder), flush=True)
        print(cli_wall(folder), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--breakdown", action="store_true", help="where the line scene's frame drawing goes")
    breakdown() if parser.parse_args().breakdown else main()
