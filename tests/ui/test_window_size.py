"""Un-maximised, a window takes back its own size and place — also where the window manager
hands it the whole screen instead (openbox does, for a window that was maximised when it was
first shown). The window manager's part is played here by resizes; `test_layout_x11` runs the
real one."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QMoveEvent
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from idconnect_tester.ui import window_layout
from idconnect_tester.ui.window_size import KeepsItsNormalSize, keep_frame_on_screen


def _shown_window(qtbot: QtBot) -> QMainWindow:
    window = QMainWindow()
    qtbot.addWidget(window)
    KeepsItsNormalSize(window)
    window.setGeometry(120, 90, 400, 300)
    window.show()
    qtbot.waitExposed(window)
    return window


def _maximised_window(qtbot: QtBot) -> QMainWindow:
    window = _shown_window(qtbot)
    window.showMaximized()
    qtbot.waitUntil(window.isMaximized)
    return window


def test_unmaximised_to_the_whole_screen_it_takes_back_its_own_size(qtbot: QtBot) -> None:
    window = _maximised_window(qtbot)
    window.showNormal()
    qtbot.waitUntil(lambda: not window.isMaximized())
    window.setGeometry(window.screen().availableGeometry())  # the window manager's geometry
    qtbot.waitUntil(lambda: window.geometry() == QRect(120, 90, 400, 300))


def test_a_size_the_person_chooses_later_stays(qtbot: QtBot) -> None:
    """Only the un-maximising is undone: the person's own resize, as large as the screen, is
    theirs (here: once the window manager's un-maximising was answered)."""
    window = _maximised_window(qtbot)
    window.showNormal()
    qtbot.waitUntil(lambda: not window.isMaximized())
    screen = window.screen().availableGeometry().size()
    window.resize(screen)
    qtbot.waitUntil(lambda: window.size() == QSize(400, 300))
    window.resize(screen)
    assert window.size() == screen


def test_a_window_never_maximised_keeps_any_size(qtbot: QtBot) -> None:
    window = _shown_window(qtbot)
    screen = window.screen().availableGeometry().size()
    window.resize(screen)
    assert window.size() == screen


class _FramedToTheScreen(QMainWindow):
    """A window that keeps its frame on the screen, as the app's main window does."""

    def moveEvent(self, event: QMoveEvent) -> None:  # Qt names it
        super().moveEvent(event)
        keep_frame_on_screen(self)


def test_a_window_wider_than_its_screen_keeps_its_left_edge_on_it(qtbot: QtBot) -> None:
    """Tryouts W and X: at 200% on a 1366×768 screen the window can't get as narrow as the
    screen, and it was placed at x = -148 — the menus and the field labels off the screen.
    Kept within the screen, such a window keeps its left and top edges on it."""
    window = _FramedToTheScreen()
    qtbot.addWidget(window)
    available = window.screen().availableGeometry()
    window.setMinimumSize(available.width() + 300, 200)  # can't get narrow enough
    window.show()
    qtbot.waitExposed(window)
    window.move(available.left() - 148, available.top() + 10)
    qtbot.waitUntil(lambda: window.frameGeometry().left() >= available.left())
    assert window.frameGeometry().top() >= available.top()


def test_a_window_that_covered_another_screen_covers_this_one_as_a_first_launch() -> None:
    laptop = QRect(0, 0, 1024, 700)
    first_on_laptop = window_layout.first_window_size(laptop)
    # 200% on 1920×1080: 960×540 of room, all but a frame's pixels covered.
    assert (
        window_layout.size_on_another_screen(QSize(958, 527), QSize(960, 540), laptop)
        == first_on_laptop
    )
    # A large screen's first window (90% of it) is a covering one too.
    assert (
        window_layout.size_on_another_screen(QSize(1728, 972), QSize(1920, 1080), laptop)
        == first_on_laptop
    )
    # A size of one's own, the same screen, or a layout saved before screens were: kept.
    assert window_layout.size_on_another_screen(QSize(700, 500), QSize(960, 540), laptop) is None
    assert window_layout.size_on_another_screen(QSize(1024, 700), QSize(1024, 700), laptop) is None
    assert window_layout.size_on_another_screen(QSize(958, 527), None, laptop) is None
