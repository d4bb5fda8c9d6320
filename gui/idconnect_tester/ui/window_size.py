"""How large a top-level window is: sized for what it shows, never past the screen's edge,
and back to its own size when un-maximised."""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication, QWindowStateChangeEvent
from PySide6.QtWidgets import QWidget


def size_for_reading(window: QWidget, *, columns: int, lines: int) -> None:
    """A window of long texts (a raw exchange, claims): room for `columns` characters by
    `lines` lines, taller on a tall screen — up to three quarters of its height, the texts
    get the extra lines — and never larger than the screen's available area."""
    metrics = window.fontMetrics()
    available = (window.screen() or QGuiApplication.primaryScreen()).availableGeometry().size()
    height = max(metrics.lineSpacing() * lines, available.height() * 3 // 4)
    wanted = QSize(metrics.horizontalAdvance("M") * columns, height)
    window.resize(wanted.boundedTo(available))
    KeepsItsFrameOnScreen(window)  # as large as the screen, it is larger once framed


class KeepsItsFrameOnScreen(QObject):
    """`keep_frame_on_screen` at each move: a window the size of the screen's available area
    ends past its edge once the window manager adds the title bar (tryout AD: the JWT
    workbench at 200%, its bottom 20 px off the screen)."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt names it
        if event.type() == QEvent.Type.Move and isinstance(watched, QWidget):
            keep_frame_on_screen(watched)
        return False


def keep_frame_on_screen(window: QWidget) -> None:
    """A window the size of the screen's available area, plus the title bar and borders the
    window manager put around it, ends past the screen's edge: what is at its bottom (a status
    bar, Save) would be out of sight. Such a window gives up the frame's size. Call it from
    `moveEvent`: a window manager frames a window after it is shown, and the title bar's height
    arrives with a move."""
    screen = window.screen()
    if screen is None or window.isMaximized() or window.isFullScreen():
        return
    available = screen.availableGeometry()
    frame = window.frameGeometry()
    extra = frame.size() - available.size()
    framed = frame.size() != window.size()
    if framed and (extra.width() > 0 or extra.height() > 0):
        window.resize(
            max(window.minimumWidth(), window.width() - max(0, extra.width())),
            max(window.minimumHeight(), window.height() - max(0, extra.height())),
        )
        window.move(_on_screen(window.frameGeometry(), available))


def _on_screen(frame: QRect, available: QRect) -> QPoint:
    """Where `frame`'s top left goes for the frame to be within `available`. One that is too
    wide (or tall) for it keeps its left (top) edge on it: the menus, the labels and the title
    bar stay in view, and what is cut off is at the far end (200% on a 1366×768 screen)."""
    return QPoint(
        max(available.left(), min(frame.left(), available.right() - frame.width() + 1)),
        max(available.top(), min(frame.top(), available.bottom() - frame.height() + 1)),
    )


def bring_frame_inside(window: QWidget) -> bool:
    """A framed window that sticks out past an edge of its screen moves inside it; True
    once the window manager has framed it (the check is then done). Qt restores a remembered
    place before the window has a frame: under some window managers the frame then lands a
    few pixels lower than it was saved, and the status bar's bottom edge off the screen
    (tryout AA: 5 px, at every launch after the first). Only for that first placement — a
    person may drag a window partly off the screen on purpose."""
    screen = window.screen()
    frame = window.frameGeometry()
    if screen is None or frame.size() == window.size():
        return False  # not framed yet (or no window manager: nothing to correct)
    if window.isMaximized() or window.isFullScreen():
        return True
    inside = _on_screen(frame, screen.availableGeometry())
    if inside != frame.topLeft():
        window.move(inside)
    return True


def grow_to_show_all(window: QWidget) -> None:
    """Taller, when text that wraps got longer (a verdict, a warning): Qt keeps a window's
    height when a label in it needs more lines, and cuts the lines off."""
    layout = window.layout()
    if layout is not None and layout.hasHeightForWidth():
        needed = layout.totalHeightForWidth(window.width())
        if needed > window.height():
            window.resize(window.width(), needed)


def fit_to_screen(window: QWidget) -> None:
    """Its natural size, but never larger than the screen's available area (at any scale)."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    available = screen.availableGeometry().size()
    window.resize(window.sizeHint().boundedTo(available))


class KeepsItsNormalSize(QObject):
    """Un-maximised, the window takes back the size and place it had before. A window manager
    un-maximises to the geometry it last saw the window at; a window that was maximised when it
    was first shown (a launch that restores a maximised window) it never saw at any other, and
    some (openbox, for one) then un-maximise it to the whole screen — maximised in all but name,
    with no way back to its own size."""

    # How long after leaving maximised a resize may still be the window manager's un-maximising
    # (it frames the window first, then sets the size it restores).
    _SETTLING_MS = 2000

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._normal = QRect()  # the geometry before it was maximised
        self._unmaximised = QElapsedTimer()
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt names it
        if event.type() == QEvent.Type.WindowStateChange:
            self._state_changed(event)
        elif event.type() == QEvent.Type.Resize and self._unmaximised.isValid():
            if self._unmaximised.elapsed() < self._SETTLING_MS:
                self._take_back_its_size()
            else:
                self._unmaximised.invalidate()
        return False

    def _state_changed(self, event: QEvent) -> None:
        if self._window.isMaximized():
            self._normal = self._window.normalGeometry()
            self._unmaximised.invalidate()
        elif isinstance(event, QWindowStateChangeEvent) and (
            event.oldState() & Qt.WindowState.WindowMaximized
        ):
            self._unmaximised.start()
            self._take_back_its_size()

    def _take_back_its_size(self) -> None:
        window, screen = self._window, self._window.screen()
        if screen is None or window.isMaximized() or window.isFullScreen():
            return
        available = screen.availableGeometry().size()
        frame = window.frameGeometry().size()
        fills_the_screen = (
            frame.width() >= available.width() and frame.height() >= available.height()
        )
        smaller = self._normal.isValid() and (
            self._normal.width() < window.width() or self._normal.height() < window.height()
        )
        if fills_the_screen and smaller:
            self._unmaximised.invalidate()
            window.setGeometry(self._normal)
