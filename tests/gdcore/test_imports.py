"""gdcore knows no screen: importing all of it loads no plotting, video or CLI library."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = ("matplotlib", "manim", "imageio", "imageio_ffmpeg", "click", "av", "PIL")


def test_gdcore_imports_numpy_only() -> None:
    code = (
        "import pkgutil, importlib, sys, gdcore\n"
        "for module in pkgutil.iter_modules(gdcore.__path__):\n"
        "    importlib.import_module('gdcore.' + module.name)\n"
        f"print(','.join(name for name in {FORBIDDEN!r} if name in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
