"""Encoder benchmark: gdviz's GIF against matplotlib's PillowWriter, and MP4 encoding speed from ready frames.

Run with `.venv/bin/python benchmarks/encoder.py`; prints one line per comparison.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
from matplotlib.animation import PillowWriter
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scenes.encoder import GIF_DEFAULT_COLORS, FrameSink, OutputSpec

N_FRAMES = 300
FPS = 25.0  # the GIF's rate, so gdviz and PillowWriter encode exactly the same frames


class FitPlot:
    """A typical gdviz frame: data, the current fit line, the loss curve so far and a caption."""

    def __init__(self, width: int, height: int, dpi: float = 100.0) -> None:
        rng = np.random.default_rng(0)
        self.x = rng.uniform(0, 1, 40)
        self.y = 0.5 + 2.0 * self.x + rng.normal(0, 0.2, self.x.size)
        self.epochs = np.arange(N_FRAMES)
        self.slopes = 2.0 * (1 - np.exp(-self.epochs / 60))
        self.losses = np.array([np.mean((0.5 + s * self.x - self.y) ** 2) for s in self.slopes])
        self.fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        fit_axes, loss_axes = self.fig.subplots(1, 2)
        fit_axes.scatter(self.x, self.y, s=14, color="tab:gray")
        (self.fit_line,) = fit_axes.plot([0, 1], [0.5, 0.5], color="tab:blue", lw=2)
        fit_axes.set(xlabel="x", ylabel="y", title="fit")
        (self.loss_line,) = loss_axes.plot([], [], color="tab:orange", lw=2)
        loss_axes.set(xlim=(0, N_FRAMES), ylim=(0, self.losses.max() * 1.05), xlabel="epoch", title="loss")
        loss_axes.grid(alpha=0.3)
        self.caption = self.fig.text(0.5, 0.01, "", ha="center", va="bottom")
        self.fig.tight_layout(rect=(0, 0.06, 1, 1))

    def draw(self, k: int) -> np.ndarray:
        """Draw frame k; returns the canvas buffer, shape (height, width, 4), valid until the next draw."""
        self.fit_line.set_ydata([0.5, 0.5 + self.slopes[k]])
        self.loss_line.set_data(self.epochs[: k + 1], self.losses[: k + 1])
        self.caption.set_text(f"epoch {k}   slope {self.slopes[k]:.3f}   loss {self.losses[k]:.4f}")
        self.canvas.draw()
        return np.asarray(self.canvas.buffer_rgba())


def compare_gif(folder: Path) -> list[str]:
    plot = FitPlot(640, 360)
    pillow_path = folder / "pillow.gif"
    pillow = PillowWriter(fps=FPS)
    pillow.setup(plot.fig, pillow_path, dpi=plot.fig.dpi)
    frames = []
    for k in range(N_FRAMES):
        frames.append(plot.draw(k).copy())
        pillow.grab_frame()  # stores the same picture; PillowWriter encodes everything in finish()
    start = time.perf_counter()
    pillow.finish()
    pillow_seconds = time.perf_counter() - start

    pillow_bytes = pillow_path.stat().st_size
    lines = []
    for colors in (GIF_DEFAULT_COLORS, 64):
        start = time.perf_counter()
        with FrameSink([OutputSpec(folder / "gdviz.gif", "gif", FPS, width=640, colors=colors)]) as sink:
            for frame in frames:
                sink.write(frame)
        seconds, gdviz_bytes = time.perf_counter() - start, sink.written[0].size_bytes
        lines.append(
            f"gif bytes ({colors} colours): gdviz {gdviz_bytes / 1000:.0f} KB vs PillowWriter "
            f"{pillow_bytes / 1000:.0f} KB: ratio {gdviz_bytes / pillow_bytes:.2f}x (target <= 0.35x); "
            f"encoding {N_FRAMES} ready 640x360 frames: gdviz {seconds:.1f} s, PillowWriter {pillow_seconds:.1f} s"
        )
    return lines


def mp4_speed(folder: Path) -> str:
    plot = FitPlot(1280, 720, dpi=200.0)
    frames = [plot.draw(k).copy() for k in range(N_FRAMES)]
    start = time.perf_counter()
    with FrameSink([OutputSpec(folder / "speed.mp4", "mp4", 30.0)]) as sink:
        for frame in frames:
            sink.write(frame)
    seconds = time.perf_counter() - start
    return (
        f"mp4 encoding: {N_FRAMES} ready 1280x720 frames (x264 medium, crf 20) in {seconds:.1f} s: "
        f"{N_FRAMES / seconds:.0f} frames/s, {sink.written[0].size_bytes / 1000:.0f} KB"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for line in compare_gif(Path(folder)):
            print(line, flush=True)
        print(mp4_speed(Path(folder)), flush=True)


if __name__ == "__main__":
    main()
