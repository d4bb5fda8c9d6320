"""Starting the GUI: check there is a display, create the application, run the qasync loop.

The display check matters because Qt, finding no display, aborts the whole process with a
message about platform plugins that does not tell a person what to do.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TYPE_CHECKING, TextIO

from idconnect_tester import APP_NAME, __version__

if TYPE_CHECKING:
    import asyncio

    from PySide6.QtWidgets import QWidget

    from idconnect_tester.ui.main_window import MainWindow

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


PAINT_REPORT_ENV = "IDCONNECT_TESTER_REPORT_FIRST_PAINT"
PAINT_REPORT_PREFIX = "first-paint-at "


class _PaintWatcher:
    """Notes when a widget has finished its first paint (perf_counter), for --screenshot and
    for start-up measurements: "first painted window" means exactly this moment."""

    def __init__(self, widget: QWidget) -> None:
        from PySide6.QtCore import QEvent, QObject, QTimer

        self.painted_at: float | None = None
        self._waiting: asyncio.Event | None = None  # made on demand: no asyncio before paint
        watcher = self

        class Filter(QObject):
            def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt names it
                if event.type() == QEvent.Type.Paint and watcher.painted_at is None:
                    # The paint is being delivered now; it has completed on the next turn.
                    QTimer.singleShot(0, watcher._mark)
                    widget.removeEventFilter(self)
                return False

        self._filter = Filter(widget)
        widget.installEventFilter(self._filter)

    def _mark(self) -> None:
        self.painted_at = time.perf_counter()
        if os.environ.get(PAINT_REPORT_ENV):
            # For bench/: the wall-clock moment of the first completed paint, on stderr.
            sys.stderr.write(f"{PAINT_REPORT_PREFIX}{time.time():.6f}\n")
            sys.stderr.flush()
        if self._waiting is not None:
            self._waiting.set()

    async def wait(self) -> float:
        import asyncio

        if self.painted_at is None:
            self._waiting = asyncio.Event()
            await self._waiting.wait()
        assert self.painted_at is not None
        return self.painted_at


async def _until_ready(window: MainWindow) -> None:
    """Wait for the step after the first paint (the target filled in: see MainWindow)."""
    import asyncio

    if not window.ready:
        finished = asyncio.Event()
        window.setup_finished.connect(finished.set)
        await finished.wait()


def _qt_argv() -> list[str]:
    """The installed bundle ships the xcb platform, not Wayland's: in a Wayland session with
    XWayland, say so up front instead of letting Qt print a warning and fall back. An argument,
    not QT_QPA_PLATFORM, so it doesn't leak into the browser the app opens."""
    argv = sys.argv[:1]
    frozen = getattr(sys, "frozen", False)
    if frozen and not os.environ.get("QT_QPA_PLATFORM") and os.environ.get("DISPLAY"):
        argv += ["-platform", "xcb"]
    return argv


def launch(
    *, self_test: bool, stdout: TextIO, stderr: TextIO, screenshot: str | None = None
) -> int:
    problem = display_problem()
    if problem is not None:
        stderr.write(problem)
        return 1
    # Only what the first paint needs comes before it; asyncio, qasync, the emulator and the
    # history load after the window is on screen (see bench/ for the start-up measurements).
    from PySide6.QtWidgets import QApplication

    from idconnect_tester.ui import theme
    from idconnect_tester.ui.main_window import MainWindow

    _quiet_qt_noise()
    app = QApplication.instance() or QApplication(_qt_argv())
    assert isinstance(app, QApplication)
    app.setApplicationName("idconnect-tester")
    # No applicationDisplayName: on X11 Qt would append it to the title ("… — ID Connect Tester").
    app.setApplicationVersion(__version__)
    app.setOrganizationName("idconnect-tester")
    app.setDesktopFileName("idconnect-tester")  # matches the .desktop file (Wayland icons)
    # The loop ends when main() returns, after the window's shutdown has closed connections
    # and stopped the emulator; Qt quitting on its own would cut that short.
    app.setQuitOnLastWindowClosed(False)
    window = MainWindow()
    theme.apply_style(app, window.settings.get("scheme", "system"))
    first_paint = _PaintWatcher(window)
    window.show()
    app.processEvents()  # expose and paint now, before the rest of the app loads
    # The target's values next (profiles, keyring), painted before asyncio and qasync load:
    # left to the event loop, they came ~150 ms after the first frame.
    window.finish_setup()
    app.processEvents()

    import asyncio

    import qasync

    async def main() -> int:
        closed = asyncio.Event()
        app.lastWindowClosed.connect(closed.set)
        if self_test:
            from idconnect_tester.ui.self_test import SelfTest

            result = await SelfTest(window, stdout).run()
            window.close()
        elif screenshot:
            await first_paint.wait()
            await _until_ready(window)
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
