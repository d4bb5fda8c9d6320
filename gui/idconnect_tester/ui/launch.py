"""Starting the GUI: check there is a display, create the application, run the qasync loop.

The display check matters because Qt, finding no display, aborts the whole process with a
message about platform plugins that does not tell a person what to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import faulthandler
import io
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import TextIO

import qasync
from PySide6.QtCore import QEvent, QMessageLogContext, QObject, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QWidget

from idconnect_tester import APP_NAME, __version__
from idconnect_tester.core.history import HistoryStore
from idconnect_tester.core.profiles import ProfileStore
from idconnect_tester.core.secret_store import SecretStore
from idconnect_tester.ui import theme
from idconnect_tester.ui.main_window import MainWindow
from idconnect_tester.ui.self_test import SelfTest
from idconnect_tester.ui.window_settings import WindowSettings

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
_URL_QUERY = re.compile(r"""(\b[a-z][a-z0-9+.-]*://[^\s'"?#]*)[?#][^\s'"]*""", re.IGNORECASE)
# A URL Qt quotes, its query to the closing quote: Qt decodes "%20" to a space, and a query
# cut at the first one ("scope=openid profile …") left the state, nonce and challenge in.
_QUOTED_URL_QUERY = re.compile(
    r"""(['"])([a-z][a-z0-9+.-]*://[^'"?#]*)[?#][^'"]*\1""", re.IGNORECASE
)


def qt_log_line(message: str) -> str | None:
    """What of one of Qt's own log messages goes to stderr: nothing for noise (the offscreen
    platform warns on every window resize), and any URL without its query. Qt names the URL
    it could not open ("Unable to detect a web browser to launch '…'"): an authorize URL's
    state, nonce and PKCE challenge have no place in a log."""
    if message in _NOISE:
        return None
    return _URL_QUERY.sub(r"\1?…", _QUOTED_URL_QUERY.sub(r"\1\2?…\1", message))


def quiet_qt_log() -> None:
    def handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        line = qt_log_line(message)
        if line is not None:
            sys.stderr.write(line + "\n")

    qInstallMessageHandler(handler)


PAINT_REPORT_ENV = "IDCONNECT_TESTER_REPORT_FIRST_PAINT"
PAINT_REPORT_PREFIX = "first-paint-at "


class _PaintWatcher(QObject):
    """Notes when a widget has finished its first paint (perf_counter), for --screenshot and
    for start-up measurements: "first painted window" means exactly this moment."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.painted_at: float | None = None
        self._painted = asyncio.Event()
        self._widget = widget
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt names it
        if event.type() == QEvent.Type.Paint and self.painted_at is None:
            self._widget.removeEventFilter(self)
            # The paint is being delivered now; it has completed on the next turn.
            asyncio.get_running_loop().call_soon(self._mark)
        return False

    def _mark(self) -> None:
        self.painted_at = time.perf_counter()
        if os.environ.get(PAINT_REPORT_ENV):
            # For bench/: the wall-clock moment of the first completed paint, on stderr.
            sys.stderr.write(f"{PAINT_REPORT_PREFIX}{time.time():.6f}\n")
            sys.stderr.flush()
        self._painted.set()

    async def wait(self) -> float:
        await self._painted.wait()
        assert self.painted_at is not None
        return self.painted_at


async def until_ready(window: MainWindow) -> None:
    """Wait for the second step of start-up (the target filled in: see MainWindow.start)."""
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


def _self_test_window(scratch: Path, settings: WindowSettings) -> MainWindow:
    """The self-test's window: the built-in emulator, and settings (in `scratch` too),
    profiles, history and secrets of its own in `scratch` (or memory) — nothing of the user's
    is read or written."""
    return MainWindow(
        settings=settings,
        profile_store=ProfileStore(scratch / "profiles.json"),
        secret_store=SecretStore.in_memory(),
        history_store=HistoryStore(scratch / "history.sqlite3"),
    )


def _styled(app: QApplication, settings: WindowSettings) -> None:
    """The style before any widget, as Qt advises: each widget is polished once, in the style
    and palette it keeps (set later, every widget would be polished again)."""
    theme.apply_style(app, settings.get("scheme", "system"))


def _until_closed(app: QApplication) -> asyncio.Event:
    closed = asyncio.Event()
    app.lastWindowClosed.connect(closed.set)
    return closed


async def _run_window(
    app: QApplication, settings: WindowSettings, stdout: TextIO, screenshot: str | None
) -> int:
    """The window on the user's settings until it is closed — or, with `screenshot`, until it
    is ready and its picture saved."""
    _styled(app, settings)
    window = MainWindow(settings=settings)
    first_paint = _PaintWatcher(window)
    closed = _until_closed(app)
    window.show()
    result = 0
    if screenshot:
        await first_paint.wait()
        await until_ready(window)
        saved = window.grab().save(screenshot)
        stdout.write(f"screenshot {'saved to' if saved else 'FAILED:'} {screenshot}\n")
        result = 0 if saved else 1
        window.close()
    else:
        await closed.wait()
    await window.shutdown()
    return result


async def _run_self_test(app: QApplication, scratch: Path, stdout: TextIO) -> int:
    settings = WindowSettings(scratch / "window.ini")
    _styled(app, settings)
    window = _self_test_window(scratch, settings)
    window.show()
    await until_ready(window)
    result = await SelfTest(window, stdout).run()
    window.close()
    await window.shutdown()
    return result


def report_hard_crashes(stderr: TextIO) -> None:
    """A crash inside Qt (a segmentation fault) ends the process at once: no exception, no
    traceback, the window simply gone. faulthandler then writes where every thread was to
    stderr (a terminal, or the desktop session's log), so the crash can be traced and
    reported. Stack frames only: file, line and function names, never values."""
    # No stderr to write to (a windowed app without a console): nothing to add.
    with contextlib.suppress(AttributeError, RuntimeError, ValueError, io.UnsupportedOperation):
        faulthandler.enable(file=stderr, all_threads=True)


def launch(
    *, self_test: bool, stdout: TextIO, stderr: TextIO, screenshot: str | None = None
) -> int:
    problem = display_problem()
    if problem is not None:
        stderr.write(problem)
        return 1
    report_hard_crashes(stderr)
    quiet_qt_log()
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

    async def main() -> int:
        if not self_test:
            return await _run_window(app, WindowSettings(None), stdout, screenshot)
        # The self-test's settings, profiles and history live in a directory of its own, gone
        # when it ends; a normal launch needs none.
        with tempfile.TemporaryDirectory(prefix="idconnect-tester-self-test-") as scratch:
            return await _run_self_test(app, Path(scratch), stdout)

    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        return runner.run(main())
