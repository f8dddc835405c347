"""Encoder benchmark on gdviz's own frames: its GIF against matplotlib's PillowWriter, and MP4 encoding speed.

Run with `.venv/bin/python benchmarks/encoder.py`; prints one line per comparison. Both GIF writers get the very
same RGB frames (PillowWriter's finish() is Pillow's `save(save_all=True, ...)` of the frames it grabbed, which
is what runs here), drawn once by gdviz's scenes at 640x360 and 25 fps.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gdcore.frames import plan_frames
from scenes.encoder import FrameSink, OutputSpec
from scenes.mpl.layouts import Look, build_stage
from scenes.mpl.stage import blitted_frames
from scenes.notebook import run

GIF_FPS = 25.0
# The size target (<= 0.35x PillowWriter) is the default clip's; the lightest scene, a few flat colours
# that Pillow's own palette suits, is measured beside it for the record (no target).
CLIPS = (("dashboard", "plane", " (target <= 0.35x)"), ("line", "line", " (no target)"))


def scene_frames(scene: str, dataset: str, width: int, height: int, fps: float, seconds: float) -> list[np.ndarray]:
    experiment = run(dataset)
    plan = plan_frames(experiment.epochs, fps, seconds)
    stage = build_stage(scene, [experiment], Look(width, height))
    return [frame[..., :3].copy() for frame in blitted_frames(stage, plan)]


def pillow_gif(frames: list[np.ndarray], path: Path) -> float:
    """What PillowWriter.finish() does with the frames it grabbed; returns the seconds it took."""
    start = time.perf_counter()
    images = [Image.fromarray(frame) for frame in frames]
    images[0].save(path, save_all=True, append_images=images[1:], duration=int(1000 / GIF_FPS), loop=0)
    return time.perf_counter() - start


def compare_gif(folder: Path, scene: str, dataset: str, target: str) -> str:
    frames = scene_frames(scene, dataset, 640, 360, GIF_FPS, 5.0)
    pillow_seconds = pillow_gif(frames, folder / "pillow.gif")
    pillow_bytes = (folder / "pillow.gif").stat().st_size
    start = time.perf_counter()
    with FrameSink([OutputSpec(folder / "gdviz.gif", "gif", GIF_FPS, width=640)]) as sink:
        for frame in frames:
            sink.write(frame)
    seconds, gdviz_bytes = time.perf_counter() - start, sink.written[0].size_bytes
    return (f"gif {scene} ({dataset}) {len(frames)} frames 640x360: gdviz {gdviz_bytes / 1000:.0f} KB in "
            f"{seconds:.1f} s vs PillowWriter {pillow_bytes / 1000:.0f} KB in {pillow_seconds:.1f} s: "
            f"ratio {gdviz_bytes / pillow_bytes:.2f}x{target}")


def mp4_speed(folder: Path) -> str:
    frames = scene_frames("dashboard", "plane", 1280, 720, 30.0, 9.0)[:300]
    start = time.perf_counter()
    with FrameSink([OutputSpec(folder / "speed.mp4", "mp4", 30.0)]) as sink:
        for frame in frames:
            sink.write(frame)
    seconds = time.perf_counter() - start
    return (f"mp4 encoding alone: {len(frames)} ready 1280x720 dashboard frames (gdviz's x264 settings) in "
            f"{seconds:.1f} s: {len(frames) / seconds:.0f} frames/s, {sink.written[0].size_bytes / 1000:.0f} KB")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for scene, dataset, target in CLIPS:
            print(compare_gif(Path(folder), scene, dataset, target), flush=True)
        print(mp4_speed(Path(folder)), flush=True)


if __name__ == "__main__":
    main()
