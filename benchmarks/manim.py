"""Manim benchmark: a 10-second LineFitScene of the default run at low (480p15) and high (1080p60) quality.

Run with `.venv/bin/python benchmarks/manim.py`; prints the wall time of each render (Manim imported once
beforehand, so the times are the renders', not the import's). Target: <= 3 s at low quality on 2 cores.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

# This file is called manim.py, as the issue names it: its own folder must not shadow the manim library.
HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

MOTION_SECONDS = 9.0  # plus the one-second hold: a 10-second clip


def main() -> None:
    import manim  # noqa: F401  (imported once here, so each timing is the render alone)

    from scenes.manim.render import render_manim
    from scenes.notebook import run

    experiment = run("plane", regime="good")
    for quality in ("low", "high"):
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            (written,) = render_manim("line", [experiment], Path(folder), ["mp4"], quality, seconds=MOTION_SECONDS)
            wall = time.perf_counter() - start
        print(f"LineFitScene {written.duration_s:.0f} s at {quality} ({written.width}x{written.height}, "
              f"{written.frames} frames): {wall:.2f} s wall" + (" (target <= 3 s)" if quality == "low" else ""))


if __name__ == "__main__":
    main()
