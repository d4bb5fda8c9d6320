"""Run in a child process on a real X server (see tests/ui/test_window_manager_close.py): type
into a New profile dialog, close it the way a title bar's × does, answer the question, and
report what happened as JSON on the last line of stdout.

    python -m tests.support.wm_close_probe

A window manager closes a window by sending it the ICCCM `WM_DELETE_WINDOW` message; Qt turns
that into a spontaneous close event, which nothing inside the app can make. The probe sends the
same message with Xlib (through ctypes: libX11 comes with Qt's xcb platform).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import sys
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from idconnect_tester.core.profile_model import Profile, new_profile_id
from idconnect_tester.ui.profile_dialog import ProfileDialog

_CLIENT_MESSAGE = 33  # X.h
_NO_EVENT_MASK = 0


class _ClientMessageEvent(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", ctypes.c_ulong),
        ("message_type", ctypes.c_ulong),
        ("format", ctypes.c_int),
        ("data", ctypes.c_long * 5),
    ]


class _Event(ctypes.Union):
    _fields_ = [
        ("client_message", _ClientMessageEvent),
        ("pad", ctypes.c_long * 24),  # XEvent's size
    ]


def send_wm_delete_window(widget: QWidget) -> None:
    """What a window manager sends when the title bar's × is clicked."""
    library = ctypes.util.find_library("X11")
    assert library is not None, "libX11 missing"
    xlib = ctypes.cdll.LoadLibrary(library)
    xlib.XOpenDisplay.restype = ctypes.c_void_p
    xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    xlib.XInternAtom.restype = ctypes.c_ulong
    xlib.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    xlib.XSendEvent.argtypes = [
        ctypes.c_void_p,
        ctypes.c_ulong,
        ctypes.c_int,
        ctypes.c_long,
        ctypes.POINTER(_Event),
    ]
    xlib.XFlush.argtypes = [ctypes.c_void_p]
    xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
    display = xlib.XOpenDisplay(None)
    assert display, "no X display"
    try:
        event = _Event()
        message = event.client_message
        message.type = _CLIENT_MESSAGE
        message.window = int(widget.winId())
        message.message_type = xlib.XInternAtom(display, b"WM_PROTOCOLS", 0)
        message.format = 32
        message.data[0] = xlib.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
        message.data[1] = 0  # CurrentTime
        xlib.XSendEvent(display, message.window, 0, _NO_EVENT_MASK, ctypes.byref(event))
        xlib.XFlush(display)
    finally:
        xlib.XCloseDisplay(display)


def close_from_the_title_bar(
    dialog: QDialog, answer: QMessageBox.StandardButton | None
) -> list[str]:
    """Send the close; answer the question (if one comes) with `answer`. Returns the
    questions asked."""
    asked: list[str] = []

    def reply() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            asked.append(box.text())
            assert answer is not None, f"asked unexpectedly: {box.text()}"
            box.button(answer).click()
        elif dialog.isVisible() and not asked:
            QTimer.singleShot(20, reply)  # the close has not arrived yet

    send_wm_delete_window(dialog)
    QTimer.singleShot(20, reply)
    _wait_for(lambda: bool(asked) or not dialog.isVisible())
    QTest.qWait(200)  # a second question, or a close after the answer, would have come
    return asked


def _wait_for(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "the close did not arrive"
        QTest.qWait(10)


def main() -> int:
    app = QApplication(sys.argv[:1])
    draft = Profile(new_profile_id(), name="", base_url="https://api.sumsub.com", app_token="")
    report: dict[str, Any] = {}

    typed = ProfileDialog(draft, title="New profile")
    typed.show()
    assert QTest.qWaitForWindowExposed(typed, 10_000)
    typed.edits["name"].setText("Half typed")
    report["kept_asked"] = close_from_the_title_bar(typed, QMessageBox.StandardButton.Cancel)
    report["kept_visible"] = typed.isVisible()
    report["kept_text"] = typed.edits["name"].text()
    report["discarded_asked"] = close_from_the_title_bar(typed, QMessageBox.StandardButton.Discard)
    report["discarded_visible"] = typed.isVisible()
    report["discarded_result"] = typed.result() == QDialog.DialogCode.Rejected

    untouched = ProfileDialog(draft, title="New profile")
    untouched.show()
    assert QTest.qWaitForWindowExposed(untouched, 10_000)
    report["untouched_asked"] = close_from_the_title_bar(untouched, None)
    report["untouched_visible"] = untouched.isVisible()
    print(json.dumps(report))
    app.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
