"""Typing into the target never writes on every keystroke, the keyring is never called on the
GUI thread (an unlock prompt must not freeze the window), and a save that fails says so."""

from __future__ import annotations

import threading

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from tests.ui.conftest import close_window, open_window
from tests.ui.helpers import WAIT_MS, add_profile, token_flow, type_into

from idconnect_tester.core.history import HistoryStore
from idconnect_tester.core.secret_store import SERVICE_NAME
from idconnect_tester.ui.main_window import MainWindow


class ThreadRecordingKeyring:
    """Wraps the test keyring: which thread made each call, and every value ever written."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.threads: list[str] = []
        self.written: list[str] = []

    def record(self) -> None:
        self.threads.append(threading.current_thread().name)


@pytest.fixture
def recording(test_keyring, monkeypatch) -> ThreadRecordingKeyring:
    recorder = ThreadRecordingKeyring(test_keyring)
    for name in ("get_password", "set_password", "delete_password"):
        original = getattr(test_keyring, name)

        def wrapped(*args, _original=original, _name=name):
            recorder.record()
            if _name == "set_password":
                recorder.written.append(args[-1])
            return _original(*args)

        monkeypatch.setattr(test_keyring, name, wrapped)
    return recorder


def test_keystrokes_write_nothing_and_the_keyring_runs_off_the_gui_thread(
    window: MainWindow, qtbot, recording: ThreadRecordingKeyring
) -> None:
    profile = add_profile(window, "Typed")
    profiles_file = window.targets.store.path
    secret, token = window.target_panel.secret_key, window.target_panel.app_token
    secret.setFocus()
    before = profiles_file.stat().st_mtime_ns
    qtbot.keyClicks(secret, "s3cret-key")  # one keystroke after another, focus stays
    assert recording.written == []  # no partial secrets: "s", "s3", "s3c"…
    assert profiles_file.stat().st_mtime_ns == before  # nor a rewrite per keystroke

    qtbot.keyClick(secret, Qt.Key.Key_Return)  # editing finished
    qtbot.waitUntil(lambda: recording.written == ["s3cret-key"], timeout=WAIT_MS)
    type_into(qtbot, token, "sbx:typed-token")
    qtbot.keyClick(token, Qt.Key.Key_Return)
    assert window.targets.store.get(profile.id).app_token == "sbx:typed-token"  # type: ignore[union-attr]
    assert recording.threads and threading.main_thread().name not in recording.threads


def test_a_failed_save_is_shown_not_swallowed(window: MainWindow, qtbot, monkeypatch) -> None:
    add_profile(window, "Read-only disk")

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(window.targets.store, "update", disk_full)
    type_into(qtbot, window.target_panel.app_token, "sbx:another-token")
    qtbot.keyClick(window.target_panel.app_token, Qt.Key.Key_Return)
    assert "not saved" in window.status.text()
    assert "No space left on device" in window.status.text()
    monkeypatch.undo()  # room on the disk again: the next save says so, the warning goes
    type_into(qtbot, window.target_panel.app_token, "sbx:yet-another-token")
    qtbot.keyClick(window.target_panel.app_token, Qt.Key.Key_Return)
    assert "not saved" not in window.status.text() and "saved" in window.status.text()


def test_the_secret_typed_last_is_kept_when_the_window_closes(loop, qtbot, test_keyring) -> None:
    window = open_window(qtbot)
    profile = add_profile(window, "Closed quickly")
    type_into(qtbot, window.target_panel.secret_key, "typed-then-closed")
    close_window(window, qtbot)  # no Return, no pause: closing saves it
    assert test_keyring.items[(SERVICE_NAME, profile.id)] == "typed-then-closed"


def test_the_history_integrity_check_at_launch_runs_off_the_gui_thread(
    loop, qtbot, monkeypatch
) -> None:
    """SQLite's integrity check reads the whole file: the window starts it at launch, on a
    worker thread, so a large history never holds up the first paint or the first Send."""
    seen: list[str] = []
    original = HistoryStore.integrity_problems

    def recording(store: HistoryStore) -> str | None:
        seen.append(threading.current_thread().name)
        problems: str | None = original(store)
        return problems

    monkeypatch.setattr(HistoryStore, "integrity_problems", recording)
    window = open_window(qtbot)
    try:
        qtbot.waitUntil(lambda: bool(seen), timeout=WAIT_MS)
        assert seen == [seen[0]] and seen[0] != threading.main_thread().name
    finally:
        close_window(window, qtbot)


def test_closing_the_window_closes_the_authorize_dialog(window, qtbot, browser) -> None:
    """A non-modal dialog the window opened must not keep the process alive after it."""
    from tests.support.identity_provider import Behaviour, identity_provider

    browser.follows = False  # the person hasn't signed in yet: the dialog waits
    with identity_provider(Behaviour.SIGN_IN) as provider:
        add_profile(window, "Sign-in page", client_id="idp-client", issuer=provider.issuer)
        window.form.get_code_button.click()
        qtbot.waitUntil(lambda: window.get_code_flow.dialog is not None, timeout=WAIT_MS)
        dialog = window.get_code_flow.dialog
        assert dialog is not None and dialog.isVisible()
        window.close()
        assert not dialog.isVisible()


def test_closing_the_window_closes_every_window_it_opened(loop, qtbot) -> None:
    """The workbench, the drills and a history entry are windows of their own (not modal):
    none may stay on screen, or keep the process alive, once the main window is closed."""
    window = open_window(qtbot)
    qtbot.waitUntil(lambda: window.emulator.started, timeout=WAIT_MS)
    token_flow(window, qtbot)
    qtbot.waitUntil(lambda: window.history.pending_writes == 0, timeout=WAIT_MS)
    window.actions_by_name["jwt_workbench"].trigger()
    window.actions_by_name["drills"].trigger()
    window.history.show_entry(window.history.store.list()[0].id)
    opened = [d for d in window.findChildren(QDialog) if d.isVisible()]
    assert {type(d).__name__ for d in opened} == {
        "JwtWorkbench",
        "DrillsDialog",
        "HistoryEntryDialog",
    }
    close_window(window, qtbot)
    # Closed: hidden, or already deleted (a dialog that deletes itself on close).
    assert not any(shiboken6.isValid(d) and d.isVisible() for d in opened)
