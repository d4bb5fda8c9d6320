"""A first launch restores the dock layout from a saved state (default_layout.py), not with the
dock API: that state must stay what the dock API makes, and the window must cope without it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QSplitter
from tests.ui.conftest import close_window, open_window

from idconnect_tester.ui import default_layout
from idconnect_tester.ui.first_frame import set_qt_property
from idconnect_tester.ui.main_window import MainWindow

# Fonts can differ by a pixel or two between machines; a stale state is off by far more.
TOLERANCE_PX = 4

Layout = dict[str, tuple[str, bool, tuple[int, int, int, int]]]


def _layout(window: MainWindow) -> tuple[Layout, list[tuple[str, ...]], list[str]]:
    """Each dock's area, whether it is on screen and where; the tab groups; the corners."""
    docks = {}
    for name, dock in window.docks.items():
        box = dock.geometry()
        on_screen = not dock.visibleRegion().isEmpty()
        where = (box.x(), box.y(), box.width(), box.height()) if on_screen else (0, 0, 0, 0)
        docks[name] = (str(window.dockWidgetArea(dock).name), on_screen, where)
    tabs = sorted(
        tuple(
            sorted(
                [
                    name,
                    *(
                        d.objectName().removesuffix("Dock")
                        for d in window.tabifiedDockWidgets(dock)
                    ),
                ]
            )
        )
        for name, dock in window.docks.items()
        if window.tabifiedDockWidgets(dock)
    )
    corners = [
        str(window.corner(corner).name)
        for corner in (Qt.Corner.TopRightCorner, Qt.Corner.BottomRightCorner)
    ]
    return docks, sorted(set(tabs)), corners


def _assert_same(restored: Layout, arranged: Layout) -> None:
    for name, (area, on_screen, box) in arranged.items():
        got_area, got_on_screen, got_box = restored[name]
        assert (got_area, got_on_screen) == (area, on_screen), name
        off_by = max(abs(a - b) for a, b in zip(got_box, box, strict=True))
        assert off_by <= TOLERANCE_PX, (
            f"{name} dock: {got_box} restored, {box} arranged — "
            "run scripts/default_layout.py to regenerate SAVED_STATE"
        )


def test_a_first_launch_has_the_layout_the_dock_api_makes(loop, qtbot) -> None:
    restored = open_window(qtbot)  # a private HOME: no remembered layout
    assert restored.size() == default_layout.WINDOW_SIZE
    restored_docks, restored_tabs, restored_corners = _layout(restored)
    close_window(restored, qtbot)

    arranged = MainWindow()  # restores the layout the first one left; arranged again below
    qtbot.addWidget(arranged)
    default_layout.arrange_and_save(arranged, arranged.docks)
    qtbot.waitUntil(lambda: arranged.ready, timeout=5000)
    arranged_docks, arranged_tabs, arranged_corners = _layout(arranged)
    close_window(arranged, qtbot)

    assert arranged_tabs == restored_tabs == [("history", "raw")]
    assert arranged_corners == restored_corners == ["RightDockWidgetArea"] * 2
    _assert_same(restored_docks, arranged_docks)
    assert arranged_docks["response"][0] == "RightDockWidgetArea"
    assert arranged_docks["error"][0] == "BottomDockWidgetArea"


def test_an_unreadable_saved_state_falls_back_to_the_dock_api(loop, qtbot, monkeypatch) -> None:
    monkeypatch.setattr(default_layout, "SAVED_STATE", "bm90IGEgc3RhdGU=")  # "not a state"
    window = open_window(qtbot)
    docks, tabs, corners = _layout(window)
    assert tabs == [("history", "raw")]
    assert corners == ["RightDockWidgetArea"] * 2
    assert {name: area for name, (area, _, _) in docks.items()} == {
        "response": "RightDockWidgetArea",
        "countdown": "RightDockWidgetArea",
        "idToken": "RightDockWidgetArea",
        "error": "BottomDockWidgetArea",
        "raw": "BottomDockWidgetArea",
        "history": "BottomDockWidgetArea",
    }
    assert not window.docks["response"].isFloating()
    close_window(window, qtbot)


def test_a_first_window_of_another_size_gets_the_same_shares(loop, qtbot) -> None:
    """A small screen shrinks a first window: the saved sizes are the default size's, so the
    docks are sized again as shares of the size it got, before its first paint."""
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1000, 700)
    window.show()
    qtbot.waitUntil(lambda: window.ready, timeout=5000)
    response = window.docks["response"]
    assert response.width() == pytest.approx(1000 * 0.45, abs=TOLERANCE_PX)
    assert response.height() == pytest.approx(700 * 0.25, abs=TOLERANCE_PX * 2)
    close_window(window, qtbot)


def test_qt_settings_by_name_take_effect() -> None:
    label = QLabel()
    set_qt_property(label, "textInteractionFlags", "TextSelectableByMouse|TextSelectableByKeyboard")
    assert label.textInteractionFlags() == (
        Qt.TextInteractionFlag.TextSelectableByMouse
        | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    splitter = QSplitter()
    set_qt_property(splitter, "orientation", "Vertical")
    assert splitter.orientation() is Qt.Orientation.Vertical
    button = QPushButton()
    set_qt_property(button, "shortcut", "Ctrl+Return")
    assert button.shortcut().toString() == "Ctrl+Return"


@pytest.mark.parametrize(
    ("name", "text"), [("orientation", "Diagonal"), ("orientatoin", "Vertical")]
)
def test_qt_settings_by_name_refuse_what_qt_would_ignore(name: str, text: str) -> None:
    splitter = QSplitter()
    with pytest.raises(ValueError, match=name):
        set_qt_property(splitter, name, text)
    assert splitter.orientation() is Qt.Orientation.Horizontal
