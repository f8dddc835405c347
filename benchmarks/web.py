"""Web formats benchmark: GIF against animated WebP and WebM on the same frames, and the explorable page.

Run with `.venv/bin/python benchmarks/web.py`. For the dashboard and regimes scenes drawn at 720x405 (25 fps, the
default 5 s clip and its 1 s hold), the frames are drawn once, then each format is encoded from them with gdviz's
default settings: bytes, encoding seconds, and the ratio to the GIF's bytes (target: WebP and WebM each <= 0.40x).
Then the rotating surface's GIF as `gdviz render surface --rotate --format gif` writes it, its default budget
included (target <= 2 MB), and `gdviz html`'s page for the plane dataset: build time and size, inlined (target
<= 6 MB) and with the CDN (target <= 300 KB).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gdcore.datasets import load_dataset
from gdcore.experiment import Experiment, RunRequest, prepare
from gdcore.regimes import PRESET_REGIMES
from scenes.encoder import FrameSink, OutputSpec
from scenes.explore import explore_page
from scenes.mpl.layouts import Look, build_stage
from scenes.mpl.stage import blitted_frames
from scenes.render import clock

ROOT = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT, FPS, SECONDS = 720, 405, 25.0, 5.0
TARGET_RATIO = 0.40
KINDS = ("gif", "webp", "webm")


def experiments(scene: str) -> list[Experiment]:
    dataset = load_dataset("plane")
    if scene == "regimes":
        return [prepare(dataset, RunRequest(regime=regime.value)) for regime in PRESET_REGIMES]
    return [prepare(dataset)]


def frames(scene: str, look: Look) -> tuple[list[np.ndarray], float]:
    """The scene's frames, drawn as `gdviz render` draws them, and the seconds that took."""
    runs = experiments(scene)
    start = time.perf_counter()
    stage = build_stage(scene, runs, look)
    drawn = [frame.copy() for frame in blitted_frames(stage, clock(runs, FPS, SECONDS, "log"))]
    return drawn, time.perf_counter() - start


def encode(path: Path, drawn: list[np.ndarray]) -> tuple[int, float]:
    """Bytes and seconds of encoding the frames into `path` (its suffix picks the format)."""
    start = time.perf_counter()
    with FrameSink([OutputSpec(path, path.suffix[1:], FPS)], fps=FPS) as sink:  # type: ignore[arg-type]
        for frame in drawn:
            sink.write(frame)
    return sink.written[0].size_bytes, time.perf_counter() - start


def compare(folder: Path, scene: str) -> list[str]:
    drawn, draw_seconds = frames(scene, Look(WIDTH, HEIGHT))
    results = {kind: encode(folder / f"{scene}.{kind}", drawn) for kind in KINDS}
    gif_bytes = results["gif"][0]
    lines = [f"{scene}: {len(drawn)} frames {WIDTH}x{HEIGHT} drawn in {draw_seconds:.1f} s"]
    for kind, (size, seconds) in results.items():
        ratio = size / gif_bytes
        met = "met" if ratio <= TARGET_RATIO else "MISSED"
        verdict = "" if kind == "gif" else f" (target <= {TARGET_RATIO:.2f}x: {met})"
        lines.append(f"  {kind:4s} {size / 1000:7.0f} KB in {seconds:5.1f} s: {ratio:.2f}x the GIF{verdict}")
    return lines


def rotating_surface(folder: Path) -> str:
    """`gdviz render surface --rotate --format gif` as a user runs it (its default size, clip and GIF budget)."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "scenes", "render", "surface", "--rotate", "--format", "gif",
                           "--out", str(folder / "cli")], cwd=ROOT, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    (gif,) = (folder / "cli").rglob("*.gif")
    size = gif.stat().st_size
    verdict = "met" if size <= 2_000_000 else "MISSED"
    written = done.stdout.strip().splitlines()[-1].split(maxsplit=2)[-1]  # 'wrote PATH  WxH, ...': what follows PATH
    return f"gdviz render surface --rotate --format gif: {written}; target <= 2 MB: {verdict}; {seconds:.1f} s wall"


def page() -> list[str]:
    dataset = load_dataset("plane")
    explore_page(dataset, cdn=True)  # warm up: imports, plotly's validators
    lines = []
    for cdn, limit in ((False, 6_000_000), (True, 300_000)):
        start = time.perf_counter()
        size = len(explore_page(dataset, cdn=cdn).encode())
        seconds = time.perf_counter() - start
        verdict = "met" if size <= limit else "MISSED"
        lines.append(f"gdviz html (plane, {'cdn' if cdn else 'inlined'}): built in {seconds:.2f} s, "
                     f"{size / 1e6:.2f} MB (target <= {limit / 1e6:g} MB: {verdict})")
    return lines


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for scene in ("dashboard", "regimes"):
            print("\n".join(compare(Path(folder), scene)), flush=True)
        print(rotating_surface(Path(folder)), flush=True)
    print("\n".join(page()), flush=True)


if __name__ == "__main__":
    main()
