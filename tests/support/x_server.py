"""Running a probe (a `tests.support` module that prints a JSON report on its last line) in a
child process on a real X server: Xvfb with Qt's xcb platform, optionally framed by openbox."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from typing import Any

import pytest

needs_xvfb = pytest.mark.skipif(
    shutil.which("xvfb-run") is None, reason="xvfb-run missing (apt-get install xvfb xauth)"
)


# Openbox started, and the probe run once it manages the screen (it has set the root window's
# _NET_SUPPORTING_WM_CHECK; xprop is in x11-utils): started together, a window mapped before a
# slow openbox took hold was, once in a CI run, not framed within the probe's 20 s.
_ONCE_OPENBOX_RUNS = (
    "openbox & "
    "for _ in $(seq 200); do "
    'xprop -root _NET_SUPPORTING_WM_CHECK 2>/dev/null | grep -q "window id" && break; '
    "sleep 0.05; "
    "done; "
    'exec "$@" --window-manager'
)


def run_probe(
    module: str,
    *args: str,
    screen: str = "1366x768",
    scale: str | None = None,
    window_manager: bool = False,
) -> dict[str, Any]:
    """`python -m <module> <args>` under xvfb-run on a `screen` (e.g. "1024x700"); its report.
    With no keyring, as on many a headless desktop."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "xcb",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    env.pop("QT_SCALE_FACTOR", None)
    if scale is not None:
        env["QT_SCALE_FACTOR"] = scale
    command = [sys.executable, "-m", module, *args]
    if window_manager:  # openbox frames the window, as a desktop would
        command = ["sh", "-c", _ONCE_OPENBOX_RUNS, "probe", *command]
    done = subprocess.run(
        ["xvfb-run", "-a", "-s", f"-screen 0 {screen}x24", *command],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report
