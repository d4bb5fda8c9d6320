#!/usr/bin/env bash
# Install (into .venv) and launch ID Connect Tester on its built-in emulator.
# Extra arguments go to the app, e.g. ./run.sh --self-test or ./run.sh emulator --port 8088
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/scripts/common.sh"
ensure_debian_packages "${QT_RUNTIME_PACKAGES[@]}"
ensure_venv ""
exec "$VENV/bin/idconnect-tester" "$@"
