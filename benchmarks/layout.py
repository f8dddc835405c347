"""Layout benchmark: what holding every view's labels (scenes.mpl.layouts._hold_every_view) adds to building a
stage, against the same build without it, on this machine, in one run.

Run with `.venv/bin/python benchmarks/layout.py`; no target: it prints the cost (best of REPEATS, the two builds
interleaved so that whatever else runs slows both alike). A build is paid once per render, before any frame.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import scenes.mpl.layouts as layouts
from gdcore.datasets import load_preset
from gdcore.experiment import Experiment
from gdcore.options import RunOptions
from scenes.registry import scene_runs, scene_spec

REPEATS = 3
CASES = (("dashboard", (0.8,)), ("dashboard", (0.1,)), ("modes", (0.5,)), ("regimes", ()))


@contextmanager
def holding(on: bool) -> Iterator[None]:
    kept: Callable[..., None] = layouts._hold_every_view
    if not on:
        layouts._hold_every_view = lambda *_: None
    try:
        yield
    finally:
        layouts._hold_every_view = kept


def build_seconds(scene: str, runs: list[Experiment], on: bool) -> float:
    with holding(on):
        start = time.perf_counter()
        layouts.build_stage(scene, runs, layouts.Look(1280, 720))
        return time.perf_counter() - start


def main() -> None:
    for scene, rates in CASES:
        runs = scene_runs(scene_spec(scene), load_preset("plane"), RunOptions(), rates=rates)
        best = {True: float("inf"), False: float("inf")}
        for _ in range(REPEATS):
            for on in (False, True):
                best[on] = min(best[on], build_seconds(scene, runs, on))
        print(f"{scene} {list(rates) or 'presets'}: build {best[False]:.2f} s, holding every view "
              f"{best[True]:.2f} s ({best[True] / best[False]:.2f}×)")


if __name__ == "__main__":
    main()
