"""The console script's own ending (scenes.entry.main); its handling of signals is tests/scenes/test_signals.py's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# An exit handler registered first runs last: it sees the interpreter as main left it to its teardown.
ENDING = """
import atexit, gc, sys
atexit.register(lambda: print("collecting:", gc.isenabled(), "frozen:", gc.get_freeze_count() > 0))
from scenes.entry import main
sys.argv = ["gdviz", "--version"]
main()
"""


def test_a_command_ends_without_collecting_all_its_objects_again() -> None:
    ran = subprocess.run([sys.executable, "-c", ENDING], cwd=ROOT, capture_output=True, text=True, check=True)
    assert ran.stdout.splitlines()[-1] == "collecting: False frozen: True", ran.stdout + ran.stderr
