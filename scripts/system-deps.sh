#!/usr/bin/env bash
# The Debian/Ubuntu packages gdviz needs: what the Manim extra needs to build (cairo, pango, pkg-config, a C compiler
# and the Python headers), npm (reveal.js for `gdviz slides`) and chromium (the tests open the slides deck and the explorable page in it):
# installed when missing, as root or through sudo; otherwise the exact command is printed.
set -euo pipefail
python=${1:-python3}

missing=()
if ! { command -v pkg-config >/dev/null && pkg-config --exists cairo pangocairo; }; then
  missing+=(libcairo2-dev libpango1.0-dev pkg-config)
fi
command -v cc >/dev/null || missing+=(gcc)
headers=$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
[ -f "$headers/Python.h" ] || missing+=(python3-dev)
command -v npm >/dev/null || missing+=(npm)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
else
  echo "gdviz needs system packages (Manim's build, npm, chromium); run: sudo apt-get install ${missing[*]}  then make again" >&2
  exit 1
fi
