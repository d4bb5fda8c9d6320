"""A crash inside Qt (a segmentation fault) kills the window at once, with no Python exception.
The app, launched as a person launches it, then still leaves a trace on stderr: the fatal error
and where each thread was — what a bug report needs, and not a value from the window."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

# The real launch (`idconnect-tester` with no arguments), made to crash once its window is
# ready: faulthandler's own test trigger raises a real SIGSEGV in the GUI thread.
CRASH_ONCE_READY = """
import faulthandler, sys
from PySide6.QtCore import QTimer
from idconnect_tester.ui.main_window import MainWindow

start = MainWindow.start

def crash_once_ready(window):
    start(window)
    QTimer.singleShot(0, faulthandler._sigsegv)

MainWindow.start = crash_once_ready
from idconnect_tester.cli import main
sys.exit(main([]))
"""


def test_a_hard_crash_of_the_window_leaves_its_traceback_on_stderr(private_home: Path) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    crashed = subprocess.run(
        [sys.executable, "-c", CRASH_ONCE_READY],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert crashed.returncode == -signal.SIGSEGV, crashed.stderr[-2000:]
    assert "Fatal Python error: Segmentation fault" in crashed.stderr
    # Where the GUI thread was: in the app's event loop, started by its launch.
    assert "Current thread" in crashed.stderr
    assert "in launch" in crashed.stderr and "idconnect_tester" in crashed.stderr
