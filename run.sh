#!/usr/bin/env bash
# Launch ID Connect Tester on its built-in emulator, installing it into .venv first when needed
# (the first time, and when pyproject.toml, the version or the Python changed: see ensure_venv).
# Extra arguments go to the app, e.g. ./run.sh --self-test or ./run.sh emulator --port 8088
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/scripts/common.sh"
ensure_debian_packages "${QT_RUNTIME_PACKAGES[@]}"
ensure_venv ""
exec "$VENV/bin/idconnect-tester" "$@"
