"""The app's main window in a fresh process, and nothing else: a QApplication, the real
`MainWindow()`, `show()`, and Qt's event loop — no CLI, no theme, no asyncio (the window needs
none of them to paint). The paint hook (see `_paint_hook.py`) reports the first paint and exits.

    python bench/_startup_child.py
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from idconnect_tester.ui.main_window import MainWindow


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = MainWindow()
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
