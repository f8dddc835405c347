"""Lecture benchmark: a lecture of 8 clips (4 matplotlib, 4 Manim at low quality) rendered with --jobs all cores
against --jobs 1, and the second run (every clip up to date) against the first, measured in one run.

Run with `.venv/bin/python benchmarks/batch.py [--rounds N]`; targets: parallel ≥ 1.6× on 2 cores, the up-to-date
run ≤ 5 % of the first. Each round renders the lecture into fresh folders, once with --jobs 1 and once with all
cores (the order alternating between rounds, so neither side always meets a warmer disk cache), then reruns the
parallel folder, every clip up to date; every command is a new `gdviz` process, as a user runs it. The machine's
load average is printed beside the numbers (it counts this benchmark's own processes too: about 2 while --jobs 2
runs): other work on the machine slows whichever side it overlaps, the parallel one most. Before each round, the
machine's own parallelism is measured too (two CPU-bound processes at once against one after the other): on a virtual
machine it varies with the other tenants, and the lecture's speed-up cannot beat it. Where /proc/stat exists, each
side's cores kept busy are printed too (the whole machine's working CPU seconds over the wall seconds: other work
running meanwhile counts too, as the load average shows, and then the ceiling means nothing): --jobs 1 already
keeps more than one busy (the encoders run beside the drawing), so with the same work in both, the speed-up cannot
beat cores / (--jobs 1's cores busy), the ceiling printed beside it.

`--costs` instead measures what scenes.batch orders clips by: each scene's CPU seconds (this process and its
encoders) per million pixels drawn, per engine, at 854×480, 3 s, MP4.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARALLEL_TARGET, UP_TO_DATE_TARGET = 1.6, 0.05
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


@dataclass(frozen=True)
class Timed:
    """One command's wall seconds, and the CPU seconds the whole machine worked meanwhile (None without /proc/stat)."""

    wall: float
    busy: float | None

    @property
    def cores_busy(self) -> float | None:
        return None if self.busy is None else self.busy / self.wall


def busy_seconds() -> float | None:
    """The machine's CPU seconds spent working so far (user, nice, system, interrupts; not idle, I/O wait or time
    stolen by other tenants), from /proc/stat; None where there is none."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq = (int(field) for field in fields)
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def timed_batch(lecture: Path, out: Path, jobs: int) -> Timed:
    """One `gdviz batch` command, start-up included."""
    start, busy = time.perf_counter(), busy_seconds()
    subprocess.run([sys.executable, "-m", "scenes", "batch", str(lecture), "--jobs", str(jobs), "--out", str(out)],
                   cwd=ROOT, check=True, capture_output=True)
    wall, busy_after = time.perf_counter() - start, busy_seconds()
    return Timed(wall, None if busy is None or busy_after is None else busy_after - busy)


SPIN = "sum(range(25_000_000))"  # about a second of one core's work


def machine_parallelism() -> float:
    """How much faster this machine runs two CPU-bound processes at once than one after the other, now: at most the
    core count, less when other tenants of a virtual machine take the cores (here it has measured 1.4x to 2.2x
    within minutes). The lecture's speed-up cannot beat it; printed beside it."""
    spin = [sys.executable, "-c", SPIN]
    start = time.perf_counter()
    for _ in range(2):
        subprocess.run(spin, check=True)
    one_after_other = time.perf_counter() - start
    start = time.perf_counter()
    for process in [subprocess.Popen(spin) for _ in range(2)]:
        process.wait()
    return one_after_other / (time.perf_counter() - start)


def load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def one_round(folder: Path, lecture: Path, cores: int, serial_first: bool) -> tuple[Timed, Timed, Timed]:
    """--jobs 1, --jobs cores, each into a fresh folder, and the up-to-date rerun of the second."""
    sides = [("serial", 1), ("parallel", cores)]
    timed = {name: timed_batch(lecture, folder / name, jobs)
             for name, jobs in (sides if serial_first else sides[::-1])}
    return timed["serial"], timed["parallel"], timed_batch(lecture, folder / "parallel", cores)


