"""Start-up in two steps: the constructor builds the window, `start()` (run by the first show)
fills in the target and reserves the emulator's port; the emulator's server and the history list
come once the first frame is painted."""

from __future__ import annotations

import stat
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget
from tests.ui.conftest import close_window
from tests.ui.helpers import WAIT_MS

from idconnect_tester.core.exchange import Endpoint, Exchange, NotSent, Timings
from idconnect_tester.core.history import HistoryStore
from idconnect_tester.core.profile_model import emulator_profile
from idconnect_tester.core.profiles import default_profiles_path
from idconnect_tester.ui.main_window import MainWindow
from idconnect_tester.ui.window_settings import settings_path


def test_the_target_fills_in_right_after_the_first_show(loop, qtbot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    assert not window.ready
    assert window.target_panel.profile.count() == 0
    assert not window.form.send_button.isEnabled()
    with qtbot.waitSignal(window.setup_finished, timeout=5000):
        window.show()
    assert window.ready
    assert not window.emulator.started  # its port only: the server waits for the first frame
    assert window.target_panel.profile.currentText() == "Built-in emulator"
    assert window.target_panel.app_token.text() == "sbx:emulator-app-token"
    assert "reading the target" not in window.form.send_blocked.text()
    assert window.target_panel.base_url.text() == window.emulator.base_url
    qtbot.waitUntil(lambda: window.emulator.started, timeout=5000)  # painted: now the server
    close_window(window, qtbot)


def test_start_can_run_before_the_window_shows(loop, qtbot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.start()
    assert window.ready
    assert window.target_panel.profile.currentText() == "Built-in emulator"
    window.show()  # showing later doesn't run it again
    QApplication.processEvents()
    assert window.target_panel.profile.count() == 1
    close_window(window, qtbot)


def test_a_send_before_the_first_frame_is_answered_by_the_emulator(loop, qtbot) -> None:
    """The emulator's server comes up after the first frame; a Send that comes first (a script,
    a window not shown yet) starts it rather than waiting in the port's backlog."""
    window = MainWindow()
    qtbot.addWidget(window)
    window.start()  # not shown, so never painted
    assert window.emulator.reserved and not window.emulator.started
    window.form.set_grant("authorization_code")
    window.form.code.setText("a-code-nobody-issued")
    window.form.code_verifier.setText("v" * 43)
    with qtbot.waitSignal(window.controller.exchange_finished, timeout=5000) as sent:
        window.send()
    assert sent.args[0].status == 401  # the emulator's own answer: the code is unknown
    close_window(window, qtbot)


class _FirstPaintLayout(QObject):
    """Notes where the panels are when the window paints for the first time."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.window = window
        self.layout: dict[str, tuple[int, int, int, int]] | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt names it
        if event.type() == QEvent.Type.Paint and self.layout is None:
            self.layout = _layout(self.window)
        return False


def _layout(window: MainWindow) -> dict[str, tuple[int, int, int, int]]:
    """Where the panels the user can see are (a dock whose tab is behind another is kept
    off-screen by Qt, at whatever size: not part of what anyone sees)."""
    widgets: dict[str, QWidget] = {"target": window.target_panel, "form": window.form}
    widgets.update(window.docks)
    seen = {name: w for name, w in widgets.items() if not w.visibleRegion().isEmpty()}
    assert {"target", "form", "countdown", "response", "idToken"} <= set(seen)
    boxes = {name: widget.geometry() for name, widget in seen.items()}
    return {name: (b.x(), b.y(), b.width(), b.height()) for name, b in boxes.items()}


def test_the_first_frame_has_the_layout_it_keeps(loop, qtbot) -> None:
    """A first launch: the default dock sizes and the target's note are in place when the
    window first paints, so nothing moves when the target fills in just after."""
    window = MainWindow()
    qtbot.addWidget(window)
    watcher = _FirstPaintLayout(window)
    window.installEventFilter(watcher)
    with qtbot.waitSignal(window.setup_finished, timeout=5000):
        window.show()
    qtbot.waitUntil(lambda: watcher.layout is not None, timeout=5000)
    assert window.target_panel.note.text()  # the note is filled in now
    QCoreApplication.sendPostedEvents()  # the layout requests the fill-in made: run them now
    assert watcher.layout == _layout(window)
    close_window(window, qtbot)


class _RowsAtFirstPaint(QObject):
    """Notes how many history rows are listed when the window paints for the first time."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.window = window
        self.rows: int | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt names it
        if event.type() == QEvent.Type.Paint and self.rows is None:
            self.rows = self.window.history_panel.row_count()
        return False


def test_a_long_history_is_listed_once_after_the_first_frame(loop, qtbot, monkeypatch) -> None:
    """Listing a full history takes tens of milliseconds: the first frame doesn't wait for it,
    and the list is read once, however often start-up shows and moves the history's dock."""
    at = datetime.now(UTC)
    with HistoryStore() as store:
        for _ in range(30):
            store.add(
                Exchange(Endpoint.TOKEN, None, None, NotSent("no code"), Timings(0.0), at, at),
                profile=emulator_profile("http://127.0.0.1:1"),
                form=None,
            )
    listings: list[str] = []
    list_rows = HistoryStore.list

    def counted_list(store: HistoryStore, *args: Any) -> Any:
        listings.append("listed")
        return list_rows(store, *args)

    monkeypatch.setattr(HistoryStore, "list", counted_list)
    window = MainWindow()
    qtbot.addWidget(window)
    watcher = _RowsAtFirstPaint(window)
    window.installEventFilter(watcher)
    window.show()
    qtbot.waitUntil(lambda: window.history_panel.row_count() == 30, timeout=5000)
    assert watcher.rows == 0
    assert listings == ["listed"]
    assert window.history_panel.count_label.text() == "30 exchanges"
    close_window(window, qtbot)


@pytest.mark.skipif(sys.platform != "linux", reason="the XDG folders are Linux's")
def test_window_settings_live_beside_the_profiles(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert settings_path().parent == default_profiles_path().parent
    assert settings_path().is_relative_to(tmp_path / "config")


@pytest.mark.skipif(sys.platform != "linux", reason="POSIX modes in the XDG folders")
def test_a_first_start_leaves_the_profiles_folder_owner_only(window) -> None:
    # The window writes window.ini beside profiles.json, before any profile is saved: the
    # folder it creates must already be private.
    folder = default_profiles_path().parent
    assert settings_path().parent == folder and folder.is_dir()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    window.settings.set("scheme", "dark")  # written now: owner-only like profiles.json
    assert stat.S_IMODE(settings_path().stat().st_mode) == 0o600


def test_closing_right_after_the_first_frame_leaves_no_emulator_running(
    loop, qtbot, monkeypatch
) -> None:
    """The first frame posts the emulator's start; a window closed before that posted call
    has its turn must not start a server nobody will stop."""
    window = MainWindow()
    qtbot.addWidget(window)
    posted_start_ran: list[bool] = []
    after_first_frame = window._after_first_frame

    def closed_first() -> None:
        window.close()  # the person's close, handled just before the posted start
        after_first_frame()
        posted_start_ran.append(window.emulator.started)

    monkeypatch.setattr(window, "_after_first_frame", closed_first)
    window.show()
    assert window.ready and not window.emulator.started
    qtbot.waitUntil(lambda: bool(posted_start_ran), timeout=WAIT_MS)
    assert posted_start_ran == [False]  # the closed window started no server
    close_window(window, qtbot)
    assert not window.emulator.started
