"""The PySide6 GUI. `from idconnect_tester.ui import MainWindow` — `MainWindow()` needs no
arguments and opens on the built-in emulator.

The window is imported when it is asked for, not with the package: importing one of the GUI's
modules (the theme, a panel) then costs that module and what it imports, not the whole window.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # for type checkers; at run time, `__getattr__` below
    from idconnect_tester.ui.main_window import MainWindow

__all__ = ["MainWindow"]


def __getattr__(name: str) -> Any:
    if name == "MainWindow":
        from idconnect_tester.ui.main_window import MainWindow

        return MainWindow
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