def benchmark(rounds: int) -> None:
    cores = os.cpu_count() or 1
    # Both sides read the same modules: load them from disk once before either is timed.
    subprocess.run([sys.executable, "-c", "import scenes.batch, scenes.render, manim"], cwd=ROOT, check=True)
    speedups, fractions, capacities, ceilings = [], [], [], []
    with tempfile.TemporaryDirectory() as folder:
        lecture = Path(folder) / "lecture.toml"
        lecture.write_text(LECTURE)
        for number in range(rounds):
            before, capacity = load(), machine_parallelism()
            serial, parallel, again = one_round(Path(folder) / f"round{number}", lecture, cores, number % 2 == 0)
            speedups.append(serial.wall / parallel.wall)
            fractions.append(again.wall / parallel.wall)
            capacities.append(capacity)
            print(f"round {number + 1} ({before} before, {load()} after; two CPU-bound processes at once "
                  f"{capacity:.2f}x as fast as one after the other): 8 clips, --jobs {cores} {parallel.wall:.1f} s vs "
                  f"--jobs 1 {serial.wall:.1f} s: speedup {speedups[-1]:.2f}x; up-to-date rerun {again.wall:.2f} s = "
                  f"{fractions[-1]:.1%} of the first", flush=True)
            if serial.cores_busy is not None and parallel.cores_busy is not None:
                ceilings.append(cores / serial.cores_busy)
                print(f"  cores kept busy: --jobs 1 {serial.cores_busy:.2f} ({serial.busy:.1f} CPU s), --jobs {cores} "
                      f"{parallel.cores_busy:.2f} ({parallel.busy:.1f} CPU s): the speed-up's ceiling "
                      f"{cores} / {serial.cores_busy:.2f} = {ceilings[-1]:.2f}x", flush=True)
    speedup, fraction = statistics.median(speedups), statistics.median(fractions)
    ceiling = f"ceiling {statistics.median(ceilings):.2f}x; " if ceilings else ""
    print(f"median of {rounds}: machine parallelism {statistics.median(capacities):.2f}x; {ceiling}"
          f"speedup {speedup:.2f}x (target >= {PARALLEL_TARGET}x on 2 cores: "
          f"{verdict(speedup >= PARALLEL_TARGET)}); up to date {fraction:.1%} of the first run "
          f"(target <= {UP_TO_DATE_TARGET:.0%}: {verdict(fraction <= UP_TO_DATE_TARGET)})", flush=True)


def cpu_seconds() -> float:
    """CPU seconds of this process and its finished children (the ffmpeg encoders)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def costs() -> None:
    """Each scene's CPU seconds per million pixels drawn, by engine (imports warmed first: a worker pays them once)."""
    sys.path[0] = str(ROOT)  # not this folder: its manim.py (the Manim benchmark) would shadow Manim
    from scenes.jobs import drawn_pixels, plan_job, render_job
    from scenes.registry import SCENES

    with tempfile.TemporaryDirectory() as folder:
        render_job(plan_job({"format": "png", "out": folder}))
        for engine in ("matplotlib", "manim"):
            size = {"size": "854x480"} if engine == "matplotlib" else {"quality": "low"}
            for name, spec in SCENES.items():
                if engine not in spec.engines:
                    continue
                options = {"scene": name, "engine": engine, "format": "mp4", "duration": 3, "out": folder} | size
                render_job(plan_job(options | {"duration": 0.2}))  # the scene's modules imported
                start = cpu_seconds()
                render_job(plan_job(options))
                per_megapixel = (cpu_seconds() - start) / (drawn_pixels(options) / 1e6)
                print(f'("{engine}", "{name}"): {per_megapixel:.4f},', flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1, help="rounds of the lecture benchmark (default 1)")
    parser.add_argument("--costs", action="store_true", help="measure each scene's cost per pixel instead")
    arguments = parser.parse_args()
    costs() if arguments.costs else benchmark(arguments.rounds)
