"""The app's main window in a fresh process, the way `launch()` opens it: a QApplication, the
real `MainWindow()` (which starts the built-in emulator), `show()`, and the qasync loop. The
paint hook (see `_paint_hook.py`) reports the first paint and exits.

    python bench/_startup_child.py
"""

from __future__ import annotations

import asyncio
import sys

import qasync
from PySide6.QtWidgets import QApplication

from idconnect_tester.ui.main_window import MainWindow


def main() -> None:
    app = QApplication(sys.argv[:1])
    window = MainWindow()
    window.show()
    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        runner.run(asyncio.sleep(3600))
    del app


if __name__ == "__main__":
    main()
