"""The PySide6 GUI. `from idconnect_tester.ui import MainWindow` — `MainWindow()` needs no
arguments and opens on the built-in emulator."""

from idconnect_tester.ui.main_window import MainWindow

__all__ = ["MainWindow"]
