"""The app's main window in a fresh process, and nothing else: a QApplication, the real
`MainWindow()`, `show()`, and Qt's event loop — no CLI, no theme, no asyncio (the window needs
none of them to paint). The paint hook (see `_paint_hook.py`) reports the first paint and exits;
with `IDCT_BENCH_UNTIL_READY` set it reports the paint and this child goes on to report when
the window is `ready` (profiles read and the target filled in, right after the paint).

    python bench/_startup_child.py
"""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtWidgets import QApplication

from idconnect_tester.ui.main_window import MainWindow


def _report_ready() -> None:
    sys.stdout.write(f"IDCT-BENCH ready {time.clock_gettime(time.CLOCK_MONOTONIC):.6f}\n")
    sys.stdout.flush()
    os._exit(0)


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = MainWindow()
    if os.environ.get("IDCT_BENCH_UNTIL_READY"):
        window.setup_finished.connect(_report_ready)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
