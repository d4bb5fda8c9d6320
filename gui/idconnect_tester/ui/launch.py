"""Starting the GUI: check there is a display, create the application, run the qasync loop.

The display check matters because Qt, finding no display, aborts the whole process with a
message about platform plugins that does not tell a person what to do.
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import TextIO

from idconnect_tester import APP_NAME, __version__

NO_DISPLAY_MESSAGE = f"""\
{APP_NAME} needs a display, and none was found (DISPLAY and WAYLAND_DISPLAY are not set).
- On a desktop, start it from your session (or set DISPLAY, e.g. DISPLAY=:0).
- On a server or in CI, either use Qt's offscreen platform:
      QT_QPA_PLATFORM=offscreen idconnect-tester --self-test
  or run under a virtual X screen:
      xvfb-run idconnect-tester
- The command-line tools need no display: idconnect-tester --help
"""


def display_problem(
    environ: dict[str, str] | None = None, platform: str | None = None
) -> str | None:
    """Why the GUI cannot start here, or None. Only Linux/BSD desktops need DISPLAY: Windows
    and macOS always have their own platform."""
    environ = dict(os.environ) if environ is None else environ
    platform = sys.platform if platform is None else platform
    if not platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return None
    if environ.get("QT_QPA_PLATFORM", "").split(":")[0] in {
        "offscreen",
        "minimal",
        "vnc",
        "eglfs",
        "linuxfb",
    }:
        return None
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return NO_DISPLAY_MESSAGE


_NOISE = ("This plugin does not support propagateSizeHints()",)


def _quiet_qt_noise() -> None:
    """Qt's offscreen platform warns on every window resize; the warning means nothing here."""
    from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

    def handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if message not in _NOISE:
            sys.stderr.write(message + "\n")

    qInstallMessageHandler(handler)


def launch(
    *, self_test: bool, stdout: TextIO, stderr: TextIO, screenshot: str | None = None
) -> int:
    problem = display_problem()
    if problem is not None:
        stderr.write(problem)
        return 1
    import qasync
    from PySide6.QtWidgets import QApplication

    from idconnect_tester.ui import theme
    from idconnect_tester.ui.main_window import MainWindow

    _quiet_qt_noise()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("idconnect-tester")
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("idconnect-tester")
    app.setDesktopFileName("idconnect-tester")  # matches the .desktop file (Wayland icons)
    # The loop ends when main() returns, after the window's shutdown has closed connections
    # and stopped the emulator; Qt quitting on its own would cut that short.
    app.setQuitOnLastWindowClosed(False)
    window = MainWindow()
    theme.apply_style(app, window.settings.get("scheme", "system"))
    app.setWindowIcon(window.windowIcon())
    window.show()

    async def main() -> int:
        closed = asyncio.Event()
        app.lastWindowClosed.connect(closed.set)
        if self_test:
            from idconnect_tester.ui.self_test import SelfTest

            result = await SelfTest(window, stdout).run()
            window.close()
        elif screenshot:
            await asyncio.sleep(0.5)  # let the first paint and layout settle
            saved = window.grab().save(screenshot)
            stdout.write(f"screenshot {'saved to' if saved else 'FAILED:'} {screenshot}\n")
            result = 0 if saved else 1
            window.close()
        else:
            await closed.wait()
            result = 0
        await window.shutdown()
        return result

    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        return runner.run(main())
