"""Start-up benchmark: commands that draw nothing against importing numpy alone, on this machine, in one run; and
the ending of a command that drew: the seconds from its last line to its exit, gdviz's console script against click's
own entry (the interpreter's usual teardown), in the same run.

Run with `.venv/bin/python benchmarks/startup.py`; target: each command within 2× of `python -c "import numpy"`
(best of REPEATS, each a fresh process, so every import is paid).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 7
TARGET = 2.0
COMMANDS = (["--version"], ["list"], ["train"], ["regimes"])
ENDINGS = (["render", "line", "--engine", "manim", "--quality", "low", "--format", "mp4", "--duration", "1"],
           ["render", "line", "--format", "mp4", "--duration", "1"])
ENTRIES = {"gdviz's entry": "from scenes.entry import main; main()", "click's own": "from scenes.cli import cli; cli()"}


def best_wall(arguments: list[str]) -> float:
    """The best wall time of REPEATS fresh processes (a short process is easily slowed by whatever else runs)."""
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        subprocess.run(arguments, cwd=ROOT, check=True, capture_output=True)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    numpy_alone = best_wall([sys.executable, "-c", "import numpy"])
    print(f"python -c 'import numpy': {numpy_alone * 1e3:.0f} ms", flush=True)
    for command in COMMANDS:
        seconds = best_wall([sys.executable, "-c", "from scenes.cli import main; main()", *command])
        verdict = "ok" if seconds <= TARGET * numpy_alone else "OVER TARGET"
        print(f"gdviz {' '.join(command)}: {seconds * 1e3:.0f} ms, {seconds / numpy_alone:.2f}x numpy's "
              f"(target <= {TARGET:g}x): {verdict}", flush=True)



def seconds_after_last_line(entry: str, arguments: list[str]) -> float:
    """From a fresh process's last line of output to its exit."""
    with tempfile.TemporaryDirectory() as out:
        process = subprocess.Popen([sys.executable, "-c", entry, *arguments, "--out", out], cwd=ROOT,
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert process.stdout is not None
        last = time.perf_counter()
        for _ in process.stdout:
            last = time.perf_counter()
        process.wait()
        return time.perf_counter() - last


def endings() -> None:
    for command in ENDINGS:
        seconds: dict[str, list[float]] = {name: [] for name in ENTRIES}
        for _ in range(3):  # alternating, so that neither side always meets the machine busier
            for name, entry in ENTRIES.items():
                seconds[name].append(seconds_after_last_line(entry, command))
        medians = {name: statistics.median(values) for name, values in seconds.items()}
        print(f"gdviz {' '.join(command)}: from the last line to the exit "
              + ", ".join(f"{name} {median:.2f} s" for name, median in medians.items()), flush=True)


if __name__ == "__main__":
    main()
    endings()
