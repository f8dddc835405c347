"""Start-up benchmark: commands that draw nothing against importing numpy alone, on this machine, in one run.

Run with `.venv/bin/python benchmarks/startup.py`; target: each command within 2× of `python -c "import numpy"`
(best of REPEATS, each a fresh process, so every import is paid).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 7
TARGET = 2.0
COMMANDS = (["--version"], ["list"], ["train"], ["regimes"])


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


if __name__ == "__main__":
    main()
