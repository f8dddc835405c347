"""What every Manim scene shares (scenes.manim.common)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
# A batch worker's start method is the fork server's: there a multiprocessing lock is a named semaphore, registered
# with the resource tracker, which warns of it at the command's end if a killed worker never released it.
PROGRESS_BAR_IN_A_WORKER = """
import multiprocessing, multiprocessing.resource_tracker as tracker
multiprocessing.set_start_method("forkserver")
registered = []
tracker.register = lambda name, kind: registered.append(kind)
from tqdm import tqdm
from scenes.manim.common import quiet_manim
quiet_manim()
for _ in tqdm(range(2), disable=True):  # what Manim makes for every animation, even with its bars hidden
    pass
print(registered)
"""


def test_manim_s_progress_bars_leave_no_named_semaphore_in_a_batch_worker() -> None:
    ran = subprocess.run([sys.executable, "-c", PROGRESS_BAR_IN_A_WORKER], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert ran.stdout.strip() == "[]", ran.stdout + ran.stderr
