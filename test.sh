#!/usr/bin/env bash
# Install (into .venv, when needed) and run every check: ruff, ruff format, mypy, and the whole
# test suite (core, emulator, GUI offscreen, and — as root with dpkg — the .deb install test).
# Extra arguments go to pytest, e.g. ./test.sh tests/core -k signing
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/scripts/common.sh"
# openssl, curl and the shells: "Copy as curl" snippets are run for real in sh, bash and zsh;
# jq: the README's command-line examples are run as written; Xvfb: the window is measured on a
# real X server (laptop screen, 200% scaling), and framed by a window manager (openbox) as on a
# desktop; xprop (x11-utils) asks that window manager how the windows are stacked.
ensure_debian_packages "${QT_RUNTIME_PACKAGES[@]}" openssl curl zsh jq xvfb xauth openbox x11-utils
ensure_venv "test,lint,packaging"
cd "$PROJECT_ROOT"
export QT_QPA_PLATFORM=offscreen
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
"$VENV/bin/mypy"
"$VENV/bin/pytest" "$@"
