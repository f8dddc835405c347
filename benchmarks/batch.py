"""Lecture benchmark: a lecture of 8 clips (4 matplotlib, 4 Manim at low quality) rendered with --jobs all cores
against --jobs 1, and the second run (every clip up to date) against the first, measured in one run.

Run with `.venv/bin/python benchmarks/batch.py`; targets: parallel ≥ 1.6× on 2 cores, the up-to-date run ≤ 5 %
of the first.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LECTURE = """
[defaults]
dataset = "plane"
duration = 3

[[clip]]
scene = "dashboard"
lr = 0.8
size = "854x480"

[[clip]]
scene = "line"
regime = "good"
size = "854x480"

[[clip]]
scene = "regimes"
dataset = "line"
size = "854x480"

[[clip]]
scene = "surface"
size = "854x480"
format = "mp4"

[[clip]]
scene = "line"
engine = "manim"
quality = "low"
format = "mp4"

[[clip]]
scene = "contour"
engine = "manim"
lr = 0.3
format = "mp4"

[[clip]]
scene = "update-rule"
quality = "low"
format = "mp4"

[[clip]]
scene = "surface"
engine = "manim"
format = "mp4"
"""


def batch_seconds(lecture: Path, out: Path, jobs: int) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from scenes.cli import main; main()", "batch", str(lecture), "--jobs",
                    str(jobs), "--out", str(out)], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as folder:
        lecture = Path(folder) / "lecture.toml"
        lecture.write_text(LECTURE)
        serial = batch_seconds(lecture, Path(folder) / "serial", 1)
        parallel = batch_seconds(lecture, Path(folder) / "parallel", cores)
        again = batch_seconds(lecture, Path(folder) / "parallel", cores)
    print(f"8 clips, --jobs {cores} vs --jobs 1: {parallel:.1f} s vs {serial:.1f} s, target >= 1.6x: "
          f"speedup {serial / parallel:.2f}x", flush=True)
    print(f"second run, all up to date: {again:.2f} s = {again / parallel:.1%} of the first (target <= 5%)", flush=True)


if __name__ == "__main__":
    main()
